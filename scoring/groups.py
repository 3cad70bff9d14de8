"""Rule groups: how the points of the rules that share a Group add up, on whole columns.

Each rule of a block (fit or behaviour) gives a RulePoints: its points per lead, where it
holds, and its reasons as codes into items (explain.Parts). A Tally adds the rules of a block
in sheet order: a rule without a group counts as it is; the rules of a group are kept until
the group's last rule is in, then combined by the group's mode and held within its cap:

* sum: every rule that holds counts (what rules without a group do);
* max: only the best rule that holds counts ("either"; a tie goes to the first in sheet order),
  its reason noting "best of N" when N rules held;
* all: the rules' points only for the leads where every rule of the group holds ("and").

Reasons of a group's rules carry the group's name ("Source: Web form +20") and a cap that
bites is a reason of its own ("Source: group cap −10"), so the reasons still add up.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .explain import Parts, Reason
from .parse import text_key
from .texts import text


@dataclass
class RulePoints:
    """One rule's result: points per lead, where it holds, and its reasons (codes into items)."""

    points: np.ndarray
    holds: np.ndarray | None
    codes: np.ndarray
    items: list


class Tally:
    """The points of one block of rules, added rule by rule (see the module's docstring)."""

    def __init__(self, n: int, rules: list, groups: list, reasons: Parts, language: str):
        self.total = np.zeros(n)
        self.reasons = reasons
        self.language = language
        self.group = {text_key(g.name): g for g in groups}
        self.members = {}  # group key -> indexes of its rules in this block
        for i, rule in enumerate(rules):
            if rule.group:
                self.members.setdefault(text_key(rule.group), []).append(i)
        self.kept = {}  # rule index -> RulePoints, until its group is complete

    def add(self, index: int, rule, part: RulePoints) -> None:
        if not rule.group:
            self.total += part.points
            self.reasons.add_coded(part.codes, part.items)
            return
        key = text_key(rule.group)
        self.kept[index] = part
        if index == self.members[key][-1]:
            parts = [self.kept.pop(i) for i in self.members[key]]
            self.total += self._combine(self.group[key], parts)

    def _combine(self, group, parts: list) -> np.ndarray:
        n = len(self.total)
        holds = np.vstack([p.holds for p in parts])
        if group.mode == "max":
            chosen = np.where(holds, np.vstack([p.points for p in parts]), -np.inf)
            best = np.argmax(chosen, axis=0)
            some = holds.any(axis=0)
            total = np.where(some, np.take_along_axis(chosen, best[None, :], axis=0)[0], 0.0)
            held = holds.sum(axis=0)
            for r, part in enumerate(parts):
                self._reasons(group, part, some & (best == r), held)
            del chosen
        else:
            total = np.zeros(n)
            for p in parts:
                total += p.points
            every = holds.all(axis=0) if group.mode == "all" else None
            if every is not None:
                total = np.where(every, total, 0.0)
            for part in parts:
                self._reasons(group, part, every, None)
        if group.cap is not None:
            cap = abs(float(group.cap))
            capped = np.clip(total, -cap, cap)
            diff = capped - total
            bites = diff != 0
            if bites.any():
                codes, uniques = pd.factorize(diff)
                label = f"{group.name}: {text(self.language, 'group cap')}"
                self.reasons.add_coded(np.where(bites, codes, -1),
                                       [Reason(label, float(d), kind="adjust") for d in uniques])
            total = capped
        return total

    def _reasons(self, group, part: RulePoints, keep, held) -> None:
        """The rule's reasons, named with the group, for the leads where keep holds (None: all);
        in a max group noting how many rules held (held per lead) when more than one did."""
        codes = part.codes if keep is None else np.where(keep, part.codes, -1)
        prefix = f"{group.name}: "
        if held is None:
            self.reasons.add_coded(codes, [replace(item, label=prefix + item.label) for item in part.items])
            return
        width = int(held.max(initial=0)) + 1
        combined = np.where(codes >= 0, codes.astype(np.int64) * width + np.where(held > 1, held, 0), -1)
        # The (item, how many held) pairs that occur, numbered in order, without sorting the leads.
        used = np.flatnonzero(np.bincount(combined[combined >= 0], minlength=len(part.items) * width))
        if not len(used):
            return
        number = np.full(len(part.items) * width + 1, -1, dtype=np.int64)
        number[used] = np.arange(len(used))
        items = []
        for u in used:
            item, count = part.items[u // width], u % width
            note = f"{text(self.language, 'best of')} {count}" if count else ""
            note = "; ".join(x for x in (item.note, note) if x)
            items.append(replace(item, label=prefix + item.label, note=note))
        self.reasons.add_coded(number[combined], items)

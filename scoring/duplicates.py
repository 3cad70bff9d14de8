"""Duplicate leads: the same person entered twice, found by e-mail, phone, or name and company.

Two leads are one when (the Duplicates by setting says which keys count):

* email: their addresses are equal ignoring case and surrounding spaces; for providers that
  ignore them (gmail.com, googlemail.com: dots and +tags; outlook, hotmail, live, icloud,
  proton, fastmail: +tags) without those too: J.Rossi+fair@Gmail.com = jrossi@gmail.com;
* phone: their numbers are equal once written in full (+39 02 1234 5678 = 02 12345678 with
  the Phone region IT; 0044 20 … = +44 20 …), found with `phonenumbers`; numbers of fewer than
  six digits are no phone;
* name and company: the same company (lower case, accents, punctuation and legal forms such as
  srl, spa, ltd, inc dropped) and names alike at or above the Name match threshold
  (rapidfuzz's token sort ratio, 0–100; 100 = the same words in any order). Names are only compared within
  one company (and, for a company with more than BLOCK_LIMIT distinct names, within the same
  first letter), so the work grows with the leads, not with their square.

Leads linked by any key, directly or through others, form one group. The lead kept is the
oldest (earliest Created; blank dates last), ties going to the most complete (most filled-in
cells), then to the first in the table; or, with Keep = most complete, the most complete
first. Nothing here reads or writes a file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .columns import by_meaning
from .dates import read_date
from .hygiene import fold
from .parse import Column

DOTS_AND_TAGS = frozenset({"gmail.com", "googlemail.com"})
TAGS = frozenset({"outlook.com", "hotmail.com", "hotmail.it", "live.com", "live.it", "icloud.com", "me.com",
                  "protonmail.com", "proton.me", "fastmail.com"})
LEGAL_FORMS = frozenset({"srl", "srls", "spa", "sas", "snc", "sapa", "scarl", "scrl", "ltd", "limited", "plc",
                         "llc", "llp", "inc", "incorporated", "corp", "corporation", "co", "company", "gmbh", "ag",
                         "kg", "sa", "sarl", "bv", "nv", "oy", "ab", "as", "the"})
BLOCK_LIMIT = 200  # Names at one company beyond which they are compared within their first letter.
MIN_PHONE_DIGITS = 6
KEY_COLUMNS = {"email": ("email",), "phone": ("phone",), "name and company": ("name", "company")}
SHEET_COLUMNS = ("group", "lead_id", "kept", "kept_id", "matched", "name", "email", "company", "phone", "row")
WORDS = {"en": {"kept": "kept", "duplicate": "duplicate", "email": "email", "phone": "phone",
                "name and company": "name and company"},
         "it": {"kept": "mantenuto", "duplicate": "duplicato", "email": "email", "phone": "telefono",
                "name and company": "nome e azienda"}}


@dataclass
class Duplicates:
    """Per lead: its group (-1: none), the position of the lead kept for it (itself when kept),
    and what matched it to another lead of the group (a tuple of keys)."""

    group: np.ndarray
    kept: np.ndarray
    matched: list

    @property
    def dropped(self) -> np.ndarray:
        """The leads that are duplicates of another (not the one kept)."""
        return (self.group >= 0) & (self.kept != np.arange(len(self.group)))


def needed_columns(columns, keys) -> list[tuple[str, str]]:
    """(key, meaning) of every column the keys need that the leads lack."""
    return [(key, meaning) for key in keys for meaning in KEY_COLUMNS[key] if by_meaning(columns, meaning) is None]


def email_key(value) -> str:
    """An address as duplicates compare it ('' for no address)."""
    text = str(value).strip().lower()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        return ""
    if domain in DOTS_AND_TAGS:
        local = local.split("+", 1)[0].replace(".", "")
        domain = "gmail.com"
    elif domain in TAGS:
        local = local.split("+", 1)[0]
    return f"{local}@{domain}"


_NOT_DIAL = re.compile(r"[^0-9+]")


class Phones:
    """Phone numbers written in full (+<country><number>), with the default region's prefixes."""

    def __init__(self, region: str):
        import phonenumbers

        self.phonenumbers = phonenumbers
        self.region = region or None
        self.code = str(phonenumbers.country_code_for_region(region)) if region else ""
        meta = phonenumbers.PhoneMetadata.metadata_for_region(region) if region else None
        self.trunk = (meta.national_prefix or "") if meta else ""

    def key(self, value) -> str:
        text = str(value).strip()
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))
        if _LETTER.search(text):  # 'ext. 12', letters: phonenumbers reads it.
            try:
                number = self.phonenumbers.parse(text, self.region)
            except self.phonenumbers.NumberParseException:
                return ""
            full = self.phonenumbers.format_number(number, self.phonenumbers.PhoneNumberFormat.E164)
            return full if len(full) > MIN_PHONE_DIGITS else ""
        dial = _NOT_DIAL.sub("", text)
        if dial.startswith("00"):
            dial = "+" + dial[2:]
        plus = dial.startswith("+")
        digits = dial.replace("+", "")
        if len(digits) < MIN_PHONE_DIGITS:
            return ""
        if plus:
            return "+" + digits
        if not self.code:
            return digits  # No region: national numbers compare as written.
        if self.trunk and digits.startswith(self.trunk):
            digits = digits[len(self.trunk):]
        return f"+{self.code}{digits}"


_WORD = re.compile(r"[^\W_]+")
_LETTER = re.compile(r"[A-Za-z]")


def name_key(value) -> str:
    """A name as duplicates compare it: lower case, no accents or punctuation, its words sorted
    ('Rossi, Mario' = 'mario rossi')."""
    return " ".join(sorted(_WORD.findall(fold(str(value)))))


def company_key(value) -> str:
    """A company without case, accents, punctuation and legal forms ('ACME S.r.l.' -> 'acme')."""
    text = fold(str(value)).replace(".", "")
    words = [w for w in _WORD.findall(text) if w not in LEGAL_FORMS]
    return " ".join(words)


def _codes(column: Column, key) -> tuple[np.ndarray, list]:
    """Per lead: a code for its key (-1 for none), the key made once per distinct value; and the
    key of each code."""
    codes, uniques = column.factors
    keys = [key(v) for v in uniques]
    kcodes, kuniques = pd.factorize(pd.Series(keys + [""], dtype=object))
    kcodes = np.asarray(kcodes, dtype=np.int64)
    empty = kcodes[-1]
    kcodes = np.where(kcodes == empty, -1, kcodes)  # The blank code (last) and '' keys are none.
    return kcodes[codes], list(kuniques)


def _shared(codes: np.ndarray) -> np.ndarray:
    """Per lead: its code is held by another lead too."""
    at = codes >= 0
    counts = np.bincount(codes[at], minlength=1) if at.any() else np.zeros(1, np.int64)
    out = np.zeros(len(codes), dtype=bool)
    out[at] = counts[codes[at]] > 1
    return out


def fuzzy_pairs(name_codes, name_texts, company_codes, threshold: float):
    """Pairs (a, b) of name codes alike at or above threshold, compared only within a company."""
    from rapidfuzz import fuzz, process

    at = (name_codes >= 0) & (company_codes >= 0)
    pairs = pd.DataFrame({"c": company_codes[at], "n": name_codes[at]}).drop_duplicates()
    pairs = pairs[pairs.groupby("c", sort=False)["n"].transform("size").to_numpy() > 1]
    left, right = [], []
    if not len(pairs):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    pairs = pairs.sort_values(["c", "n"], kind="stable")
    c = pairs["c"].to_numpy()
    n = pairs["n"].to_numpy()
    starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
    ends = np.r_[starts[1:], len(c)]
    for s, e in zip(starts, ends):
        block = n[s:e]
        if len(block) > BLOCK_LIMIT:  # A big company: names compared within their first letter.
            first = np.array([name_texts[k][:1] for k in block], dtype=object)
            parts = [block[first == f] for f in pd.unique(first)]
        else:
            parts = [block]
        for part in parts:
            if len(part) < 2:
                continue
            texts = [name_texts[k] for k in part]
            scores = process.cdist(texts, texts, scorer=fuzz.token_sort_ratio, score_cutoff=threshold, dtype=np.float64,
                                   workers=1)
            a, b = np.nonzero(np.triu(scores, 1) >= max(threshold, 1e-9))
            left.append(part[a])
            right.append(part[b])
    if not left:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(left), np.concatenate(right)


def _components(n: int, links: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Per lead: the smallest position of the leads it is linked to, directly or not."""
    label = np.arange(n, dtype=np.int64)
    if not links:
        return label
    a = np.concatenate([x for x, _ in links])
    b = np.concatenate([y for _, y in links])
    while True:
        low = np.minimum(label[a], label[b])
        new = label.copy()
        np.minimum.at(new, a, low)
        np.minimum.at(new, b, low)
        new = new[new]  # Jump to the label's own label.
        if np.array_equal(new, label):
            return label
        label = new


def _links_of(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each lead with a code linked to the first lead holding that code."""
    at = np.flatnonzero(codes >= 0)
    if not len(at):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    first = pd.Series(at).groupby(codes[at], sort=False).transform("first").to_numpy()
    return at, first


def completeness(leads: pd.DataFrame) -> np.ndarray:
    """Per lead: how many of its cells are filled in (blank text does not count)."""
    filled = np.zeros(len(leads), dtype=np.int64)
    for name in leads.columns:
        values = leads[name]
        ok = values.notna().to_numpy()
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            ok = ok & values.astype(object).map(lambda v: not (isinstance(v, str) and not v.strip())).to_numpy(bool)
        filled += ok
    return filled


def _created(leads: pd.DataFrame) -> np.ndarray:
    """Per lead: its Created date as a number of days (inf where there is none)."""
    name = by_meaning(leads.columns, "created")
    out = np.full(len(leads), np.inf)
    if name is None:
        return out
    column = Column(leads[name].astype(object))
    codes, uniques = column.factors
    days = np.array([np.inf if (d := read_date(v)) is None else pd.Timestamp(d).value / 864e11 for v in uniques]
                    + [np.inf])
    return days[codes]


def find_duplicates(leads: pd.DataFrame, settings, placeholders: frozenset = frozenset()) -> Duplicates:
    """The duplicate groups of the leads under the settings' Duplicates by, threshold, region, keep."""
    n = len(leads)
    keys = settings.duplicate_keys
    links, shared = [], {}

    def column(meaning):
        return Column(leads[by_meaning(leads.columns, meaning)].astype(object), placeholders=placeholders)

    if "email" in keys:
        codes, _ = _codes(column("email"), email_key)
        links.append(_links_of(codes))
        shared["email"] = _shared(codes)
    if "phone" in keys:
        phones = Phones(settings.phone_region)
        codes, _ = _codes(column("phone"), phones.key)
        links.append(_links_of(codes))
        shared["phone"] = _shared(codes)
    if "name and company" in keys:
        names_col, company_col = column("name"), column("company")
        name_codes, name_text = _codes(names_col, name_key)
        company_codes, _ = _codes(company_col, company_key)
        width = int(company_codes.max(initial=0)) + 2
        both = np.where((name_codes >= 0) & (company_codes >= 0), name_codes * width + company_codes, -1)
        both = np.where(both >= 0, pd.factorize(both)[0], -1)  # Small codes again.
        links.append(_links_of(both))
        same = _shared(both)
        if float(settings.name_threshold) < 100:
            a, b = fuzzy_pairs(name_codes, name_text, company_codes, float(settings.name_threshold))
            if len(a):
                pair_keys = pd.DataFrame({"n": np.r_[a, b], "m": np.r_[b, a]})
                lead = pd.DataFrame({"pos": np.arange(n), "n": name_codes, "c": company_codes})
                lead = lead[(lead["n"] >= 0) & (lead["c"] >= 0)]
                first = lead.groupby(["c", "n"], sort=False)["pos"].first().reset_index()
                joined = first.merge(pair_keys, on="n").merge(first.rename(columns={"n": "m", "pos": "other"}),
                                                              on=["c", "m"])
                x, y = joined["pos"].to_numpy(), joined["other"].to_numpy()
                links.append((x, y))
                fuzzy = np.zeros(n, dtype=bool)
                fuzzy[x] = True
                fuzzy[y] = True
                # Every lead of a fuzzily matched name in that company is matched too.
                hit = pd.Series(fuzzy).groupby(both).transform("max").to_numpy(bool) & (both >= 0)
                same |= hit
        shared["name and company"] = same
    label = _components(n, [link for link in links if len(link[0])])
    size = np.bincount(label, minlength=n)
    in_group = size[label] > 1
    group = np.full(n, -1, dtype=np.int64)
    kept = np.arange(n, dtype=np.int64)
    matched = [()] * n
    if not in_group.any():
        return Duplicates(group, kept, matched)
    members = np.flatnonzero(in_group)
    complete = completeness(leads.iloc[members])
    created = _created(leads.iloc[members])
    first_key, second_key = (-complete, created) if settings.keep == "most complete" else (created, -complete)
    order = np.lexsort((members, second_key, first_key, label[members]))
    ranked = members[order]
    labels_ranked = label[ranked]
    starts = np.r_[True, labels_ranked[1:] != labels_ranked[:-1]]
    best = ranked[starts]
    group[ranked] = np.cumsum(starts) - 1  # Groups numbered in the order their first lead comes.
    kept_of = pd.Series(best, index=labels_ranked[starts])
    kept[members] = kept_of.loc[label[members]].to_numpy()
    for i in members:
        matched[i] = tuple(k for k in keys if shared[k][i])
    return Duplicates(group, kept, matched)


def duplicates_table(leads: pd.DataFrame, dups: Duplicates, ids, rows, language: str) -> pd.DataFrame:
    """The Duplicates sheet: one row per lead of a group (SHEET_COLUMNS), groups numbered from 1
    in table order, the kept lead first in its group."""
    words = WORDS.get(language, WORDS["en"])
    members = np.flatnonzero(dups.group >= 0)
    kept_first = dups.kept[members] != members
    order = np.lexsort((members, kept_first, dups.group[members]))
    members = members[order]
    ids = np.asarray(ids, dtype=object)

    def values(meaning):
        name = by_meaning(leads.columns, meaning)
        if name is None:
            return [None] * len(members)
        return [None if v is None or v != v else v for v in leads[name].to_numpy(dtype=object)[members]]

    is_kept = dups.kept[members] == members
    return pd.DataFrame({
        "group": dups.group[members] + 1,
        "lead_id": ids[members],
        "kept": [words["kept"] if k else words["duplicate"] for k in is_kept],
        "kept_id": ids[dups.kept[members]],
        "matched": ["; ".join(words[m] for m in dups.matched[i]) for i in members],
        "name": values("name"), "email": values("email"), "company": values("company"), "phone": values("phone"),
        "row": np.asarray(rows, dtype=np.int64)[members],
    }, columns=list(SHEET_COLUMNS))

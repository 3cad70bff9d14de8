"""Writing a run of columns into every row at once: the steady state of a rescore.

After the first rescore every lead's row holds all the output cells, one next to the other, and
each later rescore rewrites exactly those cells. Rather than walking the sheet row by row, one
regular expression finds every row's run of cells (`find_runs`), and the new XML is the old one
with those spans replaced (patch.py's `_Pass.whole_runs`). Where any target row's run is not the
simple kind (a cell missing, a formula, rich text, attributes other than r, s and t), `find_runs`
returns None and the row-by-row writer of patch.py does the work.
"""
from __future__ import annotations

import re
from array import array
from typing import NamedTuple


class Runs(NamedTuple):
    """Where each target row's run is, and what its old cells were."""

    starts: array  # Offset of each row's first cell of the run, in row order.
    ends: array  # Offset just after its last cell.
    styles: list  # Distinct tuples of the old cells' style attributes (b' s="3"' or None each).
    style_of: array  # For each row, its tuple's index in styles.
    strings: int  # Old cells that referred to a shared string.


def run_pattern(prefix: bytes, letters: list[bytes]) -> re.Pattern:
    """The cells of one run in one row: for each, its row number, style and type attributes."""
    p = re.escape(prefix)
    one = (rb'<%sc r="%%s([0-9]+)"( s="[0-9]+")?( t="[a-zA-Z]+")?'
           rb'(?:/>|></%sc>|><%sv>[^<]*</%sv></%sc>|><%sis><%st(?: xml:space="preserve")?>[^<]*</%st></%sis></%sc>)'
           % (p, p, p, p, p, p, p, p, p, p))
    return re.compile(b"".join(one.replace(b"%s", re.escape(L), 1) for L in letters))


def find_runs(xml: bytes, start: int, end: int, pattern: re.Pattern, n: int, rows: range) -> Runs | None:
    """Each target row's run between start and end, or None when some target row's run is not
    found whole (then every row goes the slow way)."""
    starts, ends, style_of = array("q"), array("q"), array("i")
    styles: dict[tuple, int] = {}
    strings = 0
    first, last = rows.start, rows.stop - 1
    expected = first
    for m in pattern.finditer(xml, start, end):
        g = m.groups()
        number = g[0]
        if g[0::3].count(number) != n:
            return None
        r = int(number)
        if r < first or r > last:
            continue  # A header or a row below the table: not ours, kept as it is.
        if r != expected:
            return None
        starts.append(m.start())
        ends.append(m.end())
        key = g[1::3]
        k = styles.get(key)
        if k is None:
            k = styles[key] = len(styles)
        style_of.append(k)
        strings += g[2::3].count(b' t="s"')
        expected += 1
    if expected != last + 1:
        return None
    return Runs(starts, ends, list(styles), style_of, strings)

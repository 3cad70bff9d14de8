"""The check of a patched sheet: every cell we did not write reads back as it was.

PackageBook writes only its own cells of a user's sheet. Before the new file replaces the old one,
the sheet is read again and compared with what was read before, cell by cell: the values of
every cell that is not ours, and which cells hold formulas. `SheetPlan` says what is compared
(how wide, the rows as first read); `difference` finds the first cell that differs. For a big
sheet the new XML is read by a child process as it is written (workbook/side_check.py): then the
reader sees a `StreamedSheet` instead of the written package.
"""
from __future__ import annotations

from dataclasses import dataclass
from operator import itemgetter

from .side_check import Undecided
from .xlsx import cells as xcells
from .xlsx.package import Package
from .xlsx.splice import SpliceError, parse_ref
from .xlsx.styles import read_styles

LAST_ROW = 1_048_576
LAST_COL = 16_384
NEW_STRING = object()  # A shared string added by this run: equal to no value read before.


@dataclass
class SheetPlan:
    """What the check of one sheet compares."""

    part: str
    right: int  # Columns 1..right are compared.
    old: list | None  # The rows as read before (None: read them from the original package).
    old_formulas: set  # The formula cells among them.
    owned: dict  # Column -> sorted (first, last) row ranges we write in it.

    @classmethod
    def make(cls, package: Package, part: str, pending, tables_right: int, raw) -> SheetPlan:
        """The plan for a sheet with pending writes; raw is its first read (top, left, bottom, right,
        rows, formulas) when the book kept it."""
        written = set(pending.segments) | set(pending.cells)
        right = max(list(written) + [tables_right])
        dimension = xcells.dimension(package, part)
        bottom = max(pending.last_row(), 1)
        if dimension:
            try:
                last = parse_ref(dimension.split(":")[-1])
                right, bottom = max(right, last[1]), max(bottom, last[0])
            except (ValueError, SpliceError):
                bottom = LAST_ROW
        else:
            bottom = LAST_ROW
        right = min(right, LAST_COL)
        old, old_formulas = None, set()
        if raw is not None and raw[0] == 1 and raw[1] == 1 and raw[3] >= right and \
                (raw[2] >= bottom or len(raw[4]) < raw[2] - raw[0] + 1):
            # Rows as wide as right or wider: only [:right] is compared.
            old, old_formulas = raw[4], set(raw[5])
            right = min(right, raw[3])
        owned = {c: sorted(pending.owned(c)) for c in written}
        return cls(part, right, old, old_formulas, owned)

    def read_old(self, package: Package) -> None:
        """Read the rows before the write, when the book did not keep them."""
        if self.old is None:
            self.old_formulas = set()
            self.old = xcells.read_values(package, self.part, 1, 1, LAST_ROW, self.right,
                                          formulas=self.old_formulas)

    def read_new(self, package) -> tuple[list, set]:
        """The rows after the write, down to the last row that held a value before (read_old first).
        The rows below it held nothing: what they hold now is only what this run added (an import's
        new leads), so they are not read back."""
        formulas: set = set()
        bottom = LAST_ROW if self.old is None else max(len(self.old), 1)
        return xcells.read_values(package, self.part, 1, 1, bottom, self.right, formulas=formulas), formulas

    def difference(self, fresh: list, new_formulas: set) -> tuple[int, int] | None:
        """The first (row, column) not ours that differs after the write, or None."""
        where = first_difference(self.old, fresh, self.right, self.owned)
        if where is None:
            lost = [cell for cell in self.old_formulas - new_formulas
                    if not any(lo <= cell[0] <= hi for lo, hi in self.owned.get(cell[1], ()))]
            if lost:
                where = min(lost)
        return where


def first_difference(old: list, fresh: list, width: int, owned: dict):
    """The first (row, column) of a sheet that is not ours and whose value differs between the rows
    read before and after the write, or None. Columns we never write are compared row by row in one
    step (itemgetter); a column we write is compared only on the rows we do not write in it."""
    height = max(len(old), len(fresh))
    empty = [None] * width
    owned = {c: ranges for c, ranges in owned.items() if c <= width}
    free = [j for j in range(width) if j + 1 not in owned]
    if free:
        get = itemgetter(*free)
        for i in range(height):
            a = old[i] if i < len(old) else empty
            b = fresh[i] if i < len(fresh) else empty
            if get(a) != get(b):
                return i + 1, next(j + 1 for j in free if a[j] != b[j])
    for col, ranges in sorted(owned.items()):
        j = col - 1
        row = 1
        for lo, hi in ranges + [(height + 1, height + 1)]:
            if row < lo:  # Rows row .. lo - 1 of this column are not ours.
                for i in range(row - 1, min(lo - 1, height)):
                    a = old[i][j] if i < len(old) else None
                    b = fresh[i][j] if i < len(fresh) else None
                    if a != b:
                        return i + 1, col
            row = max(row, hi + 1)
    return None


class StreamedSheet:
    """The new package as the sheet reader needs it, with the sheet's XML coming from a stream.

    Strings this run adds to the shared strings read as NEW_STRING (only our cells may use them);
    the styles are the new ones (our cells use appended formats).
    """

    def __init__(self, original: Package, part: str, strings: list, styles_xml: bytes | None, added: int):
        self.part = part.strip("/")
        self.date1904 = original.date1904
        self.shared_strings_part = original.shared_strings_part
        self.styles = read_styles(styles_xml)
        self._memo = {"shared_strings": strings + [NEW_STRING] * added}
        self.stream = None

    def open_member(self, name: str):
        if name.strip("/") != self.part or self.stream is None:
            raise Undecided(f"the check asked for {name} again")  # The slow reader reads twice.
        stream, self.stream = self.stream, None
        return stream


def side_checker(plan: SheetPlan, original_path: str, view: StreamedSheet):
    """The function a child process runs on the streamed sheet: the first cell that differs, or None."""
    def check(stream):
        if plan.old is None:
            with Package.open(original_path) as original:  # Its own file handle: not the parent's.
                plan.read_old(original)
        view.stream = stream
        fresh, formulas = plan.read_new(view)
        where = plan.difference(fresh, formulas)
        return None if where is None else list(where)
    return check

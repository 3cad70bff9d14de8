"""Cell styles of a workbook package, as far as reading values needs them.

A cell's `s=` attribute is an index into the `cellXfs` list of `xl/styles.xml`;
each entry names a number format (`numFmtId`). A number in a cell whose format
shows a date or a time is a date (or a time, or a duration) to Excel, and is
read as one here.

Which formats are dates follows Excel, and openpyxl where Excel leaves it open:

* the built-in formats 14-22 (dates and times), 27-36 and 50-58 (the East Asian
  date formats that Excel shows in a Chinese, Japanese or Korean locale; openpyxl
  knows no code for them and reads their numbers as numbers) and 45-47 (times);
* a custom format (a `numFmt` of the styles part, which wins over a built-in
  format of the same id, as in openpyxl) whose first section has a date or time
  token outside quoted text and bracketed colours and locales: openpyxl's
  `is_date_format`, written out here so that reading values needs no openpyxl;
* a date format that counts hours, minutes or seconds past a day (`[h]:mm:ss`,
  built-in 46) is a duration, read as a timedelta, as openpyxl does.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from defusedxml import ElementTree as SafeET

# Built-in number formats that Excel shows as dates or times (ECMA-376 18.8.30 and Excel's locales).
BUILTIN_DATE_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
# The built-in duration format ([h]:mm:ss).
BUILTIN_TIMEDELTA_IDS = frozenset([46])
# Codes of the built-in formats that have one in every locale (openpyxl's BUILTIN_FORMATS).
BUILTIN_CODES = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00",
    5: '"$"#,##0_);("$"#,##0)', 6: '"$"#,##0_);[Red]("$"#,##0)',
    7: '"$"#,##0.00_);("$"#,##0.00)', 8: '"$"#,##0.00_);[Red]("$"#,##0.00)',
    9: "0%", 10: "0.00%", 11: "0.00E+00", 12: "# ?/?", 13: "# ??/??",
    14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM",
    20: "h:mm", 21: "h:mm:ss", 22: "m/d/yy h:mm",
    37: "#,##0_);(#,##0)", 38: "#,##0_);[Red](#,##0)", 39: "#,##0.00_);(#,##0.00)",
    40: "#,##0.00_);[Red](#,##0.00)", 41: r'_(* #,##0_);_(* \(#,##0\);_(* "-"_);_(@_)',
    42: r'_("$"* #,##0_);_("$"* \(#,##0\);_("$"* "-"_);_(@_)',
    43: r'_(* #,##0.00_);_(* \(#,##0.00\);_(* "-"??_);_(@_)',
    44: r'_("$"* #,##0.00_)_("$"* \(#,##0.00\)_("$"* "-"??_)_(@_)',
    45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0", 49: "@",
}
# Custom formats take ids from 164 up (ids below are reserved for built-in ones).
FIRST_CUSTOM_ID = 164

# Quoted text, and bracketed parts other than the elapsed-time [h], [m] and [s] (openpyxl's STRIP_RE).
_STRIP = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
# A date or time letter that is not escaped (\d) nor a space the width of a character (_d).
_DATE_TOKEN = re.compile(r"(?<![_\\])[dmhysDMHYS]")
# Elapsed hours, minutes or seconds (openpyxl's TIMEDELTA_RE).
_TIMEDELTA = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.I)


def is_date_format(code: str | None) -> bool:
    """Whether a format code shows a date or a time (only its first section counts)."""
    if not code:
        return False
    return _DATE_TOKEN.search(_STRIP.sub("", code.split(";")[0])) is not None


def is_timedelta_format(code: str | None) -> bool:
    """Whether a format code shows elapsed time ([h]:mm, [mm]:ss...)."""
    return bool(code) and _TIMEDELTA.search(code.split(";")[0]) is not None


@dataclass
class Styles:
    """The number formats of a styles part: one numFmtId per cellXfs entry and the custom codes."""

    xf_num_fmt_ids: list[int] = field(default_factory=lambda: [0])
    num_fmts: dict[int, str] = field(default_factory=dict)  # Custom formats: numFmtId -> code.
    date_styles: frozenset[int] = frozenset()  # cellXfs indexes whose numbers are dates or times.
    timedelta_styles: frozenset[int] = frozenset()  # Those of them that are durations.

    @property
    def cell_xfs_count(self) -> int:
        """How many cellXfs entries there are: the index the next appended style gets."""
        return len(self.xf_num_fmt_ids)

    @property
    def num_fmts_count(self) -> int:
        """How many custom number formats (numFmt elements) there are."""
        return len(self.num_fmts)

    @property
    def next_num_fmt_id(self) -> int:
        """The id a newly appended custom number format can take."""
        return max([FIRST_CUSTOM_ID - 1, *self.num_fmts]) + 1

    def format_code(self, style: int) -> str | None:
        """The number format code of a cell style index (None for an East Asian built-in or an unknown one)."""
        if not 0 <= style < len(self.xf_num_fmt_ids):
            return None
        fmt_id = self.xf_num_fmt_ids[style]
        return self.num_fmts.get(fmt_id, BUILTIN_CODES.get(fmt_id))

    def is_date(self, style: int) -> bool:
        return style in self.date_styles


def read_styles(xml: bytes | None) -> Styles:
    """The Styles of a styles part's XML (None: a package without one, where every cell is General)."""
    if not xml:
        return Styles()
    root = SafeET.fromstring(xml)
    num_fmts: dict[int, str] = {}
    xf_ids: list[int] = []
    for section in root:
        name = _local(section.tag)
        if name == "numFmts":
            for fmt in section:
                if _local(fmt.tag) == "numFmt" and _int(fmt.get("numFmtId")) is not None:
                    num_fmts[_int(fmt.get("numFmtId"))] = fmt.get("formatCode", "")
        elif name == "cellXfs":
            xf_ids = [_int(xf.get("numFmtId")) or 0 for xf in section if _local(xf.tag) == "xf"]
    dates, durations = set(), set()
    for index, fmt_id in enumerate(xf_ids):
        if fmt_id in num_fmts:
            code = num_fmts[fmt_id]
            is_date, is_duration = is_date_format(code), is_timedelta_format(code)
        else:
            is_date, is_duration = fmt_id in BUILTIN_DATE_IDS, fmt_id in BUILTIN_TIMEDELTA_IDS
        if is_date:
            dates.add(index)
            if is_duration:
                durations.add(index)
    return Styles(xf_ids or [0], num_fmts, frozenset(dates), frozenset(durations))


def _local(tag) -> str:
    """An element's name without its namespace (transitional and strict files alike)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _int(text) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None

"""The Report sheet in live Excel: laid out by report_sheet.py, then copied in a few calls.

report_sheet.write_report lays the report out on an in-memory openpyxl sheet (no
file is involved); this module copies its values in one write, then its number
formats, bold labels, fills (headers, the heat map's shades), column widths and the
status chart. A colour scale would be coloured cell by cell (xlwings has no
conditional-formatting API shared by desktop and Lite). Where the Excel
host cannot add a chart (older xlwings Lite), the report goes without it.
"""
from __future__ import annotations

import openpyxl
from openpyxl.utils import range_boundaries

from .report_sheet import REPORT_SHEET, write_report

_SCALE = ((0xFF, 0xFF, 0xFF), (0xFF, 0xEB, 0x84), (0x63, 0xBE, 0x7B))  # min, median, max.


def _blend(a, b, t: float) -> tuple:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))


def scale_colours(values: list) -> list[tuple]:
    """Excel's default three-colour scale (white, yellow at the median, green at the max)."""
    ordered = sorted(values)
    if not ordered:
        return []
    low, high = ordered[0], ordered[-1]
    n = len(ordered)
    mid = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    out = []
    for v in values:
        if high == low:
            out.append(_SCALE[1])
        elif v <= mid:
            out.append(_blend(_SCALE[0], _SCALE[1], 0 if mid == low else (v - low) / (mid - low)))
        else:
            out.append(_blend(_SCALE[1], _SCALE[2], 0 if high == mid else (v - mid) / (high - mid)))
    return out


def put_report(book, funnel, language, as_of, new_sql) -> None:
    """Add or replace the Report sheet of an XlBook."""
    layout = openpyxl.Workbook()
    ws = write_report(layout, funnel, language, as_of, new_sql=new_sql)
    rows = [list(r) for r in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=ws.max_column,
                                          values_only=True)]
    sheet = book._new_sheet(REPORT_SHEET)
    book._put(REPORT_SHEET, 1, 1, rows)
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            if cell.number_format != "General" and not isinstance(cell.value, str):
                sheet.range((cell.row, cell.column)).number_format = cell.number_format
            if cell.font is not None and cell.font.b:
                sheet.range((cell.row, cell.column)).font.bold = True
            if cell.fill is not None and cell.fill.fill_type == "solid":  # Headers and the heat map's shades.
                rgb = str(cell.fill.fgColor.rgb)[-6:]
                sheet.range((cell.row, cell.column)).color = tuple(int(rgb[i:i + 2], 16) for i in (0, 2, 4))
    for cf in ws.conditional_formatting:  # Colour scales, cell by cell (the Report has none today).
        for ref in str(cf.sqref).split():
            min_col, min_row, max_col, max_row = range_boundaries(ref)
            cells = [(r, c) for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)]
            values = [ws.cell(r, c).value or 0 for r, c in cells]
            for (r, c), colour in zip(cells, scale_colours(values)):
                sheet.range((r, c)).color = colour
    for letter, dim in ws.column_dimensions.items():
        if dim.width:
            sheet.range(f"{letter}1").column_width = dim.width
    for chart in ws._charts:
        _chart(sheet, chart)


def _chart(sheet, chart) -> None:
    """The status bar chart: categories and counts from the same cells as in the file report."""
    series = chart.series[0]
    _, top, _, bottom = range_boundaries(series.val.numRef.f.split("!")[-1].replace("$", ""))
    try:
        xl_chart = sheet.charts.add(left=sheet.range((4, 8)).left, top=sheet.range((4, 8)).top,
                                    width=420, height=210)
        xl_chart.set_source_data(sheet.range((top, 1), (bottom, 2)))
        xl_chart.chart_type = "column_clustered"
    except (AttributeError, NotImplementedError):
        pass  # A host without chart support still gets every figure.

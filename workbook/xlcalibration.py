"""Calibrate's writes for either book: the Calibration sheet and a new table on an existing sheet.

A file (PackageBook) gets its parts from the package layer (imported only then: the xlwings Lite
bundle carries no workbook/xlsx): the sheet from xlsx/report_xml.sheet_xml,
the charts from xlsx/series_chart.py, a table from xlsx/transplant.add_table. Live Excel (XlBook:
desktop or xlwings Lite) gets the same cells in one write, then number formats, bold cells and fills
a run of cells at a time, column widths, and the charts through xlwings' chart API from the same
cells (where the host cannot add a chart, the sheet goes without it).
"""
from __future__ import annotations

from .book import TableSpot
from .calibration_sheet import HEADER_FILL, STYLES
from .errors import SheetError
from .xlbook import XlBook, bounds, column_letter

CHART_TYPES = {"line": "line_markers", "bar": "column_clustered"}
POINTS_PER_CM = 28.35


def put_calibration(book, layout) -> None:
    """Add (or replace in place) the Calibration sheet laid out by calibration_sheet.calibration_layout."""
    if isinstance(book, XlBook):
        _put_live(book, layout)
        return
    # The package layer, imported here: the xlwings Lite bundle carries no workbook/xlsx.
    from .xlsx.chart import Anchor
    from .xlsx.report_xml import sheet_xml
    from .xlsx.series_chart import Series, SeriesChart, series_chart_xml
    from .xlsx.styles_write import StyleSpec

    styles = book.styles_for({key: StyleSpec(**spec) for key, spec in STYLES.items()})
    xml = sheet_xml(layout.cells, styles, widths=layout.widths, drawing_rel_id="rId1" if layout.charts else None,
                    date1904=book.date1904)
    charts = []
    for c in layout.charts:
        series = [Series(s.name_ref, s.name, s.values_ref, s.values) for s in c.series]
        chart = SeriesChart(c.kind, c.categories_ref, c.categories, series, c.title, c.x_title, c.y_title,
                            c.number_format, c.maximum)
        charts.append((Anchor(c.row, c.col, "", c.width_cm, c.height_cm, c.name), series_chart_xml(chart)))
    book.put_sheet(layout.sheet_name, xml, charts)


def new_table(book, sheet: str, name: str, top: int, left: int, headers, rows) -> TableSpot:
    """A new table on an existing sheet (its cells must be empty): header row at (top, left), then rows."""
    if not isinstance(book, XlBook):
        return book.add_table(sheet, name, top, left, headers, rows)
    rows = [list(r) for r in rows] or [[None] * len(headers)]
    bottom, right = top + len(rows), left + len(headers) - 1
    grid = book.read(sheet, top, left, bottom, right)
    for r in range(top, bottom + 1):
        for c in range(left, right + 1):
            if grid.value(r, c) not in (None, ""):
                raise SheetError([f"{sheet}!{column_letter(c)}{r}: Lead Score adds its table {name} here but the "
                                  "cell is not empty; move what is there"])
    book._put(sheet, top, left, [list(headers)] + rows)
    book._formats(sheet, top + 1, bottom, {left + j: [r[j] for r in rows] for j in range(len(headers))})
    target = book._sheet(sheet)
    handle = target.tables.add(source=target.range((top, left), (bottom, right)), name=name)
    spot = TableSpot(sheet, name, top, left, bottom, right, 0, handle)
    book.tables(sheet).append(spot)
    return spot


def _runs(cells, key):
    """Runs of cells in one column, on consecutive rows, sharing key(cell): (key, col, first row, last row)."""
    out = []
    for cell in sorted(cells, key=lambda c: (c.col, c.row)):
        k = key(cell)
        if k is None:
            continue
        if out and out[-1][0] == k and out[-1][1] == cell.col and out[-1][3] == cell.row - 1:
            out[-1][3] = cell.row
        else:
            out.append([k, cell.col, cell.row, cell.row])
    return out


def _put_live(book: XlBook, layout) -> None:
    title = layout.sheet_name
    sheet = book._new_sheet(title)
    height = max(c.row for c in layout.cells)
    width = max(c.col for c in layout.cells)
    rows = [[None] * width for _ in range(height)]
    for c in layout.cells:
        rows[c.row - 1][c.col - 1] = c.value
    book._put(title, 1, 1, rows)
    formats = {k: s["num_format"] for k, s in STYLES.items() if "num_format" in s}
    for fmt, col, r1, r2 in _runs(layout.cells, lambda c: None if isinstance(c.value, str) else formats.get(c.style)):
        sheet.range((r1, col), (r2, col)).number_format = fmt
    bold = {k for k, s in STYLES.items() if s.get("bold")}
    for _, col, r1, r2 in _runs(layout.cells, lambda c: True if c.style in bold else None):
        sheet.range((r1, col), (r2, col)).font.bold = True
    fill = tuple(int(HEADER_FILL[i:i + 2], 16) for i in (0, 2, 4))
    for _, col, r1, r2 in _runs(layout.cells, lambda c: True if c.style == "header" else None):
        sheet.range((r1, col), (r2, col)).color = fill
    for col, w in layout.widths.items():
        sheet.range((1, col)).column_width = w
    for chart in layout.charts:
        first, _, last, _ = bounds(chart.categories_ref)
        source = sheet.range((first - 1, 1), (last, 1 + len(chart.series)))
        try:
            cell = sheet.range((chart.row, chart.col))
            made = sheet.charts.add(left=cell.left, top=cell.top, width=chart.width_cm * POINTS_PER_CM,
                                    height=chart.height_cm * POINTS_PER_CM)
            made.set_source_data(source)
            made.chart_type = CHART_TYPES[chart.kind]
        except (AttributeError, NotImplementedError):
            pass  # A host without chart support still gets every figure.

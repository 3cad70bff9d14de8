"""The Report sheet as package parts: its cells, formats and bar chart.

`report_layout(funnel, language, as_of, new_sql)` is workbook.report_layout's layout (the
cells with their style keys, widths and chart, which workbook.report_sheet also writes with
openpyxl) with its chart as a chart.BarChart. `report_parts(layout, styles)` turns it into the
sheet, drawing and chart parts with the sheet's and drawing's relationships; `styles` maps
the layout's style keys to cellXfs indexes, which
`styles_write.styles_append(styles_xml, list(REPORT_STYLES.values()))` gives.

`sheet_xml(cells, styles, ...)` is the generic part: any sheet of cells with widths, merged
ranges, colour scales and a drawing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..report_layout import STYLES, ReportLayout, SheetCell, report_layout as _layout
from .chart import Anchor, BarChart, bar_chart_xml, drawing_xml
from .newparts import PAGE_MARGINS, PLAIN_VIEW, XML_DECL, cols_xml, rels_add
from .patch import Cell, cell_xml
from .splice import DOC_REL_NS, MAIN_NS, escape_attr, range_ref
from .styles_write import StyleSpec

# The Report's formats by key (report_layout.STYLES) as the styles part writes them.
REPORT_STYLES = {key: StyleSpec(**spec) for key, spec in STYLES.items()}


@dataclass
class ColorScale:
    """A 3-colour scale over ref: lowest, 50th percentile and highest values' colours (RGB)."""

    ref: str
    colors: tuple = ("FFFFFF", "FFEB84", "63BE7B")
    mid_percentile: int = 50


def _argb(rgb: str) -> bytes:
    rgb = rgb.lstrip("#").upper()
    return ("FF" + rgb if len(rgb) == 6 else rgb).encode()


def color_scale_xml(scale: ColorScale, priority: int) -> bytes:
    low, mid, high = (_argb(c) for c in scale.colors)
    return (b'<conditionalFormatting sqref="%s"><cfRule type="colorScale" priority="%d"><colorScale>'
            b'<cfvo type="min"/><cfvo type="percentile" val="%d"/><cfvo type="max"/>'
            b'<color rgb="%s"/><color rgb="%s"/><color rgb="%s"/></colorScale></cfRule></conditionalFormatting>'
            % (escape_attr(scale.ref), priority, scale.mid_percentile, low, mid, high))


def sheet_xml(cells: Sequence[SheetCell], styles: dict, *, widths: dict | None = None,
              merged: Sequence[str] = (), color_scales: Sequence[ColorScale] = (),
              drawing_rel_id: str | None = None, date1904: bool = False) -> bytes:
    """A worksheet of cells (any order; text always as text, never a formula), its column
    widths ({column: width}), merged ranges, colour scales and, given its relationship id,
    a drawing. styles maps the cells' style keys to cellXfs indexes."""
    by_row: dict[int, list] = {}
    for cell in cells:
        by_row.setdefault(cell.row, []).append(cell)
    rows = []
    first_row = first_col = 1 << 30
    last_row = last_col = 0
    for r in sorted(by_row):
        items = sorted(by_row[r], key=lambda c: c.col)
        xml = []
        for c in items:
            style = None if c.style is None else styles[c.style]
            kind = "text" if isinstance(c.value, str) else None
            one = cell_xml(r, c.col, Cell(c.value, kind, style), date1904=date1904)
            if one is not None:
                xml.append(one)
                first_row, last_row = min(first_row, r), max(last_row, r)
                first_col, last_col = min(first_col, c.col), max(last_col, c.col)
        if xml:
            rows.append(b'<row r="%d">' % r + b"".join(xml) + b"</row>")
    ref = range_ref(first_row, first_col, last_row, last_col) if last_row else "A1"
    widths = widths or {}
    width_list = [widths.get(c) for c in range(1, max(widths, default=0) + 1)]
    parts = [XML_DECL, b'<worksheet xmlns="%s" xmlns:r="%s">' % (MAIN_NS, DOC_REL_NS),
             b'<dimension ref="%s"/>' % ref.encode(), PLAIN_VIEW, b'<sheetFormatPr defaultRowHeight="15"/>',
             cols_xml(width_list), b"<sheetData>", *rows, b"</sheetData>"]
    if merged:
        parts.append(b'<mergeCells count="%d">' % len(merged)
                     + b"".join(b'<mergeCell ref="%s"/>' % escape_attr(m) for m in merged) + b"</mergeCells>")
    for priority, scale in enumerate(color_scales, start=1):
        parts.append(color_scale_xml(scale, priority))
    parts.append(PAGE_MARGINS)
    if drawing_rel_id is not None:
        parts.append(b'<drawing r:id="%s"/>' % escape_attr(drawing_rel_id))
    parts.append(b"</worksheet>")
    return b"".join(parts)


# The Report, laid out as write_report lays it out.

def report_layout(funnel, language: str, as_of=None, new_sql=None, sheet_name: str = "Report") -> ReportLayout:
    """The Report's layout (workbook.report_layout) with its chart as a chart.BarChart, ready for report_parts."""
    layout = _layout(funnel, language, as_of, new_sql, sheet_name=sheet_name)
    if layout.chart is not None:
        layout.chart = BarChart(**vars(layout.chart))
    return layout


def report_sheet_xml(layout: ReportLayout, styles: dict, drawing_rel_id: str | None = "rId1",
                     date1904: bool = False) -> bytes:
    """The Report's worksheet part alone (its drawing related as drawing_rel_id, None: no chart)."""
    return sheet_xml(layout.cells, styles, widths=layout.widths, merged=layout.merged,
                     color_scales=layout.color_scales, drawing_rel_id=drawing_rel_id, date1904=date1904)


def report_parts(layout: ReportLayout, styles: dict, *, drawing_target: str = "../drawings/drawing1.xml",
                 chart_target: str = "../charts/chart1.xml", date1904: bool = False) -> dict:
    """The parts of a Report: {"sheet", "sheet_rels", "drawing", "drawing_rels", "chart"} as bytes.

    The targets are the drawing's path relative to the sheet's folder and the chart's
    relative to the drawing's; the caller names the parts accordingly, relates the workbook
    to the sheet and adds the content types (worksheet, drawing, chart).
    """
    sheet_rels = drawing_rels = None
    drawing = chart = None
    drawing_id = None
    if layout.chart is not None:
        sheet_rels, drawing_id = rels_add(None, "drawing", drawing_target)
        drawing_rels, chart_id = rels_add(None, "chart", chart_target)
        row, col = layout.chart_anchor
        drawing = drawing_xml([Anchor(row, col, chart_id)])
        chart = bar_chart_xml(layout.chart)
    sheet = sheet_xml(layout.cells, styles, widths=layout.widths, merged=layout.merged,
                      color_scales=layout.color_scales, drawing_rel_id=drawing_id, date1904=date1904)
    return {"sheet": sheet, "sheet_rels": sheet_rels, "drawing": drawing, "drawing_rels": drawing_rels,
            "chart": chart}

"""The Report sheet (DESIGN §5): its words, and the sheet written with openpyxl.

write_report(wb, funnel, language, as_of) adds the sheet 'Report' (same name in
Italian), or replaces it at the same position, laid out by report_layout.report_layout
(the layout the package writer, xlsx/report_xml.py, uses too: one layout, two writers). Every figure is a plain value
(no formulas), so the sheet shows the same numbers in Excel, LibreOffice and pandas;
text is always stored as text, even when it starts with '='.
"""
from __future__ import annotations

from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .report_layout import STYLES, report_layout
from .report_words import DAYS, KPIS, LABELS, NONE, PERCENT, REPORT_SHEET, outcome_blocks

__all__ = ["DAYS", "KPIS", "LABELS", "NONE", "PERCENT", "REPORT_SHEET", "outcome_blocks", "write_report"]


def _new_sheet(wb):
    """A fresh, empty Report sheet where the old one was (or at the end)."""
    existing = next((n for n in wb.sheetnames if n.casefold() == REPORT_SHEET.casefold()), None)
    index = None
    if existing is not None:
        index = wb.sheetnames.index(existing)
        wb.remove(wb[existing])
    return wb.create_sheet(REPORT_SHEET, index)


def write_report(wb, funnel, language: str, as_of=None, new_sql=None):
    """Add (or replace, at the same position) the Report sheet for a scoring.report.Funnel.

    The cells, formats, widths and chart are those of report_layout.report_layout, which the
    package writer (xlsx/report_xml.py) uses too: title and date; leads by grade x score band,
    shaded by what matters;
    leads and shares by status; the funnel; the key figures with what they are based on and how
    they are computed; conversion by score band; outcomes; the leads that became SQL in this run
    (`new_sql`, (lead, rating) pairs). Returns the worksheet.
    """
    layout = report_layout(funnel, language, as_of, new_sql, sheet_name=REPORT_SHEET)
    ws = _new_sheet(wb)
    looks = {key: _openpyxl_style(**spec) for key, spec in STYLES.items()}
    for cell in layout.cells:
        target = ws.cell(cell.row, cell.col)
        target.value = cell.value
        if isinstance(cell.value, str):
            target.data_type = "s"  # Text stays text, even '=cmd'.
        if cell.style is not None:
            number_format, font, fill, alignment = looks[cell.style]
            if number_format and not isinstance(cell.value, str):
                target.number_format = number_format
            if font is not None:
                target.font = font
            if fill is not None:
                target.fill = fill
            if alignment is not None:
                target.alignment = alignment
    for col, width in layout.widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    if layout.chart is not None:
        ws.add_chart(_openpyxl_chart(ws, layout.chart), f"{get_column_letter(layout.chart_anchor[1])}"
                                                         f"{layout.chart_anchor[0]}")
    return ws


def _openpyxl_style(num_format=None, bold=False, size=None, fill=None, horizontal=None):
    """(number format, font, fill, alignment) of a report_layout style, as openpyxl sets them."""
    font = Font(bold=bold, size=size) if bold or size else None
    fill = PatternFill("solid", start_color=fill, end_color=fill) if fill else None
    alignment = Alignment(horizontal=horizontal) if horizontal else None
    return num_format, font, fill, alignment


def _openpyxl_chart(ws, spec):
    """The layout's bar chart (categories and values from the status block), with data labels."""
    from openpyxl.chart.label import DataLabelList

    _, first, _, last = _rows_of(spec.values_ref)
    chart = BarChart()
    chart.type = "col"
    chart.title = spec.title
    chart.y_axis.title = spec.y_title
    chart.x_axis.title = spec.x_title
    chart.legend = None
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.add_data(Reference(ws, min_col=2, min_row=first, max_row=last), titles_from_data=False)
    chart.series[0].tx = None
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    chart.dataLabels = DataLabelList()
    chart.dataLabels.showVal = True
    chart.height, chart.width = 7.5, 15
    return chart


def _rows_of(ref: str) -> tuple:
    """(min_col, min_row, max_col, max_row) of "'Report'!$B$14:$B$17"."""
    from openpyxl.utils import range_boundaries

    return range_boundaries(ref.split("!")[-1].replace("$", ""))

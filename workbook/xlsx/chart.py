"""A drawing part and a bar chart part, for a chart on a sheet Lead Score owns (the Report).

`bar_chart_xml` writes a clustered column chart of one series whose name, categories and
values refer to the sheet's cells, with the values those cells hold cached in the chart, so
that a reader that does not calculate (or a viewer) shows the bars. `drawing_xml` anchors
charts on the sheet. The caller adds the parts with their relationships (sheet -> drawing
-> chart) and content types (newparts.REL / CONTENT_TYPE "drawing" and "chart").
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .splice import cell_ref, escape_attr, escape_text, excel_text

C_NS = b"http://schemas.openxmlformats.org/drawingml/2006/chart"
A_NS = b"http://schemas.openxmlformats.org/drawingml/2006/main"
XDR_NS = b"http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
R_NS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
EMU_PER_CM = 360_000


def sheet_range(sheet: str, first_row: int, col: int, last_row: int | None = None) -> str:
    """A formula reference to cells of one column: 'Report'!$B$14 or 'Report'!$A$15:$A$17."""
    quoted = "'" + sheet.replace("'", "''") + "'"
    top = "$%s$%d" % (cell_ref(first_row, col).rstrip("0123456789"), first_row)
    if last_row is None or last_row == first_row:
        return f"{quoted}!{top}"
    bottom = "$%s$%d" % (cell_ref(last_row, col).rstrip("0123456789"), last_row)
    return f"{quoted}!{top}:{bottom}"


@dataclass
class BarChart:
    """A column chart of one series read from a sheet.

    name_ref / name: the series name's cell and its text; categories_ref / categories: the
    category labels' cells and texts; values_ref / values: the values' cells and numbers
    (None for an empty cell). Titles are plain text (None: none).
    """

    categories_ref: str
    categories: Sequence[str]
    values_ref: str
    values: Sequence[float | None]
    name_ref: str | None = None
    name: str | None = None
    title: str | None = None
    x_title: str | None = None
    y_title: str | None = None
    data_labels: bool = True
    number_format: str = "General"


# The chart's text in the workbook's sans-serif font (a viewer without it would pick its own, often a serif).
TEXT_PROPERTIES = (b'<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="1000"><a:latin typeface="Calibri"/>'
                   b'<a:cs typeface="Calibri"/></a:defRPr></a:pPr><a:endParaRPr lang="en-US"/></a:p></c:txPr>')


def _text(text: str) -> bytes:
    return escape_text(excel_text(text, limit=255))


def _title(text: str | None) -> bytes:
    if text is None:
        return b""
    return (b"<c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:r><a:t>%s</a:t></a:r></a:p></c:rich></c:tx>"
            b'<c:overlay val="0"/></c:title>' % _text(text))


def _number(value) -> bytes:
    value = float(value)
    return b"%d" % value if value.is_integer() and abs(value) < 1e15 else repr(value).encode()


def bar_chart_xml(chart: BarChart) -> bytes:
    """The chart part (xl/charts/chartN.xml) of a clustered column chart."""
    if len(chart.categories) != len(chart.values):
        raise ValueError("as many categories as values are needed")
    cats = b"".join(b'<c:pt idx="%d"><c:v>%s</c:v></c:pt>' % (i, _text(str(c)))
                    for i, c in enumerate(chart.categories))
    vals = b"".join(b'<c:pt idx="%d"><c:v>%s</c:v></c:pt>' % (i, _number(v))
                    for i, v in enumerate(chart.values) if v is not None)
    n = len(chart.values)
    series_name = b""
    if chart.name_ref is not None:
        series_name = (b'<c:tx><c:strRef><c:f>%s</c:f><c:strCache><c:ptCount val="1"/><c:pt idx="0"><c:v>%s</c:v>'
                       b"</c:pt></c:strCache></c:strRef></c:tx>" % (escape_text(chart.name_ref),
                                                                     _text(chart.name or "")))
    labels = b""
    if chart.data_labels:
        labels = (b'<c:dLbls><c:showLegendKey val="0"/><c:showVal val="1"/><c:showCatName val="0"/>'
                  b'<c:showSerName val="0"/><c:showPercent val="0"/><c:showBubbleSize val="0"/></c:dLbls>')
    return b"".join([
        XML_DECL,
        b'<c:chartSpace xmlns:c="%s" xmlns:a="%s" xmlns:r="%s">' % (C_NS, A_NS, R_NS),
        b'<c:roundedCorners val="0"/><c:chart>', _title(chart.title), b'<c:autoTitleDeleted val="%d"/>'
        % (chart.title is None),
        b'<c:plotArea><c:layout/><c:barChart><c:barDir val="col"/><c:grouping val="clustered"/>'
        b'<c:varyColors val="0"/><c:ser><c:idx val="0"/><c:order val="0"/>', series_name,
        b'<c:invertIfNegative val="0"/>', labels,
        b'<c:cat><c:strRef><c:f>%s</c:f><c:strCache><c:ptCount val="%d"/>%s</c:strCache></c:strRef></c:cat>'
        % (escape_text(chart.categories_ref), n, cats),
        b'<c:val><c:numRef><c:f>%s</c:f><c:numCache><c:formatCode>%s</c:formatCode><c:ptCount val="%d"/>%s'
        b"</c:numCache></c:numRef></c:val>" % (escape_text(chart.values_ref), escape_text(chart.number_format), n,
                                                vals),
        b'</c:ser><c:gapWidth val="150"/><c:axId val="10"/><c:axId val="100"/></c:barChart>',
        b'<c:catAx><c:axId val="10"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
        b'<c:axPos val="b"/>', _title(chart.x_title),
        b'<c:numFmt formatCode="General" sourceLinked="1"/><c:majorTickMark val="out"/>'
        b'<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="100"/>'
        b'<c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/>'
        b'<c:noMultiLvlLbl val="0"/></c:catAx>',
        b'<c:valAx><c:axId val="100"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
        b'<c:axPos val="l"/><c:majorGridlines/>', _title(chart.y_title),
        b'<c:numFmt formatCode="General" sourceLinked="1"/><c:majorTickMark val="out"/>'
        b'<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="10"/>'
        b'<c:crosses val="autoZero"/><c:crossBetween val="between"/></c:valAx>',
        b'</c:plotArea><c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>', TEXT_PROPERTIES,
        b'</c:chartSpace>'])


@dataclass
class Anchor:
    """Where a chart sits: its top-left cell (1-based row and column), its size in centimetres
    and the drawing's relationship id of its chart part."""

    row: int
    col: int
    rel_id: str
    width_cm: float = 15.0
    height_cm: float = 7.5
    name: str = "Chart"


def drawing_xml(anchors: Sequence[Anchor]) -> bytes:
    """The drawing part (xl/drawings/drawingN.xml) holding one chart per anchor."""
    frames = []
    for n, a in enumerate(anchors, start=1):
        frames.append(
            b"<xdr:oneCellAnchor><xdr:from><xdr:col>%d</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>%d</xdr:row>"
            b'<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="%d" cy="%d"/>'
            b'<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="%d" name="%s %d"/>'
            b"<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>"
            b'<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic>'
            b'<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
            b'<c:chart xmlns:c="%s" r:id="%s"/></a:graphicData></a:graphic></xdr:graphicFrame>'
            b"<xdr:clientData/></xdr:oneCellAnchor>"
            % (a.col - 1, a.row - 1, round(a.width_cm * EMU_PER_CM), round(a.height_cm * EMU_PER_CM), n + 1,
               escape_attr(a.name), n, C_NS, escape_attr(a.rel_id)))
    return b"".join([XML_DECL, b'<xdr:wsDr xmlns:xdr="%s" xmlns:a="%s" xmlns:r="%s">' % (XDR_NS, A_NS, R_NS),
                     *frames, b"</xdr:wsDr>"])

"""Chart parts of several series over one set of categories: a line chart or a clustered column chart.

The Calibration sheet draws its capture curve (a line per model) and its conversion by score band
(a column per model) with these. Every series names its cells (a formula reference such as
'Calibration'!$B$40:$B$50) and carries the values those cells hold, cached in the chart, so that a
reader that does not calculate shows the lines and bars. The drawing that anchors the charts is
chart.drawing_xml; the caller adds the parts with their relationships and content types.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from .chart import A_NS, C_NS, R_NS, XML_DECL, _number, _text, _title
from .splice import escape_text


@dataclass
class Series:
    """One series: its name (cell and text) and its values (cells and numbers; None: an empty cell)."""

    name_ref: str
    name: str
    values_ref: str
    values: Sequence[float | None]


@dataclass
class SeriesChart:
    """kind 'line' or 'bar' (clustered columns); categories: their cells and texts; titles as text
    (None: none); number_format: of the value axis and labels ('0%' for shares)."""

    kind: str
    categories_ref: str
    categories: Sequence[str]
    series: list = field(default_factory=list)
    title: str | None = None
    x_title: str | None = None
    y_title: str | None = None
    number_format: str = "General"
    maximum: float | None = None  # The value axis' top (None: automatic).


def _series(i: int, s: Series, chart: SeriesChart, cats: bytes) -> bytes:
    if len(s.values) != len(chart.categories):
        raise ValueError("each series needs one value per category")
    vals = b"".join(b'<c:pt idx="%d"><c:v>%s</c:v></c:pt>' % (j, _number(v)) for j, v in enumerate(s.values)
                    if v is not None)
    n = len(s.values)
    marker = b'<c:marker><c:symbol val="circle"/><c:size val="5"/></c:marker>' if chart.kind == "line" else \
        b'<c:invertIfNegative val="0"/>'
    tail = b'<c:smooth val="0"/>' if chart.kind == "line" else b""
    return b"".join([
        b'<c:ser><c:idx val="%d"/><c:order val="%d"/>' % (i, i),
        b'<c:tx><c:strRef><c:f>%s</c:f><c:strCache><c:ptCount val="1"/><c:pt idx="0"><c:v>%s</c:v></c:pt>'
        b"</c:strCache></c:strRef></c:tx>" % (escape_text(s.name_ref), _text(s.name)),
        marker,
        b'<c:cat><c:strRef><c:f>%s</c:f><c:strCache><c:ptCount val="%d"/>%s</c:strCache></c:strRef></c:cat>'
        % (escape_text(chart.categories_ref), n, cats),
        b'<c:val><c:numRef><c:f>%s</c:f><c:numCache><c:formatCode>%s</c:formatCode><c:ptCount val="%d"/>%s'
        b"</c:numCache></c:numRef></c:val>" % (escape_text(s.values_ref), escape_text(chart.number_format), n, vals),
        tail, b"</c:ser>"])


def series_chart_xml(chart: SeriesChart) -> bytes:
    """The chart part (xl/charts/chartN.xml) of a line or clustered column chart with a legend."""
    if chart.kind not in ("line", "bar"):
        raise ValueError(f"chart kind {chart.kind!r}: choose line or bar")
    cats = b"".join(b'<c:pt idx="%d"><c:v>%s</c:v></c:pt>' % (i, _text(str(c))) for i, c in enumerate(chart.categories))
    body = b"".join(_series(i, s, chart, cats) for i, s in enumerate(chart.series))
    if chart.kind == "line":
        plot = (b'<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>%s<c:marker val="1"/>'
                b'<c:axId val="10"/><c:axId val="100"/></c:lineChart>' % body)
    else:
        plot = (b'<c:barChart><c:barDir val="col"/><c:grouping val="clustered"/><c:varyColors val="0"/>%s'
                b'<c:gapWidth val="150"/><c:axId val="10"/><c:axId val="100"/></c:barChart>' % body)
    top = b"" if chart.maximum is None else b'<c:max val="%s"/>' % _number(chart.maximum)
    fmt = escape_text(chart.number_format)
    return b"".join([
        XML_DECL,
        b'<c:chartSpace xmlns:c="%s" xmlns:a="%s" xmlns:r="%s">' % (C_NS, A_NS, R_NS),
        b'<c:roundedCorners val="0"/><c:chart>', _title(chart.title),
        b'<c:autoTitleDeleted val="%d"/>' % (chart.title is None),
        b"<c:plotArea><c:layout/>", plot,
        b'<c:catAx><c:axId val="10"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
        b'<c:axPos val="b"/>', _title(chart.x_title),
        b'<c:numFmt formatCode="General" sourceLinked="1"/><c:majorTickMark val="out"/>'
        b'<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="100"/>'
        b'<c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/>'
        b'<c:noMultiLvlLbl val="0"/></c:catAx>',
        b'<c:valAx><c:axId val="100"/><c:scaling><c:orientation val="minMax"/>%s<c:min val="0"/></c:scaling>'
        b'<c:delete val="0"/><c:axPos val="l"/><c:majorGridlines/>' % top, _title(chart.y_title),
        b'<c:numFmt formatCode="%s" sourceLinked="0"/><c:majorTickMark val="out"/>' % fmt,
        b'<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="10"/>'
        b'<c:crosses val="autoZero"/><c:crossBetween val="%s"/></c:valAx>'
        % (b"midCat" if chart.kind == "line" else b"between"),
        b'</c:plotArea><c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend>'
        b'<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart></c:chartSpace>'])

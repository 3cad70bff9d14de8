"""The guide sheet ('Start here', 'Inizia qui'): the first sheet of a new book, with the three things
to do and links to where they are done."""
from __future__ import annotations

import os
import re
import zipfile

from .layout import LEADS_SHEET, MODEL_SHEET
from .xlsx.newparts import app_xml_sheet_titles

GUIDE_SHEET = {"en": "Start here", "it": "Inizia qui"}

# Rows of the guide: (style, text, sheet a link in the next column goes to, or None).
GUIDE = {
    "en": [
        ("title", "Lead Score for Excel", None),
        ("plain", "Every lead gets a grade, a score, a status and a next action, with the reasons that add up "
                  "to the score.", None),
        ("plain", "", None),
        ("section", "Three things to do", None),
        ("step", "1. Fill in your leads", LEADS_SHEET),
        ("plain", "One row per lead on the Leads sheet. The columns with blue headers are yours; the grey ones "
                  "(Fit … Scored at) are written by scoring.", None),
        ("step", "2. Rescore", None),
        ("plain", "Press Rescore (in the button workbook, or with the add-in), or run "
                  "leadscore rescore THIS_FILE.xlsx --tasks --report", None),
        ("step", "3. Work today's list", None),
        ("plain", "The sheet Tasks YYYY-MM-DD opens on today's calls and emails, by priority; later steps follow. "
                  "The Report sheet shows the funnel.", None),
        ("plain", "", None),
        ("section", "How to read a lead", None),
        ("plain", "Grade (A–D) says how well a lead fits your buyer persona; score (0–100) adds what it did.", None),
        ("plain", "Status: SQL at score ≥ 90; MQL at score ≥ 50 for grades A and B; otherwise Lead.", None),
        ("plain", "A stage set by sales (Opportunity, Customer, Disqualified) is never overwritten.", None),
        ("plain", "Reasons list every rule that gave points; they add up exactly to the score.", None),
        ("plain", "", None),
        ("section", "The model", MODEL_SHEET),
        ("plain", "The LeadScore sheet holds the model; its index in column A links to each table. Change points, "
                  "bands or thresholds, then rescore.", None),
        ("plain", "leadscore check THIS_FILE.xlsx lists every problem of the model with its cell.", None),
    ],
    "it": [
        ("title", "Lead Score per Excel", None),
        ("plain", "Ogni lead riceve un grado, un punteggio, uno stato e un'azione successiva, con i motivi che "
                  "sommati danno il punteggio.", None),
        ("plain", "", None),
        ("section", "Tre cose da fare", None),
        ("step", "1. Inserisci i lead", LEADS_SHEET),
        ("plain", "Una riga per lead nel foglio Leads. Le colonne con l'intestazione blu sono tue; quelle grigie "
                  "(Profilo … Valutato il) le scrive il punteggio.", None),
        ("step", "2. Ricalcola", None),
        ("plain", "Premi Ricalcola (nella cartella con i pulsanti, o con il componente aggiuntivo), oppure esegui "
                  "leadscore rescore QUESTO_FILE.xlsx --tasks --report", None),
        ("step", "3. Lavora l'elenco di oggi", None),
        ("plain", "Il foglio Attività AAAA-MM-GG si apre sulle chiamate e le email di oggi, per priorità; seguono "
                  "i passi successivi. Il foglio Report mostra il funnel.", None),
        ("plain", "", None),
        ("section", "Come leggere un lead", None),
        ("plain", "Il grado (A–D) dice quanto il lead somiglia al cliente ideale; il punteggio (0–100) aggiunge "
                  "cosa ha fatto.", None),
        ("plain", "Stato: SQL con punteggio ≥ 90; MQL con punteggio ≥ 50 per i gradi A e B; altrimenti Lead.", None),
        ("plain", "Una fase indicata dalle vendite (Opportunità, Cliente, Squalificato) non viene mai "
                  "sovrascritta.", None),
        ("plain", "I motivi elencano ogni regola che ha dato punti; la loro somma è esattamente il punteggio.", None),
        ("plain", "", None),
        ("section", "Il modello", MODEL_SHEET),
        ("plain", "Il foglio LeadScore contiene il modello; l'indice nella colonna A porta a ogni tabella. Modifica "
                  "punti, fasce o soglie, poi ricalcola.", None),
        ("plain", "leadscore check QUESTO_FILE.xlsx elenca ogni problema del modello con la sua cella.", None),
    ],
}
LINK_TEXT = {"en": "Go to {sheet} ›", "it": "Vai a {sheet} ›"}
STYLES = {"title": {"bold": True, "font_size": 18, "font_color": "#1F4E79"},
          "section": {"bold": True, "font_size": 13, "font_color": "#1F4E79", "bottom": 1, "bottom_color": "#9BC2E6"},
          "step": {"bold": True, "font_size": 11},
          "plain": {"text_wrap": False},
          "link": {"font_color": "#0563C1", "underline": 1}}


def add_guide(wb, language: str):
    """The guide's sheet, added after Leads and LeadScore so that every part keeps its name (Leads is
    sheet1.xml); write_guide fills it and guide_first moves its tab to the front once the book is saved."""
    return wb.add_worksheet(GUIDE_SHEET[language])


def write_guide(wb, ws, language: str, buttons=()) -> None:
    """The guide on ws (made by add_guide); buttons: macros for form buttons."""
    formats = {key: wb.add_format(spec) for key, spec in STYLES.items()}
    rows = GUIDE[language]
    for i, (style, text, link) in enumerate(rows):
        if text:
            ws.write_string(i, 1, text, formats[style])
        if link:
            ws.write_url(i, 2, f"internal:'{link}'!A1", formats["link"], LINK_TEXT[language].format(sheet=link))
    ws.set_row(0, 28)
    ws.set_column(0, 0, 3)
    ws.set_column(1, 1, 118)
    ws.set_column(2, 2, 20)
    ws.hide_gridlines(2)
    ws.set_tab_color("#1F4E79")
    for i, macro in enumerate(buttons):
        # Form buttons that run a macro of the same name (the add-in supplies it).
        ws.insert_button(len(rows) + 1, 1 + i, {"macro": macro, "caption": macro, "width": 110, "height": 30})
    for other in wb.worksheets():
        other.selected = 0  # One selected tab: two would open as a group, and an edit would change both.
    ws.activate()  # A new book opens on its guide.


_SHEET = re.compile(rb"<sheet\s[^>]*?/>")
_NAME = re.compile(rb'\sname="([^"]*)"')
_VIEW = re.compile(rb"<workbookView\b[^>]*?/?>")


def _first_in_workbook(xml: bytes, name: str) -> tuple[bytes, list[str]]:
    """workbook.xml with the sheet called name first among the tabs; the sheets' names in their new order.
    Defined names local to a sheet, the active tab and the first tab shown follow their sheets."""
    from xml.sax.saxutils import unescape

    tags = _SHEET.findall(xml)
    names = [unescape(_NAME.search(t).group(1).decode("utf-8"), {"&quot;": '"'}) for t in tags]
    g = names.index(name)
    order = [g] + [i for i in range(len(tags)) if i != g]
    where = {old: new for new, old in enumerate(order)}
    start, end = xml.index(tags[0]), xml.index(tags[-1]) + len(tags[-1])
    xml = xml[:start] + b"".join(tags[i] for i in order) + xml[end:]

    def moved(m):
        return m.group(1) + b'"%d"' % where.get(int(m.group(2)), int(m.group(2)))

    xml = re.sub(rb'(\slocalSheetId=)"(\d+)"', moved, xml)

    def view(m):
        tag = re.sub(rb'(\s(?:activeTab|firstSheet)=)"(\d+)"', moved, m.group(0))
        if b"activeTab=" not in tag:  # XlsxWriter leaves out an active first tab: it has moved.
            tag = tag.replace(b"<workbookView", b'<workbookView activeTab="%d"' % where[0], 1)
        return tag

    xml = _VIEW.sub(view, xml)
    return xml, [names[i] for i in order]


def guide_first(path, language: str) -> None:
    """Make the guide the first tab of the book XlsxWriter wrote at path (a new file, not a user's book):
    only the tabs' order changes (workbook.xml, app.xml), so every part keeps its name."""
    path = os.fspath(path)
    temp = path + ".guide"
    with zipfile.ZipFile(path) as src:
        book, titles = _first_in_workbook(src.read("xl/workbook.xml"), GUIDE_SHEET[language])
        with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                data = src.read(item)
                if item.filename == "xl/workbook.xml":
                    data = book
                elif item.filename == "docProps/app.xml":
                    data = app_xml_sheet_titles(data, titles)
                dst.writestr(item, data)
    os.replace(temp, path)

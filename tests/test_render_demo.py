"""The demo as a sales manager sees it: LibreOffice prints every sheet of the English and the Italian
demo (one PDF page per sheet, in the book's locale) and the pages are read back.

Each sheet must show no error value and no `###` cell, no key column narrower than most of
its text, no word of the other language's fixed list, and dates written one way (year first);
the README's screenshots must be what scripts/screenshots.py makes today.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from PIL import Image, ImageChops, ImageStat
from openpyxl.utils import get_column_letter

from scoring.defaults import header
from workbook.layout import BLOCK, TASK_LABELS

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
if SOFFICE is None and not os.environ.get("CI"):
    pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it", allow_module_level=True)

pytestmark = [pytest.mark.slow, pytest.mark.libreoffice]

ROOT = Path(__file__).resolve().parents[1]
SPEC = importlib.util.spec_from_file_location("screenshots", ROOT / "scripts" / "screenshots.py")
shots = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(shots)

AS_OF = dt.datetime(2026, 11, 23, 9, 0)
ERRORS = re.compile(r"#(?:VALUE!|NAME\?|REF!|DIV/0!|N/A|NUM!|NULL!|SPILL!|CALC!)|Err:\d{3}|###")
# Words of one language that must not be printed in a book of the other (whole words, case kept).
ENGLISH = ("Phone", "Task", "Tasks", "between", "contains", "is blank", "not blank", "not in", "operators",
           "columns", "channels", "kinds", "modes", "languages", "Rescore", "Problems", "is not", "Holiday",
           "Owner", "Priority", "Due", "Reason", "Reasons", "Points", "Behaviour", "Grade", "Score", "Action",
           "Sequence", "Nurture", "Watch", "Wait", "Priority contact", "No action", "Junk", "Duplicate of",
           "Annual revenue", "Employees", "Industry", "Role level", "Created", "Customer", "Opportunity",
           "Disqualified", "Median", "Share", "Total", "Based on", "How it is computed", "Start here",
           "Leads by", "Conversion", "Setting", "Christmas", "Easter", "New Year", "Monday", "January", "yes",
           "Status", "Sales", "days", "Call")
ITALIAN = ("Attività", "Scadenza", "Priorità", "Ricalcola", "Festività", "Profilo", "Punteggio", "Motivo",
           "Motivi", "Canale", "Telefono", "Coltivazione", "Osservazione", "Attesa", "Contatto prioritario",
           "Nessuna azione", "Squalificato", "Cliente", "Opportunità", "Fatturato", "Dipendenti", "Settore",
           "Livello ruolo", "Responsabile", "Stato", "Grado", "Fascia", "conteggio", "vuoto", "contiene",
           "uno di", "nessuno di", "Storico", "Duplicati", "Inizia qui", "Natale", "Capodanno", "Ferragosto",
           "Epifania", "sì", "Vendite", "Sequenza", "Chiamata", "giorni", "Passo", "gennaio", "dicembre")
FOREIGN = {"it": ENGLISH, "en": ITALIAN}
# Dates are written one way in both languages, year first as in the tasks' sheet names: never day/month/year.
OTHER_DATES = re.compile(r"\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b")
PRODUCT = "Lead Score"  # The product's name is the same in every language.


def key_headers(language: str) -> dict:
    """Sheet (English name, or the start of it) -> headers of the columns whose text must fit."""
    lang = 0 if language == "en" else 1
    leads = [header(m, language) for m in ("name", "email", "company", "role", "industry", "source", "rating",
                                           "status", "action", "reasons")]
    tasks = [TASK_LABELS[k][lang] for k in ("lead", "company", "task", "channel", "owner", "reason")]
    model = [f.label(language) for key in ("fit", "behaviour", "roles", "settings", "plans", "team")
             for f in BLOCK[key].fields if f.key in ("column", "operator", "name", "kind", "role", "setting",
                                                      "action")]
    return {"Leads": leads, "Tasks": tasks, "LeadScore": model}


@pytest.fixture(scope="module")
def demos(tmp_path_factory):
    """language -> (workbook, {sheet: page text}); both demos built by `leadscore demo`."""
    found = {}
    for language in ("en", "it"):
        folder = tmp_path_factory.mktemp(f"demo-{language}")
        book = shots.build_demo(folder / "demo", language, AS_OF)
        pages = shots.sheet_pages(book, shots.render_pdf(book, folder, language))
        found[language] = (book, {name: shots.page_text(page) for name, page in pages.items()})
    return found


def text_width(font, text: str) -> float:
    """Width of text in Excel's column units (the width of '0' in the default font)."""
    if font is None:
        return len(text)
    return font.getlength(text) / font.getlength("0")


def default_font():
    """Carlito (Calibri's metrics, what LibreOffice prints Calibri with), else None: characters count."""
    from PIL import ImageFont

    for folder in ("/usr/share/fonts/truetype/crosextra", "/usr/share/fonts/truetype/carlito"):
        path = Path(folder) / "Carlito-Regular.ttf"
        if path.exists():
            return ImageFont.truetype(str(path), 15)
    return None


def cut_columns(book: Path, language: str) -> list[str]:
    """Key columns where most cells hold text wider than the column, '<sheet>!<col> <header>: n of m'."""
    wb = openpyxl.load_workbook(book)
    font = default_font()
    found = []
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        wanted = next((h for name, h in key_headers(language).items()
                       if ws.title == name or ws.title.startswith(("Tasks ", "Attività "))
                       and name == "Tasks"), None)
        if not wanted:
            continue
        widths = {}
        for dim in ws.column_dimensions.values():
            for c in range(dim.min or 1, (dim.max or dim.min or 1) + 1):
                widths[c] = dim.width if dim.customWidth or dim.width else 8.43
        for row in ws.iter_rows(min_row=1, max_row=12):
            for cell in row:
                if isinstance(cell.value, str) and cell.value in wanted:
                    # Text wider than its column is cut where the cell to its right is filled.
                    texts = [(str(c.value), right.value not in (None, ""))
                             for c, right in ws.iter_rows(min_row=cell.row + 1, min_col=cell.column,
                                                          max_col=cell.column + 1)
                             if isinstance(c.value, str) and c.value.strip()]
                    width = widths.get(cell.column, 8.43)
                    wide = sum(text_width(font, t) > width and filled for t, filled in texts)
                    if texts and wide * 2 > len(texts):
                        found.append(f"{ws.title}!{get_column_letter(cell.column)} {cell.value}: "
                                     f"{wide} of {len(texts)} wider than {width:g}")
    return found


@pytest.mark.parametrize("language", ["en", "it"])
def test_no_sheet_shows_an_error_value_or_hashes(demos, language):
    _, pages = demos[language]
    assert set(pages) >= {"Leads", "LeadScore", "Report"}
    shown = {name: sorted(set(ERRORS.findall(text))) for name, text in pages.items()}
    assert {name: found for name, found in shown.items() if found} == {}


@pytest.mark.parametrize("language", ["en", "it"])
def test_key_columns_are_wide_enough_for_most_of_their_text(demos, language):
    book, _ = demos[language]
    assert cut_columns(book, language) == []


@pytest.mark.parametrize("language", ["en", "it"])
def test_no_word_of_the_other_language_is_printed(demos, language):
    _, pages = demos[language]
    leaks = {}
    for name, text in pages.items():
        text = text.replace(PRODUCT, "")
        words = [w for w in FOREIGN[language] if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]
        if words:
            leaks[name] = words
    assert leaks == {}


@pytest.mark.parametrize("language", ["en", "it"])
def test_dates_are_written_one_way(demos, language):
    _, pages = demos[language]
    assert all(re.search(r"\b2026-11-23\b", pages[name]) for name in ("Leads", "Report"))
    other = {name: sorted(set(OTHER_DATES.findall(text)))[:3] for name, text in pages.items()}
    assert {name: dates for name, dates in other.items() if dates} == {}


def test_the_readmes_screenshots_are_what_the_script_makes_today(tmp_path):
    """scripts/screenshots.py, run as a user runs it, gives the pictures the README shows (so they can't go
    stale): same size, and on average within 2 of 255 per channel (fonts may antialias a little apart)."""
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "screenshots.py"), "--out", str(tmp_path / "shots"),
                             "--work", str(tmp_path / "work")], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    made = sorted(p.name for p in (tmp_path / "shots").glob("*.png"))
    assert made == sorted(name for name, *_ in shots.SHOTS)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in made:
        assert f"](docs/screenshots/{name})" in readme, name
        ours, committed = (Image.open(p).convert("RGB") for p in (tmp_path / "shots" / name,
                                                                   ROOT / "docs" / "screenshots" / name))
        assert ours.size == committed.size, name
        difference = sum(ImageStat.Stat(ImageChops.difference(ours, committed)).mean) / 3
        assert difference < 2, (name, difference)

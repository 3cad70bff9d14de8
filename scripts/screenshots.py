"""Render workbooks as LibreOffice prints them, and make the README's screenshots of the demo.

    python scripts/screenshots.py [--out docs/screenshots] [--as-of 2026-11-23]

builds the English demo (`leadscore demo`, two dated runs ending on --as-of), has LibreOffice
headless print every visible sheet on one PDF page each (`SinglePageSheets`), and saves the top
left of the Leads, Tasks and Report pages as PNG files (pypdfium2). tests/test_render_demo.py
uses the same functions to read every sheet of both demos as a person sees it, and runs this
script to check that the committed screenshots are what it makes today.
"""
from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pypdfium2

ROOT = Path(__file__).resolve().parents[1]
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDF_FILTER = 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}'
LOCALES = {"en": "en-GB", "it": "it-IT"}
# A locale for LibreOffice's number and date display, as a person in that country would see the book.
PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>{locale}</value></prop></item>
</oor:items>
"""
# What the README shows of each sheet: (file name, sheet name in English, width and height in points, and
# for a wide sheet the column spans shown side by side, each from one header to the next one's start).
SHOTS = (("leads.png", "Leads", 1250, 330, (("Lead ID", "Email"), ("Company", "Role"), ("Fit", "Problems"))),
         ("tasks.png", "Tasks", 1150, 300, ()), ("report.png", "Report", 1100, 620, ()),
         ("start.png", "Start here", 820, 330, ()))
SCALE = 1.25
GAP = 6  # Points between the spans of a wide sheet.


def render_pdf(book: Path, folder: Path, language: str = "en", timeout: int = 300) -> Path:
    """LibreOffice prints every visible sheet of book on one page each; returns the PDF."""
    if not SOFFICE:
        raise SystemExit("LibreOffice (soffice) is not installed")
    profile = folder / f"lo-{language}"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(PROFILE.format(locale=LOCALES[language]),
                                                                  encoding="utf-8")
    out = folder / "pdf"
    result = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless",
                             "--convert-to", PDF_FILTER, "--outdir", str(out), str(book)],
                            capture_output=True, text=True, timeout=timeout)
    pdf = out / f"{Path(book).stem}.pdf"
    if result.returncode != 0 or not pdf.exists():
        raise RuntimeError(f"LibreOffice could not print {book}: {result.stderr.strip()}")
    return pdf


def visible_sheets(book: Path) -> list[str]:
    """The sheets a print shows, in tab order."""
    wb = openpyxl.load_workbook(book, read_only=True)
    try:
        return [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
    finally:
        wb.close()


def sheet_pages(book: Path, pdf: Path) -> dict:
    """Sheet name -> its page of the PDF (one page per visible sheet)."""
    document = pypdfium2.PdfDocument(str(pdf))
    names = visible_sheets(book)
    if len(document) != len(names):
        raise RuntimeError(f"{pdf} has {len(document)} pages for {len(names)} visible sheets")
    return {name: document[i] for i, name in enumerate(names)}


def page_text(page) -> str:
    """The text LibreOffice printed on a page, in reading order."""
    return page.get_textpage().get_text_range()


def crop(page, width: float, height: float, scale: float = SCALE):
    """The top left width × height points of a page, as a PIL image."""
    w, h = page.get_size()
    width, height = min(width, w), min(height, h)
    return page.render(scale=scale, crop=(0, h - height, w - width, 0)).to_pil()


def header_x(page, text: str) -> float:
    """The left edge, in points, of the first place text is printed on the page (a header)."""
    textpage = page.get_textpage()
    found = textpage.search(text, match_case=True, match_whole_word=True).get_next()
    if found is None:
        raise RuntimeError(f"{text!r} is not on the page")
    return textpage.get_charbox(found[0])[0] - 2


def spans(page, pairs, height: float, scale: float = SCALE):
    """Column spans of a wide page (from one header to the start of another) side by side, as one image."""
    from PIL import Image

    w, h = page.get_size()
    pieces = []
    for first, after in pairs:
        left, right = header_x(page, first), header_x(page, after)
        pieces.append(page.render(scale=scale, crop=(left, h - height, w - right, 0)).to_pil())
    gap = round(GAP * scale)
    out = Image.new("RGB", (sum(p.width for p in pieces) + gap * (len(pieces) - 1), pieces[0].height), "white")
    x = 0
    for piece in pieces:
        out.paste(piece, (x, 0))
        x += piece.width + gap
    return out


def build_demo(folder: Path, language: str, as_of: dt.datetime | None = None) -> Path:
    """`leadscore demo` into folder, as a user runs it; returns the workbook."""
    command = [sys.executable, "-m", "addin.cli", "demo", str(folder), "--lang", language, "--force"]
    if as_of is not None:
        command += ["--as-of", as_of.strftime("%Y-%m-%d")]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"leadscore demo failed: {result.stderr.strip()}")
    return next(folder.glob("*.xlsx"))


def screenshots(out: Path, work: Path, as_of: dt.datetime) -> list[Path]:
    """The README's screenshots of the English demo, written to out; returns their paths."""
    book = build_demo(work / "demo", "en", as_of)
    pages = sheet_pages(book, render_pdf(book, work, "en"))
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, sheet, width, height, columns in SHOTS:
        page = [p for s, p in pages.items() if s == sheet or s.startswith(sheet + " ")][-1]  # The latest.
        path = out / name
        (spans(page, columns, height) if columns else crop(page, width, height)).save(path, optimize=True)
        written.append(path)
    return written


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="Folder of the PNG files.")
    parser.add_argument("--as-of", default="2026-11-23", help="The demo's second run (YYYY-MM-DD).")
    parser.add_argument("--work", type=Path, default=None, help="Scratch folder (default: a temporary one).")
    args = parser.parse_args(argv)
    as_of = dt.datetime.fromisoformat(args.as_of).replace(hour=9)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for path in screenshots(args.out, args.work or Path(tmp), as_of):
            print(path)


if __name__ == "__main__":
    main()

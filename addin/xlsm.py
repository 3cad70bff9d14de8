"""The Rescore button workbook: a macro-enabled Lead Score template on xlwings' standalone quickstart.

`leadscore new BOOK.xlsm --button` builds the usual template (workbook/template.py)
and, through its finish hook, adds:

* the VBA project of the installed xlwings package's `quickstart_standalone.xlsm`,
  taken from that file at run time and not changed: its Module1 holds the macro
  SampleCall (`RunPython "import <book name>; <book name>.main()"`) and the
  standalone xlwings module holds RunPython itself, so no xlwings add-in is needed;
* VBA code names matching that project: the workbook is ThisWorkbook, Leads is
  Sheet1 and the settings sheet Sheet2, as in the quickstart; the other sheets follow;
* form buttons Rescore, Tasks and Report on the Leads sheet's header row (frozen, so
  they stay in view), all calling SampleCall; addin/button.py tells them apart;
* the quickstart's settings sheet `_xlwings.conf` (interpreter, PYTHONPATH, conda,
  UDF modules, ...), inactive until renamed to `xlwings.conf`.

Next to the workbook goes the companion Python file `<book name>.py`, laid out as
`xlwings quickstart --standalone` lays it out: main() for RunPython and a
`__main__` block that runs it from an editor against the open workbook.
Nothing is downloaded: everything comes from installed packages.
"""
from __future__ import annotations

import io
import keyword
import sys
import zipfile
from pathlib import Path

from workbook.layout import LEADS_SHEET

QUICKSTART = "quickstart_standalone.xlsm"
VBA_PART = "xl/vbaProject.bin"
MACRO = "SampleCall"  # Module1 of the quickstart: RunPython "import <book>; <book>.main()".
CONF_SHEET = "_xlwings.conf"  # Active once renamed to "xlwings.conf", as the quickstart says.
UDF_MODULES = "addin.udfs"  # Filled in on the settings sheet, for "Import Functions".
CAPTIONS = {"en": ("Rescore", "Tasks", "Report"), "it": ("Ricalcola", "Attività", "Report")}
HEADER_HEIGHT = 42  # Points: room for the buttons above the header text (cells align at the bottom).
BUTTON_HEIGHT = 22  # Pixels.
BUTTON_WIDTHS = (80, 60, 60)  # Pixels; together they fit over the frozen columns A:B.
# Names the companion module must not take: ours, and what it imports.
TAKEN = {"addin", "scoring", "workbook", "xlwings", "pandas", "numpy", "openpyxl", "xlsxwriter"}


def quickstart_file() -> Path:
    """The installed xlwings package's standalone quickstart workbook."""
    import xlwings

    path = Path(xlwings.__file__).resolve().parent / QUICKSTART
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: the installed xlwings package has no standalone "
                                "quickstart workbook; reinstall xlwings (pip install --force-reinstall xlwings)")
    return path


def vba_project() -> bytes:
    """xl/vbaProject.bin of the quickstart: ThisWorkbook, Sheet1, Sheet2, Module1 and xlwings."""
    with zipfile.ZipFile(quickstart_file()) as zf:
        return zf.read(VBA_PART)


def settings_rows() -> list[list]:
    """The quickstart's _xlwings.conf cells as rows of values (A1 onwards), UDF Modules filled in."""
    import openpyxl

    wb = openpyxl.load_workbook(quickstart_file(), read_only=True)
    try:
        rows = [list(r) for r in wb[CONF_SHEET].iter_rows(values_only=True)]
    finally:
        wb.close()
    for row in rows:
        if row and row[0] == "UDF Modules" and len(row) > 1 and row[1] in (None, ""):
            row[1] = UDF_MODULES
    return rows


def module_problem(stem: str) -> str | None:
    """Why a book name cannot be the companion module's name (RunPython imports it), or None."""
    if not stem.isidentifier() or keyword.iskeyword(stem):
        return (f"{stem!r} cannot be a Python module name, and the Rescore button imports the "
                f"companion file {stem}.py by the book's name: use only letters, digits and "
                "underscores, not starting with a digit (e.g. Leads_2026.xlsm)")
    if stem.casefold() in TAKEN or stem in sys.stdlib_module_names:
        return (f"{stem!r} is already the name of a Python module, which the companion file "
                f"{stem}.py next to the book would hide: choose another name")
    return None


def companion_source(book_name: str) -> str:
    """The Python file next to the workbook that RunPython imports: main() runs the pressed button."""
    return f'''"""The Python behind the buttons of {book_name}: Rescore, Tasks and Report.

The buttons run the macro SampleCall of xlwings' standalone VBA, which runs
`import {Path(book_name).stem}; {Path(book_name).stem}.main()` with this folder on the Python path. Keep this
file next to the workbook, with the same name. Lead Score must be installed in the
Python that xlwings starts (pip install leadscore-excel, or from its folder: pip install .);
see the Interpreter and PYTHONPATH settings on the sheet _xlwings.conf.

Rescore runs rescore, then tasks, then report. On Windows, Tasks and Report run
just their part; where Excel cannot say which button was pressed, any button
runs all three. Generated by `leadscore new --button`; safe to edit.
"""
import xlwings as xw

from addin import button


def main():
    button.run(xw.Book.caller())


if __name__ == "__main__":
    xw.Book("{book_name}").set_mock_caller()
    main()
'''


def finish(wb, language: str) -> None:
    """template.build's finish hook: VBA project, code names, Leads buttons, settings sheet."""
    wb.add_vba_project(io.BytesIO(vba_project()), is_stream=True)
    wb.set_vba_name("ThisWorkbook")
    conf = wb.add_worksheet(CONF_SHEET)
    bold = wb.add_format({"bold": True})
    for r, row in enumerate(settings_rows()):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, bool):
                conf.write_boolean(r, c, value)
            elif isinstance(value, (int, float)):
                conf.write_number(r, c, value)
            else:
                conf.write_string(r, c, str(value), bold if value == "Instructions:" else None)
    conf.set_column(0, 0, 16)
    conf.set_column(1, 1, 14)
    # Leads and the settings sheet take the code names the quickstart's VBA has modules for.
    numbers = iter(range(3, 100))
    for ws in wb.worksheets():
        ws.set_vba_name({LEADS_SHEET: "Sheet1", CONF_SHEET: "Sheet2"}.get(ws.get_name())
                        or f"Sheet{next(numbers)}")
    leads = wb.get_worksheet_by_name(LEADS_SHEET)
    leads.set_row(0, HEADER_HEIGHT)
    x = 4
    for caption, width in zip(CAPTIONS.get(language, CAPTIONS["en"]), BUTTON_WIDTHS):
        leads.insert_button(0, 0, {"macro": MACRO, "caption": caption, "width": width,
                                   "height": BUTTON_HEIGHT, "x_offset": x, "y_offset": 3,
                                   "description": f"Lead Score: {caption}"})
        x += width + 4


def new_button_workbook(path, language="en", profile="b2b", sample=0, seed=0, as_of=None,
                        formulas="values") -> Path:
    """Write the .xlsm to path and its companion .py beside it; returns the .py path.

    Both are written atomically; the caller checks names and existing files first.
    """
    from workbook import template
    from workbook.safety import atomic_save

    path = Path(path)
    companion = path.with_suffix(".py")
    atomic_save(lambda tmp: template.new_workbook(tmp, language=language, profile=profile, sample=sample,
                                                  seed=seed, as_of=as_of, formulas=formulas, finish=finish),
                path)
    atomic_save(lambda tmp: Path(tmp).write_text(companion_source(path.name), encoding="utf-8"), companion)
    return companion

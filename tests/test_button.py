"""The Rescore button workbook: `leadscore new BOOK.xlsm --button`.

What is checked without Excel: the package holds the quickstart's VBA project
and olevba finds the macro the buttons call (and RunPython in it); the buttons'
VML names that macro, and LibreOffice binds its buttons to the same macro; code
names match the VBA project's document modules; the settings sheet is the
quickstart's; the companion .py compiles and its main() runs the workflow of the
pressed button; openpyxl and LibreOffice open the file; rescoring it keeps the
macros and buttons, and refuses what Excel could not open.
"""
from __future__ import annotations

import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import types
import warnings
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import olefile
import openpyxl
import pytest
from click.testing import CliRunner

with warnings.catch_warnings():  # oletools uses pyparsing names that pyparsing 3 deprecates.
    warnings.simplefilter("ignore")
    from oletools.olevba import VBA_Parser

import xlstub
from addin import button, macros, xlsm
from addin.cli import cli
from workbook.safety import lost_parts
from workbooks import AS_OF, leads_outputs, sha256

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CAPTIONS = ["Rescore", "Tasks", "Report"]


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output, result.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A button workbook with sample leads, built once through the command line."""
    book = tmp_path_factory.mktemp("button") / "Leads_2026.xlsm"
    code, out, err = run("new", book, "--button", "--sample", 25, "--seed", 2)
    assert code == 0, err
    assert out == (f"Created {book} (b2b, en, 25 sample leads).\n"
                   f"Created {book.with_suffix('.py')}: RunPython imports it, so keep it next to the "
                   "workbook. Open the workbook in Excel, enable macros and press Rescore.\n")
    return book


def fresh(built, tmp_path, name="Leads_2026"):
    """A private copy of the built workbook and its companion file."""
    book = tmp_path / f"{name}.xlsm"
    shutil.copy(built, book)
    shutil.copy(built.with_suffix(".py"), book.with_suffix(".py"))
    return book


def part(book, name) -> bytes:
    with zipfile.ZipFile(book) as zf:
        return zf.read(name)


def sheet_parts(book) -> dict[str, str]:
    """Sheet name -> its worksheet part."""
    rels = {r.get("Id"): "xl/" + r.get("Target").lstrip("/").removeprefix("xl/")
            for r in ET.fromstring(part(book, "xl/_rels/workbook.xml.rels")).iter(f"{REL}Relationship")}
    names = {}
    for s in ET.fromstring(part(book, "xl/workbook.xml")).iter(f"{MAIN}sheet"):
        names[s.get("name")] = rels[s.get("{http://schemas.openxmlformats.org/officeDocument/2006/"
                                          "relationships}id")]
    return names


def code_names(book) -> dict[str, str]:
    """Sheet name (and '(workbook)') -> VBA code name."""
    found = {"(workbook)": ET.fromstring(part(book, "xl/workbook.xml")).find(f"{MAIN}workbookPr").get("codeName")}
    for name, sheet in sheet_parts(book).items():
        pr = ET.fromstring(part(book, sheet)).find(f"{MAIN}sheetPr")
        found[name] = None if pr is None else pr.get("codeName")
    return found


def vml_of(book, sheet="Leads") -> str:
    sheet_part = sheet_parts(book)[sheet]
    folder, base = sheet_part.rsplit("/", 1)
    rels = ET.fromstring(part(book, f"{folder}/_rels/{base}.rels"))
    target = next(r.get("Target") for r in rels.iter(f"{REL}Relationship") if r.get("Type").endswith("/vmlDrawing"))
    target = target.lstrip("/") if target.startswith("/") else os.path.normpath(f"{folder}/{target}")
    return part(book, target).decode("utf-8")


def buttons_in(vml: str) -> list[tuple[str, str]]:
    """(caption, macro) of each form button in a VML drawing."""
    shapes = re.findall(r"<v:shape\b.*?</v:shape>", vml, re.S)
    found = []
    for shape in shapes:
        if 'ObjectType="Button"' in shape:
            caption = re.sub(r"<[^>]+>", "", re.search(r"<v:textbox.*?</v:textbox>", shape, re.S).group(0))
            found.append((caption, re.search(r"<x:FmlaMacro>(.*?)</x:FmlaMacro>", shape).group(1)))
    return found


# --- the package -------------------------------------------------------------------------------

def test_the_book_holds_the_quickstart_vba_project(built):
    assert part(built, "xl/vbaProject.bin") == xlsm.vba_project()
    with zipfile.ZipFile(xlsm.quickstart_file()) as zf:
        assert part(built, "xl/vbaProject.bin") == zf.read("xl/vbaProject.bin")
    types_xml = part(built, "[Content_Types].xml").decode()
    assert '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/>' \
        in types_xml
    assert 'ContentType="application/vnd.ms-office.vbaProject"' in types_xml
    rels = part(built, "xl/_rels/workbook.xml.rels").decode()
    assert 'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"' in rels


def test_olevba_finds_the_macro_the_buttons_call_and_runpython_in_it(built):
    parser = VBA_Parser(str(built))
    try:
        assert parser.detect_vba_macros()
        modules = {name: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()
    macro = re.search(r"Sub SampleCall\(\).*?End Sub", modules["Module1.bas"], re.S).group(0)
    assert 'RunPython "import " & mymodule & ";" & mymodule & ".main()"' in macro
    assert "ThisWorkbook.Name" in macro  # The module is the book's name without its extension.
    assert "Public Function RunPython(PythonCommand As String)" in modules["xlwings.bas"]


def test_the_leads_buttons_call_that_macro(built):
    assert buttons_in(vml_of(built)) == [(c, f"[0]!{xlsm.MACRO}") for c in CAPTIONS]
    assert xlsm.MACRO == "SampleCall"
    # The header row is tall enough for the buttons above the header text, and frozen.
    leads = part(built, sheet_parts(built)["Leads"]).decode()
    assert '<row r="1" spans' in leads and 'ht="42" customHeight="1"' in leads
    assert 'ySplit="1"' in leads


def test_code_names_match_the_document_modules_of_the_vba_project(built):
    names = code_names(built)
    assert names == {"(workbook)": "ThisWorkbook", "Leads": "Sheet1", "_xlwings.conf": "Sheet2",
                     "LeadScore": "Sheet3", "Start here": "Sheet4"}
    ole = olefile.OleFileIO(io.BytesIO(part(built, "xl/vbaProject.bin")))
    project = ole.openstream("PROJECT").read().decode("latin-1")
    documents = set(re.findall(r"^Document=(\w+)/", project, re.M))
    assert documents == {"ThisWorkbook", "Sheet1", "Sheet2"}
    assert documents <= set(names.values())
    assert len(set(names.values())) == len(names)


def test_the_settings_sheet_is_the_quickstarts(built):
    wb = openpyxl.load_workbook(built, keep_vba=True)
    assert wb.sheetnames == ["Start here", "Leads", "LeadScore", "_xlwings.conf"]
    ws = wb["_xlwings.conf"]
    settings = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, 10)}
    assert settings == {"Interpreter_Win": "python", "Interpreter_Mac": None, "PYTHONPATH": None,
                        "Conda Path": None, "Conda Env": None, "UDF Modules": "addin.udfs",
                        "Debug UDFs": False, "Use UDF Server": False, "Show Console": False}
    notes = [ws.cell(r, 1).value for r in range(13, 18)]
    assert notes[0] == "Instructions:"
    assert any('Rename this sheet to "xlwings.conf"' in n for n in notes[1:])
    quick = openpyxl.load_workbook(xlsm.quickstart_file())["_xlwings.conf"]
    assert [quick.cell(r, 1).value for r in range(1, 18)] == [ws.cell(r, 1).value for r in range(1, 18)]


def test_openpyxl_reads_the_workbook_and_its_leads(built):
    rows = leads_outputs(built)
    assert len(rows) == 25 and all(r["Rating"] for r in rows)


# --- the companion file ------------------------------------------------------------------------

def test_the_companion_file_compiles_and_is_laid_out_like_the_quickstarts(built):
    source = built.with_suffix(".py").read_text(encoding="utf-8")
    compile(source, str(built.with_suffix(".py")), "exec")
    assert "def main():\n    button.run(xw.Book.caller())\n" in source
    assert 'if __name__ == "__main__":\n    xw.Book("Leads_2026.xlsm").set_mock_caller()\n    main()\n' in source
    assert "import Leads_2026; Leads_2026.main()" in source


def _fake_xlwings(book):
    """A module standing in for xlwings whose Book.caller() is the given stand-in book."""
    fake = types.ModuleType("xlwings")
    fake.Book = type("Book", (), {"caller": staticmethod(lambda: book)})
    return fake


def _import_companion(path, monkeypatch, book):
    monkeypatch.setitem(sys.modules, "xlwings", _fake_xlwings(book))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Api:
    """Just enough of Excel's Application (COM) for button.pressed: Caller and the active sheet."""

    def __init__(self, caller, captions):
        self.Caller = caller
        self.ActiveSheet = types.SimpleNamespace(Shapes=lambda name: types.SimpleNamespace(
            TextFrame=types.SimpleNamespace(Characters=lambda: types.SimpleNamespace(Text=captions[name]))))


def test_main_runs_everything_when_excel_cannot_say_which_button(built, tmp_path, monkeypatch):
    book = fresh(built, tmp_path)
    stand_in = xlstub.from_file(book)
    module = _import_companion(book.with_suffix(".py"), monkeypatch, stand_in)
    module.main()
    titles = [s.name for s in stand_in.sheets]
    assert "Report" in titles and any(t.startswith("Tasks ") for t in titles)
    assert stand_in.app.alerts and stand_in.app.alerts[0][0] == macros.TITLE


@pytest.mark.parametrize("caption, wanted", [("Tasks", "tasks"), ("Report", "report"), ("Rescore", "run_all"),
                                             ("Attività", "tasks"), ("Ricalcola", "run_all"), ("Other", "run_all")])
def test_on_windows_the_pressed_buttons_caption_picks_the_workflow(caption, wanted):
    book = types.SimpleNamespace(app=types.SimpleNamespace(api=_Api("Button 2", {"Button 2": caption})))
    assert button.pressed(book) == caption
    assert button.action_for(button.pressed(book)) == wanted


def test_tasks_button_writes_tasks_but_no_report(built, tmp_path, monkeypatch):
    book = fresh(built, tmp_path)
    stand_in = xlstub.from_file(book)
    stand_in.app.api = _Api("Button 2", {"Button 2": "Tasks"})
    module = _import_companion(book.with_suffix(".py"), monkeypatch, stand_in)
    module.main()
    titles = [s.name for s in stand_in.sheets]
    assert "Report" not in titles and any(t.startswith("Tasks ") for t in titles)


@pytest.mark.parametrize("api", [None, types.SimpleNamespace(Caller=-2146826265)])
def test_no_caller_means_no_caption(api):
    """Not on Windows (no COM api), or the macro was not started by a shape (Error 2023)."""
    app = types.SimpleNamespace() if api is None else types.SimpleNamespace(api=api)
    assert button.pressed(types.SimpleNamespace(app=app)) is None


# --- the command line --------------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (("x.xlsm",), "Error: Invalid value for BOOK: 'x.xlsm': a .xlsm workbook is built with --button "
                  "(the Rescore button); without it, name it .xlsx"),
    (("x.xlsx", "--button"), "Error: Invalid value for BOOK: 'x.xlsx' must end in .xlsm with --button "
                             "(a macro-enabled workbook)"),
    (("2026-leads.xlsm", "--button"), "Error: Invalid value for BOOK: '2026-leads' cannot be a Python module "
     "name, and the Rescore button imports the companion file 2026-leads.py by the book's name: use only "
     "letters, digits and underscores, not starting with a digit (e.g. Leads_2026.xlsm)"),
    (("json.xlsm", "--button"), "Error: Invalid value for BOOK: 'json' is already the name of a Python module, "
     "which the companion file json.py next to the book would hide: choose another name"),
    (("addin.xlsm", "--button"), "Error: Invalid value for BOOK: 'addin' is already the name of a Python "
     "module, which the companion file addin.py next to the book would hide: choose another name"),
])
def test_new_explains_bad_names(tmp_path, args, message):
    code, _, err = run("new", tmp_path / args[0], *args[1:])
    assert code == 2
    assert err.strip().splitlines()[-1] == message
    assert list(tmp_path.iterdir()) == []


def test_new_refuses_to_replace_a_companion_file(tmp_path):
    companion = tmp_path / "Leads.py"
    companion.write_text("# mine\n")
    code, _, err = run("new", tmp_path / "Leads.xlsm", "--button")
    assert (code, err) == (1, f"Error: {companion} already exists; choose another name or pass --force to "
                              "replace it\n")
    assert companion.read_text() == "# mine\n" and not (tmp_path / "Leads.xlsm").exists()
    assert run("new", tmp_path / "Leads.xlsm", "--button", "--force")[0] == 0
    assert "def main():" in companion.read_text()


def test_an_italian_book_has_italian_captions(tmp_path):
    book = tmp_path / "Contatti.xlsm"
    code, out, _ = run("new", book, "--button", "--lang", "it")
    assert code == 0 and out.endswith("enable macros and press Ricalcola.\n")
    assert [c for c, _ in buttons_in(vml_of(book))] == ["Ricalcola", "Attività", "Report"]
    assert {button.action_for(c) for c, _ in buttons_in(vml_of(book))} == {"run_all", "tasks", "report"}


# --- rescoring the button workbook -------------------------------------------------------------

def test_rescore_in_place_keeps_the_macros_buttons_and_code_names(built, tmp_path):
    book = fresh(built, tmp_path)
    vba, vml, names = part(book, "xl/vbaProject.bin"), vml_of(book), code_names(book)
    original = tmp_path / "original.xlsm"
    shutil.copy(book, original)
    code, out, err = run("rescore", book, "--as-of", AS_OF.isoformat(), "--tasks", "--report")
    assert code == 0, err
    assert "(written in place)" in out and "Note:" not in err
    assert part(book, "xl/vbaProject.bin") == vba
    assert vml_of(book) == vml  # openpyxl, asked to keep the VBA, keeps the legacy drawing too.
    after = code_names(book)
    assert {k: v for k, v in after.items() if k in names} == names
    assert lost_parts(original, book) == []
    assert part(book, "[Content_Types].xml").count(b"macroEnabled.main+xml") == 1


def test_rescore_out_to_xlsm_keeps_them_too(built, tmp_path):
    book = fresh(built, tmp_path)
    copy = tmp_path / "copy.xlsm"
    code, _, err = run("rescore", book, "--out", copy)
    assert code == 0 and "Note:" not in err
    assert part(copy, "xl/vbaProject.bin") == part(book, "xl/vbaProject.bin")
    assert buttons_in(vml_of(copy)) == [(c, "[0]!SampleCall") for c in CAPTIONS]


def test_rescore_refuses_a_copy_excel_could_not_open(built, tmp_path):
    book = fresh(built, tmp_path)
    before = sha256(book)
    code, _, err = run("rescore", book, "--out", tmp_path / "copy.xlsx")
    assert (code, err) == (1, "Error: copy.xlsx: the workbook holds macros (VBA), which a .xlsx file cannot "
                              "hold (Excel would not open it); write to copy.xlsm instead\n")
    assert not (tmp_path / "copy.xlsx").exists() and sha256(book) == before
    plain = tmp_path / "plain.xlsx"
    assert run("new", plain)[0] == 0
    code, _, err = run("rescore", plain, "--out", tmp_path / "plain.xlsm")
    assert (code, err) == (1, "Error: plain.xlsm: the workbook has no macros, so Excel would not open it as "
                              ".xlsm; write to plain.xlsx instead\n")
    assert not (tmp_path / "plain.xlsm").exists()


def _saved_as_xlsx(xlsm_path: Path, target: Path) -> Path:
    """What Excel's Save As .xlsx makes of the button book: no VBA project, the buttons stay."""
    with zipfile.ZipFile(xlsm_path) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename == "xl/vbaProject.bin":
                continue
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = re.sub(rb'<Override PartName="/xl/vbaProject.bin"[^>]*/>', b"", data)
                data = data.replace(b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = re.sub(rb'<Relationship [^>]*vbaProject[^>]*/>', b"", data)
            dst.writestr(item, data)
    return target


def test_rescore_in_place_keeps_the_buttons_of_a_book_saved_as_xlsx(built, tmp_path):
    # openpyxl would have dropped the VML drawing with the buttons (a refusal before issue 11);
    # the package backend copies it, and every part but the ones we own, byte for byte.
    book = _saved_as_xlsx(built, tmp_path / "saved.xlsx")
    original = shutil.copy(book, tmp_path / "original.xlsx")
    with zipfile.ZipFile(book) as zf:
        before = {i.filename: zf.read(i) for i in zf.infolist()}
    code, _, err = run("rescore", book)
    assert code == 0, err
    assert "lacks" not in err
    with zipfile.ZipFile(book) as zf:
        after = {i.filename: zf.read(i) for i in zf.infolist()}
    assert list(after)[:len(before)] == list(before)
    assert after["xl/drawings/vmlDrawing1.vml"] == before["xl/drawings/vmlDrawing1.vml"]
    ours = {"xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
            "docProps/app.xml", "xl/styles.xml", "xl/tables/table1.xml"}
    assert {n for n in before if before[n] != after[n]} <= ours
    assert lost_parts(original, book) == []


# --- LibreOffice -------------------------------------------------------------------------------

@pytest.mark.skipif(SOFFICE is None and not os.environ.get("CI"), reason="LibreOffice (soffice) is not installed")
@pytest.mark.slow
def test_libreoffice_opens_it_and_binds_the_buttons_to_the_macro(built, tmp_path):
    assert SOFFICE, "CI must have LibreOffice: .ci/run installs libreoffice-calc-nogui"
    out = tmp_path / "out"
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless", "--convert-to", "ods",
         "--outdir", str(out), str(built)], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    ods = out / "Leads_2026.ods"
    content = part(ods, "content.xml").decode("utf-8")
    labels = re.findall(r'<form:button [^>]*form:label="([^"]+)"', content)
    assert labels == CAPTIONS
    targets = re.findall(r'script:event-name="form:performaction" xlink:href="([^"]+)"', content)
    assert targets == ["vnd.sun.star.script:VBAProject.Module1.SampleCall?language=Basic&amp;location=document"] * 3
    assert "RunPython" in part(ods, "Basic/VBAProject/Module1.xml").decode("utf-8")
    assert "table:name=\"Leads\"" in content and "table:name=\"_xlwings.conf\"" in content

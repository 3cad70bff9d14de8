"""`leadscore lite BOOK`: Lead Score's Python stored in the workbook the way xlwings Lite keeps it.

Checked here: the parts, relationships and content types have the layout of
workbooks saved by xlwings Lite; main.py and requirements.txt parse back (XML,
then JSON) to exactly what was embedded, and the bundle inside main.py is our
source byte for byte; the embedded main.py imports and its scripts and functions
run in plain CPython, against a recording stand-in of the xlwings Book, with no
access to this repository and no way to load the command line's extra packages;
the book still opens in openpyxl and LibreOffice; rescore refuses to drop the
parts in place; a second run replaces, never duplicates; failures change nothing.
"""
from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from addin import lite, udf_core
from addin.cli import cli
from workbook import workflow
from workbook.errors import WrongFileType
from test_events_sheet import B_LEAD, CLICK, DAY0, OTHER, WEBINAR, book_with, export
from test_udf_events import ROWS as EVENT_ROWS
from workbooks import AS_OF, known_book, known_leads, leads_outputs, sha256

ROOT = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
REFERENCE = '<we:reference id="wa200008175" version="1.0.0.0" store="en-US" storeType="OMEX"/>'
TASKPANES_REL = "http://schemas.microsoft.com/office/2011/relationships/webextensiontaskpanes"
WE_NS = "{http://schemas.microsoft.com/office/webextensions/webextension/2010/11}"
REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output, result.stderr


def part(book, name) -> bytes:
    with zipfile.ZipFile(book) as zf:
        return zf.read(name)


def names(book) -> list[str]:
    with zipfile.ZipFile(book) as zf:
        return zf.namelist()


@pytest.fixture(scope="module")
def lite_book(tmp_path_factory):
    """A template with the known leads, with Lead Score for xlwings Lite stored in it."""
    book = known_book(tmp_path_factory.mktemp("lite") / "Leads.xlsx")
    code, out, err = run("lite", book)
    assert code == 0, err
    return book


def fresh(src, tmp_path, name="book.xlsx"):
    copy = tmp_path / name
    shutil.copy(src, copy)
    return copy


# --- the parts ---------------------------------------------------------------------------------

def test_lite_has_help():
    code, out, _ = run("lite", "--help")
    assert code == 0 and out.startswith("Usage: cli lite [OPTIONS] BOOK")
    assert "--out FILE" in out


def test_the_command_says_what_it_stored(tmp_path):
    book = known_book(tmp_path / "Leads.xlsx")
    code, out, _ = run("lite", book)
    lines = len(lite.main_py().splitlines())
    assert (code, out) == (0, f"Stored Lead Score for xlwings Lite in {book}: main.py ({lines} lines) and "
                              "requirements.txt (xlwings, python-dotenv, pyodide-http, black, pandas, openpyxl, defusedxml, "
                              "disposable-email-domains, email-validator, phonenumbers, rapidfuzz).\n"
                              "Open it in Excel with the xlwings Lite add-in: run rescore, tasks, "
                              "report or run_all from its task pane, or type =LEADRATING(...) and the other LEAD "
                              "functions.\n")


def test_the_parts_relationships_and_content_types(lite_book):
    webext = part(lite_book, "xl/webextensions/webextension1.xml").decode("utf-8")
    assert REFERENCE in webext
    assert webext.count("<we:reference ") == 2  # The reference and its alternate, as Lite writes them.
    assert '<we:property name="main.py" value="&quot;' in webext
    assert '<we:property name="requirements.txt" value="&quot;' in webext
    package_rels = ET.fromstring(part(lite_book, "_rels/.rels"))
    panes = [r.get("Target") for r in package_rels.iter(f"{REL_NS}Relationship") if r.get("Type") == TASKPANES_REL]
    assert panes == ["xl/webextensions/taskpanes.xml"]
    pane_rels = ET.fromstring(part(lite_book, "xl/webextensions/_rels/taskpanes.xml.rels"))
    assert [(r.get("Type"), r.get("Target")) for r in pane_rels.iter(f"{REL_NS}Relationship")] == [
        ("http://schemas.microsoft.com/office/2011/relationships/webextension", "webextension1.xml")]
    rel_id = next(pane_rels.iter(f"{REL_NS}Relationship")).get("Id")
    taskpanes = part(lite_book, "xl/webextensions/taskpanes.xml").decode()
    assert f'r:id="{rel_id}"' in taskpanes and 'dockstate="right" visibility="1"' in taskpanes
    types_xml = part(lite_book, "[Content_Types].xml").decode()
    assert ('<Override PartName="/xl/webextensions/webextension1.xml" '
            'ContentType="application/vnd.ms-office.webextension+xml"/>') in types_xml
    assert ('<Override PartName="/xl/webextensions/taskpanes.xml" '
            'ContentType="application/vnd.ms-office.webextensiontaskpanes+xml"/>') in types_xml


def test_main_py_and_requirements_parse_back_exactly(lite_book):
    root = ET.fromstring(part(lite_book, "xl/webextensions/webextension1.xml"))
    stored = {p.get("name"): p.get("value") for p in root.iter(f"{WE_NS}property")}
    assert set(stored) == {"main.py", "requirements.txt"}
    main_py = json.loads(stored["main.py"])
    assert main_py == lite.main_py()
    assert json.loads(stored["requirements.txt"]) == lite.requirements_txt()
    assert lite.read_lite(lite_book) == {"main.py": main_py, "requirements.txt": lite.requirements_txt()}
    compile(main_py, "main.py", "exec")
    assert re.search(r"^from xlwings import arg, func, script$", main_py, re.M)


def test_requirements_list_what_pyodide_installs():
    lines = lite.requirements_txt().splitlines()
    assert lines[:4] == ["xlwings  # required", "python-dotenv  # required", "pyodide-http  # required",
                         "black  # required"]
    assert lines[4:] == ["pandas", "openpyxl", "defusedxml", "disposable-email-domains", "email-validator",
                         "phonenumbers", "rapidfuzz"]


def _bundle_of(main_py: str) -> bytes:
    encoded = re.search(r'^_BUNDLE = """\n(.*?)\n"""$', main_py, re.S | re.M).group(1)
    return base64.b64decode(encoded)


def test_the_bundle_is_our_source_byte_for_byte(lite_book):
    data = _bundle_of(lite.read_lite(lite_book)["main.py"])
    assert data == lite.bundle()  # Reproducible: the same sources give the same zip.
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        bundled = zf.namelist()
        assert all(zf.read(n) == (ROOT / n).read_bytes() for n in bundled)
    assert {"addin/macros.py", "addin/udf_core.py", "addin/udf_events.py", "workbook/xlbook.py",
            "workbook/workflow.py", "workbook/xlreport.py", "scoring/engine.py", "scoring/tasks.py", "scoring/report.py"} <= set(bundled)
    assert not {"addin/cli.py", "addin/udfs.py", "addin/lite.py", "workbook/template.py",
                "scoring/sample.py"} & set(bundled)
    assert all(n.endswith(".py") for n in bundled)


# --- running the embedded code -----------------------------------------------------------------

RUNNER = r'''
import importlib.abc, importlib.machinery, importlib.util, json, os, sys, threading

repo, tests, main_path, book_path = sys.argv[1:5]
PACKAGES = ("scoring", "workbook", "addin")
BLOCKED = ("click", "icalendar", "PIL", "xlsxwriter")  # Not in requirements.txt: the bundle must not need them.


def bundle_zips():
    return [p for p in sys.path if os.path.basename(str(p)).startswith("leadscore-") and str(p).endswith(".zip")]


class OnlyTheBundle(importlib.abc.MetaPathFinder):
    """Our packages load from the bundle zip or not at all; the CLI's extras not at all."""

    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top in BLOCKED:
            raise ModuleNotFoundError(f"{name} is blocked in this test")
        if top not in PACKAGES:
            return None
        zips = bundle_zips()
        where = zips if path is None else [p for p in path if any(str(p).startswith(z) for z in zips)]
        spec = importlib.machinery.PathFinder.find_spec(name, where)
        if spec is None:
            raise ModuleNotFoundError(f"{name} is not in the bundle")
        return spec


sys.meta_path.insert(0, OnlyTheBundle())
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.getcwd()) != repo]
try:
    import scoring  # noqa: F401
    raise SystemExit("scoring was importable before main.py ran")
except ModuleNotFoundError:
    pass
sys.path.append(tests)  # For the recording stand-in of xlwings (xlstub), which needs only openpyxl.
import xlstub

spec = importlib.util.spec_from_file_location("main", main_path)
main = importlib.util.module_from_spec(spec)
sys.modules["main"] = main
spec.loader.exec_module(main)

from addin import udf_core
import workbook.xlreport, workbook.report_sheet, scoring.tasks, scoring.report  # noqa: E401,F401

result = {"zips": bundle_zips()}
result["files"] = sorted({m.__file__.split(".zip", 1)[0] + ".zip" for n, m in sys.modules.items()
                          if n.partition(".")[0] in PACKAGES and getattr(m, "__file__", None)})
book = xlstub.from_file(book_path, lite=True)
import contextlib, io
out = io.StringIO()
with contextlib.redirect_stdout(out):
    main.run_all(book)
result["printed"] = out.getvalue()
result["sheets"] = [s.name for s in book.sheets]
leads = book.sheets["Leads"]
rows = leads.value_rows()
header = rows[0]
result["ratings"] = [r[header.index("Rating")] for r in rows[1:]]
# One function call over the whole table (the fast path) and one for a single row.
model = book.sheets["LeadScore"].value_rows(1, 1, 500, 89)  # LeadScoreModel: A1:CK500.
inputs = header[:header.index("Fit")]
table = [r[:len(inputs)] for r in rows[1:]]
# A book with rules over events passes the Events table (with its headers) and the time to count as of.
extra = (book.sheets["Events"].value_rows(), sys.argv[5]) if len(sys.argv) > 5 else ()
result["column"] = main.LEADRATING(table, [inputs], model, *extra)
result["one"] = main.LEADGRADE([table[0]], [inputs], model, *extra)
result["threads"] = threading.active_count()
print("RESULT " + json.dumps(result, default=str))
'''


def _run_embedded(book: Path, tmp_path: Path, *as_of: str) -> dict:
    main_py = lite.read_lite(book)["main.py"]
    main_path = tmp_path / "main.py"
    main_path.write_text(main_py, encoding="utf-8")
    runner = tmp_path / "runner.py"
    runner.write_text(RUNNER, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["TMPDIR"] = str(tmp_path)  # Where _install() writes the bundle zip.
    proc = subprocess.run([sys.executable, str(runner), str(ROOT), str(TESTS), str(main_path), str(book), *as_of],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


@pytest.mark.slow
def test_the_embedded_code_runs_from_its_bundle_alone(lite_book, tmp_path):
    result = _run_embedded(fresh(lite_book, tmp_path), tmp_path)
    assert len(result["zips"]) == 1 and result["files"] == result["zips"]
    assert Path(result["zips"][0]).parent == tmp_path and Path(result["zips"][0]).name.startswith("leadscore-")
    assert result["threads"] == 1  # Pyodide has no threads; nothing here started one.
    # The scripts did the workflow: the same ratings as the command line on the file.
    check = fresh(lite_book, tmp_path, "by-file.xlsx")
    workflow.run(check, out=tmp_path / "by-file-out.xlsx", as_of=AS_OF, steps=("rescore", "tasks", "report"))
    expected = [r["Rating"] for r in leads_outputs(tmp_path / "by-file-out.xlsx")]
    assert result["ratings"] == expected
    assert "Report" in result["sheets"] and any(s.startswith("Tasks ") for s in result["sheets"])
    assert result["printed"].startswith(f"{len(expected)} leads scored (")
    # The functions are thin wrappers over udf_core: a spilled column, and a single value.
    assert result["column"] == [[r] for r in expected]
    assert result["one"] == leads_outputs(tmp_path / "by-file-out.xlsx")[0]["Grade"]


@pytest.mark.slow
def test_the_embedded_functions_count_the_rules_over_events(tmp_path):
    book = book_with(tmp_path / "Leads.xlsx", [WEBINAR, CLICK], [B_LEAD, OTHER])
    assert run("import", book, export(tmp_path / "a.csv", EVENT_ROWS), "--events", "--as-of", DAY0.isoformat())[0] == 0
    written = leads_outputs(book)  # As the import's rescore wrote them, as of DAY0.
    assert [(w["Rating"], w["Behaviour"]) for w in written] == [("B48", 13), ("D3", 3)]
    assert run("lite", book)[0] == 0
    result = _run_embedded(book, tmp_path, DAY0.isoformat())
    assert result["column"] == [[w["Rating"]] for w in written]
    assert result["one"] == written[0]["Grade"]


def test_main_py_defines_the_scripts_and_functions():
    source = lite.main_py()
    scripts = re.findall(r"^@script\ndef (\w+)\(book: xw\.Book\):", source, re.M)
    assert scripts == ["rescore", "tasks", "report", "run_all", "calibrate", "calibrate_apply"]
    functions = re.findall(r"^@func\n(?:@arg\(.*\)\n)+def (LEAD\w+)\(leads, headers, model, events=None, as_of=None\):",
                           source, re.M)
    assert sorted(functions) == sorted("LEAD" + n for n in udf_core.NAMES)
    assert "import threading" not in source


# --- other programs ----------------------------------------------------------------------------

def test_openpyxl_still_opens_it(lite_book):
    assert len(leads_outputs(lite_book)) == len(known_leads())


@pytest.mark.skipif(SOFFICE is None and not os.environ.get("CI"), reason="LibreOffice (soffice) is not installed")
@pytest.mark.slow
def test_libreoffice_still_opens_it(lite_book, tmp_path):
    assert SOFFICE, "CI must have LibreOffice: .ci/run installs libreoffice-calc-nogui"
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", "--outdir",
         str(tmp_path / "out"), str(lite_book)], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "out" / "Leads-Leads.csv").read_text(encoding="utf-8")  # Every sheet: the guide is first.
    assert text.splitlines()[0].startswith("Lead ID,")


# --- rescore, and running lite again -----------------------------------------------------------

def test_rescore_in_place_keeps_the_lite_code(lite_book, tmp_path):
    # The webextension parts are not ours: the package backend copies them byte for byte.
    book = fresh(lite_book, tmp_path)
    code_before = lite.read_lite(book)
    webext = [n for n in names(book) if n.startswith("xl/webextensions/")]
    before = {n: part(book, n) for n in webext}
    code, _, err = run("rescore", book)
    assert code == 0, err
    assert "lacks" not in err
    assert webext and {n: part(book, n) for n in webext} == before
    assert lite.read_lite(book) == code_before
    copy = tmp_path / "copy.xlsx"
    code, _, err = run("rescore", book, "--out", copy)
    assert code == 0 and "lacks" not in err
    assert lite.read_lite(copy) == code_before


def test_running_lite_again_replaces_and_never_duplicates(lite_book, tmp_path):
    book = fresh(lite_book, tmp_path)
    before = sha256(book)
    assert run("lite", book)[0] == 0
    assert sha256(book) == before  # Nothing to change: byte for byte the same package.
    webext = [n for n in names(book) if n.startswith("xl/webextensions/webextension")]
    assert webext == ["xl/webextensions/webextension1.xml"]
    types_xml = part(book, "[Content_Types].xml").decode()
    assert types_xml.count("webextension1.xml") == 1 and types_xml.count("taskpanes.xml") == 1
    assert part(book, "_rels/.rels").decode().count(TASKPANES_REL) == 1
    assert part(book, "xl/webextensions/taskpanes.xml").decode().count("<wetp:taskpane ") == 1


def _with_other_parts(book: Path) -> Path:
    """The book as Lite and another add-in would have saved it: an older main.py, Lite's own
    properties (escaped slashes and all), and a second add-in's task pane."""
    old_main = json.dumps("import xlwings as xw\nprint('old / code')\n").replace("/", "\\/")
    lite_xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<we:webextension xmlns:we="http://schemas.microsoft.com/office/webextensions/webextension/2010/11" '
                'id="{DEF15F1F-8550-4167-ADEB-CF61B4F11547}"><we:reference id="wa200008175" version="1.0.0.0" '
                'store="en-IN" storeType="OMEX"/><we:alternateReferences><we:reference id="WA200008175" '
                'version="1.0.0.0" store="WA200008175" storeType="OMEX"/></we:alternateReferences><we:properties>'
                f'<we:property name="main.py" value="{old_main.replace(chr(34), "&quot;")}"/>'
                '<we:property name="pyodideVersion" value="&quot;0.27.5&quot;"/>'
                '<we:property name="addinVersion" value="&quot;1.0.0.0-18&quot;"/></we:properties><we:bindings/>'
                '<we:snapshot xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/>'
                '</we:webextension>')
    other_xml = lite_xml.replace("wa200008175", "wa104381504").replace("WA200008175", "WA104381504") \
        .replace("DEF15F1F", "45D4ACA5")
    panes = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<wetp:taskpanes '
             'xmlns:wetp="http://schemas.microsoft.com/office/webextensions/taskpanes/2010/11">'
             + "".join(f'<wetp:taskpane dockstate="right" visibility="0" width="438" row="{row}"><wetp:webextensionref '
                       f'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId{row}"/>'
                       "</wetp:taskpane>" for row in (1, 2)) + "</wetp:taskpanes>")
    pane_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
                 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 '<Relationship Id="rId1" Type="http://schemas.microsoft.com/office/2011/relationships/webextension" '
                 'Target="webextension1.xml"/><Relationship Id="rId2" '
                 'Type="http://schemas.microsoft.com/office/2011/relationships/webextension" '
                 'Target="webextension2.xml"/></Relationships>')
    out = book.with_name("other.xlsx")
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b"".join(
                    f'<Override PartName="/xl/webextensions/{n}" ContentType="{t}"/>'.encode() for n, t in (
                        ("webextension1.xml", "application/vnd.ms-office.webextension+xml"),
                        ("webextension2.xml", "application/vnd.ms-office.webextension+xml"),
                        ("taskpanes.xml", "application/vnd.ms-office.webextensiontaskpanes+xml"))) + b"</Types>")
            if item.filename == "_rels/.rels":
                data = data.replace(b"</Relationships>", f'<Relationship Id="rId9" Type="{TASKPANES_REL}" '
                                    'Target="xl/webextensions/taskpanes.xml"/></Relationships>'.encode())
            dst.writestr(item, data)
        dst.writestr("xl/webextensions/webextension1.xml", other_xml)
        dst.writestr("xl/webextensions/webextension2.xml", lite_xml)
        dst.writestr("xl/webextensions/taskpanes.xml", panes)
        dst.writestr("xl/webextensions/_rels/taskpanes.xml.rels", pane_rels)
    return out


@pytest.mark.slow
def test_an_existing_lite_part_is_updated_and_other_add_ins_kept(tmp_path):
    book = _with_other_parts(known_book(tmp_path / "Leads.xlsx"))
    assert lite.read_lite(book)["main.py"] == "import xlwings as xw\nprint('old / code')\n"
    other = part(book, "xl/webextensions/webextension1.xml")
    assert run("lite", book)[0] == 0
    stored = lite.read_lite(book)
    assert stored == {"main.py": lite.main_py(), "pyodideVersion": "0.27.5", "addinVersion": "1.0.0.0-18",
                      "requirements.txt": lite.requirements_txt()}
    assert part(book, "xl/webextensions/webextension1.xml") == other
    assert sorted(n for n in names(book) if n.startswith("xl/webextensions/")) == [
        "xl/webextensions/_rels/taskpanes.xml.rels", "xl/webextensions/taskpanes.xml",
        "xl/webextensions/webextension1.xml", "xl/webextensions/webextension2.xml"]
    assert 'store="en-IN"' in part(book, "xl/webextensions/webextension2.xml").decode()


def test_a_new_lite_part_joins_another_add_ins_task_panes(tmp_path):
    book = _with_other_parts(known_book(tmp_path / "Leads.xlsx"))
    # Take Lite's part out, leaving only the other add-in.
    stripped = tmp_path / "stripped.xlsx"
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(stripped, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/webextensions/webextension2.xml":
                continue
            if item.filename == "xl/webextensions/taskpanes.xml":
                data = re.sub(rb'<wetp:taskpane [^>]*row="2">.*?</wetp:taskpane>', b"", data)
            if item.filename == "xl/webextensions/_rels/taskpanes.xml.rels":
                data = re.sub(rb'<Relationship Id="rId2"[^>]*/>', b"", data)
            if item.filename == "[Content_Types].xml":
                data = re.sub(rb'<Override PartName="/xl/webextensions/webextension2.xml"[^>]*/>', b"", data)
            dst.writestr(item, data)
    assert lite.read_lite(stripped) == {}
    assert run("lite", stripped)[0] == 0
    assert lite.read_lite(stripped)["main.py"] == lite.main_py()
    panes = part(stripped, "xl/webextensions/taskpanes.xml").decode()
    assert panes.count("<wetp:taskpane ") == 2
    assert "webextension2.xml" in part(stripped, "xl/webextensions/_rels/taskpanes.xml.rels").decode()
    assert part(stripped, "_rels/.rels").decode().count(TASKPANES_REL) == 1


# --- failures change nothing -------------------------------------------------------------------

def test_a_book_it_cannot_read_is_left_as_it_was(tmp_path):
    book = _with_other_parts(known_book(tmp_path / "Leads.xlsx"))
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/webextensions/webextension2.xml":
                data = data[:-20]  # Lite's part, cut short: no longer XML.
            dst.writestr(item, data)
    before = sha256(broken)
    code, _, err = run("lite", broken)
    assert code == 1
    assert err.startswith("Error: broken.xlsx was not changed: its add-in parts could not be read (")
    assert sha256(broken) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".~leadscore-")] == []


def test_a_book_open_in_excel_is_refused(lite_book, tmp_path):
    book = fresh(lite_book, tmp_path)
    (tmp_path / "~$book.xlsx").write_text("")
    before = sha256(book)
    code, _, err = run("lite", book)
    assert (code, err) == (1, "Error: book.xlsx is open in Excel (lock file ~$book.xlsx): close it in Excel, "
                              "or write to another file with --out\n")
    assert sha256(book) == before


def test_the_copy_keeps_the_books_kind(lite_book, tmp_path):
    code, _, err = run("lite", lite_book, "--out", tmp_path / "copy.xlsm")
    assert (code, err) == (1, "Error: copy.xlsm: the workbook has no macros, so Excel would not open it as "
                              ".xlsm; write to copy.xlsx instead\n")
    assert not (tmp_path / "copy.xlsm").exists()
    (tmp_path / "book.csv").write_text("a,b\n")
    with pytest.raises(WrongFileType, match=r"book\.csv is a CSV text file, not a workbook"):
        lite.embed(tmp_path / "book.csv")


def test_the_button_workbook_can_carry_lite_too(tmp_path):
    book = tmp_path / "Leads_both.xlsm"
    assert run("new", book, "--button", "--sample", 5)[0] == 0
    vba = part(book, "xl/vbaProject.bin")
    assert run("lite", book)[0] == 0
    assert part(book, "xl/vbaProject.bin") == vba
    assert lite.read_lite(book)["main.py"] == lite.main_py()
    code, _, err = run("rescore", book)
    assert code == 0, err
    assert part(book, "xl/vbaProject.bin") == vba  # Macros and the Lite code both survive a rescore.
    assert lite.read_lite(book)["main.py"] == lite.main_py()

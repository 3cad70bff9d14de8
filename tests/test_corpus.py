"""The corpus: Lead Score added to workbooks saved by Excel, and run on them from end to end.

For each book of tests/data/excel-saved (all 261 of ../shared/data/excel-saved/files in the
slow test, when that folder is there): `init` with no lead list (an empty Leads sheet and the
LeadScore sheet are added), an import of 50 generated leads from a CSV file, then one run of
rescore, tasks and report. Then:

* every member of the original that is not a shared part is in the result with the same
  bytes, and the members keep their relative order;
* the shared parts (workbook part and its relationships, content types, styles, shared
  strings, docProps/app.xml, calcChain) only gain entries: sheets keep their names, order,
  sheetIds and r:ids; defined names, relationships, content types, shared strings and every
  style entry are kept, at the same index;
* the package holds together as Excel wants it: no clashing sheet, table or defined names,
  no table id twice, no relationship to a missing part, a content type for every part, no
  new sheet selected beside the book's own;
* openpyxl reads the result, and its Leads sheet holds the 50 leads, graded A-D, scored
  0-100, each with a status;
* LibreOffice opens a few of the results, shows their sheets as before and our values (slow).

A book that cannot take Lead Score is listed in REFUSED with the one-line message init
gives; the test asserts exactly that message, and that nothing was written. None of the 261
is refused; test_refusals shows two refusals on books made from them. The checks are
themselves tested: each defect a write could make (test_the_checks_see_a_defect) is seen.
"""
from __future__ import annotations

import datetime as dt
import posixpath
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from defusedxml import ElementTree as ET

from addin.cli import cli
from scoring.sample import sample_leads
from workbook import workflow
from workbook.errors import SheetError
from workbook.init_book import init_book

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "excel-saved"
FULL = HERE.parents[1] / "shared" / "data" / "excel-saved" / "files"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

AS_OF = dt.datetime(2025, 3, 14, 9, 30)
LEADS = 50
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"

WORKBOOK, WORKBOOK_RELS, CONTENT_TYPES = "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"
STYLES, SHARED_STRINGS, APP, CALC_CHAIN = "xl/styles.xml", "xl/sharedStrings.xml", "docProps/app.xml", \
    "xl/calcChain.xml"
SHARED = {WORKBOOK, WORKBOOK_RELS, CONTENT_TYPES, STYLES, SHARED_STRINGS, APP, CALC_CHAIN}
STYLE_SECTIONS = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs")

# The default run: a handful of books, each with something of its own (shared strings or none,
# a table, the 1904 date system, a macro book, a chart sheet, defined names, rich text).
FAST = ["simple01.xlsx", "table10.xlsx", "date_1904_02.xlsx", "macro01.xlsm", "chartsheet02.xlsx",
        "defined_name04.xlsx", "rich_string02.xlsx"]

# What openpyxl says of some of their books (print areas of whole rows or columns, a header it
# cannot parse) is about those books, not about what Lead Score wrote.
pytestmark = pytest.mark.filterwarnings("ignore:Print area cannot be set:UserWarning",
                                        "ignore:Cannot parse header or footer:UserWarning")

# Books that cannot take Lead Score: name -> the exact message (SheetError's one line).
REFUSED: dict[str, str] = {}


def books(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in (".xlsx", ".xlsm"))


@pytest.fixture(scope="module")
def leads_csv(tmp_path_factory) -> Path:
    """50 generated leads (messy: blanks, numbers as text, formula-looking names) as a CSV export."""
    path = tmp_path_factory.mktemp("export") / "leads.csv"
    sample_leads(LEADS, seed=11, messy=True).to_csv(path, index=False)
    return path


def lead_ids(csv: Path) -> list[str]:
    import csv as csv_module

    with open(csv, encoding="utf-8", newline="") as f:
        return [row["Lead ID"] for row in csv_module.DictReader(f)]


# Running the product.

def lead_score(source: Path, folder: Path, csv: Path) -> Path:
    """init, import and one run of rescore, tasks and report on a copy of source in folder."""
    book = folder / source.name
    shutil.copyfile(source, book)  # Not copy(): the corpus files are read-only.
    done = init_book(book)
    assert (done.sheet, done.table, done.added_sheet, done.leads) == ("Leads", "tblLeads", True, 0)
    imported = workflow.import_leads(book, csv, as_of=AS_OF)
    assert imported.imported["added"] == LEADS and not imported.imported["skipped"]
    report = workflow.run(book, as_of=AS_OF, steps=("rescore", "tasks", "report"))
    assert report.summary["leads"] == LEADS and not report.errors
    return book


def refused(source: Path, folder: Path, message: str) -> None:
    book = folder / source.name
    shutil.copyfile(source, book)
    with pytest.raises(SheetError) as caught:
        init_book(book)
    assert caught.value.messages == [message]
    assert book.read_bytes() == source.read_bytes()
    assert sorted(p.name for p in folder.iterdir()) == [source.name]  # No lock or temporary file left.


# Reading the result back.

def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def children(data: bytes, tag: str, ns: str = MAIN) -> list:
    """The elements `tag` anywhere under the root of an XML part."""
    return list(ET.fromstring(data).iter(f"{{{ns}}}{tag}"))


def xml(el) -> bytes:
    return ET.tostring(el)


def is_subsequence(small: list, big: list) -> bool:
    it = iter(big)
    return all(any(x == y for y in it) for x in small)


def assert_members_kept(old: dict, new: dict) -> None:
    """Every member but the shared parts: same bytes; and all members in their order."""
    for name, data in old.items():
        if name not in SHARED:
            assert name in new, f"{name} is missing"
            assert new[name] == data, f"{name} changed"
    kept = [n for n in new if n in old]
    assert kept == [n for n in old if n in new], "members keep their relative order"
    assert set(old) - SHARED <= set(new)


def assert_workbook_kept(old: bytes, new: bytes) -> None:
    """Sheets: the same, first, in order; defined names kept; every other element unchanged."""
    rid = f"{{{REL_NS}}}id"
    sheet = lambda el: (el.get("name"), el.get("sheetId"), el.get(rid), el.get("state"))  # noqa: E731
    old_sheets = [sheet(el) for el in children(old, "sheet")]
    new_sheets = [sheet(el) for el in children(new, "sheet")]
    assert new_sheets[:len(old_sheets)] == old_sheets
    assert {"Leads", "LeadScore", "History", "Report"} <= {s[0] for s in new_sheets[len(old_sheets):]}
    name = lambda el: (el.get("name"), el.get("localSheetId"), el.get("hidden"), el.text)  # noqa: E731
    new_names = {name(el) for el in children(new, "definedName")}
    for el in children(old, "definedName"):
        assert name(el) in new_names, name(el)
    old_root, new_root = ET.fromstring(old), ET.fromstring(new)
    new_by_tag = {}
    for el in new_root:
        new_by_tag.setdefault(el.tag, []).append(el)
    for el in old_root:
        if el.tag in (f"{{{MAIN}}}sheets", f"{{{MAIN}}}definedNames"):
            continue
        if el.tag == f"{{{MAIN}}}calcPr":  # Excel is told to recalculate on opening: fullCalcOnLoad="1".
            [calc] = new_by_tag[el.tag]
            others = lambda attrib: {k: v for k, v in attrib.items() if k != "fullCalcOnLoad"}  # noqa: E731
            assert others(calc.attrib) == others(el.attrib), calc.attrib
            assert calc.get("fullCalcOnLoad") in (el.get("fullCalcOnLoad"), "1"), calc.attrib
            continue
        assert xml(el) in [xml(e) for e in new_by_tag.get(el.tag, [])], el.tag


def assert_styles_kept(old: bytes, new: bytes) -> None:
    old_root, new_root = ET.fromstring(old), ET.fromstring(new)
    for section in STYLE_SECTIONS:
        a, b = old_root.find(f"{{{MAIN}}}{section}"), new_root.find(f"{{{MAIN}}}{section}")
        if a is None:
            continue
        assert b is not None, section
        olds, news = [xml(c) for c in a], [xml(c) for c in b]
        assert news[:len(olds)] == olds, section
        if b.get("count") is not None:
            assert int(b.get("count")) == len(news), section


def assert_strings_kept(old: bytes, new: bytes) -> None:
    olds, news = [xml(el) for el in children(old, "si")], [xml(el) for el in children(new, "si")]
    assert news[:len(olds)] == olds
    unique = ET.fromstring(new).get("uniqueCount")
    assert unique is None or int(unique) == len(news)


def assert_rels_kept(old: bytes, new: bytes) -> None:
    new_rels = {el.get("Id"): el.attrib for el in children(new, "Relationship", PKG_RELS)}
    for el in children(old, "Relationship", PKG_RELS):
        assert new_rels.get(el.get("Id")) == el.attrib, el.attrib


def assert_content_types_kept(old: bytes, new: bytes) -> None:
    defaults = {el.get("Extension").lower(): el.get("ContentType") for el in children(new, "Default", CT_NS)}
    overrides = {el.get("PartName"): el.get("ContentType") for el in children(new, "Override", CT_NS)}
    for el in children(old, "Default", CT_NS):
        assert defaults.get(el.get("Extension").lower()) == el.get("ContentType"), el.attrib
    for el in children(old, "Override", CT_NS):
        assert overrides.get(el.get("PartName")) == el.get("ContentType"), el.attrib


def assert_app_kept(old: bytes, new: bytes) -> None:
    """docProps/app.xml: the sheet titles kept in order (new ones among them); the rest unchanged."""
    titles = lambda data: [el.text for el in children(data, "lpstr", VT_NS)]  # noqa: E731
    assert is_subsequence(titles(old), titles(new))
    old_root, new_root = ET.fromstring(old), ET.fromstring(new)
    new_children = [xml(el) for el in new_root]
    for el in old_root:
        if el.tag.rsplit("}", 1)[-1] not in ("HeadingPairs", "TitlesOfParts"):
            assert xml(el) in new_children, el.tag


def assert_calc_chain_kept(old: bytes, new: bytes | None) -> None:
    assert new is not None, "calcChain removed"
    olds = [tuple(sorted(el.attrib.items())) for el in children(old, "c")]
    news = [tuple(sorted(el.attrib.items())) for el in children(new, "c")]
    assert is_subsequence(olds, news)


def assert_shared_parts_kept(old: dict, new: dict) -> None:
    assert_workbook_kept(old[WORKBOOK], new[WORKBOOK])
    assert_rels_kept(old[WORKBOOK_RELS], new[WORKBOOK_RELS])
    assert_content_types_kept(old[CONTENT_TYPES], new[CONTENT_TYPES])
    if STYLES in old:
        assert_styles_kept(old[STYLES], new[STYLES])
    if SHARED_STRINGS in old:
        assert_strings_kept(old[SHARED_STRINGS], new[SHARED_STRINGS])
    if APP in old:
        assert_app_kept(old[APP], new[APP])
    if CALC_CHAIN in old:
        assert_calc_chain_kept(old[CALC_CHAIN], new.get(CALC_CHAIN))


def assert_consistent(old: dict, new: dict) -> None:
    """What Excel repairs or refuses and more lenient readers let pass: names of sheets, tables and
    defined names that clash, table ids used twice, relationships to missing parts, parts without a
    content type, and new sheets selected beside the book's own (Excel would group them)."""
    sheets = children(new[WORKBOOK], "sheet")
    assert len({el.get("name").casefold() for el in sheets}) == len(sheets)
    assert len({el.get("sheetId") for el in sheets}) == len(sheets)
    tables = [ET.fromstring(data) for name, data in new.items() if re.fullmatch(r"xl/tables/[^/]+\.xml", name)]
    assert len({t.get("id") for t in tables}) == len(tables)
    table_names = [n.casefold() for t in tables for n in {t.get("name"), t.get("displayName")} if n]
    assert len(set(table_names)) == len(table_names)
    names = [(el.get("name").casefold(), el.get("localSheetId")) for el in children(new[WORKBOOK], "definedName")]
    assert len(set(names)) == len(names)
    assert not {n for n, local in names if local is None} & set(table_names)
    for name, data in new.items():
        if name.endswith(".rels"):
            rels = children(data, "Relationship", PKG_RELS)
            assert len({el.get("Id") for el in rels}) == len(rels), name
            folder = posixpath.dirname(posixpath.dirname(name))
            for el in rels:
                if el.get("TargetMode") != "External":
                    target = el.get("Target")
                    part = target.lstrip("/") if target.startswith("/") else \
                        posixpath.normpath(posixpath.join(folder, target))
                    assert part in new, (name, target)
    defaults = {el.get("Extension").lower() for el in children(new[CONTENT_TYPES], "Default", CT_NS)}
    overrides = {el.get("PartName").lstrip("/") for el in children(new[CONTENT_TYPES], "Override", CT_NS)}
    assert overrides <= set(new)
    for name in new:
        if name != CONTENT_TYPES:
            assert name in overrides or name.rsplit(".", 1)[-1].lower() in defaults, name
    for name, data in new.items():
        if name not in old and name.startswith("xl/worksheets/") and name.endswith(".xml"):
            assert b"tabSelected" not in data, name


def assert_leads_scored(out: Path, ids: list[str]) -> tuple[list, dict]:
    """openpyxl reads the result; the Leads sheet holds the leads, graded, scored, with a status.
    Returns the leads' rows and the column index of each header."""
    wb = openpyxl.load_workbook(out)
    ws = wb["Leads"]
    headers = [c.value for c in ws[1]]
    col = {h: i for i, h in enumerate(headers) if h}
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2, max_row=ws.max_row)]
    rows = [r for r in rows if any(v not in (None, "") for v in r)]
    assert len(rows) == LEADS
    assert [r[col["Lead ID"]] for r in rows] == ids
    for r in rows:
        assert r[col["Grade"]] in ("A", "B", "C", "D"), r
        score = r[col["Score"]]
        assert isinstance(score, (int, float)) and 0 <= score <= 100, r
        assert isinstance(r[col["Status"]], str) and r[col["Status"]].strip(), r
        assert r[col["Scored at"]] == AS_OF
    assert ws.tables["tblLeads"].ref == f"A1:{openpyxl.utils.get_column_letter(len(headers))}{LEADS + 1}"
    assert {"LeadScore", "History", "Report", f"Tasks {AS_OF.date().isoformat()}"} <= set(wb.sheetnames)
    return rows, col


def check_parts(old: dict, new: dict) -> None:
    assert_members_kept(old, new)
    assert_shared_parts_kept(old, new)
    assert_consistent(old, new)


def check(source: Path, out: Path, csv: Path) -> None:
    check_parts(members(source), members(out))
    assert_leads_scored(out, lead_ids(csv))


def corpus_case(source: Path, tmp_path: Path, csv: Path) -> None:
    if source.name in REFUSED:
        refused(source, tmp_path, REFUSED[source.name])
        return
    check(source, lead_score(source, tmp_path, csv), csv)


# The tests.

@pytest.mark.parametrize("name", FAST)
@pytest.mark.slow
def test_corpus_book(name, tmp_path, leads_csv):
    corpus_case(DATA / name, tmp_path, leads_csv)


@pytest.mark.slow
@pytest.mark.parametrize("source", books(DATA), ids=lambda p: p.name)
def test_corpus_subset(source, tmp_path, leads_csv):
    corpus_case(source, tmp_path, leads_csv)


def full_corpus():
    if not FULL.is_dir():
        return [pytest.param(None, id="absent", marks=pytest.mark.skip(reason=f"{FULL} is not there"))]
    return books(FULL)


@pytest.mark.slow
@pytest.mark.parametrize("source", full_corpus(), ids=lambda p: p.name if p else "absent")
def test_corpus_full(source, tmp_path, leads_csv):
    corpus_case(source, tmp_path, leads_csv)


@pytest.mark.slow
def test_the_command_line(tmp_path, leads_csv):
    """The same on one book through `leadscore init`, `import` and `report`."""
    source = DATA / "table10.xlsx"
    book = tmp_path / source.name
    shutil.copyfile(source, book)
    runner = CliRunner()
    stamp = AS_OF.isoformat(timespec="minutes")
    result = runner.invoke(cli, ["init", str(book)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (f"Added Lead Score to {book}: the LeadScore sheet; leads on sheet "
                                             "'Leads' (an empty Leads sheet added, 0 leads).")
    for args in (["import", str(book), str(leads_csv)], ["report", str(book)], ["tasks", str(book)]):
        result = runner.invoke(cli, [*args, "--as-of", stamp], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    check(source, book, leads_csv)


def _renamed(source: Path, folder: Path, old_name: str, new_name: str) -> Path:
    """A copy of source whose sheet old_name is called new_name."""
    out = folder / source.name
    with zipfile.ZipFile(source) as z, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as w:
        for info in z.infolist():
            data = z.read(info)
            if info.filename == WORKBOOK:
                data = data.replace(f'<sheet name="{old_name}"'.encode(), f'<sheet name="{new_name}"'.encode())
            elif info.filename == APP:
                data = data.replace(f"<vt:lpstr>{old_name}</vt:lpstr>".encode(),
                                    f"<vt:lpstr>{new_name}</vt:lpstr>".encode())
            w.writestr(info, data)
    return out


def test_refusals(tmp_path, leads_csv):
    """What a book cannot take is refused in one line, and nothing is written: Lead Score twice,
    and a sheet called Leads that holds something else."""
    (tmp_path / "first").mkdir()
    done = lead_score(DATA / "simple01.xlsx", tmp_path / "first", leads_csv)
    (tmp_path / "again").mkdir()
    refused(done, tmp_path / "again", "LeadScore!A1: simple01.xlsx already has a LeadScore sheet; edit it there, "
                                      "or check the book with `leadscore check simple01.xlsx`")
    (tmp_path / "renamed").mkdir()
    (tmp_path / "other").mkdir()
    other = _renamed(DATA / "date_examples01.xlsx", tmp_path / "renamed", "Sheet1", "Leads")
    refused(other, tmp_path / "other", "Leads!A1: the header 41333.5 is not text; a lead list's first row holds "
                                       "its column names (say where the leads are with --leads SHEET_OR_TABLE)")


# The checks themselves: each change a defect could make is seen.

def _swap_theme_and_styles(new: dict) -> dict:
    names = list(new)
    a, b = names.index("xl/theme/theme1.xml"), names.index(STYLES)
    names[a], names[b] = names[b], names[a]
    return {n: new[n] for n in names}


def _sub(part: str, pattern: bytes, repl, count: int = 1):
    def change(new: dict) -> dict:
        data, n = re.subn(pattern, repl, new[part], count=count)
        assert n, (part, pattern)
        return {**new, part: data}
    return change


def _first_new_sheet(new: dict, old: dict) -> str:
    return next(n for n in new if n not in old and re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))


MUTATIONS = {
    "their sheet changed": lambda new, old: _sub("xl/worksheets/sheet1.xml", rb"</worksheet>", b" </worksheet>")(new),
    "their table dropped": lambda new, old: {n: d for n, d in new.items() if n != "xl/tables/table1.xml"},
    "members reordered": lambda new, old: _swap_theme_and_styles(new),
    "a cell format inserted before theirs": lambda new, old: _sub(
        STYLES, rb'(<cellXfs count=")(\d+)(">)',
        lambda m: m[1] + str(int(m[2]) + 1).encode() + m[3] +
        b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>')(new),
    "a font changed": lambda new, old: _sub(STYLES, rb'<sz val="11"/>', b'<sz val="12"/>')(new),
    "a shared string inserted before theirs": lambda new, old: _sub(
        SHARED_STRINGS, rb'(<sst [^>]*>)', lambda m: m[1] + b"<si><t>x</t></si>")(new),
    "their sheet renumbered": lambda new, old: _sub(WORKBOOK, rb'sheetId="1"', b'sheetId="99"')(new),
    "their sheet moved after ours": lambda new, old: _sub(
        WORKBOOK, rb'(<sheet name="Sheet1"[^>]*/>)(<sheet [^>]*/>)', lambda m: m[2] + m[1])(new),
    "the calculation settings changed": lambda new, old: _sub(WORKBOOK, rb'calcId="\d+"', b'calcId="1"')(new),
    "a relationship renamed": lambda new, old: _sub(
        WORKBOOK_RELS, rb'Id="rId1"', b'Id="rId99"')(_sub(WORKBOOK, rb'r:id="rId1"', b'r:id="rId99"')(new)),
    "a content type dropped": lambda new, old: _sub(
        CONTENT_TYPES, rb'<Override PartName="/xl/tables/table1.xml"[^>]*/>', b"")(new),
    "a window setting changed": lambda new, old: _sub(WORKBOOK, rb'windowWidth="\d+"', b'windowWidth="1"')(new),
    "a calculation chain entry dropped": lambda new, old: _sub(CALC_CHAIN, rb'<c [^>]*/>', b"")(new),
    "two tables of one name": lambda new, old: _sub(
        next(n for n, d in new.items() if n not in old and b'name="tblHistory"' in d),
        rb'(name|displayName)="tblHistory"', rb'\1="tblLeads"', count=2)(new),
    "a table named as a defined name": lambda new, old: _sub(
        next(n for n, d in new.items() if n not in old and b'name="tblHistory"' in d),
        rb'(name|displayName)="tblHistory"', rb'\1="FitRules"', count=2)(new),
    "our sheet selected beside theirs": lambda new, old: _sub(
        _first_new_sheet(new, old), rb"<sheetView ", b'<sheetView tabSelected="1" ')(new),
    "a relationship to a missing part": lambda new, old: {
        n: d for n, d in new.items() if n != next(n for n in new if n not in old and n.startswith("xl/charts/"))},
}


@pytest.fixture(scope="module")
def table10_result(tmp_path_factory, leads_csv):
    source = DATA / "table10.xlsx"
    return members(source), members(lead_score(source, tmp_path_factory.mktemp("table10"), leads_csv))


def test_the_checks_pass_the_result(table10_result):
    check_parts(*table10_result)


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_the_checks_see_a_defect(mutation, table10_result):
    old, new = table10_result
    changed = MUTATIONS[mutation](new, old)
    assert changed != new or list(changed) != list(new)
    with pytest.raises(AssertionError):
        check_parts(old, changed)


def test_the_checks_see_a_defined_name_dropped(tmp_path, leads_csv):
    source = DATA / "defined_name04.xlsx"
    old, new = members(source), members(lead_score(source, tmp_path, leads_csv))
    check_parts(old, new)
    changed = _sub(WORKBOOK, rb'<definedName name="b">Sheet1!\$A\$6</definedName>', b"")(new)
    with pytest.raises(AssertionError):
        check_parts(old, changed)


# LibreOffice.

LIBREOFFICE_BOOKS = ["simple01.xlsx", "date_1904_02.xlsx", "macro01.xlsm", "chartsheet02.xlsx"]


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.parametrize("name", LIBREOFFICE_BOOKS)
def test_libreoffice_shows_the_scores(name, tmp_path, leads_csv):
    """LibreOffice (recalculating) shows their sheets as before, and our values on the Leads sheet;
    it also writes the whole result as ODF."""
    from libreoffice import convert, recalculated_sheets

    source = DATA / name
    work = tmp_path / "work"
    work.mkdir()
    out = lead_score(source, work, leads_csv)
    rows, col = assert_leads_scored(out, lead_ids(leads_csv))
    before = recalculated_sheets(source, tmp_path / "before")
    after = recalculated_sheets(out, tmp_path / "after")
    for title, cells in before.items():
        assert after[title] == cells, title
    leads = after["Leads"]
    assert leads[0] == list(col)
    shown = [r for r in leads[1:] if any(r)]
    assert len(shown) == LEADS
    for mine, theirs in zip(rows, shown):
        for key in ("Lead ID", "Grade", "Rating", "Status", "Action"):
            assert theirs[col[key]] == (mine[col[key]] or ""), (key, theirs)
        assert float(theirs[col["Score"]]) == mine[col["Score"]]
        assert theirs[col["Scored at"]] == f"{AS_OF:%Y-%m-%d %H:%M:%S}"
    ods = convert(out, tmp_path / "ods", to="ods", recalc=False)
    with zipfile.ZipFile(ods) as z:
        content = z.read("content.xml")
    assert b"L000050" in content and b"table:name=\"Leads\"" in content

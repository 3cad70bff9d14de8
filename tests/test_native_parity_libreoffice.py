"""Native formulas against the engine on every case of the parser's tests, in small books.

A native workbook of 200 leads holds, in lead columns of their own, every cell of
tests/test_parse.py (numbers the Italian and English way, ambiguous values, Unicode minus
signs, every whitespace character Python splits on, blanks, garbage, yes/no words, text
keys) and each of its column cases (a column that shows a decimal point, a comma, thousands,
money, conflicting evidence, none; the real bank-marketing columns). The default model reads
Role, Industry, Employees and Stage cells spelt with Unicode spaces; a count of each case
column and four rules on the single cells read the rest. LibreOffice recalculates the three
books (decimal separator auto, ',' and '.') in one run, in seconds, and every output cell
Fit … Action must equal the engine's, and so must every helper cell with a key or a number
(the parser itself, cell by cell).

Skipped with a reason when LibreOffice is not installed, except under CI, where .ci/run
installs it and a missing soffice is a failure (as tests/test_formulas_libreoffice.py).
"""
from __future__ import annotations

import csv
import os
import shutil
import subprocess

import numpy as np
import openpyxl
import pandas as pd
import pytest
from openpyxl.utils.escape import unescape

import test_parse as cases
from scoring import BehaviourRule, FitRule, default_model, score
from scoring.defaults import header
from scoring.parse import AMBIGUOUS, OK, WHITESPACE, Column, is_blank, text_key
from scoring.sample import sample_leads
from workbook import template
from workbook.formulas import FORMULA_OUTPUTS, HELPER_SHEET
from workbook.leads import HELPER_COLUMN

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
if SOFFICE is None and not os.environ.get("CI"):
    pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it", allow_module_level=True)

from libreoffice import ALWAYS_RECALCULATE, CSV_ALL_SHEETS  # noqa: E402

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]  # Four native books recalculated: CI runs them.

ROWS = 200
ERRORS = ("#VALUE!", "#NAME?", "#REF!", "#N/A", "#DIV/0!", "#NUM!", "#NULL!", "Err:")
BOOKS = (("en", "auto"), ("en", ","), ("it", "."))  # Language and decimal separator of each book.
SEPARATOR_NAMES = {"auto": "auto", ",": "comma", ".": "dot"}


def as_cells(cells: list) -> list:
    """Cells as a workbook holds them: pd.NA, NaT and NaN are blank cells. Text with both a tab
    and a line break is left out: LibreOffice 7.4 reads such a tab as CHAR(1) (its multi-line
    cells keep a tab as a field mark), where Excel and Python read a tab."""
    cells = [None if c is pd.NA or c is pd.NaT or (isinstance(c, float) and c != c) else c for c in cells]
    return [c for c in cells if not (isinstance(c, str) and "\t" in c and ("\n" in c or "\r" in c))]


def case_columns() -> dict:
    """Lead column -> its cells: the single cells of the parser's tests in two columns (numbers,
    words), each column case in its own."""
    numbers = [c for c, _ in cases.AUTO_NUMBERS + cases.MINUS_NUMBERS + cases.SPACED_NUMBERS]
    numbers += cases.AMBIGUOUS_CELLS + cases.NOT_MINUS + cases.BAD_CELLS + cases.BLANK_CELLS
    numbers += [c for c, *_ in cases.DECIMAL_CASES]
    words = cases.YES_CELLS + cases.NO_CELLS + [c for c, _ in cases.COUNT_CASES + cases.KEY_CASES]
    columns = {"Numbers": as_cells(numbers), "Words": as_cells(words)}
    columns.update({f"Case {i + 1}": cells for i, (_, cells, _) in enumerate(cases.COLUMN_CASES)})
    columns.update({name: list(values) for name, values in cases.BANK.items()})
    columns["euribor3m May 2008"] = cases.BANK_FIRST_ROWS
    return columns


def case_leads(language: str) -> pd.DataFrame:
    """Sample leads, their Role, Industry, Employees and Stage cells spelt with every whitespace
    character (the cases of issue 10 first), and the case columns."""
    h = lambda m: header(m, language)  # noqa: E731
    leads = sample_leads(ROWS, seed=7, language=language).astype(object)
    spelt = [("1\u2003200", "IT\u2003"), ("1\u2003200", "IT\u3000"), ("1\x0b200", "IT"), ("1\x0b200", "IT\x0b")]
    spelt += [(f"{c}1{c}200{c}", f"{c}IT{c}") for c in WHITESPACE]
    stages = ("Customer", "Opportunity", "Disqualified")
    for i, (employees, industry) in enumerate(spelt):
        leads.at[i, h("employees")] = employees
        leads.at[i, h("industry")] = industry
        leads.at[i, h("role")] = "CEO"
        leads.at[i, h("revenue")] = 2_000_000
        leads.at[i + len(spelt), h("role")] = f"Purchasing{WHITESPACE[i % len(WHITESPACE)]}Manager"
        leads.at[i + 2 * len(spelt), h("stage")] = stages[i % 3] + WHITESPACE[i % len(WHITESPACE)]
    for name, cells in case_columns().items():
        assert len(cells) <= ROWS, name
        leads[name] = pd.Series(cells + [None] * (ROWS - len(cells)), dtype=object)
    return leads


def case_model(language: str, decimal: str):
    """The default model, a count of every case column (a thousandth of a point per unit, so that
    Behaviour shows how each cell was read: 4857 or 4.857, 1200 or 1.2) and, on the single cells,
    the operators that compare numbers and keys."""
    model = default_model("b2b", language)
    model.settings.decimal = decimal
    model.settings.behaviour_max = 100_000  # Beyond every sum of counts here: nothing is cut.
    for name in case_columns():
        model.behaviour_rules.append(BehaviourRule(f"{name} count", name, 0.001))
    model.fit_rules += [FitRule("Numbers", ">", 100, 1), FitRule("Numbers", "between", "-50;50", 2),
                        FitRule("Numbers", "=", 1200, 4), FitRule("Words", "in", "yes;1,5;IT;purchasing manager", 8)]
    return model


def recalculated(books: list, folder) -> dict:
    """LibreOffice recalculates every book in one run; {book stem: {sheet: rows of text}}."""
    profile = folder / "lo-profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(ALWAYS_RECALCULATE, encoding="utf-8")
    out = folder / "csv"
    result = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless",
                             "--convert-to", CSV_ALL_SHEETS, "--outdir", str(out), *map(str, books)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    sheets = {}
    for book in books:
        for path in out.glob(f"{book.stem}-*.csv"):
            with open(path, encoding="utf-8", newline="") as f:
                sheets.setdefault(book.stem, {})[path.stem[len(book.stem) + 1:]] = list(csv.reader(f))
    return sheets


def same(got: str, want) -> bool:
    """A LibreOffice cell (CSV text) equals the engine's value: numbers to 1e-9, text exactly."""
    if isinstance(want, (int, float, np.number)) and not isinstance(want, bool):
        if want != want:
            return got == ""
        try:
            return abs(float(got) - float(want)) <= 1e-9 * max(1.0, abs(float(want)))
        except ValueError:
            return False
    return got == ("" if want is None else want)


def stored_leads(book, columns) -> pd.DataFrame:
    """The lead cells of book as a reader of the file gets them (openpyxl), with control characters
    stored as _xHHHH_ (XlsxWriter writes U+000B as '_x000B_') read as Excel and LibreOffice read them:
    openpyxl 3.1 leaves them escaped."""
    wb = openpyxl.load_workbook(book, read_only=True)
    rows = wb["Leads"].iter_rows(values_only=True)
    headers = list(next(rows))
    at = [headers.index(c) for c in columns]
    cells = [[unescape(r[i]) if isinstance(r[i], str) else r[i] for i in at] for r in rows]
    wb.close()
    return pd.DataFrame(cells, columns=list(columns), dtype=object)


def differences(book, model, columns, calc: dict) -> tuple[list, int]:
    """Every output, key and number cell where LibreOffice and the engine disagree, and the count
    of cells compared. The engine scores the workbook's own lead cells."""
    leads = stored_leads(book, columns)
    engine = score(leads, model)
    errors = [f"{name} row {r}: {v}" for name, rows in calc.items() for r, row in enumerate(rows, 1)
              for v in row if v.startswith(ERRORS)]
    assert errors == [], errors[:20]
    rows = calc["Leads"]
    got = pd.DataFrame(rows[1:], columns=rows[0])
    assert len(got) == len(engine) == ROWS
    wanted = {header(m, model.settings.language): list(engine[m]) for m in FORMULA_OUTPUTS}
    for name in {r.column for r in model.fit_rules + model.behaviour_rules} & set(columns):
        values, states = Column(leads[name], model.settings.decimal).numbers()
        wanted[f"{HELPER_COLUMN}{name}: key"] = ["" if is_blank(v) else text_key(v) for v in leads[name]]
        wanted[f"{HELPER_COLUMN}{name}: number"] = list(np.where(states == OK, values, np.nan))
    found, compared = [], 0
    for col, want in wanted.items():
        for i, (g, w) in enumerate(zip(got[col], want)):
            compared += 1
            if not same(g, w):
                cell = leads[col.removeprefix(HELPER_COLUMN).rsplit(": ", 1)[0]].iat[i] if col.startswith(
                    HELPER_COLUMN) else None
                found.append(f"{book.name} row {i + 2}, {col}: LibreOffice {g!r}, engine {w!r}"
                             + (f" (cell {cell!r})" if cell is not None else ""))
    return found, compared


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """The books (path, model, lead columns) and LibreOffice's recalculation of them."""
    folder = tmp_path_factory.mktemp("parity")
    made = []
    for language, decimal in BOOKS:
        path = folder / f"parity-{language}-{SEPARATOR_NAMES[decimal]}.xlsx"
        model, leads = case_model(language, decimal), case_leads(language)
        # No cached results (outputs=None): every value read back is one LibreOffice computed.
        template.build(path, model, leads, None, language, "b2b", formulas="native")
        made.append((path, model, list(leads.columns)))
    return made, recalculated([path for path, _, _ in made], folder)


@pytest.mark.parametrize("index", range(len(BOOKS)), ids=[f"{lang}-{dec}" for lang, dec in BOOKS])
def test_native_formulas_read_every_parser_case_as_the_engine(books, index):
    made, sheets = books
    path, model, columns = made[index]
    assert {"Leads", "LeadScore", HELPER_SHEET} <= set(sheets[path.stem])
    found, compared = differences(path, model, columns, sheets[path.stem])
    assert compared >= ROWS * (len(FORMULA_OUTPUTS) + 2 * len(case_columns()))
    assert found == [], f"{len(found)} of {compared} cells differ:\n" + "\n".join(found[:40])


def test_the_cases_reach_what_the_test_is_meant_to_prove():
    """On the engine alone: the issue's cases score as the issue says, ambiguous and column-decided
    values are there, and the outputs depend on how each setting reads them."""
    leads = case_leads("en")
    issue = score(leads.iloc[:4], default_model("b2b", "en"))
    assert issue["fit"].tolist() == [50, 50, 50, 50]  # 1\u2003200 employees, IT\u2003 ... (issue 10, item 15).
    states = {name: Column(leads[name]).numbers()[1] for name in case_columns()}
    assert (states["Numbers"] == AMBIGUOUS).any() and (states["euribor3m May 2008"][:3] == AMBIGUOUS).all()
    assert all((states[f"Case {i + 1}"] == OK).any() for i in range(len(cases.COLUMN_CASES)))
    behaviour = {dec: score(leads, case_model("en", dec))["behaviour"] for dec in ("auto", ",", ".")}
    assert (behaviour["auto"] != behaviour[","]).sum() > 10 and (behaviour["auto"] != behaviour["."]).sum() > 10

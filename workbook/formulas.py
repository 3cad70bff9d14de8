"""Native formulas: the Leads output columns as plain Excel formulas, computed without Python.

A native workbook computes Fit, Grade, Behaviour, Score, Rating, Status and Action in its
cells with functions of Excel 2016 and LibreOffice 7.4 (INDEX/MATCH, SUMPRODUCT, IF/AND/OR,
SUBSTITUTE, MEDIAN ...; no XLOOKUP, LET, LAMBDA or dynamic arrays) and agrees with the
engine (scoring.score), messy values included. How it is laid out:

* Hidden helper columns at the right of the Leads table ("LS calc: Employees: key",
  "…: digits", "…: shape", "…: reading", "…: evidence", "…: number") read each input
  cell a rule names the way scoring.parse does: the text key (trimmed, whitespace of
  every kind made one space, lower case) and the number ('1.200.000', '1,5', '€ 1.200',
  '2.5e3', '−36.4'; blank where the engine finds no number). With the Decimal separator
  'auto', a column decides how its '4.857'-like values read, as scoring.parse.Column
  does: each cell's evidence (1: it shows a decimal point, -1: a decimal comma, 0: it
  is ambiguous) is gathered once per column by a cell of the helper sheet (MAX and MIN
  over the evidence column), and the number column reads ambiguous cells by it. They
  are table columns, so they fill down for new rows and move with a sort. One cell per
  step: formulas cannot hold LET, and LibreOffice compiles a defined name into every
  formula that uses it, so long chains of names would overflow its formula size.
* The constants the engine owns are imported, never retyped: the whitespace characters,
  minus signs, yes/no words and the count limit from scoring.parse, the "Owned by sales"
  action from scoring.texts.
* Defined names whose references are relative to the row that uses them give those
  cells short names (LSF_K3 is "this row's key of the third column", LSF_X3 the cell
  itself), and one name per rule holds the rule's points for the row: LSF_Fit1 … and
  LSF_Beh1 …. A rule's operator is looked up when the formula runs (CHOOSE over the 12
  operators), so editing a rule's operator, value, points or cap recalculates.
* A hidden sheet, LeadScoreCalc, reads the LeadScore sheet: the settings, each rule's
  operator number, its value as a key, a list and a number, the list items, role keys,
  the grade and score bands sorted, the grade × band action table, the status thresholds
  and the sales stages; and each lead column's decimal separator. Nothing on it is typed
  by hand.
* The output columns reference those names, the helper sheet and their own row, e.g.
  Score = MEDIAN(min, MIN([@Fit], fit max) + [@Behaviour], max).

Adding or removing a rule, pointing a rule at another Leads column, adding a score band
(a matrix column) or renaming the settings' columns needs the formulas rewritten
(`leadscore formulas BOOK`, i.e. workflow.write_formulas). Everything else recalculates by itself.

Reasons and Problems are not formulas: a native book leaves them blank, and `leadscore
rescore` writes them as values (it leaves formula columns alone).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter, quote_sheetname, range_boundaries

import numpy as np

from scoring.defaults import ENROLMENT_COLUMNS, OUTPUT_COLUMNS, header
from scoring.hygiene import HYGIENE_KINDS
from scoring.model import GROUP_MODES, MODE_WORDS, OPERATOR_WORDS, OPERATORS, Model, split_list
from scoring.parse import MAX_AMOUNT, MAX_COUNT, MINUS_SIGNS, NO_WORDS, WHITESPACE, YES_WORDS, text_key
from scoring.texts import TEXTS

from .layout import (BLOCK, HEADER_ROW, LEADS_SHEET, LEADS_TABLE, MODEL_SHEET, NATIVE_PREFIX as PREFIX,
                     NATIVE_SHEET, SETTINGS)
from .leads import ENGINE_COLUMN, HELPER_COLUMN, is_helper_column, output_meaning
from .shared_formulas import PLACEHOLDER, share

HELPER_SHEET = NATIVE_SHEET
FORMULA_OUTPUTS = ("fit", "grade", "behaviour", "score", "rating", "status", "action")
ITEM_SLOTS = 20  # List items (in / not in / between / contains) a rule's value may hold.
STAGE_SLOTS = 10  # Sales stages the setting may list.
SPARE_ROWS = {"roles": 100, "grades": 10, "bands": 10, "matrix": 10, "status": 5}
BIG = "1E+307"  # Stands for "no cap" and for unused band slots.


class NativeError(ValueError):
    """The workbook cannot carry native formulas; .messages name the cells."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


def _q(text: str) -> str:
    """A text constant in a formula."""
    return '"' + str(text).replace('"', '""') + '"'


# ---------------------------------------------------------------------------------------------
# How scoring.parse reads a cell, as formulas over references (cells or names).
# ---------------------------------------------------------------------------------------------

def _char(c: str) -> str:
    """A formula giving one character: CHAR for ASCII, UNICHAR beyond."""
    return f"CHAR({ord(c)})" if ord(c) < 128 else f"_xlfn.UNICHAR({ord(c)})"


def spaced_expr(x: str) -> str:
    """Text trimmed, every run of whitespace (scoring.parse.WHITESPACE: all that str.split()
    splits on) made one space, as scoring.parse.text_key does before case folding."""
    for ch in WHITESPACE:
        if ch != " ":
            x = f'SUBSTITUTE({x},{_char(ch)}," ")'
    return f'TRIM({x})'


def key_expr(x: str) -> str:
    """scoring.parse.text_key: numbers without '.0', TRUE/FALSE as words, text trimmed, lower case."""
    return (f'IF(ISLOGICAL({x}),IF({x},"true","false"),IF(ISNUMBER({x}),IF({x}=INT({x}),TEXT({x},"0"),{x}&""),'
            f'LOWER({spaced_expr(x)})))')


PARSE_STEPS = ("K", "T", "R", "G", "U", "V")  # Every value read as a number (parse_steps).
COLUMN_STEPS = ("E", "N")  # Lead columns also: the column's decision (column_steps).
STEP_TITLES = {"K": "key", "T": "digits", "R": "unsigned", "G": "shape", "U": "separators", "V": "reading",
               "E": "evidence", "N": "number", "B": "rule key"}


def _grouped1(R: str, G: str) -> str:
    """Case 4 of scoring.parse: 1-3 digits (not starting with 0), one separator, 3 digits."""
    return (f'AND(ISNUMBER(MATCH(SUBSTITUTE({G},",","."),{{"9.999","99.999","999.999"}},0)),'
            f'LEFT({R})<>"0")')


def _money(K: str, T: str) -> str:
    """The value had a currency sign or code: T (the digits) is shorter than the key without spaces."""
    return f'LEN({T})<LEN(SUBSTITUTE(SUBSTITUTE({K}," ",""),"\'",""))'


def parse_steps(x: str, ref, dec: str) -> dict:
    """{step: formula} reading the cell x on its own, as scoring.parse.parse_number(x, dec) does.

    ref(step) is how a formula refers to an earlier step; dec is 'auto', ',' or '.'.
    K: the text key. T: the key without one currency sign or code in front and one at the
    end, without spaces and apostrophes, its minus signs (scoring.parse.MINUS_SIGNS) made '-'.
    R: T without its sign. G: R with every digit written 9 (its shape). U: G without the 9s
    (the separators: '', '.', '..', ',.', 'e-'). V: the number (numbers as they are,
    TRUE/FALSE as 1/0, text as parse_number reads it), or "" where the engine finds the cell
    blank, not a number or ambiguous (with dec 'auto', '1.200' alone).
    """
    K, T, R, G, U = (ref(step) for step in "KTRGU")
    front = (f'IF(ISNUMBER(FIND(LEFT({K},1),"€$£")),1,'
             f'IF(ISNUMBER(FIND("|"&LEFT({K},3)&"|","|eur|usd|gbp|")),3,0))')
    back = (f'IF(RIGHT({K},4)="euro",4,IF(ISNUMBER(FIND(RIGHT({K},1),"€$£")),1,'
            f'IF(ISNUMBER(FIND("|"&RIGHT({K},3)&"|","|eur|usd|gbp|")),3,0)))')
    has_currency = 'SUMPRODUCT(--ISNUMBER(FIND({"€","$","£","eur","usd","gbp"},' + K + ')))>0'
    core = f'IF({has_currency},MID({K},1+{front},MAX(0,LEN({K})-{front}-{back})),{K})'
    digits = f'SUBSTITUTE(SUBSTITUTE({core}," ",""),"\'","")'
    for ch in MINUS_SIGNS:
        digits = f'SUBSTITUTE({digits},{_char(ch)},"-")'
    shape = R
    for d in "012345678":
        shape = f'SUBSTITUTE({shape},"{d}","9")'
    value = f'VALUE(SUBSTITUTE(SUBSTITUTE({R},".",""),",",""))'
    # One separator, once: thousands (case 4 read so) or decimals. With 'auto', case 4 is
    # thousands only with a currency sign (money has no three decimals), else ambiguous.
    frac = f'(LEN({G})-FIND({U},{G}))'
    grouped1 = _grouped1(R, G)
    decimals = f'IF({frac}>=1,{value}/10^{frac},NA())'
    single = (f'IF({dec}="auto",IF({grouped1},IF({_money(K, T)},{value},NA()),{decimals}),'
              f'IF({dec}<>{U},IF({grouped1},{value},NA()),{decimals}))')
    # One kind of separator, twice or more: thousands (1.200.000), whatever the setting.
    k = f'LEN({U})'
    lead = f'(LEN({G})-4*{k})'
    grouped = (f'IF(AND(OR(LEFT({U})=".",LEFT({U})=","),{lead}>=1,{lead}<=3),'
               f'IF({G}=REPT("9",{lead})&REPT(LEFT({U})&"999",{k}),{value},NA()),NA())')
    # Both: the last separator is the decimal one and comes once (1.200.000,50 / 1,200.50).
    d, t = f'RIGHT({U})', f'LEFT({U})'
    pos = f'FIND({d},{G})'
    first = f'({pos}-1-4*({k}-1))'
    tail = f'(LEN({G})-{pos})'
    both = (f'IF(AND(OR({d}=".",{d}=","),{t}<>{d},LEFT({U},{k}-1)=REPT({t},{k}-1),{dec}<>{t},'
            f'{first}>=1,{first}<=3,{tail}>=1),IF({G}=REPT("9",{first})&REPT({t}&"999",{k}-1)&{d}'
            f'&REPT("9",{tail}),{value}/10^{tail},NA()),NA())')
    # Scientific: 2.5e3, 1E-2 ([+-]?9+(.9+)?e[+-]?9+).
    pe = f'FIND("e",{R})'
    exponent = f'MID({R},{pe}+1,999)'
    e10 = (f'(IF(LEFT({exponent})="-",-1,1)*VALUE(SUBSTITUTE(SUBSTITUTE({exponent},"+",""),"-",""))'
           f'-IF({t}=".",{pe}-FIND(".",{R})-1,0))')
    mantissa = f'VALUE(SUBSTITUTE(LEFT({R},{pe}-1),".",""))'
    sci_ok = (f'AND(ISNUMBER(MATCH({U},{{"e","e+","e-",".e",".e+",".e-"}},0)),LEFT({G})="9",RIGHT({G})="9",'
              f'ISERROR(FIND(".e",{G})),IF(OR({d}="+",{d}="-"),ISNUMBER(FIND("e"&{d},{G})),TRUE))')
    # Beyond the largest number Python reads infinity, below the smallest 0: here 1E+308 and 0.
    size = f'(LOG10({mantissa})+{e10})'
    scientific = (f'IF({sci_ok},IF({mantissa}=0,0,IF({size}>=308.2547,1E+308,IF({size}<-307.65,0,'
                  f'IF({e10}>=0,{mantissa}*10^{e10},{mantissa}/10^(-{e10}))))),NA())')
    cases = (f'IF(ISNUMBER(FIND("e",{U})),{scientific},IF(OR({U}=".",{U}=","),{single},'
             f'IF({U}=REPT({t},{k}),{grouped},{both})))')
    parsed = f'IF(LEFT({T})="-",-1,1)*IF({U}="",VALUE({R}),{cases})'
    return {
        "K": key_expr(x),
        "T": digits,
        "R": f'IF(OR(LEFT({T})="-",LEFT({T})="+"),MID({T},2,999),{T})',
        "G": shape,
        "U": f'SUBSTITUTE({G},"9","")',
        "V": f'IFERROR(IF(ISLOGICAL({x}),--{x},IF(ISNUMBER({x}),{x},{parsed})),"")',
    }


def column_steps(x: str, ref, decided: str) -> dict:
    """{step: formula} for a lead column, after parse_steps: the column's decision of scoring.parse.

    E: what the cell shows about the column's decimal separator: 1 for '.', -1 for ',', 0 for
    an ambiguous value (case 4 without currency), "" for nothing. decided: a cell holding the
    column's separator ('.', ',' or 'auto' for undecided), computed once from the E column by
    decision_expr. N: the number: an ambiguous value read by the decided separator, else V.
    """
    K, T, R, G, U, V, E = (ref(step) for step in "KTRGUVE")
    code = lambda sep: f'IF({sep}=".",1,-1)'  # noqa: E731
    shows = (f'IF(OR({U}=".",{U}=","),IF({_grouped1(R, G)},IF({_money(K, T)},-{code(U)},0),'
             f'IF(ISNUMBER({V}),{code(U)},"")),IF(AND(ISNUMBER({V}),{U}<>"",ISERROR(FIND("e",{U}))),'
             f'IF({U}=REPT(LEFT({U}),LEN({U})),-{code(f"LEFT({U})")},{code(f"RIGHT({U})")}),""))')
    resolved = (f'IF(LEFT({T})="-",-1,1)*VALUE(SUBSTITUTE(SUBSTITUTE({R},".",""),",",""))'
                f'/IF({decided}={U},1000,1)')
    return {
        "E": f'IF(OR(ISLOGICAL({x}),ISNUMBER({x})),"",{shows})',
        "N": f'IF(AND({decided}<>"auto",{E}&""="0"),{resolved},{V})',
    }


def decision_expr(dec: str, evidence: str) -> str:
    """A column's decimal separator: the setting dec when it is ',' or '.'; with 'auto', the one
    its values show (evidence: its whole E column), or 'auto' when none or both show."""
    dots, commas = f"MAX({evidence})=1", f"MIN({evidence})=-1"
    return (f'IF({dec}<>"auto",{dec},IF({dots},IF({commas},"auto","."),'
            f'IF({commas},",","auto")))')


def _words(k: str, words) -> str:
    return f'AND(ISERROR(FIND("|",{k})),ISNUMBER(FIND("|"&{k}&"|","|{"|".join(words)}|")))'


def count_expr(x: str, k: str, n: str) -> str:
    """The engine's count of a cell: a whole number from 0 to scoring.parse.MAX_COUNT (yes/no
    words and TRUE/FALSE as 1/0); anything else counts 0. n: the cell's number or ''."""
    usable = lambda v: f'IF({v}=MEDIAN(0,INT({v}),{MAX_COUNT}),{v},0)'  # noqa: E731
    return (f'IF(ISLOGICAL({x}),--{x},IF(ISNUMBER({x}),{usable(x)},IF({_words(k, YES_WORDS)},1,'
            f'IF({_words(k, NO_WORDS)},0,IF(ISNUMBER({n}),{usable(n)},0)))))')


def amount_expr(x: str, k: str, n: str) -> str:
    """The engine's amount of a cell for a per unit rule: a number within ±scoring.parse.MAX_AMOUNT,
    decimals allowed (yes/no words and TRUE/FALSE as 1/0); anything else is 0. n: the cell's
    number or ''."""
    usable = lambda v: f'IF(ABS({v})<={MAX_AMOUNT},{v},0)'  # noqa: E731
    return (f'IF(ISLOGICAL({x}),--{x},IF(ISNUMBER({x}),{usable(x)},IF({_words(k, YES_WORDS)},1,'
            f'IF({_words(k, NO_WORDS)},0,IF(ISNUMBER({n}),{usable(n)},0)))))')


def group_expr(cells: list, mode: str, cap: str) -> str:
    """A rule group's points for a row: over its rules' cells (points, or "" where a rule does not
    hold), by mode 1 (sum: SUM), 2 (max: the best, MAX; 0 when none holds) or 3 (all: the SUM when
    every cell holds a number, else 0); then held within ±cap."""
    cells_ = ",".join(cells)
    total = f"SUM({cells_})"
    best = f"IF(COUNT({cells_})=0,0,MAX({cells_}))"
    every = f"IF(COUNT({cells_})={len(cells)},{total},0)"
    return f"MEDIAN(-{cap},CHOOSE({mode},{total},{best},{every}),{cap})"


def list_expr(k: str) -> str:
    """A trimmed ';'-separated list as 'a;b;c': items trimmed, empty ones dropped."""
    tight = f'SUBSTITUTE(SUBSTITUTE({k},"; ",";")," ;",";")'
    return (f'SUBSTITUTE(SUBSTITUTE(TRIM(SUBSTITUTE(SUBSTITUTE({tight}," ",CHAR(1)),";"," "))," ",";"),'
            f'CHAR(1)," ")')


def item_expr(lst: str, i: int) -> str:
    """Item i (1-based) of a clean 'a;b;c' list, or ''."""
    return f'IFERROR(TRIM(MID(SUBSTITUTE({lst},";",REPT(" ",255)),{(i - 1) * 255 + 1},255)),"")'


def number_text_expr(x: str) -> str:
    """engine.number_text: 85 -> '85', 84.5 -> '84.5' (at most 6 decimals), whatever the locale."""
    r = f'ROUND({x},6)'
    frac = f'ROUND((ABS({r})-INT(ABS({r})))*1000000,0)'  # The 6 decimals as a whole number, 1 to 999999.
    zeros = "0"  # Its trailing zeros, tested from the most.
    for k in range(1, 6):
        zeros = f'IF(MOD({frac},{10 ** k})=0,{k},{zeros})'
    digits = f'TEXT({frac}/10^{zeros},REPT("0",6-{zeros}))'  # 8000 -> '008' (50.008), not '08'.
    return f'IF({r}=INT({r}),TEXT({r},"0"),IF({r}<0,"-","")&TEXT(INT(ABS({r})),"0")&"."&{digits})'


# ---------------------------------------------------------------------------------------------
# Where the model lives on the LeadScore sheet.
# ---------------------------------------------------------------------------------------------

@dataclass
class Span:
    """Columns of one LeadScore block and the sheet rows its slots cover."""

    columns: dict  # field key -> sheet column (1-based)
    first: int  # First slot row.
    last: int  # Last slot row (the table's rows and spare rows below, for rows added later).
    extra: list = field(default_factory=list)  # Matrix: the action columns, in band order.


@dataclass
class ModelCells:
    """Cells of the LeadScore sheet the formulas reference."""

    sheet: str
    fit: list  # Per fit rule: {field: (row, col)}.
    behaviour: list  # Per behaviour rule: {field: (row, col)}.
    spans: dict  # 'roles', 'grades', 'bands', 'matrix', 'status' -> Span.
    settings: dict  # Setting key -> (row, col) of its value.
    problems: list = field(default_factory=list)  # Cells native formulas cannot compute with.
    groups: dict = field(default_factory=dict)  # Group name's text key -> {field: (row, col)}.

    def ref(self, row: int, col: int) -> str:
        return f"{quote_sheetname(self.sheet)}!${get_column_letter(col)}${row}"

    def cell(self, spot) -> str:
        return self.ref(*spot)

    def name(self, spot) -> str:
        """LeadScore!E5, as messages name a cell."""
        return f"{self.sheet}!{get_column_letter(spot[1])}{spot[0]}"

    def column_range(self, key: str, fld: str) -> str:
        span = self.spans[key]
        col = get_column_letter(span.columns[fld])
        return f"{quote_sheetname(self.sheet)}!${col}${span.first}:${col}${span.last}"


def cells_from_layout(model: Model) -> ModelCells:
    """The LeadScore cells of a template built by workbook.template (positions from layout.py)."""
    first = HEADER_ROW + 1

    def cols(key):
        block = BLOCK[key]
        return {f.key: block.first_column + i for i, f in enumerate(block.fields)}

    def rules(key, n):
        return [{f: (first + i, col) for f, col in cols(key).items()} for i in range(n)]

    def span(key, n):
        extra = []
        if key == "matrix":
            extra = [BLOCK[key].first_column + 1 + j for j in range(len(model.score_bands))]
        return Span(cols(key), first, first + max(n, 1) - 1 + SPARE_ROWS[key], extra)

    spans = {"roles": span("roles", len(model.roles)), "grades": span("grades", len(model.grade_bands)),
             "bands": span("bands", len(model.score_bands)), "matrix": span("matrix", len(model.matrix)),
             "status": span("status", len(model.status_rules))}
    value_col = cols("settings")["value"]
    settings = {key: (first + i, value_col) for i, (key, *_) in enumerate(SETTINGS)}
    groups = {text_key(g.name): spot for g, spot in zip(model.groups, rules("groups", len(model.groups)))}
    return ModelCells(MODEL_SHEET, rules("fit", len(model.fit_rules)),
                      rules("behaviour", len(model.behaviour_rules)), spans, settings, groups=groups)


def cells_from_sheet(sheet, book) -> ModelCells:
    """The LeadScore cells of an existing workbook, as workbook.model_sheet.ModelSheet found them."""
    tables = {t.name.casefold(): t for t in book.tables(MODEL_SHEET)}
    b = sheet.blocks

    def rules(key):
        block = b[key]
        return [{f: (r, col) for f, col in block.columns.items()} for r, _ in block.rows]

    def span(key):
        block = b[key]
        table = tables[block.spec.table.casefold()]
        last = max(table.max_row, block.header_row + 1)
        return Span(dict(block.columns), block.header_row + 1, last + SPARE_ROWS[key],
                    list(block.extra) if key == "matrix" else [])

    spans = {k: span(k) for k in ("roles", "grades", "bands", "matrix", "status")}
    settings = {k: spot for k, (spot, _) in sheet.setting_cells.items()}
    problems = []
    # Numbers typed as text: the engine reads them, a formula could not be trusted to.
    floor = getattr(sheet.raw.settings, "behaviour_min", None)
    if "behaviour_min" in sheet.setting_cells and isinstance(floor, str) and floor.strip():
        (row, col), name = sheet.setting_cells["behaviour_min"]
        problems.append(f"{MODEL_SHEET}!{get_column_letter(col)}{row}: {name} {floor!r} is text; type it as a "
                        "number (native formulas compute with numbers only)")
    groups = {}
    if "groups" in b:  # Books made before rule groups have no Groups table.
        block = b["groups"]
        for (r, values), spot in zip(block.rows, rules("groups")):
            name = block.get(values, "name")
            groups.setdefault(text_key(str(name)), spot)
    return ModelCells(MODEL_SHEET, rules("fit"), rules("behaviour"), spans, settings, problems, groups)


# ---------------------------------------------------------------------------------------------
# The plan: helper columns, defined names, helper sheet cells and output formulas.
# ---------------------------------------------------------------------------------------------

@dataclass
class LeadsSpot:
    """The Leads table: sheet, table name, first column and headers (in sheet order)."""

    sheet: str
    table: str
    min_col: int
    headers: list

    def index(self, name: str) -> int | None:
        keys = [text_key(h) for h in self.headers]
        key = text_key(name)
        return keys.index(key) if key in keys else None

    def has(self, name: str) -> bool:
        return self.index(name) is not None

    def letter(self, name: str) -> str:
        return get_column_letter(self.min_col + self.index(name))

    def row_ref(self, name: str) -> str:
        """Leads!$G1: column G of the row that uses it (in a defined name)."""
        return f"{quote_sheetname(self.sheet)}!${self.letter(name)}1"

    def column_ref(self, name: str) -> str:
        """Leads!$G:$G: the whole column, for a figure computed once over it."""
        letter = self.letter(name)
        return f"{quote_sheetname(self.sheet)}!${letter}:${letter}"


@dataclass
class Plan:
    """Everything a native workbook holds beyond the values: see plan()."""

    names: dict  # Defined name -> formula text (no leading '=').
    helper: dict  # (row, col) of the helper sheet -> value or '=formula'.
    outputs: dict  # Output meaning -> '=formula' (the same in every row).
    columns: list  # Helper columns of the Leads table: [(header, '=formula')].
    headers: list  # The Leads table's headers with the helper columns.
    out_headers: dict  # Output meaning -> header.
    helper_widths: dict = field(default_factory=dict)
    # Engine columns: values the engine writes (rescore) for what formulas cannot check: [(header, key)],
    # key a behaviour rule's index (its hygiene check flags the lead: 1, else 0) or 'action' (junk or
    # duplicate: the engine's action, else blank).
    engine: list = field(default_factory=list)

    @property
    def helper_headers(self) -> list:
        ours = {h for h, _ in self.columns} | {h for h, _ in self.engine}
        return [h for h in self.headers if h in ours]  # In the order they were added.

    @property
    def by_header(self) -> dict:
        """Header -> formula of every column the plan fills (outputs and helpers)."""
        out = {self.out_headers[m]: f for m, f in self.outputs.items()}
        out.update(dict(self.columns))
        return out

    # XlsxWriter (workbook.template) -----------------------------------------------------------

    @staticmethod
    def prepare(ws) -> None:
        """Make XlsxWriter prepare each distinct formula once: every row of a column holds the same
        formula, and XlsxWriter otherwise runs a few hundred regular expressions per cell."""
        original, seen = ws._prepare_formula, {}

        def prepare_formula(formula, expand_future_functions=False):
            key = (formula, expand_future_functions)
            if key not in seen:
                seen[key] = original(formula, expand_future_functions)
            return seen[key]

        ws._prepare_formula = prepare_formula

    def write_cells(self, ws, row: int, headers: list, cached: dict | None = None, first: bool = True) -> None:
        """Write this plan's formulas into one row (0-based) of a Leads sheet being built;
        cached: header -> the engine's value, stored as the formula's last result. Rows below
        the first (first=False) get a placeholder that share() turns into the shared formula."""
        for h, formula in self.by_header.items():
            value = (cached or {}).get(h)
            ws.write_formula(row, headers.index(h), formula if first else PLACEHOLDER, None,
                             "" if value is None else value)

    def share(self, path, sheet: str, headers: list, min_col: int, first_row: int, last_row: int) -> int:
        """Store each formula column of the saved package at path once, as a shared formula."""
        filled = self.by_header
        columns = [min_col + i for i, h in enumerate(headers) if h in filled]
        return share(path, sheet, columns, first_row, last_row)

    def table_formulas(self, ws, headers: list) -> None:
        """Give the table just added to ws its calculated column formulas (Excel fills them into
        new rows). Set after add_table, which would otherwise write (and scan with regular
        expressions) the long formula into every row; write_cells writes the rows instead."""
        columns = ws.tables[-1]["columns"]
        for h, formula in self.by_header.items():
            columns[headers.index(h)]["formula"] = ws._prepare_formula(formula.lstrip("="), True)

    def hide_columns(self, ws, headers: list) -> None:
        for h, _ in self.columns:  # Engine columns stay in sight: they say what only rescore fills.
            j = headers.index(h)
            ws.set_column(j, j, 14, None, {"hidden": True})

    def write(self, wb) -> None:
        """Add the helper sheet (hidden) and the defined names to an XlsxWriter workbook."""
        ws = wb.add_worksheet(HELPER_SHEET)
        for (row, col), value in sorted(self.helper.items()):
            if isinstance(value, str) and value.startswith("="):
                ws.write_formula(row - 1, col - 1, value, None, "")
            elif isinstance(value, (int, float)):
                ws.write_number(row - 1, col - 1, value)
            else:
                ws.write_string(row - 1, col - 1, value)
        for col, width in self.helper_widths.items():
            ws.set_column(col - 1, col - 1, width)
        ws.hide()
        for name, formula in self.names.items():
            wb.define_name(name, "=" + formula)


class _Helper:
    """Cells of the hidden helper sheet."""

    def __init__(self):
        self.cells = {}

    def put(self, row, col, value):
        self.cells[(row, col)] = value

    @staticmethod
    def ref(row, col) -> str:
        return f"{HELPER_SHEET}!${get_column_letter(col)}${row}"

    @staticmethod
    def local(row, col) -> str:
        return f"${get_column_letter(col)}${row}"

    @staticmethod
    def span(col, first, last) -> str:
        c = get_column_letter(col)
        return f"{HELPER_SHEET}!${c}${first}:${c}${last}"

    @staticmethod
    def local_span(col, first, last) -> str:
        c = get_column_letter(col)
        return f"${c}${first}:${c}${last}"


# Helper sheet columns: settings and rules, a parse area, roles, bands, status, stages, actions.
_A, _B, _C, _D, _E, _F, _G, _H = range(1, 9)
_PL, _PX = 10, 11
_PSTEP = {step: 12 + i for i, step in enumerate(PARSE_STEPS)}
_CL, _CD = max(_PSTEP.values()) + 2, max(_PSTEP.values()) + 3  # Each lead column's decimal separator.
_RK, _RL, _RI = (_CD + 2 + i for i in range(3))
_GG, _GM, _GE, _GS, _GL = (_RI + 2 + i for i in range(5))
_BL, _BM, _BE, _BS = (_GL + 2 + i for i in range(4))
_ST, _SM, _SG = (_BS + 2 + i for i in range(3))
_SI, _SK, _SN = (_SG + 2 + i for i in range(3))
_ACT = _SN + 2  # The action table: one column per score band from here.
SETTINGS_ROWS = (("decimal", "Decimal separator", "=LOWER(TRIM({}))"), ("fit_max", "Fit maximum", "={}"),
                 ("behaviour_max", "Behaviour maximum", "={}"), ("score_min", "Score minimum", "={}"),
                 ("score_max", "Score maximum", "={}"), ("default_status", "Default status", "=TRIM({})"),
                 ("language", "Language", "=TRIM({})"), ("behaviour_min", "Behaviour floor", "={}"),
                 ("placeholders", "Placeholders (|a|b|)", None))
# What a setting a book lacks (OPTIONAL_SETTINGS) stands for on the helper sheet.
MISSING_SETTINGS = {"behaviour_min": "=0"}


def plan(model: Model, cells: ModelCells, leads: LeadsSpot, out_headers: dict) -> Plan:
    """Every helper column, name, helper cell and output formula of a native workbook.

    leads: the Leads table as it is; helper columns it lacks are placed after its last
    column (the caller adds them there). out_headers: output meaning -> its header.
    Raises NativeError, naming the cell, when a rule names a column the table lacks.
    """
    s = model.settings
    h = _Helper()
    names, columns, problems = {}, [], list(cells.problems)
    h.put(1, _A, "Lead Score: helper cells of the native formulas. They read the LeadScore sheet; "
                 "do not edit them (`leadscore formulas` rebuilds this sheet).")
    setting = {}
    for i, (key, label, template) in enumerate(SETTINGS_ROWS):
        h.put(3 + i, _A, label)
        spot = cells.settings.get(key)
        if key == "placeholders":  # Their keys as '|select|n/a|', for FIND.
            cell = f'({cells.cell(spot)}&"")' if spot else ""
            written = list_expr(f"LOWER({spaced_expr(cell)})")
            held = "|".join(text_key(p) for p in s.placeholders)
            h.put(3 + i, _B, f'="|"&SUBSTITUTE({written},";","|")&"|"' if spot else "=" + _q(f"|{held}|"))
        else:
            h.put(3 + i, _B, template.format(cells.cell(spot)) if spot else MISSING_SETTINGS[key])
        setting[key] = h.ref(3 + i, _B)
    owned_row = 3 + len(SETTINGS_ROWS)
    h.put(owned_row, _A, "Action of a lead owned by sales")
    language = h.local(3 + [k for k, *_ in SETTINGS_ROWS].index("language"), _B)
    owned = _q(TEXTS["en"]["owned by sales"])
    for lang, words in TEXTS.items():
        if lang != "en":
            owned = f'IF(EXACT({language},{_q(lang)}),{_q(words["owned by sales"])},{owned})'
    h.put(owned_row, _B, "=" + owned)
    setting["owned"] = h.ref(owned_row, _B)
    dec = setting["decimal"]

    # The parse area: one row per LeadScore value read as a key, a list or a number.
    next_parse = [3]
    h.put(2, _PL, "Value")
    h.put(2, _PX, "Cell")
    for step, col in _PSTEP.items():
        h.put(2, col, STEP_TITLES[step])

    def parse(label: str, source: str) -> dict:
        r = next_parse[0]
        next_parse[0] += 1
        h.put(r, _PL, label)
        h.put(r, _PX, f'=IF(ISBLANK({source}),"",{source})' if "!" in source else f"={source}")
        steps = parse_steps(h.local(r, _PX), lambda step: h.local(r, _PSTEP[step]), dec)
        for step, formula in steps.items():
            h.put(r, _PSTEP[step], "=" + formula)
        return {"key": h.ref(r, _PSTEP["K"]), "number": h.ref(r, _PSTEP["V"]), "row": r}

    # Roles: keys and levels, with a running number for the lookup.
    roles = cells.spans["roles"]
    role_rows = (3, 3 + roles.last - roles.first)
    for col, text in ((_RK, "Role key"), (_RL, "Level"), (_RI, "No.")):
        h.put(2, col, text)
    for i, r in enumerate(range(roles.first, roles.last + 1)):
        level = cells.ref(r, roles.columns["level"])
        h.put(3 + i, _RK, "=" + key_expr(cells.ref(r, roles.columns["role"])))
        h.put(3 + i, _RL, f'=IF(ISBLANK({level}),"",{level})')
        h.put(3 + i, _RI, i + 1)

    # The Leads columns the rules read, each with its helper columns and names.
    used = {}  # text_key(column) -> (index, with its number)
    headers = list(leads.headers)

    def helper(name: str, step: str, formula: str) -> str:
        col_header = f"{HELPER_COLUMN}{name}: {STEP_TITLES.get(step, step)}"
        columns.append((col_header, "=" + formula))
        if not any(text_key(x) == text_key(col_header) for x in headers):
            headers.append(col_header)
        return col_header

    spot = LeadsSpot(leads.sheet, leads.table, leads.min_col, headers)
    h.put(2, _CL, "Lead column")
    h.put(2, _CD, "Decimal separator")
    next_decision = [3]

    def column(name: str, where: str, numeric: bool = True) -> int:
        """The index of a Leads column the formulas read (its names LSF_X<i>, LSF_K<i>, LSF_N<i>);
        numeric: the number is needed too, not only the key."""
        key = text_key(name)
        index, has_number = used.get(key, (len(used) + 1, False))
        if key in used and (has_number or not numeric):
            return index
        used[key] = (index, numeric or has_number)
        x, k, n = (f"{PREFIX}{c}{index}" for c in "XKN")
        if leads.has(name):
            real = str(leads.headers[leads.index(name)])
            names[x] = leads.row_ref(real)
            ref = lambda step: f"{PREFIX}{step}{index}"  # noqa: E731
            steps = parse_steps(x, ref, dec)
            for step in (PARSE_STEPS if numeric else ("K",)):
                if ref(step) not in names:
                    names[ref(step)] = spot.row_ref(helper(real, step, steps[step]))
            if ref("B") not in names:  # The key as rules compare it: a placeholder is blank.
                key_ = ref("K")
                names[ref("B")] = spot.row_ref(helper(real, "B", (
                    f'IF(AND({key_}<>"",ISERROR(FIND("|",{key_})),ISNUMBER(FIND("|"&{key_}&"|",'
                    f'{setting["placeholders"]}))),"",{key_})')))
            if numeric and ref("N") not in names:
                # The column's decimal separator: one helper cell over the column's evidence.
                row = next_decision[0]
                next_decision[0] += 1
                decided = h.ref(row, _CD)
                for step, formula in column_steps(x, ref, decided).items():
                    names[ref(step)] = spot.row_ref(helper(real, step, formula))
                evidence = spot.column_ref(f"{HELPER_COLUMN}{real}: {STEP_TITLES['E']}")
                h.put(row, _CL, real)
                h.put(row, _CD, "=" + decision_expr(dec, evidence))
        elif key == text_key(s.role_level_column) and leads.has(s.role_column):
            rk = f"{PREFIX}B{column(s.role_column, where, numeric=False)}"
            keys, levels, idx = (h.span(c, *role_rows) for c in (_RK, _RL, _RI))
            pos = f"SUMPRODUCT(MAX(({keys}={rk})*{idx}))"
            level = helper(str(name), "level", f'IF({rk}="","",IF({pos}=0,"",INDEX({levels},{pos})))')
            names[x] = spot.row_ref(level)
            names[k] = key_expr(x)
            names[f"{PREFIX}B{index}"] = k
            names[n] = f'IF(ISNUMBER({x}),{x},"")'
        else:
            problems.append(f"{where}: {name!r} is not a column of the Leads table "
                            f"(columns: {', '.join(str(c) for c in leads.headers if not is_helper_column(c))})")
        return index

    # Fit rules: a summary row each on the helper sheet, their values parsed; a name each.
    fit_first = owned_row + 3
    h.put(fit_first - 1, _A, "Fit rule")
    for col, text in ((_B, "Operator #"), (_C, "Points"), (_D, "Value key"), (_E, "Value list"),
                      (_F, "Value number"), (_G, "Min"), (_H, "Max")):
        h.put(fit_first - 1, col, text)
    ops = "{" + ",".join(_q(o) for o in OPERATORS + OPERATOR_WORDS["it"]) + "}"  # Either language's words.

    def condition(row: int, label: str, rule, spot_, c: int) -> tuple[str, str]:
        """A rule's operator and value on helper row `row` (as a fit rule's): (does it hold for this
        row's lead, its points cell)."""
        h.put(row, _A, label)
        h.put(row, _B, f'=IFERROR(MOD(MATCH(LOWER(TRIM({cells.cell(spot_["operator"])})),{ops},0)-1,'
                       f'{len(OPERATORS)})+1,0)')
        h.put(row, _C, f'={cells.cell(spot_["points"])}')
        if len(split_list(rule.value)) > ITEM_SLOTS:
            problems.append(f"{cells.name(spot_['value'])}: value has {len(split_list(rule.value))} items; native "
                            f"formulas read at most {ITEM_SLOTS} (split the rule in two)")
        value = parse(f"{label} value", cells.cell(spot_["value"]))
        clean = list_expr(value["key"])
        h.put(row, _D, f'={value["key"]}')
        h.put(row, _E, f'=";"&{clean}&";"')
        h.put(row, _F, f'={value["number"]}')
        items = [parse(f"{label} item {j}", item_expr(clean, j)) for j in range(1, ITEM_SLOTS + 1)]
        h.put(row, _G, f'={items[0]["number"]}')
        h.put(row, _H, f'={items[1]["number"]}')
        item_keys = h.span(_PSTEP["K"], items[0]["row"], items[-1]["row"])
        item_nums = h.span(_PSTEP["V"], items[0]["row"], items[-1]["row"])
        op, pts, vk, vl, vn, lo, hi = (h.ref(row, col) for col in (_B, _C, _D, _E, _F, _G, _H))
        k, n = f"{PREFIX}B{c}", f"{PREFIX}N{c}"
        num = f"ISNUMBER({n})"
        eq = f'OR({k}={vk},AND({num},{n}={vn}))'
        is_in = (f'AND({k}<>"",OR(AND(ISERROR(FIND(";",{k})),ISNUMBER(FIND(";"&{k}&";",{vl}))),'
                 f'AND({num},ISNUMBER(MATCH({n},{item_nums},0)))))')
        contains = f'AND({k}<>"",SUMPRODUCT(({item_keys}<>"")*ISNUMBER(FIND({item_keys},{k})))>0)'
        branches = [eq, f'AND({k}<>"",NOT({eq}))', is_in, f'AND({k}<>"",NOT({is_in}))',
                    f'AND({num},{n}>{vn})', f'AND({num},{n}>={vn})', f'AND({num},{n}<{vn})',
                    f'AND({num},{n}<={vn})', f'AND({num},{n}>={lo},{n}<={hi})', contains,
                    f'{k}=""', f'{k}<>""']
        return f'IFERROR(CHOOSE({op},{",".join(branches)}),FALSE)', pts

    # A rule of a group gives its points, or "" where it does not hold, in a helper column of its
    # own; the group's points are SUM, MAX or COUNT over those cells (see group_expr).
    grouped = {}  # group key -> [the helper cells of its rules]

    def term(terms: list, rule, label: str, holds: str, points: str) -> None:
        if not rule.group:
            names[label] = f'IF({holds},{points},0)'
            terms.append(label)
            return
        key = text_key(rule.group)
        if key not in grouped:
            grouped[key] = []
            terms.append(key)  # Replaced by the group's name once every rule of it is in.
        cell = helper(f"{label.removeprefix(PREFIX)} ({rule.group})", "group points", f'IF({holds},{points},"")')
        grouped[key].append(spot.row_ref(cell))

    fit_terms = []
    for i, (rule, spot_) in enumerate(zip(model.fit_rules, cells.fit)):
        c = column(rule.column, cells.name(spot_["column"]))
        holds, pts = condition(fit_first + i, f"{i + 1}: {rule.column}", rule, spot_, c)
        term(fit_terms, rule, f"{PREFIX}Fit{i + 1}", holds, pts)

    # Behaviour rules: points and cap on the helper sheet (a condition's operator and value as a
    # fit rule's); a name each. A rule's kind is read when the formulas are written.
    beh_first = fit_first + len(model.fit_rules) + 3
    for col, text in ((_A, "Behaviour rule"), (_B, "Points each (condition: operator #)"),
                      (_C, "Cap (1E+307: none; condition: points)"), (_D, "Condition: value key"),
                      (_E, "Value list"), (_F, "Value number"), (_G, "Min"), (_H, "Max")):
        h.put(beh_first - 1, col, text)
    beh_terms = []
    engine = []
    for i, (rule, spot_) in enumerate(zip(model.behaviour_rules, cells.behaviour)):
        row = beh_first + i
        name = f"{PREFIX}Beh{i + 1}"
        if rule.kind in HYGIENE_KINDS:  # Engine-only: the check's verdict is a value rescore writes.
            flag = engine_header(rule.name)
            engine.append((flag, i))
            if not any(text_key(x) == text_key(flag) for x in headers):
                headers.append(flag)
            h.put(row, _A, f"{i + 1}: {rule.name} ({rule.kind}: '{flag}', written by rescore)")
            h.put(row, _B, f'={cells.cell(spot_["points"])}')
            flagged = f"{spot.row_ref(flag)}=1"
            if rule.group:  # A grouped rule's helper column reads it through a name, relative to its row.
                names[f"{PREFIX}Flag{i + 1}"] = spot.row_ref(flag)
                flagged = f"{PREFIX}Flag{i + 1}=1"
            term(beh_terms, rule, name, flagged, h.ref(row, _B))
            continue
        c = column(rule.column, cells.name(spot_["column"]))
        if rule.kind == "condition":
            holds, pts = condition(row, f"{i + 1}: {rule.name} (condition)", rule, spot_, c)
            term(beh_terms, rule, name, holds, pts)
            continue
        per_unit = rule.kind == "per unit"
        amount = f"{PREFIX}{'A' if per_unit else 'C'}{c}"
        make = amount_expr if per_unit else count_expr
        names.setdefault(amount, make(f"{PREFIX}X{c}", f"{PREFIX}B{c}", f"{PREFIX}N{c}"))
        h.put(row, _A, f"{i + 1}: {rule.name}" + (" (per unit)" if per_unit else ""))
        h.put(row, _B, f'={cells.cell(spot_["points"])}')
        cap = cells.cell(spot_["cap"]) if "cap" in spot_ else None
        h.put(row, _C, f'=IF(ISNUMBER({cap}),ABS({cap}),{BIG})' if cap else f"={BIG}")
        pts, capv = h.ref(row, _B), h.ref(row, _C)
        points = f"ROUND({amount}*{pts},6)" if per_unit else f"{amount}*{pts}"
        if rule.group:  # A count or an amount holds where it is not 0.
            term(beh_terms, rule, name, f"{amount}<>0", f'MEDIAN(-{capv},{points},{capv})')
        else:
            names[name] = f'MEDIAN(-{capv},{points},{capv})'
            beh_terms.append(name)

    # Rules over events are engine-only: their points (decayed, as of the last run) are a value rescore writes.
    for j, rule in enumerate(model.event_rules):
        i = len(model.behaviour_rules) + j
        flag = engine_header(rule.name)
        engine.append((flag, ("events", j)))
        if not any(text_key(x) == text_key(flag) for x in headers):
            headers.append(flag)
        h.put(beh_first + i, _A, f"{i + 1}: {rule.name} (rule over events: its points in '{flag}', written by "
                                 "rescore)")
        names[f"{PREFIX}Event{j + 1}"] = spot.row_ref(flag)  # A name: relative to the row that uses it.
        points = f"N({PREFIX}Event{j + 1})"
        term(beh_terms, rule, f"{PREFIX}Beh{i + 1}", f"{points}<>0", points)

    # Groups: mode and cap read from the Groups table when the formulas run; which rules a
    # group holds is read when they are written.
    grp_first = beh_first + len(model.behaviour_rules) + len(model.event_rules) + 3
    for col, text in ((_A, "Rule group"), (_B, "Mode # (1 sum, 2 max, 3 all)"), (_C, "Group cap (1E+307: none)")):
        h.put(grp_first - 1, col, text)
    modes = "{" + ",".join(_q(w) for w in GROUP_MODES + MODE_WORDS["it"]) + "}"
    for j, group in enumerate(g for g in model.groups if text_key(g.name) in grouped):
        key, row = text_key(group.name), grp_first + j
        where = cells.groups.get(key)
        if where is None:
            problems.append(f"{MODEL_SHEET}: group {group.name!r} is not in the Groups table")
            continue
        h.put(row, _A, group.name)
        h.put(row, _B, f'=IFERROR(MOD(MATCH(LOWER(TRIM({cells.cell(where["mode"])}&"")),{modes},0)-1,3)+1,1)'
              if "mode" in where else "=1")
        cap = cells.cell(where["cap"]) if "cap" in where else None
        h.put(row, _C, f'=IF(ISNUMBER({cap}),ABS({cap}),{BIG})' if cap else f"={BIG}")
        name = f"{PREFIX}Group{j + 1}"
        names[name] = group_expr(grouped[key], h.ref(row, _B), h.ref(row, _C))
        for terms in (fit_terms, beh_terms):
            if key in terms:
                terms[terms.index(key)] = name

    # Grade bands: slots, then sorted by minimum (a blank minimum is the lowest band).
    grades = cells.spans["grades"]
    g_rows = (3, 3 + grades.last - grades.first)
    for col, text in ((_GG, "Grade"), (_GM, "Minimum fit"), (_GE, "Sort key"), (_GS, "Sorted minimum"),
                      (_GL, "Sorted grade")):
        h.put(2, col, text)
    g_keys = h.local_span(_GE, *g_rows)
    for i, r in enumerate(range(grades.first, grades.last + 1)):
        row = 3 + i
        minimum = cells.ref(r, grades.columns["min"])
        h.put(row, _GG, f'=TRIM({cells.ref(r, grades.columns["grade"])})')
        h.put(row, _GM, f'=IF(ISBLANK({minimum}),"",{minimum})')
        h.put(row, _GE, f'=IF({h.local(row, _GG)}="",{BIG},IF({h.local(row, _GM)}="",-{BIG},'
                        f'{h.local(row, _GM)}))')
        h.put(row, _GS, f'=SMALL({g_keys},{i + 1})')
        h.put(row, _GL, f'=IFERROR(INDEX({h.local_span(_GG, *g_rows)},MATCH({h.local(row, _GS)},{g_keys},0)),"")')
    sorted_mins, sorted_grades = h.span(_GS, *g_rows), h.span(_GL, *g_rows)

    # Score bands, sorted by minimum.
    bands = cells.spans["bands"]
    b_rows = (3, 3 + bands.last - bands.first)
    for col, text in ((_BL, "Band"), (_BM, "Minimum score"), (_BE, "Sort key"), (_BS, "Sorted minimum")):
        h.put(2, col, text)
    b_keys = h.local_span(_BE, *b_rows)
    for i, r in enumerate(range(bands.first, bands.last + 1)):
        row = 3 + i
        minimum = cells.ref(r, bands.columns["min"])
        h.put(row, _BL, f'=TRIM({cells.ref(r, bands.columns["label"])})')
        h.put(row, _BM, f'=IF(ISBLANK({minimum}),"",{minimum})')
        h.put(row, _BE, f'=IF({h.local(row, _BL)}="",{BIG},{h.local(row, _BM)})')
        h.put(row, _BS, f'=SMALL({b_keys},{i + 1})')
    sorted_bands = h.span(_BS, *b_rows)

    # Actions: sorted grade × band, from the matrix (its action columns are matched to bands by position).
    matrix = cells.spans["matrix"]
    m_grades = cells.column_range("matrix", "grade")
    for j, col in enumerate(matrix.extra):
        h.put(2, _ACT + j, f"Action, band {j + 1}")
        letter = get_column_letter(col)
        m_actions = f"{quote_sheetname(cells.sheet)}!${letter}${matrix.first}:${letter}${matrix.last}"
        for i in range(g_rows[1] - g_rows[0] + 1):
            grade = h.local(3 + i, _GL)
            h.put(3 + i, _ACT + j, f'=IF({grade}="","",IFERROR(TRIM(INDEX({m_actions},'
                                   f'MATCH({grade},{m_grades},0))),""))')
    if not matrix.extra:
        problems.append(f"{cells.name((matrix.first - 1, matrix.columns['grade']))}: the matrix has no "
                        "action columns; give it one per score band")
    action_table = (f"{HELPER_SHEET}!${get_column_letter(_ACT)}${g_rows[0]}:"
                    f"${get_column_letter(_ACT + max(len(matrix.extra), 1) - 1)}${g_rows[1]}")

    # Status thresholds, first match wins.
    status = cells.spans["status"]
    for col, text in ((_ST, "Status"), (_SM, "Minimum score"), (_SG, "Grades")):
        h.put(2, col, text)
    status_rows = []
    for i, r in enumerate(range(status.first, status.last + 1)):
        row = 3 + i
        minimum = cells.ref(r, status.columns["min"])
        h.put(row, _ST, f'=TRIM({cells.ref(r, status.columns["status"])})')
        h.put(row, _SM, f'=IF(ISBLANK({minimum}),"",{minimum})')
        if "grades" in status.columns:
            grades_cell = f'TRIM({cells.ref(r, status.columns["grades"])}&"")'
            h.put(row, _SG, f'=IF({grades_cell}="","",";"&{list_expr(grades_cell)}&";")')
        status_rows.append(row)

    # Sales stages: the setting's items (as written) and their keys.
    if len(s.sales_stages) > STAGE_SLOTS:
        problems.append(f"{cells.name(cells.settings['sales_stages'])}: {len(s.sales_stages)} sales stages; native "
                        f"formulas read at most {STAGE_SLOTS}")
    for col, text in ((_SI, "Sales stage"), (_SK, "Key"), (_SN, "No.")):
        h.put(2, col, text)
    stage_list = list_expr(spaced_expr(f'({cells.cell(cells.settings["sales_stages"])}&"")'))
    for i in range(STAGE_SLOTS):
        h.put(3 + i, _SI, "=" + item_expr(stage_list, i + 1))
        h.put(3 + i, _SK, "=" + key_expr(h.local(3 + i, _SI)))
        h.put(3 + i, _SN, i + 1)
    stage_rows = (3, 2 + STAGE_SLOTS)
    has_stage = leads.has(s.stage_column)
    if has_stage:
        st = column(s.stage_column, cells.name(cells.settings["stage_column"]), numeric=False)
        names[f"{PREFIX}StagePos"] = (
            f'IF({PREFIX}B{st}="",0,SUMPRODUCT(MAX(({h.span(_SK, *stage_rows)}={PREFIX}B{st})'
            f'*{h.span(_SN, *stage_rows)})))')
    if problems:
        raise NativeError(problems)

    # A row whose input cells are all blank is no lead: its outputs stay blank.
    runs = _input_runs(spot)
    names[f"{PREFIX}Blank"] = ("+".join(
        f"IFERROR(SUMPRODUCT(LEN(TRIM({quote_sheetname(leads.sheet)}!${a}1:${b}1))),1)" for a, b in runs)
        + "=0") if runs else "TRUE"

    # This row's outputs, by name (LSF_RowFit ...): the formulas hold no A1 or structured reference
    # that would differ between rows, so each column is stored once as a shared formula.
    ref = {}
    for m in FORMULA_OUTPUTS:
        ref[m] = f"{PREFIX}Row{m.capitalize()}"
        names[ref[m]] = spot.row_ref(out_headers[m])
    gpos = f'IFERROR(MATCH({ref["fit"]},{sorted_mins},1),1)'
    bpos = f'IFERROR(MATCH({ref["score"]},{sorted_bands},1),1)'
    chain = setting["default_status"]
    for row in reversed(status_rows):
        st_, mn, gl = (h.ref(row, c) for c in (_ST, _SM, _SG))
        chain = (f'IF(AND({st_}<>"",{ref["score"]}>={mn},IF({gl}="",TRUE,'
                 f'ISNUMBER(FIND(";"&{ref["grade"]}&";",{gl})))),{st_},{chain})')
    action = f"INDEX({action_table},{gpos},{bpos})"
    if s.junk_kinds or s.duplicate_keys:  # Junk and duplicates: the engine's action, written by rescore.
        flag = engine_header("action")
        engine.append((flag, "action"))
        if not any(text_key(x) == text_key(flag) for x in headers):
            headers.append(flag)
        names[f"{PREFIX}EngineAction"] = spot.row_ref(flag)
        action = f'IF({PREFIX}EngineAction&""<>"",{PREFIX}EngineAction&"",{action})'
    if has_stage:
        pos = f"{PREFIX}StagePos"
        chain = f"IF({pos}>0,INDEX({h.span(_SI, *stage_rows)},{pos}),{chain})"
        action = f'IF({pos}>0,{setting["owned"]},{action})'
    blank, done = f"{PREFIX}Blank", f'{ref["fit"]}=""'
    outputs = {
        "fit": f'=IF({blank},"",{"+".join(fit_terms) or "0"})',
        "grade": f'=IF({done},"",INDEX({sorted_grades},{gpos}))',
        "behaviour": (f'=IF({blank},"",MEDIAN({setting["behaviour_min"]},{"+".join(beh_terms) or "0"},'
                      f'{setting["behaviour_max"]}))'),
        "score": (f'=IF({done},"",MEDIAN({setting["score_min"]},MIN({ref["fit"]},{setting["fit_max"]})'
                  f'+{ref["behaviour"]},{setting["score_max"]}))'),
        "rating": f'=IF({done},"",{ref["grade"]}&{number_text_expr(ref["score"])})',
        "status": f'=IF({done},"",{chain})',
        "action": f'=IF({done},"",{action})',
    }
    widths = {_A: 34, _B: 14, _E: 24, _PL: 16, _PX: 16}
    return Plan(names, h.cells, outputs, columns, headers, dict(out_headers), widths, engine)


def engine_header(name: str) -> str:
    return f"{ENGINE_COLUMN}{name}"


def engine_columns(headers, model: Model) -> list:
    """The engine columns a Leads table has, as (header, key) (see Plan.engine)."""
    keys = {text_key(engine_header("action")): "action"}
    for i, rule in enumerate(model.behaviour_rules):
        if rule.kind in HYGIENE_KINDS:
            keys.setdefault(text_key(engine_header(rule.name)), i)
    for j, rule in enumerate(model.event_rules):  # Rules over events: their points.
        keys.setdefault(text_key(engine_header(rule.name)), ("events", j))
    return [(h, keys[text_key(h)]) for h in headers if text_key(h) in keys]


def engine_values(scored, engine: list) -> dict:
    """Header -> per lead value of each engine column (see Plan.engine), from the engine's result."""
    out = {}
    for header_, key in engine:
        if key == "action":
            aside = scored.set_aside if scored.set_aside is not None else np.zeros(len(scored.frame), bool)
            out[header_] = np.where(aside, scored.frame["action"].to_numpy(dtype=object), None)
        elif isinstance(key, tuple):  # A rule over events: its points per lead (floats, as the cells hold them).
            found = scored.events
            points = found.points[key[1]] if found is not None and key[1] < len(found.points) else None
            out[header_] = np.zeros(len(scored.frame)) if points is None else np.round(points, 6).astype(float)
        else:
            hit = (scored.hygiene or {}).get(key)
            out[header_] = np.zeros(len(scored.frame), np.int64) if hit is None else hit.astype(np.int64)
    return out


def _input_runs(leads: LeadsSpot) -> list[tuple[str, str]]:
    """Column letters (first, last) of each run of input columns of the Leads table."""
    runs, start, prev = [], None, None
    for i, name in enumerate(leads.headers):
        col = leads.min_col + i
        if output_meaning(str(name)) is None and not is_helper_column(name):
            start = col if start is None else start
            prev = col
        elif start is not None:
            runs.append((start, prev))
            start = None
    if start is not None:
        runs.append((start, prev))
    return [(get_column_letter(a), get_column_letter(b)) for a, b in runs]


def for_template(model: Model, inputs: list, language: str) -> Plan:
    """The plan for a template built by workbook.template: the Leads table from A1 with these
    input columns, then the output and enrolment columns, then the helper columns; the
    LeadScore sheet as layout.py lays it out."""
    headers = list(inputs) + [header(m, language) for m in OUTPUT_COLUMNS + ENROLMENT_COLUMNS]
    out_headers = {m: header(m, language) for m in FORMULA_OUTPUTS}
    return plan(model, cells_from_layout(model), LeadsSpot(LEADS_SHEET, LEADS_TABLE, 1, headers), out_headers)


def formula_lengths(plan_: Plan) -> dict:
    """Characters of each name, helper column and output formula (Excel allows 8,192)."""
    lengths = {n: len(f) for n, f in plan_.names.items()}
    lengths.update({h: len(f) for h, f in plan_.columns})
    lengths.update({m: len(f) for m, f in plan_.outputs.items()})
    lengths.update({f"{HELPER_SHEET}!{get_column_letter(c)}{r}": len(str(v)) for (r, c), v in plan_.helper.items()})
    return lengths

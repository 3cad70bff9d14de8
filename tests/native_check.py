"""Native formulas of a small model recalculated by LibreOffice, for the tests of issue 12's rules.

native_outputs builds a native template of the given leads (no cached results, so every
value read back is one LibreOffice computed), recalculates it headless and returns the
Leads table's output columns as LibreOffice wrote them (CSV text).
"""
from __future__ import annotations

import pandas as pd

from libreoffice import recalculated_sheets
from scoring import score
from scoring.defaults import LEAD_COLUMNS, header
from workbook import template
from workbook.formulas import FORMULA_OUTPUTS

ERRORS = ("#VALUE!", "#NAME?", "#REF!", "#N/A", "#DIV/0!", "#NUM!", "#NULL!", "Err:")


def with_template_columns(leads: pd.DataFrame, language: str = "en") -> pd.DataFrame:
    """The leads with the template's own columns (blank) in front of their own."""
    frame = pd.DataFrame({header(m, language): pd.Series([None] * len(leads), dtype=object)
                          for m in LEAD_COLUMNS["b2b"] if header(m, language) not in leads.columns})
    return pd.concat([frame, leads.reset_index(drop=True).astype(object)], axis=1)


def native_outputs(model, leads: pd.DataFrame, folder, language: str = "en") -> dict:
    """{output header: [LibreOffice's text per lead]} of a native book of these leads."""
    leads = with_template_columns(leads, language)
    path = folder / "native.xlsx"
    template.build(path, model, leads, None, language, "b2b", formulas="native")
    sheets = recalculated_sheets(path, folder)
    errors = [f"{name} row {r}: {v}" for name, rows in sheets.items() for r, row in enumerate(rows, 1)
              for v in row if v.startswith(ERRORS)]
    assert errors == [], errors[:20]
    rows = sheets["Leads"]
    table = pd.DataFrame(rows[1:len(leads) + 1], columns=rows[0])
    return {header(m, language): table[header(m, language)].tolist() for m in FORMULA_OUTPUTS}


def engine_text(value) -> str:
    """The engine's value as LibreOffice's CSV writes it."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def assert_same_as_engine(model, leads: pd.DataFrame, got: dict, language: str = "en") -> None:
    """Every output cell LibreOffice computed equals the engine's."""
    engine = score(with_template_columns(leads, language), model)
    differ = [f"row {i + 2} {header(m, language)}: LibreOffice {got[header(m, language)][i]!r}, engine {v!r}"
              for m in FORMULA_OUTPUTS for i, v in enumerate(engine[m])
              if got[header(m, language)][i] != engine_text(v)]
    assert differ == [], "\n".join(differ[:40])


def in_cell_inputs(path, leads: pd.DataFrame) -> tuple[list, list, list]:
    """What an in-cell function gets from a template book: the leads' rows (with the template's
    columns), their header row, and the LeadScore sheet's values (LeadScoreModel)."""
    import openpyxl

    from workbook.layout import LISTS_COLUMN, MODEL_ROWS

    ws = openpyxl.load_workbook(path, data_only=True)["LeadScore"]
    model = [list(r) for r in ws.iter_rows(min_row=1, max_row=MODEL_ROWS, max_col=LISTS_COLUMN - 1,
                                           values_only=True)]
    leads = with_template_columns(leads)
    rows = [[None if v is None or v != v else v for v in r] for r in leads.itertuples(index=False)]
    return rows, [list(leads.columns)], model

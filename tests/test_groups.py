"""Issue 12, part 2: rule groups — sum, max ("either") and all ("and"), each with an optional cap.

Engine results and exact reasons for every mode and cap, boundaries, the messages of bad groups
(in code and by cell on the LeadScore sheet, English and Italian), a template read back, a book
made before groups existed scoring as before, the in-cell functions, and native formulas
recalculated by LibreOffice (also after the mode and cap are edited on the sheet).
"""
from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter, range_boundaries

from addin import udf_core
from libreoffice import recalculated_sheets
from scoring import BehaviourRule, FitRule, RuleGroup, default_model, score
from scoring.model import problems
from workbook import template
from workbook.filebook import FileBook
from workbook.model_sheet import ModelSheet
from workbook.workflow import check, rescore, write_formulas

from native_check import in_cell_inputs, ERRORS, assert_same_as_engine, native_outputs, with_template_columns


def points(reasons: str) -> float:
    """The points of a reasons text, summed."""
    total = 0.0
    for piece in filter(None, reasons.split("; ")):
        number = piece.split(" (")[0].rsplit(" ", 1)[1]
        total += float(number.replace("\u2212", "-"))
    return total


def groups_model(language="en"):
    model = default_model("b2b", language)
    model.fit_rules = [
        FitRule("Source", "=", "web form", 20, label="Web form", group="Source"),
        FitRule("Referrer", "not blank", None, 15, label="Referral", group="Source"),
        FitRule("Source", "=", "fair", 20, label="Fair", group="Source"),
        FitRule("Employees", ">", 50, 10, group="Enterprise"),
        FitRule("Industry", "in", "IT;Manufacturing", 10, group="Enterprise"),
        FitRule("Revenue", ">=", 1000000, 15, group="Enterprise"),
        FitRule("Country", "=", "Italy", 5),
    ]
    model.behaviour_rules = [
        BehaviourRule("Pricing visit", "Visits", 5, group="Engagement"),
        BehaviourRule("Demo", "Demos", 20, group="Engagement"),
        BehaviourRule("Long visit", "Seconds", 12, kind="condition", operator=">", value=600, group="Interest"),
        BehaviourRule("Pages", "Pages", 4, kind="per unit", group="Interest"),
        BehaviourRule("Unsubscribed", "Unsub", -10),
    ]
    model.groups = [RuleGroup("Source", "max"), RuleGroup("Enterprise", "all", cap=25),
                    RuleGroup("Engagement", "sum", cap=30), RuleGroup("Interest", "max", cap=10)]
    return model


LEADS = pd.DataFrame({
    "Source": ["Web form", "web form", None, "Fair", "x", "web form"],
    "Referrer": ["Bob", None, "Ann", None, None, "Eve"],
    "Employees": [100, 51, 50, 1200, "n/a", 500],
    "Industry": ["IT", "manufacturing", "IT", "IT", "IT", "Retail"],
    "Revenue": [1000000, 2000000, 5000000, 999999.99, 2000000, 2000000],
    "Country": ["Italy", None, "Italy", None, None, None],
    "Visits": [3, 5, 0, 6, "yes", 0],
    "Demos": [1, 1, 0, 0, 0, 0],
    "Seconds": [601, 600, None, 700, 0, 601],
    "Pages": [1.5, 3, 0, 2.75, "2,5", -1],
    "Unsub": [0, 0, 1, 0, 0, 0],
})


def test_every_mode_and_cap_gives_exact_reasons_that_add_up():
    out = score(LEADS, groups_model())
    assert out["reasons"].tolist() == [
        # max: two rules hold, the best counts; all: every rule holds, capped at 25; sum capped at 30.
        "Source: Web form +20 (best of 2); Enterprise: Employees > 50 +10; Enterprise: Industry: IT or Manufacturing "
        "+10; Enterprise: Revenue ≥ 1,000,000 +15; Enterprise: group cap −10; Country: Italy +5; "
        "Engagement: Pricing visit ×3 +15; Engagement: Demo +20; Engagement: group cap −5; "
        "Interest: Long visit +12 (best of 2); Interest: group cap −2",
        # one Source rule only: no note; 600 is not > 600, so only the per unit rule holds.
        "Source: Web form +20; Enterprise: Employees > 50 +10; Enterprise: Industry: IT or Manufacturing +10; "
        "Enterprise: Revenue ≥ 1,000,000 +15; Enterprise: group cap −10; Engagement: Pricing visit ×5 +25; "
        "Engagement: Demo +20; Engagement: group cap −15; Interest: Pages ×3 +12; Interest: group cap −2",
        # all: Employees 50 is not > 50, so the group gives nothing.
        "Source: Referral +15; Country: Italy +5; Unsubscribed −10; behaviour floor +10",
        # all: 999,999.99 is below 1,000,000: nothing; a sum exactly at its cap (30): no cap reason;
        # max: the condition (12) beats 2.75 pages (11).
        "Source: Fair +20; Engagement: Pricing visit ×6 +30; Interest: Long visit +12 (best of 2); "
        "Interest: group cap −2",
        # 'n/a' reads as blank, so Enterprise fails; 2.5 pages give exactly the cap (10).
        "Engagement: Pricing visit +5; Interest: Pages ×2.5 +10",
        # max: a negative amount (-1 page) holds too, and the condition is the best.
        "Source: Web form +20 (best of 2); Interest: Long visit +12 (best of 2); Interest: group cap −2",
    ]
    assert out["fit"].tolist() == [50, 45, 20, 20, 0, 20]
    assert out["behaviour"].tolist() == [40, 40, 0, 40, 15, 10]
    assert out["score"].tolist() == [90, 85, 20, 60, 15, 30]
    assert out["grade"].tolist() == ["A", "A", "C", "C", "D", "C"]
    for reasons, total in zip(out["reasons"], out["score"]):
        assert points(reasons) == pytest.approx(total, abs=1e-9)


def test_max_takes_the_best_rule_and_a_tie_goes_to_the_first_in_sheet_order():
    model = default_model()
    model.behaviour_rules = []
    model.fit_rules = [FitRule("A", "=", "y", 10, label="A", group="Either"),
                       FitRule("B", "=", "y", 10, label="B", group="Either"),
                       FitRule("C", "=", "y", -5, label="C", group="Either")]
    model.groups = [RuleGroup("Either", "max")]
    leads = pd.DataFrame({"A": ["y", None, None, "y"], "B": ["y", "y", None, None], "C": ["y", "y", "y", None]})
    out = score(leads, model)
    assert out["reasons"].tolist() == ["Either: A +10 (best of 3)", "Either: B +10 (best of 2)",
                                       "Either: C −5; score floor +5", "Either: A +10"]
    assert out["fit"].tolist() == [10, 10, -5, 10]


def test_all_needs_every_rule_and_a_count_holds_from_one():
    model = default_model()
    model.fit_rules = []
    model.behaviour_rules = [BehaviourRule("Webinar", "Webinars", 10, group="Both"),
                             BehaviourRule("Demo", "Demos", 20, group="Both"),
                             BehaviourRule("Zero points", "Flag", 0, kind="condition", operator="=", value="x",
                                           group="Both")]
    model.groups = [RuleGroup("Both", "all")]
    leads = pd.DataFrame({"Webinars": [1, 2, 0, 1], "Demos": [1, 1, 1, 1], "Flag": ["x", "X", "x", None]})
    out = score(leads, model)
    assert out["behaviour"].tolist() == [30, 40, 0, 0]
    assert out["reasons"].tolist() == ["Both: Webinar +10; Both: Demo +20; Both: Zero points +0",
                                       "Both: Webinar ×2 +20; Both: Demo +20; Both: Zero points +0", "", ""]


def test_cap_boundaries_and_negative_groups():
    model = default_model()
    model.fit_rules = []
    model.behaviour_rules = [BehaviourRule("Minutes", "Minutes", 1, kind="per unit", group="Time"),
                             BehaviourRule("Calls", "Calls", -3, group="Penalty"),
                             BehaviourRule("Bounced", "Bounced", -10, group="Penalty")]
    model.groups = [RuleGroup("Time", cap=12.5), RuleGroup("Penalty", "sum", cap=8)]
    model.settings.behaviour_min = -50
    leads = pd.DataFrame({"Minutes": [12.5, 12.500001, 12.499999, 0], "Calls": [0, 2, 3, 1],
                          "Bounced": [0, 0, 1, 0]})
    out = score(leads, model)
    assert out["behaviour"].tolist() == [12.5, 6.5, 4.499999, -3]
    assert out["reasons"].tolist() == [
        "Time: Minutes ×12.5 +12.5",
        "Time: Minutes ×12.500001 +12.500001; Time: group cap −0.000001; Penalty: Calls ×2 −6",
        "Time: Minutes ×12.499999 +12.499999; Penalty: Calls ×3 −9; Penalty: Bounced −10; Penalty: group cap +11",
        "Penalty: Calls −3; score floor +3"]


def test_a_sum_group_without_a_cap_scores_as_rules_without_a_group():
    plain = default_model()
    grouped = default_model()
    for rule in grouped.fit_rules[:2] + grouped.behaviour_rules[:3]:
        rule.group = "Mixed" if rule in grouped.fit_rules else "Mixed behaviour"
    grouped.groups = [RuleGroup("Mixed"), RuleGroup("Mixed behaviour", "")]
    from scoring.sample import sample_leads
    leads = sample_leads(3000, seed=4)
    a, b = score(leads, plain), score(leads, grouped)
    for column in ("fit", "grade", "behaviour", "score", "rating", "status", "action", "problems"):
        assert a[column].tolist() == b[column].tolist(), column
    assert (a["reasons"] != b["reasons"]).any()
    assert b["reasons"].str.replace("Mixed behaviour: ", "").str.replace("Mixed: ", "").tolist() == a["reasons"].tolist()


def test_random_leads_reasons_add_up_with_groups():
    rng = np.random.default_rng(7)
    n = 2000
    leads = pd.DataFrame({c: rng.choice([None, "web form", "fair", "x", 0, 1, 3, 700, "2,5", "n/a"], n)
                          for c in LEADS.columns})
    out = score(leads, groups_model())
    for reasons, total in zip(out["reasons"], out["score"]):
        assert points(reasons) == pytest.approx(total, abs=1e-6)


# --- bad groups ----------------------------------------------------------------------------

def bad_groups_model(language="en"):
    model = groups_model(language)
    model.fit_rules[6].group = "Sourse"
    model.behaviour_rules[4].group = "source"  # Also a fit group.
    model.groups += [RuleGroup("Unused"), RuleGroup("Either", "either"), RuleGroup("enterprise", "all"),
                     RuleGroup("Capped", cap=0)]
    return model


def test_bad_groups_are_named_with_what_is_allowed():
    no_rules = "has no rules, so it changes nothing; type it in the Group column of the rules it holds"
    found = problems(bad_groups_model())
    assert [str(p) for p in found] == [
        "fit rule 7, group: 'Sourse' is not in the Rule groups table (Source, Enterprise, Engagement, Interest, "
        "Unused, Either, Capped); add it there with its mode (sum, max, all), or correct the name",
        "behaviour rule 5, group: 'Source' already holds fit rules (fit rule 1); a group holds fit rules or "
        "behaviour rules, not both (fit points make the grade, behaviour points do not): use another group",
        "group 2, group: 'Enterprise' appears twice",
        f"group 5, group: 'Unused' {no_rules}",
        f"group 6, group: 'Either' {no_rules}",
        "group 6, mode: 'either' is not one of sum, max, all",
        "group 7, group: 'enterprise' appears twice",
        f"group 8, group: 'Capped' {no_rules}",
        "group 8, cap: 0 must be a number above 0 (at most 100,000), or blank for no cap",
    ]
    assert [p.warning for p in found] == [False, False, False, True, True, False, False, True, False]


def test_italian_mode_words_are_read_in_any_book_and_listed_in_an_italian_one():
    model = groups_model()
    model.groups[0].mode = " Massimo "
    model.groups[1].mode = "TUTTE"
    model.groups[2].mode = "somma"
    assert [g.mode for g in model.validate().model.groups] == ["max", "all", "sum", "max"]
    assert score(LEADS, model)["reasons"].tolist() == score(LEADS, groups_model())["reasons"].tolist()
    italian = groups_model("it")
    italian.groups[0].mode = "either"
    assert [str(p) for p in problems(italian)] == ["group 1, mode: 'either' is not one of somma, massimo, tutte"]


def test_group_names_ignore_case_and_spaces_and_reasons_use_the_tables_spelling():
    model = groups_model()
    model.fit_rules[0].group = "  SOURCE "
    out = score(LEADS.head(1), model)
    assert out["reasons"].iat[0].startswith("Source: Web form +20 (best of 2)")


# --- the LeadScore sheet -------------------------------------------------------------------

def book(tmp_path, language="en", model=None, name="book.xlsx", formulas="values"):
    model = model or groups_model(language)
    path = tmp_path / name
    template.build(path, model, with_template_columns(LEADS, language), None, language, "b2b", formulas=formulas)
    return path


def table(ws, name):
    t = ws.tables[name]
    min_col, min_row, max_col, max_row = range_boundaries(t.ref)
    headers = [ws.cell(min_row, c).value for c in range(min_col, max_col + 1)]
    return t, min_col, min_row, headers


def test_the_template_writes_groups_and_reads_back_the_same_model(tmp_path):
    for language, header, modes in (("en", "Group (optional)", ["max", "all", "sum", "max"]),
                                    ("it", "Gruppo (facoltativo)", ["massimo", "tutte", "somma", "massimo"])):
        path = book(tmp_path, language, name=f"{language}.xlsx")
        ws = openpyxl.load_workbook(path)["LeadScore"]
        for name in ("tblFitRules", "tblBehaviourRules"):
            assert table(ws, name)[3][-1] == header
        _, min_col, min_row, headers = table(ws, "tblGroups")
        assert headers == {"en": ["Group", "Mode (sum, max, all)", "Group cap (optional)"],
                           "it": ["Gruppo", "Modo (somma, massimo, tutte)", "Tetto del gruppo (facoltativo)"]}[language]
        assert [ws.cell(min_row + 1 + i, min_col + 1).value for i in range(4)] == modes
        assert [ws.cell(min_row + 1 + i, min_col + 2).value for i in range(4)] == [None, 25, 30, 10]
        mode_letter = get_column_letter(min_col + 1)
        lists = [dv for dv in ws.data_validations.dataValidation if str(dv.sqref).startswith(f"{mode_letter}4")]
        assert len(lists) == 1 and lists[0].type == "list"
        sheet = ModelSheet(FileBook(path))
        assert sheet.errors == [] and sheet.warnings == []
        expected = groups_model(language).validate().model
        assert sheet.model.groups == expected.groups
        assert sheet.model.fit_rules == expected.fit_rules
        assert sheet.model.behaviour_rules == expected.behaviour_rules
        assert check(path).errors == []


def test_bad_groups_are_named_by_cell_in_the_books_language(tmp_path):
    for language, mode_message in (("en", "mode 'either' is not one of sum, max, all"),
                                   ("it", "modo 'either' non è uno di somma, massimo, tutte")):
        path = book(tmp_path, language, name=f"{language}.xlsx")
        wb = openpyxl.load_workbook(path)
        ws = wb["LeadScore"]
        _, fit_col, fit_row, fit_headers = table(ws, "tblFitRules")
        _, beh_col, beh_row, beh_headers = table(ws, "tblBehaviourRules")
        _, grp_col, grp_row, _ = table(ws, "tblGroups")
        fit_group = fit_col + len(fit_headers) - 1
        beh_group = beh_col + len(beh_headers) - 1
        ws.cell(fit_row + 7, fit_group).value = "Sourse"  # Fit rule 7.
        ws.cell(beh_row + 5, beh_group).value = "Source"  # Behaviour rule 5: Source holds fit rules.
        ws.cell(grp_row + 2, grp_col + 1).value = "either"  # Group 2.
        ws.cell(grp_row + 4, grp_col + 2).value = "lots"  # Group 4's cap.
        wb.save(path)
        group = {"en": "group", "it": "gruppo"}[language]
        f, b = get_column_letter(fit_group), get_column_letter(beh_group)
        m, c = get_column_letter(grp_col + 1), get_column_letter(grp_col + 2)
        cap = {"en": "group cap", "it": "tetto del gruppo"}[language]
        words = {"en": "sum, max, all", "it": "somma, massimo, tutte"}[language]
        assert check(path).errors == [
            f"LeadScore!{f}10: {group} 'Sourse' is not in the Rule groups table (Source, Enterprise, Engagement, "
            f"Interest); add it there with its mode ({words}), or correct the name"
            if language == "en" else
            f"LeadScore!{f}10: {group} 'Sourse' non è nella tabella Gruppi di regole (Source, Enterprise, Engagement, "
            f"Interest); aggiungilo lì con il suo modo ({words}), o correggi il nome",
            f"LeadScore!{b}8: {group} 'Source' already holds fit rules (fit rule 1); a group holds fit rules or "
            "behaviour rules, not both (fit points make the grade, behaviour points do not): use another group"
            if language == "en" else
            f"LeadScore!{b}8: {group} 'Source' contiene già regole di profilo (regola di profilo 1); un gruppo contiene "
            "regole di profilo o regole di comportamento, non entrambe (i punti di profilo fanno il grado, quelli di "
            "comportamento no): usa un altro gruppo",
            f"LeadScore!{m}5: {mode_message}",
            f"LeadScore!{c}7: {cap} 'lots' must be a number above 0 (at most 100,000), or blank for no cap"
            if language == "en" else  # An Italian book says it in Italian, numbers written the Italian way.
            f"LeadScore!{c}7: {cap} 'lots' deve essere un numero sopra 0 (al massimo 100.000), o vuoto per nessun "
            "tetto",
        ]


def test_a_group_without_rules_is_a_warning_by_cell(tmp_path):
    model = groups_model()
    model.groups.append(RuleGroup("Spare", "max"))
    path = book(tmp_path, model=model)
    report = check(path)
    assert report.errors == []
    assert "LeadScore!R8: group 'Spare' has no rules, so it changes nothing; type it in the Group column of the " \
           "rules it holds" in report.warnings


def old_book(tmp_path):
    """A default template as books made before rule groups were: no Group columns, no Groups table."""
    path = tmp_path / "old.xlsx"
    template.new_workbook(path, sample=60, seed=3)
    wb = openpyxl.load_workbook(path)
    ws = wb["LeadScore"]
    for name in ("tblFitRules", "tblBehaviourRules"):
        t, min_col, min_row, headers = table(ws, name)
        _, _, max_col, max_row = range_boundaries(t.ref)
        for row in range(min_row, max_row + 1):
            ws.cell(row, max_col).value = None
        t.ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col - 1)}{max_row}"
        t.tableColumns = t.tableColumns[:-1]
    t, min_col, min_row, _ = table(ws, "tblGroups")
    _, _, max_col, max_row = range_boundaries(t.ref)
    for row in range(min_row - 1, max_row + 1):
        for col in range(min_col, max_col + 1):
            ws.cell(row, col).value = None
    del ws.tables["tblGroups"]
    wb.save(path)
    return path


@pytest.mark.slow
def test_a_book_made_before_groups_reads_and_scores_the_same(tmp_path):
    path = old_book(tmp_path)
    sheet = ModelSheet(FileBook(path))
    assert sheet.errors == [] and "groups" not in sheet.blocks
    assert sheet.model.groups == [] and {r.group for r in sheet.model.fit_rules + sheet.model.behaviour_rules} == {""}
    assert sheet.model.fit_rules == default_model().validate().model.fit_rules
    before = pd.DataFrame(openpyxl.load_workbook(path)["Leads"].values)
    rescore(path)
    after = pd.DataFrame(openpyxl.load_workbook(path)["Leads"].values)
    header = after.iloc[0].tolist()
    outputs = [header.index(h) for h in ("Fit", "Grade", "Behaviour", "Score", "Rating", "Status", "Action",
                                         "Reasons")]
    assert after[outputs].equals(before[outputs])


def test_in_cell_functions_follow_the_groups(tmp_path):
    rows, headers, model = in_cell_inputs(book(tmp_path), LEADS)
    got = udf_core.call("LEADREASONS", rows, headers, model)
    assert [r[0] for r in got] == score(LEADS, groups_model())["reasons"].tolist()
    assert udf_core.call("LEADSCORE", [rows[0]], headers, model) == 90


# --- native formulas -----------------------------------------------------------------------

@pytest.mark.libreoffice
@pytest.mark.slow  # LibreOffice recalculates a native book: CI runs it.
def test_native_formulas_compute_every_group_mode_as_the_engine(tmp_path):
    model = groups_model()
    got = native_outputs(model, LEADS, tmp_path)
    assert got["Fit"] == ["50", "45", "20", "20", "0", "20"]
    assert got["Behaviour"] == ["40", "40", "0", "40", "15", "10"]
    assert_same_as_engine(model, LEADS, got)


def leads_outputs(path, folder) -> pd.DataFrame:
    sheets = recalculated_sheets(path, folder)
    errors = [v for rows in sheets.values() for row in rows for v in row if v.startswith(ERRORS)]
    assert errors == []
    rows = sheets["Leads"]
    return pd.DataFrame(rows[1:len(LEADS) + 1], columns=rows[0])


@pytest.mark.libreoffice
@pytest.mark.slow  # LibreOffice recalculates a native book: CI runs it.
def test_native_formulas_follow_a_mode_and_cap_edited_on_the_sheet_and_leadscore_formulas(tmp_path):
    """Mode and cap recalculate without Python; `leadscore formulas` writes groups into a values book."""
    path = book(tmp_path, name="values.xlsx")
    write_formulas(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["LeadScore"]
    _, grp_col, grp_row, _ = table(ws, "tblGroups")
    ws.cell(grp_row + 1, grp_col + 1).value = "somma"  # Source: sum.
    ws.cell(grp_row + 2, grp_col + 1).value = "max"  # Enterprise: max, cap 25 stays.
    ws.cell(grp_row + 3, grp_col + 2).value = None  # Engagement: no cap.
    ws.cell(grp_row + 4, grp_col + 1).value = "All"  # Interest: all, cap 10.
    wb.save(path)
    model = groups_model()
    model.groups = [RuleGroup("Source", "sum"), RuleGroup("Enterprise", "max", cap=25),
                    RuleGroup("Engagement", "sum"), RuleGroup("Interest", "all", cap=10)]
    table_ = leads_outputs(path, tmp_path)
    engine = score(with_template_columns(LEADS), model)
    assert table_["Fit"].tolist() == ["55", "35", "35", "30", "15", "50"]
    for column in ("fit", "behaviour", "score", "rating", "status", "action"):
        header = column.capitalize()
        assert table_[header].tolist() == [str(v) for v in engine[column]], column

"""Workbook files: template round trips, edits on the LeadScore sheet, rescore read back."""
from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pytest

from scoring import FitRule, default_model
from workbook import SheetError, new_workbook, read_leads, read_model, rescore
from workbooks import (AS_OF, add_table_row, edit, known_book, leads_outputs, sha256, table_cell)


@pytest.mark.parametrize("language", ["en", "it"])
@pytest.mark.parametrize("profile", ["b2b", "b2c"])
def test_template_round_trip_gives_the_model_that_built_it(tmp_path, language, profile):
    path = tmp_path / "book.xlsx"
    new_workbook(path, language=language, profile=profile)
    assert read_model(path) == default_model(profile, language, hygiene=True)


def test_template_has_tables_names_validation_and_frozen_header(tmp_path):
    path = tmp_path / "book.xlsx"
    new_workbook(path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Start here", "Leads", "LeadScore"]
    assert wb.active.title == "Start here"  # A new book opens on its guide.
    guide = wb["Start here"]
    assert [(c.value, c.hyperlink.location) for row in guide.iter_rows() for c in row if c.hyperlink] == [
        ("Go to Leads ›", "'Leads'!A1"), ("Go to LeadScore ›", "'LeadScore'!A1")]
    model = wb["LeadScore"]
    assert model.freeze_panes == "B4"  # Titles, headers and the index in column A stay in view.
    index = [(c.value, c.hyperlink.location) for (c,) in model.iter_rows(min_row=4, max_row=18, max_col=1)]
    assert index[:3] == [("Fit rules", "'LeadScore'!B2"), ("Behaviour rules", "'LeadScore'!I2"),
                         ("Rule groups", "'LeadScore'!R2")]
    assert index[-2:] == [("Import", "'LeadScore'!BJ2"), ("Behaviour rules over events", "'LeadScore'!CD2")]
    assert len(index) == 15
    assert model["BM3"].value == "Operators" and model.column_dimensions["BM"].hidden  # Lists out of the way.
    assert sorted(wb["LeadScore"].tables) == sorted([
        "tblFitRules", "tblBehaviourRules", "tblRoles", "tblGradeBands", "tblScoreBands", "tblMatrix",
        "tblThresholds", "tblSettings", "tblSequences", "tblActionPlans", "tblTeam", "tblHolidays",
        "tblImportMap", "tblGroups", "tblEventRules"])
    assert sorted(wb.defined_names) == ["ActionMatrix", "ActionPlans", "BehaviourRules", "EventRules", "FitRules",
                                        "GradeBands", "Holidays", "ImportMap", "LeadScoreModel", "RoleLevels",
                                        "RuleGroups", "ScoreBands", "ScoreSettings", "Sequences", "StatusThresholds", "Team"]
    assert wb.defined_names["FitRules"].attr_text == "'LeadScore'!$B$3:$G$7"
    leads = wb["Leads"]
    assert leads.freeze_panes == "C2"
    headers = [c.value for c in leads[1]]
    assert headers == [
        "Lead ID", "Name", "Email", "Company", "Role", "Industry", "Employees", "Annual revenue", "Country",
        "Source", "Owner", "Created", "Stage", "Consent SMS/WhatsApp", "Pricing page visits",
        "Promo emails opened", "Welcome email clicked", "White papers downloaded", "Newsletter signup",
        "Webinars attended", "Demo requests", "Quote requests", "Unsubscribed or bounced", "Fit", "Grade",
        "Behaviour", "Score", "Rating", "Status", "Action", "Reasons", "Problems", "Scored at", "Sequence",
        "Sequence start"]
    operator_lists = [dv for dv in wb["LeadScore"].data_validations.dataValidation if "C4" in dv.sqref]
    assert len(operator_lists) == 1 and operator_lists[0].type == "list"
    # Grade and status colours go by the header above each cell, over every row and beyond the last
    # column, so they follow the table's columns and its whole length; the Stage list covers its column.
    (area,) = [str(cf.sqref) for cf in leads.conditional_formatting]
    assert area == "A2:BM1048576"  # 35 columns and 30 more.
    rules = [r.formula[0] for cf in leads.conditional_formatting for r in cf.rules]
    assert rules == [f'AND(OR(A$1="Grade",A$1="Grado"),A2="{g}")' for g in "ABCD"] + [
        f'AND(OR(A$1="Status",A$1="Stato"),A2="{s}")' for s in ("SQL", "MQL")]
    stage = [dv for dv in leads.data_validations.dataValidation if dv.type == "list"]
    assert [str(dv.sqref) for dv in stage] == ["M2:M1048576"]
    assert leads["A1"].font.b and leads["A1"].fill.fgColor.rgb[-6:] == "1F4E79"  # Inputs: blue headers.
    assert leads["X1"].value == "Fit" and leads["X1"].fill.fgColor.rgb[-6:] == "D9D9D9"  # Outputs: grey.


def test_italian_template_headers(tmp_path):
    path = tmp_path / "libro.xlsx"
    new_workbook(path, language="it")
    wb = openpyxl.load_workbook(path)
    headers = [c.value for c in wb["Leads"][1]]
    assert headers[:8] == ["ID lead", "Nome", "Email", "Azienda", "Ruolo", "Settore", "Dipendenti",
                           "Fatturato annuo"]
    assert headers[-12:] == ["Profilo", "Grado", "Comportamento", "Punteggio", "Rating", "Stato", "Azione",
                             "Motivi", "Problemi", "Valutato il", "Sequenza", "Inizio sequenza"]
    assert wb["LeadScore"]["B2"].value == "Regole di profilo (chi è il lead)"
    model = wb["LeadScore"]
    assert [model.cell(r, 3).value for r in range(4, 8)] == [">=", "uno di", ">", ">"]  # Operators in Italian.
    channels = {model.cell(r, 48).value for r in range(4, 15)}
    assert channels == {"Telefono", "Email", "WhatsApp", "Attività"}
    assert [model.cell(3, c).value for c in range(65, 72)] == [
        "Operatori", "Colonne lead", "Separatori decimali", "Lingue", "Canali", "Tipi di regola", "Modi dei gruppi"]
    assert model["BM6"].value == "uno di" and model["BQ5"].value == "Telefono"
    holidays = {model.cell(r, 59).value.date(): model.cell(r, 60).value for r in range(4, 30)
                if model.cell(r, 59).value}
    assert holidays[dt.date(dt.date.today().year, 12, 25)] == "Natale"
    assert all(holidays.values())


def test_rescore_writes_the_worked_examples(tmp_path):
    path = known_book(tmp_path / "book.xlsx")
    report = rescore(path, as_of=AS_OF)
    rows = leads_outputs(path)
    a85, b50 = rows[0], rows[1]
    assert (a85["Fit"], a85["Grade"], a85["Behaviour"], a85["Score"], a85["Rating"], a85["Status"],
            a85["Action"]) == (50, "A", 35, 85, "A85", "MQL", "Priority contact")
    assert a85["Reasons"] == ("Role level ≥ 3 +15; Industry: IT or Manufacturing +10; Employees > 50 +10; "
                              "Annual revenue > 1,000,000 +15; Pricing page visit ×5 +25; "
                              "White paper / case study downloaded +10")
    assert a85["Problems"] is None
    assert a85["Scored at"] == AS_OF
    assert (b50["Rating"], b50["Status"], b50["Action"]) == ("B50", "MQL", "MQL")
    assert rows[4]["Status"] == "Customer" and rows[4]["Action"] == "Owned by sales"
    assert report.summary["status"] == {"MQL": 2, "SQL": 1, "Lead": 1, "Customer": 1}


def test_messy_values_are_flagged_by_cell_not_fatal(tmp_path):
    path = known_book(tmp_path / "book.xlsx")
    report = rescore(path, as_of=AS_OF)
    rows = leads_outputs(path)
    assert rows[2]["Rating"] == "A100"  # '1 200' and '2.500.000' read as a person would.
    assert rows[3]["Problems"] == ("Employees: '1.2k' is not a number; "
                                   "Annual revenue: '€ 2M' is not a number")
    assert report.warnings == ["Leads!G5: Employees '1.2k' is not a number",
                               "Leads!H5: Annual revenue '€ 2M' is not a number"]


def test_lead_text_is_never_written_as_a_formula(tmp_path):
    path = known_book(tmp_path / "book.xlsx")
    rescore(path, as_of=AS_OF)
    ws = openpyxl.load_workbook(path)["Leads"]
    assert ws["D4"].value == '=HYPERLINK("http://evil","x")' and ws["D4"].data_type == "s"
    assert ws["B5"].value == "+cmd|' /C calc'!A0" and ws["D5"].value == "@SUM(A1)"
    assert ws["D6"].value == "-2+3"
    with zipfile.ZipFile(path) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml


@pytest.mark.slow
def test_edited_weights_thresholds_and_matrix_are_read_back_and_used(tmp_path):
    path = known_book(tmp_path / "book.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["LeadScore"]
    employees = table_cell(ws, "tblFitRules", 3, "Points").coordinate  # The Employees rule.
    mql = table_cell(ws, "tblThresholds", 2, "Minimum score").coordinate
    action = table_cell(ws, "tblMatrix", 1, "50–89").coordinate
    edit(path, "LeadScore", {employees: 12, mql: 55, action: "Call today"})
    add_table_row(path, "tblFitRules", ["Country", "=", "Italy", 3, None])

    model = read_model(path)
    expected = default_model()
    expected.fit_rules[2].points = 12
    expected.fit_rules.append(FitRule("Country", "=", "Italy", 3))
    expected.status_rules[1].min_score = 55
    expected.matrix["A"] = ("Wait", "Call today", "Potential SQL")
    assert model == expected

    edit(path, "Leads", {"I2": "Italy"})
    rescore(path, as_of=AS_OF)
    rows = leads_outputs(path)
    # Fit 15+10+12+15+3 = 55, held at the fit maximum 50 in the score; behaviour 35 -> A85.
    assert (rows[0]["Fit"], rows[0]["Score"], rows[0]["Rating"], rows[0]["Status"]) == (55, 85, "A85", "MQL")
    assert rows[0]["Reasons"] == ("Role level ≥ 3 +15; Industry: IT or Manufacturing +10; Employees > 50 +12; "
                                  "Annual revenue > 1,000,000 +15; Country: Italy +3; Pricing page visit ×5 +25; "
                                  "White paper / case study downloaded +10; fit cap −5")
    assert rows[0]["Action"] == "Call today"
    # B50 is no longer an MQL: the threshold moved to 55.
    assert (rows[1]["Score"], rows[1]["Status"]) == (52, "Lead")


def test_every_bad_cell_is_reported_at_once_and_nothing_is_written(tmp_path):
    path = known_book(tmp_path / "book.xlsx")
    edit(path, "LeadScore", {"E5": "abc", "C6": "like", "B7": "Employes", "AP4": "lots"})
    before = sha256(path)
    with pytest.raises(SheetError) as caught:
        rescore(path, as_of=AS_OF)
    assert caught.value.messages == [
        "LeadScore!E5: points 'abc' is not a number",
        "LeadScore!C6: operator 'like' is not one of =, <>, in, not in, >, >=, <, <=, between, contains, "
        "is blank, not blank",
        "LeadScore!AP4: Fit maximum 'lots' is not a number",
        "LeadScore!B7: lead column 'Employes' is not a column of the leads (closest: Employees)",
    ]
    assert sha256(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def test_missing_block_and_sheet_are_named(tmp_path):
    path = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Data"
    wb.save(path)
    with pytest.raises(SheetError) as caught:
        read_model(path)
    assert caught.value.messages == [
        "LeadScore!A1: the workbook has no sheet 'LeadScore' (sheets: Data); create one with `leadscore new`"]


def test_read_leads_gives_headers_as_in_the_sheet(tmp_path):
    path = known_book(tmp_path / "libro.xlsx", language="it")
    leads = read_leads(path)
    assert list(leads.columns[:4]) == ["ID lead", "Nome", "Email", "Azienda"]
    assert list(leads.columns[-3:]) == ["Valutato il", "Sequenza", "Inizio sequenza"]
    assert leads["Dipendenti"].tolist() == [1200, 300, "1 200", "1.2k", 80]
    assert len(leads) == 5
    assert list(read_leads(path, outputs=False).columns)[-1] == "Disiscritto o respinto"


def test_italian_book_scores_in_italian(tmp_path):
    path = known_book(tmp_path / "libro.xlsx", language="it")
    rescore(path, as_of=AS_OF)
    rows = leads_outputs(path)
    assert (rows[0]["Rating"], rows[0]["Stato"], rows[0]["Azione"]) == ("A85", "MQL", "Contatto prioritario")
    assert rows[0]["Motivi"].startswith("Livello ruolo ≥ 3 +15; Settore: IT o Manifatturiero +10")


def test_rescore_to_out_leaves_the_original_untouched(tmp_path):
    path = known_book(tmp_path / "book.xlsx")
    before = sha256(path)
    out = tmp_path / "scored.xlsx"
    rescore(path, out=out, as_of=AS_OF)
    assert sha256(path) == before
    assert leads_outputs(out)[0]["Rating"] == "A85"


def test_refuses_to_write_while_excel_has_the_book_open(tmp_path):
    path = known_book(tmp_path / "book.xlsx")
    (tmp_path / "~$book.xlsx").write_bytes(b"owner")
    before = sha256(path)
    with pytest.raises(Exception) as caught:
        rescore(path, as_of=AS_OF)
    assert "open in Excel" in str(caught.value)
    assert sha256(path) == before


def test_output_columns_missing_from_a_crm_export_are_added(tmp_path):
    path = known_book(tmp_path / "book.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["Leads"]
    table = ws.tables["tblLeads"]
    ws.delete_cols(24, 12)  # Drop Fit … Sequence start.
    table.ref = "A1:W6"
    table.autoFilter.ref = "A1:W6"
    del table.tableColumns[23:]
    wb.save(path)
    rescore(path, as_of=AS_OF)
    wb = openpyxl.load_workbook(path)
    assert wb["Leads"].tables["tblLeads"].ref == "A1:AG6"
    rows = leads_outputs(path)
    assert rows[0]["Rating"] == "A85" and rows[0]["Scored at"] == AS_OF

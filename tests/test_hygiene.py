"""Issue 12, part 6: lead hygiene — red-flag behaviour rule kinds with reasons, and junk leads."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from scoring import BehaviourRule, default_model, evaluate_leads, score
from scoring.defaults import hygiene_rules
from scoring.hygiene import FREE_MAIL, fake_name
from scoring.model import problems
from scoring.tasks import plan_tasks
from workbook import template
from workbook.filebook import FileBook
from workbook.model_sheet import ModelSheet
from workbook.workflow import check, read_leads, read_model, rescore

from workbooks import known_book, known_leads, setting_cell


def hygiene_model(language="en", junk=()):
    model = default_model("b2b", language)
    model.fit_rules = []
    kinds = ("disposable email", "free mail", "invalid email", "role account")
    model.behaviour_rules = [BehaviourRule(f"Flag {k}", "Email", -(i + 1), kind=k) for i, k in enumerate(kinds)]
    model.behaviour_rules.append(BehaviourRule("Flag fake name", "Name", -16, kind="fake name"))
    model.settings.behaviour_min = -100
    model.settings.score_min = -100
    model.settings.junk_kinds = tuple(junk)
    return model


def flags(emails=None, names=None, model=None):
    """Per lead: the reasons (hygiene rules only), scoring the given e-mails or names."""
    n = len(emails if emails is not None else names)
    leads = pd.DataFrame({"Email": emails if emails is not None else ["a@acme.com"] * n,
                          "Name": names if names is not None else ["Mario Rossi"] * n}, dtype=object)
    return score(leads, model or hygiene_model())["reasons"].tolist()


def test_disposable_addresses_come_from_the_maintained_list_and_its_subdomains():
    assert flags(["x@mailinator.com", "x@MX.Mailinator.com ", "x@acme.com", "x@guerrillamail.com", None, "n/a"]) == [
        "Flag disposable email −1", "Flag disposable email −1", "", "Flag disposable email −1", "", ""]


def test_free_mail_domains_are_the_editable_setting():
    assert "gmail.com" in FREE_MAIL and "libero.it" in FREE_MAIL
    assert flags([" Mario@Gmail.com", "m@libero.it", "m@gmail.com.acme.io", "m@acme.com"]) == [
        "Flag free mail −2", "Flag free mail −2", "", ""]
    model = hygiene_model()
    model.settings.free_mail = ("acme.com", "@Example.org")
    assert flags(["m@gmail.com", "m@acme.com", "m@example.org"], model=model) == [
        "", "Flag free mail −2", "Flag free mail −2"]


def test_invalid_addresses_by_syntax_without_dns():
    emails = ["plain", "a@b", "a..b@x.com", "a b@x.com", "a@x.test", "@acme.com", "a@-x.com", "a@acme.com",
              "ä@acme.com", "o'neil@acme.co.uk", "a" * 64 + "@acme.com", "a" * 65 + "@acme.com"]
    bad = "Flag invalid email −3"
    assert flags(emails) == [bad, bad, bad, bad, bad, bad, bad, "", "", "", "", bad]


def test_role_accounts_before_the_at_and_a_tag():
    assert flags(["info@acme.com", "Sales+fair@acme.com", "info.rossi@acme.com", "noreply@acme.com",
                  "commerciale@acme.it", "info@"]) == [
        "Flag role account −4", "Flag role account −4", "", "Flag role account −4", "Flag role account −4",
        "Flag invalid email −3"]


@pytest.mark.parametrize("name, fake", [
    ("Test", True), ("asdf", True), ("Mario Test", True), ("XXX", True), ("zz", False), ("zzz", True),
    ("asd", False), ("Qwer", True), ("hjkl", True), ("lkjh", True), ("abcd", True), ("abd", False),
    ("12345", True), ("---", True), ("Mario Rossi", False), ("Ann Lee", False), ("Ångström", False),
    ("Niccolò D'Angelo", False), ("lorem ipsum", True),
])
def test_fake_names_listed_repeated_or_along_the_keyboard(name, fake):
    assert fake_name(name, frozenset({"test", "lorem", "ipsum"})) is fake


def test_fake_names_give_the_rule_its_reason_and_blank_names_none():
    assert flags(names=["Test", "Mario Rossi", None, "Select", "aaaa bbbb"]) == [
        "Flag fake name −16", "", "", "", "Flag fake name −16"]


def test_several_flags_add_up_and_points_weight_like_any_rule():
    model = hygiene_model()
    leads = pd.DataFrame({"Email": ["info@mailinator.com"], "Name": ["asdf"]}, dtype=object)
    out = score(leads, model)
    assert out.loc[0, "reasons"] == "Flag disposable email −1; Flag role account −4; Flag fake name −16"
    assert out.loc[0, "behaviour"] == -21


def test_junk_leads_get_the_junk_action_and_no_tasks():
    model = hygiene_model(junk=("disposable email",))
    model.behaviour_rules.append(BehaviourRule("Demo", "Demo", 100))
    model.settings.behaviour_max = 100
    leads = pd.DataFrame({"Lead ID": ["L1", "L2", "L3"], "Email": ["a@mailinator.com", "a@acme.com",
                                                                    "b@mailinator.com"],
                          "Name": ["Ann Lee", "Bob Ray", "Cy Hu"], "Demo": [1, 1, 1],
                          "Stage": [None, None, "Customer"]}, dtype=object)
    scored = evaluate_leads(leads, model)
    assert scored.frame["action"].tolist() == ["Junk", "Re-evaluate", "Owned by sales"]
    assert scored.frame["status"].tolist() == ["SQL", "SQL", "Customer"]
    tasks, _ = plan_tasks(leads, scored, scored.checked, None, dt.date(2026, 12, 1))
    assert tasks["lead_id"].tolist() == ["L2"]


def test_italian_kind_words_and_action():
    model = hygiene_model("it", junk=("email usa e getta",))
    model.behaviour_rules[0].kind = "email usa e getta"
    model.behaviour_rules[4].kind = "Nome fittizio"
    leads = pd.DataFrame({"Email": ["a@mailinator.com"], "Name": ["prova"]}, dtype=object)
    out = score(leads, model)
    assert out.loc[0, "action"] == "Junk"  # The setting's value, as typed.
    model.settings.junk_action = "Scarto"
    assert score(leads, model).loc[0, "action"] == "Scarto"
    assert score(leads, model).loc[0, "reasons"] == "Flag disposable email −1; Flag fake name −16"


def test_mistakes_are_named():
    model = hygiene_model()
    model.behaviour_rules[1].cap = 5
    model.behaviour_rules[2].operator = "="
    model.settings.junk_kinds = ("disposable email", "sometimes")
    model.settings.phone_region = "XX"
    assert [str(p) for p in problems(model)] == [
        "behaviour rule 2, cap: 5 must be blank for a 'free mail' rule: its points count once",
        "behaviour rule 3, operator: '=' is only for 'condition' rules (this one is 'invalid email'); set the kind "
        "to 'condition', or clear it",
        "settings, junk when: 'sometimes' is not one of disposable email, free mail, invalid email, role account, "
        "fake name (separate them with ;)",
        "settings, phone region: 'XX' is not a region code; type two letters such as IT, GB or US, or leave it "
        "blank (then only numbers written with + and their country code compare)"]


def _rule_cell(ws, name, header):
    table = ws.tables["tblBehaviourRules"]
    top = openpyxl.utils.range_boundaries(table.ref)[1]
    headers = {ws.cell(top, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(top, c).value}
    for r in range(top + 1, ws.max_row + 1):
        if ws.cell(r, headers[next(h for h in headers if h.startswith(("Behaviour", "Comportamento")))]).value == name:
            return ws.cell(r, headers[header])
    raise AssertionError(name)


def test_the_template_carries_the_hygiene_rules_in_both_languages(tmp_path):
    for language, kind_header, free, words in (
            ("en", "Kind (blank = count)", "Free-mail address (B2B)",
             ("disposable email", "Junk", "email;name and company", None, "oldest", "no")),
            ("it", "Tipo (vuoto = conteggio)", "Indirizzo email gratuito (B2B)",
             ("email usa e getta", "Scarto", "email;nome e azienda", "IT", "più vecchio", "no"))):
        path = tmp_path / f"{language}.xlsx"
        template.new_workbook(path, language=language)
        ws = openpyxl.load_workbook(path)["LeadScore"]
        assert _rule_cell(ws, free, kind_header).value == ("free mail" if language == "en" else "email gratuita")
        names = ("Junk when", "Junk action", "Duplicates by", "Phone region", "Keep", "Add duplicates' behaviour") \
            if language == "en" else ("Scarto quando", "Azione di scarto", "Duplicati per", "Regione telefono",
                                      "Mantieni", "Somma comportamento dei duplicati")
        assert tuple(setting_cell(ws, n).value for n in names) == words
        model = read_model(path)
        expected = default_model("b2b", language, hygiene=True)
        assert model.behaviour_rules[-5:] == hygiene_rules("b2b", language)
        assert model.behaviour_rules[-4].points == -5 and model.behaviour_rules[-4].kind == "free mail"
        for key in ("junk_kinds", "junk_action", "duplicate_keys", "phone_region", "keep", "merge_behaviour",
                    "free_mail", "role_accounts", "fake_names", "name_threshold"):
            assert getattr(model.settings, key) == getattr(expected.settings, key), key
    assert [r.kind for r in hygiene_rules("b2c", "en")] == ["disposable email", "invalid email", "role account",
                                                            "fake name"]


def test_an_edited_book_scores_junk_and_names_bad_cells(tmp_path):
    path = tmp_path / "book.xlsx"
    template.new_workbook(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Leads"]
    headers = [c.value for c in ws[1]]
    ws.cell(2, headers.index("Lead ID") + 1, "L1")
    ws.cell(2, headers.index("Name") + 1, "Ann Lee")
    ws.cell(2, headers.index("Email") + 1, "ann@mailinator.com")
    ws.cell(3, headers.index("Lead ID") + 1, "L2")
    ws.cell(3, headers.index("Name") + 1, "qwerty")
    ws.cell(3, headers.index("Email") + 1, "info@gmail.com")
    wb["Leads"].tables["tblLeads"].ref = f"A1:{openpyxl.utils.get_column_letter(ws.max_column)}3"
    wb.save(path)
    rescore(path, as_of=dt.datetime(2026, 12, 1, 9))
    out = read_leads(path)
    assert out["Action"].tolist() == ["Junk", "No action"]
    assert out["Reasons"].tolist() == ["Disposable email address −20; behaviour floor +20",
                                       "Free-mail address (B2B) −5; Role account (info@, sales@ …) −5; "
                                       "Fake name −10; behaviour floor +20"]
    wb = openpyxl.load_workbook(path)
    ls = wb["LeadScore"]
    cap = _rule_cell(ls, "Fake name", "Cap (optional)")
    cap.value = 3
    junk = setting_cell(ls, "Junk when")
    junk.value = "disposable email; maybe"
    wb.save(path)
    assert check(path).errors == [
        f"LeadScore!{cap.coordinate}: cap 3 must be blank for a 'fake name' rule: its points count once",
        f"LeadScore!{junk.coordinate}: Junk when 'maybe' is not one of disposable email, free mail, invalid email, "
        "role account, fake name (separate them with ;)"]


def test_an_old_book_without_the_new_settings_scores_as_before(tmp_path):
    path = known_book(tmp_path / "old.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["LeadScore"]
    for name in ("Free-mail domains", "Role accounts", "Fake names", "Junk when", "Junk action", "Duplicates by",
                 "Phone region", "Name match threshold", "Keep", "Add duplicates' behaviour"):
        cell = setting_cell(ws, name)
        for col in range(cell.column - 1, cell.column + 2):
            ws.cell(cell.row, col).value = None
    wb.save(path)
    sheet = ModelSheet(FileBook(path))
    assert sheet.errors == []
    s = sheet.model.settings
    assert (s.junk_kinds, s.duplicate_keys, s.free_mail) == ((), (), FREE_MAIL)
    rescore(path, as_of=dt.datetime(2026, 12, 1, 9))
    expected = score(known_leads(), default_model("b2b", "en"))
    out = read_leads(path)
    assert out["Score"].tolist() == expected["score"].tolist()
    assert out["Action"].tolist() == expected["action"].tolist()
    assert out["Reasons"].tolist() == expected["reasons"].tolist()
    assert "Duplicates" not in openpyxl.load_workbook(path).sheetnames


@pytest.mark.libreoffice
@pytest.mark.slow
def test_native_formulas_take_hygiene_and_duplicates_from_the_engine_columns(tmp_path):
    from native_check import assert_same_as_engine, native_outputs

    model = hygiene_model(junk=("disposable email",))
    model.behaviour_rules.append(BehaviourRule("Demo", "Demo requests", 30))
    model.settings.duplicate_keys = ("email",)
    leads = pd.DataFrame({"Lead ID": ["L1", "L2", "L3", "L4"],
                          "Email": ["a@mailinator.com", "info@gmail.com", "INFO@gmail.com", "bob@acme.com"],
                          "Name": ["Ann Lee", "asdf", "Bo Hu", None], "Demo requests": [1, 2, 1, 0]}, dtype=object)
    got = native_outputs(model, leads, tmp_path)
    assert got["Action"] == ["Junk", "No action", "Duplicate of L2", "No action"]
    assert_same_as_engine(model, leads, got)
    # The engine columns are in sight, with the engine's values, for rescore to keep up to date.
    ws = openpyxl.load_workbook(tmp_path / "native.xlsx")["Leads"]
    headers = [c.value for c in ws[1]]
    flag = headers.index("LS engine: Flag fake name") + 1
    assert [ws.cell(r, flag).value for r in range(2, 6)] == [0, 1, 0, 0]
    assert not ws.column_dimensions[openpyxl.utils.get_column_letter(flag)].hidden
    action = headers.index("LS engine: action") + 1
    assert [ws.cell(r, action).value for r in range(2, 6)] == ["Junk", None, "Duplicate of L2", None]


@pytest.mark.slow
def test_check_names_the_engine_cells_a_native_book_needs_rescored(tmp_path):
    path = tmp_path / "native.xlsx"
    template.new_workbook(path, formulas="native")
    wb = openpyxl.load_workbook(path)
    ws = wb["Leads"]
    headers = [c.value for c in ws[1]]
    ws.cell(2, headers.index("Lead ID") + 1, "L1")
    ws.cell(2, headers.index("Email") + 1, "ann@gmail.com")
    wb.save(path)
    flag = openpyxl.utils.get_column_letter(headers.index("LS engine: Free-mail address (B2B)") + 1)
    assert [w for w in check(path).warnings if "LS engine" in w] == [
        f"Leads!{flag}2: 'LS engine: Free-mail address (B2B)' holds blank, the engine finds 1; native formulas "
        "cannot check this, `leadscore rescore` fills it"]
    rescore(path, as_of=dt.datetime(2026, 12, 1, 9))
    assert [w for w in check(path).warnings if "LS engine" in w] == []
    assert openpyxl.load_workbook(path)["Leads"][f"{flag}2"].value == 1


def test_blank_text_is_never_flagged():
    assert flags(["", "   ", "\u00a0"]) == ["", "", ""]
    assert flags(names=["", "  "]) == ["", ""]

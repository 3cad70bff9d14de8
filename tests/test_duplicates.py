"""Issue 12, part 6: duplicate leads by e-mail, phone, name and company; the Duplicates sheet."""
from __future__ import annotations

import datetime as dt

import numpy as np
import openpyxl
import pandas as pd
import pytest

from scoring import BehaviourRule, default_model, evaluate_leads
from scoring.duplicates import Phones, company_key, email_key, find_duplicates
from scoring.tasks import plan_tasks
from workbook import template
from workbook.filebook import FileBook
from workbook.workflow import check, read_leads, rescore, run_book
from workbooks import setting_cell

AS_OF = dt.datetime(2026, 12, 1, 9)


def settings(keys=("email", "phone", "name and company"), region="", threshold=90, keep="oldest"):
    s = default_model("b2b", "en").settings
    s.duplicate_keys, s.phone_region, s.name_threshold, s.keep = tuple(keys), region, threshold, keep
    return s


def groups(leads, **kw):
    """Each lead's group number (-1: none) and kept lead's position."""
    found = find_duplicates(pd.DataFrame(leads, dtype=object), settings(**kw))
    return found.group.tolist(), found.kept.tolist()


def test_email_keys_ignore_case_and_the_providers_dots_and_tags():
    assert email_key(" J.Rossi+fair@Gmail.com ") == email_key("jrossi@googlemail.com") == "jrossi@gmail.com"
    assert email_key("ann+news@outlook.com") == "ann@outlook.com"
    assert email_key("a.b@acme.com") != email_key("ab@acme.com")  # Dots count at other providers.
    assert email_key("a+b@acme.com") == "a+b@acme.com"
    assert email_key("Ann@ACME.com") == "ann@acme.com"
    assert email_key("no address") == email_key("@acme.com") == ""


def test_phone_keys_with_a_region_and_without():
    it = Phones("IT")
    assert it.key("+39 02 1234 5678") == it.key("02 12345678") == it.key("0039 02-1234-5678") == "+390212345678"
    assert it.key("12345") == ""  # Fewer than six digits: no phone.
    gb = Phones("GB")
    assert gb.key("020 7946 0958") == gb.key("+44 (20) 7946-0958") == "+442079460958"
    plain = Phones("")
    assert plain.key("02 1234 5678") == "0212345678" != plain.key("+39 02 12345678")
    assert it.key("tel. +39 02 1234 5678") == "+390212345678"  # Letters: phonenumbers reads it.


def test_companies_compare_without_legal_forms_and_punctuation():
    assert company_key("ACME S.r.l.") == company_key("Acme srl") == company_key("acme") == "acme"
    assert company_key("Brianza Meccanica S.n.c.") == "brianza meccanica"


def test_groups_by_email_phone_and_name_are_joined_and_the_oldest_is_kept():
    leads = {"Lead ID": ["L1", "L2", "L3", "L4", "L5"],
             "Email": ["ann@acme.com", "ANN@acme.com ", None, "bob@acme.com", "cy@acme.com"],
             "Phone": [None, "+39 333 1234567", "333 123 4567", None, None],
             "Name": ["Ann Lee", "Ann Lee", "A. Lee", "Bob Ray", "Cy Hu"],
             "Company": ["Acme", "Acme", "Other", "Acme", "Acme"],
             "Created": [dt.date(2026, 3, 1), dt.date(2026, 1, 5), None, dt.date(2025, 1, 1), None]}
    found = find_duplicates(pd.DataFrame(leads, dtype=object), settings(region="IT"))
    assert found.group.tolist() == [0, 0, 0, -1, -1]
    assert found.kept.tolist() == [1, 1, 1, 3, 4]  # L2 is the oldest of L1-L3 (linked through L2's phone).
    assert found.matched[:3] == [("email", "name and company"), ("email", "phone", "name and company"), ("phone",)]
    assert found.dropped.tolist() == [True, False, True, False, False]


def test_the_most_complete_lead_is_kept_when_asked_and_ties_go_to_the_first():
    leads = {"Email": ["a@x.com", "a@x.com", "a@x.com", "b@x.com", "b@x.com"],
             "Name": [None, "Ann", "Ann", "Bo", "Bo"], "Company": [None, None, "X", None, None]}
    assert groups(leads, keys=("email",), keep="most complete") == ([0, 0, 0, 1, 1], [2, 2, 2, 3, 3])
    assert groups(leads, keys=("email",)) == ([0, 0, 0, 1, 1], [2, 2, 2, 3, 3])  # No dates: most complete.


def test_fuzzy_names_at_the_threshold_boundary_within_a_company():
    leads = {"Name": ["Mario Rossi", "Mario Rosi", "Rossi, Mario", "Mario Rosi"],
             "Company": ["ACME S.r.l.", "Acme srl", "acme", "Other Ltd"]}
    # token sort ratio of 'mario rossi' and 'mario rosi' is 95.238…: in at 95.2, out at 95.3.
    assert groups(leads, keys=("name and company",), threshold=95.2) == ([0, 0, 0, -1], [0, 0, 0, 3])
    assert groups(leads, keys=("name and company",), threshold=95.3) == ([0, -1, 0, -1], [0, 1, 0, 3])
    # 100: only the same words (in any order).
    assert groups(leads, keys=("name and company",), threshold=100) == ([0, -1, 0, -1], [0, 1, 0, 3])


def test_a_big_company_compares_names_within_their_first_letter(monkeypatch):
    import scoring.duplicates as d

    monkeypatch.setattr(d, "BLOCK_LIMIT", 3)
    leads = {"Name": ["Mario Rossi", "Mario Rosi", "Anna Bi", "Carla Ne", "Dino Po"], "Company": ["Acme"] * 5}
    assert groups(leads, keys=("name and company",))[0] == [0, 0, -1, -1, -1]


def dup_model(merge="no", language="en"):
    model = default_model("b2b", language)
    model.fit_rules = []
    model.behaviour_rules = [BehaviourRule("Demo", "Demo", 45)]
    model.settings.behaviour_max = 100
    model.settings.duplicate_keys = ("email",)
    model.settings.merge_behaviour = merge
    return model


DUP_LEADS = pd.DataFrame({"Lead ID": ["L000123", "L000124", "L000125"],
                          "Email": ["ann@acme.com", "Ann@Acme.com", "bob@acme.com"],
                          "Demo": [1, 2, 0], "Created": [dt.date(2026, 1, 1), dt.date(2026, 2, 1), None]},
                         dtype=object)


def test_duplicates_say_whose_they_are_and_get_no_tasks():
    scored = evaluate_leads(DUP_LEADS, dup_model())
    assert scored.frame["action"].tolist() == ["No action", "Duplicate of L000123", "No action"]
    assert scored.frame["score"].tolist() == [45, 90, 0]  # Nothing else changes.
    tasks, _ = plan_tasks(DUP_LEADS, scored, scored.checked, None, AS_OF.date())
    assert tasks.empty
    model = dup_model()
    model.settings.duplicate_keys = ()
    alone = evaluate_leads(DUP_LEADS, model)
    assert alone.frame["action"].tolist() == ["No action", "Re-evaluate", "No action"]
    assert plan_tasks(DUP_LEADS, alone, alone.checked, None, AS_OF.date())[0]["lead_id"].tolist() == ["L000124"]
    italian = evaluate_leads(DUP_LEADS, dup_model(language="it"))
    assert italian.frame["action"].tolist()[1] == "Duplicato di L000123"


def test_the_setting_adds_the_duplicates_behaviour_to_the_kept_lead():
    out = evaluate_leads(DUP_LEADS, dup_model("yes")).frame
    assert out["behaviour"].tolist() == [100, 90, 0]
    assert out["reasons"].tolist() == ["Demo +45; behaviour of duplicates +90; behaviour cap −35", "Demo ×2 +90", ""]


def _book(path, language="en"):
    """A template whose leads hold two duplicate groups (by e-mail and by name and company)."""
    model = default_model("b2b", language, hygiene=True)
    columns = template.LEAD_COLUMNS["b2b"]
    leads = pd.DataFrame({template.header(m, language): [None] * 5 for m in columns}, dtype=object)
    h = lambda m: template.header(m, language)  # noqa: E731
    leads[h("id")] = ["L1", "L2", "L3", "L4", "L5"]
    leads[h("name")] = ["Ann Lee", "Ann Lee", "Bob Ray", "Bob  Ray", "Cy Hu"]
    leads[h("email")] = ["ann@acme.com", "ann@acme.com", "bob@beta.com", "b.ray@beta.com", "cy@acme.com"]
    leads[h("company")] = ["Acme", "Acme", "Beta S.p.A.", "Beta spa", "Acme"]
    leads[h("created")] = [dt.date(2026, 2, 1), dt.date(2026, 1, 1), None, None, None]
    template.build(path, model, leads, None, language, "b2b")
    return path


EXPECTED = [("Group", "Lead ID", "Kept or duplicate", "Kept lead", "Matched by", "Name", "Email", "Company", "Phone",
             "Leads row"),
            (1, "L2", "kept", "L2", "email; name and company", "Ann Lee", "ann@acme.com", "Acme", None, 3),
            (1, "L1", "duplicate", "L2", "email; name and company", "Ann Lee", "ann@acme.com", "Acme", None, 2),
            (2, "L3", "kept", "L3", "name and company", "Bob Ray", "bob@beta.com", "Beta S.p.A.", None, 4),
            (2, "L4", "duplicate", "L3", "name and company", "Bob  Ray", "b.ray@beta.com", "Beta spa", None, 5)]


def _sheet(path, title):
    wb = openpyxl.load_workbook(path)
    ws = wb[title]
    assert list(ws.tables) == ["tblDuplicates"]
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


@pytest.mark.slow
def test_the_duplicates_sheet_from_both_writers(tmp_path):
    package = _book(tmp_path / "package.xlsx")
    rescore(package, as_of=AS_OF)  # The command line's writer (PackageBook).
    assert _sheet(package, "Duplicates") == EXPECTED
    assert read_leads(package)["Action"].tolist()[:4] == ["Duplicate of L2", "No action", "No action",
                                                           "Duplicate of L3"]
    with_openpyxl = _book(tmp_path / "openpyxl.xlsx")
    book = FileBook(with_openpyxl)
    run_book(book, AS_OF)
    book.save()
    assert _sheet(with_openpyxl, "Duplicates") == EXPECTED
    rescore(package, as_of=AS_OF)  # A second run writes the sheet afresh, not twice.
    assert _sheet(package, "Duplicates") == EXPECTED


def test_the_italian_duplicates_sheet(tmp_path):
    path = _book(tmp_path / "it.xlsx", "it")
    rescore(path, as_of=AS_OF)
    rows = _sheet(path, "Duplicati")
    assert rows[0][:5] == ("Gruppo", "ID lead", "Mantenuto o duplicato", "Lead mantenuto", "Trovato per")
    assert rows[1][:5] == (1, "L2", "mantenuto", "L2", "email; nome e azienda")
    assert read_leads(path)["Azione"].tolist()[0] == "Duplicato di L2"


@pytest.mark.parametrize("name, value, message", [
    ("Duplicates by", "email; phone", "Duplicates by 'phone' needs a 'Phone' column ('Phone' is not a column of the "
                                      "leads (closest: Owner)); add it, or take 'phone' out of the setting"),
    ("Duplicates by", "email; fax", "Duplicates by 'fax' is not one of email, phone, name and company (separate "
                                    "them with ;)"),
    ("Name match threshold", 101, "Name match threshold 101 must be a number from 50 to 100 (100: only names with "
                                  "the same words)"),
    ("Keep", "newest", "Keep 'newest' is not one of oldest, most complete"),
    ("Add duplicates' behaviour", "maybe", "Add duplicates' behaviour 'maybe' is not one of yes, no"),
])
def test_bad_duplicates_settings_are_named_by_cell(tmp_path, name, value, message):
    path = _book(tmp_path / "book.xlsx")
    wb = openpyxl.load_workbook(path)
    cell = setting_cell(wb["LeadScore"], name)
    cell.value = value
    wb.save(path)
    assert check(path).errors == [f"LeadScore!{cell.coordinate}: {message}"]


def test_no_duplicates_setting_means_no_groups_and_nothing_set_aside():
    model = dup_model()
    model.settings.duplicate_keys = ()
    scored = evaluate_leads(DUP_LEADS, model)
    assert scored.duplicates is None
    assert not np.asarray(scored.set_aside).any()


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_consumer_templates_look_for_duplicates_by_email_only(tmp_path, language):
    # A consumer book has no Company column: the template must not ask for name and company.
    from scoring import default_model
    from workbook import template, workflow

    assert default_model("b2c", language, hygiene=True).settings.duplicate_keys == ("email",)
    book = tmp_path / "consumers.xlsx"
    template.new_workbook(book, language=language, profile="b2c", sample=30, seed=3)
    assert workflow.check(book).errors == []
    workflow.run(book)


@pytest.mark.parametrize("writer", ["package", "openpyxl"])
@pytest.mark.slow
def test_clearing_the_setting_empties_the_duplicates_sheet_of_an_earlier_run(tmp_path, writer):
    path = _book(tmp_path / "book.xlsx")
    rescore(path, as_of=AS_OF)
    assert _sheet(path, "Duplicates") == EXPECTED
    wb = openpyxl.load_workbook(path)
    setting_cell(wb["LeadScore"], "Duplicates by").value = None
    wb.save(path)
    if writer == "package":
        rescore(path, as_of=AS_OF)
    else:
        book = FileBook(path)
        run_book(book, AS_OF)
        book.save()
    # The sheet stays where it was, its table holds no group, and no lead is a duplicate now.
    assert _sheet(path, "Duplicates") == [EXPECTED[0]]
    back = openpyxl.load_workbook(path)
    assert back["Duplicates"].tables["tblDuplicates"].ref == "A1:J2"
    assert back.sheetnames.index("Duplicates") == wb.sheetnames.index("Duplicates")
    assert not any(str(a).startswith("Duplicate of") for a in read_leads(path)["Action"])


def test_a_sheet_named_duplicates_that_is_not_ours_is_left_alone(tmp_path):
    path = _book(tmp_path / "book.xlsx")
    wb = openpyxl.load_workbook(path)
    setting_cell(wb["LeadScore"], "Duplicates by").value = None
    wb.create_sheet("Duplicates")["A1"] = "my own list"
    wb.save(path)
    rescore(path, as_of=AS_OF)
    ws = openpyxl.load_workbook(path)["Duplicates"]
    assert ws["A1"].value == "my own list" and not ws.tables

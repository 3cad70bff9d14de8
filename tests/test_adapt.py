"""scoring.adapt: the default model's rules pointed at a team's own columns (for `leadscore init`)."""
from scoring import default_model
from scoring.adapt import adapt
from scoring.columns import guess


def test_columns_are_found_by_the_names_exports_give_them():
    columns = ["Contact ID", "Full name", "E-mail Address", "Job Title", "Sector", "Company size", "Turnover"]
    assert [guess(columns, m) for m in ("id", "name", "email", "role", "industry", "employees", "revenue")] == columns
    assert guess(["Status"], "stage") is None  # 'Status' is Lead Score's own output column.


def test_rules_follow_the_columns_and_the_missing_ones_are_left_out():
    a = adapt(default_model(), ["Contact ID", "Job Title", "Sector", "Company size", "Pricing page visits"])
    assert [(r.column, r.operator, r.points) for r in a.model.fit_rules] == [
        ("Role level", ">=", 15), ("Sector", "in", 10), ("Company size", ">", 10)]
    assert [r.column for r in a.model.behaviour_rules] == ["Pricing page visits"]
    assert a.model.settings.role_column == "Job Title"
    assert ("fit rule Industry in", "Industry", "Sector") in a.moved
    assert ("fit rule Annual revenue >", "Annual revenue") in a.left_out
    assert len(a.left_out) == 1 + 8  # Revenue and eight of the nine behaviours.
    assert default_model().fit_rules[1].column == "Industry"  # The model given is not changed.


def test_without_a_role_column_the_role_level_rule_is_left_out():
    a = adapt(default_model("b2b", "it"), ["Email", "Settore"])
    assert [r.column for r in a.model.fit_rules] == ["Settore"]
    assert ("fit rule Livello ruolo >=", "Livello ruolo") in a.left_out

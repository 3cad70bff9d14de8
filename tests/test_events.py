"""Behaviour rules over events (scoring/events.py): windows, decay, both, the run's time, duplicates,
and reasons that add up. The events are generated here, one lead or a few at a time."""
import datetime as dt

import numpy as np
import pandas as pd
import pytest

import scoring
from scoring import EventRule, ModelError
from scoring.events import seconds_of

AS_OF = dt.datetime(2026, 3, 1, 12, 0, 0)
BEHAVIOUR_COLUMNS = ("Pricing page visits", "Promo emails opened", "Welcome email clicked", "White papers downloaded",
                     "Newsletter signup", "Webinars attended", "Demo requests", "Quote requests",
                     "Unsubscribed or bounced")


def leads(n=1):
    """n leads of fit 0 (so that the score is the behaviour), ids L1 … and addresses l1@x.com …"""
    rows = [{"Lead ID": f"L{i + 1}", "Email": f"l{i + 1}@x.com", "Role": "Intern", "Industry": "Retail",
             "Employees": 5, "Annual revenue": 1000, **{c: 0 for c in BEHAVIOUR_COLUMNS}} for i in range(n)]
    return pd.DataFrame(rows)


def model(*rules):
    m = scoring.default_model()
    m.event_rules = list(rules)
    return m


def events(*rows):
    """(lead id or e-mail, days before AS_OF, event, detail[, campaign, user agent]) per event."""
    out = []
    for row in rows:
        key, days, event, detail, *rest = row
        when = AS_OF - dt.timedelta(days=days) if isinstance(days, (int, float)) else days
        out.append({"lead_id": key if "@" not in key else None, "email": key if "@" in key else None,
                    "time": when, "event": event, "detail": detail,
                    "campaign": rest[0] if rest else None, "user_agent": rest[1] if len(rest) > 1 else None})
    return pd.DataFrame(out)


def scored(rules, rows, n=1, as_of=AS_OF):
    return scoring.evaluate_leads(leads(n), model(*rules), events(*rows), as_of)


def reasons_add_up(frame):
    for _, row in frame.iterrows():
        total = 0.0
        for piece in row["reasons"].split("; ") if row["reasons"] else []:
            if piece.endswith(")") and " (" in piece:
                piece = piece[:piece.rindex(" (")]
            last = piece.rsplit(" ", 1)[-1]
            if last[:1] in "+\u2212":
                total += float(last[1:]) * (1 if last[0] == "+" else -1)
        assert round(total, 6) == row["score"], row["reasons"]


PAPER = EventRule("White paper", ("download",), 10, ("white paper",))


def test_each_event_counts_its_points_and_the_reason_says_how_many():
    s = scored([PAPER], [("L1", 1, "download", "White paper A"), ("L1", 400, "Download", "white paper B"),
                         ("L1", 2, "download", "Price list")])
    assert s.frame.loc[0, "behaviour"] == 20
    assert s.frame.loc[0, "reasons"] == "White paper \u00d72 +20"
    assert list(s.events.counted) == [True, True, False]


def test_a_window_counts_only_the_last_days_and_its_edge_is_in():
    rule = EventRule("White paper", ("download",), 10, ("white paper",), window=90)
    s = scored([rule], [("L1", 90, "download", "white paper"), ("L1", 90 + 1 / 86_400, "download", "white paper"),
                        ("L1", 10, "download", "white paper")])
    assert s.frame.loc[0, "behaviour"] == 20
    assert s.frame.loc[0, "reasons"] == "White paper \u00d72, last 90 days +20"


def test_decay_halves_the_points_every_half_life_and_rounds_to_whole_points():
    rule = EventRule("Webinar", ("webinar attended",), 10, half_life=30)
    ages = (0, 30, 60, 90)  # 10 + 5 + 2.5 + 1.25 = 18.75 -> 19
    s = scored([rule], [("L1", a, "webinar attended", "Spring webinar") for a in ages])
    assert s.frame.loc[0, "behaviour"] == 19
    assert s.frame.loc[0, "reasons"] == "Webinar \u00d74, decayed +19"
    one = scored([rule], [("L1", 45, "webinar attended", "x")])  # 10 × 0.5 ** 1.5 = 3.54 -> 4
    assert one.frame.loc[0, "reasons"] == "Webinar, decayed +4"


def test_window_and_decay_together_and_the_cap_after_them():
    rule = EventRule("White paper", ("download",), 10, ("white paper",), cap=15, window=90, half_life=90)
    s = scored([rule], [("L1", 0, "download", "white paper"), ("L1", 90, "download", "white paper"),
                        ("L1", 91, "download", "white paper")])
    assert s.frame.loc[0, "behaviour"] == 15  # 10 + 5 (the 91-day one is out), exactly the cap: no note.
    assert s.frame.loc[0, "reasons"] == "White paper \u00d72, last 90 days, decayed +15"
    s = scored([rule], [("L1", 0, "download", "white paper")] * 1 + [("L1", 1, "download", "white paper")])
    assert s.frame.loc[0, "reasons"] == "White paper \u00d72, last 90 days, decayed +15 (cap)"


def test_events_after_the_run_do_not_exist_yet_and_the_same_inputs_give_the_same_result():
    rule = EventRule("Webinar", ("webinar attended",), 10, half_life=30)
    rows = [("L1", 5, "webinar attended", "a"), ("L1", -3, "webinar attended", "b")]
    first = scored([rule], rows)
    assert first.frame.loc[0, "reasons"] == "Webinar, decayed +9"
    again = scored([rule], rows)
    pd.testing.assert_frame_equal(first.frame, again.frame)
    later = scored([rule], rows, as_of=AS_OF + dt.timedelta(days=3))
    assert later.frame.loc[0, "reasons"] == "Webinar \u00d72, decayed +18"  # 10 + 8.1 -> 18


def test_the_same_event_twice_counts_once():
    s = scored([PAPER], [("L1", 1, "download", "white paper"), ("l1", 1, "Download", "white paper"),
                         ("L1", 1, "download", "white paper 2")])
    assert s.frame.loc[0, "behaviour"] == 20
    assert list(s.events.mark_texts("en", s.checked.settings)) == ["", "duplicate", ""]


def test_events_find_their_lead_by_id_else_by_email_and_others_are_left_out():
    s = scored([PAPER], [("L2", 1, "download", "white paper"), (" L2@X.com", 1, "download", "white paper 2"),
                         ("nobody@x.com", 1, "download", "white paper"), ("L9", 1, "download", "white paper")], n=2)
    assert list(s.frame["behaviour"]) == [0, 20]
    assert list(s.events.lead) == [1, 1, -1, -1]


def test_times_are_read_as_exports_write_them():
    seconds, ok = seconds_of(pd.Series(["2026-03-01 10:15:00", "2026-03-01T10:15Z", "01/03/2026 10:15",
                                        dt.datetime(2026, 3, 1, 10, 15), 46082 + 10.25 / 24, 1772360100,
                                        1772360100000, "yesterday", None, dt.time(10, 15), True], dtype=object))
    assert list(ok) == [True] * 7 + [False] * 4
    assert len(set(seconds[:7])) == 1
    assert pd.Timestamp(int(seconds[0]), unit="s") == pd.Timestamp("2026-03-01 10:15")


def test_events_none_of_whose_times_can_be_read_count_nothing_and_stop_nothing():
    seconds, ok = seconds_of(pd.Series(["yesterday", "next week"], dtype=object))
    assert list(ok) == [False, False]
    s = scored([PAPER], [("L1", "yesterday", "download", "white paper")])
    assert list(s.frame["behaviour"]) == [0] and list(s.events.timed) == [False]


def test_rules_over_events_join_groups_and_the_reasons_add_up():
    m = model(EventRule("Paper", ("download",), 10, group="Content"), EventRule("Webinar", ("webinar",), 15,
                                                                               group="Content"))
    m.groups = [scoring.RuleGroup("Content", "max")]
    rows = [("L1", 1, "download", "x"), ("L1", 2, "webinar", "y"), ("L2", 1, "download", "x")]
    s = scoring.evaluate_leads(leads(2), m, events(*rows), AS_OF)
    assert list(s.frame["behaviour"]) == [15, 10]
    assert s.frame.loc[0, "reasons"] == "Content: Webinar +15 (best of 2)"
    reasons_add_up(s.frame)


def test_without_events_event_rules_give_nothing_and_old_models_score_as_before():
    plain = scoring.score(leads(2), scoring.default_model())
    assert scoring.score(leads(2), model(PAPER)).equals(plain)


@pytest.mark.parametrize("rule, field, message", [
    (EventRule("x", (), 5), "event", "is blank; type the event types the rule counts"),
    (EventRule("x", ("a",), 5, window=0), "window days", "0 must be a number of days above 0"),
    (EventRule("x", ("a",), 5, half_life=-3), "half-life days", "-3 must be a number of days above 0"),
    (EventRule("x", ("a",), 5, group="Nope"), "group", "'Nope' is not in the Rule groups table"),
])
def test_bad_event_rules_are_refused_by_field(rule, field, message):
    with pytest.raises(ModelError) as caught:
        model(rule).validate()
    (problem,) = caught.value.problems
    assert (problem.block, problem.index, problem.field) == ("event rule", 0, field)
    assert problem.message.startswith(message)


def test_a_group_of_event_rules_and_fit_rules_is_refused():
    m = model(EventRule("x", ("a",), 5, group="G"))
    m.groups = [scoring.RuleGroup("G")]
    m.fit_rules[0].group = "G"
    with pytest.raises(ModelError) as caught:
        m.validate()
    assert "a group holds fit rules or behaviour rules, not both" in str(caught.value)


def test_a_million_events_of_many_leads_score_as_per_lead_sums():
    """The bincount path agrees with a plain per-lead sum on random events (decay and window)."""
    rng = np.random.default_rng(3)
    n, m = 300, 20_000
    rule = EventRule("Visit", ("page view",), 2, window=60, half_life=20)
    ids = rng.integers(0, n, m)
    ages = rng.uniform(-5, 120, m)
    frame = pd.DataFrame({"lead_id": [f"L{i + 1}" for i in ids], "time": [AS_OF - dt.timedelta(days=a) for a in ages],
                          "event": "page view", "detail": [f"/p{k}" for k in range(m)]})
    s = scoring.evaluate_leads(leads(n), model(rule), frame, AS_OF)
    ok = (ages >= 0) & (ages <= 60)
    expected = np.zeros(n)
    np.add.at(expected, ids[ok], 2 * 0.5 ** (ages[ok] / 20))
    expected = np.minimum(np.sign(expected) * np.floor(np.abs(expected) + 0.5), 50)
    assert list(s.frame["behaviour"]) == list(expected.astype(int))

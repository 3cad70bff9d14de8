"""Bot and scanner filtering (scoring/bots.py): every rule at its boundary, suspect events kept and marked,
scoring nothing, and the lead's reasons saying how many were ignored and why."""
import datetime as dt

import pandas as pd
import pytest

import scoring
from scoring import EventRule

from test_events import AS_OF, leads, model

CLICK = EventRule("Email click", ("email clicked",), 5)
OPEN = EventRule("Email open", ("email opened",), 1)
T0 = AS_OF - dt.timedelta(days=2)
HUMAN = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0"


def run(rows, rules=(CLICK,), n=1, **settings):
    """rows: (lead, seconds after T0, event, detail, campaign, user agent)."""
    frame = pd.DataFrame([{"lead_id": r[0], "time": T0 + dt.timedelta(seconds=r[1]), "event": r[2], "detail": r[3],
                           "campaign": r[4] if len(r) > 4 else None, "user_agent": r[5] if len(r) > 5 else HUMAN}
                          for r in rows])
    m = model(*rules)
    for key, value in settings.items():
        setattr(m.settings, key, value)
    return scoring.evaluate_leads(leads(n), m, frame, AS_OF)


def marks(s):
    return list(s.events.mark_texts("en", s.checked.settings))


@pytest.mark.parametrize("gap, suspect", [(0, True), (5, True), (6, False)])
def test_a_click_within_the_scanner_seconds_of_the_delivery_is_suspect(gap, suspect):
    s = run([("L1", 0, "email delivered", "", "Spring"), ("L1", gap, "email clicked", "https://x/a", "Spring")])
    assert marks(s) == ["", "click within 5 s of delivery" if suspect else ""]
    assert s.frame.loc[0, "behaviour"] == (0 if suspect else 5)
    if suspect:
        assert s.frame.loc[0, "reasons"] == "1 suspect event ignored: click within 5 s of delivery \u00d71"


@pytest.mark.parametrize("gap, suspect", [(2, True), (2.999, True), (3, True), (4, False)])
def test_a_click_within_the_seconds_of_the_open_is_suspect_with_the_setting_changed(gap, suspect):
    s = run([("L1", 0, "email delivered", "", "Spring"), ("L1", 600, "email opened", "", "Spring"),
             ("L1", 600 + gap, "email clicked", "https://x/a", "Spring")], scanner_seconds=3)
    assert marks(s)[2] == ("click within 3 s of the open" if suspect else "")


def test_the_delivery_of_another_campaign_does_not_count_and_without_campaigns_the_lead_s_does():
    s = run([("L1", 0, "email delivered", "", "Spring"), ("L1", 2, "email clicked", "https://x/a", "Autumn")])
    assert marks(s) == ["", ""]
    s = run([("L1", 0, "email delivered", ""), ("L1", 2, "email clicked", "https://x/a")])
    assert marks(s) == ["", "click within 5 s of delivery"]
    s = run([("L2", 0, "email delivered", ""), ("L1", 2, "email clicked", "https://x/a")], n=2)
    assert marks(s) == ["", ""]


def test_scanner_seconds_0_turns_it_off():
    s = run([("L1", 0, "email delivered", "", "S"), ("L1", 0, "email clicked", "https://x/a", "S")],
            scanner_seconds=0)
    assert marks(s) == ["", ""]


@pytest.mark.parametrize("gaps, links, suspect", [
    ((0, 1), ("a", "b"), True),  # Two links, a second apart: a burst.
    ((0, 2), ("a", "b"), False),  # Two seconds apart: a person.
    ((0, 1), ("a", "a"), False),  # The same link twice is not several links.
    ((0, 1, 2, 3), ("a", "b", "c", "d"), True),  # Each within a second of the one before.
])
def test_several_links_of_one_email_clicked_within_a_second_are_suspect(gaps, links, suspect):
    rows = [("L1", 3600 + g, "email clicked", f"https://x/{link}", "Spring") for g, link in zip(gaps, links)]
    s = run(rows)
    assert marks(s) == ["links clicked at once" if suspect else ""] * len(rows)


def test_links_clicked_at_once_counts_links_up_to_the_setting():
    rows = [("L1", 3600 + g, "email clicked", f"https://x/{k}", "S") for g, k in ((0, "a"), (1, "b"))]
    assert marks(run(rows, burst_links=3)) == ["", ""]
    rows.append(("L1", 3601, "email clicked", "https://x/c", "S"))
    assert marks(run(rows, burst_links=3)) == ["links clicked at once"] * 3
    assert marks(run(rows, burst_links=0)) == ["", "", ""]


def test_links_clicked_at_once_of_1_is_refused():
    m = model(CLICK)
    m.settings.burst_links = 1
    with pytest.raises(scoring.ModelError, match="1 would mark every click"):
        m.validate()


@pytest.mark.parametrize("agent, suspect", [
    ("Mozilla/5.0 (compatible; Barracuda Sentinel (EE))", True),
    ("mimecast-url-protect/1.0", True),
    (HUMAN, False),
    (None, False),
])
def test_events_from_scanner_user_agents_are_suspect_whatever_their_type(agent, suspect):
    s = run([("L1", 3600, "email clicked", "https://x/a", "S", agent), ("L1", 7200, "page view", "/pricing", None,
                                                                     agent)],
            rules=(CLICK, EventRule("Pricing", ("page view",), 2)))
    assert marks(s) == ["scanner user agent" if suspect else ""] * 2
    assert s.frame.loc[0, "behaviour"] == (0 if suspect else 7)
    if suspect:
        assert s.frame.loc[0, "reasons"] == "2 suspect events ignored: scanner user agent \u00d72"


@pytest.mark.parametrize("later, suspect", [
    (None, True),  # Nothing after the open.
    (("page view", 1), False),  # A page view a second later: a person read it.
    (("page view", 0), True),  # At the same second is not later.
    (("page view", -60), True),  # Before the open does not count.
])
def test_opens_by_prefetching_mail_apps_with_no_later_activity_are_suspect(later, suspect):
    agent = "Mozilla/5.0 (Mail Privacy Protection)"
    rows = [("L1", 600, "email opened", "", "S", agent)]
    if later:
        rows.append(("L1", 600 + later[1], later[0], "/pricing", None))
    s = run(rows, rules=(OPEN,))
    assert marks(s)[0] == ("prefetched open" if suspect else "")
    assert s.frame.loc[0, "behaviour"] == (0 if suspect else 1)


def test_a_later_activity_that_is_suspect_itself_does_not_save_a_prefetched_open():
    rows = [("L1", 600, "email opened", "", "S", "YahooMailProxy"),
            ("L1", 900, "page view", "/pricing", None, "Proofpoint URL Defense")]
    assert marks(run(rows, rules=(OPEN,))) == ["prefetched open", "scanner user agent"]


def test_the_reason_counts_only_suspect_events_a_rule_would_have_counted_in_italian_too():
    rows = [("L1", 0, "email delivered", "", "S", "Mimecast"), ("L1", 1, "email clicked", "https://x/a", "S"),
            ("L1", 1, "email clicked", "https://x/b", "S")]
    s = run(rows)
    assert s.frame.loc[0, "reasons"] == "2 suspect events ignored: click within 5 s of delivery \u00d72"
    m = model(EventRule("Clic email", ("email cliccata",), 5))
    m.settings.language = "it"  # Reasons and marks in the book's language; event words of either are read.
    frame = pd.DataFrame({"lead_id": ["L1", "L1"], "time": [T0, T0 + dt.timedelta(seconds=1)],
                          "event": ["consegnata", "Email cliccata"], "detail": ["", "https://x/a"]})
    it = scoring.evaluate_leads(leads(1), m, frame, AS_OF)
    assert it.frame.loc[0, "reasons"] == "1 evento sospetto ignorato: clic entro 5 s dalla consegna \u00d71"
    assert list(it.events.mark_texts("it", m.settings)) == ["", "clic entro 5 s dalla consegna"]

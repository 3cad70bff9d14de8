"""A realistic activity export for sample leads: what an email and web analytics tool exports, one row per
event, consistent with the leads' behaviour columns, plus what scanners and mail apps add.

Each lead's pricing page visits, promotional emails opened, welcome email clicked, white papers downloaded
and webinars attended become that many events spread over the months before the export (page views of
/pricing, opens and clicks of a few campaigns with their deliveries, downloads, webinar attendance), with
blog page views and newsletter deliveries around them. Some leads' company mail goes through a security
gateway that clicks every link of a campaign within seconds of delivery, and some read their mail on an app
that prefetches images (an open with no later activity). Deterministic for a seed; pure (no I/O).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .defaults import header
from .model import EventRule

HEADERS = ("Email", "Timestamp", "Activity", "URL", "Campaign", "User agent")  # As a marketing tool names them.
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
SCANNER = "Mozilla/5.0 (compatible; Barracuda Sentinel (EE))"
PREFETCH = "Mozilla/5.0 (Mail Privacy Protection)"
CAMPAIGNS = {"en": ("Welcome", "Spring offer", "Product launch", "Webinar invitation", "Monthly newsletter"),
             "it": ("Benvenuto", "Offerta di primavera", "Lancio prodotto", "Invito al webinar", "Newsletter mensile")}
PAPERS = {"en": ("White paper: choosing a supplier", "Case study: Alfa Srl", "White paper: pricing guide"),
          "it": ("White paper: scegliere un fornitore", "Caso studio: Alfa Srl", "White paper: guida ai prezzi")}
WEBINARS = {"en": ("Webinar: getting started", "Webinar: best practices"),
            "it": ("Webinar: primi passi", "Webinar: buone pratiche")}
BLOG = ("/blog/five-mistakes", "/blog/checklist", "/blog/case-studies", "/product", "/about")


def demo_event_rules(language: str = "en") -> list:
    """The rules over events of the demo with events: the behaviours its export carries, counted over a
    window and decaying (the Leads columns of the same behaviours then score nothing)."""
    it = language == "it"
    campaigns = CAMPAIGNS[language]
    return [
        EventRule("Visita pagina prezzi" if it else "Pricing page visit", ("page view",), 5, ("/pricing",), cap=25,
                  window=90, half_life=60),
        EventRule("Email promozionale aperta" if it else "Promotional email opened", ("email opened",), 5,
                  campaigns[1:4], cap=15, window=90, half_life=45),
        EventRule("Email di benvenuto cliccata" if it else "Welcome email clicked", ("email clicked",), 10,
                  (campaigns[0],), cap=10),
        EventRule("White paper / caso studio scaricato" if it else "White paper / case study downloaded",
                  ("download",), 10, cap=30, window=180, half_life=90),
        EventRule("Webinar seguito" if it else "Webinar attended", ("webinar attended",), 10, cap=20, window=365,
                  half_life=120),
    ]


# The Leads columns the export carries: meaning -> the behaviour rule its events replace.
CARRIED = ("pricing", "promo", "welcome", "papers", "webinars")


def _counts(leads: pd.DataFrame, meaning: str, language: str) -> np.ndarray:
    """A behaviour column as whole counts (yes = 1; what is not a count, 0), at most 20."""
    name = header(meaning, language)
    if name not in leads.columns:
        return np.zeros(len(leads), dtype=np.int64)
    values = leads[name].astype(object)
    yes = values.map(lambda v: isinstance(v, str) and v.strip().lower() in ("yes", "sì", "si", "x")).to_numpy()
    numbers = pd.to_numeric(values.where(~values.map(lambda v: isinstance(v, str))), errors="coerce").to_numpy(float)
    numbers = np.where(yes, 1, np.nan_to_num(numbers, nan=0.0))
    return np.clip(np.where(numbers == np.floor(numbers), numbers, 0), 0, 20).astype(np.int64)


def activity_export(leads: pd.DataFrame, last: dt.datetime, seed: int = 0, language: str = "en",
                    days: int = 120, week: pd.DataFrame | None = None, week_days: int = 7) -> pd.DataFrame:
    """The export of the `days` days before `last` (columns HEADERS, by time), for the leads with an
    e-mail address. week: the demo's week (scoring.sample.demo_story's activity: new totals by Lead ID);
    what grew there happens in the last `week_days` days."""
    rng = np.random.default_rng(seed + 15)
    n = len(leads)
    emails = leads[header("email", language)].astype(object).to_numpy() if n else np.zeros(0, dtype=object)
    has = np.array([isinstance(e, str) and "@" in e for e in emails], dtype=bool)
    end = np.datetime64(last.replace(microsecond=0), "s")
    span = days * 86_400
    campaigns, papers, webinars = CAMPAIGNS[language], PAPERS[language], WEBINARS[language]
    parts = []

    def add(who, seconds_before, activity, url, campaign, agent):
        who = np.asarray(who, dtype=np.int64)
        parts.append(pd.DataFrame({
            "lead": who, "when": end - np.asarray(seconds_before, dtype=np.int64).astype("timedelta64[s]"),
            "Activity": activity, "URL": url, "Campaign": campaign, "User agent": agent}))

    def spread(counts, before=span, after=0):
        """Each lead repeated by its count, at a random time in (after, before] seconds before the end."""
        who = np.repeat(np.arange(n), np.where(has, counts, 0))
        return who, rng.integers(after + 1, before + 1, len(who))

    mobile = rng.random(n) < 0.3
    agents = np.where(mobile, PHONE, BROWSER).astype(object)
    # Campaigns: every lead with an address gets each campaign's email; deliveries 30 days apart.
    sent = {}
    for k, name in enumerate(campaigns):
        who = np.flatnonzero(has)
        at = np.full(len(who), span - k * 25 * 86_400 - 9 * 3600, dtype=np.int64)
        add(who, at, "email delivered", "", name, "")
        sent[name] = at[0] if len(at) else 0
    counted = {m: _counts(leads, m, language) for m in CARRIED}
    grew = {m: np.zeros(n, dtype=np.int64) for m in ("pricing", "papers")}
    if week is not None and len(week):  # What the demo's week added: those events happen in its last days.
        ids = leads[header("id", language)].astype(object).to_numpy()
        position = {v: i for i, v in enumerate(ids)}
        for m in grew:
            column = header(m, language)
            if column in week.columns:
                for lead_id, total in zip(week[header("id", language)], week[column]):
                    i = position.get(lead_id)
                    if i is not None:
                        grew[m][i] = max(0, int(total) - int(counted[m][i]))
    # Opens of the promotional campaigns, a few minutes to days after delivery; the welcome email's click.
    who, _ = spread(counted["promo"])
    pick = rng.integers(1, 4, len(who))
    after = rng.integers(300, 3 * 86_400, len(who))
    add(who, np.array([sent[campaigns[p]] for p in pick], dtype=np.int64) - after, "email opened", "",
        np.array(campaigns, dtype=object)[pick], agents[who])
    who, _ = spread(counted["welcome"])
    add(who, sent[campaigns[0]] - rng.integers(600, 86_400, len(who)), "email clicked", "https://example.com/welcome",
        campaigns[0], agents[who])
    # The web: pricing page views (the week's ones in its last days), downloads, webinars, the blog.
    who, at = spread(counted["pricing"], after=week_days * 86_400)
    add(who, at, "page view", "https://example.com/pricing", "", agents[who])
    who, at = spread(grew["pricing"], before=week_days * 86_400 - 3600)
    add(who, at, "page view", "https://example.com/pricing", "", agents[who])
    for counts, before, after in ((counted["papers"], span, week_days * 86_400),
                                  (grew["papers"], week_days * 86_400 - 3600, 0)):
        who, at = spread(counts, before, after)
        add(who, at, "download", np.array(papers, dtype=object)[rng.integers(0, len(papers), len(who))], "",
            agents[who])
    who, at = spread(counted["webinars"], after=week_days * 86_400)
    add(who, at, "webinar attended", np.array(webinars, dtype=object)[rng.integers(0, len(webinars), len(who))],
        campaigns[3], "")
    who, at = spread(rng.poisson(2, n))
    add(who, at, "page view", np.array([f"https://example.com{p}" for p in BLOG],
                                       dtype=object)[rng.integers(0, len(BLOG), len(who))], "", agents[who])
    # A security gateway at some companies: every link of each campaign clicked within seconds of delivery.
    gateway = np.flatnonzero(has & (rng.random(n) < 0.08))
    disguised = np.where(rng.random(len(gateway)) < 0.5, BROWSER, SCANNER).astype(object)  # Half say who they are.
    for name in campaigns[:3]:
        for j, link in enumerate(("https://example.com/offer", "https://example.com/pricing")):
            add(gateway, np.full(len(gateway), sent[name] - 2 - j, dtype=np.int64), "email clicked", link, name,
                disguised)
    # A mail app that prefetches: opens of the newsletter that nobody read.
    quiet = np.flatnonzero(has & (rng.random(n) < 0.1))
    add(quiet, np.full(len(quiet), sent[campaigns[4]] - 40, dtype=np.int64), "email opened", "", campaigns[4],
        PREFETCH)
    events = pd.concat(parts, ignore_index=True)
    events = events[events["when"] <= end]
    events = events.sort_values(["when", "lead"], kind="stable").reset_index(drop=True)
    stamps = pd.to_datetime(events["when"].to_numpy()).strftime("%Y-%m-%d %H:%M:%S")
    return pd.DataFrame({"Email": emails[events["lead"].to_numpy()], "Timestamp": stamps,
                         "Activity": events["Activity"].to_numpy(dtype=object),
                         "URL": events["URL"].to_numpy(dtype=object),
                         "Campaign": events["Campaign"].to_numpy(dtype=object),
                         "User agent": events["User agent"].to_numpy(dtype=object)})

"""Events that no person made: email security scanners, link checkers and mail apps that prefetch.

Scanners open and click every link of an email within seconds of its delivery, so a cold lead
looks hot. An event is suspect when (settings on the LeadScore sheet, see scoring.model.Settings):

* its user agent contains one of the *Scanner user agents* (any event);
* it is a click at most *Scanner click seconds* after the delivery or an open of the same email
  (the same lead and campaign; without a campaign, the lead's latest delivery or open);
* it is one of a burst of clicks on at least *Links clicked at once* different links of one email,
  each click within a second of the one before;
* it is an open whose user agent contains one of the *Prefetching mail agents*, and the lead did
  nothing after it (no click, page view, download ... that is not suspect itself).

Suspect events are kept and marked; they score nothing. Everything works on whole arrays: one sort
of the email events, running maxima along it, and counts per burst.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

# What each mark means; the words per language are in scoring.texts ("suspect: ..." keys).
NONE, DUPLICATE, AGENT, AFTER_DELIVERY, AFTER_OPEN, BURST, PREFETCH = range(7)
MARKS = ("", "duplicate", "scanner agent", "fast click delivery", "fast click open", "burst", "prefetch")
# Kinds of event, by the delivery, open and click settings.
OTHER, DELIVERY, OPEN, CLICK = range(4)

# Event types as email and marketing tools export them, English and Italian (either is read).
DELIVERY_EVENTS = ("email delivered", "delivered", "email sent", "sent", "email consegnata", "consegnata",
                   "inviata")
OPEN_EVENTS = ("email opened", "email open", "opened", "open", "email aperta", "aperta", "apertura")
CLICK_EVENTS = ("email clicked", "email click", "clicked", "click", "email cliccata", "clic", "cliccata")
# Parts of the user agents that email security gateways and link checkers send (case ignored).
SCANNER_AGENTS = ("Barracuda", "Mimecast", "Proofpoint", "MessageLabs", "Symantec", "Forcepoint", "IronPort",
                  "Cisco Secure Email", "Trend Micro", "TrendMicro", "Sophos", "FireEye", "Trellix", "Zscaler",
                  "SafeLinks", "Safe Links", "Microsoft Defender", "Avanan", "Check Point", "Abnormal Security",
                  "Vade Secure", "Cloudmark", "SpamTitan", "Libraesva", "HeadlessChrome", "python-requests",
                  "curl/", "Wget", "Go-http-client")
# Mail apps that fetch an email's images (its open pixel) before anyone reads it.
PREFETCH_AGENTS = ("Mail Privacy Protection", "Apple Privacy", "YahooMailProxy")


def contains_any(values: np.ndarray, parts) -> np.ndarray:
    """Per value (text or blank): whether it contains one of parts, case ignored."""
    parts = [str(p).casefold() for p in parts if str(p).strip()]
    if not parts or not len(values):
        return np.zeros(len(values), dtype=bool)
    texts = pd.Series(values, dtype=object).fillna("").astype(str).str.casefold()
    found = np.zeros(len(values), dtype=bool)
    for part in parts:
        found |= texts.str.contains(part, regex=False).to_numpy(dtype=bool)
    return found


def _keys(ident: np.ndarray, seconds: np.ndarray, low: int, span: int) -> np.ndarray | None:
    """ident × span + seconds since low, one number per event (None when it would not fit in 63 bits)."""
    if int(ident.max(initial=0)) >= (1 << 62) // span:
        return None
    return ident * span + (seconds - low)


def _latest(keys_of: np.ndarray, keys: np.ndarray, base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each key: whether an earlier-or-equal key of the same email is among keys_of (sorted), and
    the gap in seconds to the latest such."""
    at = np.searchsorted(keys_of, keys, side="right") - 1
    seen = at >= 0
    prior = keys_of[np.maximum(at, 0)] if len(keys_of) else np.zeros(len(keys), dtype=np.int64)
    same = seen & (prior >= base)
    return same, keys - prior


def mark(lead: np.ndarray, seconds: np.ndarray, kind: np.ndarray, email: np.ndarray, link: np.ndarray,
         scanner: np.ndarray, prefetch: np.ndarray, marks: np.ndarray, settings) -> np.ndarray:
    """Marks (NONE … PREFETCH) for events, given per event: the lead's position (-1: none), the time
    in seconds, the kind (OTHER, DELIVERY, OPEN, CLICK), the email (a campaign code, -1: unknown), the
    link (a detail code), whether the user agent is a scanner's and a prefetching app's, and the marks
    so far (duplicates); events already marked keep their mark."""
    marks = marks.copy()
    live = (marks == NONE) & (lead >= 0)
    marks[live & scanner] = AGENT
    seconds_off = float(settings.scanner_seconds or 0)
    burst = int(settings.burst_links or 0)
    # Every email event of a lead tells when its email arrived or was opened; marks go to unmarked clicks.
    mail = live & (kind != OTHER)
    if mail.any() and (seconds_off > 0 or burst >= 2):
        width = int(email.max(initial=-1)) + 2
        low = int(seconds[mail].min())
        span = int(seconds[mail].max()) - low + 1
        ident = lead.astype(np.int64) * width + (email + 1)
        clicks = np.flatnonzero(mail & (kind == CLICK))
        ckeys = _keys(ident[clicks], seconds[clicks], low, span)
        if ckeys is None:  # Too many leads × campaigns × seconds for one number: the lead's emails as one.
            width, ident = 1, lead.astype(np.int64)
            ckeys = _keys(ident[clicks], seconds[clicks], low, span)
        order = np.argsort(ckeys, kind="stable")  # Clicks by email and time (sorted look-ups are quick).
        clicks, ckeys = clicks[order], ckeys[order]
        base = ident[clicks] * span
        if seconds_off > 0:
            for source, code in ((DELIVERY, AFTER_DELIVERY), (OPEN, AFTER_OPEN)):
                at = np.flatnonzero(mail & (kind == source))
                keys_of = np.sort(_keys(ident[at], seconds[at], low, span))
                same, gap = _latest(keys_of, ckeys, base)
                fast = same & (gap <= seconds_off) & (marks[clicks] == NONE)
                marks[clicks[fast]] = code
        if burst >= 2 and len(clicks):
            c, keys_c, ids = clicks, ckeys, ident[clicks]
            new = np.ones(len(c), dtype=bool)
            new[1:] = (ids[1:] != ids[:-1]) | (keys_c[1:] - keys_c[:-1] > 1)
            bursts = np.cumsum(new) - 1
            links = link[c].astype(np.int64) + 1
            wide = int(links.max(initial=0)) + 1
            pairs = np.unique(bursts * wide + links)
            distinct = np.bincount(pairs // wide, minlength=int(bursts[-1]) + 1)
            hit = (distinct[bursts] >= burst) & (marks[c] == NONE)
            marks[c[hit]] = BURST
    opens = live & prefetch & (kind == OPEN) & (marks == NONE)
    if opens.any():
        later = (marks == NONE) & (lead >= 0) & ((kind == OTHER) | (kind == CLICK))
        last = pd.Series(seconds[later]).groupby(lead[later]).max()
        latest = np.full(int(lead.max(initial=0)) + 1, np.iinfo(np.int64).min, dtype=np.int64)
        latest[last.index.to_numpy(dtype=np.int64)] = last.to_numpy(dtype=np.int64)
        quiet = opens & (latest[np.maximum(lead, 0)] <= seconds)
        marks[quiet] = PREFETCH
    return marks

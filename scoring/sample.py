"""Synthetic leads for demos, tests and benchmarks: a realistic Italian-SME lead list.

sample_leads(n, seed, profile, language, messy) returns a DataFrame with exactly the
columns of scoring.defaults.LEAD_COLUMNS[profile], headed in the template's language.

Everything is drawn from one numpy Generator and built column-wise: names, companies
and emails come from small word lists combined by indexing and by one vectorised string
concatenation, so a million leads take about a second. There is no Python loop over leads.

The mix, for the default models:
- B2B: many micro and small firms, some large ones; roles from the Roles table plus a few
  that are not in it; mostly Italian companies; most leads have done little (behaviour
  counts mostly 0), some are warm, a few are heavy engagers; a few sales stages.
- Three leads (at random rows, when n >= 3) are built to score Lead, MQL and SQL with the
  default model and are never made messy, so every status occurs for any seed.
- messy=True: about 4% of the cells of each column hold what real sheets hold: blanks,
  numbers as text ('1200'), written the book's way (Italian '1.200', '2.500.000', '1,5';
  English '1,200', '1.5') or grouped with spaces ('1 200'), stray spaces and odd case ('  it ', 'RETAIL'), garbage ('1.2k',
  '€ 2M', 'n/a'), dates as text, and a few names or companies that look like formulas
  ('=HYPERLINK(...)', '+cmd|x', '@SUM(A1)', '-2+3'). Numeric columns are then of object
  dtype. Yes/no behaviour columns hold words ('yes'/'no', 'sì'/'no') for leads from web
  forms and fairs and 1/0 for the rest.
- messy=False: numbers are int64, 'Created' is datetime64, text is tidy; yes/no behaviour
  columns hold 1/0.

Text columns are of object dtype with None for blanks, as the workbook layer reads them.
"""
from __future__ import annotations

import datetime as dt
import functools
import itertools
import unicodedata

import numpy as np
import pandas as pd

from .defaults import LEAD_COLUMNS, PROFILES, ROLES, SALES_STAGES, header

MESSY_SHARE = 0.04  # Share of the cells of each column that get a messy value.

FIRST_NAMES_IT = (
    "Marco", "Giulia", "Luca", "Francesca", "Alessandro", "Chiara", "Andrea", "Sara", "Matteo",
    "Elena", "Lorenzo", "Valentina", "Davide", "Martina", "Simone", "Federica", "Stefano",
    "Silvia", "Paolo", "Laura", "Giovanni", "Anna", "Roberto", "Elisa", "Francesco", "Alessia",
    "Riccardo", "Roberta", "Niccolò", "Ilaria", "Fabio", "Cristina", "Giuseppe", "Maria",
    "Antonio", "Paola", "Daniele", "Barbara", "Emanuele", "Giorgia")
LAST_NAMES_IT = (
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
    "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo",
    "Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso",
    "Ferrara", "Galli", "Martini", "Leone", "Longo", "Gentile", "Martinelli", "Vitale",
    "Lombardo", "Serra", "Coppola", "De Santis", "D'Angelo", "Marchetti")
FIRST_NAMES_EN = (
    "James", "Emma", "Oliver", "Sophie", "William", "Charlotte", "Thomas", "Emily", "Daniel",
    "Hannah", "George", "Olivia", "Jack", "Lucy", "Michael", "Sarah")
LAST_NAMES_EN = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson",
    "Wright", "Thompson", "Evans", "Walker", "White", "Hughes", "Green")
ENGLISH_NAME_SHARE = 0.12

# Industries: IT and Manufacturing first (the default fit rule); weights sum to 1.
INDUSTRIES = {
    "en": ("IT", "Manufacturing", "Retail", "Services", "Healthcare", "Logistics",
           "Construction", "Food & beverage", "Tourism", "Finance"),
    "it": ("IT", "Manifatturiero", "Commercio al dettaglio", "Servizi", "Sanità", "Logistica",
           "Edilizia", "Alimentare", "Turismo", "Finanza"),
}
INDUSTRY_WEIGHTS = (0.15, 0.20, 0.12, 0.16, 0.07, 0.08, 0.08, 0.07, 0.04, 0.03)
COMPANY_CORES = (  # Per industry, in the order above; Italian firms keep Italian names.
    ("Informatica", "Software", "Sistemi", "Digital", "Data"),
    ("Meccanica", "Plast", "Metalli", "Automazione", "Stampi"),
    ("Store", "Market", "Moda", "Arredo", "Casa"),
    ("Consulting", "Servizi", "Studio", "Partners", "Consulenze"),
    ("Medical", "Salute", "Pharma", "Diagnostica", "Care"),
    ("Trasporti", "Logistica", "Spedizioni", "Cargo", "Express"),
    ("Costruzioni", "Edilizia", "Impianti", "Immobiliare", "Restauri"),
    ("Alimentari", "Vini", "Food", "Caseificio", "Pasta"),
    ("Hotel", "Viaggi", "Travel", "Resort", "Turismo"),
    ("Finanza", "Assicurazioni", "Capital", "Leasing", "Investimenti"),
)
COMPANY_PREFIXES = (
    "Rossi", "Bianchi", "Colombo", "Ferrari", "Galli", "Moretti", "Conti", "Fontana", "Alfa",
    "Nova", "Tecno", "Euro", "Italia", "Nord", "Adriatica", "Lombarda", "Veneta", "Emiliana",
    "Toscana", "Delta", "Omega", "Prima", "Sigma", "Centro", "Mediterranea", "Alpina", "Padana",
    "Ligure", "Sud", "Meta", "Orobica", "Brianza", "Salento", "Etna", "Dolomiti", "Iris")
LEGAL_FORMS = ("S.r.l.", "Srl", "S.p.A.", "SpA", "S.n.c.", "S.a.s.", "Ltd", "GmbH")
LEGAL_WEIGHTS_SMALL = (0.58, 0.14, 0.04, 0.01, 0.10, 0.08, 0.025, 0.025)
LEGAL_WEIGHTS_LARGE = (0.25, 0.05, 0.45, 0.10, 0.01, 0.01, 0.07, 0.06)
FREE_MAIL = ("gmail.com", "libero.it", "hotmail.it", "yahoo.it", "outlook.it", "virgilio.it",
             "alice.it", "tiscali.it")

UNKNOWN_ROLES = {
    "en": ("Freelancer", "Student", "Buyer", "Technician", "Office manager", "Project lead"),
    "it": ("Libero professionista", "Studente", "Buyer", "Tecnico", "Impiegato", "Capo progetto"),
}
# Weights for ROLES[language] in its order (both languages list the same roles), then unknown.
ROLE_WEIGHTS = (0.05, 0.07, 0.03, 0.02, 0.05, 0.08, 0.09, 0.05, 0.06, 0.07, 0.04, 0.16, 0.08,
                0.09, 0.03)
UNKNOWN_ROLE_SHARE = 0.03

COUNTRIES = {
    "en": ("Italy", "San Marino", "Switzerland", "France", "Spain", "Germany", "Austria",
           "United Kingdom"),
    "it": ("Italia", "San Marino", "Svizzera", "Francia", "Spagna", "Germania", "Austria",
           "Regno Unito"),
}
COUNTRY_WEIGHTS = (0.93, 0.01, 0.02, 0.015, 0.015, 0.007, 0.003, 0.0)  # Italian legal forms.
SOURCES = {
    "en": ("Web form", "Trade fair", "CRM import", "Referral", "LinkedIn", "Webinar", "Cold call"),
    "it": ("Modulo web", "Fiera", "Import CRM", "Segnalazione", "LinkedIn", "Webinar",
           "Chiamata a freddo"),
}
SOURCE_WEIGHTS = (0.34, 0.15, 0.20, 0.08, 0.13, 0.05, 0.05)
WORD_SOURCES = 2  # Leads from the first two sources write yes/no as words (messy data only).
OWNERS = ("Giulia Rossi", "Marco Bianchi", "Sara Colombo", "Luca Ferrari", "Paolo Conti",
          "Anna Smith")
YES_NO = {"en": ("yes", "no"), "it": ("sì", "no")}

# B2C profile (the default B2C model favours North/Centre, couples, Travel/Wellness/Home).
LOCATIONS = {"en": ("North", "Centre", "South", "Islands"), "it": ("Nord", "Centro", "Sud", "Isole")}
LOCATION_WEIGHTS = (0.45, 0.20, 0.25, 0.10)
MARITAL = {"en": ("Single", "Married", "Cohabiting", "Divorced", "Widowed"),
           "it": ("Single", "Sposato", "Convivente", "Divorziato", "Vedovo")}
MARITAL_WEIGHTS = (0.35, 0.35, 0.15, 0.10, 0.05)
TOPICS = {"en": ("Travel", "Wellness", "Home", "Sport", "Technology", "Food", "Fashion", "Finance"),
          "it": ("Viaggi", "Benessere", "Casa", "Sport", "Tecnologia", "Cucina", "Moda", "Finanza")}

# Behaviour: (meaning, kind, mean count or probability for cold, warm, hot leads).
BEHAVIOUR = (
    ("pricing", "count", (0.05, 0.8, 3.0)),
    ("promo", "count", (0.25, 1.2, 3.0)),
    ("welcome", "yesno", (0.05, 0.40, 0.75)),
    ("papers", "count", (0.03, 0.5, 1.5)),
    ("newsletter", "yesno", (0.06, 0.35, 0.60)),
    ("webinars", "count", (0.01, 0.2, 0.8)),
    ("demo", "count", (0.002, 0.05, 0.35)),
    ("quote", "count", (0.002, 0.04, 0.30)),
    ("unsubscribed", "yesno", (0.03, 0.01, 0.003)),
)
# Stage by engagement tier: (Opportunity, Customer, Disqualified) probabilities.
STAGE_PROBS = ((0.003, 0.002, 0.012), (0.02, 0.01, 0.01), (0.12, 0.05, 0.01))

# What messy cells look like.
FORMULA_TEXTS = ('=HYPERLINK("http://x","x")', "+cmd|x", "@SUM(A1)", "-2+3", "=1+1",
                 "=cmd|' /C calc'!A0")
FORMULA_SHARE = 0.08  # Of the messy cells of Company (B2B) or Name (B2C).
BLANK_TEXTS = (None, None, "", "  ")
GARBAGE_TEXTS = ("n/a", "?", "N.D.", "--", "tbd", "da verificare")
NUMBER_KINDS = ("blank", "text", "it_thousands", "en_thousands", "decimal", "spaces", "garbage",
                "abbrev")
NUMBER_KIND_WEIGHTS = (0.25, 0.18, 0.15, 0.08, 0.06, 0.10, 0.10, 0.08)
TEXT_KINDS = ("blank", "spaces", "upper", "lower", "garbage")
TEXT_KIND_WEIGHTS = (0.30, 0.30, 0.18, 0.14, 0.08)
YES_WORDS = ("Yes", " yes ", "YES", "Sì", "si", "x", "TRUE", "1")
NO_WORDS = ("No", " no ", "NO", "-", "false", "0")


STAGE_PROBS_NONE = tuple((*p, 1 - sum(p)) for p in STAGE_PROBS)  # ... and no stage.
SIZE_CLASSES = ((1, 10), (10, 50), (50, 250), (250, 5000))  # Employees, log-uniform within.
SIZE_WEIGHTS = (0.50, 0.30, 0.14, 0.06)
FIT_LEVELS = 10  # Engagement depends on fit in FIT_LEVELS + 1 steps (see _tier_table).

# Random draws. Most columns are categorical or small counts, so they are drawn as 16-bit
# uniforms looked up in a quantile table of 65,536 entries (one gather per column, exact to
# 1/65,536), which costs a fraction of numpy's float draws and searchsorted on a million leads.
_RES = 1 << 16


def _quantiles(cdf: np.ndarray) -> np.ndarray:
    """Quantile table: outcome index for each 16-bit uniform, given a cumulative distribution."""
    q = (np.arange(_RES) + 0.5) / _RES
    return np.minimum(np.searchsorted(cdf / cdf[-1], q, side="right"), len(cdf) - 1)


@functools.cache
def _cat_table(weights: tuple) -> np.ndarray:
    return _quantiles(np.cumsum(np.asarray(weights, dtype=float))).astype(np.uint8)


@functools.cache
def _count_table(kind: str, mean: float) -> np.ndarray:
    """Poisson(mean) counts ('count') or 1/0 with probability mean ('yesno')."""
    if kind == "yesno":
        return _cat_table((1 - mean, mean))
    pmf = np.empty(64)
    pmf[0] = np.exp(-mean)
    for k in range(1, 64):
        pmf[k] = pmf[k - 1] * mean / k
    return _quantiles(np.cumsum(pmf)).astype(np.uint8)


@functools.cache
def _size_table() -> np.ndarray:
    """Employees per (size class, uniform), log-uniform within each class."""
    q = (np.arange(_RES) + 0.5) / _RES
    return np.stack([np.floor(lo * (hi / lo) ** q) for lo, hi in SIZE_CLASSES]).astype(np.int64).ravel()


@functools.cache
def _tier_table(levels: int) -> np.ndarray:
    """Engagement tier (0 cold, 1 warm, 2 hot) per (fit level, uniform): fitter leads engage more."""
    rows = []
    for i in range(levels + 1):
        f = i / levels
        hot, warm = 0.03 + 0.07 * f, 0.15 + 0.15 * f
        rows.append(_cat_table((1 - hot - warm, warm, hot)))
    return np.stack(rows).ravel()


class _Draw:
    """The one numpy Generator behind a sample, with table-based draws."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)

    def u16(self, n: int) -> np.ndarray:
        return self.rng.integers(0, _RES, size=n, dtype=np.uint16)

    def cat(self, weights, n: int) -> np.ndarray:
        """Category indices (uint8) drawn with the given weights."""
        return _cat_table(tuple(weights))[self.u16(n)]

    def chance(self, p, n: int) -> np.ndarray:
        """True with probability p (a number, or one per lead)."""
        return self.u16(n) < np.rint(np.asarray(p) * _RES)

    def index(self, size: int, n: int) -> np.ndarray:
        """Uniform integers 0..size-1 (size well below 65,536)."""
        return self.u16(n).astype(np.int32) * size >> 16

    def rows(self, share: float, n: int) -> np.ndarray:
        """Sorted row numbers, each row in with probability share (Bernoulli gaps)."""
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        gaps = self.rng.geometric(share, size=int(n * share * 1.2) + 32)
        while gaps.sum() < n:
            gaps = np.concatenate([gaps, self.rng.geometric(share, size=len(gaps))])
        at = np.cumsum(gaps) - 1
        return at[at < n]

    def by_row(self, table: np.ndarray, row: np.ndarray) -> np.ndarray:
        """Draws from a stack of quantile tables, one table row per lead."""
        return table[(row.astype(np.int32) << 16) | self.u16(len(row))]


def _objects(values) -> np.ndarray:
    """A 1-d object array of the given values (a tuple of str stays one str per cell)."""
    values = list(values)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _ascii(word: str) -> str:
    """'Niccolò' -> 'niccolo', "D'Angelo" -> 'dangelo' (for e-mail addresses and domains)."""
    plain = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def _small_ints(values: np.ndarray) -> np.ndarray:
    """Small whole numbers as an object array of Python ints (a table lookup)."""
    table = np.arange(int(values.max(initial=0)) + 1).astype(object)
    return table[values]


def _grouped(values: np.ndarray, sep: str) -> np.ndarray:
    """Whole numbers with a thousands separator: 2500000 -> '2.500.000' (vectorised)."""
    rest = np.asarray(values, dtype=np.int64)
    text = None
    while text is None or (rest > 0).any():
        group, rest = rest % 1000, rest // 1000
        digits = group.astype(str)
        digits = np.where(rest > 0, np.char.zfill(digits, 3), digits)
        text = digits if text is None else np.where(group + rest > 0,
                                                    np.char.add(np.char.add(digits, sep), text), text)
    return text.astype(object)


def _one_decimal(values: np.ndarray, unit: float, mark: str) -> np.ndarray:
    """values / unit with one decimal: 1234 / 1000 -> '1.2' (or '1,2'); '2' when whole."""
    tenths = np.rint(np.asarray(values, dtype=float) / unit * 10).astype(np.int64)
    whole = (tenths // 10).astype(str)
    frac = (tenths % 10).astype(str)
    text = np.char.add(np.char.add(whole, mark), frac)
    return np.where(frac == "0", whole, text).astype(object)


@functools.cache
def _name_tables() -> tuple[np.ndarray, np.ndarray]:
    """Every 'First Last', and every e-mail local part (first.last, f.last, firstlast, first)."""
    first = FIRST_NAMES_IT + FIRST_NAMES_EN
    last = LAST_NAMES_IT + LAST_NAMES_EN
    full = _objects(f"{f} {l}" for f in first for l in last)
    af, al = [_ascii(f) for f in first], [_ascii(x) for x in last]
    styles = (lambda f, l: f"{f}.{l}", lambda f, l: f"{f[0]}.{l}", lambda f, l: f + l,
              lambda f, l: f)
    local = _objects(s(f, l) for s in styles for f in af for l in al)
    return full, local


@functools.cache
def _company_tables() -> tuple[np.ndarray, np.ndarray]:
    """Every company name, and every '@domain' (company domains, then free mail)."""
    names, domains = [], []
    for cores in COMPANY_CORES:
        for p in COMPANY_PREFIXES:
            for c in cores:
                for stem in (f"{p} {c}", f"{c} {p}"):
                    plain = _ascii(stem)
                    for form in LEGAL_FORMS:
                        names.append(f"{stem} {form}")
                        domains.append(f"@{plain}.{'com' if form in ('Ltd', 'GmbH') else 'it'}")
    return _objects(names), _objects(domains + [f"@{d}" for d in FREE_MAIL])


def _company_index(industry, prefix, core, core_first, legal):
    """Index into _company_tables() for (industry, prefix, core, order, legal form)."""
    return ((((industry * len(COMPANY_PREFIXES) + prefix) * 5 + core) * 2 + core_first)
            * len(LEGAL_FORMS) + legal)


class _Leads:
    """The columns under construction, by meaning, and what later steps need."""

    def set(self, meaning: str, vocabulary, codes: np.ndarray):
        """A text column: vocabulary[codes] (an object array of str, None for blanks)."""
        vocabulary = vocabulary if isinstance(vocabulary, np.ndarray) else _objects(vocabulary)
        self.cols[meaning] = vocabulary[codes]
        self.codes[meaning] = (codes, vocabulary)

    def __init__(self, seed: int, n: int, profile: str, language: str):
        self.draw, self.n, self.profile, self.language = _Draw(seed), n, profile, language
        self.cols: dict[str, np.ndarray] = {}
        self.codes: dict[str, tuple] = {}  # Text columns drawn from a vocabulary: (codes, vocabulary).
        self.keep = np.zeros(n, dtype=bool)  # Rows never made messy (the planted examples).
        self.local = np.empty(0, dtype=object)  # E-mail local part per lead.
        self.domain = np.zeros(n, dtype=np.int32)  # Index of the e-mail domain.
        self.company = ()  # (prefix, core, core_first, legal) per lead, for B2B.
        self.source = np.zeros(n, dtype=np.uint8)  # Index into SOURCES[language].


def _names(b: _Leads):
    d, n = b.draw, b.n
    n_it, n_en = len(FIRST_NAMES_IT), len(FIRST_NAMES_EN)
    l_it, l_en = len(LAST_NAMES_IT), len(LAST_NAMES_EN)
    english = d.chance(ENGLISH_NAME_SHARE, n)
    a, z = d.u16(n).astype(np.int32), d.u16(n).astype(np.int32)
    first = np.where(english, n_it + (a * n_en >> 16), a * n_it >> 16)
    last = np.where(english, l_it + (z * l_en >> 16), z * l_it >> 16)
    combo = first * (l_it + l_en) + last
    full, local = _name_tables()
    b.set("name", full, combo)
    style = d.cat((0.55, 0.25, 0.12, 0.08), n).astype(np.int32)
    b.local = local[style * len(full) + combo]


def _emails(b: _Leads, company: np.ndarray | None):
    """first.last@company-domain, or a free mail address for some (all, in B2C)."""
    d, n = b.draw, b.n
    _, domains = _company_tables()
    n_company = len(domains) - len(FREE_MAIL)
    free = n_company + d.index(len(FREE_MAIL), n)
    b.domain = free if company is None else np.where(d.chance(0.18, n), free, company)
    b.cols["email"] = b.local + domains[b.domain]  # The one per-lead string concatenation.


def _firmographics(b: _Leads) -> np.ndarray:
    """Company, size, revenue, industry, country and role; returns a fit level 0..FIT_LEVELS."""
    d, n, lang = b.draw, b.n, b.language
    size_class = d.cat(SIZE_WEIGHTS, n)
    employees = d.by_row(_size_table(), size_class)
    revenue = employees * np.exp(np.log(140_000) + 0.5 * d.rng.standard_normal(n, dtype=np.float32))
    thousands = np.rint(np.maximum(revenue, 30_000) / 1000)
    big = thousands >= 1000  # Over a million: rounded to ten thousand.
    thousands[big] = np.rint(thousands[big] / 10) * 10
    revenue = thousands.astype(np.int64) * 1000
    industry = d.cat(INDUSTRY_WEIGHTS, n).astype(np.int32)
    u = d.u16(n)
    legal = np.where(employees >= 250, _cat_table(LEGAL_WEIGHTS_LARGE)[u],
                     _cat_table(LEGAL_WEIGHTS_SMALL)[u]).astype(np.int32)
    prefix = d.index(len(COMPANY_PREFIXES), n)
    core = d.index(5, n)
    core_first = d.chance(0.3, n).astype(np.int32)
    names, _ = _company_tables()
    k = _company_index(industry, prefix, core, core_first, legal)
    b.cols["company"] = names[k]
    b.company = (prefix, core, core_first, legal)
    # Country follows the legal form: Ltd -> United Kingdom, GmbH -> Germany/Austria/Switzerland.
    country = d.cat(COUNTRY_WEIGHTS, n)
    country[legal == LEGAL_FORMS.index("Ltd")] = 7
    gmbh = np.flatnonzero(legal == LEGAL_FORMS.index("GmbH"))
    country[gmbh] = np.array([5, 6, 2], dtype=np.uint8)[d.index(3, len(gmbh))]
    b.set("country", COUNTRIES[lang], country)
    roles = list(ROLES[lang]) + list(UNKNOWN_ROLES[lang])
    role_w = np.array(ROLE_WEIGHTS) / sum(ROLE_WEIGHTS) * (1 - UNKNOWN_ROLE_SHARE)
    unknown_w = np.full(len(UNKNOWN_ROLES[lang]), UNKNOWN_ROLE_SHARE / len(UNKNOWN_ROLES[lang]))
    role = d.cat(np.concatenate([role_w, unknown_w]), n)
    levels = np.array(list(ROLES[lang].values()) + [0] * len(UNKNOWN_ROLES[lang]))
    b.set("role", roles, role)
    b.set("industry", INDUSTRIES[lang], industry)
    b.cols.update(employees=employees, revenue=revenue)
    _emails(b, k)
    # Fit roughly as the default model sees it (15 + 10 + 10 + 15 = 50 points, in fives).
    fit = (3 * (levels[role] >= 3) + 2 * (industry <= 1) + 2 * (employees > 50)
           + 3 * (revenue > 1_000_000))
    return fit.astype(np.int32)


def _consumer(b: _Leads) -> np.ndarray:
    """Age, location, marital status, interests and country; returns a fit level."""
    d, n, lang = b.draw, b.n, b.language
    age = np.clip(np.rint(41 + 13 * d.rng.standard_normal(n, dtype=np.float32)), 18, 85)
    age = age.astype(np.int64)
    location = d.cat(LOCATION_WEIGHTS, n)
    marital = d.cat(MARITAL_WEIGHTS, n)
    young = np.flatnonzero((age < 25) & d.chance(0.85, n))
    marital[young] = 0
    topics = TOPICS[lang]
    combos = [c for k in (1, 2, 3) for c in itertools.combinations(range(len(topics)), k)]
    sizes = [len(topics), len(topics) * (len(topics) - 1) // 2]
    weights = ([0.45 / sizes[0]] * sizes[0] + [0.40 / sizes[1]] * sizes[1]
               + [0.15 / (len(combos) - sum(sizes))] * (len(combos) - sum(sizes)))
    interests = d.cat(weights, n)
    texts = _objects("; ".join(topics[i] for i in c) for c in combos)
    hits_topic = np.array([any(i < 3 for i in c) for c in combos])
    b.cols["age"] = age
    b.set("location", LOCATIONS[lang], location)
    b.set("marital", MARITAL[lang], marital)
    b.set("interests", texts, interests)
    b.set("country", COUNTRIES[lang], d.cat(COUNTRY_WEIGHTS, n))
    _emails(b, None)
    fit = (((age >= 25) & (age <= 45)).astype(np.int32) + (location <= 1)
           + ((marital == 1) | (marital == 2)) + hits_topic[interests])
    return (fit * FIT_LEVELS) // 4


def _activity(b: _Leads, fit_level: np.ndarray):
    """Behaviour counts, source, stage, owner, consent and creation date."""
    d, n, lang = b.draw, b.n, b.language
    tier = d.by_row(_tier_table(FIT_LEVELS), fit_level)
    hot_rows = np.flatnonzero(tier == 2)
    for meaning, kind, means in BEHAVIOUR:
        table = np.concatenate([_count_table(kind, m) for m in means])
        counts = d.by_row(table, tier).astype(np.int64)
        if kind == "count":  # A few very heavy engagers.
            heavy = hot_rows[d.chance(0.02, len(hot_rows))]
            counts[heavy] += d.rng.integers(5, 40, size=len(heavy))
        b.cols[meaning] = counts
    b.source = d.cat(SOURCE_WEIGHTS, n)
    b.set("source", SOURCES[lang], b.source)
    stage = d.by_row(np.concatenate([_cat_table(p) for p in STAGE_PROBS_NONE]), tier)
    b.set("stage", (*SALES_STAGES[lang], None), stage)
    followed = (stage < 3) | (tier == 2)
    with_owner = d.u16(n) < np.where(followed, int(0.6 * _RES), int(0.1 * _RES))
    owner = np.where(with_owner, d.index(len(OWNERS), n), len(OWNERS))
    b.set("owner", (*OWNERS, None), owner)
    consent = d.by_row(np.concatenate([_cat_table((p, 1 - p)) for p in (0.25, 0.45, 0.55)]), tier)
    b.set("consent", YES_NO[lang], consent)
    # Created: working hours (8:00-19:00) within the two years before a date fixed by the seed,
    # in order, so lead ids follow creation order.
    start = (np.datetime64("2022-07-01", "D") + int(d.rng.integers(0, 730))).astype("datetime64[m]")
    slot = np.sort(d.rng.integers(0, 730 * 660, size=n, dtype=np.int32))
    day, minute = np.divmod(slot, 660)
    minutes = day.astype(np.int64) * 1440 + 480 + minute
    b.cols["created"] = (start + minutes.astype("timedelta64[m]")).astype("datetime64[s]")


def _plant(b: _Leads):
    """Three leads that are Lead, MQL and SQL under the default model, at random rows."""
    if b.n < 3:
        return
    rows = b.draw.rng.choice(b.n, size=3, replace=False)
    lang, c = b.language, b.cols
    zero = {m: 0 for m, _, _ in BEHAVIOUR}
    if b.profile == "b2b":
        levels = ROLES[lang]
        top = next(r for r, v in levels.items() if v == 5)
        manager = next(r for r, v in levels.items() if v == 3)
        junior = [r for r, v in levels.items() if v == 1][-1]
        ind = INDUSTRIES[lang]
        examples = (  # Fit 0 -> D0 Lead; fit 50 + behaviour 35 -> A85 MQL; 50 + 50 -> A100 SQL.
            dict(role=junior, industry=ind[2], employees=4, revenue=300_000, **zero),
            dict(role=manager, industry=ind[0], employees=1200, revenue=25_000_000,
                 **{**zero, "pricing": 5, "papers": 1}),
            dict(role=top, industry=ind[1], employees=320, revenue=48_000_000,
                 **{**zero, "pricing": 6, "papers": 2, "demo": 1, "quote": 1}),
        )
    else:
        loc, mar, top = LOCATIONS[lang], MARITAL[lang], TOPICS[lang]
        examples = (  # Fit 0 -> Lead; fit 30 (A) + behaviour 20 -> MQL; 40 + 50 -> SQL.
            dict(age=62, location=loc[2], marital=mar[0], interests=top[3], **zero),
            dict(age=30, location=loc[0], marital=mar[0], interests=f"{top[0]}; {top[2]}",
                 **{**zero, "pricing": 4}),
            dict(age=36, location=loc[1], marital=mar[1], interests=top[1],
                 **{**zero, "pricing": 4, "papers": 2, "webinars": 1, "demo": 1}),
        )
    for row, values in zip(rows, examples):
        for meaning, value in {**values, "stage": None}.items():
            c[meaning][row] = value
    if b.profile == "b2b":  # The company's name and e-mail domain follow its new industry.
        names, domains = _company_tables()
        industry = np.array([INDUSTRIES[lang].index(c["industry"][r]) for r in rows])
        k = _company_index(industry, *(part[rows] for part in b.company))
        c["company"][rows] = names[k]
        b.domain[rows] = np.where(b.domain[rows] < len(names), k, b.domain[rows])
        c["email"][rows] = b.local[rows] + domains[b.domain[rows]]
    b.keep[rows] = True


def _messy_numbers(d: _Draw, values: np.ndarray, big: bool, count: bool, language: str = "en") -> np.ndarray:
    """Messy spellings of whole numbers (object array, one per value).

    A book writes numbers one way, as its people do: an Italian one '1.200' and '12,5', an
    English one '1,200' and '12.5'; either may group with spaces ('1 200'). A column never
    mixes the two conventions, so it reads as a person would read it (scoring.parse)."""
    thousands, decimal = (".", ",") if language == "it" else (",", ".")
    currency = "€ " if language == "it" else "$"
    values = np.asarray(values, dtype=np.int64)
    out = np.empty(len(values), dtype=object)
    kind = d.cat(NUMBER_KIND_WEIGHTS, len(values))
    plain = np.empty(len(values), dtype=object)
    wanted = np.isin(kind, [NUMBER_KINDS.index(k) for k in ("text", "decimal", "spaces")])
    plain[wanted] = values[wanted].astype(str).astype(object)
    for k, name in enumerate(NUMBER_KINDS):
        sel = np.flatnonzero(kind == k)
        if not len(sel):
            continue
        v = values[sel]
        if name == "blank":
            piece = _objects(BLANK_TEXTS)[d.index(len(BLANK_TEXTS), len(sel))]
        elif name == "text":
            piece = plain[sel]
        elif name == "it_thousands":  # The book's own grouping: '1.200' (it) or '1,200' (en).
            piece = _grouped(v, thousands)
            if big:  # '€ 1.200.000' or '1.200.000,00' (both read as numbers).
                style = d.index(3, len(sel))
                piece = np.where(style == 1, currency + piece,
                                 np.where(style == 2, piece + decimal + "00", piece))
        elif name == "en_thousands":  # Grouped with spaces: '1 200', in either language.
            piece = _grouped(v, " ")
        elif name == "decimal":  # '1,5', '12,5' (or '12.5'): a fraction where a whole number belongs.
            piece = plain[sel] + decimal + "5"
        elif name == "spaces":
            piece = np.where(d.chance(0.5, len(sel)), " " + plain[sel], plain[sel] + "  ")
        elif name == "garbage" or count:
            piece = _objects(GARBAGE_TEXTS)[d.index(len(GARBAGE_TEXTS), len(sel))]
        elif big:  # '€ 2M', '2,5 mln': readable to people, not numbers.
            millions = _one_decimal(np.maximum(v, 100_000), 1e6, ",")
            piece = np.where(d.chance(0.5, len(sel)), "€ " + millions + "M", millions + " mln")
        else:  # '1.2k'
            piece = _one_decimal(np.maximum(v, 100), 1000, ".") + "k"
        out[sel] = piece
    return out


def _variant(v: np.ndarray, which: int) -> np.ndarray:
    """One way to disfigure texts (a str array): 0–2 stray spaces, 3 UPPER, 4 lower."""
    if which == 0:
        return np.char.add(np.char.add("  ", np.char.lower(v)), " ")  # '  it '
    if which == 1:
        return np.char.add(" ", v)
    if which == 2:
        return np.char.add(v, "  ")
    return np.char.upper(v) if which == 3 else np.char.lower(v)


def _text_variants(texts: np.ndarray) -> np.ndarray:
    """Every _variant of every text (None stays None): shape (5, len(texts))."""
    out = np.full((5, len(texts)), None, dtype=object)
    filled = np.not_equal(texts, None)
    if filled.any():
        v = texts[filled].astype(str)
        out[:, filled] = np.stack([_variant(v, j) for j in range(5)]).astype(object)
    return out


def _messy_texts(d: _Draw, values: np.ndarray, coded: tuple | None = None) -> np.ndarray:
    """Messy versions of text cells (object array of str or None).

    coded: (codes, vocabulary) of these cells, to disfigure the vocabulary once rather than
    every cell.
    """
    out = np.empty(len(values), dtype=object)
    kind = d.cat(TEXT_KIND_WEIGHTS, len(values))
    kind[np.equal(values, None)] = 0  # Nothing to disfigure in a blank: it stays blank.
    for k, name in enumerate(TEXT_KINDS):
        sel = np.flatnonzero(kind == k)
        if not len(sel):
            continue
        if name in ("blank", "garbage"):
            words = BLANK_TEXTS if name == "blank" else GARBAGE_TEXTS
            out[sel] = _objects(words)[d.index(len(words), len(sel))]
            continue
        variant = (d.index(3, len(sel)) if name == "spaces"
                   else np.full(len(sel), 3 if name == "upper" else 4))
        if coded is not None:
            codes, vocabulary = coded
            out[sel] = _text_variants(vocabulary)[variant, codes[sel]]
            continue
        for j in np.unique(variant):
            cells = sel[variant == j]
            out[cells] = _variant(values[cells].astype(str), int(j)).astype(object)
    return out


@functools.cache
def _two_digits() -> np.ndarray:
    return _objects(f"{i:02d}" for i in range(100))


def _messy_dates(d: _Draw, values: np.ndarray) -> np.ndarray:
    """Dates as text ('2024-03-12', '12/03/2024'), blanks and garbage."""
    days = values.astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    years = months.astype("datetime64[Y]")
    year = years.astype(np.int64) + 1970
    month = (months - years.astype("datetime64[M]")).astype(np.int64) + 1
    day = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
    dd, mm = _two_digits()[day], _two_digits()[month]
    yyyy = _two_digits()[year // 100] + _two_digits()[year % 100]
    style = d.index(4, len(values))
    piece = np.where(style == 1, yyyy + "-" + mm + "-" + dd, dd + "/" + mm + "/" + yyyy)
    piece[style == 0] = None
    piece[style == 3] = "n/a"
    return piece


YESNO_MEANINGS = tuple(m for m, kind, _ in BEHAVIOUR if kind == "yesno")
COUNT_MEANINGS = tuple(m for m, kind, _ in BEHAVIOUR if kind == "count") + ("age",)


def _make_messy(b: _Leads, formula_column: str):
    d, n, c = b.draw, b.n, b.cols
    yes, no = YES_NO[b.language]
    words = _objects((0, 1, no, yes))
    for meaning in LEAD_COLUMNS[b.profile]:
        if meaning == "id":
            continue
        col = c[meaning]
        sel = d.rows(MESSY_SHARE, n)
        sel = sel[~b.keep[sel]]
        if meaning == "created":
            obj = col.astype(object)  # datetime.datetime, as a sheet gives them.
            piece = _messy_dates(d, col[sel])
        elif meaning in YESNO_MEANINGS:  # 1/0, or words for leads from forms and fairs.
            obj = words[col + 2 * (b.source < WORD_SOURCES)]
            piece = _messy_numbers(d, col[sel], big=False, count=True, language=b.language)
            word = np.flatnonzero(d.chance(0.6, len(sel)))
            said = np.where(col[sel][word] > 0,
                            _objects(YES_WORDS)[d.index(len(YES_WORDS), len(word))],
                            _objects(NO_WORDS)[d.index(len(NO_WORDS), len(word))])
            piece[word] = said
        elif col.dtype != object:  # Whole numbers.
            count = meaning in COUNT_MEANINGS
            obj = _small_ints(col) if count else col.astype(object)
            piece = _messy_numbers(d, col[sel], big=meaning == "revenue", count=count, language=b.language)
        else:
            obj = col  # Built for this sample only: changed in place.
            coded = b.codes.get(meaning)
            piece = _messy_texts(d, col[sel], None if coded is None else (coded[0][sel], coded[1]))
            if meaning == formula_column:
                formula = np.flatnonzero(d.chance(FORMULA_SHARE, len(sel)))
                piece[formula] = _objects(FORMULA_TEXTS)[d.index(len(FORMULA_TEXTS), len(formula))]
        obj[sel] = piece
        c[meaning] = obj
    # A few lead texts that look like formulas, always (when there is room).
    free = np.flatnonzero(~b.keep)
    if len(free) >= 10:
        rows = d.rng.choice(free, size=min(len(FORMULA_TEXTS), len(free) // 10), replace=False)
        c[formula_column][rows] = _objects(FORMULA_TEXTS)[:len(rows)]


def _ids(n: int) -> np.ndarray:
    """'L000001', 'L000002', … (seven digits and more past 999,999)."""
    width = max(6, len(str(n)))
    high = _objects(f"L{i:0{width - 3}d}" for i in range(n // 1000 + 1))  # n/1000 strings
    low = _objects(f"{i:03d}" for i in range(1000))
    x = np.arange(1, n + 1, dtype=np.int32)
    return high[x // 1000] + low[x % 1000]


def sample_leads(n: int, seed: int = 0, profile: str = "b2b", language: str = "en",
                 messy: bool = True) -> pd.DataFrame:
    """n synthetic leads with the columns of LEAD_COLUMNS[profile], headed in `language`.

    Deterministic for a seed. With the default model every status (Lead, MQL, SQL) occurs
    when n >= 3. messy=True puts blanks, numbers as text, Italian and English spellings,
    garbage and formula-looking texts in about 4% of the cells (numeric columns become
    object dtype); messy=False gives int64 numbers, datetime64 dates and tidy text.
    """
    if profile not in PROFILES:
        raise ValueError(f"profile {profile!r} is not one of {', '.join(PROFILES)}")
    if language not in ("en", "it"):
        raise ValueError(f"language {language!r} is not one of en, it")
    n = int(n)
    if n < 0:
        raise ValueError(f"n must be 0 or more, not {n}")
    b = _Leads(seed, n, profile, language)
    _names(b)
    fit_level = _firmographics(b) if profile == "b2b" else _consumer(b)
    _activity(b, fit_level)
    _plant(b)
    if messy:
        _make_messy(b, "company" if profile == "b2b" else "name")
    b.cols["id"] = _ids(n)
    # copy=False: no consolidation of the columns into one 2-d block (that copy costs more
    # than building them); object arrays stay object (pandas would infer str otherwise).
    return pd.DataFrame({header(m, language): pd.Series(b.cols[m], dtype=b.cols[m].dtype, copy=False)
                         for m in LEAD_COLUMNS[profile]}, copy=False)


# --- The demo's story ----------------------------------------------------------------------------

# What leads do in the demo's week between its two runs: (meaning of a behaviour column, more of it).
WARMING = (("pricing", 2), ("papers", 1))  # A warm lead reads up: +10 and +10 with the default model.
BUYING = (("demo", 1), ("quote", 1))  # An MQL asks for a demo and a quote: +20 and +20.


def demo_story(n: int, first: dt.date, seed: int = 0, language: str = "en", days: int = 180):
    """The demo's leads on its first run, created over the `days` days before `first`, and what some
    of them did in the week after: (leads, activity). activity holds the Lead ID and the new
    totals of the behaviour columns that changed, for the leads that acted: the MQLs closest to
    the SQL threshold asked for a demo and a quote, the A and B leads closest to MQL read up
    (pricing page, white paper). Deterministic for a seed; pure (no I/O)."""
    from .defaults import default_model
    from .engine import score

    leads = sample_leads(n, seed=seed, language=language)
    created = header("created", language)
    stamps = leads[created]
    clean = stamps.map(type).isin((dt.datetime, pd.Timestamp)).to_numpy()  # Messy cells stay as they are.
    start = np.datetime64(dt.datetime.combine(first, dt.time(8, 0)) - dt.timedelta(days=days), "m")
    k = np.arange(n, dtype=np.int64)
    new = (start + (k * days // max(n, 1) * 1440 + k * 37 % 600).astype("timedelta64[m]")).astype("datetime64[s]")
    leads[created] = pd.Series(np.where(clean, new.astype(object), stamps.to_numpy(dtype=object)), dtype=object)
    scored = score(leads, default_model("b2b", language))
    heads = {m: header(m, language) for m, _ in WARMING + BUYING}
    plain = np.ones(n, dtype=bool)
    for column in heads.values():  # Counts written as numbers (not '1.200' or 'yes'), so adding to them is plain.
        plain &= leads[column].map(type).isin((int, np.int64)).to_numpy()
    status, grade = scored["status"].to_numpy(dtype=object), scored["grade"].to_numpy(dtype=object)
    points = pd.to_numeric(scored["score"], errors="coerce").to_numpy(dtype=float)
    fit = pd.to_numeric(scored["fit"], errors="coerce").to_numpy(dtype=float)
    behaviour = pd.to_numeric(scored["behaviour"], errors="coerce").to_numpy(dtype=float)
    # With the default model (behaviour held at 50): the MQLs a demo and a quote make SQL, and the A and
    # B leads that a pricing visit and a white paper make MQL.
    buyers = np.flatnonzero(plain & (status == "MQL") & (fit + np.minimum(behaviour + 40, 50) >= 90))
    buyers = buyers[np.argsort(-points[buyers], kind="stable")][:max(1, n // 40)]
    warm = np.flatnonzero(plain & (status == "Lead") & np.isin(grade, ("A", "B"))
                          & (fit + np.minimum(behaviour + 20, 50) >= 50))
    warm = warm[np.argsort(-points[warm], kind="stable")][:max(1, n // 20)]
    activity = leads.iloc[np.sort(np.concatenate([buyers, warm]))][[header("id", language), *heads.values()]].copy()
    for who, moves in ((buyers, BUYING), (warm, WARMING)):
        for meaning, more in moves:
            at = activity.index.isin(leads.index[who])
            activity.loc[at, heads[meaning]] = activity.loc[at, heads[meaning]].astype(np.int64) + more
    activity = activity.reset_index(drop=True)
    return leads, activity

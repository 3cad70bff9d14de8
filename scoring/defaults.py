"""The default models of DESIGN §2 (B2B and B2C), in English and Italian.

LEAD_COLUMNS lists each template's Leads headers by meaning, so the workbook
layer and the sample generator agree on names in both languages.
"""
from __future__ import annotations

import datetime as dt

from .texts import PLACEHOLDERS
from .model import (ActionPlan, BehaviourRule, FitRule, GradeBand, Model, ScoreBand, SequenceStep,
                    Settings, StatusRule, TeamMember)

# Meaning -> (English header, Italian header).
HEADERS = {
    "id": ("Lead ID", "ID lead"),
    "name": ("Name", "Nome"),
    "email": ("Email", "Email"),
    "phone": ("Phone", "Telefono"),
    "company": ("Company", "Azienda"),
    "role": ("Role", "Ruolo"),
    "industry": ("Industry", "Settore"),
    "employees": ("Employees", "Dipendenti"),
    "revenue": ("Annual revenue", "Fatturato annuo"),
    "age": ("Age", "Età"),
    "location": ("Location", "Zona"),
    "marital": ("Marital status", "Stato civile"),
    "interests": ("Interests", "Interessi"),
    "country": ("Country", "Paese"),
    "source": ("Source", "Fonte"),
    "owner": ("Owner", "Responsabile"),
    "created": ("Created", "Creato il"),
    "stage": ("Stage", "Fase"),
    "consent": ("Consent SMS/WhatsApp", "Consenso SMS/WhatsApp"),
    "pricing": ("Pricing page visits", "Visite pagina prezzi"),
    "promo": ("Promo emails opened", "Email promozionali aperte"),
    "welcome": ("Welcome email clicked", "Email di benvenuto cliccata"),
    "papers": ("White papers downloaded", "White paper scaricati"),
    "newsletter": ("Newsletter signup", "Iscrizione newsletter"),
    "webinars": ("Webinars attended", "Webinar seguiti"),
    "demo": ("Demo requests", "Richieste demo"),
    "quote": ("Quote requests", "Richieste preventivo"),
    "unsubscribed": ("Unsubscribed or bounced", "Disiscritto o respinto"),
    "role_level": ("Role level", "Livello ruolo"),
    # Outputs.
    "fit": ("Fit", "Profilo"),
    "grade": ("Grade", "Grado"),
    "behaviour": ("Behaviour", "Comportamento"),
    "score": ("Score", "Punteggio"),
    "rating": ("Rating", "Rating"),
    "status": ("Status", "Stato"),
    "action": ("Action", "Azione"),
    "reasons": ("Reasons", "Motivi"),
    "problems": ("Problems", "Problemi"),
    "scored_at": ("Scored at", "Valutato il"),
    # Enrolment, written by the tasks step.
    "sequence": ("Sequence", "Sequenza"),
    "sequence_start": ("Sequence start", "Inizio sequenza"),
}

BEHAVIOUR_INPUTS = ("pricing", "promo", "welcome", "papers", "newsletter", "webinars", "demo",
                    "quote", "unsubscribed")
LEAD_COLUMNS = {
    "b2b": ("id", "name", "email", "company", "role", "industry", "employees", "revenue", "country",
            "source", "owner", "created", "stage", "consent") + BEHAVIOUR_INPUTS,
    "b2c": ("id", "name", "email", "age", "location", "marital", "interests", "country",
            "source", "owner", "created", "stage", "consent") + BEHAVIOUR_INPUTS,
}
OUTPUT_COLUMNS = ("fit", "grade", "behaviour", "score", "rating", "status", "action", "reasons",
                  "problems", "scored_at")
ENROLMENT_COLUMNS = ("sequence", "sequence_start")
PROFILES = tuple(LEAD_COLUMNS)


def header(meaning: str, language: str) -> str:
    return HEADERS[meaning][0 if language == "en" else 1]


ROLES = {
    "en": {"CEO": 5, "Owner": 5, "Managing director": 5, "CFO": 5, "Director": 4,
           "Purchasing manager": 3, "Marketing manager": 3, "HR manager": 3, "IT manager": 3,
           "Sales manager": 3, "Operations manager": 3, "Specialist": 2, "Consultant": 2,
           "Assistant": 1, "Intern": 1},
    "it": {"CEO": 5, "Titolare": 5, "Amministratore delegato": 5, "Direttore finanziario": 5,
           "Direttore": 4, "Responsabile acquisti": 3, "Responsabile marketing": 3,
           "Responsabile HR": 3, "Responsabile IT": 3, "Responsabile vendite": 3,
           "Responsabile operativo": 3, "Specialista": 2, "Consulente": 2, "Assistente": 1,
           "Stagista": 1},
}

BEHAVIOURS = {  # meaning -> (English name, Italian name, points)
    "pricing": ("Pricing page visit", "Visita pagina prezzi", 5),
    "promo": ("Promotional email opened", "Email promozionale aperta", 5),
    "welcome": ("Welcome email opened and clicked", "Email di benvenuto aperta e cliccata", 10),
    "papers": ("White paper / case study downloaded", "White paper / caso studio scaricato", 10),
    "newsletter": ("Newsletter signup", "Iscrizione alla newsletter", 10),
    "webinars": ("Webinar attended", "Webinar seguito", 10),
    "demo": ("Demo or trial requested", "Demo o prova richiesta", 20),
    "quote": ("Quote requested", "Preventivo richiesto", 20),
    "unsubscribed": ("Unsubscribed or bounced", "Disiscritto o respinto", -10),
}

ACTIONS = {  # grade -> actions for bands 0–49, 50–89, 90+
    "en": {"A": ("Wait", "Priority contact", "Potential SQL"),
           "B": ("Nurture", "MQL", "SQL"),
           "C": ("No action", "Watch", "Re-evaluate"),
           "D": ("No action", "Watch", "Re-evaluate")},
    "it": {"A": ("Attesa", "Contatto prioritario", "SQL potenziale"),
           "B": ("Coltivazione", "MQL", "SQL"),
           "C": ("Nessuna azione", "Osservazione", "Rivalutazione"),
           "D": ("Nessuna azione", "Osservazione", "Rivalutazione")},
}

SALES_STAGES = {"en": ("Opportunity", "Customer", "Disqualified"),
                "it": ("Opportunità", "Cliente", "Squalificato")}

TARGET_AREA = {"en": "North;Centre", "it": "Nord;Centro"}
COUPLE = {"en": "Married;Cohabiting", "it": "Sposato;Convivente"}
TOPICS = {"en": "Travel;Wellness;Home", "it": "Viaggi;Benessere;Casa"}
INDUSTRIES = {"en": "IT;Manufacturing", "it": "IT;Manifatturiero"}


# Sequences of DESIGN §4: (sequence, step, business day, channel, content, owner role).
SEQUENCES = {
    "en": [
        ("SQL call", 1, 1, "Phone", "Call within 1 business day: qualify need, budget and timing", "Sales"),
        ("Standard", 1, 0, "Email", "Deliver the resource and where to start", "Marketing"),
        ("Standard", 2, 2, "Email", "A common mistake and its fix", "Marketing"),
        ("Standard", 3, 5, "WhatsApp", "Social proof: a customer case or testimonial", "Marketing"),
        ("Standard", 4, 8, "Email", "Choice criteria: checklist and comparison", "Marketing"),
        ("Standard", 5, 12, "Phone", "Strong call to action: demo, quote or consultation; "
                                     "who it is and isn't for", "Sales"),
        ("Nurture", 1, 0, "Email", "Educational article on the lead's topic", "Marketing"),
        ("Nurture", 2, 10, "Email", "Guide or white paper", "Marketing"),
        ("Nurture", 3, 20, "Email", "Webinar or event invitation", "Marketing"),
        ("Watch", 1, 0, "Email", "Add to the monthly newsletter", "Marketing"),
        ("Re-evaluate", 1, 0, "Task", "Check the lead's data: role, industry, size, revenue", "Marketing"),
    ],
    "it": [
        ("Chiamata SQL", 1, 1, "Phone", "Chiamare entro 1 giorno lavorativo: bisogno, budget e tempi",
         "Vendite"),
        ("Standard", 1, 0, "Email", "Consegna della risorsa e da dove iniziare", "Marketing"),
        ("Standard", 2, 2, "Email", "Un errore comune e come evitarlo", "Marketing"),
        ("Standard", 3, 5, "WhatsApp", "Prova sociale: un caso cliente o una testimonianza", "Marketing"),
        ("Standard", 4, 8, "Email", "Criteri di scelta: checklist e confronto", "Marketing"),
        ("Standard", 5, 12, "Phone", "Invito forte: demo, preventivo o consulenza; "
                                     "per chi è e per chi non è", "Vendite"),
        ("Coltivazione", 1, 0, "Email", "Articolo formativo sul tema del lead", "Marketing"),
        ("Coltivazione", 2, 10, "Email", "Guida o white paper", "Marketing"),
        ("Coltivazione", 3, 20, "Email", "Invito a webinar o evento", "Marketing"),
        ("Osservazione", 1, 0, "Email", "Aggiungere alla newsletter mensile", "Marketing"),
        ("Rivalutazione", 1, 0, "Task", "Verificare i dati del lead: ruolo, settore, dimensione, fatturato",
         "Marketing"),
    ],
}
PLANS = {  # action -> (sequence, priority)
    "en": [("Potential SQL", "SQL call", 1), ("SQL", "SQL call", 1), ("Priority contact", "Standard", 2),
           ("MQL", "Standard", 2), ("Nurture", "Nurture", 3), ("Watch", "Watch", 4),
           ("Re-evaluate", "Re-evaluate", 3), ("Wait", "", 5), ("No action", "", 5)],
    "it": [("SQL potenziale", "Chiamata SQL", 1), ("SQL", "Chiamata SQL", 1),
           ("Contatto prioritario", "Standard", 2), ("MQL", "Standard", 2),
           ("Coltivazione", "Coltivazione", 3), ("Osservazione", "Osservazione", 4),
           ("Rivalutazione", "Rivalutazione", 3), ("Attesa", "", 5), ("Nessuna azione", "", 5)],
}
TEAM = {"en": [("Marco Bianchi", "Sales"), ("Laura Conti", "Sales"), ("Sara Ferri", "Marketing")],
        "it": [("Marco Bianchi", "Vendite"), ("Laura Conti", "Vendite"), ("Sara Ferri", "Marketing")]}


def easter(year: int) -> dt.date:
    """Easter Sunday (Gregorian calendar; anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def italian_holidays(year: int) -> list:
    """Italian national holidays of a year (4 October is one again from 2026)."""
    fixed = [(1, 1), (1, 6), (4, 25), (5, 1), (6, 2), (8, 15), (11, 1), (12, 8), (12, 25), (12, 26)]
    if year >= 2026:
        fixed.append((10, 4))
    days = [dt.date(year, m, d) for m, d in fixed] + [easter(year) + dt.timedelta(days=1)]
    return sorted(days)


ITALIAN_HOLIDAY_NAMES = {(1, 1): "Capodanno", (1, 6): "Epifania", (4, 25): "Festa della Liberazione",
                         (5, 1): "Festa dei lavoratori", (6, 2): "Festa della Repubblica", (8, 15): "Ferragosto",
                         (10, 4): "San Francesco d'Assisi", (11, 1): "Ognissanti", (12, 8): "Immacolata Concezione",
                         (12, 25): "Natale", (12, 26): "Santo Stefano"}


def holiday_name(day: dt.date) -> str:
    """The Italian name of a national holiday ('' for a day that is none)."""
    if day == easter(day.year) + dt.timedelta(days=1):
        return "Lunedì dell'Angelo"
    return ITALIAN_HOLIDAY_NAMES.get((day.month, day.day), "")


def _fit_rules(profile: str, language: str) -> list:
    h = lambda m: header(m, language)  # noqa: E731
    if profile == "b2c":
        return [FitRule(h("age"), "between", "25;45", 10),
                FitRule(h("location"), "in", TARGET_AREA[language], 10),
                FitRule(h("marital"), "in", COUPLE[language], 10),
                FitRule(h("interests"), "contains", TOPICS[language], 10)]
    return [FitRule(h("role_level"), ">=", 3, 15),
            FitRule(h("industry"), "in", INDUSTRIES[language], 10),
            FitRule(h("employees"), ">", 50, 10),
            FitRule(h("revenue"), ">", 1_000_000, 15)]


# Hygiene rules of the templates: meaning of the column, English and Italian name, kind, points.
HYGIENE_RULES = (
    ("email", "Disposable email address", "Indirizzo email usa e getta", "disposable email", -20),
    ("email", "Free-mail address (B2B)", "Indirizzo email gratuito (B2B)", "free mail", -5),
    ("email", "Invalid email address", "Indirizzo email non valido", "invalid email", -10),
    ("email", "Role account (info@, sales@ …)", "Casella di ruolo (info@, vendite@ …)", "role account", -5),
    ("name", "Fake name", "Nome fittizio", "fake name", -10),
)
JUNK_ACTION = {"en": "Junk", "it": "Scarto"}
PHONE_REGION = {"en": "", "it": "IT"}


def hygiene_rules(profile: str, language: str) -> list:
    """The templates' hygiene rules (free mail only for B2B: consumers use free mail)."""
    lang = 0 if language == "en" else 1
    return [BehaviourRule((en, it)[lang], header(meaning, language), points, kind=kind)
            for meaning, en, it, kind, points in HYGIENE_RULES if profile == "b2b" or kind != "free mail"]


def default_model(profile: str = "b2b", language: str = "en", year: int | None = None,
                  hygiene: bool = False) -> Model:
    """The model of DESIGN §2 and §4 for a profile ('b2b' or 'b2c') and language ('en' or 'it').

    The Italian model lists Italian national holidays of `year` and the next (default: this year).
    hygiene: also the templates' hygiene rules (disposable, free mail, invalid, role account, fake
    name), disposable addresses junk, and duplicates looked for by e-mail, phone, name and company.
    """
    if profile not in PROFILES:
        raise ValueError(f"profile {profile!r} is not one of {', '.join(PROFILES)}")
    if language not in ("en", "it"):
        raise ValueError(f"language {language!r} is not one of en, it")
    lang = 0 if language == "en" else 1
    behaviours = [BehaviourRule(BEHAVIOURS[m][lang], header(m, language), BEHAVIOURS[m][2])
                  for m in BEHAVIOUR_INPUTS]
    b2c = profile == "b2c"
    if hygiene:
        behaviours += hygiene_rules(profile, language)
    # Consumers have no company column: their duplicates are found by e-mail.
    extra = dict(junk_kinds=("disposable email",), junk_action=JUNK_ACTION[language],
                 duplicate_keys=("email",) if b2c else ("email", "name and company"),
                 phone_region=PHONE_REGION[language]) if hygiene else {}
    grade_mins = (30, 20, 10) if b2c else (45, 30, 15)
    return Model(
        fit_rules=_fit_rules(profile, language),
        behaviour_rules=behaviours,
        roles=dict(ROLES[language]) if not b2c else {},
        grade_bands=[GradeBand("A", grade_mins[0]), GradeBand("B", grade_mins[1]),
                     GradeBand("C", grade_mins[2]), GradeBand("D", None)],
        score_bands=[ScoreBand("0\u201349", 0), ScoreBand("50\u201389", 50), ScoreBand("90+", 90)],
        matrix={g: tuple(a) for g, a in ACTIONS[language].items()},
        status_rules=[StatusRule("SQL", 90, ()), StatusRule("MQL", 50, ("A", "B"))],
        settings=Settings(
            fit_max=40 if b2c else 50, behaviour_max=50, score_min=0, score_max=100,
            role_column=header("role", language), role_level_column=header("role_level", language),
            stage_column=header("stage", language), sales_stages=SALES_STAGES[language],
            default_status="Lead", decimal="auto" if language == "en" else ",", language=language,
            placeholders=PLACEHOLDERS[language], **extra),
        sequences=[SequenceStep(*row) for row in SEQUENCES[language]],
        action_plans=[ActionPlan(*row) for row in PLANS[language]],
        team=[TeamMember(*row) for row in TEAM[language]],
        holidays=[] if language == "en" else
        italian_holidays(year or dt.date.today().year) + italian_holidays((year or dt.date.today().year) + 1),
    )

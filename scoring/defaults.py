"""The default models of DESIGN §2 (B2B and B2C), in English and Italian.

LEAD_COLUMNS lists each template's Leads headers by meaning, so the workbook
layer and the sample generator agree on names in both languages.
"""
from __future__ import annotations

from .model import (BehaviourRule, FitRule, GradeBand, Model, ScoreBand, Settings,
                    StatusRule)

# Meaning -> (English header, Italian header).
HEADERS = {
    "id": ("Lead ID", "ID lead"),
    "name": ("Name", "Nome"),
    "email": ("Email", "Email"),
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


def default_model(profile: str = "b2b", language: str = "en") -> Model:
    """The model of DESIGN §2 for a profile ('b2b' or 'b2c') and language ('en' or 'it')."""
    if profile not in PROFILES:
        raise ValueError(f"profile {profile!r} is not one of {', '.join(PROFILES)}")
    if language not in ("en", "it"):
        raise ValueError(f"language {language!r} is not one of en, it")
    lang = 0 if language == "en" else 1
    behaviours = [BehaviourRule(BEHAVIOURS[m][lang], header(m, language), BEHAVIOURS[m][2])
                  for m in BEHAVIOUR_INPUTS]
    b2c = profile == "b2c"
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
            default_status="Lead", decimal="auto" if language == "en" else ",", language=language),
    )

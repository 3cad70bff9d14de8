"""The Report's words in English and Italian, and its outcome blocks as data (both Report writers use them)."""
from __future__ import annotations

REPORT_SHEET = "Report"
PERCENT = "0.0%"
DAYS = "0.0"
NONE = "\u2014"  # Shown where a figure cannot be computed.

LABELS = {
    "title": ("Lead funnel report \u2013 {date}", "Report del funnel dei lead \u2013 {date}"),
    "as_of": ("As of", "Dati al"),
    "heat": ("Leads by grade \u00d7 score band", "Lead per grado \u00d7 fascia di punteggio"),
    "grade": ("Grade", "Grado"),
    "total": ("Total", "Totale"),
    "by_status": ("Leads by status", "Lead per stato"),
    "status": ("Status", "Stato"),
    "leads_col": ("Leads", "Lead"),
    "share": ("Share", "Quota"),
    "kpis": ("Key figures", "Indicatori chiave"),
    "kpi": ("Figure", "Indicatore"),
    "value": ("Value", "Valore"),
    "based_on": ("Based on (leads)", "Base (lead)"),
    "how": ("How it is computed", "Come si calcola"),
    "conversion": ("Conversion by score band", "Conversione per fascia di punteggio"),
    "band": ("Score band", "Fascia di punteggio"),
    "customers": ("Customers", "Clienti"),
    "rate": ("Conversion rate", "Tasso di conversione"),
    "chart": ("Leads by status (besides {status}: {n})", "Lead per stato (oltre a {status}: {n})"),
    "funnel": ("Funnel", "Funnel"),
    "step": ("Step", "Passo"),
    "reached": ("Leads that reached it", "Lead arrivati"),
    "share_all": ("Share of all leads", "Quota di tutti i lead"),
    "from_before": ("From the step before", "Dal passo prima"),
    "funnel_note": ("Every lead reached {first}; a later step counts the leads whose Status is that step or a "
                    "later one", "Ogni lead è arrivato a {first}; un passo successivo conta i lead il cui Stato è "
                    "quel passo o uno dopo"),
    "shade_priority": ("Shaded by the priority of each cell's action (darkest: call first); the numbers are leads",
                       "Colore per priorità dell'azione di ogni cella (più scuro: da chiamare prima); i numeri "
                       "sono lead"),
    "shade_conversion": ("Shaded by conversion in each cell (won ÷ known outcomes; darkest: highest); the numbers "
                         "are leads", "Colore per conversione di ogni cella (vinti ÷ esiti noti; più scuro: la più "
                         "alta); i numeri sono lead"),
    "new_sql": ("New SQLs since the previous run ({n})", "Nuovi SQL dall'ultimo calcolo ({n})"),
    "lead": ("Lead", "Lead"),
    "rating": ("Rating", "Rating"),
    "outcomes": ("Outcomes (column {column}): {known} of {leads} leads with a known outcome, {won} won; "
                 "{unreadable} unreadable cells count as unknown; Status {customer} counts as won; "
                 "conversion = won \u00f7 known",
                 "Esiti (colonna {column}): {known} lead su {leads} con esito noto, {won} vinti; "
                 "{unreadable} celle illeggibili contano come non note; lo Stato {customer} conta come vinto; "
                 "conversione = vinti \u00f7 noti"),
    "by_grade_outcome": ("Conversion by grade", "Conversione per grado"),
    "by_status_outcome": ("Conversion by status", "Conversione per stato"),
    "by_band_outcome": ("Conversion by score band (outcomes)", "Conversione per fascia di punteggio (esiti)"),
    "by_decile": ("Conversion by score decile (1 = highest scores)",
                  "Conversione per decile di punteggio (1 = punteggi più alti)"),
    "decile": ("Decile", "Decile"),
    "max_score": ("Highest score", "Punteggio più alto"),
    "min_score": ("Lowest score", "Punteggio più basso"),
    "known": ("Known outcome", "Esito noto"),
    "won": ("Won", "Vinti"),
    "capture": ("Leads passed to sales vs conversions captured",
                "Lead passati alle vendite e conversioni catturate"),
    "passed": ("Passed to sales", "Passati alle vendite"),
    "share_leads": ("Share of leads", "Quota dei lead"),
    "share_won": ("Share of conversions captured", "Quota delle conversioni catturate"),
    "status_passed": ("Status {statuses}", "Stato {statuses}"),
    "or": (" or ", " o "),
    "top_deciles": ("Top {k}0% by score", "Primo {k}0% per punteggio"),
}

# KPI key -> (English label, Italian label, English definition, Italian definition).
KPIS = {
    "leads": ("Number of leads", "Numero di lead",
              "Rows of the Leads table that were scored",
              "Righe della tabella Leads valutate"),
    "pct_mql": ("% MQL", "% MQL",
                "Leads with Status MQL \u00f7 all leads",
                "Lead con Stato MQL \u00f7 tutti i lead"),
    "pct_sql": ("% SQL", "% SQL",
                "Leads with Status SQL \u00f7 all leads",
                "Lead con Stato SQL \u00f7 tutti i lead"),
    "mql_to_sql": ("MQL \u2192 SQL rate", "Tasso MQL \u2192 SQL",
                   "Of the leads with a History row New status MQL, the share with a later row "
                   "New status SQL",
                   "Dei lead con una riga di Storico con Stato dopo MQL, la quota con una riga "
                   "successiva con Stato dopo SQL"),
    "lead_to_customer": ("Lead \u2192 customer rate", "Tasso lead \u2192 cliente",
                         "Leads with Status {customer} \u00f7 all leads (needs a Stage column)",
                         "Lead con Stato {customer} \u00f7 tutti i lead (serve la colonna Fase)"),
    "median_days_to_sql": ("Median days to SQL", "Giorni mediani fino a SQL",
                           "Median of days from Created to the first History row New status SQL",
                           "Mediana dei giorni da Creato il alla prima riga di Storico con "
                           "Stato dopo SQL"),
    "median_days_to_customer": ("Median days to customer", "Giorni mediani fino a cliente",
                                "Median of days from Created to the first History row New status "
                                "{customer}",
                                "Mediana dei giorni da Creato il alla prima riga di Storico con "
                                "Stato dopo {customer}"),
}

def _label(key: str, language: str) -> str:
    return LABELS[key][0 if language == "en" else 1]


def outcome_blocks(funnel, language: str) -> list:
    """The Report's outcome blocks, as data both writers lay out (this module and xlsx/report_xml.py):
    [(title, headers, rows)], each row a list of (value, format: None, 'int' or 'percent'); the
    first block is a note with no table. Empty without an Outcome column setting."""
    o = funnel.outcomes
    if o is None:
        return []
    label = lambda key: _label(key, language)  # noqa: E731
    note = label("outcomes").format(column=o["column"], known=o["known"], leads=o["leads"], won=o["won"],
                                    unreadable=o["unreadable"], customer=funnel.customer_stage or "\u2014")
    blocks = [(note, [], [])]
    counts = [label("leads_col"), label("known"), label("won"), label("rate")]

    def rows(table, first=None):
        return [[(str(k) if first is None else first(k), None), (int(r["leads"]), "int"), (int(r["known"]), "int"),
                 (int(r["won"]), "int"), (r["rate"], "percent")] for k, r in table.iterrows()]

    blocks.append((label("by_grade_outcome"), [label("grade"), *counts], rows(o["by_grade"])))
    blocks.append((label("by_status_outcome"), [label("status"), *counts], rows(o["by_status"])))
    blocks.append((label("by_band_outcome"), [label("band"), *counts], rows(o["by_band"])))
    deciles = [[(int(d), "int"), (r["max_score"], None), (r["min_score"], None), (int(r["leads"]), "int"),
                (int(r["known"]), "int"), (int(r["won"]), "int"), (r["rate"], "percent")]
               for d, r in o["by_decile"].iterrows()]
    blocks.append((label("by_decile"), [label("decile"), label("max_score"), label("min_score"), *counts],
                   deciles))
    capture = []
    for _, r in o["capture"].iterrows():
        kind, what = r["passed"]
        text = (label("status_passed").format(statuses=label("or").join(what)) if kind == "status"
                else label("top_deciles").format(k=what))
        capture.append([(text, None), (int(r["leads"]), "int"), (r["share_leads"], "percent"),
                        (int(r["won"]), "int"), (r["share_won"], "percent")])
    blocks.append((label("capture"), [label("passed"), label("leads_col"), label("share_leads"), label("won"),
                                      label("share_won")], capture))
    return blocks

"""Words the engine writes into reasons and problems, in English and Italian."""

# Values forms and exports put in a cell that was never filled in: they read as blank (the
# Placeholders setting; these are its defaults per language).
PLACEHOLDERS = {
    "en": ("Select", "Please select", "n/a", "na", "-", "--", "\u2014", "unknown", "none", "null"),
    "it": ("Seleziona", "Selezionare", "n.d.", "nd", "n/a", "-", "--", "\u2014", "sconosciuto", "nessuno",
           "non noto"),
}

TEXTS = {
    "en": {
        "fit cap": "fit cap",
        "behaviour cap": "behaviour cap",
        "behaviour floor": "behaviour floor",
        "score cap": "score cap",
        "score floor": "score floor",
        "cap": "cap",
        "group cap": "group cap",
        "best of": "best of",
        "more": "more",
        "not a date": "is not a date (write it as yyyy-mm-dd)",
        "unix time": "looks like a Unix time ({date}); Excel cannot show it as a date: write the date instead",
        "owned by sales": "Owned by sales",
        "junk": "Junk",
        "duplicate of": "Duplicate of {lead}",
        "lead n": "lead {n}",
        "duplicates' behaviour": "behaviour of duplicates",
        "not a number": "is not a number",
        "not a count": "is not a count (a whole number from 0 to 1000000, or yes/no)",
        "not an amount": "is not an amount (a number from -1000000000000 to 1000000000000, or yes/no)",
        "ambiguous number": ("is ambiguous: {thousands} or {decimal}? Type one of them, or set the Decimal "
                             "separator on the LeadScore sheet"),
        "not a role": "is not in the Roles table",
        "not a stage": "is not a stage",
        "not an outcome": ("is not an outcome (won, converted, yes, 1 or lost, no, 0; blank = unknown), so it "
                           "counts as unknown"),
        "calibrate grade order": ("grade {better} converts less than grade {worse} on the holdout: {rate} ({won} of "
                                  "{leads}) against {rate_next} ({won_next} of {leads_next})"),
        "calibrate band order": ("score band {better} converts less than score band {worse} on the holdout: {rate} "
                                 "({won} of {leads}) against {rate_next} ({won_next} of {leads_next})"),
        "calibrate leak": ("leak: {column} predicts the outcome almost perfectly (holdout AUC {auc} alone); is it "
                           "filled after the contact? It is left out of the suggestion"),
    },
    "it": {
        "fit cap": "tetto profilo",
        "behaviour cap": "tetto comportamento",
        "behaviour floor": "minimo comportamento",
        "score cap": "tetto punteggio",
        "score floor": "minimo punteggio",
        "cap": "tetto",
        "group cap": "tetto del gruppo",
        "best of": "migliore di",
        "more": "altri",
        "not a date": "non è una data (scrivila come aaaa-mm-gg)",
        "unix time": "sembra un tempo Unix ({date}); Excel non può mostrarlo come data: scrivi la data",
        "owned by sales": "Gestito dalle vendite",
        "junk": "Scarto",
        "duplicate of": "Duplicato di {lead}",
        "lead n": "lead {n}",
        "duplicates' behaviour": "comportamento dei duplicati",
        "not a number": "non è un numero",
        "not a count": "non è un conteggio (numero intero da 0 a 1000000, o sì/no)",
        "not an amount": "non è una quantità (un numero da -1000000000000 a 1000000000000, o sì/no)",
        "ambiguous number": ("è ambiguo: {thousands} o {decimal}? Scrivi uno dei due, o imposta il Separatore "
                             "decimale nel foglio LeadScore"),
        "not a role": "non è nella tabella Ruoli",
        "not a stage": "non è una fase",
        "not an outcome": ("non è un esito (vinto, convertito, sì, 1 o perso, no, 0; vuoto = non noto), quindi "
                           "conta come non noto"),
        "calibrate grade order": ("il grado {better} converte meno del grado {worse} sui lead di verifica: {rate} "
                                  "({won} su {leads}) contro {rate_next} ({won_next} su {leads_next})"),
        "calibrate band order": ("la fascia di punteggio {better} converte meno della fascia {worse} sui lead di "
                                 "verifica: {rate} ({won} su {leads}) contro {rate_next} ({won_next} su "
                                 "{leads_next})"),
        "calibrate leak": ("fuga di informazione: {column} predice l'esito quasi alla perfezione (AUC {auc} da sola "
                           "sui lead di verifica); viene compilata dopo il contatto? È esclusa dal suggerimento"),
    },
}


def text(language: str, key: str) -> str:
    return TEXTS.get(language, TEXTS["en"])[key]

"""Words the engine writes into reasons and problems, in English and Italian."""
import re

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
        # Behaviour from the Events sheet (scoring/events.py, scoring/bots.py).
        "events last days": "last {days} days",
        "events decayed": "decayed",
        "events ignored": "{n} suspect events ignored: {why}",
        "events ignored one": "1 suspect event ignored: {why}",
        "suspect: duplicate": "duplicate",
        "suspect: scanner agent": "scanner user agent",
        "suspect: fast click delivery": "click within {seconds} s of delivery",
        "suspect: fast click open": "click within {seconds} s of the open",
        "suspect: burst": "links clicked at once",
        "suspect: prefetch": "prefetched open",
        "events decay note": "decay: band {old} \u2192 {new} with no new activity",
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
        "events last days": "ultimi {days} giorni",
        "events decayed": "con decadimento",
        "events ignored": "{n} eventi sospetti ignorati: {why}",
        "events ignored one": "1 evento sospetto ignorato: {why}",
        "suspect: duplicate": "duplicato",
        "suspect: scanner agent": "user agent di scanner",
        "suspect: fast click delivery": "clic entro {seconds} s dalla consegna",
        "suspect: fast click open": "clic entro {seconds} s dall'apertura",
        "suspect: burst": "link cliccati insieme",
        "suspect: prefetch": "apertura precaricata",
        "events decay note": "decadimento: fascia {old} \u2192 {new} senza nuove attività",
    },
}


def text(language: str, key: str) -> str:
    return TEXTS.get(language, TEXTS["en"])[key]


# Model problems are worded in English where they are found (scoring/schema.py, scoring/model.py); an
# Italian book shows them in Italian through these phrases, longest first. A phrase with no entry stays
# English rather than reading wrong.
def _italian_number(m) -> str:
    """'100,000' -> '100.000', '0.5' -> '0,5': a number in a message as Italian writes it."""
    return m.group(0).translate({ord(","): ".", ord("."): ","})


_RULES_IT = {"fit rule": "regole di profilo", "behaviour rule": "regole di comportamento",
             "event rule": "regole da eventi"}
_RULE_IT = {"fit rule": "regola di profilo", "behaviour rule": "regola di comportamento",
            "event rule": "regola da eventi"}


_OPERATORS_IT = {"in": "uno di", "not in": "nessuno di", "between": "tra", "contains": "contiene"}


def _needs_a_value(m) -> str:
    """'is blank; contains needs a value' in Italian, the operator as an Italian book writes it."""
    return f"è vuoto; {_OPERATORS_IT.get(m.group(1), m.group(1))} richiede un valore"


def _ambiguous(m) -> str:
    """'is ambiguous: 4857 or 4.8570? …' in Italian, both readings written the Italian way."""
    thousands, decimal = (g.translate({ord(","): ".", ord("."): ","}) for g in m.groups())
    return (f"è ambiguo: {thousands} o {decimal}? Scrivi uno dei due, o imposta il Separatore decimale nel foglio "
            "LeadScore")


def _mixed_group(m) -> str:
    """'already holds fit rules (fit rule 1); …' in Italian."""
    return (f"contiene già {_RULES_IT[m.group(1)]} ({_RULE_IT[m.group(2)]} {m.group(3)}); un gruppo contiene regole "
            "di profilo o regole di comportamento, non entrambe (i punti di profilo fanno il grado, quelli di "
            "comportamento no): usa un altro gruppo")


MESSAGES_IT = (
    # Who or what a message is about, where the sheet's layer names it (workbook/model_sheet.py).
    (r"^matrix row 'row (\d+)'", r"riga \1 della matrice:"),
    (r"^matrix row ('(?:[^']|\\')*'|\"[^\"]*\")", r"riga della matrice \1:"),
    (r"^level of ('(?:[^']|\\')*'|\"[^\"]*\")", r"livello di \1:"),
    (r"^role ", "ruolo "),
    (r"^holiday ", "festività "),
    # Bands, matrix and thresholds (scoring/model.py).
    (r"^grade no grades; add at least one$", "grado: nessun grado; aggiungine almeno uno"),
    (r"^band no score bands; add at least one$", "fascia: nessuna fascia di punteggio; aggiungine almeno una"),
    (r"^minimum fit only the lowest grade may have a blank minimum$",
     "punti profilo minimi: solo il grado più basso può avere il minimo vuoto"),
    (r"^minimum fit minimums (\[[^\]]*\]) must fall strictly from the best grade down$",
     r"punti profilo minimi: i minimi \1 devono scendere strettamente dal grado migliore in giù"),
    (r"^minimum score minimums (\[[^\]]*\]) must rise strictly from the lowest band up$",
     r"punteggio minimo: i minimi \1 devono salire strettamente dalla fascia più bassa in su"),
    (r"\baction for band (.+?) is blank$", r"l'azione per la fascia \1 è vuota"),
    (r"\bgrade ('[^']*') has no row in the matrix$", r"il grado \1 non ha una riga nella matrice"),
    (r"\bhas (\d+) actions; needs one per score band \((\d+)\)", r"ha \1 azioni; ne serve una per fascia di "
     r"punteggio (\2)"),
    (r"\bis not a grade of the grade bands\b", "non è un grado delle Fasce di grado"),
    (r"\b(\S+) not among the grades (\S*)$", r"\1 non è tra i gradi \2"),
    (r"\b(-?[\d.]+) of (.+?) is never reached: (.+?) \(status rule (\d+), from (-?[\d.]+)\) takes those leads "
     r"first; put the higher threshold first$",
     r"\1 di \2 non si raggiunge mai: \3 (soglia di stato \4, da \5) prende prima quei lead; metti prima la soglia più "
     r"alta"),
    (r"\b(-?[\d.]+) of (.+?): leads of grade (\S+) from that score get (.+?) \(status rule (\d+), from "
     r"(-?[\d.]+)\) first; put the higher threshold first$",
     r"\1 di \2: i lead di grado \3 da quel punteggio prendono prima \4 (soglia di stato \5, da \6); metti prima la "
     r"soglia più alta"),
    # Groups.
    (r"\bis not in the Rule groups table \(it has none\)", "non è nella tabella Gruppi di regole (è vuota)"),
    (r"\bis not in the Rule groups table \(", "non è nella tabella Gruppi di regole ("),
    (r"; add it there with its mode \(([^)]*)\), or correct the name$",
     r"; aggiungilo lì con il suo modo (\1), o correggi il nome"),
    (r"\balready holds (fit rule|behaviour rule|event rule)s \((fit rule|behaviour rule|event rule) (\d+)\); a group "
     r"holds fit rules or behaviour rules, not both \(fit points make the grade, behaviour points do not\): use "
     r"another group$", _mixed_group),
    (r"\bhas no rules, so it changes nothing; type it in the Group column of the rules it holds$",
     "non ha regole, quindi non cambia nulla; scrivilo nella colonna Gruppo delle regole che contiene"),
    # Settings, sequences and plans.
    (r"\bis not a region code; type two letters such as IT, GB or US, or leave it blank \(then only numbers written "
     r"with \+ and their country code compare\)",
     "non è un codice di regione; scrivi due lettere come IT, GB o US, o lascialo vuoto (allora si confrontano "
     "solo i numeri scritti con + e il prefisso del paese)"),
    (r"\bmust be above score_min$", "deve essere sopra il Punteggio minimo"),
    (r"\bis a number; placeholders are texts such as Select or n/a that read as blank$",
     "è un numero; i segnaposto sono testi come Seleziona o n.d. che si leggono come vuoti"),
    (r"\(0: behaviour never takes points away from fit\)", "(0: il comportamento non toglie mai punti al profilo)"),
    (r"\(100: only names with the same words\)", "(100: solo nomi con le stesse parole)"),
    (r"\bmust be a whole number of business days\b", "deve essere un numero intero di giorni lavorativi"),
    (r"\bis not a role of the Team \(", "non è un ruolo della tabella Squadra ("),
    (r"\bis not a sequence of the Sequences table \(", "non è una sequenza della tabella Sequenze ("),
    # Numbers typed with the other decimal separator, or that could be read either way.
    (r"\(the Decimal separator is ('[^']*'); write ([^)]*)\)", r"(il Separatore decimale è \1; scrivi \2)"),
    (r"\bis ambiguous: (\S+) or (\S+)\? Type one of them, or set the Decimal separator on the LeadScore sheet",
     _ambiguous),
    # Fit rules' values.
    (r"\bmust be two numbers 'min;max' for between$", "deve essere due numeri 'min;max' per tra"),
    (r": min is above max$", ": il minimo è sopra il massimo"),
    (r"\bis blank; (.+?) needs a value$", _needs_a_value),
    (r"; type the value the rule compares with$", "; scrivi il valore con cui la regola confronta"),
    # Dates, lists and text.
    (r"\benter a date \(yyyy-mm-dd\)", "scrivi una data (aaaa-mm-gg)"),
    (r"\bis not a date\b", "non è una data"),
    (r"\btype items separated by ;", "scrivi le voci separate da ;"),
    (r"\bhas (\d+) items; keep it within (\d+)", r"ha \1 voci; restane entro \2"),
    (r"\ban item is ([\d,]+) characters long; keep each within (\d+)", r"una voce è lunga \1 caratteri; tienile "
     r"entro \2"),
    (r"\bis ([\d,]+) characters long; keep it within (\d+)", r"è lunga \1 caratteri; restane entro \2"),
    (r"\bcontains the control character (U\+[0-9A-F]{4}); remove it", r"contiene il carattere di controllo \1; "
     r"toglilo"),
    (r"\btype the grade \(a letter\)", "scrivi il grado (una lettera)"),
    (r"\btype the grade\b", "scrivi il grado"),
    (r"\btype a job title\b", "scrivi una qualifica"),
    (r"\btype the person's name\b", "scrivi il nome della persona"),
    (r"\btype the person's role\b", "scrivi il ruolo della persona"),
    (r"\bgive the behaviour a name\b", "dai un nome al comportamento"),
    (r"\bname the group\b", "dai un nome al gruppo"),
    (r"\bname the band\b", "dai un nome alla fascia"),
    (r"\bname the status of leads below every threshold\b", "indica lo stato dei lead sotto ogni soglia"),
    (r"\bname the status\b", "indica lo stato"),
    (r"\bname the sequence\b", "dai un nome alla sequenza"),
    (r"\bsay what to send or do\b", "scrivi cosa inviare o fare"),
    (r"\bname an action of the matrix\b", "indica un'azione della matrice"),
    (r"\bname the action\b", "indica l'azione"),
    (r"\btext of up to (\d+) characters\b", r"un testo di al massimo \1 caratteri"),
    # Rules over events and the scanner settings (scoring/model.py).
    (r"\bis blank; type the event types the rule counts, as the Events sheet's Event column names them "
     r"\(separate them with ;\)", "è vuoto; scrivi i tipi di evento che la regola conta, come li chiama la colonna "
     "Evento del foglio Eventi (separali con ;)"),
    (r"\bmust be a number of days above 0 \(at most 36,500\), or blank to count events of any age\b",
     "deve essere un numero di giorni sopra 0 (al massimo 36,500), o vuoto per contare eventi di ogni età"),
    (r"\bmust be a number of days above 0 \(at most 36,500\), or blank for no decay\b",
     "deve essere un numero di giorni sopra 0 (al massimo 36,500), o vuoto per nessun decadimento"),
    (r"\bmust be a number of seconds from 0 to 3,600 \(0: off\)", "deve essere un numero di secondi da 0 a 3,600 "
     "(0: disattivato)"),
    (r"\bmust be 0 \(off\) or a whole number of links from 2 to 100\b",
     "deve essere 0 (disattivato) o un numero intero di link da 2 a 100"),
    (r"\b1 would mark every click; type 0 \(off\) or a whole number of links from 2 to 100\b",
     "1 segnerebbe ogni clic; scrivi 0 (disattivato) o un numero intero di link da 2 a 100"),
    (r"\(needed for between\)", "(serve per tra)"),
    (r"\(needed for ([<>=]+)\)", r"(serve per \1)"),
    (r"\bis blank; a ('[^']+') rule needs one of\b", r"è vuoto; una regola \1 richiede uno di"),
    (r"\bis only for ('[^']+') rules \(this one is ('[^']+')\); set the kind to ('[^']+'), or clear it\b",
     r"vale solo per le regole \1 (questa è \2); imposta il tipo a \3, o svuotalo"),
    (r"\bmust be blank for a ('[^']+') rule: its points count once\b",
     r"deve essere vuoto per una regola \1: i suoi punti contano una volta"),
    (r"\bmust be a number above (-?[\d.,]+)\b", r"deve essere un numero sopra \1"),
    (r"\bis a date, not a number\b", "è una data, non un numero"),
    (r"\bmust be a number\b", "deve essere un numero"),
    (r"\bis not a number\b", "non è un numero"),
    (r"\bis not a column of the Leads table\b", "non è una colonna della tabella Leads"),
    # Rules naming columns the leads lack (scoring/columns.py, scoring/engine.py), as a check and the
    # in-cell functions show them.
    (r"\bis not a column of the leads \(closest: ", "non è una colonna dei lead (le più vicine: "),
    (r"\bis not a column of the leads \(none of its ([\d,]+) headers is close\)",
     r"non è una colonna dei lead (nessuna delle sue \1 intestazioni è vicina)"),
    (r"; the ('(?:[^']|\\')*'|\"[^\"]*\") rules read the job title from it", r"; le regole \1 leggono il ruolo da lì"),
    (r"; the job titles seem to be in ('(?:[^']|\\')*'|\"[^\"]*\") \((\d+)% of its values are in the Roles "
     r"table\)$",
     r"; i ruoli sembrano essere in \1 (il \2% dei suoi valori è nella tabella Ruoli)"),
    (r"\bneeds a ('[^']*') column \(", r"richiede una colonna \1 ("),
    (r"; add it, or take ('[^']*') out of the setting$", r"; aggiungila, o togli \1 dall'impostazione"),
    (r"; name the Leads column that says what happened to each lead, or clear the setting$",
     "; indica la colonna dei lead che dice cosa è successo a ogni lead, o svuota l'impostazione"),
    (r"\bis not a setting\b", "non è un'impostazione"),
    (r"\(settings: ", "(impostazioni: "),
    (r"\bis not one of\b", "non è uno di"),
    (r"\bchoose one of\b", "scegli uno di"),
    (r"\bis out of range\b", "è fuori dall'intervallo"),
    (r"\bmust be a whole number\b", "deve essere un numero intero"),
    (r"\bhas more than (\d+) decimals; round it\b", r"ha più di \1 decimali; arrotondalo"),
    (r"\bholds the error\b", "contiene l'errore"),
    (r"\bappears twice\b", "compare due volte"),
    (r"\bis a date\b", "è una data"),
    (r"\bis blank\b", "è vuoto"),
    (r"\benter a whole number\b", "scrivi un numero intero"),
    (r"\benter a number\b", "scrivi un numero"),
    (r"\ba whole number\b", "un numero intero"),
    (r"\ba number\b", "un numero"),
    (r"\babove (-?[\d.,]+) to\b", r"sopra \1 fino a"),
    (r"\bfrom (-?[\d.,]+) to\b", r"da \1 a"),
    (r", or blank for no cap\b", ", o vuoto per nessun tetto"),
    (r", or blank\b", ", o vuoto"),
    (r"\bname a column of the Leads table\b", "indica una colonna della tabella Leads"),
    (r"\btype a name\b", "scrivi un nome"),
    (r"\bat most\b", "al massimo"),
    (r"\(separate them with ;\)", "(separali con ;)"),
)


def in_language(message: str, language: str) -> str:
    """A model problem's message in the book's language (Italian phrases; English as it is)."""
    if language != "it":
        return message
    for pattern, italian in MESSAGES_IT:
        message = re.sub(pattern, italian, message)
    return re.sub(r"(?<=[ (])-?\d{1,3}(?:,\d{3})+(?:\.\d+)?\b", _italian_number, message)

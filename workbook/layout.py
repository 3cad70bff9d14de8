"""Where things live in a Lead Score workbook: sheet names, table names, block columns.

Both the template builder and the readers use these specs, so a block is
described once. Headers are recognised in English and Italian.
"""
from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from scoring.history import COLUMNS as HISTORY_KEYS
from scoring.duplicates import SHEET_COLUMNS as DUPLICATE_KEYS_ORDER
from scoring.tasks import TASK_COLUMNS as TASK_KEYS

MODEL_SHEET = "LeadScore"
LEADS_SHEET = "Leads"
LEADS_TABLE = "tblLeads"
HEADER_ROW = 3  # Row of each block's table header on the LeadScore sheet (1-based).
NATIVE_PREFIX = "LSF_"  # Every defined name the native formulas own starts with this.
NATIVE_SHEET = "LeadScoreCalc"  # The hidden sheet native formulas read the model from.


@dataclass(frozen=True)
class Field:
    """A column of a block: its key, its header in English and Italian, whether the header must be
    there, and the attribute of the model record it holds (default: the key)."""

    key: str
    en: str
    it: str
    required: bool = True
    attr: str = ""

    @property
    def attribute(self) -> str:
        return self.attr or self.key

    def label(self, language: str) -> str:
        return self.en if language == "en" else self.it


@dataclass(frozen=True)
class Block:
    """One block of the LeadScore sheet, declared once: where it sits, its table and name, its
    fields, and the model attribute it fills (problems about that attribute point into it)."""

    key: str
    table: str
    name: str  # The defined name that points at the whole block.
    title_en: str
    title_it: str
    first_column: int  # 1-based column of the table's first field.
    fields: tuple
    width: float = 14
    attribute: str = ""  # The Model attribute ('fit_rules'); '' for blocks of the workbook layer only.
    problem_names: tuple = ()  # How scoring.model.Problem names the block ('fit rule').
    optional: bool = False  # Books made before the block existed lack it; that is no error.

    def title(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_it


F = Field
BLOCKS = (
    Block("fit", "tblFitRules", "FitRules", "Fit rules (who the lead is)",
          "Regole di profilo (chi è il lead)", 2, attribute="fit_rules", problem_names=("fit rule",), fields=(
              F("column", "Lead column", "Colonna lead"),
              F("operator", "Operator", "Operatore"),
              F("value", "Value", "Valore"),
              F("points", "Points", "Punti"),
              F("label", "Label (optional)", "Etichetta (facoltativa)", required=False),
              F("group", "Group (optional)", "Gruppo (facoltativo)", required=False))),
    Block("behaviour", "tblBehaviourRules", "BehaviourRules", "Behaviour rules (what the lead does)",
          "Regole di comportamento (cosa fa il lead)", 9, attribute="behaviour_rules",
          problem_names=("behaviour rule",), fields=(
              F("name", "Behaviour", "Comportamento"),
              F("column", "Lead column", "Colonna lead"),
              F("points", "Points each", "Punti ciascuno"),
              F("cap", "Cap (optional)", "Tetto (facoltativo)", required=False),
              F("kind", "Kind (blank = count)", "Tipo (vuoto = conteggio)", required=False),
              F("operator", "Operator (condition)", "Operatore (condizione)", required=False),
              F("value", "Value (condition)", "Valore (condizione)", required=False),
              F("group", "Group (optional)", "Gruppo (facoltativo)", required=False))),
    # Optional: books made before rule groups lack it (their rules have no Group column either).
    Block("groups", "tblGroups", "RuleGroups", "Rule groups (how a group's rules add up)",
          "Gruppi di regole (come si sommano le regole di un gruppo)", 18, attribute="groups",
          problem_names=("group",), optional=True, fields=(
              F("name", "Group", "Gruppo"),
              F("mode", "Mode (sum, max, all)", "Modo (somma, massimo, tutte)", required=False),
              F("cap", "Group cap (optional)", "Tetto del gruppo (facoltativo)", required=False))),
    Block("roles", "tblRoles", "RoleLevels", "Role levels", "Livelli dei ruoli", 22, attribute="roles",
          problem_names=("roles",), fields=(
        F("role", "Role", "Ruolo"),
        F("level", "Level", "Livello"))),
    Block("grades", "tblGradeBands", "GradeBands", "Grade bands (fit → letter)",
          "Fasce di grado (profilo → lettera)", 25, attribute="grade_bands",
          problem_names=("grade band", "grade bands"), fields=(
              F("grade", "Grade", "Grado"),
              F("min", "Minimum fit points", "Punti profilo minimi", attr="min_fit"))),
    Block("bands", "tblScoreBands", "ScoreBands", "Score bands", "Fasce di punteggio", 28,
          attribute="score_bands", problem_names=("score band", "score bands"), fields=(
        F("label", "Band", "Fascia"),
        F("min", "Minimum score", "Punteggio minimo", attr="min_score"))),
    Block("matrix", "tblMatrix", "ActionMatrix", "Matrix: grade × score band → action",
          "Matrice: grado × fascia → azione", 31, attribute="matrix", problem_names=("matrix",), fields=(
              F("grade", "Grade", "Grado"),)),
    Block("status", "tblThresholds", "StatusThresholds", "Status thresholds (first match wins)",
          "Soglie di stato (vale la prima)", 37, attribute="status_rules", problem_names=("status rule",),
          fields=(
              F("status", "Status", "Stato"),
              F("min", "Minimum score", "Punteggio minimo", attr="min_score"),
              F("grades", "Grades (blank = any)", "Gradi (vuoto = tutti)", required=False))),
    Block("settings", "tblSettings", "ScoreSettings", "Score settings", "Impostazioni punteggio", 41,
          attribute="settings", problem_names=("settings",), fields=(
        F("setting", "Setting", "Impostazione"),
        F("value", "Value", "Valore"),
        F("note", "What it means", "Significato", required=False))),
    Block("sequences", "tblSequences", "Sequences", "Nurture sequences (business days after enrolment)",
          "Sequenze di nurturing (giorni lavorativi dall'iscrizione)", 45, attribute="sequences",
          problem_names=("sequence step",), fields=(
              F("sequence", "Sequence", "Sequenza"),
              F("step", "Step", "Passo"),
              F("day", "Day", "Giorno"),
              F("channel", "Channel", "Canale"),
              F("content", "Content", "Contenuto"),
              F("owner_role", "Owner role", "Ruolo responsabile"))),
    Block("plans", "tblActionPlans", "ActionPlans", "Action → sequence", "Azione → sequenza", 52,
          attribute="action_plans", problem_names=("action plan",), fields=(
        F("action", "Action", "Azione"),
        F("sequence", "Sequence (blank = none)", "Sequenza (vuoto = nessuna)", required=False),
        F("priority", "Priority (1 = first)", "Priorità (1 = prima)"))),
    Block("team", "tblTeam", "Team", "Team", "Squadra", 56, attribute="team",
          problem_names=("team member",), fields=(
        F("name", "Name", "Nome"),
        F("role", "Role", "Ruolo"))),
    Block("holidays", "tblHolidays", "Holidays", "Holidays (no tasks due)", "Festività (nessuna scadenza)", 59,
          attribute="holidays", problem_names=("holiday",), fields=(
        F("date", "Date", "Data"),
        F("note", "Holiday", "Festività", required=False))),
)
BLOCKS += (
    Block("imports", "tblImportMap", "ImportMap", "Import: their header → our column",
          "Importazione: loro intestazione → nostra colonna", 62, optional=True, fields=(
              F("theirs", "Their header", "Loro intestazione"),
              F("ours", "Our column", "Nostra colonna"))),
)
# Optional: books made before rules over events lack it. Right of the lists and the Changelog (BW).
BLOCKS += (
    Block("events", "tblEventRules", "EventRules", "Behaviour rules over events (Events sheet)",
          "Regole di comportamento sugli eventi (foglio Eventi)", 82, attribute="event_rules",
          problem_names=("event rule",), optional=True, fields=(
              F("name", "Event behaviour", "Comportamento da eventi"),
              F("event", "Event (separate with ;)", "Evento (separati da ;)"),
              F("detail", "Detail or campaign contains (optional)", "Dettaglio o campagna contiene (facoltativo)",
                required=False),
              F("points", "Points per event", "Punti per evento"),
              F("cap", "Cap for the rule (optional)", "Tetto della regola (facoltativo)", required=False),
              F("window", "Window days (optional)", "Finestra in giorni (facoltativa)", required=False),
              F("half_life", "Half-life days (optional)", "Emivita in giorni (facoltativa)", required=False),
              F("group", "Group (optional)", "Gruppo (facoltativo)", required=False))),
)
BLOCK = {b.key: b for b in BLOCKS}
BLOCK_OF_PROBLEM = {name: b for b in BLOCKS for name in b.problem_names}
LISTS_COLUMN = 65  # Dropdown source lists live from this column on.

# Settings rows: key, English name, Italian name, explanation (en, it).
SETTINGS = (
    ("fit_max", "Fit maximum", "Profilo massimo",
     "Fit points count up to this in the score", "Punti profilo conteggiati al massimo nel punteggio"),
    ("behaviour_max", "Behaviour maximum", "Comportamento massimo",
     "Behaviour points are held at or below this", "Punti comportamento tenuti al massimo a questo valore"),
    ("score_min", "Score minimum", "Punteggio minimo",
     "Lowest possible score", "Punteggio più basso possibile"),
    ("score_max", "Score maximum", "Punteggio massimo",
     "Highest possible score", "Punteggio più alto possibile"),
    ("role_column", "Role column", "Colonna ruolo",
     "Leads column holding the job title", "Colonna dei lead con il ruolo"),
    ("role_level_column", "Role level column", "Colonna livello ruolo",
     "Name rules use for the level from the Roles table", "Nome usato dalle regole per il livello del ruolo"),
    ("stage_column", "Stage column", "Colonna fase",
     "Leads column where sales set a stage", "Colonna dei lead dove le vendite indicano la fase"),
    ("sales_stages", "Sales stages", "Fasi commerciali",
     "Stages scoring never overwrites (separate with ;)", "Fasi mai sovrascritte dal punteggio (separate da ;)"),
    ("default_status", "Default status", "Stato predefinito",
     "Status when no threshold is reached", "Stato quando nessuna soglia è raggiunta"),
    ("decimal", "Decimal separator", "Separatore decimale",
     "How text numbers are read: auto, ',' or '.'", "Come leggere i numeri scritti come testo: auto, ',' o '.'"),
    ("language", "Language", "Lingua",
     "Language of reasons and messages: en or it", "Lingua di motivi e messaggi: en o it"),
    ("behaviour_min", "Behaviour floor", "Minimo comportamento",
     "Behaviour points are held at or above this: 0, or below 0 so that negative behaviour takes points "
     "from fit", "Punti comportamento tenuti almeno a questo valore: 0, o sotto 0 perché un comportamento "
     "negativo tolga punti al profilo"),
    ("placeholders", "Placeholders", "Segnaposto",
     "Values read as blank in lead cells, such as a form's Select (separate with ;)",
     "Valori letti come vuoti nelle celle dei lead, come il Seleziona di un modulo (separati da ;)"),
    ("outcome_column", "Outcome column", "Colonna esito",
     "Leads column saying what happened (won, converted, yes, 1 / lost, no, 0; blank = unknown); the Report "
     "measures the model with it, scoring never changes it. Blank: none",
     "Colonna dei lead con l'esito (vinto, convertito, sì, 1 / perso, no, 0; vuoto = non noto); il Report "
     "misura il modello con essa, il punteggio non la cambia mai. Vuoto: nessuna"),
)
SETTINGS += (
    ("free_mail", "Free-mail domains", "Domini email gratuiti",
     "Domains a 'free mail' rule flags (separate with ;)",
     "Domini segnalati da una regola 'email gratuita' (separati da ;)"),
    ("role_accounts", "Role accounts", "Caselle di ruolo",
     "Addresses before the @ a 'role account' rule flags, such as info or sales (separate with ;)",
     "Indirizzi prima della @ segnalati da una regola 'casella di ruolo', come info o vendite (separati da ;)"),
    ("fake_names", "Fake names", "Nomi fittizi",
     "Words a 'fake name' rule flags (also one letter repeated, such as xxx, and keyboard runs, such as asdf)",
     "Parole segnalate da una regola 'nome fittizio' (anche una lettera ripetuta, come xxx, e sequenze di "
     "tastiera, come asdf)"),
    ("junk_kinds", "Junk when", "Scarto quando",
     "Hygiene kinds whose rules make a lead junk: it gets the junk action and no tasks (separate with ;)",
     "Tipi di igiene le cui regole rendono un lead da scartare: riceve l'azione di scarto e nessuna attività "
     "(separati da ;)"),
    ("junk_action", "Junk action", "Azione di scarto",
     "The action of a junk lead", "L'azione di un lead da scartare"),
    ("duplicate_keys", "Duplicates by", "Duplicati per",
     "What makes two leads one: email; phone; name and company (blank: duplicates are not looked for). "
     "'phone' needs a Phone column",
     "Cosa rende due lead uno solo: email; telefono; nome e azienda (vuoto: nessuna ricerca di duplicati). "
     "'telefono' richiede una colonna Telefono"),
    ("phone_region", "Phone region", "Regione telefono",
     "Country of numbers written without + (two letters: IT, GB, US); blank: numbers compare as written",
     "Paese dei numeri scritti senza + (due lettere: IT, GB, US); vuoto: i numeri si confrontano come scritti"),
    ("name_threshold", "Name match threshold", "Soglia somiglianza nomi",
     "How alike two names at one company must be to count as one lead (50–100; 100: the same words)",
     "Quanto devono somigliarsi due nomi della stessa azienda per contare come un lead (50–100; 100: le "
     "stesse parole)"),
    ("keep", "Keep", "Mantieni",
     "Which lead of a duplicate group is kept: oldest or most complete",
     "Quale lead di un gruppo di duplicati si mantiene: più vecchio o più completo"),
    ("merge_behaviour", "Add duplicates' behaviour", "Somma comportamento dei duplicati",
     "yes: the kept lead gets the behaviour points of its duplicates too",
     "sì: il lead mantenuto riceve anche i punti comportamento dei suoi duplicati"),
)
# Rules over events: which events are an email's delivery, open and click, and how scanners are told.
EVENT_SETTINGS = (
    ("delivery_events", "Delivery events", "Eventi di consegna",
     "Event types of the Events sheet that are an email's delivery (separate with ;)",
     "Tipi di evento del foglio Eventi che sono la consegna di un'email (separati da ;)"),
    ("open_events", "Open events", "Eventi di apertura",
     "Event types that are an email's open (separate with ;)",
     "Tipi di evento che sono l'apertura di un'email (separati da ;)"),
    ("click_events", "Click events", "Eventi di clic",
     "Event types that are a click on a link of an email (separate with ;)",
     "Tipi di evento che sono il clic su un link di un'email (separati da ;)"),
    ("scanner_seconds", "Scanner click seconds", "Secondi clic scanner",
     "A click this many seconds or less after its email's delivery or open is a scanner's: it scores nothing "
     "(0: off)", "Un clic entro questi secondi dalla consegna o dall'apertura della sua email è di uno scanner: "
     "non dà punti (0: disattivato)"),
    ("burst_links", "Links clicked at once", "Link cliccati insieme",
     "This many different links of one email clicked, each within a second of the one before, are a scanner's "
     "(0: off)", "Questo numero di link diversi di un'email cliccati, ognuno entro un secondo dal precedente, "
     "sono di uno scanner (0: disattivato)"),
    ("scanner_agents", "Scanner user agents", "User agent di scanner",
     "Events whose user agent contains one of these are a scanner's (separate with ;)",
     "Gli eventi il cui user agent contiene uno di questi sono di uno scanner (separati da ;)"),
    ("prefetch_agents", "Prefetching mail agents", "Client di posta che precaricano",
     "Opens by a user agent containing one of these count only if the lead did something after them "
     "(separate with ;)", "Le aperture da uno user agent che contiene uno di questi contano solo se il lead ha "
     "fatto altro dopo (separati da ;)"),
)
SETTINGS += EVENT_SETTINGS
# The Outcome column row stays last, where older books have it.
SETTINGS = (tuple(r for r in SETTINGS if r[0] != "outcome_column")
            + tuple(r for r in SETTINGS if r[0] == "outcome_column"))
HYGIENE_SETTINGS = ("free_mail", "role_accounts", "fake_names", "junk_kinds", "junk_action", "duplicate_keys",
                    "phone_region", "name_threshold", "keep", "merge_behaviour")
# Settings a book made before they existed may lack: a missing row takes the default.
OPTIONAL_SETTINGS = ("behaviour_min", "placeholders", "outcome_column") + HYGIENE_SETTINGS + tuple(
    key for key, *_ in EVENT_SETTINGS)
SETTING_BY_NAME = {name.casefold(): key for key, en, it, *_ in SETTINGS for name in (en, it)}
NUMERIC_SETTINGS = ("fit_max", "behaviour_max", "score_min", "score_max")
LIST_SETTINGS = ("sales_stages", "placeholders", "free_mail", "role_accounts", "fake_names", "junk_kinds",
                 "duplicate_keys", "delivery_events", "open_events", "click_events", "scanner_agents",
                 "prefetch_agents")

# Sheets written by runs: (key, English, Italian) per column.
HISTORY_SHEET = {"en": "History", "it": "Storico"}
HISTORY_TABLE = "tblHistory"
HISTORY_LABELS = {"lead_id": ("Lead ID", "ID lead"), "when": ("When", "Quando"),
                  "old_grade": ("Old grade", "Grado prima"), "new_grade": ("New grade", "Grado dopo"),
                  "old_score": ("Old score", "Punteggio prima"), "new_score": ("New score", "Punteggio dopo"),
                  "old_status": ("Old status", "Stato prima"), "new_status": ("New status", "Stato dopo")}
HISTORY_COLUMNS = tuple((key, *HISTORY_LABELS[key]) for key in HISTORY_KEYS)  # The engine's order.
TASKS_SHEET = {"en": "Tasks {date}", "it": "Attività {date}"}
TASK_LABELS = {"lead_id": ("Lead ID", "ID lead"), "lead": ("Lead", "Lead"), "company": ("Company", "Azienda"),
               "task": ("Task", "Attività"), "channel": ("Channel", "Canale"),
               "content": ("Content", "Contenuto"), "owner": ("Owner", "Responsabile"),
               "due": ("Due", "Scadenza"), "priority": ("Priority", "Priorità"), "reason": ("Reason", "Motivo")}
TASK_COLUMNS = tuple((key, *TASK_LABELS[key]) for key in TASK_KEYS)
TASK_WIDTHS = (10, 22, 24, 16, 10, 80, 18, 12, 9, 90)
DUPLICATES_SHEET = {"en": "Duplicates", "it": "Duplicati"}
DUPLICATES_TABLE = "tblDuplicates"
DUPLICATE_LABELS = {"group": ("Group", "Gruppo"), "lead_id": ("Lead ID", "ID lead"),
                    "kept": ("Kept or duplicate", "Mantenuto o duplicato"), "kept_id": ("Kept lead", "Lead mantenuto"),
                    "matched": ("Matched by", "Trovato per"), "name": ("Name", "Nome"), "email": ("Email", "Email"),
                    "company": ("Company", "Azienda"), "phone": ("Phone", "Telefono"),
                    "row": ("Leads row", "Riga Leads")}
DUPLICATE_COLUMNS = tuple((key, *DUPLICATE_LABELS[key]) for key in DUPLICATE_KEYS_ORDER)
DUPLICATE_WIDTHS = (8, 12, 20, 12, 24, 24, 32, 28, 18, 10)
HISTORY_WIDTHS = (10, 18, 10, 10, 10, 10, 12, 12)
HISTORY_NOTE = {"en": "Note", "it": "Nota"}  # Added when a run notes why a lead moved (decay alone).


def labels(columns, language: str) -> list[str]:
    return [en if language == "en" else it for _, en, it in columns]

# The defined name that covers every block, for in-cell functions: columns A up to the last
# block's (the rules over events, right of the lists), rows 1 to MODEL_ROWS (blocks may grow to that row).
MODEL_NAME = "LeadScoreModel"
MODEL_ROWS = 500


def model_area() -> str:
    """'LeadScore'!$A$1:$CK$500 — the range the defined name LeadScoreModel points at."""
    last = max(b.first_column + len(b.fields) - 1 for b in BLOCKS)
    return f"'{MODEL_SHEET}'!$A$1:${get_column_letter(last)}${MODEL_ROWS}"

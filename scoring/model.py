"""The scoring model: plain dataclasses, their declared kinds, and parsing into a checked model.

A model is everything on the LeadScore sheet: fit rules, behaviour rules, role
levels, grade bands, score settings, score bands, the action matrix, the status
thresholds and the nurture blocks. It can be built in code or read from a
workbook. `check(model)` reads every field by its declared kind (schema.py),
checks how the fields fit together, and returns the checked model the engine
evaluates together with every problem found: a value is parsed once, where it is
checked, and the engine never parses it again.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields, replace

from .errors import LeadScoreError
from .hygiene import FAKE_NAMES, FREE_MAIL, HYGIENE_KINDS, HYGIENE_WORDS_IT, ROLE_ACCOUNTS
from .texts import PLACEHOLDERS
from .bots import CLICK_EVENTS, DELIVERY_EVENTS, OPEN_EVENTS, PREFETCH_AGENTS, SCANNER_AGENTS
from .parse import AMBIGUOUS, OK, ambiguous_message, parse_number, text_key
from .schema import (Choice, Date, Number, Raw, Text, TextList, decimal_hint, declare, excel_error, kinds,
                     shown, split_list)

OPERATORS = (
    "=", "<>", "in", "not in", ">", ">=", "<", "<=", "between",
    "contains", "is blank", "not blank",
)
# The operators as an Italian book writes them (either spelling is read in any book).
OPERATOR_WORDS = {"en": OPERATORS, "it": ("=", "<>", "uno di", "nessuno di", ">", ">=", "<", "<=", "tra",
                                          "contiene", "è vuoto", "non è vuoto")}
NUMERIC_OPERATORS = (">", ">=", "<", "<=", "between")
NO_VALUE_OPERATORS = ("is blank", "not blank")
DECIMAL_CHOICES = ("auto", ",", ".")
CHANNELS = ("Email", "Phone", "SMS", "WhatsApp", "Task")
CHANNEL_WORDS = {"en": CHANNELS, "it": ("Email", "Telefono", "SMS", "WhatsApp", "Attività")}
LANGUAGES = ("en", "it")
# How a behaviour rule gives points; the hygiene kinds are red flags on an address or a name.
RULE_KINDS = ("count", "condition", "per unit") + HYGIENE_KINDS
KIND_WORDS = {"en": RULE_KINDS, "it": ("conteggio", "condizione", "per unità") + HYGIENE_WORDS_IT}
DUPLICATE_KEYS = ("email", "phone", "name and company")  # What makes two leads the same person.
DUPLICATE_WORDS = {"en": DUPLICATE_KEYS, "it": ("email", "telefono", "nome e azienda")}
KEEP_CHOICES = ("oldest", "most complete")  # Which lead of a duplicate group is kept.
KEEP_WORDS = {"en": KEEP_CHOICES, "it": ("più vecchio", "più completo")}
YES_NO = ("yes", "no")
YES_NO_WORDS = {"en": YES_NO, "it": ("sì", "no")}
GROUP_MODES = ("sum", "max", "all")  # How the rules of a group add up.
MODE_WORDS = {"en": GROUP_MODES, "it": ("somma", "massimo", "tutte")}
GROUP_NAME = Text(required=False, max_length=40)
COLUMN_HINT = "name a column of the Leads table"


@dataclass
class FitRule:
    """Points for leads whose column matches operator and value."""

    column: str = declare(Text(hint=COLUMN_HINT))
    operator: str = declare(Choice(OPERATORS, words=tuple(OPERATOR_WORDS.items())))
    value: object = declare(Raw(), default=None)
    points: float = declare(Number(), default=0)
    label: str = declare(Text(required=False, max_length=100), default="")
    group: str = declare(GROUP_NAME, default="")  # Blank: the rule counts on its own.


@dataclass
class BehaviourRule:
    """Points from what a lead did, by kind: 'count' (points for each occurrence counted in the
    column, a count or yes/no; the default), 'condition' (the points once when operator and value
    hold, as in a fit rule) or 'per unit' (points per unit of a number, decimals allowed). The cap
    (count and per unit) holds the rule's points within ±cap."""

    name: str = declare(Text(hint="give the behaviour a name", max_length=100), "behaviour")
    column: str = declare(Text(hint=COLUMN_HINT))
    points: float = declare(Number())
    cap: float | None = declare(Number(low=0, above_low=True, blank_ok=True,
                                       explain="must be a number above 0 (at most 100,000), "
                                               "or blank for no cap"), default=None)
    kind: str = declare(Choice(RULE_KINDS, blank_ok=True, words=tuple(KIND_WORDS.items())), default="count")
    operator: str = declare(Choice(OPERATORS, blank_ok=True, words=tuple(OPERATOR_WORDS.items())), default="")
    value: object = declare(Raw(), default=None)
    group: str = declare(GROUP_NAME, default="")  # Blank: the rule counts on its own.


@dataclass
class EventRule:
    """Points for each event of the Events sheet whose type is one of `event` (and whose Detail or
    Campaign contains one of `detail`, when given): only events of the last `window` days count
    (blank: all), each worth points × 0.5 ** (age in days / `half_life`) (blank: no decay); the
    rule's points are held within ±cap. Events marked suspect (bots, scanners) score nothing."""

    name: str = declare(Text(hint="give the behaviour a name", max_length=100), "behaviour")
    event: tuple = declare(TextList(max_items=20, max_length=100), "event")
    points: float = declare(Number(), "points each")
    detail: tuple = declare(TextList(max_items=20, max_length=255), "detail", default=())
    cap: float | None = declare(Number(low=0, above_low=True, blank_ok=True,
                                       explain="must be a number above 0 (at most 100,000), "
                                               "or blank for no cap"), default=None)
    window: float | None = declare(Number(low=0, high=36_500, above_low=True, blank_ok=True,
                                          explain="must be a number of days above 0 (at most 36,500), "
                                                  "or blank to count events of any age"), "window days",
                                   default=None)
    half_life: float | None = declare(Number(low=0, high=36_500, above_low=True, blank_ok=True,
                                             explain="must be a number of days above 0 (at most 36,500), "
                                                     "or blank for no decay"), "half-life days", default=None)
    group: str = declare(GROUP_NAME, default="")  # Blank: the rule counts on its own.


@dataclass
class RuleGroup:
    """Rules sharing a Group add up by mode: 'sum' (every matching rule counts, as rules without a
    group do), 'max' (only the best matching rule counts: either) or 'all' (the points only when
    every rule of the group holds: and). The cap holds the group's points within ±cap."""

    name: str = declare(Text(hint="name the group", max_length=40), "group")
    mode: str = declare(Choice(GROUP_MODES, blank_ok=True, words=tuple(MODE_WORDS.items())), default="sum")
    cap: float | None = declare(Number(low=0, above_low=True, blank_ok=True,
                                       explain="must be a number above 0 (at most 100,000), "
                                               "or blank for no cap"), default=None)


@dataclass
class GradeBand:
    """A letter for fit points at or above min_fit; None marks the lowest band."""

    grade: str = declare(Text(hint="type the grade (a letter)", max_length=20))
    min_fit: float | None = declare(Number(blank_ok=True), "minimum fit")


@dataclass
class ScoreBand:
    """A column of the matrix: scores at or above min_score."""

    label: str = declare(Text(hint="name the band", max_length=40), "band")
    min_score: float = declare(Number(), "minimum score")


@dataclass
class StatusRule:
    """A status reached at min_score by leads of the given grades (empty: any)."""

    status: str = declare(Text(hint="name the status", max_length=40))
    min_score: float = declare(Number(), "minimum score")
    grades: tuple = declare(TextList(max_items=26, max_length=20), default=())


@dataclass
class SequenceStep:
    """One step of a nurture sequence: on business day `day` after enrolment, do `content`."""

    sequence: str = declare(Text(hint="name the sequence", max_length=100))
    step: int = declare(Number(low=1, high=1000, whole=True))
    day: int = declare(Number(low=0, high=3650, whole=True,
                              explain="must be a whole number of business days from 0 to 3,650"))
    channel: str = declare(Choice(CHANNELS, words=tuple(CHANNEL_WORDS.items())))
    content: str = declare(Text(hint="say what to send or do", max_length=1000))
    owner_role: str = declare(Text(required=False, max_length=100), "owner role")


@dataclass
class ActionPlan:
    """What an action of the matrix sets going: a sequence (blank: none) and a priority (1 = first)."""

    action: str = declare(Text(hint="name an action of the matrix", max_length=100))
    sequence: str = declare(Text(required=False, max_length=100), default="")
    priority: int = declare(Number(low=1, high=99, whole=True), default=3)


@dataclass
class TeamMember:
    name: str = declare(Text(hint="type the person's name", max_length=100))
    role: str = declare(Text(hint="type the person's role", max_length=100))


@dataclass
class Role:
    """A row of the Roles table (the model holds them as a dict role -> level)."""

    role: str = declare(Text(hint="type a job title", max_length=100))
    level: float = declare(Number(low=0, high=100))


@dataclass
class Settings:
    """Numbers and names the score depends on."""

    fit_max: float = declare(Number(low=0), default=50)
    behaviour_max: float = declare(Number(low=0), default=50)
    score_min: float = declare(Number(), default=0)
    score_max: float = declare(Number(), default=100)
    role_column: str = declare(Text(required=False), default="Role")
    role_level_column: str = declare(Text(required=False), default="Role level")
    stage_column: str = declare(Text(required=False), default="Stage")
    sales_stages: tuple = declare(TextList(), default=("Opportunity", "Customer", "Disqualified"))
    default_status: str = declare(Text(hint="name the status of leads below every threshold", max_length=40),
                                  default="Lead")
    decimal: str = declare(Choice(DECIMAL_CHOICES), default="auto")
    language: str = declare(Choice(LANGUAGES), default="en")
    # Behaviour points are held at or above this; below 0, negative behaviour takes points from fit.
    behaviour_min: float = declare(Number(high=0, explain="must be a number from -100,000 to 0 (0: behaviour "
                                                          "never takes points away from fit)"),
                                   "behaviour floor", default=0)
    # Values read as blank in every lead column (form placeholders such as Select or n/a).
    placeholders: tuple = declare(TextList(max_items=50, max_length=100), default=PLACEHOLDERS["en"])
    # The Leads column saying what happened to a lead (won / lost; blank: none): the Report measures with it.
    outcome_column: str = declare(Text(required=False), "outcome column", default="")
    # Hygiene: the lists the hygiene kinds of behaviour rules check against.
    free_mail: tuple = declare(TextList(max_items=500, max_length=255), "free-mail domains", default=FREE_MAIL)
    role_accounts: tuple = declare(TextList(max_items=500, max_length=64), "role accounts", default=ROLE_ACCOUNTS)
    fake_names: tuple = declare(TextList(max_items=500, max_length=100), "fake names", default=FAKE_NAMES)
    # Leads a rule of one of these hygiene kinds flags get the junk action (and no tasks).
    junk_kinds: tuple = declare(TextList(max_items=10, max_length=40), "junk when", default=())
    junk_action: str = declare(Text(required=False, max_length=100), "junk action", default="Junk")
    # Duplicates: which keys make two leads one (blank: duplicates are not looked for).
    duplicate_keys: tuple = declare(TextList(max_items=3, max_length=40), "duplicates by", default=())
    phone_region: str = declare(Text(required=False, max_length=2), "phone region", default="")
    name_threshold: float = declare(Number(low=50, high=100, explain="must be a number from 50 to 100 (100: "
                                                                     "only names with the same words)"),
                                    "name match threshold", default=90)
    keep: str = declare(Choice(KEEP_CHOICES, words=tuple(KEEP_WORDS.items())), "keep", default="oldest")
    merge_behaviour: str = declare(Choice(YES_NO, words=tuple(YES_NO_WORDS.items())),
                                   "add duplicates' behaviour", default="no")
    # Events: which event types are an email's delivery, open and click (bots are told by them).
    delivery_events: tuple = declare(TextList(max_items=50, max_length=100), "delivery events",
                                     default=DELIVERY_EVENTS)
    open_events: tuple = declare(TextList(max_items=50, max_length=100), "open events", default=OPEN_EVENTS)
    click_events: tuple = declare(TextList(max_items=50, max_length=100), "click events", default=CLICK_EVENTS)
    # A click this many seconds or less after its email's delivery or open is a scanner's (0: off).
    scanner_seconds: float = declare(Number(low=0, high=3600, explain="must be a number of seconds from 0 to "
                                                                      "3,600 (0: off)"),
                                     "scanner click seconds", default=5)
    # This many different links of one email clicked each within a second of the one before (0: off).
    burst_links: int = declare(Number(low=0, high=100, whole=True, explain="must be 0 (off) or a whole number "
                                                                          "of links from 2 to 100"),
                               "links clicked at once", default=2)
    scanner_agents: tuple = declare(TextList(max_items=200, max_length=100), "scanner user agents",
                                    default=SCANNER_AGENTS)
    prefetch_agents: tuple = declare(TextList(max_items=100, max_length=100), "prefetching mail agents",
                                     default=PREFETCH_AGENTS)


MATRIX_ACTION = Text(hint="name the action", max_length=100)
HOLIDAY = Date()


@dataclass
class Model:
    """A complete lead-scoring model."""

    fit_rules: list = field(default_factory=list)
    behaviour_rules: list = field(default_factory=list)
    roles: dict = field(default_factory=dict)
    grade_bands: list = field(default_factory=list)
    score_bands: list = field(default_factory=list)
    matrix: dict = field(default_factory=dict)
    status_rules: list = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)
    sequences: list = field(default_factory=list)
    action_plans: list = field(default_factory=list)
    team: list = field(default_factory=list)
    holidays: list = field(default_factory=list)
    groups: list = field(default_factory=list)  # RuleGroup per group name the rules use.
    event_rules: list = field(default_factory=list)  # EventRule: behaviour from the Events sheet.

    def validate(self) -> CheckedModel:
        """The checked model; raises ModelError listing every problem."""
        checked, found = check(self)
        errors = [p for p in found if not p.warning]
        if errors:
            raise ModelError(errors)
        return checked


NOTHING = object()  # A Problem that carries no value.

# Model attribute -> how problems name the block.
BLOCK_NAMES = {"fit_rules": "fit rule", "behaviour_rules": "behaviour rule", "roles": "roles",
               "grade_bands": "grade band", "score_bands": "score band", "matrix": "matrix",
               "status_rules": "status rule", "settings": "settings", "sequences": "sequence step",
               "action_plans": "action plan", "team": "team member", "holidays": "holiday", "groups": "group",
               "event_rules": "event rule"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a model: which block, which entry, which field, and why.

    Only block, index, field and message take part in equality; the rest is
    detail for a face: the value as given, what is allowed, the dataclass
    attribute, the position within a list field, a subject naming the entry
    (a role, a grade), and whether it is only a warning.
    """

    block: str
    index: int | None
    field: str
    message: str
    value: object = field(default=NOTHING, compare=False)
    allowed: str = field(default="", compare=False)
    attribute: str = field(default="", compare=False)
    item: int | None = field(default=None, compare=False)
    subject: str = field(default="", compare=False)
    warning: bool = field(default=False, compare=False)

    def __str__(self) -> str:
        if self.subject:
            return f"{self.block}, {self.subject}: {self.message}"
        where = self.block if self.index is None else f"{self.block} {self.index + 1}"
        return f"{where}, {self.field}: {self.message}"


class ModelError(LeadScoreError, ValueError):
    """A model that cannot be used; .problems lists every reason (as data)."""

    def __init__(self, found):
        self.problems = list(found)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class RuleValue:
    """A fit rule's value as the operator needs it, parsed once."""

    keys: frozenset = frozenset()  # Text keys (=, <>, in, not in) or needles (contains).
    numbers: frozenset = frozenset()  # The same items read as numbers (=, <>, in, not in).
    limit: float | None = None  # >, >=, <, <=.
    low: float | None = None  # between.
    high: float | None = None


@dataclass
class CheckedModel:
    """A model whose every value is clean and typed, ready for the engine.

    model: a copy of the model with clean values (numbers as numbers, operators and
    channels in their declared spelling, lists as tuples, dates as dates).
    values: the parsed value of each fit rule, in order. warnings: problems that do not
    stop a run.
    """

    model: Model
    values: list
    warnings: list = field(default_factory=list)
    behaviour_values: list = field(default_factory=list)  # Per behaviour rule: its RuleValue (conditions).

    @property
    def settings(self) -> Settings:
        return self.model.settings


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


# --- reading each field by its kind ---------------------------------------------------------

class _Reader:
    """Reads records field by field, collecting problems and remembering which fields were bad."""

    def __init__(self, decimal: str, language: str = "en"):
        self.decimal = decimal
        self.language = language
        self.found: list[Problem] = []
        self.bad: set = set()

    def problem(self, block, index, label, message, **detail):
        self.found.append(Problem(BLOCK_NAMES.get(block, block), index, label, message, **detail))
        if detail.get("attribute"):
            self.bad.add((block, index, detail["attribute"]))

    def value(self, block, index, attribute, kind, label, value, subject=""):
        clean, message = kind.read_in(value, self.decimal, self.language)
        if message:
            self.problem(block, index, label, message, value=value, allowed=kind.allowed,
                         attribute=attribute, subject=subject)
        return clean

    def record(self, block, index, record):
        values = {}
        for attribute, kind, label in kinds(type(record)):
            values[attribute] = self.value(block, index, attribute, kind, label, getattr(record, attribute))
        return replace(record, **values)

    def ok(self, block, index, attribute) -> bool:
        return (block, index, attribute) not in self.bad


def _records(reader, block, items, record_type):
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, record_type):
            reader.problem(block, i, "entry", f"{shown(item)} is not a {record_type.__name__}")
            continue
        out.append(reader.record(block, i, item))
    return out


def rule_value(operator: str, value, decimal: str) -> tuple[RuleValue | None, str | None]:
    """A fit rule's value parsed for its operator: (RuleValue, None) or (None, message)."""
    if operator in NO_VALUE_OPERATORS:
        return RuleValue(), None
    error = excel_error(value)
    if error:
        return None, f"holds the error {error}; type the value the rule compares with"
    if isinstance(value, (bool, dt.date, dt.time)) and operator in NUMERIC_OPERATORS:
        return None, f"{shown(value)} is not a number (needed for {operator})"
    if operator in NUMERIC_OPERATORS and (value is None or (isinstance(value, str) and not value.strip())):
        return None, f"is blank; {operator} needs a value"
    if operator in NUMERIC_OPERATORS:
        items = split_list(value) if operator == "between" and isinstance(value, str) else [value]
        if operator == "between" and len(items) != 2:
            return None, f"{shown(value)} must be two numbers 'min;max' for between"
        numbers = []
        for item in items:
            number, state = (float(item), OK) if is_number(item) else parse_number(item, decimal)
            if state == AMBIGUOUS:
                return None, f"{shown(value)} {ambiguous_message(item)}"
            if item in (None, "") or state != OK or number is None or number != number or abs(number) == float("inf"):
                hint = decimal_hint(item, decimal)
                return None, f"{shown(value)} is not a number (needed for {operator}){hint}"
            numbers.append(number)
        if operator == "between":
            if numbers[0] > numbers[1]:
                return None, f"{shown(value)}: min is above max"
            return RuleValue(low=numbers[0], high=numbers[1]), None
        return RuleValue(limit=numbers[0]), None
    if isinstance(value, str) and operator in ("in", "not in", "contains"):
        items = split_list(value)
    elif value is None or (isinstance(value, str) and not value.strip()):
        items = []
    else:
        items = [value.strip() if isinstance(value, str) else value]
    if not items:
        return None, f"is blank; {operator} needs a value"
    keys = frozenset(text_key(v) for v in items)
    if operator == "contains":
        return RuleValue(keys=keys), None
    numbers = set()
    for item in items:
        number, state = (float(item), OK) if is_number(item) else parse_number(item, decimal)
        if state == OK and number is not None and number == number:
            numbers.add(number)
    return RuleValue(keys=keys, numbers=frozenset(numbers)), None


# --- how the fields fit together ---------------------------------------------------------------

def _fit_values(reader, rules) -> list:
    values = []
    for i, rule in enumerate(rules):
        parsed = None
        if reader.ok("fit_rules", i, "operator") and rule.operator:
            parsed, message = rule_value(rule.operator, rule.value, reader.decimal)
            if message:
                reader.problem("fit_rules", i, "value", message, value=rule.value, attribute="value")
        values.append(parsed or RuleValue())
    return values


def _behaviour_values(reader, rules) -> list:
    """Each behaviour rule's kind (blank is count) checked against its other fields; the value of a
    condition parsed as a fit rule's is."""
    values = []
    words = dict(zip(RULE_KINDS, KIND_WORDS.get(reader.language, RULE_KINDS)))
    for i, rule in enumerate(rules):
        parsed = None
        rule.kind = rule.kind or "count"
        if not reader.ok("behaviour_rules", i, "kind"):
            values.append(RuleValue())
            continue
        if rule.kind == "condition":
            if not rule.operator and reader.ok("behaviour_rules", i, "operator"):
                reader.problem("behaviour_rules", i, "operator", f"is blank; a {words['condition']!r} rule needs one "
                               f"of {', '.join(OPERATOR_WORDS.get(reader.language, OPERATORS))}", attribute="operator",
                               value=rule.operator)
            elif rule.operator:
                parsed, message = rule_value(rule.operator, rule.value, reader.decimal)
                if message:
                    reader.problem("behaviour_rules", i, "value", message, value=rule.value, attribute="value")
            if rule.cap is not None and reader.ok("behaviour_rules", i, "cap"):
                reader.problem("behaviour_rules", i, "cap", f"{shown(rule.cap)} must be blank for a "
                               f"{words['condition']!r} rule: its points count once", attribute="cap", value=rule.cap)
        else:
            if rule.kind in HYGIENE_KINDS and rule.cap is not None and reader.ok("behaviour_rules", i, "cap"):
                reader.problem("behaviour_rules", i, "cap", f"{shown(rule.cap)} must be blank for a "
                               f"{words[rule.kind]!r} rule: its points count once", attribute="cap", value=rule.cap)
            fix = f"set the kind to {words['condition']!r}, or clear it"
            if rule.operator:
                reader.problem("behaviour_rules", i, "operator", f"{shown(rule.operator)} is only for "
                               f"{words['condition']!r} rules (this one is {words[rule.kind]!r}); {fix}",
                               attribute="operator", value=rule.operator)
            if rule.value is not None:
                reader.problem("behaviour_rules", i, "value", f"{shown(rule.value)} is only for "
                               f"{words['condition']!r} rules (this one is {words[rule.kind]!r}); {fix}",
                               attribute="value", value=rule.value)
        values.append(parsed or RuleValue())
    return values


def _group_problems(reader, groups, fit, behaviour, events=()) -> None:
    """Every group a rule names is in the Groups table (its spelling there is taken), and holds fit
    rules or behaviour rules, not both; a group of the table that no rule uses is a warning."""
    words = MODE_WORDS.get(reader.language, GROUP_MODES)
    for g in groups:
        g.mode = g.mode or "sum"
    _duplicates(reader, "groups", [g.name for g in groups], "name", "group")
    known = {}
    for g in groups:
        if g.name:
            known.setdefault(text_key(g.name), g.name)
    listed = ", ".join(known.values()) or "it has none"
    used = {}  # group key -> (block, index) of its first rule
    for block, rules in (("fit_rules", fit), ("behaviour_rules", behaviour), ("event_rules", events)):
        for i, rule in enumerate(rules):
            if not rule.group or not reader.ok(block, i, "group"):
                continue
            key = text_key(rule.group)
            if key not in known:
                reader.problem(block, i, "group", f"{shown(rule.group)} is not in the Rule groups table ({listed}); "
                               f"add it there with its mode ({', '.join(words)}), or correct the name",
                               attribute="group", value=rule.group)
                continue
            rule.group = known[key]
            first = used.setdefault(key, (block, i))
            if (first[0] == "fit_rules") != (block == "fit_rules"):  # Event rules are behaviour rules.
                other = BLOCK_NAMES[first[0]]
                reader.problem(block, i, "group", f"{shown(rule.group)} already holds {other}s ({other} "
                               f"{first[1] + 1}); a group holds fit rules or behaviour rules, not both "
                               "(fit points make the grade, behaviour points do not): use another group",
                               attribute="group", value=rule.group)
    for i, g in enumerate(groups):
        if g.name and text_key(g.name) not in used and reader.ok("groups", i, "name"):
            reader.problem("groups", i, "group", f"{shown(g.name)} has no rules, so it changes nothing; "
                           "type it in the Group column of the rules it holds", attribute="name", warning=True)


def _event_problems(reader, events) -> None:
    """An event rule names at least one event type; scanner settings that cannot work are refused."""
    for i, rule in enumerate(events):
        if not rule.event and reader.ok("event_rules", i, "event"):
            reader.problem("event_rules", i, "event", "is blank; type the event types the rule counts, as the "
                           "Events sheet's Event column names them (separate them with ;)", attribute="event")


def _duplicates(reader, block, labels, attribute, label):
    keys = [text_key(x) if x else "" for x in labels]
    for i, key in enumerate(keys):
        if key and keys.count(key) > 1 and reader.ok(block, i, attribute):
            reader.problem(block, i, label, f"{shown(labels[i])} appears twice", attribute=attribute)


def _band_problems(reader, model: Model) -> None:
    grades = model.grade_bands
    if not grades:
        reader.problem("grade bands", None, "grade", "no grades; add at least one")
    _duplicates(reader, "grade_bands", [b.grade for b in grades], "grade", "grade")
    if sum(b.min_fit is None and reader.ok("grade_bands", i, "min_fit") for i, b in enumerate(grades)) > 1:
        reader.problem("grade bands", None, "minimum fit", "only the lowest grade may have a blank minimum")
    mins = [b.min_fit for b in grades if is_number(b.min_fit)]
    if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
        reader.problem("grade bands", None, "minimum fit",
                       f"minimums {mins} must fall strictly from the best grade down")
    bands = model.score_bands
    if not bands:
        reader.problem("score bands", None, "band", "no score bands; add at least one")
    _duplicates(reader, "score_bands", [b.label for b in bands], "label", "band")
    smins = [b.min_score for b in bands if is_number(b.min_score)]
    if smins != sorted(smins) or len(set(smins)) != len(smins):
        reader.problem("score bands", None, "minimum score",
                       f"minimums {smins} must rise strictly from the lowest band up")


def _matrix(reader, model: Model) -> dict:
    """The matrix with clean actions, checked grade by grade (in the order of the grade bands)."""
    clean, width = {}, len(model.score_bands)
    position = {}
    for i, grade in enumerate(model.matrix):
        name, message = Text(hint="type the grade").read(grade)
        if message:
            reader.problem("matrix", i, "grade", message, value=grade, attribute="grade", subject=f"row {i + 1}")
        else:
            position.setdefault(text_key(name), (i, name, model.matrix[grade]))
    grades = [b.grade for b in model.grade_bands if b.grade]
    known = {text_key(g) for g in grades}
    for key in [text_key(g) for g in grades] + [k for k in position if k not in known]:
        if key not in position:
            grade = next(g for g in grades if text_key(g) == key)
            reader.problem("matrix", None, "grade", f"grade {shown(grade)} has no row in the matrix", subject=grade)
            continue
        i, name, row = position[key]
        row = tuple(row) if isinstance(row, (tuple, list)) else (row,)
        actions = []
        for j, action in enumerate(row):
            text, message = MATRIX_ACTION.read(action)
            if message and message.startswith("is blank"):
                band = model.score_bands[j].label if j < width else j + 1
                message = f"action for band {band} is blank"
            if message:
                reader.problem("matrix", i, "actions", message, value=action, attribute="actions", item=j,
                               subject=name)
            actions.append(text)
        if len(actions) != width:
            reader.problem("matrix", i, "actions", f"has {len(actions)} actions; needs one per score band ({width})",
                           attribute="width", subject=name)
        if key not in known:
            reader.problem("matrix", i, "grade", f"{shown(name)} is not a grade of the grade bands",
                           attribute="grade", subject=name)
        clean[next((g for g in grades if text_key(g) == key), name)] = tuple(actions)
    return clean


def _status_problems(reader, model: Model) -> None:
    known = {b.grade for b in model.grade_bands if b.grade}
    rules = model.status_rules
    for i, rule in enumerate(rules):
        unknown = [g for g in rule.grades if g not in known]
        if unknown:
            reader.problem("status_rules", i, "grades",
                           f"{';'.join(unknown)} not among the grades {';'.join(sorted(known))}",
                           value=";".join(rule.grades), attribute="grades")
    # First match wins: a rule an earlier one always beats is never reached, at least in part.
    for j, later in enumerate(rules):
        for i, earlier in enumerate(rules[:j]):
            if not (is_number(earlier.min_score) and is_number(later.min_score)):
                continue
            if earlier.min_score > later.min_score:
                continue
            wide = not earlier.grades or (later.grades and set(later.grades) <= set(earlier.grades))
            if wide:
                message = (f"{later.min_score} of {later.status} is never reached: {earlier.status} "
                           f"(status rule {i + 1}, from {earlier.min_score}) takes those leads first; put the "
                           "higher threshold first")
            else:
                grades = ";".join(g for g in earlier.grades if not later.grades or g in later.grades)
                if not grades:
                    continue
                message = (f"{later.min_score} of {later.status}: leads of grade {grades} from that score get "
                           f"{earlier.status} (status rule {i + 1}, from {earlier.min_score}) first; put the "
                           "higher threshold first")
            reader.problem("status_rules", j, "minimum score", message, attribute="min_score", warning=True)
            break


def _words_of(reader, s: Settings, attribute: str, label: str, options: tuple, spelt: dict) -> None:
    """A list setting of fixed words (either language): each item becomes its English word."""
    known = {}
    for spelling in spelt.values():
        known.update({text_key(w): o for o, w in zip(options, spelling)})
    items = getattr(s, attribute)
    unknown = [item for item in items if text_key(item) not in known]
    if unknown:
        listed = ", ".join(spelt.get(reader.language, options))
        reader.problem("settings", None, label, f"{shown(unknown[0])} is not one of {listed} (separate them with ;)",
                       attribute=attribute, value=";".join(items))
        setattr(s, attribute, ())
    else:
        setattr(s, attribute, tuple(dict.fromkeys(known[text_key(item)] for item in items)))


def _hygiene_settings(reader, s: Settings) -> None:
    _words_of(reader, s, "junk_kinds", "junk when", HYGIENE_KINDS,
              {k: w[3:] for k, w in KIND_WORDS.items()})
    _words_of(reader, s, "duplicate_keys", "duplicates by", DUPLICATE_KEYS, DUPLICATE_WORDS)
    if s.phone_region and reader.ok("settings", None, "phone_region"):
        import phonenumbers

        region = s.phone_region.strip().upper()
        if phonenumbers.country_code_for_region(region) == 0:
            reader.problem("settings", None, "phone region", f"{shown(s.phone_region)} is not a region code; type "
                           "two letters such as IT, GB or US, or leave it blank (then only numbers written with + "
                           "and their country code compare)", attribute="phone_region", value=s.phone_region)
            s.phone_region = ""
        else:
            s.phone_region = region


def _settings_problems(reader, s: Settings) -> None:
    _hygiene_settings(reader, s)
    if s.burst_links == 1 and reader.ok("settings", None, "burst_links"):
        reader.problem("settings", None, "links clicked at once", "1 would mark every click; type 0 (off) or a "
                       "whole number of links from 2 to 100", attribute="burst_links", value=s.burst_links)
    if is_number(s.score_min) and is_number(s.score_max) and s.score_min >= s.score_max:
        reader.problem("settings", None, "score_max", "must be above score_min", attribute="score_max")
    # A number is never a placeholder: a cell holding it could not read as blank and as that number.
    numbers = [item for item in s.placeholders if parse_number(item, "auto")[1] in (OK, AMBIGUOUS)]
    if numbers:
        reader.problem("settings", None, "placeholders", f"{shown(numbers[0])} is a number; placeholders are "
                       "texts such as Select or n/a that read as blank", attribute="placeholders",
                       value=";".join(s.placeholders))


def _nurture_problems(reader, model: Model) -> None:
    names = {text_key(st.sequence) for st in model.sequences if st.sequence}
    roles = {text_key(m.role): m.role for m in model.team if m.role}
    for i, st in enumerate(model.sequences):
        if roles and reader.ok("sequences", i, "owner_role") and text_key(st.owner_role) not in roles:
            listed = ", ".join(sorted(roles.values()))
            reader.problem("sequences", i, "owner role", f"{shown(st.owner_role)} is not a role of the Team "
                                                         f"({listed})", attribute="owner_role")
    for i, plan in enumerate(model.action_plans):
        if plan.sequence and text_key(plan.sequence) not in names:
            listed = ", ".join(sorted({st.sequence for st in model.sequences if st.sequence}))
            reader.problem("action_plans", i, "sequence", f"{shown(plan.sequence)} is not a sequence of the "
                                                          f"Sequences table ({listed})", attribute="sequence")


def check(model: Model) -> tuple[CheckedModel, list[Problem]]:
    """(the checked model, every problem in sheet order); the model is usable when no problem is
    an error (warnings don't stop it)."""
    settings_in = model.settings if isinstance(model.settings, Settings) else Settings()
    decimal, _ = Choice(DECIMAL_CHOICES).read(settings_in.decimal)
    language, _ = Choice(LANGUAGES).read(settings_in.language)
    reader = _Reader(decimal or "auto", language or "en")
    fit = _records(reader, "fit_rules", model.fit_rules, FitRule)
    values = _fit_values(reader, fit)
    behaviour = _records(reader, "behaviour_rules", model.behaviour_rules, BehaviourRule)
    behaviour_values = _behaviour_values(reader, behaviour)
    roles = {}
    (_, role_kind, _), (_, level_kind, _) = kinds(Role)
    for i, (role, level) in enumerate(model.roles.items()):
        name = reader.value("roles", i, "role", role_kind, "role", role, subject=str(role))
        number = reader.value("roles", i, "level", level_kind, "level", level, subject=str(role))
        if name:
            roles[name] = number
    grades = _records(reader, "grade_bands", model.grade_bands, GradeBand)
    bands = _records(reader, "score_bands", model.score_bands, ScoreBand)
    status = _records(reader, "status_rules", model.status_rules, StatusRule)
    settings = reader.record("settings", None, settings_in)
    sequences = _records(reader, "sequences", model.sequences, SequenceStep)
    plans = _records(reader, "action_plans", model.action_plans, ActionPlan)
    team = _records(reader, "team", model.team, TeamMember)
    holidays = [reader.value("holidays", i, "date", HOLIDAY, "date", day) for i, day in enumerate(model.holidays)]
    groups = _records(reader, "groups", model.groups, RuleGroup)
    events = _records(reader, "event_rules", model.event_rules, EventRule)
    _event_problems(reader, events)
    _group_problems(reader, groups, fit, behaviour, events)
    clean = Model(fit, behaviour, roles, grades, bands, {}, status, settings, sequences, plans, team,
                  [d for d in holidays if d is not None], groups, events)
    # The matrix and the cross checks see the clean values.
    _band_problems(reader, clean)
    clean.matrix = _matrix(reader, Model(grade_bands=grades, score_bands=bands, matrix=model.matrix))
    _status_problems(reader, clean)
    _settings_problems(reader, settings)
    _nurture_problems(reader, clean)
    found = in_sheet_order(reader.found)
    return CheckedModel(clean, values, [p for p in found if p.warning], behaviour_values), found


_ORDER = ("fit rule", "behaviour rule", "event rule", "group", "roles", "grade band", "grade bands", "score band", "score bands",
          "matrix", "status rule", "settings", "sequence step", "action plan", "team member", "holiday")
_RECORDS = {"fit rule": FitRule, "behaviour rule": BehaviourRule, "event rule": EventRule, "group": RuleGroup, "roles": Role, "grade band": GradeBand,
            "score band": ScoreBand, "status rule": StatusRule, "settings": Settings,
            "sequence step": SequenceStep, "action plan": ActionPlan, "team member": TeamMember}


def in_sheet_order(found: list) -> list:
    """Problems by block in sheet order; within a block by entry, then field; whole-block ones
    last. The matrix keeps the order it was checked in (grade by grade)."""
    rank = {name: i for i, name in enumerate(_ORDER)}

    def key(numbered):
        n, p = numbered
        if p.block == "matrix" or p.index is None:
            return rank.get(p.block, len(rank)), 1, n, 0
        names = [f.name for f in fields(_RECORDS[p.block])] if p.block in _RECORDS else []
        return rank.get(p.block, len(rank)), 0, p.index, names.index(p.attribute) if p.attribute in names else 99

    return [p for _, p in sorted(enumerate(found), key=key)]


def problems(model: Model) -> list[Problem]:
    """Every problem of a model (errors and warnings), in sheet order; no error: it can be used."""
    return check(model)[1]


def record_fields(record_type) -> list[str]:
    """The attributes of a model record, in order (for layouts and templates)."""
    return [f.name for f in fields(record_type)]

"""The scoring model: plain dataclasses and their validation.

A model is everything on the LeadScore sheet: fit rules, behaviour rules, role
levels, grade bands, score settings, score bands, the action matrix and the
status thresholds. It can be built in code or read from a workbook.
"""
from __future__ import annotations

from dataclasses import dataclass, field

OPERATORS = (
    "=", "<>", "in", "not in", ">", ">=", "<", "<=", "between",
    "contains", "is blank", "not blank",
)
NUMERIC_OPERATORS = (">", ">=", "<", "<=", "between")
NO_VALUE_OPERATORS = ("is blank", "not blank")
DECIMAL_CHOICES = ("auto", ",", ".")
CHANNELS = ("Email", "Phone", "SMS", "WhatsApp", "Task")
LANGUAGES = ("en", "it")


@dataclass
class FitRule:
    """Points for leads whose column matches operator and value."""

    column: str
    operator: str
    value: object = None
    points: float = 0
    label: str = ""


@dataclass
class BehaviourRule:
    """Points for each occurrence counted in a lead column (a count or yes/no)."""

    name: str
    column: str
    points: float
    cap: float | None = None


@dataclass
class GradeBand:
    """A letter for fit points at or above min_fit; None marks the lowest band."""

    grade: str
    min_fit: float | None


@dataclass
class ScoreBand:
    """A column of the matrix: scores at or above min_score."""

    label: str
    min_score: float


@dataclass
class StatusRule:
    """A status reached at min_score by leads of the given grades (empty: any)."""

    status: str
    min_score: float
    grades: tuple = ()


@dataclass
class SequenceStep:
    """One step of a nurture sequence: on business day `day` after enrolment, do `content`."""

    sequence: str
    step: int
    day: int
    channel: str
    content: str
    owner_role: str


@dataclass
class ActionPlan:
    """What an action of the matrix sets going: a sequence (blank: none) and a priority (1 = first)."""

    action: str
    sequence: str = ""
    priority: int = 3


@dataclass
class TeamMember:
    name: str
    role: str


@dataclass
class Settings:
    """Numbers and names the score depends on."""

    fit_max: float = 50
    behaviour_max: float = 50
    score_min: float = 0
    score_max: float = 100
    role_column: str = "Role"
    role_level_column: str = "Role level"
    stage_column: str = "Stage"
    sales_stages: tuple = ("Opportunity", "Customer", "Disqualified")
    default_status: str = "Lead"
    decimal: str = "auto"
    language: str = "en"


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

    def validate(self) -> None:
        """Raise ModelError listing every problem, or return None."""
        found = problems(self)
        if found:
            raise ModelError(found)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a model: which block, which entry, which field."""

    block: str
    index: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.block if self.index is None else f"{self.block} {self.index + 1}"
        return f"{where}, {self.field}: {self.message}"


class ModelError(ValueError):
    """A model that cannot be used; .problems lists every reason."""

    def __init__(self, found):
        self.problems = list(found)
        super().__init__("\n".join(str(p) for p in self.problems))


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def not_number(value) -> str:
    """Why a value is not a usable number, as a message."""
    return "is blank; enter a number" if value is None or value == "" else f"{value!r} is not a number"


def split_list(value) -> list[str]:
    """Split a rule value like 'IT; Manufacturing' into its items."""
    if value is None:
        return []
    return [item.strip() for item in str(value).split(";") if item.strip()]


def _fit_problems(rules) -> list[Problem]:
    from .parse import parse_number  # Local import keeps the module graph flat.

    found = []
    for i, rule in enumerate(rules):
        add = lambda fld, msg: found.append(Problem("fit rule", i, fld, msg))  # noqa: E731
        if not str(rule.column or "").strip():
            add("column", "is blank; name a column of the Leads table")
        if rule.operator not in OPERATORS:
            add("operator", f"{rule.operator!r} is not one of {', '.join(OPERATORS)}")
        elif rule.operator in NUMERIC_OPERATORS:
            items = split_list(rule.value) if rule.operator == "between" else [rule.value]
            if rule.operator == "between" and len(items) != 2:
                add("value", f"{rule.value!r} must be two numbers 'min;max' for between")
            else:
                numbers = [parse_number(v)[0] for v in items]
                bad = [v for v, n in zip(items, numbers) if n is None]
                if bad or any(v in (None, "") for v in items):
                    add("value", f"{rule.value!r} is not a number (needed for {rule.operator})")
                elif rule.operator == "between" and numbers[0] > numbers[1]:
                    add("value", f"{rule.value!r}: min is above max")
        elif rule.operator not in NO_VALUE_OPERATORS and not split_list(rule.value):
            add("value", f"is blank; {rule.operator} needs a value")
        if not is_number(rule.points):
            add("points", not_number(rule.points))
    return found


def _behaviour_problems(rules) -> list[Problem]:
    found = []
    for i, rule in enumerate(rules):
        add = lambda fld, msg: found.append(Problem("behaviour rule", i, fld, msg))  # noqa: E731
        if not str(rule.name or "").strip():
            add("behaviour", "is blank; give the behaviour a name")
        if not str(rule.column or "").strip():
            add("column", "is blank; name a column of the Leads table")
        if not is_number(rule.points):
            add("points", not_number(rule.points))
        if rule.cap is not None and (not is_number(rule.cap) or rule.cap <= 0):
            add("cap", f"{rule.cap!r} must be a number above 0, or blank for no cap")
    return found


def _band_problems(model: Model) -> list[Problem]:
    found = []
    grades = [b.grade for b in model.grade_bands]
    if not model.grade_bands:
        found.append(Problem("grade bands", None, "grade", "no grades; add at least one"))
    for i, band in enumerate(model.grade_bands):
        if not str(band.grade or "").strip():
            found.append(Problem("grade band", i, "grade", "is blank"))
        elif grades.count(band.grade) > 1:
            found.append(Problem("grade band", i, "grade", f"{band.grade!r} appears twice"))
        if band.min_fit is not None and not is_number(band.min_fit):
            found.append(Problem("grade band", i, "minimum fit", not_number(band.min_fit)))
    if sum(b.min_fit is None for b in model.grade_bands) > 1:
        found.append(Problem("grade bands", None, "minimum fit",
                             "only the lowest grade may have a blank minimum"))
    mins = [b.min_fit for b in model.grade_bands if is_number(b.min_fit)]
    if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
        found.append(Problem("grade bands", None, "minimum fit",
                             f"minimums {mins} must fall strictly from the best grade down"))
    if not model.score_bands:
        found.append(Problem("score bands", None, "band", "no score bands; add at least one"))
    labels = [b.label for b in model.score_bands]
    for i, band in enumerate(model.score_bands):
        if not str(band.label or "").strip():
            found.append(Problem("score band", i, "band", "is blank"))
        elif labels.count(band.label) > 1:
            found.append(Problem("score band", i, "band", f"{band.label!r} appears twice"))
        if not is_number(band.min_score):
            found.append(Problem("score band", i, "minimum score", not_number(band.min_score)))
    smins = [b.min_score for b in model.score_bands if is_number(b.min_score)]
    if smins != sorted(smins) or len(set(smins)) != len(smins):
        found.append(Problem("score bands", None, "minimum score",
                             f"minimums {smins} must rise strictly from the lowest band up"))
    return found


def _matrix_problems(model: Model) -> list[Problem]:
    found = []
    width = len(model.score_bands)
    for grade in [b.grade for b in model.grade_bands]:
        row = model.matrix.get(grade)
        if row is None:
            found.append(Problem("matrix", None, grade, f"grade {grade!r} has no row in the matrix"))
            continue
        if len(row) != width:
            found.append(Problem("matrix", None, grade,
                                 f"has {len(row)} actions; needs one per score band ({width})"))
        for j, action in enumerate(row):
            if not str(action or "").strip():
                band = model.score_bands[j].label if j < width else j + 1
                found.append(Problem("matrix", None, grade, f"action for band {band} is blank"))
    known = {b.grade for b in model.grade_bands}
    for grade in model.matrix:
        if grade not in known:
            found.append(Problem("matrix", None, grade, f"{grade!r} is not a grade of the grade bands"))
    return found


def _status_problems(model: Model) -> list[Problem]:
    found = []
    known = {b.grade for b in model.grade_bands}
    for i, rule in enumerate(model.status_rules):
        if not str(rule.status or "").strip():
            found.append(Problem("status rule", i, "status", "is blank"))
        if not is_number(rule.min_score):
            found.append(Problem("status rule", i, "minimum score", not_number(rule.min_score)))
        unknown = [g for g in rule.grades if g not in known]
        if unknown:
            found.append(Problem("status rule", i, "grades",
                                 f"{';'.join(unknown)} not among the grades {';'.join(sorted(known))}"))
    return found


def _settings_problems(s: Settings) -> list[Problem]:
    found = []
    for name in ("fit_max", "behaviour_max", "score_min", "score_max"):
        if not is_number(getattr(s, name)):
            found.append(Problem("settings", None, name, not_number(getattr(s, name))))
    if is_number(s.score_min) and is_number(s.score_max) and s.score_min >= s.score_max:
        found.append(Problem("settings", None, "score_max", "must be above score_min"))
    if is_number(s.behaviour_max) and s.behaviour_max < 0:
        found.append(Problem("settings", None, "behaviour_max", "must be 0 or more"))
    if s.decimal not in DECIMAL_CHOICES:
        found.append(Problem("settings", None, "decimal",
                             f"{s.decimal!r} is not one of {', '.join(DECIMAL_CHOICES)}"))
    if s.language not in LANGUAGES:
        found.append(Problem("settings", None, "language",
                             f"{s.language!r} is not one of {', '.join(LANGUAGES)}"))
    return found


def _nurture_problems(model: Model) -> list[Problem]:
    import datetime as dt

    found = []
    names = {st.sequence for st in model.sequences}
    for i, st in enumerate(model.sequences):
        add = lambda fld, msg: found.append(Problem("sequence step", i, fld, msg))  # noqa: E731
        if not str(st.sequence or "").strip():
            add("sequence", "is blank; name the sequence")
        if not is_number(st.day) or st.day < 0 or st.day != int(st.day):
            add("day", f"{st.day!r} must be a whole number of business days, 0 or more")
        if not is_number(st.step):
            add("step", not_number(st.step))
        if st.channel not in CHANNELS:
            add("channel", f"{st.channel!r} is not one of {', '.join(CHANNELS)}")
        if not str(st.content or "").strip():
            add("content", "is blank; say what to send or do")
        if model.team and st.owner_role not in {m.role for m in model.team}:
            roles = ", ".join(sorted({m.role for m in model.team}))
            add("owner role", f"{st.owner_role!r} is not a role of the Team ({roles})")
    for i, plan in enumerate(model.action_plans):
        add = lambda fld, msg: found.append(Problem("action plan", i, fld, msg))  # noqa: E731
        if not str(plan.action or "").strip():
            add("action", "is blank; name an action of the matrix")
        if plan.sequence and plan.sequence not in names:
            add("sequence", f"{plan.sequence!r} is not a sequence of the Sequences table "
                            f"({', '.join(sorted(names))})")
        if not is_number(plan.priority):
            add("priority", not_number(plan.priority))
    for i, member in enumerate(model.team):
        if not str(member.name or "").strip():
            found.append(Problem("team member", i, "name", "is blank"))
        if not str(member.role or "").strip():
            found.append(Problem("team member", i, "role", "is blank"))
    for i, day in enumerate(model.holidays):
        if not isinstance(day, dt.date):
            found.append(Problem("holiday", i, "date", f"{day!r} is not a date"))
    return found


def problems(model: Model) -> list[Problem]:
    """Every problem of a model, in sheet order; empty when it can be used."""
    return (
        _fit_problems(model.fit_rules)
        + _behaviour_problems(model.behaviour_rules)
        + [Problem("roles", None, str(k), not_number(v))
           for k, v in model.roles.items() if not is_number(v)]
        + _band_problems(model)
        + _matrix_problems(model)
        + _status_problems(model)
        + _settings_problems(model.settings)
        + _nurture_problems(model)
    )

"""The model as one SQL query: what scoring.engine computes, column for column, in DuckDB SQL.

build(model, columns) writes the query over a table of leads whose columns (name -> kind, see
values.KINDS) are given; Query.text(dialect) is that query in another dialect, by sqlglot.

As the engine, the query works once per distinct value of each lead column a rule reads: a small
table per column (its distinct values, read as parse.Column reads them, and what each rule on that
column gives for each: points, whether it holds, its reason) is joined back to the leads. Per lead
there is then only what combines the columns: rule groups (sum, max, all, group caps) in sheet order,
behaviour, fit and score held within their limits, grade, score band, action, status (a sales stage
kept), rating and the reasons, character for character as the engine writes them. What SQL cannot do
as the engine does (hygiene checks, duplicates) is refused: NotExpressible names the rules.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..columns import find
from ..engine import _find_columns, checked_model, rule_label
from ..errors import LeadScoreError
from ..explain import CELL_LIMIT, SEP, Reason
from ..hygiene import EMAIL_KINDS, HYGIENE_KINDS
from ..model import CheckedModel, Model, ModelError, Problem, RuleValue
from ..parse import text_key
from ..texts import text
from . import reasons as R
from . import values as v
from .cells import Cells
from .layers import Layers
from .values import dbl, ident, lit

OUTPUTS = ("fit", "grade", "behaviour", "score", "rating", "status", "action", "reasons")
DIALECTS = ("duckdb", "spark", "postgres", "bigquery", "snowflake")
KEY_OPERATORS = ("=", "<>", "in", "not in", "contains")
_DYNAMIC_TEXT = 80  # Characters a reason's numbers and notes may add to its label (a bound).


class NotExpressible(LeadScoreError):
    """A model SQL cannot score as the engine does; .problems name the rules (scoring.model.Problem)."""

    def __init__(self, found):
        self.problems = list(found)
        super().__init__("; ".join(str(p) for p in self.problems))


@dataclass
class Query:
    """The query in DuckDB SQL, the input columns it passes through, and whether the numbers are whole."""

    sql: str
    inputs: list
    whole: bool
    outputs: tuple = OUTPUTS
    # The same query in steps, for a database that runs it a part of the leads at a time: the small
    # tables [(name, SELECT making it from the tables before)], then the SELECT over the leads joined
    # with them.
    tables: tuple = ()
    main: str = ""
    read: tuple = ()  # The lead columns the rules read (the main SELECT joins on them).

    def text(self, dialect: str = "duckdb", pretty: bool = True) -> str:
        """The query in a dialect of DIALECTS (sqlglot transpiles the DuckDB text)."""
        if dialect not in DIALECTS:
            raise ValueError(f"dialect {dialect!r} is not one of {', '.join(DIALECTS)}")
        import sqlglot
        from sqlglot import exp

        tree = sqlglot.parse_one(self.sql, read="duckdb")
        if dialect in ("bigquery", "snowflake"):
            # Both replace every match by default, and Snowflake reads a fourth argument as a position.
            for node in tree.find_all(exp.RegexpReplace):
                node.set("modifiers", None)
            # Their CONCAT_WS does not leave out NULLs (BigQuery has none): an array of the pieces
            # without the NULLs, joined.
            for node in list(tree.find_all(exp.ConcatWs)):
                separator, *pieces = node.expressions
                array = (exp.Array(expressions=pieces) if dialect == "bigquery" else
                         exp.Anonymous(this="ARRAY_CONSTRUCT_COMPACT", expressions=pieces))
                node.replace(exp.ArrayToString(this=array, expression=separator))
        if dialect == "spark":
            # The tables of distinct values are small: sent to every worker, so the leads are not shuffled
            # (and keep their order within each part of the file).
            for select in tree.find_all(exp.Select):
                joins = select.args.get("joins") or []
                if joins:
                    tables = [exp.Table(this=exp.to_identifier(j.this.name, quoted=True)) for j in joins]
                    select.set("hint", exp.Hint(expressions=[exp.JoinHint(this="BROADCAST", expressions=tables)]))
        return tree.sql(dialect=dialect, pretty=pretty, unsupported_level=sqlglot.ErrorLevel.RAISE)


@dataclass
class _Part:
    """What one rule gives per lead, as columns of its lead column's table: points, where it holds, its
    reason (NULL where it gives none) and, for a max group, its text without note (NULL where it gives
    no reason) and its own note."""

    points: str
    holds: str
    piece: str
    base: str
    note: str = "''"


class _Source:
    """One lead column: its distinct values, read and judged by every rule on it, as one small table."""

    def __init__(self, builder, name, kind: str, number: int):
        self.name = name
        self.value = ident(f"_ls_v{number}")
        self.grouped = ident(f"_ls_g{number}")
        self.distinct = ident(f"_ls_d{number}")
        self.table = ident(f"_ls_p{number}")
        self.layers = Layers(self.distinct, tag=f"c{number}", counter=builder.counter)
        s = builder.s
        self.cells = Cells(self.layers, self.value, kind, s.decimal, builder.placeholders, builder.keys)
        self.derived = {}  # Readings made from this column's (the Role level).


def _is_whole(x) -> bool:
    return x is None or float(x).is_integer()


class _Builder:
    def __init__(self, checked: CheckedModel, columns: dict, table: str):
        self.checked = checked
        self.model = checked.model
        self.s = self.model.settings
        self.language = self.s.language
        self.kinds = dict(columns)
        self.table = table
        self.counter = [0]
        self.found, missing = _find_columns(list(columns), checked)
        if missing:
            raise ModelError(missing)
        self.placeholders = {text_key(p) for p in self.s.placeholders}
        self.keys = self._all_keys()
        self.sources = {}
        self.main = Layers("", tag="m", counter=self.counter)
        self.pieces = []  # The Reasons pieces, in the engine's order.
        self.longest = 0  # A bound of the Reasons text's length.
        self.groups = {text_key(g.name): g for g in self.model.groups}

    def _all_keys(self) -> set:
        keys = set(self.placeholders) | {text_key(r) for r in self.model.roles}
        keys |= {text_key(x) for x in self.s.sales_stages}
        for value in list(self.checked.values) + list(self.checked.behaviour_values or []):
            keys |= set(value.keys)
        return keys

    # --- columns ---------------------------------------------------------------------------------

    def source(self, header) -> _Source:
        if header not in self.sources:
            self.sources[header] = _Source(self, header, self.kinds[header], len(self.sources) + 1)
        return self.sources[header]

    def cells_of(self, name) -> tuple[_Source, Cells]:
        """The source and readings of the lead column a rule names (the Role level from the Roles table)."""
        header = self.found[name]
        if header is not None:
            source = self.source(header)
            return source, source.cells
        source = self.source(find(list(self.kinds), self.s.role_column))
        if "role" not in source.derived:
            cells = source.cells
            levels = {text_key(k): float(level) for k, level in self.model.roles.items()}
            whens = " ".join(f"WHEN {cells.key} = {lit(k)} THEN {dbl(level)}" for k, level in levels.items())
            level = source.layers.add("role_level", f"CASE WHEN {cells.blank} THEN NULL {whens} END" if whens
                                      else "CAST(NULL AS DOUBLE)")
            source.derived["role"] = Cells(source.layers, level, v.NUMBER, self.s.decimal, (), self.keys)
        return source, source.derived["role"]

    # --- operators (rules.evaluate) --------------------------------------------------------------

    @staticmethod
    def hit(cells: Cells, operator: str, value: RuleValue) -> str:
        L = cells.layers
        if operator == "is blank":
            return cells.blank
        if operator == "not blank":
            return L.add("hit", f"NOT {cells.blank}")
        if operator in ("=", "<>", "in", "not in"):
            equal = L.add("equal", f"COALESCE({_equal(cells, value)}, FALSE)")
            if operator in ("<>", "not in"):
                return L.add("hit", f"(NOT {equal} AND NOT {cells.blank})")
            return equal
        if operator == "contains":
            needles = " OR ".join(f"STRPOS({cells.key}, {lit(n)}) > 0" for n in sorted(value.keys)) or "FALSE"
            return L.add("hit", f"(NOT {cells.blank} AND COALESCE({needles}, FALSE))")
        number = cells.number
        if operator == "between":
            test = f"{number} >= {dbl(value.low)} AND {number} <= {dbl(value.high)}"
        else:
            test = f"{number} {operator} {dbl(value.limit)}"
        return L.add("hit", f"COALESCE({cells.state} = {v.OK} AND {test}, FALSE)")

    # --- rules -----------------------------------------------------------------------------------

    def _prefix(self, rule) -> str:
        return f"{self.groups[text_key(rule.group)].name}: " if rule.group else ""

    def fixed_part(self, cells: Cells, hit: str, rule, label: str) -> _Part:
        """A fit rule or a condition: its points once where it holds."""
        L = cells.layers
        reason = Reason(self._prefix(rule) + label, float(rule.points))
        self.longest += len(reason.text(self.language)) + len(SEP) + _DYNAMIC_TEXT
        points = L.add("points", f"CASE WHEN {hit} THEN {dbl(rule.points)} ELSE {dbl(0)} END")
        piece = L.add("piece", R.fixed(reason, hit, self.language))
        return _Part(points, hit, piece, piece)

    def amounts(self, cells: Cells, rule) -> _Part:
        """engine._amounts: points per occurrence (count) or per unit, capped."""
        L = cells.layers
        per_unit = rule.kind == "per unit"
        number = cells.count
        c = L.add("units", f"CASE WHEN {v.usable_count(number, per_unit)} THEN {number} ELSE {dbl(0)} END")
        raw = L.add("raw", f"{c} * {dbl(rule.points)}")
        points = L.add("points", v.round6(raw)) if per_unit else raw
        note = "''"
        if rule.cap is not None:
            cap = abs(float(rule.cap))
            points = L.add("points", f"LEAST(GREATEST({points}, {dbl(-cap)}), {dbl(cap)})")
            note = L.add("note", f"CASE WHEN ABS(ROUND({c} * {dbl(rule.points)}, 6)) > {dbl(cap)} "
                                 f"THEN {lit(text(self.language, 'cap'))} ELSE '' END")
        name = self._prefix(rule) + rule.name
        self.longest += len(name) + len(SEP) + _DYNAMIC_TEXT
        times = lit(f"{name} \u00d7")
        count_text = v.number_text(c, self.language)
        label = (f"{times} || {count_text}" if per_unit else
                 f"CASE WHEN {c} = 1 THEN {lit(name)} ELSE {times} || {count_text} END")
        gives = L.add("gives", f"({c} <> 0 AND {points} <> 0)")
        base = L.add("base", f"CASE WHEN {gives} THEN {R.base(label, points, self.language)} END")
        piece = L.add("piece", R.piece(R.with_note(base, note), gives) if note != "''" else base)
        holds = L.add("holds", f"({c} <> 0)")
        return _Part(points, holds, piece, base, note)

    def block(self, rules, parts) -> str:
        """groups.Tally: the block's total per lead; its reasons go to self.pieces in order."""
        members = {}
        for i, rule in enumerate(rules):
            if rule.group:
                members.setdefault(text_key(rule.group), []).append(i)
        terms, kept = [], {}
        for i, (rule, part) in enumerate(zip(rules, parts)):
            if not rule.group:
                terms.append(part.points)
                self.pieces.append(part.piece)
                continue
            key = text_key(rule.group)
            kept[i] = part
            if i == members[key][-1]:
                terms.append(self._group(self.groups[key], [kept.pop(j) for j in members[key]]))
        return self.main.add("total", " + ".join([dbl(0)] + terms))

    def _group(self, group, parts: list) -> str:
        M = self.main
        if group.mode == "max":
            whens = []
            for r, p in enumerate(parts):
                beats = [f"(NOT {q.holds} OR {p.points} >= {q.points})" for q in parts[r + 1:]]
                whens.append(f"WHEN {' AND '.join([p.holds] + beats)} THEN {r}")
            best = M.add("best", f"CASE {' '.join(whens)} ELSE -1 END")
            held = M.add("held", " + ".join(f"CASE WHEN {p.holds} THEN 1 ELSE 0 END" for p in parts))
            total = M.add("group", "CASE " + " ".join(f"WHEN {best} = {r} THEN {p.points}" for r, p in enumerate(parts))
                          + f" ELSE {dbl(0)} END")
            best_of = M.add("best_of", f"CASE WHEN {held} > 1 THEN {lit(text(self.language, 'best of') + ' ')} || "
                                       f"CAST({held} AS VARCHAR) ELSE '' END")
            for r, p in enumerate(parts):
                self.pieces.append(R.piece(R.with_note(p.base, R.notes(p.note, best_of)),
                                           f"{best} = {r} AND {p.base} IS NOT NULL"))
        else:
            total = M.add("group", " + ".join([dbl(0)] + [p.points for p in parts]))
            if group.mode == "all":
                every = M.add("every", " AND ".join(p.holds for p in parts))
                total = M.add("group", f"CASE WHEN {every} THEN {total} ELSE {dbl(0)} END")
                self.pieces += [f"CASE WHEN {every} THEN {p.piece} END" for p in parts]
            else:
                self.pieces += [p.piece for p in parts]
        if group.cap is not None:
            cap = abs(float(group.cap))
            capped = M.add("capped", f"LEAST(GREATEST({total}, {dbl(-cap)}), {dbl(cap)})")
            diff = M.add("diff", f"{capped} - {total}")
            label = f"{group.name}: {text(self.language, 'group cap')}"
            self.pieces.append(R.piece(R.base(lit(label), diff, self.language), f"{diff} <> 0"))
            self.longest += len(label) + len(SEP) + _DYNAMIC_TEXT
            total = capped
        return total

    def adjust(self, value: str, low, high, cap_word, floor_word) -> str:
        """engine._adjust: value held within [low, high], the difference a reason."""
        M = self.main
        held = f"LEAST({value}, {dbl(high)})" if low is None else f"LEAST(GREATEST({value}, {dbl(low)}), {dbl(high)})"
        held = M.add("held", held)
        diff = M.add("diff", f"{held} - {value}")
        for test, word in ((f"{diff} < 0", cap_word), (f"{diff} > 0", floor_word)):
            if word:
                label = text(self.language, word)
                self.pieces.append(R.piece(R.base(lit(label), diff, self.language), test))
                self.longest += len(label) + len(SEP) + _DYNAMIC_TEXT
        return held

    # --- the statement ---------------------------------------------------------------------------

    def statement(self, outputs: list[tuple[str, str]]) -> str:
        """Every CTE and the final SELECT: the distinct values of every lead column a rule reads (one pass:
        one grouping set per column) and their tables, then the leads joined with those tables, then
        what combines them."""
        main_sql = " ".join(list(self.main.sql.values()) + [sql for sql, _ in outputs])
        sources = list(self.sources.values())
        ctes, joins, self.tables = [], [], []
        if sources:
            listed = ", ".join(f"{ident(s.name)} AS {s.value}, GROUPING({ident(s.name)}) AS {s.grouped}" for s in sources)
            sets = ", ".join(f"({ident(s.name)})" for s in sources)
            select = f"SELECT {listed} FROM {self.table} GROUP BY GROUPING SETS ({sets})"
            ctes.append(f"{ident('_ls_d')} AS ({select})")
            self.tables.append(("_ls_d", select))
        for source in sources:
            used = [c for c in dict.fromkeys(_names(main_sql)) if source.layers.owns(c)]
            own = [f"{source.distinct} AS (SELECT {source.value} FROM {ident('_ls_d')} WHERE {source.grouped} = 0)"]
            layers, select = source.layers.query([(source.value, source.value.strip('"'))] +
                                                 [(ident(c), c) for c in used])
            own += layers
            ctes += own + [f"{source.table} AS ({select})"]
            self.tables.append((source.table.strip('"'), "WITH " + ",\n".join(own) + "\n" + select))
            joins.append(f"LEFT JOIN {source.table} ON {ident('_ls_t')}.{ident(source.name)} IS NOT DISTINCT FROM "
                         f"{source.table}.{source.value}")
        self.main.source = " ".join([f"{self.table} AS {ident('_ls_t')}"] + joins)
        layers, select = self.main.query(outputs)
        self.main_sql = ("WITH " + ",\n".join(layers) + "\n" if layers else "") + select
        return "WITH " + ",\n".join(ctes + layers) + "\n" + select


def _names(sql: str) -> list:
    return re.findall(r'"(_ls_[a-z0-9_]+)"', sql)


def _equal(cells: Cells, value: RuleValue) -> str:
    """=, in: the cell's text key is one of the wanted keys, or its number one of the wanted numbers."""
    numbers = set(value.numbers)
    tests = []
    if cells.kind == v.NUMBER:
        # A number's text key is the number written plainly: the keys that are such a text are numbers too.
        for k in value.keys:
            try:
                x = float(k)
            except ValueError:
                continue
            if x == x and text_key(x) == k:
                numbers.add(x)
    elif value.keys:
        tests.append(f"{cells.key} IN ({', '.join(lit(k) for k in sorted(value.keys))})")
    if numbers:
        listed = ", ".join(dbl(x) for x in sorted(numbers))
        tests.append(f"({cells.state} = {v.OK} AND {cells.number} IN ({listed}))")
    if not tests:
        return "FALSE"
    return f"(NOT {cells.blank} AND ({' OR '.join(tests)}))"


def _unsupported(checked: CheckedModel, kinds: dict, found: dict) -> list[Problem]:
    """What SQL cannot score as the engine does, as model problems (rule and field)."""
    model = checked.model
    out = []
    for i, rule in enumerate(model.behaviour_rules):
        if rule.kind in HYGIENE_KINDS:
            need = ("the email-validator library's address checks" if rule.kind in EMAIL_KINDS
                    else "Python's reading of each word of a name")
            out.append(Problem("behaviour rule", i, "kind", f"{rule.kind!r} (lead hygiene) cannot be written in SQL: "
                               f"it needs {need}", attribute="kind", value=rule.kind))
    for i, rule in enumerate(getattr(model, "event_rules", [])):
        out.append(Problem("event rule", i, "event", f"{rule.name!r} scores the Events sheet, which a table of "
                           "leads does not hold: rules over events cannot be written in SQL",
                           attribute="event", value=";".join(rule.event)))
    if model.settings.duplicate_keys:
        out.append(Problem("settings", None, "duplicates by", "looking for duplicate leads (phone numbers, names "
                           "alike) cannot be written in SQL", attribute="duplicate_keys",
                           value=";".join(model.settings.duplicate_keys)))
    rules = [("fit rule", i, r.column, r.operator) for i, r in enumerate(model.fit_rules)]
    rules += [("behaviour rule", i, r.column, r.operator if r.kind == "condition" else r.kind)
              for i, r in enumerate(model.behaviour_rules) if r.kind not in HYGIENE_KINDS]
    for block, i, name, operator in rules:
        source = found.get(name)
        if source is None:
            continue
        kind = kinds[source]
        if kind == v.DATE and operator in KEY_OPERATORS:
            out.append(Problem(block, i, "column", f"{source!r} holds dates or times, which SQL does not write as "
                               f"text as the engine does (needed for {operator})", attribute="column", value=name))
        elif kind not in v.KINDS:
            out.append(Problem(block, i, "column", f"{source!r} holds {kind} values, not text, numbers, "
                               "TRUE/FALSE or dates", attribute="column", value=name))
    return out


def build(model: Model | CheckedModel, columns: dict, table: str = "leads", names: dict | None = None,
          keep=None) -> Query:
    """The query scoring the leads of `table` (a SQL table name) whose columns are `columns` (name ->
    kind of values.KINDS, in table order). It gives the columns of keep (default: every column whose
    name is not one of the outputs') and the OUTPUTS, named as names says (default: as OUTPUTS).
    Raises ModelError when the model has errors or names columns the table lacks, NotExpressible when
    SQL cannot score it as the engine does."""
    checked = checked_model(model)
    b = _Builder(checked, columns, table)
    found = _unsupported(checked, b.kinds, b.found)
    if found:
        raise NotExpressible(found)
    m, s = b.model, b.s
    fit_parts = []
    for rule, value in zip(m.fit_rules, checked.values):
        _, cells = b.cells_of(rule.column)
        fit_parts.append(b.fixed_part(cells, b.hit(cells, rule.operator, value), rule, rule_label(rule, s.language, value)))
    fit = b.block(m.fit_rules, fit_parts)
    behaviour_parts = []
    conditions = checked.behaviour_values or [RuleValue()] * len(m.behaviour_rules)
    for rule, value in zip(m.behaviour_rules, conditions):
        _, cells = b.cells_of(rule.column)
        if rule.kind == "condition":
            behaviour_parts.append(b.fixed_part(cells, b.hit(cells, rule.operator, value), rule, rule.name))
        else:
            behaviour_parts.append(b.amounts(cells, rule))
    behaviour_raw = b.block(m.behaviour_rules, behaviour_parts)
    behaviour = b.adjust(behaviour_raw, float(s.behaviour_min), float(s.behaviour_max), "behaviour cap",
                         "behaviour floor")
    fit_part = b.adjust(fit, None, float(s.fit_max), "fit cap", None)
    total = b.adjust(b.main.add("sum", f"{fit_part} + {behaviour}"), float(s.score_min), float(s.score_max),
                     "score cap", "score floor")
    score = b.main.add("score", v.round6(total))
    if b.longest > CELL_LIMIT:
        raise NotExpressible([Problem("fit rule", None, "rules", f"the reasons of this model could pass Excel's "
                                      f"{CELL_LIMIT:,} characters per cell, which SQL cannot shorten as the engine does")])
    outputs = _outputs(b, fit, behaviour, score)
    whole = _whole_model(m)
    if whole:
        for name in ("fit", "behaviour", "score"):
            outputs[name] = f"CAST(ROUND({outputs[name]}, 0) AS BIGINT)"
    names = {o: (names or {}).get(o, o) for o in OUTPUTS}
    taken = {text_key(n) for n in names.values()}
    kept = [c for c in (columns if keep is None else keep) if text_key(c) not in taken]
    listed = [(ident(c), c) for c in kept] + [(outputs[o], names[o]) for o in OUTPUTS]
    sql = b.statement(listed)
    return Query(sql, kept, whole, tuple(names[o] for o in OUTPUTS), tuple(b.tables), b.main_sql,
                 tuple(b.sources))


def _outputs(b: _Builder, fit: str, behaviour: str, score: str) -> dict:
    """Grade, band, action, status (sales stages kept), rating and reasons (engine.evaluate_leads)."""
    M, m, s = b.main, b.model, b.s
    bands = sorted(m.grade_bands, key=lambda g: float("-inf") if g.min_fit is None else g.min_fit)
    letters = [g.grade for g in bands]
    whens = " ".join(f"WHEN {fit} >= {dbl(g.min_fit)} THEN {i}" for i, g in reversed(list(enumerate(bands)))
                     if g.min_fit is not None and i > 0)
    gidx = M.add("grade_index", f"CASE {whens} ELSE 0 END" if whens else "0")
    grade = M.add("grade", "CASE " + " ".join(f"WHEN {gidx} = {i} THEN {lit(g)}" for i, g in enumerate(letters)) + " END")
    band_whens = " ".join(f"WHEN {score} >= {dbl(sb.min_score)} THEN {j}"
                          for j, sb in reversed(list(enumerate(m.score_bands))) if j > 0)
    band = M.add("band", f"CASE {band_whens} ELSE 0 END" if band_whens else "0")
    actions = " ".join(f"WHEN {gidx} = {i} AND {band} = {j} THEN {lit(action)}"
                       for i, g in enumerate(letters) for j, action in enumerate(m.matrix[g]))
    action = M.add("action", f"CASE {actions} END")
    status_whens = []
    for rule in m.status_rules:
        test = f"{score} >= {dbl(rule.min_score)}"
        if rule.grades:
            at = [str(i) for i, g in enumerate(letters) if g in rule.grades]
            test += f" AND {gidx} IN ({', '.join(at)})" if at else " AND FALSE"
        status_whens.append(f"WHEN {test} THEN {lit(rule.status)}")
    status = M.add("status", f"CASE {' '.join(status_whens)} ELSE {lit(s.default_status)} END" if status_whens
                   else lit(s.default_status))
    stage = find(list(b.kinds), s.stage_column) if s.stage_column else None
    if stage is not None:
        source = b.source(stage)
        cells = source.cells
        sales = {text_key(x): x for x in s.sales_stages}
        kept = " ".join(f"WHEN {cells.key} = {lit(k)} THEN {lit(x)}" for k, x in sales.items())
        owned = source.layers.add("stage", f"CASE WHEN {cells.blank} THEN NULL {kept} END" if kept
                                  else "CAST(NULL AS VARCHAR)")
        status = M.add("status", f"COALESCE({owned}, {status})")
        action = M.add("action", f"CASE WHEN {owned} IS NULL THEN {action} "
                                 f"ELSE {lit(text(s.language, 'owned by sales'))} END")
    # A whole score is written without the long way of number_text.
    rating = M.add("rating", f"{grade} || CASE WHEN {score} = FLOOR({score}) AND ABS({score}) < 1e15 THEN "
                             f"CAST(CAST({score} AS BIGINT) AS VARCHAR) ELSE {v.number_text(score)} END")
    reasons = M.add("reasons", R.joined(b.pieces))
    return {"fit": v.round6(fit), "grade": grade, "behaviour": v.round6(behaviour), "score": score,
            "rating": rating, "status": status, "action": action, "reasons": reasons}


def _whole_model(m) -> bool:
    """Every number the score is made of is whole, so fit, behaviour and score are whole numbers."""
    s = m.settings
    numbers = [r.points for r in m.fit_rules] + [r.points for r in m.behaviour_rules]
    numbers += [r.cap for r in m.behaviour_rules] + [g.cap for g in m.groups]
    numbers += [s.fit_max, s.behaviour_max, s.behaviour_min, s.score_min, s.score_max]
    return all(_is_whole(x) for x in numbers) and not any(r.kind == "per unit" for r in m.behaviour_rules)


__all__ = ["DIALECTS", "NotExpressible", "OUTPUTS", "Query", "build"]

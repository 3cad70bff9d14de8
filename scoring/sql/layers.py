"""A query as layers of named columns: each column is an expression of the columns before it.

Columns are added by name with their SQL; a column that uses other columns goes into the layer after
the last of them, so every expression is written once and computed once (one CTE per layer, each
`SELECT *, ... FROM` the one before, each read once, so that a database streams them). A whole-table
aggregate (aggregate()) is computed by a query of its own, which works out again only the columns
it needs, and is cross joined (one row) into the layer after its inputs. Columns a query uses but
does not make (those of its source) are of layer 0.
"""
from __future__ import annotations

import re

from .values import ident

PREFIX = "_ls_"
_USE = re.compile(r'"(' + PREFIX + r'[a-z0-9_]+)"')


class Layers:
    def __init__(self, source: str, tag: str = "", counter: list | None = None):
        self.source = source  # The table (or join) the rows come from.
        self.tag = tag  # Names this query's CTEs apart from another's.
        self.counter = counter if counter is not None else [0]  # Shared by the queries of one statement.
        self.level = {}  # column -> layer (1 = first CTE)
        self.sql = {}
        self.aggregates = {}  # column -> (layer it reads, SQL)

    def name(self, hint: str) -> str:
        """A fresh column name (quoted), from a hint."""
        self.counter[0] += 1
        return ident(f"{PREFIX}{self.counter[0]}_{re.sub(r'[^a-z0-9]+', '_', hint.lower()).strip('_')[:30]}")

    def _depth(self, sql: str) -> int:
        """The layer of the last column sql uses (0: it uses only columns of the source)."""
        return max((self.level.get(m, 0) for m in _USE.findall(sql)), default=0)

    def owns(self, column: str) -> bool:
        return column.strip('"') in self.sql

    def add(self, hint: str, sql: str) -> str:
        """A new column holding sql; returns its quoted name, to use in later expressions."""
        name = self.name(hint)
        self.level[name[1:-1]] = self._depth(sql) + 1
        self.sql[name[1:-1]] = sql
        return name

    def aggregate(self, hint: str, sql: str) -> str:
        """A one-row aggregate over every lead (sql is e.g. BOOL_OR(...)), usable like a column."""
        name = self.name(hint)
        depth = self._depth(sql)
        self.aggregates[name[1:-1]] = (depth, sql)
        self.level[name[1:-1]] = depth + 1
        return name

    def _needs(self, sql: str) -> set:
        """The columns sql uses, directly or through others."""
        found, todo = set(), _USE.findall(sql)
        while todo:
            c = todo.pop()
            if c not in found:
                found.add(c)
                todo += _USE.findall(self.sql.get(c, self.aggregates.get(c, (0, ""))[1]))
        return found

    def _nested(self, depth: int, columns: set) -> str:
        """Layers 1..depth as nested subqueries computing only the given columns."""
        out = self.source
        for k in range(1, depth + 1):
            made = [f"{self.sql[c]} AS {ident(c)}" for c in self.sql if self.level[c] == k and c in columns]
            out = f"(SELECT *{''.join(', ' + m for m in made)} FROM {out}) AS {self._cte('n', k)}"
        return out

    def _cte(self, kind: str, k: int) -> str:
        return ident(f"{PREFIX}{self.tag}{kind}{k}")

    def query(self, outputs: list[tuple[str, str]]) -> tuple[list[str], str]:
        """(the layers as CTEs, the SELECT of outputs [(SQL, alias)] from the last one)."""
        depth = max([self.level[c] for c in self.sql] + [self._depth(sql) for sql, _ in outputs] + [0])
        ctes = []
        for k in range(1, depth + 1):
            previous = self.source if k == 1 else self._cte("l", k - 1)
            totals = {c: sql for c, (d, sql) in self.aggregates.items() if d + 1 == k}
            joined = ""
            if totals:  # The aggregates of the layers before, in one pass of their own.
                needed = self._needs(" ".join(totals.values()))
                listed = ", ".join(f"{sql} AS {ident(c)}" for c, sql in totals.items())
                ctes.append(f"{self._cte('a', k)} AS (SELECT {listed} FROM {self._nested(k - 1, needed)})")
                joined = f" CROSS JOIN {self._cte('a', k)}"
            columns = [f"{self.sql[c]} AS {ident(c)}" for c in self.sql if self.level[c] == k]
            select = ",\n    ".join(["*"] + columns)
            ctes.append(f"{self._cte('l', k)} AS (SELECT\n    {select}\n  FROM {previous}{joined})")
        last = self.source if depth == 0 else self._cte("l", depth)
        listed = ",\n  ".join(f"{sql} AS {ident(alias)}" for sql, alias in outputs)
        return ctes, f"SELECT\n  {listed}\nFROM {last}"

"""The scoring model as SQL: one query over a table of leads, giving what scoring.score gives.

`build(model, columns)` writes it in DuckDB SQL (pure: no database is touched); `Query.text(dialect)`
carries it to Spark, PostgreSQL, BigQuery or Snowflake through sqlglot.
"""
from .query import DIALECTS, OUTPUTS, NotExpressible, Query, build
from .values import BOOL, DATE, KINDS, NUMBER, TEXT

__all__ = ["BOOL", "DATE", "DIALECTS", "KINDS", "NUMBER", "NotExpressible", "OUTPUTS", "Query",
           "TEXT", "build"]

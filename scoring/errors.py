"""The error family: every error the product reports to a person derives from LeadScoreError.

The engine raises ModelError (a model that cannot be used, its problems as data).
The workbook layer adds errors that point at cells and files (workbook/errors.py).
The faces (command line, macros, in-cell functions) turn them into messages with
`lines()`; a traceback is never what a user sees.
"""
from __future__ import annotations


class LeadScoreError(Exception):
    """Something the user can fix; lines() says what, one line each."""

    def lines(self) -> list[str]:
        return [line for line in str(self).splitlines() if line.strip()] or [type(self).__name__]

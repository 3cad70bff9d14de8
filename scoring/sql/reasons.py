"""The Reasons text in SQL, piece by piece, written as explain.Reason.text writes it.

Each piece is one reason or NULL; the Reasons cell is the pieces in the engine's order joined by the
separator (CONCAT_WS, which leaves out NULLs). A reason known when the query is built (a fit rule's
label and points) is written by the engine's own Reason.text; the others (a count and its points,
a cap's difference) take their numbers from the row, laid out as Reason.text lays them out.
"""
from __future__ import annotations

from ..explain import SEP, Reason, signed
from .values import lit, signed as signed_sql

_LABEL, _NOTE, _POINTS = "\u0001", "\u0002", 7.0


def _glue() -> tuple[str, str, str]:
    """How Reason.text places label, points and note: (between label and points, before the note,
    after the note)."""
    with_note = Reason(_LABEL, _POINTS, _NOTE).text()
    points = signed(_POINTS)
    _, _, rest = with_note.partition(_LABEL)
    between, _, rest = rest.partition(points)
    before, _, after = rest.partition(_NOTE)
    if not with_note.startswith(_LABEL) or Reason(_LABEL, _POINTS).text() != _LABEL + between + points:
        raise RuntimeError(f"Reason.text lays out {with_note!r}; scoring/sql/reasons.py needs updating")
    return between, before, after


def fixed(reason: Reason, when: str, language: str = "en") -> str:
    """A piece known when the query is built, for the rows where when holds."""
    return f"CASE WHEN {when} THEN {lit(reason.text(language))} END"


def base(label: str, points: str, language: str = "en") -> str:
    """A reason's label (SQL text) and points (a DOUBLE column, written as the language writes
    them), without its note."""
    between, _, _ = _glue()
    return f"{label} || {lit(between)} || {signed_sql(points, language)}"


def with_note(text: str, note: str) -> str:
    """A reason's text followed by its note (SQL text, '' for none)."""
    _, before, after = _glue()
    return f"{text} || CASE WHEN {note} = '' THEN '' ELSE {lit(before)} || {note} || {lit(after)} END"


def piece(text: str, when: str) -> str:
    """The piece of a reason whose text is SQL, for the rows where when holds."""
    return f"CASE WHEN {when} THEN {text} END"


def notes(first: str, second: str) -> str:
    """Two notes (SQL text, '' for none) as the engine joins them ('cap; best of 2')."""
    return f"CASE WHEN {first} = '' THEN {second} WHEN {second} = '' THEN {first} ELSE {first} || '; ' || {second} END"


def joined(pieces: list[str]) -> str:
    """The Reasons cell: the pieces that are not NULL, joined by the separator ('' for none)."""
    return f"CONCAT_WS({lit(SEP)}, {', '.join(pieces)})" if pieces else "''"

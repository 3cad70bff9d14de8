"""The note on a Tasks sheet when tasks went to the template's sample people, because the Team table
on the LeadScore sheet still lists them (the CLI warns too)."""
from __future__ import annotations

from openpyxl.utils import get_column_letter

from scoring.defaults import TEAM

from .layout import BLOCK, HEADER_ROW, MODEL_SHEET

NOTE = {
    "en": "Note: {n} of {total} tasks went to the template's sample people ({names}). Put your team in the Team "
          "table ({cell}) and run again.",
    "it": "Nota: {n} attività su {total} sono andate alle persone di esempio del modello ({names}). Inserisci la "
          "tua squadra nella tabella Squadra ({cell}) e ricalcola.",
}


def team_cell() -> str:
    """The first cell of the Team table's first row (LeadScore!BD4)."""
    return f"{MODEL_SHEET}!{get_column_letter(BLOCK['team'].first_column)}{HEADER_ROW + 1}"


def sample_people(tasks, model) -> tuple[list[str], int]:
    """(the template's sample people the Team table still lists, how many tasks went to them)."""
    if tasks is None or not len(tasks):
        return [], 0
    language = model.settings.language
    team = {str(m.name).strip().casefold() for m in model.team}
    kept = [name for name, _ in TEAM.get(language, TEAM["en"]) if name.casefold() in team]
    if not kept:
        return [], 0
    owners = tasks["owner"].astype(str).str.strip().str.casefold()
    return kept, int(owners.isin({k.casefold() for k in kept}).sum())


def sample_team_note(tasks, model, language: str) -> str | None:
    """The note in the book's language, or None when no task went to a sample person."""
    kept, n = sample_people(tasks, model)
    if not n:
        return None
    return NOTE.get(language, NOTE["en"]).format(n=f"{n:,}", total=f"{len(tasks):,}", names=", ".join(kept),
                                                 cell=team_cell())

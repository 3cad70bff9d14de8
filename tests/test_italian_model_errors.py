"""Every problem a model check finds in an Italian book is written in Italian, rare ones included."""
from __future__ import annotations

import pytest

import datetime as dt
import re
import shutil

import openpyxl
from workbook import check, new_workbook

# Cells of the Italian template's LeadScore sheet set to wrong values, a book per set (some
# problems hide others, so they cannot all be in one book).
BROKEN = [
    {"E4": "dieci", "C5": "simile a", "D6": None, "E7": 1.1234567, "B7": None, "G4": "gruppoX",
     "K4": True, "L4": "abc", "M5": "contatore", "N6": ">", "O6": "x", "Z4": "zz", "Z5": 50, "Y6": "A",
     "AC5": -5, "AE7": "E", "AF4": None, "AM4": "Z", "AL5": 95, "AP4": dt.date(2026, 1, 1), "AP7": -10,
     "AP20": "bah", "AP22": "colore", "AP23": "ZZ", "AP31": 1, "AP16": "Seleziona;5",
     "AX4": "Capo", "BA4": "Nessuna", "BG5": "ieri", "BB4": 0, "AU4": "Piccione", "AT4": 1.5},
    {"AP6": 100, "AP7": 50, "M4": "condizione", "N4": None, "L5": 5, "M5": "condizione", "N5": "=", "O5": "x",
     "R4": "G1", "S4": "strano", "G4": "G1", "P4": "G1", "Y4": None, "AC4": 10, "AB6": "0–49",
     "CD4": "Webinar", "CE4": None, "CG4": 5, "CI4": 0, "CJ4": 0, "AP30": 7200, "AP24": 150, "AP25": "boh",
     "AP26": "forse", "AP13": ";", "AP4": 0},
    {"C4": "tra", "D4": "5", "C5": ">", "D5": "tanti", "C6": "contiene", "D6": None, "C7": "=", "D7": None,
     "Y4": "A", "Y5": "A", "AE5": None, "AG7": None, "BE4": None, "W4": "alto", "V5": None, "AK5": "Z",
     "AL4": 500, "Z4": 10, "Z5": 20},
    {"AL5": 95, "R4": "Vuoto"},
    {"AL5": 95, "AM4": "A"},
    {"D5": "1.5", "E6": "2.5"},  # The Italian book's decimal separator is ','.
    {"AP13": "auto", "D6": "4.857"},
]
# English words none of these messages may hold outside quoted values.
ENGLISH = re.compile(r"\b(is|not|must|the|type|blank|number|needed|needs|of|or|and|with|has|holds|for|be|to|one|"
                     r"only|above|at|most|row|grade|grades|rule|rules|table|level|role|holiday|band|action|matrix|"
                     r"minimum|minimums|settings|choose|separate|them|items|text|characters|keep|within|remove|"
                     r"error|region|letters|enter|name|already|never|reached|leads|first|put|higher)\b", re.I)


def _messages(tmp_path, language: str) -> list[str]:
    base = tmp_path / "base.xlsx"
    new_workbook(base, language=language)
    found = []
    for k, changes in enumerate(BROKEN):
        path = tmp_path / f"book{k}.xlsx"
        shutil.copy(base, path)
        wb = openpyxl.load_workbook(path)
        for cell, value in changes.items():
            wb["LeadScore"][cell] = value
        wb.save(path)
        report = check(path)
        found += report.errors + report.model_warnings
    return found


@pytest.mark.slow
def test_every_problem_of_a_broken_italian_book_is_in_italian(tmp_path):
    messages = _messages(tmp_path, "it")
    assert len(messages) == 70
    unquoted = [(m, re.sub(r"'[^']*'", "", m.split(": ", 1)[1])) for m in messages]
    assert [m for m, text in unquoted if ENGLISH.search(text.replace("tabella Leads", ""))] == []
    for line in [
        "LeadScore!G4: gruppo 'gruppoX' non è nella tabella Gruppi di regole (è vuota); aggiungilo lì con il suo "
        "modo (somma, massimo, tutte), o correggi il nome",
        "LeadScore!AB3: punteggio minimo: i minimi [0, -5, 90] devono salire strettamente dalla fascia più bassa in su",
        "LeadScore!AF4: riga della matrice 'A': l'azione per la fascia 0–49 è vuota",
        "LeadScore!AE3: riga della matrice 'D': il grado 'D' non ha una riga nella matrice",
        "LeadScore!AM4: gradi Z non è tra i gradi A;B;D",
        "LeadScore!AP7: Punteggio massimo deve essere sopra il Punteggio minimo",
        "LeadScore!AU4: giorno 'Piccione' deve essere un numero intero di giorni lavorativi da 0 a 3.650",
        "LeadScore!BG5: festività 'ieri' non è una data; scrivi una data (aaaa-mm-gg)",
        "LeadScore!P4: gruppo 'G1' contiene già regole di profilo (regola di profilo 1); un gruppo contiene regole "
        "di profilo o regole di comportamento, non entrambe (i punti di profilo fanno il grado, quelli di "
        "comportamento no): usa un altro gruppo",
        "LeadScore!CE4: evento è vuoto; scrivi i tipi di evento che la regola conta, come li chiama la colonna "
        "Evento del foglio Eventi (separali con ;)",
        "LeadScore!D6: valore è vuoto; contiene richiede un valore",
        "LeadScore!W4: livello di 'CEO': 'alto' non è un numero",
        "LeadScore!E6: punti '2.5' non è un numero (il Separatore decimale è ','; scrivi 2,5)",
        "LeadScore!D6: valore '4.857' è ambiguo: 4857 o 4,8570? Scrivi uno dei due, o imposta il Separatore "
        "decimale nel foglio LeadScore",
        "LeadScore!AL5: punteggio minimo 95 di MQL: i lead di grado A da quel punteggio prendono prima SQL (soglia "
        "di stato 1, da 90); metti prima la soglia più alta",
    ]:
        assert line in messages


@pytest.mark.slow
def test_the_same_broken_english_book_keeps_its_messages_in_english(tmp_path):
    messages = _messages(tmp_path, "en")
    assert "LeadScore!G4: group 'gruppoX' is not in the Rule groups table (it has none); add it there with its mode " \
           "(sum, max, all), or correct the name" in messages
    assert "LeadScore!D6: value is blank; > needs a value" in messages
    assert not [m for m in messages if re.search(r"\b(non|è|della|deve)\b", m)]

"""LibreOffice headless for tests: where soffice is, and recalculating a workbook as a spreadsheet would.

LibreOffice keeps the cached results of formulas in an .xlsx unless told to
recalculate on load; `recalculate` gives it a private profile whose setting
/org.openoffice.Office.Calc/Formula/Load OOXMLRecalcMode is 0 ("always"), so the
values read back are LibreOffice's own.
"""
from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

ALWAYS_RECALCULATE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def convert(book: Path, folder: Path, to: str = "xlsx", recalc: bool = True, timeout: int = 600) -> Path:
    """Open book in LibreOffice headless and save it as `to` in folder; returns the new file."""
    assert SOFFICE, "CI must have LibreOffice: .ci/run installs libreoffice-calc-nogui"
    profile = folder / ("lo-recalc" if recalc else "lo-default")
    if recalc:
        (profile / "user").mkdir(parents=True, exist_ok=True)
        (profile / "user" / "registrymodifications.xcu").write_text(ALWAYS_RECALCULATE, encoding="utf-8")
    out = folder / ("recalculated" if recalc else "as-cached")
    result = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless",
                             "--convert-to", to, "--outdir", str(out), str(book)],
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr
    return out / f"{Path(book).stem}.{to.split(':')[0]}"


# CSV of every sheet (token 12: -1), UTF-8 (76), values as stored rather than as shown (token 9).
CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def recalculated_sheets(book: Path, folder: Path, timeout: int = 600) -> dict[str, list[list[str]]]:
    """LibreOffice recalculates book; returns every sheet's cells as text rows, sheet by sheet.

    CSV is read back rather than an .xlsx because LibreOffice takes minutes to write the
    formulas of a large native workbook back out as .xlsx, and seconds to write CSV.
    """
    first = convert(book, folder, to=CSV_ALL_SHEETS, timeout=timeout)
    stem = Path(book).stem
    sheets = {}
    for path in sorted(first.parent.glob(f"{stem}-*.csv")):
        with open(path, encoding="utf-8", newline="") as f:
            sheets[path.stem[len(stem) + 1:]] = list(csv.reader(f))
    return sheets

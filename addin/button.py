"""Which button on the sheet ran the macro, and the workflow it stands for (desktop Excel).

The Rescore button workbook (`leadscore new BOOK.xlsm --button`) carries xlwings'
standalone VBA unchanged. Its one macro, SampleCall, runs
`import <book name>; <book name>.main()`, and every button on the sheet calls it:
the VBA gives Python no argument saying which button was pressed. On Windows,
while the macro waits for Python, Excel's Application.Caller still names the
shape that started it, so run() reads that shape's caption and runs the matching
workflow. Anywhere that does not work (macOS, where RunPython does not wait; an
older Excel; the macro started from the Macros dialog) the answer is None and
run() falls back to run_all: rescore, then tasks, then report, which is what the
Rescore button does anyway and a superset of what Tasks and Report do.
"""
from __future__ import annotations

from . import macros

# Button captions (English and Italian workbooks) and what each runs.
CAPTIONS = {
    "rescore": "run_all", "ricalcola": "run_all",
    "tasks": "tasks", "attività": "tasks",
    "report": "report",
    "calibrate": "calibrate", "calibra": "calibrate",
}


def pressed(book) -> str | None:
    """The caption of the button that started the running macro, or None if Excel cannot say."""
    try:
        api = book.app.api
        caller = api.Caller
    except Exception:  # No COM (macOS, a stand-in) or no running macro.
        return None
    if not isinstance(caller, str):  # Error 2023 (a number) when not started by a shape.
        return None
    sheet = api.ActiveSheet
    for read in (lambda: sheet.Shapes(caller).TextFrame.Characters().Text,
                 lambda: sheet.Buttons(caller).Caption):
        try:
            text = read()
        except Exception:
            continue
        if isinstance(text, str) and text.strip():
            return text.strip()
    return None


def action_for(caption: str | None) -> str:
    """The macros function a button caption stands for; run_all when unknown."""
    return CAPTIONS.get((caption or "").strip().casefold(), "run_all")


def run(book, as_of=None, quiet: bool = False) -> str:
    """Run the workflow of the pressed button (run_all if unknown) on book; returns its summary."""
    return getattr(macros, action_for(pressed(book)))(book, as_of=as_of, quiet=quiet)


def main() -> None:
    """RunPython entry point: the workflow of the pressed button on the calling book."""
    import xlwings as xw

    run(xw.Book.caller())

"""The `leadscore` command line: a thin face over workbook.workflow and workbook.template.

Each command parses its arguments, calls the shared core and turns exceptions
into short messages with exit code 1.
"""
from __future__ import annotations

import datetime as dt
import functools
import os
import sys
import tempfile
from pathlib import Path

import click

from workbook import progress, template, workflow
from scoring.defaults import header as column_header
from scoring.errors import LeadScoreError
from workbook.errors import SheetError
from workbook.safety import atomic_save

from .cli_bulk import commands as bulk_commands

DEMO_NAME = "leadscore-demo.xlsx"
DEMO_LEADS = 200
DEMO_WEEK = 7  # Days between the demo's two runs.


def _fail(lines) -> None:
    for line in lines:
        click.echo(line, err=True)
    raise SystemExit(1)


REPORT_HINT = ("This is a bug in Lead Score, not in your workbook: run the same command again with "
               "--debug and send the output to the people who gave you Lead Score.")


def friendly(fn):
    """Turn the product's exceptions into messages and exit code 1; anything else into one line."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        # Long runs show their steps on a terminal (never in a pipe or a log).
        progress.show(sys.stderr if sys.stderr.isatty() else None)
        try:
            result = fn(*args, **kwargs)
            progress.finish()
            return result
        except BaseException:
            progress.finish()
            raise

    return _messages(wrapper)


def _messages(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except SheetError as exc:
            _fail([f"Error: {len(exc.messages)} problem(s); nothing was written."] +
                  [f"  {m}" for m in exc.messages])
        except LeadScoreError as exc:
            lines = exc.lines()
            _fail([f"Error: {lines[0]}"] + lines[1:])
        except (FileNotFoundError, FileExistsError) as exc:
            _fail([f"Error: {exc}"])
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # The output went to a program that stopped reading (`| head`): fine.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise SystemExit(1) from None
        except Exception as exc:  # noqa: BLE001  A bug: one line, the traceback only with --debug.
            if (click.get_current_context().find_root().obj or {}).get("debug"):
                raise
            _fail([f"Error: unexpected {type(exc).__name__}: {exc}".rstrip(": "), REPORT_HINT])
    return wrapper


def _as_of(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="leadscore-excel", prog_name="leadscore")
@click.option("--debug", is_flag=True, help="Show the full traceback of an unexpected error (for a bug report).")
@click.pass_context
def cli(ctx, debug):
    """Lead Score for Excel: grade, score and route the leads in a workbook.

    Start with `leadscore demo`, or `leadscore new Leads.xlsx --sample 50`.
    """
    ctx.ensure_object(dict)["debug"] = debug


def _new(path: Path, lang, profile, sample, seed, as_of=None, formulas="values"):
    atomic_save(lambda tmp: template.new_workbook(tmp, language=lang, profile=profile, sample=sample,
                                                  seed=seed, as_of=as_of, formulas=formulas), os.fspath(path))


@cli.command()
@click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["en", "it"]), default="en", show_default=True,
              help="Language of sheets, headers and actions.")
@click.option("--profile", type=click.Choice(["b2b", "b2c"]), default="b2b", show_default=True,
              help="Default model: business buyers (b2b) or consumers (b2c).")
@click.option("--sample", type=click.IntRange(0, 1_048_575), default=0, show_default=True,
              help="Number of generated sample leads to include, scored.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for the sample leads.")
@click.option("--force", is_flag=True, help="Replace BOOK if it already exists.")
@click.option("--formulas", type=click.Choice(template.FORMULAS), default="values", show_default=True,
              help="What the output columns hold: values written by rescore; udf (in-cell functions "
                   "LEADGRADE, LEADSCORE, ... computed by the xlwings add-in); or native (plain Excel "
                   "formulas: Fit ... Action recalculate in Excel or LibreOffice with no Python).")
@click.option("--button", is_flag=True,
              help="Build a macro-enabled BOOK.xlsm with Rescore, Tasks and Report buttons (xlwings' "
                   "standalone VBA) and its companion Python file BOOK.py beside it.")
@friendly
def new(book, lang, profile, sample, seed, force, formulas, button):
    """Build a new workbook BOOK with the default model (a LeadScore sheet) and a Leads table."""
    suffix = book.suffix.lower()
    if button and suffix != ".xlsm":
        raise click.BadParameter(f"{book.name!r} must end in .xlsm with --button (a macro-enabled "
                                 "workbook)", param_hint="BOOK")
    if suffix == ".xlsm" and not button:
        raise click.BadParameter(f"{book.name!r}: a .xlsm workbook is built with --button (the Rescore "
                                 "button); without it, name it .xlsx", param_hint="BOOK")
    if suffix not in (".xlsx", ".xlsm"):
        raise click.BadParameter(f"{book.name!r} must end in .xlsx", param_hint="BOOK")
    if button:
        from . import xlsm

        problem = xlsm.module_problem(book.stem)
        if problem:
            raise click.BadParameter(problem, param_hint="BOOK")
    for target in [book] + ([book.with_suffix(".py")] if button else []):
        if target.exists() and not force:
            raise FileExistsError(f"{target} already exists; choose another name or pass --force to replace it")
    if button:
        companion = xlsm.new_button_workbook(book, lang, profile, sample, seed, formulas=formulas)
    else:
        _new(book, lang, profile, sample, seed, formulas=formulas)
    kind = "" if formulas == "values" else f", {formulas} formulas"
    click.echo(f"Created {book} ({profile}, {lang}, {sample} sample leads{kind}).")
    if button:
        click.echo(f"Created {companion}: RunPython imports it, so keep it next to the workbook. "
                   f"Open the workbook in Excel, enable macros and press {xlsm.CAPTIONS[lang][0]}.")


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _print_summary(report, path, out, made: bool = False, compare: bool | None = None) -> None:
    """What a run did; made: the book was just made (no 'written in place'); compare: say what changed
    since the last run (default: unless made)."""
    s = report.summary
    target = out or path
    where = "" if made else " (written in place)" if out is None else f" (written to {out})"
    click.echo(f"Scored {s['leads']} leads in {path}{where}.")
    click.echo("Status: " + " · ".join(f"{k} {v}" for k, v in s["status"].items()))
    click.echo("Grade:  " + " · ".join(f"{k} {v}" for k, v in s["grade"].items()))
    if not made if compare is None else compare:
        compared = s["leads"] - s["first"]
        if s["first"]:
            click.echo(f"First scored: {_count(s['first'], 'lead', 'leads')}.")
        if compared and (s["changed_score"] or s["changed_status"] or s["changed_grade"]):
            click.echo(f"Since the last run: {_count(s['changed_grade'], 'lead', 'leads')} changed grade, "
                       f"{s['changed_band']:,} score band, {s['changed_status']:,} status "
                       f"({s['changed_score']:,} changed score).")
            moves = "; ".join(f"{who} {old} → {new}" for who, old, new in s["moves"])
            click.echo(f"Biggest moves: {moves}")
        elif compared:
            click.echo(f"Since the last run: no lead changed ({compared:,} compared).")
    new_sql = s["new_sql"]
    if new_sql:
        shown = "; ".join(f"{who} {rating}" for who, rating in new_sql[:10])
        more = f" and {len(new_sql) - 10} more" if len(new_sql) > 10 else ""
        click.echo(f"New SQLs ({len(new_sql)}): {shown}{more}")
    elif not made if compare is None else compare:
        sql = s["sql"]
        click.echo(f"New SQLs: none ({_count(sql, 'lead is', 'leads are')} SQL, as before)" if sql
                   else "New SQLs: none")
    if s["with_problems"]:
        n = s["with_problems"]
        column = column_header("problems", s.get("language", "en"))  # The column as the book names it.
        click.echo(f"{n} {'lead has' if n == 1 else 'leads have'} values that could not be used "
                   f"(see the {column} column; `leadscore check {target}` lists each cell).")
    for line in report.model_warnings:
        click.echo(f"warning: {line}", err=True)
    for item in report.lost:
        click.echo(f"Note: the copy lacks {item} (the original keeps it).", err=True)


@cli.command()
@click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Also fail (exit 1) when lead values could not be used.")
@click.option("--as-of", callback=_as_of, metavar="DATE",
              help="Check as of this date (and time): rules over events count the events up to it (default: now).")
@friendly
def check(book, strict, as_of):
    """Check BOOK's LeadScore sheet and Leads table; list every problem with its cell.

    Exit code 1 when the model or the table has a problem (or, with --strict, any lead value).
    """
    report = workflow.check(book, as_of=as_of)
    for line in report.errors:
        click.echo(line)
    for line in report.warnings:
        click.echo(f"warning: {line}")
    if report.errors:
        click.echo(f"{len(report.errors)} problem(s) in {book}; rescore would write nothing.", err=True)
        raise SystemExit(1)
    n = len(report.outputs)
    click.echo(f"{book}: the model and the Leads table are fine ({n} leads"
               f"{f', {len(report.warnings)} lead values could not be used' if report.warnings else ''}).")
    if strict and report.warnings:
        raise SystemExit(1)


def _out_option(fn):
    return click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
                        help="Write the result here instead of changing BOOK.")(fn)


def _as_of_option(fn):
    return click.option("--as-of", callback=_as_of, metavar="DATE",
                        help="The run's date (and time): 'Scored at', task due dates (default: now).")(fn)


def _print_tasks(report) -> None:
    tasks = report.tasks
    first = tasks["priority"].min() if len(tasks) else None
    urgent = int((tasks["priority"] == first).sum()) if len(tasks) else 0
    click.echo(f"Tasks: {len(tasks)} in sheet '{report.tasks_sheet}'"
               + (f" ({urgent} of priority {first})" if len(tasks) else ""))
    line = sample_team_warning(report)
    if line:
        click.echo(f"warning: {line}", err=True)


def sample_team_warning(report) -> str:
    """'' unless tasks went to the template's sample people because the Team table still lists them."""
    from workbook.sample_team import sample_people, team_cell

    tasks, scored = report.tasks, report.scored
    if tasks is None or scored is None:
        return ""
    kept, n = sample_people(tasks, scored.checked.model)
    if not n:
        return ""
    return (f"{n:,} of {len(tasks):,} tasks went to the template's sample people ({', '.join(kept)}); "
            f"put your team in the Team table ({team_cell()}) and run again")


def _pct(x) -> str:
    return "—" if x is None else f"{x:.1%}"


def _print_report(report) -> None:
    f = report.funnel
    click.echo(f"Report: sheet 'Report' — {f.leads} leads, MQL {_pct(f.pct_mql)}, SQL {_pct(f.pct_sql)}, "
               f"MQL→SQL {_pct(f.mql_to_sql)}, lead→customer {_pct(f.lead_to_customer)}")


def _exports(report, csv_path, ics_path) -> None:
    if csv_path:
        click.echo(f"Wrote {len(report.tasks)} tasks to {csv_path}")
    if ics_path:
        click.echo(f"Wrote {len(report.tasks)} calendar entries to {ics_path}")


@cli.command()
@click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
@_out_option
@_as_of_option
@click.option("--tasks", "with_tasks", is_flag=True, help="Also write the day's Tasks sheet.")
@click.option("--report", "with_report", is_flag=True, help="Also write the Report sheet.")
@friendly
def rescore(book, out, as_of, with_tasks, with_report):
    """Score every lead in BOOK and write Fit … Scored at as values.

    Changes of grade, score or status are appended to the History sheet.
    Nothing is written if anything is wrong, and BOOK stays byte-for-byte as it was.
    """
    steps = ("rescore",) + (("tasks",) if with_tasks else ()) + (("report",) if with_report else ())
    report = workflow.run(book, out=out, as_of=as_of, steps=steps)
    _print_summary(report, book, out)
    if with_tasks:
        _print_tasks(report)
    if with_report:
        _print_report(report)


@cli.command()
@click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
@_out_option
@_as_of_option
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the tasks to this CSV file.")
@click.option("--ics", "ics_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the tasks to this calendar file (Outlook, Google Calendar).")
@friendly
def tasks(book, out, as_of, csv_path, ics_path):
    """Rescore BOOK, then write the day's nurture tasks to a new sheet 'Tasks YYYY-MM-DD'.

    Enrolment (Sequence, Sequence start) is recorded in the Leads table, so a second run on the
    same day gives the same sheet, and a lead already in a sequence is not enrolled again.
    """
    report = workflow.run(book, out=out, as_of=as_of, steps=("rescore", "tasks"), csv=csv_path, ics=ics_path)
    _print_summary(report, book, out)
    _print_tasks(report)
    _exports(report, csv_path, ics_path)


@cli.command()
@click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
@_out_option
@_as_of_option
@friendly
def report(book, out, as_of):
    """Rescore BOOK, then write the Report sheet: grade × score band heat map, funnel KPIs, a chart."""
    result = workflow.run(book, out=out, as_of=as_of, steps=("rescore", "report"))
    _print_summary(result, book, out)
    _print_report(result)


def _print_import(report, book) -> None:
    i = report.imported
    click.echo(f"Imported {i['rows']:,} rows of {i['source']} into {book}: {i['added']:,} added, "
               f"{i['updated']:,} updated ({i['cells']:,} cells), {i['unchanged']:,} unchanged, "
               f"{len(i['skipped']):,} skipped.")
    if i["key"]:
        click.echo(f"Leads are matched by {i['key']}.")
    else:
        click.echo("No key: the export and the table share no Lead ID or Email column, so every lead was "
                   "added as new (use --key COLUMN).")
    if i["new_columns"]:
        click.echo("New columns: " + ", ".join(i["new_columns"]))
    _print_left_out(i)
    if i["kept_formulas"]:
        click.echo(f"Kept {i['kept_formulas']} cells that hold formulas (an import does not overwrite them).")
    if i["maps_kept"]:
        click.echo("The --map mappings are kept in the Import map table on the LeadScore sheet: the next "
                   "import of this export needs no --map.")


def _print_left_out(i: dict) -> None:
    """The export's columns and lines an import left out, and why (the first 10 lines)."""
    for header, why in i["ignored"]:
        click.echo(f"Ignored column {header!r}: {why}")
    for line, why in i["skipped"][:10]:
        click.echo(f"Skipped line {line}: {why}")
    if len(i["skipped"]) > 10:
        click.echo(f"... and {len(i['skipped']) - 10} more skipped lines")


def _print_import_events(report, book) -> None:
    i = report.imported
    found = report.summary.get("events", {})
    click.echo(f"Imported {i['rows']:,} rows of {i['source']} into the {found.get('sheet', 'Events')} sheet of "
               f"{book}: {i['added']:,} events added, {i['duplicates']:,} already there, {len(i['skipped']):,} "
               "skipped.")
    click.echo("Columns: " + ", ".join(i["columns"]))
    _print_left_out(i)
    if found:
        click.echo(f"Events: {found['events']:,} in all, {found['counted']:,} counted by the rules over events, "
                   f"{found['suspect']:,} suspect (scanners, prefetched opens: marked in the Suspect column, they "
                   "score nothing).")


@cli.command(name="import")
@click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--key", metavar="COLUMN", help="The Leads column that identifies a lead (default: Lead ID, "
                                               "else Email).")
@click.option("--map", "maps", multiple=True, metavar='"THEIRS=OURS"',
              help='Put the export\'s column THEIRS into our column OURS, e.g. --map "E-mail address=Email"; '
                   "repeatable; kept on the LeadScore sheet for the next import.")
@click.option("--events", "events", is_flag=True,
              help="FILE is an activity export (one row per event: Lead ID or Email, Time, Event, Detail, and "
                   "optionally Campaign, User agent, IP): append it to the Events sheet for the rules over events.")
@_out_option
@_as_of_option
@friendly
def import_(book, file, key, maps, events, out, as_of):
    """Bring the leads of FILE (a CSV export of a CRM or form tool, or another workbook) into BOOK's
    Leads table, then rescore.

    Columns are matched by header (ignoring case and spacing); columns the table lacks are added. A lead
    already in the table (same Lead ID, else the same e-mail address) is updated in place, a new one is
    appended; none is deleted. Nothing is written if anything is wrong.

    With --events, FILE's events are appended to the Events sheet instead (the same event twice is not
    added twice), then BOOK is rescored as of --as-of.
    """
    if events:
        if key:
            raise click.BadParameter("an activity export's events find their lead by Lead ID, else Email; "
                                     "--key is only for leads", param_hint="--key")
        report = workflow.import_events(book, file, maps=maps, out=out, as_of=as_of)
        _print_import_events(report, book)
        _print_summary(report, book, out)
        return
    try:
        report = workflow.import_leads(book, file, key=key, maps=maps, out=out, as_of=as_of)
    except ValueError as exc:
        if str(exc).startswith("--map"):
            raise click.BadParameter(str(exc).removeprefix("--map "), param_hint="--map") from None
        raise
    _print_import(report, book)
    _print_summary(report, book, out)


@cli.command()
@click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--leads", metavar="SHEET_OR_TABLE",
              help="The table, or the sheet (its table, or a plain range with a header row), that holds "
                   "the leads (default: the table tblLeads, else the sheet Leads; with neither, an empty "
                   "Leads sheet is added).")
@click.option("--lang", type=click.Choice(["en", "it"]), default="en", show_default=True,
              help="Language of the LeadScore sheet, the output headers and actions.")
@click.option("--profile", type=click.Choice(["b2b", "b2c"]), default="b2b", show_default=True,
              help="Default model: business buyers (b2b) or consumers (b2c).")
@click.option("--no-rescore", is_flag=True, help="Add Lead Score without scoring the leads yet.")
@_out_option
@_as_of_option
@friendly
def init(book, leads, lang, profile, no_rescore, out, as_of):
    """Add Lead Score to an existing workbook BOOK: the LeadScore sheet, the output columns at the right
    edge of the lead table, and default rules pointed at the columns the table has; then rescore.

    Every other sheet, cell, format, formula, chart, macro and button stays as it was. Rules whose
    column the table lacks are left out and listed (add them on the LeadScore sheet with your column).
    """
    from workbook.init_book import init_book

    done = init_book(book, leads=leads, language=lang, profile=profile, out=out)
    target = out or book
    how = "an empty Leads sheet added" if done.added_sheet else \
        f"its range made the table {done.table}" if done.made_table else f"table {done.table}"
    click.echo(f"Added Lead Score to {target}: the LeadScore sheet; leads on sheet '{done.sheet}' ({how}, "
               f"{_count(done.leads, 'lead', 'leads')}).")
    if done.outputs:
        click.echo("Output columns added: " + ", ".join(done.outputs))
    for what, theirs, ours in done.moved:
        click.echo(f"The {what} uses your column '{ours}' (the template's '{theirs}').")
    for what, theirs in done.left_out:
        click.echo(f"Left out the {what}: no column like '{theirs}' (add the rule on the LeadScore sheet with "
                   "your column's name).")
    if no_rescore or done.leads == 0:
        click.echo(f"Next: fill the leads, then `leadscore rescore {Path(target).name}`.")
        return
    report = workflow.rescore(target, as_of=as_of)
    _print_summary(report, target, None)


@cli.command()
@click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
@_out_option
@friendly
def formulas(book, out):
    """Write native formulas into BOOK: Fit, Grade, Behaviour, Score, Rating, Status and Action
    become plain Excel formulas over the row's cells and the LeadScore sheet.

    Run it after adding or removing a rule, pointing a rule at another column or adding a
    score band; edits of points, values, operators, caps, bands, thresholds, matrix labels
    and settings recalculate without it. Reasons and Problems stay values (rescore writes
    them). Nothing is written if the LeadScore sheet or the Leads table has a problem.
    """
    done = workflow.write_formulas(book, out)
    click.echo(f"Wrote native formulas for {done['rows']} leads in {out or book}: {done['fit_rules']} fit rules, "
               f"{done['behaviour_rules']} behaviour rules, {done['names']} defined names, hidden helper "
               f"columns and sheet {done['helper_sheet']!r}. Excel and LibreOffice recalculate it when opened.")
    for item in done["lost"]:
        click.echo(f"Note: the copy lacks {item} (the original keeps it).", err=True)


@cli.command()
@click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
@_out_option
@friendly
def lite(book, out):
    """Store Lead Score's Python in BOOK for xlwings Lite (Excel on Windows, macOS and the web).

    main.py (the scripts rescore, tasks, report and run_all, the LEAD... functions, and Lead
    Score's own code inside it) and requirements.txt go where xlwings Lite keeps them; running
    this again replaces them. Nothing else in BOOK changes.
    """
    from . import lite as lite_code

    stored = lite_code.embed(book, out)
    names = ", ".join(r.split()[0] for r in stored["requirements.txt"].splitlines() if r.strip())
    click.echo(f"Stored Lead Score for xlwings Lite in {out or book}: main.py "
               f"({len(stored['main.py'].splitlines())} lines) and requirements.txt ({names}).")
    click.echo("Open it in Excel with the xlwings Lite add-in: run rescore, tasks, report or run_all from "
               "its task pane, or type =LEADRATING(...) and the other LEAD functions.")


def _share(ctx, param, value):
    """A share written 0.3 or 30%, strictly between 0 and 1."""
    if value is None:
        return None
    text = str(value).strip()
    try:
        share = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        share = None
    if share is None or not 0 < share < 1:
        raise click.BadParameter(f"{value!r} is not a share; write it as 0.3 or 30% (above 0, below 1)")
    return share


def _since(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD") from None


@cli.command()
@click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--outcome", metavar="COLUMN",
              help="The Leads column saying what happened to each lead (won/lost); default: the Outcome column "
                   "setting on the LeadScore sheet.")
@click.option("--holdout", callback=_share, metavar="SHARE",
              help="Share of the leads with an outcome held out to measure on, at random and stratified by "
                   "outcome (default 0.3, also written 30%).")
@click.option("--since", callback=_since, metavar="DATE",
              help="Split by date instead: learn on the leads created before DATE (YYYY-MM-DD), measure on the "
                   "others (the Created column).")
@click.option("--capacity", callback=_share, default="12%", show_default=True, metavar="SHARE",
              help="Share of the leads sales can take: the suggested SQL threshold passes at most this share, "
                   "MQL twice it.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random holdout and of the "
                                                                       "bootstrap interval.")
@click.option("--columns", multiple=True, metavar="COLUMN",
              help="Learn only from this column (repeat for more); default: every input column except identifiers, "
                   "names, e-mails, dates, free text and the outcome.")
@click.option("--exclude", multiple=True, metavar="COLUMN", help="A column never to learn from (repeat for more).")
@click.option("--behaviour", multiple=True, metavar="COLUMN",
              help="A column no rule uses yet whose points go to behaviour, not fit (repeat for more).")
@click.option("--apply", "apply_", is_flag=True,
              help="Also apply the suggestion: the LeadScore tables take its points, rules, grade bands and "
                   "thresholds, and a Changelog table on the LeadScore sheet records every change (old and new "
                   "value, why).")
@_out_option
@_as_of_option
@friendly
def calibrate(book, outcome, holdout, since, capacity, seed, columns, exclude, behaviour, apply_, out, as_of):
    """Measure BOOK's model on the leads' outcomes and suggest points and thresholds; write it all to the
    Calibration sheet.

    Everything is measured on held-out leads: AUC with its interval, conversion by grade, score band,
    status and decile, capture, each rule's evidence, warnings; then a suggested model of integer points
    learned on the other leads, with its evidence. The LeadScore sheet changes only with --apply.
    Nothing is written if anything is wrong.
    """
    from scoring.calibrate import CalibrationError
    from workbook.calibration import calibrate_file

    from .calibration_text import report_lines

    if since is not None and holdout is not None:
        raise click.BadParameter("give --holdout or --since, not both", param_hint="--since")
    try:
        done = calibrate_file(book, out=out, apply=apply_, when=as_of, outcome=outcome,
                              holdout=0.3 if holdout is None else holdout, since=since, capacity=capacity, seed=seed,
                              columns=list(columns) or None, exclude=tuple(exclude), behaviour=tuple(behaviour))
    except CalibrationError as exc:
        _fail([f"Error: {book}: {exc}"])
    for line in report_lines(done, book, out):
        click.echo(line)
    for item in done.lost:
        click.echo(f"Note: the copy lacks {item} (the original keeps it).", err=True)


@cli.command()
@click.argument("directory", required=False, default="leadscore-demo",
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["en", "it"]), default="en", show_default=True,
              help="Language of the demo workbook.")
@click.option("--sample", type=click.IntRange(1, 1_048_575), default=DEMO_LEADS, show_default=True,
              help="Number of generated sample leads.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for the sample leads.")
@click.option("--force", is_flag=True, help="Replace a demo workbook already in DIRECTORY (your edits are lost).")
@click.option("--events", "with_events", is_flag=True,
              help="Score the pricing visits, promotional opens, welcome click, downloads and webinars from the "
                   "example activity export (DIRECTORY/activity-export.csv, written either way) on an Events "
                   "sheet, with windows, decay and scanner clicks ignored, instead of from the Leads columns.")
@_as_of_option
@friendly
def demo(directory, lang, sample, seed, force, with_events, as_of):
    """Build a demo workbook with sample leads in DIRECTORY and tell its story in two dated runs: the
    first a week before --as-of (default: now), then the leads' activity of that week is imported and
    the book rescored, so that History, the MQL → SQL rate and the days to SQL have values. Says what
    to look at."""
    from scoring import default_model
    from scoring.sample import demo_story

    book = directory / (DEMO_NAME if lang == "en" else "leadscore-demo-it.xlsx")
    if book.exists() and not force:
        raise FileExistsError(f"{book} already exists (maybe with your edits); rescore it with "
                              f"`leadscore rescore {book}`, or pass --force to build it again")
    second = as_of or dt.datetime.now().replace(microsecond=0)
    first = second - dt.timedelta(days=DEMO_WEEK)
    leads, activity = demo_story(sample, first.date(), seed=seed, language=lang)
    model = default_model("b2b", lang, year=first.year, hygiene=True)
    directory.mkdir(parents=True, exist_ok=True)
    events_file = _demo_events(directory, model, leads, activity, second, seed, lang, with_events)
    atomic_save(lambda tmp: template.build(tmp, model, leads, None, lang, "b2b"), os.fspath(book))
    steps = ("rescore", "tasks", "report")
    before = workflow.import_events(book, events_file, as_of=first, steps=steps) if with_events else \
        workflow.run(book, as_of=first, steps=steps)
    with tempfile.TemporaryDirectory() as folder:  # The week's activity, as a marketing tool exports it.
        export = Path(folder) / "activity.csv"
        activity.to_csv(export, index=False)
        report = workflow.import_leads(book, export, as_of=second, steps=steps) if len(activity) else \
            workflow.run(book, as_of=second, steps=steps)
    _print_summary(report, book, None, made=True, compare=True)
    click.echo(f"The story: on {first:%Y-%m-%d} the {before.summary['leads']} sample leads were scored "
               f"(sheet '{before.tasks_sheet}'); that week {len(activity)} of them did more (imported), and on "
               f"{second:%Y-%m-%d} the book was rescored.")
    _print_tasks(report)
    _print_report(report)
    click.echo("")
    click.echo(f"Open {book.resolve()} and look at:")
    click.echo("  - Start here: the three things to do. Leads: Grade, Score, Status and Action per lead; "
               "the Reasons add up to the score.")
    click.echo(f"  - {report.tasks_sheet}: today's calls and emails first; Report: the funnel; History: "
               "what changed in the two runs.")
    click.echo("  - LeadScore: the model. Change a weight or threshold, then run")
    click.echo(f"      leadscore rescore {book}")
    click.echo(f"  - `leadscore check {book}` lists lead values that could not be used, cell by cell.")
    if with_events:
        found = report.summary.get("events", {})
        click.echo(f"  - {found.get('sheet', 'Events')}: the {found.get('events', 0):,} events of "
                   f"{events_file.name} ({found.get('suspect', 0):,} suspect: scanner clicks and prefetched opens, in the Suspect "
                   "column); the rules over events are on LeadScore (column CD).")
    else:
        click.echo(f"  - {events_file}: an example activity export; `leadscore demo --events` scores from it.")


def _demo_events(directory: Path, model, leads, activity, last, seed: int, lang: str, with_events: bool) -> Path:
    """Write the demo's example activity export; with_events: the behaviours it carries are scored from
    it (rules over events) instead of from the Leads columns."""
    from scoring.defaults import header
    from scoring.sample_events import CARRIED, activity_export, demo_event_rules

    export = directory / "activity-export.csv"
    atomic_save(lambda tmp: activity_export(leads, last, seed=seed, language=lang, week=activity).to_csv(
        tmp, index=False), os.fspath(export))
    if with_events:
        carried = {header(m, lang) for m in CARRIED}
        model.behaviour_rules = [r for r in model.behaviour_rules if r.column not in carried]
        model.event_rules = demo_event_rules(lang)
    return export


for _bulk in bulk_commands(friendly):  # score and sql (issue 16)
    cli.add_command(_bulk)


def main():
    cli(prog_name="leadscore")


if __name__ == "__main__":
    main()

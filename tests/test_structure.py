"""The shape of the code: layers, no import cycle, every command and option explained.

- `scoring` (the engine) imports nothing from `workbook` or `addin`, and no Excel library;
  `workbook` imports nothing from `addin`.
- The project's modules import each other without a cycle, counting imports inside
  functions too (an import inside a function is no way around a cycle).
- Every command and every option of `leadscore` has help text, and every command is in
  the README.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from addin.cli import cli

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("scoring", "workbook", "addin")
EXCEL_LIBRARIES = ("openpyxl", "xlsxwriter", "xlwings")


def _imports(path: Path) -> set[str]:
    """Every module a file imports, anywhere in it, as absolute dotted names."""
    package = path.parent.relative_to(ROOT).parts  # ('scoring',) or a subpackage ('scoring', 'sql').
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1])
                if node.module:
                    found.add(f"{base}.{node.module}")
                else:  # from . import x: the module x of this package.
                    found |= {f"{base}.{alias.name}" for alias in node.names}
            else:
                found.add(node.module)
                found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _modules() -> dict[str, set[str]]:
    graph = {}
    for package in PACKAGES:  # With their subpackages (workbook.xlsx, scoring.sql ...).
        for path in sorted((ROOT / package).rglob("*.py")):
            dotted = ".".join(path.parent.relative_to(ROOT).parts)
            name = dotted if path.stem == "__init__" else f"{dotted}.{path.stem}"
            graph[name] = _imports(path)
    return graph


@pytest.mark.slow
def test_the_engine_imports_no_workbook_addin_or_excel_library():
    for module, imports in _modules().items():
        if module.split(".")[0] != "scoring":
            continue
        tops = {name.split(".")[0].lower() for name in imports}
        assert not tops & {"workbook", "addin", *EXCEL_LIBRARIES}, (module, sorted(tops))


@pytest.mark.slow
def test_the_workbook_layer_imports_nothing_from_the_faces():
    for module, imports in _modules().items():
        if module.split(".")[0] == "workbook":
            assert not any(name.split(".")[0] == "addin" for name in imports), module


@pytest.mark.slow
def test_no_import_cycle_between_project_modules():
    graph = _modules()
    edges = {m: {i for i in imports if i in graph and i != m and not (m.endswith("__init__"))}
             for m, imports in graph.items()}
    # A package's __init__ re-exports its modules; importing the package is importing those.
    for m in list(edges):
        edges[m] = {i for i in edges[m] if i not in PACKAGES} | {
            sub for i in edges[m] if i in PACKAGES for sub in edges.get(i, ())}
    state = {}

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                cycle = path[path.index(nxt):] + [nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])


def _commands():
    return sorted(cli.commands.items())


@pytest.mark.parametrize("name,command", _commands())
def test_every_command_and_option_has_help(name, command):
    assert (command.help or "").strip(), f"{name} has no help"
    for param in command.params:
        if isinstance(param, click.Option):
            assert (param.help or "").strip(), f"leadscore {name} {param.opts[0]} has no help"
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0 and result.output.startswith(f"Usage: cli {name}")


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, _ in _commands():
        assert re.search(rf"`leadscore {name}\b", readme), f"leadscore {name} is not in the README"


def test_the_group_options_have_help():
    for param in cli.params:
        if isinstance(param, click.Option):
            assert (param.help or "").strip(), param.opts


def test_setup_allows_only_versions_the_code_runs_on():
    """NumPy 2 (numpy.strings); openpyxl and XlsxWriter bounded where their private parts are patched."""
    source = (ROOT / "setup.py").read_text(encoding="utf-8")
    for requirement in ('"numpy>=2.0"', '"pandas>=2.2.2"', '"openpyxl>=3.1.2,<3.2"', '"XlsxWriter>=3.1.2,<3.4"'):
        assert requirement in source, requirement
    import numpy
    import openpyxl
    import xlsxwriter

    assert hasattr(numpy, "strings")
    assert openpyxl.__version__.startswith("3.1.")
    assert xlsxwriter.__version__.split(".")[:2] in (["3", "1"], ["3", "2"], ["3", "3"])


def test_setup_installs_every_package_and_subpackage(monkeypatch):
    """`pip install .` (not editable) must carry workbook.xlsx and any later subpackage: the tests
    run from the source tree and would not notice one missing."""
    import runpy

    import setuptools

    captured = {}
    monkeypatch.setattr(setuptools, "setup", lambda **kwargs: captured.update(kwargs))
    monkeypatch.chdir(ROOT)
    runpy.run_path(str(ROOT / "setup.py"))
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for top in ("scoring", "workbook", "addin")
               for p in (ROOT / top).rglob("__init__.py")}
    assert "workbook.xlsx" in on_disk
    assert set(captured["packages"]) == on_disk

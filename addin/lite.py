"""Embedding Lead Score into a workbook for xlwings Lite (Excel on Windows, macOS and the web).

xlwings Lite keeps a workbook's Python in an Office web-extension part, the way
Excel saves any add-in's settings: xl/webextensions/webextension1.xml holds

    <we:reference id="wa200008175" version="1.0.0.0" store="en-US" storeType="OMEX"/>

(the add-in's id in Microsoft's store) and one <we:property> per file, whose value
is the file's text as a JSON string: main.py and requirements.txt. A task-pane
part (xl/webextensions/taskpanes.xml, with its _rels) points at it, the package
relationship .../2011/relationships/webextensiontaskpanes points at the task pane,
and [Content_Types].xml has overrides for both parts. This layout is the one of
workbooks saved by xlwings Lite.

Our own packages are not on PyPI, so main.py carries them: the pure-Python
modules of scoring/, workbook/ and addin/ that the xlwings path needs, zipped
(deterministically) and base64-encoded into main.py (see lite_main.py, which
puts the zip on sys.path with zipimport in Pyodide). requirements.txt lists what
Pyodide installs: xlwings Lite's own required lines, then pandas and openpyxl
(workbook/ reads and writes through them; XlsxWriter is only for templates).

openpyxl drops these parts, so embedding is a zip-level step done last, on a
saved file: the parts are added (or, when the book already has Lite's, its
main.py and requirements.txt are replaced) and the package is written through
safety.atomic_save, so on any failure the file is left byte-for-byte as it was.
"""
from __future__ import annotations

import base64
import io
import json
import os
import posixpath
import re
import uuid
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

from defusedxml import ElementTree as SafeET  # Parses package parts without entity expansion.

from workbook.opening import check_workbook_file
from workbook.safety import WriteRefused, atomic_save, check_not_open, kind_mismatch, run_lock

LITE_ID = "wa200008175"  # xlwings Lite in Microsoft's add-in store (OMEX).
WE_NS = "http://schemas.microsoft.com/office/webextensions/webextension/2010/11"
TP_NS = "http://schemas.microsoft.com/office/webextensions/taskpanes/2010/11"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
TASKPANES_REL = "http://schemas.microsoft.com/office/2011/relationships/webextensiontaskpanes"
WEBEXTENSION_REL = "http://schemas.microsoft.com/office/2011/relationships/webextension"
WEBEXTENSION_TYPE = "application/vnd.ms-office.webextension+xml"
TASKPANES_TYPE = "application/vnd.ms-office.webextensiontaskpanes+xml"
FOLDER = "xl/webextensions"
TASKPANES = f"{FOLDER}/taskpanes.xml"
TASKPANES_RELS = f"{FOLDER}/_rels/taskpanes.xml.rels"
# The id of the web-extension instance in this document (any GUID; a fixed one keeps output reproducible).
INSTANCE_ID = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/leadscore-excel/lite")).upper() + "}"
SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")

# The bundle: which modules of our packages travel in main.py. addin only needs the
# macros and the in-cell function core; the command line (click), the desktop UDFs
# (they would register the LEAD functions twice), the builders, the template and its
# sample leads (XlsxWriter) and the calendar export (icalendar) stay out.
PACKAGES = ("scoring", "workbook", "addin")
LEAVE_OUT = {"addin/cli.py", "addin/udfs.py", "addin/button.py", "addin/xlsm.py", "addin/lite.py",
             "addin/lite_main.py", "workbook/template.py", "scoring/sample.py"}
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

# xlwings Lite's own required lines (as in the requirements.txt it writes), then ours.
LITE_REQUIREMENTS = ("xlwings  # required", "python-dotenv  # required", "pyodide-http  # required",
                     "black  # required")
# The hygiene and duplicate checks need the last four (pure Python, or built for Pyodide: rapidfuzz).
REQUIREMENTS = ("pandas", "openpyxl", "defusedxml", "disposable-email-domains", "email-validator", "phonenumbers",
                "rapidfuzz")


def root() -> Path:
    """The folder holding our packages (the repository, or site-packages)."""
    return Path(__file__).resolve().parent.parent


def bundle_files() -> list[str]:
    """Zip names (package/module.py) of the modules that go into main.py, sorted."""
    names = []
    for package in PACKAGES:
        for path in sorted((root() / package).glob("*.py")):
            name = f"{package}/{path.name}"
            if name not in LEAVE_OUT and not name.startswith("addin/cli"):  # (cli_*.py: more commands.)
                names.append(name)
    return names


def bundle() -> bytes:
    """The zip of the bundled modules, byte-for-byte the same for the same sources."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name in bundle_files():
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, (root() / name).read_bytes())
    return buf.getvalue()


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("leadscore-excel")
    except Exception:
        return "unknown"


def main_py() -> str:
    """The main.py xlwings Lite runs: lite_main.py with the bundle filled in."""
    source = (Path(__file__).with_name("lite_main.py")).read_text(encoding="utf-8")
    marker = re.compile(r"^_BUNDLE = None\b.*$", re.M)
    if len(marker.findall(source)) != 1:
        raise RuntimeError("lite_main.py must have exactly one line starting '_BUNDLE = None'")
    encoded = base64.b64encode(bundle()).decode("ascii")
    lines = "\n".join(encoded[i:i + 100] for i in range(0, len(encoded), 100))
    filled = (f"# Lead Score {_version()}: {len(bundle_files())} modules of scoring/, workbook/ and addin/, "
              f"zipped and base64-encoded.\n_BUNDLE = \"\"\"\n{lines}\n\"\"\"")
    return marker.sub(lambda _: filled, source)


def requirements_txt() -> str:
    return "\n".join(LITE_REQUIREMENTS + REQUIREMENTS) + "\n"


# --- reading what a package holds ----------------------------------------------------------------

def _rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def _target(source: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _relationships(files: dict, part: str) -> list[ET.Element]:
    name = _rels_name(part) if part else "_rels/.rels"
    if name not in files:
        return []
    return list(SafeET.fromstring(files[name]).iter(f"{{{REL_NS}}}Relationship"))


def lite_parts(files: dict) -> list[str]:
    """The web-extension parts, reached from the task panes, whose add-in is xlwings Lite."""
    found = []
    for rel in _relationships(files, ""):
        if rel.get("Type") != TASKPANES_REL:
            continue
        panes = _target("", rel.get("Target", ""))
        for inner in _relationships(files, panes):
            part = _target(panes, inner.get("Target", ""))
            if part in files and _is_lite(files[part]):
                found.append(part)
    return found


def _is_lite(xml: bytes) -> bool:
    root_el = SafeET.fromstring(xml)
    ref = root_el.find(f"{{{WE_NS}}}reference")
    return ref is not None and ref.get("id", "").lower() == LITE_ID


def properties(xml: bytes) -> dict[str, str]:
    """A web-extension part's properties, values decoded from JSON."""
    return {p.get("name"): json.loads(p.get("value"))
            for p in SafeET.fromstring(xml).iter(f"{{{WE_NS}}}property")}


def read_lite(path) -> dict[str, str]:
    """The xlwings Lite files stored in a workbook (main.py, requirements.txt, ...); {} if none."""
    with zipfile.ZipFile(path) as zf:
        files = {n: zf.read(n) for n in zf.namelist() if n.endswith((".xml", ".rels"))}
    parts = lite_parts(files)
    return properties(files[parts[0]]) if parts else {}


# --- writing -------------------------------------------------------------------------------------

def _attr(value: str) -> str:
    return '"' + escape(value, {'"': "&quot;"}) + '"'


def _property(name: str, text: str) -> str:
    """<we:property> with the file's text as a JSON string, as xlwings Lite stores it."""
    return f"<we:property name={_attr(name)} value={_attr(json.dumps(text, ensure_ascii=False))}/>"


def webextension_xml(files: dict[str, str]) -> bytes:
    """A new xlwings Lite web-extension part holding these files."""
    props = "".join(_property(n, t) for n, t in files.items())
    ref = f'id="{LITE_ID}" version="1.0.0.0"'
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<we:webextension xmlns:we="{WE_NS}" id="{INSTANCE_ID}">'
            f'<we:reference {ref} store="en-US" storeType="OMEX"/>'
            f'<we:alternateReferences><we:reference {ref} store="{LITE_ID.upper()}" storeType="OMEX"/>'
            f"</we:alternateReferences><we:properties>{props}</we:properties><we:bindings/>"
            f'<we:snapshot xmlns:r="{R_NS}"/>'
            '<we:extLst><a:ext xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
            'uri="{D87F86FE-615C-45B5-9D79-34F1136793EB}"><we:containsCustomFunctions/></a:ext>'
            '<a:ext xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
            'uri="{7C84B067-C214-45C3-A712-C9D94CD141B2}"><we:customFunctionIdList/></a:ext>'
            "</we:extLst></we:webextension>").encode("utf-8")


def _replace_properties(xml: bytes, files: dict[str, str]) -> bytes:
    """Lite's existing part with these files' properties replaced (or added); the rest kept as is."""
    text = xml.decode("utf-8")
    for name, body in files.items():
        new = _property(name, body)
        pattern = re.compile(r"<(\w+:)?property\b[^>]*?\bname=([\"'])" + re.escape(name) + r"\2[^>]*/>")
        if pattern.search(text):
            text = pattern.sub(lambda _: new, text, count=1)
        elif re.search(r"<(\w+:)?properties\s*/>", text):
            text = re.sub(r"<(\w+:)?properties\s*/>", lambda m: f"<{m.group(1) or ''}properties>{new}"
                          f"</{m.group(1) or ''}properties>", text, count=1)
        else:
            text = re.sub(r"</(\w+:)?properties>", lambda m: new + m.group(0), text, count=1)
    out = text.encode("utf-8")
    if properties(out).keys() < files.keys():  # The edit must parse back with every file in it.
        raise ValueError("could not update the xlwings Lite part")
    return out


def _free(names, pattern: str) -> str:
    n = 1
    while pattern.format(n) in names:
        n += 1
    return pattern.format(n)


def _free_id(rels_xml: bytes | None) -> str:
    ids = set() if rels_xml is None else {r.get("Id") for r in SafeET.fromstring(rels_xml).iter(f"{{{REL_NS}}}Relationship")}
    return _free(ids, "rId{}")


def _add_relationship(rels_xml: bytes | None, rel_id: str, kind: str, target: str) -> bytes:
    rel = f'<Relationship Id="{rel_id}" Type="{kind}" Target="{target}"/>'
    if rels_xml is None:
        return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<Relationships xmlns="{REL_NS}">{rel}</Relationships>').encode("utf-8")
    text = rels_xml.decode("utf-8")
    if re.search(r"<Relationships\b[^>]*/>", text):
        text = re.sub(r"<Relationships\b([^>]*)/>", lambda m: f"<Relationships{m.group(1)}>{rel}</Relationships>",
                      text, count=1)
    else:
        text = text.replace("</Relationships>", rel + "</Relationships>", 1)
    return text.encode("utf-8")


def _add_override(types_xml: bytes, part: str, kind: str) -> bytes:
    root_el = SafeET.fromstring(types_xml)
    names = {o.get("PartName", "").lower() for o in root_el.iter(f"{{{CT_NS}}}Override")}
    if "/" + part.lower() in names:
        return types_xml
    text = types_xml.decode("utf-8")
    return text.replace("</Types>", f'<Override PartName="/{part}" ContentType="{kind}"/></Types>', 1).encode("utf-8")


def embedded_files(files: dict[str, bytes]) -> dict[str, bytes]:
    """What changes in a package (name -> new bytes) to hold our main.py and requirements.txt."""
    lite = {"main.py": main_py(), "requirements.txt": requirements_txt()}
    changed = {}
    existing = lite_parts(files)
    if existing:
        for part in existing[:1]:
            changed[part] = _replace_properties(files[part], lite)
        return changed
    part = _free(files, f"{FOLDER}/webextension{{}}.xml")
    changed[part] = webextension_xml(lite)
    panes_rel = next((r for r in _relationships(files, "") if r.get("Type") == TASKPANES_REL), None)
    panes = TASKPANES if panes_rel is None else _target("", panes_rel.get("Target", ""))
    panes_rels = _rels_name(panes)
    rel_id = _free_id(files.get(panes_rels))
    target = posixpath.relpath(part, posixpath.dirname(panes))
    changed[panes_rels] = _add_relationship(files.get(panes_rels), rel_id, WEBEXTENSION_REL, target)
    pane = (f'<wetp:taskpane dockstate="right" visibility="1" width="350" row="{{row}}">'
            f'<wetp:webextensionref xmlns:r="{R_NS}" r:id="{rel_id}"/></wetp:taskpane>')
    if panes in files:
        text = files[panes].decode("utf-8")
        rows = [int(p.get("row", "0") or 0) for p in SafeET.fromstring(files[panes]).iter(f"{{{TP_NS}}}taskpane")]
        prefix = re.search(r"<(\w+:)?taskpanes\b", text).group(1) or ""
        entry = pane.format(row=max(rows, default=0) + 1).replace("wetp:", prefix)
        if re.search(rf"<{prefix}taskpanes\b[^>]*/>", text):
            text = re.sub(rf"<{prefix}taskpanes\b([^>]*)/>",
                          lambda m: f"<{prefix}taskpanes{m.group(1)}>{entry}</{prefix}taskpanes>", text, count=1)
        else:
            text = text.replace(f"</{prefix}taskpanes>", entry + f"</{prefix}taskpanes>", 1)
        changed[panes] = text.encode("utf-8")
    else:
        changed[panes] = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                          f'<wetp:taskpanes xmlns:wetp="{TP_NS}">{pane.format(row=1)}</wetp:taskpanes>'
                          ).encode("utf-8")
        changed["_rels/.rels"] = _add_relationship(files["_rels/.rels"], _free_id(files["_rels/.rels"]),
                                                   TASKPANES_REL, panes)
    types_xml = files["[Content_Types].xml"]
    types_xml = _add_override(types_xml, part, WEBEXTENSION_TYPE)
    types_xml = _add_override(types_xml, panes, TASKPANES_TYPE)
    changed["[Content_Types].xml"] = types_xml
    return changed


def embed(path, out=None) -> dict[str, str]:
    """_embed under run_lock: a second run on the same workbook is refused until it is done."""
    with run_lock(path):
        return _embed(path, out)


def _embed(path, out=None) -> dict[str, str]:
    """Store main.py and requirements.txt for xlwings Lite in the workbook at path (or a copy at out).

    Returns the embedded files. Nothing is written unless the whole package was
    built; the original stays byte-for-byte as it was on any failure.
    """
    path = Path(path)
    target = Path(out) if out is not None else path
    check_workbook_file(path)  # A file of another kind, damaged or a decompression bomb: one line.
    if path.suffix.lower() not in SUFFIXES:
        raise WriteRefused(f"{path.name}: xlwings Lite code can be stored in {', '.join(SUFFIXES)} "
                           "workbooks only")
    if out is None or target.exists():
        check_not_open(target)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            files = {i.filename: zf.read(i.filename) for i in infos}
    except zipfile.BadZipFile:
        raise WriteRefused(f"{path.name} is not an Excel workbook (.xlsx/.xlsm package)") from None
    if "[Content_Types].xml" not in files or "_rels/.rels" not in files:
        raise WriteRefused(f"{path.name} is not an Excel workbook (.xlsx/.xlsm package)")
    try:
        changed = embedded_files(files)
    except (ET.ParseError, ValueError, KeyError, AttributeError) as exc:
        raise WriteRefused(f"{path.name} was not changed: its add-in parts could not be read ({exc})") from None

    def write(temp):
        with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in infos:
                dst.writestr(info, changed.get(info.filename, files[info.filename]))
            for name in sorted(set(changed) - set(files)):
                info = zipfile.ZipInfo(name, ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                dst.writestr(info, changed[name])
        mismatch = kind_mismatch(temp, target)
        if mismatch:
            raise WriteRefused(mismatch)

    atomic_save(write, os.fspath(target))
    return read_lite(target)

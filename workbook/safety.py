"""Saving a user's workbook without harming it.

Rescoring loads the user's workbook with openpyxl, changes cell values and
saves it. This module makes that save safe:

* A failing run leaves the file byte-for-byte unchanged, because the new
  workbook is written to a temporary file beside it and only moved over the
  original (atomically) once it is complete.
* A workbook open in Excel is refused, because Excel would keep its own copy
  and overwrite our changes (or we would overwrite the user's unsaved work).
* openpyxl silently drops package parts it does not understand (form-control
  buttons, xlwings Lite code, VBA, ActiveX, slicers, x14 sheet extensions...).
  Before writing in place we compare the new package with the original and
  refuse if anything would be lost; the user can write a copy with --out.
* A failed write (a full disk, a read-only or missing folder) is one
  DiskProblem line, and no temporary file is left; temporary files that a
  killed run left behind are removed by the next save in that folder.
* Two runs on one workbook at once are refused: run_lock holds a lock file of
  our own beside the workbook for the duration of a run.

The packages are read as zip files; their XML is parsed with defusedxml, which
refuses entity declarations (a "billion laughs" part cannot exhaust memory).
"""
from __future__ import annotations

import datetime as dt
import errno
import json
import os
import posixpath
import re
import secrets
import socket
import stat
import time
import zipfile
from collections import Counter, defaultdict
from contextlib import contextmanager
from urllib.parse import unquote
from xml.etree.ElementTree import ParseError

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from .errors import DiskProblem, Locked, Unreadable, WriteRefused

__all__ = ["WriteRefused", "check_not_open", "lost_parts", "atomic_save", "safe_save", "run_lock"]

TEMP_PREFIX = ".~leadscore-"
# Our temporary files: the prefix, a random token, the target's extension, and
# any name a writer derives from it (shared_formulas writes "<temp>.sharing").
TEMP_NAME = re.compile(r"\.~leadscore-[0-9a-f]{12}(\.[A-Za-z0-9]+)*")
# A temporary file untouched for this long belongs to a run that was killed: a
# live save keeps writing to its file, and then compares and renames it in seconds.
STALE_AFTER = 15 * 60
LOCK_PREFIX = ".~leadscore-lock."
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")

REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

# These parts are rebuilt from the workbook model on every save, so a change in
# their number or names loses nothing the user made. Printer settings are here
# too: they hold only the printer driver's private DEVMODE blob (tray, duplex,
# print quality); paper size, orientation, margins, scaling and print areas live
# in the sheet XML and workbook names, which openpyxl keeps, and Excel writes a
# fresh blob the next time the user prints.
IGNORED_TYPES = {
    "application/vnd.openxmlformats-package.relationships+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml",
    "application/vnd.openxmlformats-package.core-properties+xml",
    "application/vnd.openxmlformats-officedocument.extended-properties+xml",
    "application/vnd.openxmlformats-officedocument.theme+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.printerSettings",
}

# The workbook part changes content type with the file kind (xlsx, xlsm, xltx,
# xlam); any of them counts as the same one workbook. Losing the macros is
# reported through the vbaProject part instead.
WORKBOOK_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.ms-excel.addin.macroEnabled.main+xml",
}

# What a lost part of each content type means to a user.
TYPE_LABELS = {
    "application/vnd.ms-office.webextension+xml": "xlwings Lite code / Office add-in",
    "application/vnd.ms-office.webextensiontaskpanes+xml": "Office add-in task pane",
    "application/vnd.openxmlformats-officedocument.vmlDrawing":
        "form controls such as buttons, or comment shapes",
    "application/vnd.ms-office.vbaProject": "macros",
    "application/vnd.ms-office.vbaProjectSignature": "macro signature",
    "application/vnd.ms-excel.controlproperties+xml": "form control",
    "application/vnd.ms-office.activeX+xml": "ActiveX control",
    "application/vnd.ms-office.activeX": "ActiveX control data",
    "application/vnd.ms-excel.slicer+xml": "slicer",
    "application/vnd.ms-excel.slicerCache+xml": "slicer cache",
    "application/vnd.ms-excel.timeline+xml": "timeline",
    "application/vnd.ms-excel.timelineCache+xml": "timeline cache",
    "application/vnd.openxmlformats-officedocument.customXmlProperties+xml":
        "custom XML data properties",
    "application/vnd.ms-excel.macrosheet+xml": "Excel 4.0 macro sheet",
    "application/vnd.ms-excel.intlmacrosheet+xml": "Excel 4.0 macro sheet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.dialogsheet+xml": "dialog sheet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml": "worksheet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.chartsheet+xml": "chart sheet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml": "table",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml": "comments",
    "application/vnd.ms-excel.threadedcomments+xml": "threaded comments",
    "application/vnd.ms-excel.person+xml": "people in threaded comments",
    "application/vnd.openxmlformats-officedocument.drawing+xml":
        "drawing: pictures, charts and shapes",
    "application/vnd.openxmlformats-officedocument.drawingml.chart+xml": "chart",
    "application/vnd.ms-office.chartstyle+xml": "chart style",
    "application/vnd.ms-office.chartcolorstyle+xml": "chart colours",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.pivotTable+xml": "pivot table",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.pivotCacheDefinition+xml":
        "pivot cache",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.pivotCacheRecords+xml":
        "pivot cache records",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.queryTable+xml": "query table",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.connections+xml":
        "data connections",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml":
        "link to another workbook",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheetMetadata+xml":
        "cell metadata (dynamic arrays, data types)",
    "application/vnd.openxmlformats-officedocument.custom-properties+xml":
        "custom document properties",
    "application/vnd.ms-excel.sheet.binary.macroEnabled.main": "binary workbook",
}

# Parts whose content type says little are named by where they live.
PATH_LABELS = [
    ("customXml/", "custom XML data, e.g. document-management or Power Query metadata"),
    ("customUI/", "custom ribbon"),
    ("xl/richData/", "rich data: pictures in cells, linked data types"),
    ("xl/model/", "Power Pivot data model"),
    ("xl/media/", "picture"),
    ("docMetadata/", "sensitivity label"),
]

# What each kind of legacy VML form control is called in Excel.
CONTROL_NAMES = {
    "Button": "form button",
    "Checkbox": "check box",
    "Radio": "option button",
    "Drop": "combo box",
    "List": "list box",
    "Spin": "spin button",
    "Scroll": "scroll bar",
    "Label": "label",
    "GBox": "group box",
    "Edit": "edit box",
    "Dialog": "dialog frame",
}

# Prefixes to show for extension elements when the sheet does not declare one.
KNOWN_PREFIXES = {
    "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main": "x14",
    "http://schemas.microsoft.com/office/spreadsheetml/2010/11/main": "x15",
    "http://schemas.microsoft.com/office/spreadsheetml/2014/revision": "xr",
    "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac": "x14ac",
    "http://schemas.microsoft.com/office/excel/2006/main": "xm",
}

# An Excel VML shape declares its kind as <x:ClientData ObjectType="...">. The
# prefix varies (openpyxl writes ns0:, ns2:...) and Excel's VML is not always
# well-formed XML, so a tolerant pattern is used rather than an XML parser.
CLIENT_DATA = re.compile(rb"""<(?:[\w.-]+:)?ClientData\b[^>]*?\bObjectType\s*=\s*["']([^"']+)["']""")


def _lock_names(name: str) -> list[str]:
    """Return the owner-file names Office may create for a document name."""
    # Excel names its owner file "~$" + the full file name. Word replaces the
    # first characters instead when the name (without extension) is long: two
    # characters from 8 characters up, one at exactly 7. That is the rule
    # LibreOffice reverse-engineered (svl/source/misc/msodocumentlockfile.cxx);
    # we accept the shortened forms too, in case another Office version uses them.
    names = ["~$" + name]
    stem = os.path.splitext(name)[0]
    if len(stem) >= 8:
        names.append("~$" + name[2:])
    elif len(stem) == 7:
        names.append("~$" + name[1:])
    return names


def check_not_open(path) -> None:
    """Raise WriteRefused if Excel's or LibreOffice's lock file exists beside the workbook."""
    folder, name = os.path.split(os.path.abspath(os.fspath(path)))
    for lock in _lock_names(name):
        if os.path.exists(os.path.join(folder, lock)):
            raise WriteRefused(
                f"{name} is open in Excel (lock file {lock}): "
                "close it in Excel, or write to another file with --out")
    # LibreOffice names its lock file ".~lock." + the file name + "#"; a crash leaves it behind.
    lock = f".~lock.{name}#"
    if os.path.exists(os.path.join(folder, lock)):
        raise WriteRefused(
            f"{name} is open in LibreOffice (lock file {lock}): close it in LibreOffice, or write to "
            "another file with --out (if LibreOffice is not running, delete the lock file)")


class _Package:
    """The parts of an OOXML zip package that matter for the comparison."""

    def __init__(self, path):
        with zipfile.ZipFile(path) as zf:
            names = {n for n in zf.namelist() if not n.endswith("/")}
            self.types = _content_types(zf, names)
            self.rels = {}
            self.reachable = self._walk(zf, names)
            self.sheets = self._sheets(zf, names)
            self.extensions = {sheet: _sheet_extensions(zf, part)
                               for sheet, part in self.sheets.items()}
            self.controls = {sheet: self._vml_controls(zf, names, part)
                             for sheet, part in self.sheets.items()}

    def _walk(self, zf, names) -> set[str]:
        """Return the parts reachable through relationships from the package root."""
        # A part left in the zip with nothing pointing at it (openpyxl does
        # that with some macro parts) is as good as lost, so counting goes by
        # the relationship graph rather than by the zip listing.
        seen, todo = set(), [""]
        while todo:
            source = todo.pop()
            for _, _, target in self._relations(zf, names, source):
                if target in names and target not in seen:
                    seen.add(target)
                    todo.append(target)
        return seen

    def _relations(self, zf, names, source: str) -> list[tuple[str, str, str]]:
        """Return (id, type, target part) for each internal relationship of a part."""
        if source in self.rels:
            return self.rels[source]
        folder, base = posixpath.split(source)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        found = []
        if rels_name in names:
            for rel in SafeET.fromstring(zf.read(rels_name)).iter(f"{{{REL_NS}}}Relationship"):
                if rel.get("TargetMode") == "External":
                    continue
                # Targets are URIs, so a space in a part name arrives as %20.
                target = unquote(rel.get("Target", ""))
                if target.startswith("/"):
                    target = target[1:]
                else:
                    target = posixpath.normpath(posixpath.join(folder, target))
                found.append((rel.get("Id", ""), rel.get("Type", ""), target))
        self.rels[source] = found
        return found

    def _sheets(self, zf, names) -> dict[str, str]:
        """Map each worksheet's name to its part, via xl/workbook.xml and its rels."""
        book = next((target for _, kind, target in self._relations(zf, names, "")
                     if kind.endswith("/officeDocument")), None)
        if book not in names:
            return {}
        targets = {rel_id: target for rel_id, _, target in self._relations(zf, names, book)}
        sheets = {}
        for sheet in SafeET.fromstring(zf.read(book)).iter(f"{{{MAIN_NS}}}sheet"):
            part = targets.get(sheet.get(f"{{{DOC_REL_NS}}}id"))
            if part in names:
                sheets[sheet.get("name")] = part
        return sheets

    def _vml_controls(self, zf, names, sheet_part: str) -> Counter:
        """Count the non-comment VML shapes (form controls) a sheet's drawings hold."""
        counts = Counter()
        for _, kind, target in self._relations(zf, names, sheet_part):
            if kind.endswith("/vmlDrawing") and target in names:
                for object_type in CLIENT_DATA.findall(zf.read(target)):
                    object_type = object_type.decode("ascii", "replace")
                    if object_type != "Note":
                        counts[object_type] += 1
        return counts

    def by_type(self) -> dict[str, list[str]]:
        """Group the reachable parts that matter by content type."""
        groups = defaultdict(list)
        for part in sorted(self.reachable):
            kind = self.types.get(part, "")
            if kind in IGNORED_TYPES or part.startswith(("xl/printerSettings/",
                                                         "docProps/thumbnail")):
                continue
            if kind in WORKBOOK_TYPES:
                kind = "workbook"
            groups[kind].append(part)
        return groups


def _content_types(zf, names) -> dict[str, str]:
    """Resolve every part's content type from [Content_Types].xml."""
    root = SafeET.fromstring(zf.read("[Content_Types].xml"))
    defaults = {d.get("Extension", "").lower(): d.get("ContentType", "")
                for d in root.iter(f"{{{CT_NS}}}Default")}
    overrides = {o.get("PartName", "").lstrip("/").lower(): o.get("ContentType", "")
                 for o in root.iter(f"{{{CT_NS}}}Override")}
    types = {}
    for name in names:
        extension = posixpath.splitext(name)[1][1:].lower()
        types[name] = overrides.get(name.lower(), defaults.get(extension, ""))
    return types


def _chunks(stream, size: int = 1 << 20):
    """Overlapping chunks, so a word split across two reads is still found."""
    tail = b""
    while True:
        block = stream.read(size)
        if not block:
            return
        yield tail + block
        tail = block[-16:]


def _sheet_extensions(zf, part: str) -> dict[str, str]:
    """Return {uri: label} for the <ext> entries of a worksheet's own <extLst>."""
    # The sheet is streamed, because sheet data can be large; only the direct
    # children of <worksheet> are looked at, not the extLst of a single rule.
    found, prefixes, depth, inside = {}, {}, 0, False
    with zf.open(part) as stream:
        # Most sheets have no extensions at all: a byte scan (fast) settles that.
        if not any(b"extLst" in chunk for chunk in _chunks(stream)):
            return found
    with zf.open(part) as stream:
        for event, item in SafeET.iterparse(stream, events=("start", "end", "start-ns")):
            if event == "start-ns":
                prefix, uri = item
                prefixes.setdefault(uri, prefix)
                continue
            if event == "start":
                depth += 1
                if depth == 2 and item.tag.endswith("}extLst"):
                    inside = True
                continue
            depth -= 1
            if depth == 1 and inside:
                for ext in item:
                    uri = ext.get("uri", "")
                    child = next(iter(ext), None)
                    found[uri] = _element_label(child, prefixes) if child is not None else uri
                inside = False
            if not inside and depth >= 1:
                item.clear()
    return found


def _element_label(element, prefixes: dict[str, str]) -> str:
    """Show an element's tag the way it appears in the file, e.g. <x14:sparklineGroups>."""
    namespace, _, local = element.tag[1:].partition("}")
    prefix = prefixes.get(namespace) or KNOWN_PREFIXES.get(namespace)
    return f"<{prefix}:{local}>" if prefix else f"<{local}>"


def _describe(part: str, kind: str) -> str:
    """Name a lost part together with what it means to the user."""
    label = TYPE_LABELS.get(kind)
    if label is None:
        label = next((text for start, text in PATH_LABELS if part.startswith(start)), None)
    return f"{part} ({label or kind or 'unknown content'})"


def _plural(noun: str, count: int) -> str:
    """Put a count in front of a noun, adding the English plural ending."""
    if count == 1:
        return f"1 {noun}"
    return f"{count} {noun}{'es' if noun.endswith(('x', 's')) else 's'}"


def lost_parts(original_path, new_path) -> list[str]:
    """List what the package at new_path lacks compared with original_path.

    Parts are compared by content type, because openpyxl renames and
    renumbers the parts it does keep. Each worksheet's extension list and the
    form controls in its legacy VML drawing are compared as well.
    """
    try:
        old = _Package(original_path)
    except (DefusedXmlException, ParseError, KeyError, zipfile.BadZipFile) as exc:
        name = os.path.basename(os.fspath(original_path))
        raise Unreadable(original_path, f"{name} cannot be checked before saving: a part of its package is "
                                        f"not valid ({type(exc).__name__}); open it in Excel and save it again, "
                                        "or write a copy with --out") from None
    new = _Package(new_path)
    lost = []
    old_groups, new_groups = old.by_type(), new.by_type()
    for kind, parts in sorted(old_groups.items()):
        kept = new_groups.get(kind, [])
        missing = len(parts) - len(kept)
        if missing > 0:
            # Parts that kept their name are the ones still there.
            gone = [p for p in parts if p not in kept] or parts
            lost.extend(_describe(p, kind) for p in gone[:missing])
    for sheet in old.sheets:
        new_ext = new.extensions.get(sheet, {})
        for uri, label in old.extensions[sheet].items():
            if uri not in new_ext:
                lost.append(f"sheet '{sheet}': extension {label} (extLst)")
        new_controls = new.controls.get(sheet, Counter())
        for object_type, count in sorted(old.controls[sheet].items()):
            missing = count - new_controls.get(object_type, 0)
            if missing > 0:
                noun = CONTROL_NAMES.get(object_type, f"{object_type} control")
                lost.append(f"sheet '{sheet}': {_plural(noun, missing)} "
                            "(form control in the legacy VML drawing)")
    return lost


def remove_stale_temps(folder: str) -> None:
    """Remove temporary files of ours that a killed run left in folder (untouched for STALE_AFTER)."""
    # Only names of our own pattern go, and only old ones: a live run in the same
    # folder (another workbook, an export) is still writing its file. This is
    # housekeeping: a file that cannot be removed is left alone.
    now = time.time()
    try:
        entries = list(os.scandir(folder or "."))
    except OSError:
        return
    for entry in entries:
        if not TEMP_NAME.fullmatch(entry.name):
            continue
        try:
            stale = entry.is_file(follow_symlinks=False) and now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER
        except OSError:
            continue
        if stale:
            _remove_quietly(entry.path)


def _temp_path(target: str) -> str:
    """Create an empty temporary file beside target and return its path."""
    folder = os.path.dirname(target) or "."
    suffix = os.path.splitext(target)[1]
    while True:
        path = os.path.join(folder, f"{TEMP_PREFIX}{secrets.token_hex(6)}{suffix}")
        try:
            # Mode 0o666 lets the umask decide, as for any new file the user saves.
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return path
        except FileExistsError:
            continue


def _fsync_file(path: str) -> None:
    """Flush a file's data to disk."""
    # Windows can only flush a handle opened for writing.
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: str) -> None:
    """Flush a folder entry on systems that allow it, so a rename survives a crash."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder or ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_quietly(path: str) -> None:
    """Remove a file of ours if it is there; failing to is no reason to fail the run."""
    try:
        os.remove(path)
    except OSError:
        pass


def _remove_temp(temp: str) -> None:
    """Remove a temporary file and any file a writer derived from its name (temp + '.sharing')."""
    folder, base = os.path.split(temp)
    try:
        names = [n for n in os.listdir(folder or ".") if n.startswith(base)]
    except OSError:
        names = [base]
    for name in names:
        _remove_quietly(os.path.join(folder, name))


FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
NO_PERMISSION = {errno.EACCES, errno.EPERM}


def disk_problem(exc: OSError, shown: str, stage: str) -> DiskProblem:
    """One line for a failed write of shown (the target as the user named it).

    stage is "folder" (creating the temporary file), "write" (filling it) or
    "replace" (moving it over the target)."""
    folder = os.path.dirname(os.path.abspath(shown))
    code = exc.errno
    if code in FULL:
        why = f"the disk is full (no space left in {folder}); free some space and run again"
    elif code == errno.EROFS:
        why = f"the folder {folder} is on a read-only disk; choose a folder you can write to"
    elif code in (errno.ENOENT, errno.ENOTDIR) and stage == "folder" and not os.path.isdir(folder):
        why = f"the folder {folder} does not exist; create it, or choose another folder"
    elif code in NO_PERMISSION and stage == "folder":
        why = (f"you have no permission to write in the folder {folder}; choose a folder you can write "
               "to, or ask for write access")
    elif code in NO_PERMISSION and stage == "replace":
        why = "permission denied (is it read-only, or open in another program?); close it, or write to another file"
    elif code in (errno.EXDEV, errno.EBUSY) and stage == "replace":
        why = ("it is mounted apart from its folder (another file system), so it cannot be replaced in one "
               "step; write to another file, then move it")
    elif code == errno.EISDIR:
        why = "it is a folder; give a file name"
    elif code == errno.ENAMETOOLONG:
        why = "the name is too long; choose a shorter name or folder"
    else:
        why = exc.strerror or str(exc) or type(exc).__name__
    return DiskProblem(shown, f"Cannot write {shown}: {why}. Nothing was changed.")


def atomic_save(write, target) -> None:
    """Call write(temp_path), then move the finished file over target atomically.

    The temporary file sits in target's folder so the final rename never
    crosses file systems. If anything fails, the temporary file is removed
    and target is left exactly as it was; an OSError becomes one DiskProblem.
    """
    shown = os.fspath(target)
    # A symbolic link stays a link: the file it points to is replaced.
    target = os.path.realpath(shown)
    if os.path.isdir(target):
        raise disk_problem(IsADirectoryError(errno.EISDIR, "Is a directory"), shown, "replace")
    if os.path.exists(target) and not os.stat(target).st_mode & 0o222:
        # A read-only file (no write permission for anyone; the read-only attribute on Windows):
        # Excel does not save over it either, though its folder would allow the rename.
        raise DiskProblem(shown, f"Cannot write {shown}: the file is read-only; clear its read-only "
                                 "attribute, or write to another file. Nothing was changed.")
    remove_stale_temps(os.path.dirname(target))
    try:
        temp = _temp_path(target)
    except OSError as exc:
        raise disk_problem(exc, shown, "folder") from None
    stage = "write"
    try:
        write(temp)
        _fsync_file(temp)
        try:
            # The new file keeps the old one's permissions, where the file system allows it.
            os.chmod(temp, stat.S_IMODE(os.stat(target).st_mode))
        except OSError:
            pass
        stage = "replace"
        os.replace(temp, target)
    except BaseException as exc:
        _remove_temp(temp)
        if isinstance(exc, OSError):
            raise disk_problem(exc, shown, stage) from None
        raise
    _fsync_folder(os.path.dirname(target))


class Staged:
    """A file written in full beside its target, not yet in place: commit() moves it there,
    discard() removes it. Several outputs of one run are staged first and committed
    together, so a run that fails writes none of them."""

    def __init__(self, temp: str, target: str, shown: str):
        self.temp, self.target, self.shown = temp, target, shown

    def commit(self) -> None:
        try:
            os.replace(self.temp, self.target)
        except OSError as exc:
            _remove_temp(self.temp)
            raise disk_problem(exc, self.shown, "replace") from None
        _fsync_folder(os.path.dirname(self.target))

    def discard(self) -> None:
        _remove_temp(self.temp)


def stage(data: bytes, target) -> Staged:
    """Write data to a temporary file beside target (target unchanged); DiskProblem on failure."""
    shown = os.fspath(target)
    target = os.path.realpath(shown)
    if os.path.isdir(target):
        raise disk_problem(IsADirectoryError(errno.EISDIR, "Is a directory"), shown, "replace")
    remove_stale_temps(os.path.dirname(target))
    try:
        temp = _temp_path(target)
    except OSError as exc:
        raise disk_problem(exc, shown, "folder") from None
    try:
        with open(temp, "wb") as f:
            f.write(data)
        _fsync_file(temp)
    except BaseException as exc:
        _remove_temp(temp)
        if isinstance(exc, OSError):
            raise disk_problem(exc, shown, "write") from None
        raise
    return Staged(temp, target, shown)


def _same_file(a, b) -> bool:
    """Tell whether two paths name the same existing file."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


MACRO_SUFFIXES = {".xlsm", ".xltm"}


def name_problem(target) -> str | None:
    """Why a workbook must not be written under target's name (not a workbook extension), or None."""
    name = os.path.basename(os.fspath(target))
    suffix = os.path.splitext(name)[1].lower()
    if suffix in WORKBOOK_SUFFIXES:
        return None
    return (f"{name}: Lead Score writes an Excel workbook, so the name must end in .xlsx, .xlsm, .xltx or "
            f".xltm; choose a name such as {os.path.splitext(name)[0]}.xlsx (for the tasks as CSV, use "
            "leadscore tasks BOOK --csv FILE)")


def kind_mismatch(package, target) -> str | None:
    """Why Excel would refuse to open package under target's name, or None.

    A workbook needs a workbook extension (name_problem). And Excel opens a file
    only when its extension agrees with its workbook part's content type: a
    macro-enabled workbook in a .xlsx file, or a plain one in a .xlsm file, is
    refused as "file format or extension not valid".
    """
    problem = name_problem(target)
    if problem:
        return problem
    suffix = os.path.splitext(os.fspath(target))[1].lower()
    with zipfile.ZipFile(package) as zf:
        names = set(zf.namelist())
        types = _content_types(zf, names)
        rels = SafeET.fromstring(zf.read("_rels/.rels")) if "_rels/.rels" in names else None
    book = next((r.get("Target", "").lstrip("/") for r in ([] if rels is None else rels)
                 if r.get("Type", "").endswith("/officeDocument")), None)
    macro = "macroEnabled" in types.get(book, "")
    name = os.path.basename(os.fspath(target))
    stem = os.path.splitext(name)[0]
    if macro and suffix not in MACRO_SUFFIXES:
        return (f"{name}: the workbook holds macros (VBA), which a {suffix} file cannot hold "
                f"(Excel would not open it); write to {stem}.xlsm instead")
    if not macro and suffix in MACRO_SUFFIXES:
        return (f"{name}: the workbook has no macros, so Excel would not open it as {suffix}; "
                f"write to {stem}.xlsx instead")
    return None


def safe_save(save_fn, path, out=None, verify=None) -> list[str]:
    """Save a workbook with save_fn(temp_path), in place at path or as a copy at out.

    In place, the save is refused (nothing changes) if Excel has the file open
    or if the new workbook would lack anything the original has. With out, the
    copy is written and the list of what it lacks is returned as a warning.
    Returns the list of lost parts; it is empty when nothing was lost.
    verify(temp_path), when given, replaces that comparison: it raises
    WriteRefused when the new file is not as it must be (the package backend's
    own, stricter check), and nothing is written.
    """
    path = os.fspath(path)
    in_place = out is None or _same_file(out, path)
    target = path if in_place else os.fspath(out)
    problem = None if in_place else name_problem(target)
    if problem:
        raise WriteRefused(problem)
    if in_place or os.path.exists(target):
        check_not_open(target)
    lost: list[str] = []

    def write(temp):
        save_fn(temp)
        mismatch = None if in_place else kind_mismatch(temp, target)
        if mismatch:
            raise WriteRefused(mismatch)
        if verify is not None:
            verify(temp)
        elif os.path.exists(path):
            lost.extend(lost_parts(path, temp))
        if lost and in_place:
            name = os.path.basename(path)
            suffix = os.path.splitext(path)[1] or ".xlsx"
            items = "\n".join(f"  - {item}" for item in lost)
            raise WriteRefused(
                f"{name} was not changed: saving it in place would remove what this "
                f"program cannot keep:\n{items}\n"
                f"Use --out OUT{suffix} to write a copy instead (the original keeps them).",
                lost)

    atomic_save(write, target)
    return lost


def _lock_path(path) -> str:
    """Our lock file for a workbook: beside the file itself (a symbolic link is followed)."""
    folder, name = os.path.split(os.path.realpath(os.fspath(path)))
    return os.path.join(folder, LOCK_PREFIX + name)


def _alive(pid: int) -> bool:
    """Whether a process of this host is still running (where that can be told safely)."""
    if os.name != "posix":
        # os.kill(pid, 0) would send Ctrl-C on Windows, so there a lock is never taken over:
        # the refusal tells the user which file to delete.
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # It exists but belongs to someone else.
    return True


def _holder(lock: str) -> dict | None:
    """What a lock file says about its run ({pid, host, started}), or None if it says nothing readable."""
    try:
        with open(lock, encoding="utf-8") as f:
            info = json.load(f)
        return info if isinstance(info, dict) and isinstance(info.get("pid"), int) else None
    except (OSError, ValueError):
        return None


def _refusal(path, lock: str, holder: dict | None) -> Locked:
    """The one line for a workbook another run holds: which run, since when, and what to do."""
    name = os.path.basename(os.fspath(path))
    who = "another Lead Score run"
    if holder:
        started = str(holder.get("started", ""))
        today = dt.date.today().isoformat()
        when = started[11:19] if started.startswith(today) else started[:16].replace("T", " ")
        host = holder.get("host")
        where = f" on {host}" if host and host != socket.gethostname() else ""
        who += f" (process {holder['pid']}{where}, started {when})"
    return Locked(path, f"{name} is being changed by {who}; wait for it to finish, or delete "
                        f"{lock} if no run is going")


def _take(path, lock: str, mine: dict) -> bool:
    """Create the lock file holding mine; False if no lock can be made in that folder.
    Raises Locked when another live run holds it."""
    for attempt in (1, 2):
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            holder = _holder(lock)
            stale = (holder is not None and holder.get("host") == mine["host"]
                     and holder["pid"] != mine["pid"] and not _alive(holder["pid"]))
            if attempt == 2 or not stale:
                raise _refusal(path, lock, holder) from None
            _remove_quietly(lock)  # Its run was killed: take the lock over.
            continue
        except OSError:
            # A read-only or missing folder: no other run can save there either,
            # and the save itself will say what is wrong with the folder.
            return False
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(mine, f)
        except OSError:
            # A full disk: the lock is given up, and the save will say the disk is full.
            _remove_quietly(lock)
            return False
        return True


@contextmanager
def run_lock(path):
    """Hold Lead Score's own lock on the workbook at path for a whole run (read, compute, save).

    The lock is a file beside the workbook, created atomically, holding the
    run's process id, host and start time. A second run on the same workbook
    is refused at once with Locked; a lock whose process is gone (on this host)
    is taken over. The lock is removed at the end, whatever happens.
    """
    lock = _lock_path(path)
    mine = {"pid": os.getpid(), "host": socket.gethostname(),
            "started": dt.datetime.now().isoformat(timespec="seconds")}
    held = _take(path, lock, mine)
    try:
        yield lock if held else None
    finally:
        # Only our own lock is removed (someone may have deleted it and another run taken it).
        if held and _holder(lock) == mine:
            _remove_quietly(lock)

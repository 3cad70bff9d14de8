"""Putting a changed package together: every member we did not change copied as it was.

`Edit` collects what a run changes in an opened Package: parts replaced (their new bytes),
parts added (with a content type), parts removed, sheets added or removed (with their
entries in the workbook part, its relationships, the content types and docProps/app.xml).
`Edit.write(path)` writes the new zip: members in the original's order, each unchanged one
with the same name, the same bytes once decompressed and the same compression; new
members after them.
"""
from __future__ import annotations

import posixpath
import zipfile

from .newparts import (CONTENT_TYPE, REL, app_xml_sheet_titles, content_types_add_override,
                       content_types_remove_override, rels_add, rels_remove, workbook_add_sheet,
                       workbook_remove_sheet)
from .overlap import WriteBehind
from .package import rels_part_of

CT_PART = "[Content_Types].xml"
APP_PART = "docProps/app.xml"
FAST = 1  # zlib level for the parts we write: about three times faster than the default 6, a few % bigger.


def relative(source_part: str, target_part: str) -> str:
    """The relationship target of target_part as seen from source_part's folder."""
    return posixpath.relpath(target_part, posixpath.dirname(source_part) or ".")


class Edit:
    """The changes a run makes to one package (see the module docstring)."""

    def __init__(self, package):
        self.package = package
        self.parts: dict[str, bytes] = {}  # Part name -> new bytes (replaced or added).
        self.added: list[str] = []  # Parts that are new, in the order they were added.
        self.removed: set[str] = set()

    # Reading the current state (with this edit's changes laid over the package).

    def read(self, part: str) -> bytes | None:
        if part in self.removed:
            return None
        if part in self.parts:
            data = self.parts[part]
            if callable(data):  # A streamed part, read whole only when asked.
                data = self.parts[part] = b"".join(data())
            return data
        return self.package.read(part) if part in self.package else None

    def exists(self, part: str) -> bool:
        if part in self.removed:
            return False
        return part in self.parts or part in self.package  # Without reading it (a sheet may be 1 GB).

    def put(self, part: str, data: bytes, content_type: str | None = None) -> None:
        """Replace a part, or add it (then content_type is its override in [Content_Types].xml)."""
        is_new = not self.exists(part)
        self.removed.discard(part)
        self.parts[part] = data
        if is_new:
            self.added.append(part)
            if content_type is not None:
                ct = self.read(CT_PART)
                self.parts[CT_PART] = content_types_add_override(ct, "/" + part, CONTENT_TYPE.get(
                    content_type, content_type))

    def put_stream(self, part: str, chunks) -> None:
        """Replace an existing part by the bytes chunks() yields when the package is written
        (a big sheet is never held whole)."""
        if not self.exists(part):
            raise KeyError(f"no part {part} to replace")
        self.parts[part] = chunks

    def remove(self, part: str) -> None:
        if not self.exists(part):
            return
        self.removed.add(part)
        self.parts.pop(part, None)
        if part in self.added:
            self.added.remove(part)
        ct = self.read(CT_PART)
        self.parts[CT_PART] = content_types_remove_override(ct, "/" + part)
        rels = rels_part_of(part)
        if self.exists(rels):
            self.remove(rels)

    def free_name(self, pattern: str) -> str:
        """The first part name 'xl/worksheets/sheet{}.xml' with a number no part has."""
        n = 1
        while self.exists(pattern.format(n)) or pattern.format(n) in self.removed:
            n += 1
        return pattern.format(n)

    def relate(self, source: str, kind: str, target_part: str) -> str:
        """Add a relationship from source to target_part; returns its id."""
        rels_name = rels_part_of(source)
        data, rel_id = rels_add(self.read(rels_name), kind, relative(source, target_part))
        self.put(rels_name, data)
        return rel_id

    def unrelate(self, source: str, rel_id: str) -> None:
        rels_name = rels_part_of(source)
        data = self.read(rels_name)
        if data is not None:
            self.put(rels_name, rels_remove(data, rel_id))

    # Sheets.

    def add_sheet(self, name: str, sheet_xml: bytes, index: int | None = None) -> str:
        """Add a worksheet part and its entry in the workbook (at index, else last); returns the part."""
        book = self.package.workbook_part
        part = self.free_name("xl/worksheets/sheet{}.xml")
        self.put(part, sheet_xml, "worksheet")
        rel_id = self.relate(book, "worksheet", part)
        self.put(book, workbook_add_sheet(self.read(book), name, rel_id, index=index))
        self._titles()
        return part

    def remove_sheet(self, name: str) -> int:
        """Remove a sheet (and every part only it uses: its rels' targets of ours); returns its index."""
        book = self.package.workbook_part
        data, rel_id, index = workbook_remove_sheet(self.read(book), name)
        self.put(book, data)
        part = next((r.target_part for r in self.package.rels(book) if r.id == rel_id), None)
        self.unrelate(book, rel_id)
        if part is not None:
            for rel in self.package.rels(part):
                if not rel.external and rel.kind in ("table", "drawing"):
                    for sub in self.package.rels(rel.target_part):
                        if not sub.external and sub.kind == "chart":
                            self.remove(sub.target_part)
                    self.remove(rel.target_part)
            self.remove(part)
        for added in list(self.added):  # A sheet added by this same edit.
            if added == part:
                self.added.remove(added)
        self._titles()
        return index

    def _titles(self) -> None:
        """docProps/app.xml lists the sheets' names: keep it in step."""
        app = self.read(APP_PART)
        if app is None:
            return
        from .newparts import sheet_names

        self.parts[APP_PART] = app_xml_sheet_titles(app, sheet_names(self.read(self.package.workbook_part)))

    # Writing.

    def write(self, path) -> None:
        """The new package at path (a temporary file of the caller's)."""
        src = self.package.zip
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as out:
            for info in src.infolist():
                name = info.filename
                if name in self.removed:
                    continue
                if name in self.parts:
                    data = self.parts[name]
                    like = _like(info)
                    if like.compress_type == zipfile.ZIP_DEFLATED:
                        like._compresslevel = FAST  # What we rewrite is compressed fast (the biggest part is a sheet).
                    if callable(data):
                        with out.open(like, "w", force_zip64=info.file_size > 1 << 30) as w:
                            behind = WriteBehind(w)  # Compressed by a thread while the next chunk is made.
                            try:
                                for chunk in data():
                                    behind.write(chunk)
                            except BaseException:
                                behind.abandon()
                                raise
                            behind.close()
                    else:
                        out.writestr(like, data)
                    continue
                with src.open(info) as reader, out.open(_like(info), "w", force_zip64=info.file_size > 1 << 31) as w:
                    while chunk := reader.read(1 << 20):
                        w.write(chunk)
            for name in self.added:
                if name not in self.removed:
                    out.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), self.parts[name],
                                 compress_type=zipfile.ZIP_DEFLATED, compresslevel=FAST)

    def let_go(self) -> None:
        """After write(): drop what streamed parts hold (a big sheet's old XML); they cannot be read again."""
        for name, data in self.parts.items():
            if callable(data):
                self.parts[name] = _gone

    @property
    def changed(self) -> set[str]:
        """Every part this edit replaced, added or removed."""
        return set(self.parts) | self.removed


def _gone():
    raise RuntimeError("this part was streamed into the written package and let go")


def _like(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A ZipInfo for a member written again: same name, time and compression."""
    new = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    new.compress_type = info.compress_type
    new.external_attr = info.external_attr
    new.create_system = info.create_system
    return new


__all__ = ["Edit", "REL", "relative"]

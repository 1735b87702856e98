"""What a sheet's raw XML says that cell values do not: merged ranges, formulas (and whether
Excel ever calculated them) and cells holding Excel error values.

Read in pieces from the zip, with patterns, so a large sheet costs little; the cell-by-cell
pass runs only on sheets that have formulas or error values at all. No third-party imports.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["SheetXml", "scan_sheet"]

_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_ERROR = re.compile(rb'\st="e"')
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_F = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_V = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
_MARKER = re.compile(rb'<(?:\w+:)?f[\s>/]|\st="e"')
#: A cell's start tag (<c ...>, <x:c ...>) or end tag: the tags a backward search stops at.
_TAG = re.compile(rb"<(/?)(?:\w+:)?c[\s>/]")


@dataclass
class SheetXml:
    """Merged ranges ("A2:A5"), formula cells (ref -> (formula, has a value)) and error cells
    (ref -> the error shown, e.g. "#REF!")."""

    merges: list[str] = field(default_factory=list)
    formulas: dict[str, tuple[str, bool]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _unescape(data: bytes) -> str:
    return (
        data.decode("utf-8", "replace")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def scan_sheet(path: Path, part: str | None) -> SheetXml:
    """Scan one sheet part of the workbook at `path` (nothing when it has no part)."""
    found = SheetXml()
    if not part:
        return found
    cells_needed = False
    tail = b""
    with zipfile.ZipFile(path) as archive, archive.open(part) as stream:
        while True:
            chunk = stream.read(1 << 20)
            if not chunk:
                break
            data = tail + chunk
            cells_needed = cells_needed or bool(_FORMULA.search(data) or _ERROR.search(data))
            found.merges.extend(m.decode() for m in _MERGE.findall(data))
            tail = data[-200:]
        if cells_needed:
            _cells(archive.read(part), found)
    found.merges = list(dict.fromkeys(found.merges))  # a match inside an overlap is found twice
    return found


def _cell_start(data: bytes, pos: int) -> int:
    """Where the cell element holding the byte at `pos` starts (-1 when it is in no cell)."""
    at = pos + 1
    for _ in range(64):  # a cell holds a few elements; a formula, a value, a rich text
        at = data.rfind(b"<", 0, at)
        if at < 0:
            return -1
        tag = _TAG.match(data, at)
        if tag is not None:
            return -1 if tag.group(1) else at
    return -1


def _cells(data: bytes, found: SheetXml) -> None:
    """The formula and error cells: only the cells around a formula or an error are parsed."""
    done = -1
    for marker in _MARKER.finditer(data):
        if marker.start() < done:
            continue
        start = _cell_start(data, marker.start())
        match = _CELL.match(data, start) if start >= 0 else None
        if match is None or match.end() <= marker.start():
            continue
        done = match.end()
        attributes, inner = match.group(1), match.group(2) or b""
        ref = _REF.search(attributes)
        if ref is None:
            continue
        cell = ref.group(1).decode()
        formula = _F.search(inner)
        value = _V.search(inner)
        if formula is not None:
            found.formulas[cell] = (_unescape(formula.group(1) or b""), value is not None and bool(value.group(1)))
        if b't="e"' in attributes and value is not None:
            found.errors[cell] = _unescape(value.group(1))

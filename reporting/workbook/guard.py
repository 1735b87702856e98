"""The hostile-file gate: refuse, with a plain message naming the file, anything that is not a
safe-to-open .xlsx, before any parser sees it.

Checked from the zip directory and the raw parts, without a spreadsheet library: the file exists
and is a zip (not an old .xls, not password-protected); its contents cannot expand past a size
(zip bombs); no member is encrypted or compressed in a way the readers do not know; the parts a
workbook needs are there; and no XML part declares a DTD or entities anywhere in it (Excel never
writes one; one in a workbook is there to expand entities or reach files). No third-party imports.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import InputFileError

__all__ = ["MAX_RATIO", "MAX_UNCOMPRESSED", "Package", "check_file", "custom_property", "one_line"]

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Refuse workbooks whose contents would expand beyond these sizes (zip bombs).
MAX_UNCOMPRESSED = 1024 * 2**20
MAX_RATIO = 500
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.I)
#: A text element (<t>, maybe prefixed) without attributes whose text starts or ends with a space.
_SPACED_TEXT = re.compile(rb"<(?:\w+:)?t>(?:[ \t\r\n][^<]*|[^<]*[ \t\r\n])</(?:\w+:)?t>")
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_DOC_RELS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_READABLE = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


@dataclass(frozen=True)
class Package:
    """What the gate learned of a workbook: each sheet's name, visibility and XML part."""

    path: Path
    sheets: tuple[tuple[str, str, str], ...]  # (name, state, part name)
    #: Text runs with spaces at an end and no xml:space="preserve" (which Excel would write):
    #: read as written only from a copy that says "preserve" (values.open_workbook).
    spaced_text: bool = False

    def part(self, sheet: str) -> str | None:
        return next((part for name, _, part in self.sheets if name == sheet), None)

    def state(self, sheet: str) -> str:
        return next((state for name, state, _ in self.sheets if name == sheet), "visible")


def one_line(exc: BaseException, limit: int = 160) -> str:
    """An exception as a short, one-line explanation for a message."""
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


#: A text property, however its value element is written (openpyxl declares the vt namespace on it).
_CUSTOM = re.compile(
    rb'<(?:\w+:)?property\b[^>]*\bname="([^"]*)"[^>]*>\s*<(?:\w+:)?lpwstr\b[^>]*>([^<]*)</(?:\w+:)?lpwstr>'
)
#: Custom properties are a few hundred bytes; more is not read.
_CUSTOM_LIMIT = 64 * 1024


def custom_property(path: Path, name: str) -> str | None:
    """A text custom document property of a workbook, without opening it as a workbook (None
    when the file is not a readable zip, has no such property, or its part is unusually big)."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("docProps/custom.xml")
            if info.file_size > _CUSTOM_LIMIT or info.compress_type not in _READABLE:
                return None
            data = archive.read(info)
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error, ValueError):
        return None
    for key, value in _CUSTOM.findall(data):
        if key.decode("utf-8", "replace") == name:
            return value.decode("utf-8", "replace")
    return None


def _damaged(path: Path, exc: BaseException) -> InputFileError:
    return InputFileError(
        f"{path}: is damaged or cut short and cannot be opened ({one_line(exc)}).",
        "Open it in Excel or LibreOffice and save it again, or ask for a fresh copy.",
    )


#: Workbooks found safe, by (path, size, modification time): one check reads a workbook several
#: times (what it is, its headers, its rows), and the gate need not unpack it each time.
_PASSED: dict[tuple[str, int, int], Package] = {}


def check_file(path: Path) -> Package:
    """Refuse, with a plain message, anything that is not a safe-to-open .xlsx."""
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    except OSError:
        key = None
    if key is not None and key in _PASSED:
        return _PASSED[key]
    package = _check_file(path)
    if key is not None:
        if len(_PASSED) >= 64:
            _PASSED.clear()
        _PASSED[key] = package
    return package


def _check_file(path: Path) -> Package:
    if not path.exists():
        raise InputFileError(f"{path}: no such file.", "Check the path and the file name.")
    if path.is_dir():
        raise InputFileError(f"{path}: is a folder, not a workbook.")
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror}).") from None
    if not head:
        raise InputFileError(f"{path}: is empty (0 bytes).", "Save the workbook again from Excel.")
    if head == _OLE2_MAGIC:
        raise InputFileError(
            f"{path}: is an old-style Excel 97-2003 file (.xls) or a password-protected workbook.",
            "Open it in Excel or LibreOffice, remove any password, and save it as an Excel Workbook (.xlsx).",
        )
    if not head.startswith(b"PK"):
        raise InputFileError(
            f"{path}: is not an Excel workbook (.xlsx).",
            "Save the file from Excel or LibreOffice as an Excel Workbook (.xlsx).",
        )
    try:
        with zipfile.ZipFile(path) as archive:
            return _check_archive(path, archive)
    except InputFileError:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        RuntimeError,
        NotImplementedError,
        ET.ParseError,
        KeyError,
    ) as exc:
        raise _damaged(path, exc) from None


def _check_archive(path: Path, archive: zipfile.ZipFile) -> Package:
    members = archive.infolist()
    total = sum(m.file_size for m in members)
    # Highly repetitive text compresses well, so the ratio only counts for big members.
    worst = max((m.file_size / max(m.compress_size, 1) for m in members if m.file_size > 32 * 2**20), default=0)
    if total > MAX_UNCOMPRESSED or worst > MAX_RATIO:
        raise InputFileError(
            f"{path}: would expand to {total / 2**20:,.0f} MB when opened; refusing to read it.",
            "Real outcome workbooks are far smaller. Check where the file came from.",
        )
    for member in members:
        if member.flag_bits & 0x1:
            raise InputFileError(
                f"{path}: has an encrypted part ({member.filename}), so it cannot be read.",
                "Remove the password in Excel (File > Info > Protect Workbook) and save again.",
            )
        if member.compress_type not in _READABLE:
            raise InputFileError(
                f"{path}: has a part compressed in a way Excel does not write ({member.filename}); "
                "refusing to read it.",
                "Open it in Excel or LibreOffice and save it again.",
            )
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        raise InputFileError(
            f"{path}: is a zip file but not an Excel workbook (it has no xl/workbook.xml).",
            "Save the file from Excel or LibreOffice as an Excel Workbook (.xlsx).",
        )
    if "[Content_Types].xml" not in names:
        raise _damaged(path, ValueError("it has no [Content_Types].xml"))
    spaced = False
    for member in members:
        if member.filename.endswith((".xml", ".rels")):
            spaced = _refuse_dtd(path, archive, member) or spaced
    try:
        ET.fromstring(archive.read("[Content_Types].xml"))
    except ET.ParseError as exc:
        raise _damaged(path, ValueError(f"its [Content_Types].xml is not well-formed: {exc}")) from None
    return Package(path, tuple(_sheets(path, archive, names)), spaced)


def _refuse_dtd(path: Path, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """A DTD or entity anywhere in an XML part (read in pieces, overlapping so none is missed).
    True when a text part holds a run of text with spaces at an end, not marked "preserve"."""
    tail = b""
    text = member.filename == "xl/sharedStrings.xml" or member.filename.startswith("xl/worksheets/")
    spaced = False
    with archive.open(member) as stream:
        while True:
            chunk = stream.read(1 << 20)
            if not chunk:
                return spaced
            spaced = spaced or (text and _SPACED_TEXT.search(tail + chunk) is not None)
            if _DTD.search(tail + chunk):
                raise InputFileError(
                    f"{path}: contains XML entity declarations ({member.filename}), which Excel never writes; "
                    "refusing to read it.",
                    "Check where the file came from; re-save it from Excel if it is genuine.",
                )
            tail = chunk[-256:]


def _sheets(path: Path, archive: zipfile.ZipFile, names: set[str]) -> list[tuple[str, str, str]]:
    """(name, state, part) of every sheet, from the workbook part and its relationships."""
    book = ET.fromstring(archive.read("xl/workbook.xml"))
    rels: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for rel in ET.fromstring(archive.read("xl/_rels/workbook.xml.rels")).iter(f"{{{_PACKAGE_RELS}}}Relationship"):
            target = rel.get("Target", "")
            part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            rels[rel.get("Id", "")] = part
    sheets = []
    for namespace in (_MAIN, _STRICT):
        for sheet in book.iter(f"{{{namespace}}}sheet"):
            rid = next((sheet.get(f"{{{ns}}}id") for ns in _DOC_RELS if sheet.get(f"{{{ns}}}id")), "")
            part = rels.get(rid or "", "")
            if part and part.startswith("xl/worksheets/") and part not in names:
                raise InputFileError(
                    f"{path}: is damaged: the sheet part {part} is missing.",
                    "Open it in Excel or LibreOffice and save it again, or ask for a fresh copy.",
                )
            sheets.append((sheet.get("name", ""), sheet.get("state", "visible"), part))
    return sheets

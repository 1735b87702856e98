"""A corpus of broken and hostile input files, made by generators (nothing binary is committed).

Each case builds one file in a folder and says what the tool must do with it: refuse it with
one clear message naming the file (exit 3), report findings (exit 1), or read it with
warnings (exit 0). `raw_xlsx` writes SpreadsheetML by hand so that cases can hold what Excel
writers refuse to produce: error values, uncalculated formulas, control characters, entity
tricks, lying dimensions.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

ENGAGEMENT_HEADERS = [
    "Description",
    "Form Of Engagement Activity",
    "Part Of Official Scheme?",
    "Geographic Reach",
    "Primary Audience",
    "Results and Impact",
    "Year(s) Of Engagement Activity",
]
GOOD_ROW = ["A talk", "A talk or presentation", "No", "Local", "Schools", "It went well", "2019"]


class Raw(str):
    """A cell given as raw XML (inside <c>), for values no writer would produce."""


@dataclass
class Formula:
    text: str
    cached: str | None = None


@dataclass
class Error:
    code: str


def _col(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def _cell(ref: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, Raw):
        return f'<c r="{ref}"{value}</c>'
    if isinstance(value, Formula):
        cached = f"<v>{escape(value.cached)}</v>" if value.cached is not None else ""
        kind = ' t="str"' if value.cached is not None and not value.cached.replace(".", "").isdigit() else ""
        return f'<c r="{ref}"{kind}><f>{escape(value.text)}</f>{cached}</c>'
    if isinstance(value, Error):
        return f'<c r="{ref}" t="e"><v>{value.code}</v></c>'
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def sheet_xml(rows: list[list], merges: list[str] = (), dimension: str | None = None, prolog: str = "") -> str:
    body = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(_cell(f"{_col(c)}{r}", v) for c, v in enumerate(row))
        body.append(f'<row r="{r}">{cells}</row>')
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    merge = ""
    if merges:
        merge = (
            f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges) + "</mergeCells>"
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dim}<sheetData>{''.join(body)}</sheetData>{merge}</worksheet>"
    )


def raw_xlsx(
    path: Path,
    sheets: dict[str, str],
    workbook_prolog: str = "",
    extra: dict[str, bytes] | None = None,
    drop: set[str] = frozenset(),
) -> Path:
    """Write a minimal .xlsx whose sheets are the given XML strings."""
    names = list(sheets)
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                for i in range(1, len(names) + 1)
            )
            + "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?>{workbook_prolog}'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            + "".join(f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1))
            + "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, len(names) + 1)
            )
            + f'<Relationship Id="rId{len(names) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<fonts count="1"><font/></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>'
            '<cellXfs count="1"><xf/></cellXfs></styleSheet>'
        ),
    }
    for i, name in enumerate(names, 1):
        parts[f"xl/worksheets/sheet{i}.xml"] = sheets[name]
    parts.update(extra or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            if name not in drop:
                archive.writestr(name, data)
    return path


def engagement(
    path: Path,
    rows: list[list],
    headers: list[str] = ENGAGEMENT_HEADERS,
    sheet: str = "Engagement Activities",
    **kwargs,
) -> Path:
    award = sheet_xml([["Title", "Award Reference"], ["Bad files", "BF/1"]])
    return raw_xlsx(path, {"Award": award, sheet: sheet_xml([headers] + rows, **kwargs)})


def _valid_bytes(tmp: Path) -> bytes:
    return engagement(tmp / "valid.xlsx", [GOOD_ROW] * 40).read_bytes()


BOMB_PROLOG = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
)
XXE_PROLOG = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


@dataclass
class Case:
    name: str
    make: Callable[[Path], Path]
    exit: int
    expect: str = ""  # text in the output (exit 3) or a finding code (exit 0/1)
    reaches_output: list[str] = field(default_factory=list)


def _write(name: str, data: bytes) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        path = tmp / name
        path.write_bytes(data)
        return path

    return make


def _truncated(tmp: Path) -> Path:
    data = _valid_bytes(tmp)
    path = tmp / "truncated.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def _corrupted(tmp: Path) -> Path:
    data = bytearray(_valid_bytes(tmp))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet2.xml")
    start = info.header_offset + 30 + len(info.filename) + 10
    for i in range(start, start + 40):
        data[i] ^= 0x5A
    path = tmp / "corrupted.xlsx"
    path.write_bytes(bytes(data))
    return path


def _zip_not_xlsx(tmp: Path) -> Path:
    path = tmp / "photos.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return path


def _zip_bomb(tmp: Path) -> Path:
    path = tmp / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 * 2**20))
    return path


def _zip_claims_huge(tmp: Path) -> Path:
    """A zip whose directory says a member expands to ~4 GB (its size field patched)."""
    data = bytearray(_valid_bytes(tmp))
    target = b"xl/worksheets/sheet2.xml"
    index = data.find(b"PK\x01\x02")
    while index >= 0:
        name_len = int.from_bytes(data[index + 28 : index + 30], "little")
        if data[index + 46 : index + 46 + name_len] == target:
            data[index + 24 : index + 28] = (0xFFFFFFF0).to_bytes(4, "little")
        index = data.find(b"PK\x01\x02", index + 4)
    path = tmp / "huge.xlsx"
    path.write_bytes(bytes(data))
    return path


def _with_sheets(name: str, **sheets: str) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        return raw_xlsx(tmp / name, dict(sheets))

    return make


def _engagement_case(
    name: str, rows=None, headers=ENGAGEMENT_HEADERS, sheet="Engagement Activities", **kwargs
) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        return engagement(tmp / name, rows if rows is not None else [GOOD_ROW], headers, sheet, **kwargs)

    return make


def _row(**changes) -> list:
    row = list(GOOD_ROW)
    for label, value in changes.items():
        row[ENGAGEMENT_HEADERS.index(label.replace("_", " "))] = value
    return row


CASES: list[Case] = [
    # -- refused: one clear message naming the file, exit 3 -------------------------------
    Case("text-file-named-xlsx", _write("notes.xlsx", b"Title,Year\nA,2019\n"), 3, "not an Excel workbook"),
    Case("empty-file", _write("empty.xlsx", b""), 3, "is empty"),
    Case("old-xls", _write("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000), 3, "Excel 97-2003"),
    Case(
        "password-protected",
        _write(
            "locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512 + "EncryptedPackage".encode("utf-16-le")
        ),
        3,
        "password-protected",
    ),
    Case("truncated-zip", _truncated, 3, "damaged or cut short"),
    Case("corrupted-zip", _corrupted, 3, "damaged"),
    Case("zip-but-not-workbook", _zip_not_xlsx, 3, "not an Excel workbook"),
    Case("zip-bomb", _zip_bomb, 3, "would expand"),
    Case("zip-claims-huge-size", _zip_claims_huge, 3, "would expand"),
    Case(
        "xml-entity-bomb-in-sheet",
        _with_sheets(
            "lol.xlsx",
            **{
                "Engagement Activities": sheet_xml(
                    [ENGAGEMENT_HEADERS, [Raw(' t="inlineStr"><is><t>&lol4;</t></is>')]], prolog=BOMB_PROLOG
                )
            },
        ),
        3,
        "entity declarations",
    ),
    Case(
        "xml-external-entity",
        _with_sheets(
            "xxe.xlsx",
            **{
                "Engagement Activities": sheet_xml(
                    [ENGAGEMENT_HEADERS, [Raw(' t="inlineStr"><is><t>&xxe;</t></is>')]], prolog=XXE_PROLOG
                )
            },
        ),
        3,
        "entity declarations",
    ),
    Case(
        "entity-bomb-in-workbook-xml",
        lambda tmp: raw_xlsx(tmp / "wb.xlsx", {"Award": sheet_xml([["Title"], ["x"]])}, workbook_prolog=BOMB_PROLOG),
        3,
        "entity declarations",
    ),
    Case(
        "malformed-sheet-xml",
        _with_sheets("broken.xlsx", **{"Engagement Activities": "<worksheet><sheetData><row>"}),
        3,
        "cannot",
    ),
    Case(
        "missing-sheet-part",
        lambda tmp: raw_xlsx(
            tmp / "hole.xlsx",
            {"Engagement Activities": sheet_xml([ENGAGEMENT_HEADERS])},
            drop={"xl/worksheets/sheet1.xml"},
        ),
        3,
        "missing",
    ),
    # A broken styles part hides no data: the values are read (formats do not matter here).
    Case(
        "broken-styles-part",
        lambda tmp: raw_xlsx(
            tmp / "styles.xlsx",
            {"Award": sheet_xml([["Title"], ["x"]])},
            extra={
                "xl/styles.xml": b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fills count="1"><fill/></fills></styleSheet>'
            },
        ),
        0,
        "",
    ),
    Case("missing-file", lambda tmp: tmp / "nowhere.xlsx", 3, "no such file"),
    # -- findings: exit 1 ------------------------------------------------------------------
    Case("empty-workbook", _with_sheets("blank.xlsx", Sheet1=sheet_xml([])), 1, "no-sheets"),
    Case("renamed-section-sheet", _engagement_case("renamed.xlsx", sheet="Outreach log"), 1, "unknown-sheet"),
    Case(
        "missing-required-column",
        _engagement_case("nocol.xlsx", rows=[GOOD_ROW[:3]], headers=ENGAGEMENT_HEADERS[:3]),
        1,
        "missing-column",
    ),
    Case(
        "cell-over-limit",
        _engagement_case("long.xlsx", rows=[_row(Results_and_Impact="word " * 250_000)]),
        1,
        "too-long",
    ),
    Case(
        "error-value-cell", _engagement_case("ref.xlsx", rows=[_row(Geographic_Reach=Error("#REF!"))]), 1, "error-cell"
    ),
    Case(
        "formula-never-calculated",
        _engagement_case("calc.xlsx", rows=[_row(Description=Formula('"A"&"B"'))]),
        1,
        "formula-no-value",
    ),
    Case(
        "data-without-header", _engagement_case("nohead.xlsx", rows=[GOOD_ROW], headers=["a", "b", "c"]), 1, "no-header"
    ),
    Case(
        "bad-values",
        _engagement_case(
            "values.xlsx", rows=[_row(Geographic_Reach="Regionall", **{"Year(s)_Of_Engagement_Activity": "twenty"})]
        ),
        1,
        "not-in-list",
    ),
    Case("duplicate-rows", _engagement_case("dupes.xlsx", rows=[GOOD_ROW, GOOD_ROW]), 1, "duplicate-entry"),
    # -- read, with warnings where due: exit 0 ---------------------------------------------
    Case(
        "control-characters",
        _engagement_case(
            "ctrl.xlsx", rows=[_row(Description=Raw(' t="inlineStr"><is><t>A _x0007_bell and _x001B_escape</t></is>'))]
        ),
        0,
        "control-character",
        ["A bell and escape"],
    ),
    Case(
        "right-to-left-and-emoji",
        _engagement_case("rtl.xlsx", rows=[_row(Description="שלום עולם 😀 مرحبا")]),
        0,
        "",
        ["שלום עולם 😀 مرحبا"],
    ),
    Case(
        "formula-with-cached-value",
        _engagement_case("cached.xlsx", rows=[_row(Description=Formula('"Talk "&"one"', "Talk one"))]),
        0,
        "formula",
        ["Talk one"],
    ),
    Case(
        "merged-cells",
        _engagement_case(
            "merged.xlsx",
            rows=[GOOD_ROW, _row(Description="Second", **{"Year(s)_Of_Engagement_Activity": None})],
            merges=["G2:G3"],
        ),
        0,
        "merged-cells",
        ["Second"],
    ),
    Case(
        "headers-odd-case-star-and-order",
        _engagement_case(
            "headers.xlsx",
            rows=[list(reversed(GOOD_ROW))],
            headers=[f"  {h.upper()} *" for h in reversed(ENGAGEMENT_HEADERS)],
        ),
        0,
        "",
        ["It went well"],
    ),
    Case(
        "unknown-extra-column",
        _engagement_case("extra.xlsx", rows=[GOOD_ROW + ["keep me"]], headers=ENGAGEMENT_HEADERS + ["Officer notes"]),
        0,
        "unknown-column",
        ["keep me"],
    ),
    Case(
        "numbers-and-serial-dates",
        lambda tmp: raw_xlsx(
            tmp / "numbers.xlsx",
            {
                "Award": sheet_xml([["Title", "Start"], ["Numbers", 42370]]),
                "Engagement Activities": sheet_xml([ENGAGEMENT_HEADERS, GOOD_ROW[:6] + [2019]]),
                "Further Funding": sheet_xml(
                    [
                        ["Description", "Amount", "Organisation", "Start", "End"],
                        ["Grant", "53,886", "ESRC", 43282, "07/2019"],
                    ]
                ),
            },
        ),
        0,
        "",
        ["£53,886", "July 2018", "1 January 2016"],
    ),
    Case("blank-rows-and-title-rows", _engagement_case("gaps.xlsx", rows=[[], [], GOOD_ROW, [], [" ", None]]), 0, ""),
    Case(
        "lying-dimension",
        _engagement_case("dimension.xlsx", rows=[GOOD_ROW, _row(Description="Row three")], dimension="A1:A1"),
        0,
        "",
        ["Row three"],
    ),
    Case(
        "cell-over-excel-limit",
        _engagement_case("over.xlsx", rows=[_row(Results_and_Impact="words " * 7000)]),
        0,
        "too-long",
        ["words words"],
    ),
    Case(
        "duplicate-header",
        _engagement_case("twice.xlsx", rows=[GOOD_ROW + ["Other"]], headers=ENGAGEMENT_HEADERS + ["Description"]),
        0,
        "duplicate-column",
    ),
]

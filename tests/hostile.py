"""Hostile inputs and faults beyond tests/badfiles.py (issue 14), made by generators.

Each case makes its input(s) in a folder and names the command to run on them; the harness
(tests/test_hostile.py) checks what every case must do: the exit code, a message that names the
file, no traceback, the inputs unchanged, no formula in any output and outputs that open.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from badfiles import BOMB_PROLOG, ENGAGEMENT_HEADERS, GOOD_ROW, XXE_PROLOG, Error, Raw, engagement, raw_xlsx, sheet_xml

GTR_NS = "http://gtr.ukri.org/api"


@dataclass
class Hostile:
    name: str
    make: Callable[[Path], Path]
    #: The command, with {input} for the file made and {out} for an output folder or file.
    command: list[str]
    exit: int
    #: Text the output must hold (a message for exit 3, a finding code otherwise).
    expect: str = ""
    #: Texts that must reach the outputs written (checked in every .docx and .xlsx).
    reaches_output: list[str] = field(default_factory=list)


def _valid(tmp: Path, name: str = "valid.xlsx") -> Path:
    return engagement(tmp / name, [GOOD_ROW])


def _replace_part(name: str, part: str, data: bytes) -> Callable[[Path], Path]:
    """A valid workbook with one part replaced."""

    def make(tmp: Path) -> Path:
        source = _valid(tmp, "source.xlsx").read_bytes()
        path = tmp / name
        with zipfile.ZipFile(io.BytesIO(source)) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
            for info in old.infolist():
                new.writestr(info.filename, data if info.filename == part else old.read(info.filename))
            if part not in old.namelist():
                new.writestr(part, data)
        (tmp / "source.xlsx").unlink()
        return path

    return make


def _patch_member(name: str, member: str, flag: int = 0, method: int | None = None) -> Callable[[Path], Path]:
    """A valid workbook whose zip entry for `member` claims encryption (flag bit 0) or another
    compression method (9 = Deflate64), in both its local header and the central directory."""

    def make(tmp: Path) -> Path:
        data = bytearray(_valid(tmp, "source.xlsx").read_bytes())
        (tmp / "source.xlsx").unlink()
        target = member.encode()
        for signature, flag_at, method_at, name_len_at, name_at in (
            (b"PK\x03\x04", 6, 8, 26, 30),
            (b"PK\x01\x02", 8, 10, 28, 46),
        ):
            index = data.find(signature)
            while index >= 0:
                length = int.from_bytes(data[index + name_len_at : index + name_len_at + 2], "little")
                if data[index + name_at : index + name_at + length] == target:
                    bits = int.from_bytes(data[index + flag_at : index + flag_at + 2], "little") | flag
                    data[index + flag_at : index + flag_at + 2] = bits.to_bytes(2, "little")
                    if method is not None:
                        data[index + method_at : index + method_at + 2] = method.to_bytes(2, "little")
                index = data.find(signature, index + 4)
        path = tmp / name
        path.write_bytes(bytes(data))
        return path

    return make


def _shared_string_out_of_range(tmp: Path) -> Path:
    sheet = sheet_xml([ENGAGEMENT_HEADERS, [Raw(' t="s"><v>999</v>')] + GOOD_ROW[1:]])
    shared = (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main" count="1" uniqueCount="1"><si><t>only</t></si></sst>'
    )
    path = raw_xlsx(tmp / "sst.xlsx", {"Award": sheet_xml([["Title"], ["x"]]), "Engagement Activities": sheet})
    data = io.BytesIO()
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            content = old.read(info.filename)
            if info.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rId99" Type="http://schemas.'
                    b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                    b'Target="sharedStrings.xml"/></Relationships>',
                )
            if info.filename == "[Content_Types].xml":
                content = content.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType='
                    b'"application/vnd.openxmlformats-officedocument.spreadsheetml.'
                    b'sharedStrings+xml"/></Types>',
                )
            new.writestr(info.filename, content)
        new.writestr("xl/sharedStrings.xml", shared)
    path.write_bytes(data.getvalue())
    return path


LONG_COMMENT = "<!--" + "x" * 5000 + "-->"


def _core_with(prolog: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{LONG_COMMENT}{prolog}<cp:coreProperties xmlns:cp="http://'
        'schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/'
        'elements/1.1/"><dc:title>&lol4;</dc:title></cp:coreProperties>'
    ).encode()


def _nested_gtr_xml(tmp: Path) -> Path:
    path = tmp / "deep.xml"
    path.write_text(f'<ns2:project xmlns:ns2="{GTR_NS}/project">' + "<a>" * 10_000 + "</a>" * 10_000 + "</ns2:project>")
    return path


def _nested_json(tmp: Path) -> Path:
    path = tmp / "deep.json"
    path.write_text('{"project": ' + "[" * 10_000 + "]" * 10_000 + "}")
    return path


def _surrogate_json(tmp: Path) -> Path:
    path = tmp / "surrogate.json"
    record = {
        "project": {
            "id": "X1",
            "title": "A title \ud800 with a lone surrogate",
            "output": {
                "disseminationOutput": [
                    {
                        "description": "Talk \ud800",
                        "form": "A talk or presentation",
                        "geographicReach": "Local",
                        "primaryAudience": "Schools",
                        "results": "Went \ufffe well",
                        "yearsOfDissemination": "2019",
                    }
                ]
            },
        }
    }
    path.write_text(json.dumps(record))  # json.dumps writes the surrogate as \ud800
    return path


GTR_CSV_HEADER = "Project Reference,Project Title,Outcome Type,Title,Description,Type,Year Produced,GTR Outcome URL\n"


def _csv(name: str, body: str) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        path = tmp / name
        path.write_text(GTR_CSV_HEADER + body, encoding="utf-8")
        return path

    return make


def _wide_csv(tmp: Path) -> Path:
    path = tmp / "wide.csv"
    extra = [f"Extra {i}" for i in range(17_020 - 8)]
    path.write_text(
        GTR_CSV_HEADER.strip()
        + ","
        + ",".join(extra)
        + "\n"
        + "AB/1,Wide,Software and Technical Products,Tool,A tool,Software,2019,https://gtr.ukri.org/x,"
        + ",".join("v" for _ in extra)
        + "\n",
        encoding="utf-8",
    )
    return path


def _utf16_page(tmp: Path) -> Path:
    from conftest import SEED, require

    require(SEED)
    text = SEED.read_text(encoding="utf-8")
    path = tmp / "page-utf16.txt"
    path.write_bytes(text.encode("utf-16"))  # with a byte-order mark, as Notepad's "Unicode"
    return path


def _strict(tmp: Path) -> Path:
    path = _valid(tmp, "source.xlsx")
    data = io.BytesIO()
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            content = old.read(info.filename)
            content = content.replace(
                b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                b"http://purl.oclc.org/ooxml/spreadsheetml/main",
            )
            content = content.replace(
                b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                b"http://purl.oclc.org/ooxml/officeDocument/relationships",
            )
            new.writestr(info.filename, content)
    path.unlink()
    strict = tmp / "strict.xlsx"
    strict.write_bytes(data.getvalue())
    return strict


NEW_ERRORS = ["#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#GETTING_DATA"]


def _row(**changes) -> list:
    row = list(GOOD_ROW)
    for label, value in changes.items():
        row[ENGAGEMENT_HEADERS.index(label.replace("_", " "))] = value
    return row


def _engagement_rows(
    name: str, rows: list[list], headers: list[str] = ENGAGEMENT_HEADERS, extra_headers: list[str] = ()
) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        return engagement(tmp / name, rows, list(headers) + list(extra_headers))

    return make


def _merged_blocks(tmp: Path) -> Path:
    """120 merged ranges of 100,000 cells each, in a 3 KB file."""
    merges = [f"T{3 + i * 1000}:DO{1002 + i * 1000}" for i in range(120)]
    return engagement(tmp / "merges.xlsx", [GOOD_ROW], merges=merges)


def _merged_column(tmp: Path) -> Path:
    """One merged whole column: a million cells for openpyxl to make."""
    return engagement(tmp / "column.xlsx", [GOOD_ROW], merges=["K1:K1048576"])


def _workbook(name: str, edit: Callable) -> Callable[[Path], Path]:
    """A valid workbook written with openpyxl, then changed by `edit(book)`."""

    def make(tmp: Path) -> Path:
        import warnings

        import openpyxl

        path = _valid(tmp, name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the minimal test workbook has no default style
            book = openpyxl.load_workbook(path)
        edit(book)
        book.save(path)
        return path

    return make


def _very_hidden(book) -> None:
    book["Engagement Activities"].sheet_state = "veryHidden"


def _own_findings_sheet(book) -> None:
    sheet = book.create_sheet("Findings")
    sheet["A1"] = "Our own notes on the findings"


def _dates_out_of_range(book) -> None:
    sheet = book["Engagement Activities"]
    for cell, value in (("F2", 10**8), ("G2", -5)):
        sheet[cell].value = value
        sheet[cell].number_format = "yyyy-mm-dd"


EVIL = '=HYPERLINK("http://evil.example/","Carbon")'


def _evil_partner(book) -> None:
    partners = book.create_sheet("Organisations")
    partners.append(["Name", "Sector", "Country"])
    partners.append([EVIL, "Private", "United Kingdom"])
    partners.append(["Carbon Trust", "Private", "United Kingdom"])
    sheet = book["Engagement Activities"]
    sheet.cell(row=2, column=1).value = f"A talk with Carbon Trust and {EVIL}"
    for row in partners.iter_rows(min_row=2):
        row[0].data_type = "s"
    sheet.cell(row=2, column=1).data_type = "s"
    collaborations = book.create_sheet("Collaborations")
    collaborations.append(
        [
            "Description",
            "Organisation",
            "Country",
            "Sector",
            "PI Contribution",
            "Collaborator Contribution",
            "Impact",
            "Start Year",
        ]
    )
    collaborations.append([f"Work with {EVIL}", EVIL, "United Kingdom", "Private", "Data", "Time", "Better care", 2019])
    for cell in collaborations[2][:2]:
        cell.data_type = "s"


def _formula_values(book) -> None:
    sheet = book["Engagement Activities"]
    for column, value in ((1, EVIL), (4, "=1+1"), (7, "@SUM(A1:A2)")):  # Geographic Reach "=1+1": an error
        sheet.cell(row=2, column=column).value = value
        sheet.cell(row=2, column=column).data_type = "s"


VALIDATE = ["validate", "--json", "{input}"]
BUILD = ["build", "{input}", "-o", "{out}"]
IMPORT = ["import", "{input}", "-o", "{out}/imported.xlsx"]
ANNOTATE = ["validate", "--annotate", "{out}", "{input}"]
SUGGEST = ["suggest-partners", "{input}", "-o", "{out}/suggested.xlsx"]
PROFILES = ["profiles", "{input}", "-o", "{out}"]
FIX = ["fix", "{input}", "-o", "{out}"]
PORTFOLIO = ["portfolio", "{input}", "-o", "{out}"]

CASES: list[Hostile] = [
    # -- malformed package parts: a plain message naming the file, exit 3 -------------------
    *[
        Hostile(
            f"malformed-{part.replace('/', '-')}",
            _replace_part("malformed.xlsx", part, b"<oops"),
            VALIDATE,
            3,
            "damaged",
        )
        for part in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
    ],
    # The package's own index: Office refuses a workbook whose [Content_Types].xml is broken, and
    # so does the tool (exit 3), for reading and for the annotated copy alike.
    *[
        Hostile(
            f"malformed-Content_Types-{name}",
            _replace_part("malformed.xlsx", "[Content_Types].xml", b"<oops"),
            command,
            3,
            "[Content_Types].xml is not well-formed",
        )
        for name, command in (("annotated", ["validate", "--annotate", "{out}", "{input}"]), ("read", BUILD))
    ],
    Hostile(
        "malformed-styles", _replace_part("malformed.xlsx", "xl/styles.xml", b"<oops"), VALIDATE, 3, "cannot be opened"
    ),
    Hostile(
        "encrypted-zip-member",
        _patch_member("encrypted.xlsx", "xl/worksheets/sheet2.xml", flag=1),
        VALIDATE,
        3,
        "encrypted",
    ),
    Hostile(
        "deflate64-member",
        _patch_member("deflate64.xlsx", "xl/worksheets/sheet2.xml", method=9),
        VALIDATE,
        3,
        "compressed",
    ),
    Hostile("shared-string-out-of-range", _shared_string_out_of_range, VALIDATE, 3, "cannot be read"),
    Hostile(
        "entity-bomb-after-long-comment",
        lambda tmp: raw_xlsx(
            tmp / "late-bomb.xlsx", {"Award": sheet_xml([["Title"], ["x"]])}, workbook_prolog=LONG_COMMENT + BOMB_PROLOG
        ),
        VALIDATE,
        3,
        "entity declarations",
    ),
    Hostile(
        "external-entity-in-core-properties",
        _replace_part("core.xlsx", "docProps/core.xml", _core_with(XXE_PROLOG)),
        VALIDATE,
        3,
        "entity declarations",
    ),
    Hostile(
        "entity-bomb-in-core-properties",
        _replace_part("corebomb.xlsx", "docProps/core.xml", _core_with(BOMB_PROLOG)),
        VALIDATE,
        3,
        "entity declarations",
    ),
    Hostile("strict-open-xml", _strict, BUILD, 0, "", ["It went well"]),
    # -- imports ----------------------------------------------------------------------------
    Hostile("gtr-xml-nested-10000-deep", _nested_gtr_xml, IMPORT, 3, "nested"),
    Hostile("gtr-json-nested-10000-deep", _nested_json, IMPORT, 3, "nested"),
    Hostile("gtr-json-lone-surrogates", _surrogate_json, IMPORT, 0, ""),
    Hostile(
        "gtr-csv-field-over-131072",
        _csv(
            "big-field.csv",
            "AB/1,Big,Software and Technical Products,Tool,"
            + "x" * 200_000
            + ",Software,2019,https://gtr.ukri.org/x\n",
        ),
        IMPORT,
        0,
        "",
    ),
    Hostile(
        "gtr-csv-cut-inside-quotes",
        _csv("cut.csv", 'AB/1,Cut,Software and Technical Products,Tool,"A tool that was cut\nmid-sentence'),
        IMPORT,
        1,
        "was cut off",
    ),
    Hostile("gtr-csv-17020-columns", _wide_csv, IMPORT, 0, "were left out (an Excel sheet holds 16,384)"),
    Hostile("gtr-page-utf16", _utf16_page, IMPORT, 0, ""),
    # -- values that cannot live in XML, and values Office refuses ------------------------------
    Hostile(
        "control-character-in-url",
        _engagement_rows(
            "ctrl-url.xlsx",
            [GOOD_ROW + [Raw(' t="inlineStr"><is><t>https://example.org/_x0001_page</t></is>')]],
            extra_headers=["URL"],
        ),
        BUILD,
        0,
        "",
    ),
    Hostile(
        "surrogates-and-non-characters",
        _engagement_rows(
            "surrogates.xlsx",
            [_row(Description=Raw(' t="inlineStr"><is><t>Talk _xD800_ and \ufffe and \uffff</t></is>'))],
        ),
        VALIDATE,
        0,
        "control-character",
    ),
    Hostile(
        "newer-excel-error-values",
        _engagement_rows(
            "spill.xlsx",
            [_row(Description=f"Talk {i}", Geographic_Reach=Error(code)) for i, code in enumerate(NEW_ERRORS)],
        ),
        VALIDATE,
        1,
        "error-cell",
    ),
    Hostile(
        "hyperlink-over-word-limit",
        _engagement_rows("longlink.xlsx", [GOOD_ROW + ["https://example.org/" + "a" * 3000]], extra_headers=["URL"]),
        BUILD,
        0,
        "",
        ["https://example.org/" + "a" * 3000],
    ),
    Hostile(
        "hyperlink-over-word-limit-named",
        _engagement_rows("longlink.xlsx", [GOOD_ROW + ["https://example.org/" + "a" * 3000]], extra_headers=["URL"]),
        VALIDATE,
        0,
        "url-too-long",
    ),
    Hostile(
        "formula-text-everywhere",
        _engagement_rows(
            "formulas.xlsx",
            [
                _row(Description='=HYPERLINK("http://evil.example/","Carbon")', Results_and_Impact="+cmd|' /C calc'!A0")
                + ["=1+1", "@SUM(1)"]
            ],
            extra_headers=["Partners", "Officer notes"],
        ),
        BUILD,
        0,
        "",
        ['=HYPERLINK("http://evil.example/","Carbon")'],
    ),
    Hostile(
        "formula-text-in-the-portfolio-report",
        _engagement_rows("formulas.xlsx", [_row(Description='=HYPERLINK("http://evil.example/","Carbon")')]),
        PORTFOLIO,
        0,
        "",
        ['=HYPERLINK("http://evil.example/","Carbon")'],
    ),
    # -- sheets ---------------------------------------------------------------------------------
    Hostile("very-hidden-sheet", _workbook("veryhidden.xlsx", _very_hidden), VALIDATE, 0, "hidden-sheet"),
    Hostile(
        "users-own-findings-sheet",
        _workbook("findings.xlsx", _own_findings_sheet),
        ANNOTATE,
        0,
        "",
        ["Our own notes on the findings"],
    ),
    Hostile("dates-out-of-range-annotated", _workbook("dates.xlsx", _dates_out_of_range), ANNOTATE, 1, ""),
    # -- resources (peak memory of every case is checked in a fresh process) -------------------
    Hostile("merged-blocks-120x100000", _merged_blocks, VALIDATE, 0, "merged-cells"),
    Hostile("merged-whole-column-annotated", _merged_column, ANNOTATE, 0, ""),
    Hostile("merged-whole-column-suggest", _merged_column, SUGGEST, 0, ""),
    # -- formula text in the copy with suggestions -------------------------------------------
    Hostile(
        "formula-organisation-suggest",
        _workbook("evil-partner.xlsx", _evil_partner),
        SUGGEST,
        0,
        "",
        [EVIL, f"A talk with Carbon Trust and {EVIL}"],
    ),
    Hostile(
        "formula-organisation-profiles",
        _workbook("evil-partner.xlsx", _evil_partner),
        PROFILES,
        0,
        "",
        [EVIL, f"Work with {EVIL}"],
    ),
    Hostile(
        "formula-text-import",
        _csv(
            "evil.csv",
            'AB/1,Evil,Software and Technical Products,"'
            + EVIL.replace('"', '""')
            + '",A tool,Software,2019,https://gtr.ukri.org/x\n',
        ),
        IMPORT,
        0,
        "",
        [EVIL],
    ),
    Hostile(
        "formula-text-fixed", _workbook("evil-values.xlsx", _formula_values), FIX, 1, "", [EVIL, "=1+1", "@SUM(A1:A2)"]
    ),
    Hostile("merged-whole-column-fixed", _merged_column, FIX, 0, ""),
    Hostile(
        "formula-text-annotated",
        _workbook("evil-values.xlsx", _formula_values),
        ANNOTATE,
        1,
        "",
        [EVIL, "=1+1", "@SUM(A1:A2)"],
    ),
]

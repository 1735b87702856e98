"""Importing GtR XML/JSON records, GtR CSV exports and researchfish portfolio exports."""

from __future__ import annotations

import csv
import html
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter

import docx
import openpyxl
import pytest

from reporting import build, import_to_workbook, load

from conftest import DATA, squash

pytestmark = pytest.mark.shared

XML = DATA / "gtr-api-project-phronesis-AH-M006646-1.xml"
CSV = DATA / "gtr-export-spinouts-2017.csv"

#: XML item element -> section key (schema document §3.2, read independently of the schema file).
XML_ITEMS = {
    "publication": "publications",
    "artisticAndCreativeProductOutput": "artistic_products",
    "keyFindingsOutput": "key_findings",
    "impactSummaryOutput": "narrative_impact",
    "policyInfluenceOutput": "policy_influence",
    "furtherFundingOutput": "further_funding",
    "researchDatabaseAndModelOutput": "research_databases",
    "collaborationOutput": "collaborations",
    "disseminationOutput": "engagement_activities",
    "researchMaterialOutput": "research_tools",
    "softwareAndTechnicalProductOutput": "software",
    "intellectualPropertyOutput": "intellectual_property",
    "productOutput": "medical_products",
    "spinOutOutput": "spin_outs",
}
TEXT_ELEMENTS = {
    "title",
    "description",
    "impact",
    "piContribution",
    "partnerContribution",
    "exploitationPathways",
    "collaboratingOrganisation",
    "fundingOrg",
    "form",
    "primaryAudience",
    "companyName",
    "parentPublicationTitle",
    "otherNames",
}


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def _plain(text):
    for _ in range(3):
        text = html.unescape(text)
    return re.sub(r"</?i>", "", text)


def xml_items():
    root = ET.parse(XML).getroot()
    items = []
    for element in root.iter():
        section = XML_ITEMS.get(_local(element.tag))
        if section:
            texts = [_plain(e.text) for e in element.iter() if _local(e.tag) in TEXT_ELEMENTS and e.text]
            items.append((section, texts))
    return items


@pytest.fixture(scope="module")
def phronesis(tmp_path_factory):
    out = tmp_path_factory.mktemp("xml")
    report = import_to_workbook(XML, out / "phronesis.xlsx")
    built = build([report.output], out / "returns")
    return report, built


def test_xml_counts_per_section_match_the_record(phronesis):
    report, _ = phronesis
    source = Counter(section for section, _ in xml_items())
    assert report.result.read == dict(source)
    assert report.written == dict(source)
    assert sum(source.values()) == 35


def _rows_by_section(path, schema):
    """Each row's text, with "(continued)" overflow columns joined back to their field."""
    book = openpyxl.load_workbook(path)
    rows = {}
    for section in schema.sections:
        sheet = book[section.sheet]
        header = [c.value for c in sheet[1]]
        texts = []
        for row in sheet.iter_rows(min_row=2, values_only=True):
            cells = {h: ("" if v is None else str(v)) for h, v in zip(header, row)}
            for name in [h for h in header if h and h.endswith(" (continued)")]:
                cells[name[: -len(" (continued)")]] += cells.pop(name)
            texts.append("\n".join(v for v in cells.values() if v))
        rows[section.key] = texts
    return rows


def test_every_xml_record_arrives_with_its_text(phronesis, schema):
    report, built = phronesis
    rows = _rows_by_section(report.output, schema)
    seen = Counter()
    document = docx.Document(str(next(p for p in built.outputs if p.suffix == ".docx")))
    doc_text = squash("\n".join(p.text for p in document.paragraphs))
    for section, texts in xml_items():
        row = squash(rows[section][seen[section]])
        seen[section] += 1
        for text in texts:
            assert squash(text) in row, (section, text[:60])
            assert squash(text) in doc_text, (section, text[:60])


def test_xml_award_header(phronesis):
    report, _ = phronesis
    sheet = openpyxl.load_workbook(report.output)["Award"]
    award = dict(zip([c.value for c in sheet[1]], [c.value for c in sheet[2]]))
    assert award["Title"] == "Phronesis and the Medical Community"
    assert award["Award Reference"] == "AH/M006646/1"
    assert award["Funder"] == "AHRC"
    assert award["Principal Investigator"] == "Mervyn Conroy"
    assert award["Lead Research Organisation"] == "University of Birmingham"
    assert award["Abstract"].startswith("This study explores how doctors")


def test_xml_import_validates_and_lists_its_mappings(phronesis):
    report, _ = phronesis
    _, findings, _ = load([report.output])
    assert findings.ok, [f.describe() for f in findings.errors]
    assert (
        report.mappings[("Country", "United Kingdom of Great Britain & Northern Ireland (UK)", "United Kingdom")] == 8
    )
    assert report.mappings[("Clinical Trial?", "true", "Yes")] == 1
    # GtR cut the 22-sector list short; the last value is recognised and reported.
    assert report.mappings[("Sectors", "Pharmace", "Pharmaceuticals and Medical Biotechnology")] == 1


def test_xml_text_is_unescaped_and_long_text_is_kept_whole(phronesis, schema):
    report, built = phronesis
    book = openpyxl.load_workbook(report.output)
    everything = "\n".join(str(v) for s in book.worksheets for r in s.iter_rows(values_only=True) for v in r if v)
    assert "A&E Consultant Chris Turner" in everything
    assert "&amp;" not in everything and "<i>" not in everything
    tools = book["Research Tools and Methods"]
    header = [c.value for c in tools[1]]
    assert "Description (continued)" in header
    row = [c.value for c in tools[2]]
    whole = row[header.index("Description")] + row[header.index("Description (continued)")]
    assert len(whole) == 38456
    dataset, _, _ = load([report.output])
    [tool] = [e for e in dataset.entries if e.section.key == "research_tools"]
    assert tool.values["description"] == whole


def test_publications_get_a_citation(phronesis):
    _, built = phronesis
    document = docx.Document(str(next(p for p in built.outputs if p.suffix == ".docx")))
    references = [p.text for p in document.paragraphs if p.style.name == "Bibliography"]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Entry ID" not in text  # identifiers stay in the Excel return, for matching next year
    assert any("ISBN: tbd [Check: placeholder text]" in r for r in references)
    assert any("ISSN: 12345678 [Check: not a valid ISSN]" in r for r in references)  # typed to fill the cell
    sheet = openpyxl.load_workbook(next(p for p in built.outputs if p.suffix == ".xlsx"))["Publications"]
    assert "Entry ID" in [c.value for c in sheet[1]]
    assert any(
        r.startswith(
            "Kotzee B (2016). Towards an Empirically Informed Account of Phronesis in Medicine. "
            "Perspectives in biology and medicine"
        )
        for r in references
    ), references[:3]


API_JSON = {
    "page": 1,
    "size": 20,
    "totalPages": 1,
    "totalSize": 2,
    "dissemination": [
        {
            "id": "d1",
            "outcomeid": "5e569a8a6ab7b4.37374581",
            "description": "Public lecture &amp;amp; Q&amp;A",
            "form": "A talk or presentation",
            "partOfOfficialScheme": False,
            "geographicReach": "Regional",
            "primaryAudience": "Public/other audiences",
            "impact": "Questions followed.",
            "yearsOfDissemination": "2019,2020",
            "supportingUrl": "https://example.org/lecture",
        }
    ],
    "futherfunding": [
        {
            "id": "f1",
            "outcomeid": "5e5.1",
            "description": "Follow-on grant",
            "amount": {"amount": 120000, "currencyCode": "EUR"},
            "organisation": "European Research Council",
            "sector": "Public",
            "country": "Belgium",
            "start": "2020-01-01",
            "end": "2022-12-31",
        }
    ],
    "keyFinding": [
        {
            "id": "k1",
            "outcomeid": "5e5.2",
            "description": "We found things.",
            "exploitationPathways": "Others can use them.",
            "sectors": {"item": ["Education", "Healthcare"]},
        }
    ],
}


def test_api_json(tmp_path):
    source = tmp_path / "outcomes.json"
    source.write_text(json.dumps(API_JSON))
    report = import_to_workbook(source, tmp_path / "api.xlsx")
    assert report.result.read == {"engagement_activities": 1, "further_funding": 1, "key_findings": 1}
    assert report.written == report.result.read
    dataset, findings, _ = load([report.output])
    assert findings.ok, [f.describe() for f in findings.errors]
    talk = next(e for e in dataset.entries if e.section.key == "engagement_activities")
    assert talk.values["description"] == "Public lecture & Q&A"
    assert talk.values["years"] == [2019, 2020]
    assert talk.values["entry_id"] == "5e569a8a6ab7b4.37374581"
    grant = next(e for e in dataset.entries if e.section.key == "further_funding")
    assert grant.values["currency"] == "EUR" and str(grant.values["start"]) == "01/2020"
    finding = next(e for e in dataset.entries if e.section.key == "key_findings")
    assert finding.values["sectors"] == ["Education", "Healthcare"]


def test_website_json_reads_like_the_xml(tmp_path, phronesis):
    from reporting.importers.trees import element_to_tree

    root = ET.parse(XML).getroot()
    source = tmp_path / "project.json"
    source.write_text(json.dumps({"projectOverview": element_to_tree(root)}))
    report = import_to_workbook(source, tmp_path / "web.xlsx")
    assert report.result.read == phronesis[0].result.read


# -- GtR outcome-search CSV ------------------------------------------------------------------


@pytest.fixture(scope="module")
def spinouts(tmp_path_factory):
    out = tmp_path_factory.mktemp("csv")
    report = import_to_workbook(CSV, out / "spinouts.xlsx")
    return report


def test_csv_every_row_arrives_grouped_by_project(spinouts):
    with CSV.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 656
    assert spinouts.result.read == {"spin_outs": 656}
    # 656 rows: 467 companies, and 189 rows repeating a company for another project
    (tally,) = spinouts.result.tallies
    assert (tally.rows, tally.entries, tally.merged) == (656, 467, 189)
    assert spinouts.written == {"spin_outs": 467}
    dataset, findings, _ = load([spinouts.output])
    assert findings.ok, [f.describe() for f in findings.errors][:5]
    assert len(dataset.awards) == len({r["Project Reference"] for r in rows}) == 562
    by_award = {award.reference: entries for award, entries in dataset.by_award()}
    for row in rows:
        entries = by_award[row["Project Reference"]]
        texts = [squash(f"{e.values.get('company_name')} {e.values.get('description')}") for e in entries]
        name = squash(html.unescape(html.unescape(row["Company Name"])))
        description = squash(html.unescape(html.unescape(row["Description"])))
        assert any(name in t and description in t for t in texts), row["Company Name"]


def test_csv_outcome_counted_for_several_awards_is_one_entry(spinouts):
    dataset, _, _ = load([spinouts.output])
    shared = [e for e in dataset.entries if e.values.get("entry_id") == "EnJ8aj49rhn"]
    assert len(shared) == 1 and len(shared[0].awards) == 8
    entries_by_award = dict((a.reference, es) for a, es in dataset.by_award())
    for award in shared[0].awards:
        assert shared[0] in entries_by_award[award.reference]


def test_csv_entities_are_unescaped(spinouts):
    book = openpyxl.load_workbook(spinouts.output)
    text = "\n".join(str(v) for r in book["Spin Outs"].iter_rows(values_only=True) for v in r if v)
    assert "&pound;" not in text and "&amp;" not in text and "£792k" in text


# -- researchfish portfolio export -----------------------------------------------------------

RF_COMMON = ["Award Reference", "RO", "Region", "Entry ID", "Entry Insert Date"]


def write_researchfish_export(path):
    """A researchfish funder export in the 2019 shape: one sheet per section, no Award sheet."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    engagement = book.create_sheet("Engagement Activities")
    engagement.append(
        RF_COMMON
        + [
            "Dissemination*",
            "Form of Dissemination*",
            "Part of Official Scheme?",
            "Geographical Reach*",
            "Primary Audience*",
            "Year Took Place*",
            "Results of Activity*",
            "Url",
            "Schools",
            "Media",
            "2018",
            "2019",
            "2020",
        ]
    )
    engagement.append(
        [
            "RF/A/1",
            "Uni A",
            "North West",
            "E-1",
            "2019-03-01",
            "School visits",
            "Participation in an activity, workshop or similar",
            "No",
            "Local",
            "Schools",
            "'2019,2020      ",
            "Pupils visited the lab.",
            None,
            1,
            0,
            0,
            1,
            1,
        ]
    )
    engagement.append(
        [
            "RF/B/2",
            "Uni B",
            "Scotland",
            "E-2",
            "2019-03-01",
            "Radio interview",
            "A broadcast e.g. TV/radio/film/podcast (other than news/press)",
            "No",
            "National",
            "Media (as a channel to the public)",
            None,
            "Heard by many.",
            "https://example.org/radio",
            0,
            1,
            1,
            0,
            0,
        ]
    )
    # One outcome counted for two awards: the same Entry ID on two rows.
    for award in ("RF/A/1", "RF/C/3"):
        engagement.append(
            [
                award,
                "Uni A",
                "North West",
                "E-3",
                "2019-03-01",
                "Joint festival stall",
                "Participation in an activity, workshop or similar",
                "Yes",
                "Regional",
                "Public/other audiences",
                "2019",
                "Hundreds came.",
                None,
                0,
                0,
                0,
                1,
                0,
            ]
        )
    funding = book.create_sheet("Further Funding")
    funding.append(
        RF_COMMON
        + [
            "Description*",
            "Funding Type*",
            "Parent Org*",
            "Child Org",
            "Currency*",
            "Amount*",
            "Fund Start Month*",
            "Fund Start Year*",
            "Fund End Month*",
            "Fund End Year*",
            "Funding ID",
            "Sector",
            "Country",
        ]
    )
    funding.append(
        [
            "RF/B/2",
            "Uni B",
            "Scotland",
            "F-1",
            "2020-01-01",
            "Follow-on",
            "Fellowship",
            "Wellcome Trust",
            None,
            "GBP",
            250000,
            "July",
            2020,
            6,
            2023,
            "WT123",
            "Charity/Non Profit",
            "United Kingdom",
        ]
    )
    collaborations = book.create_sheet("Collaborations & Partnerships")
    collaborations.append(
        RF_COMMON
        + [
            "Collaboration Name*",
            "Parent Org*",
            "Child Org",
            "Country",
            "Sector",
            "Direct Financial Contribution?*",
            "PI Contributions*",
            "Partner Contribution*",
            "Year Collaboration Started*",
            "Active?*",
            "Impact*",
            "Formal Agreements?*",
        ]
    )
    collaborations.append(
        [
            "RF/C/3",
            "Uni C",
            "Wales",
            "C-1",
            "2020-01-01",
            "Data sharing",
            "NHS Wales",
            None,
            "United Kingdom",
            "Public",
            "No",
            "Analysis",
            "Data",
            2018,
            2020,
            "Better care",
            "Yes",
        ]
    )
    publications = book.create_sheet("Publications")
    publications.append(
        RF_COMMON
        + [
            "Type*",
            "PMID",
            "DOI",
            "Author*",
            "Other Authors",
            "Publication*",
            "Journal*",
            "Volume",
            "Issue",
            "Pages",
            "Month",
            "Year*",
        ]
    )
    publications.append(
        [
            "RF/A/1",
            "Uni A",
            "North West",
            "P-1",
            "2019-01-01",
            "Journal Article/Review",
            "30000000",
            "10.1000/xyz123",
            "Smith J",
            "Jones K",
            "A paper",
            "Journal of Things",
            "12",
            "3",
            "45-67",
            "May",
            2019,
        ]
    )
    book.save(path)
    return path


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory):
    out = tmp_path_factory.mktemp("rf")
    source = write_researchfish_export(out / "export.xlsx")
    report = import_to_workbook(source, out / "portfolio.xlsx")
    built = build([report.output], out / "returns")
    return report, built


def test_researchfish_counts_and_awards(portfolio):
    report, built = portfolio
    assert report.result.format.startswith("researchfish")
    assert report.result.read == {
        "engagement_activities": 4,
        "further_funding": 1,
        "collaborations": 1,
        "publications": 1,
    }
    # the festival stall counted for two awards is one entry listing both
    assert report.written == {"engagement_activities": 3, "further_funding": 1, "collaborations": 1, "publications": 1}
    assert report.result.merged == 1
    tallies = {t.part: (t.rows, t.entries, t.merged) for t in report.result.tallies}
    assert tallies == {
        "Engagement Activities": (4, 3, 1),
        "Further Funding": (1, 1, 0),
        "Collaborations & Partnerships": (1, 1, 0),
        "Publications": (1, 1, 0),
    }
    dataset, findings, _ = load([report.output])
    assert findings.ok, [f.describe() for f in findings.errors]
    assert sorted(a.reference for a in dataset.awards) == ["RF/A/1", "RF/B/2", "RF/C/3"]
    assert next(a for a in dataset.awards if a.reference == "RF/B/2").values["lead_research_organisation"] == "Uni B"


def test_researchfish_values_are_cleaned(portfolio):
    report, _ = portfolio
    dataset, _, _ = load([report.output])
    by_title = {e.value_or_raw(e.section.heading): e for e in dataset.entries}
    assert by_title["School visits"].values["years"] == [2019, 2020]  # apostrophe and padding
    assert by_title["Radio interview"].values["years"] == [2018]  # from the 0/1 year columns
    grant = by_title["Follow-on"]
    assert (str(grant.values["start"]), str(grant.values["end"])) == ("07/2020", "06/2023")
    assert grant.values["organisation"] == "Wellcome Trust"
    assert by_title["Data sharing"].values["end_year"] == 2020
    assert by_title["A paper"].values["author"] == "Smith J, Jones K"
    assert by_title["A paper"].values["type"] == "Journal Article / Review"


def test_researchfish_portfolio_builds_one_return_per_award(portfolio):
    _, built = portfolio
    names = sorted(p.name for p in built.outputs)
    assert names == [
        "RF-A-1-return.docx",
        "RF-A-1-return.xlsx",
        "RF-B-2-return.docx",
        "RF-B-2-return.xlsx",
        "RF-C-3-return.docx",
        "RF-C-3-return.xlsx",
        "portfolio-summary.xlsx",
    ]
    texts = {}
    for path in built.outputs:
        if path.suffix == ".docx":
            texts[path.name[:6]] = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "Joint festival stall" in texts["RF-A-1"] and "Joint festival stall" in texts["RF-C-3"]
    assert "Joint festival stall" not in texts["RF-B-2"]
    assert "School visits" in texts["RF-A-1"] and "School visits" not in texts["RF-C-3"]
    document = docx.Document(str(next(p for p in built.outputs if p.name == "RF-A-1-return.docx")))
    citation = next(p for p in document.paragraphs if p.style.name == "Bibliography")
    assert "Smith J, Jones K (2019). A paper. Journal of Things, 12(3), 45-67." in citation.text
    assert [h.url for h in citation.hyperlinks] == [
        "https://doi.org/10.1000/xyz123",
        "https://pubmed.ncbi.nlm.nih.gov/30000000/",
    ]
    assert "PMID: 30000000" in citation.text and "PubMed ID" not in citation.text  # said once, linked
    assert [r.text for r in citation.runs if r.italic] == ["Journal of Things"]  # only the journal
    summary = openpyxl.load_workbook(next(p for p in built.outputs if p.name == "portfolio-summary.xlsx"))
    page = summary["Portfolio"].page_setup
    assert (page.paperSize, page.orientation) == (9, "landscape")  # printed like every workbook the tool writes
    assert summary["Portfolio"].print_title_rows == "$1:$1"
    rows = list(summary["Portfolio"].iter_rows(values_only=True))
    header = rows[0]
    table = {r[0]: dict(zip(header, r)) for r in rows[1:] if r[0]}
    assert table["RF/A/1"]["Engagement Activities"] == 2
    assert table["RF/C/3"]["Engagement Activities"] == 1 and table["RF/C/3"]["Collaborations and Partnerships"] == 1
    assert table["RF/B/2"]["Total"] == 2


def test_xml_elements_no_field_reads_are_kept_not_dropped(phronesis):
    report, built = phronesis
    book = openpyxl.load_workbook(report.output)
    funding = book["Further Funding"]
    header = [c.value for c in funding[1]]
    row = dict(zip(header, [c.value for c in funding[2]]))
    assert row["GtR currLang"] == "en_GB" and row["GtR currCountryCode"] == "United Kingdom"
    assert row["GtR id"] == "B046BCFA-FEC5-4F39-8A12-06DF1C171F95"
    ip = book["Intellectual Property"]
    assert "GtR grantRef" in [c.value for c in ip[1]]
    _, findings, _ = load([report.output])
    assert not [f for f in findings if f.code == "unknown-column"]  # notes columns, not mistakes
    document = docx.Document(str(next(p for p in built.outputs if p.suffix == ".docx")))
    assert "en_GB" not in "\n".join(p.text for p in document.paragraphs)  # identifiers stay in Excel

"""The schema file: every section, label, type and vocabulary the reference document lists."""

from __future__ import annotations

import tomllib

import pytest

from reporting.errors import SchemaError
from reporting.schema import FIELD_TYPES, SCHEMA_PATH, parse_schema


def test_every_researchfish_section_in_gtr_order(schema):
    """GtR's sections in its order, then researchfish's own (Next Destination ... funder questions)."""
    assert [s.title for s in schema.sections] == [
        "Publications",
        "Artistic and Creative Products",
        "Key Findings",
        "Narrative Impact",
        "Influence on Policy, Practice, Patients and the Public",
        "Further Funding",
        "Research Databases and Models",
        "Collaborations and Partnerships",
        "Engagement Activities",
        "Research Tools and Methods",
        "Software and Technical Products",
        "Intellectual Property and Licensing",
        "Medical Products, Interventions and Clinical Trials",
        "Spin Outs",
        "Next Destination",
        "Awards and Recognition",
        "Use of Facilities and Resources",
        "Other Outputs and Knowledge",
        "Secondments",
        "Skills Shortage",
        "Additional Funder Questions",
    ]
    assert [s.gtr for s in schema.sections].index(False) == 14  # the GtR sections come first


def test_labels_exactly_as_gtr_prints_them(schema):
    labels = {f.label for s in schema.sections for f in s.fields}
    for label in (
        "Form Of Engagement Activity",
        "Part Of Official Scheme?",
        "Year(s) Of Engagement Activity",
        "Results and Impact",
        "Provided To Others?",
        "Collaborator Contribution",
        "PI Contribution",
        "Policy Influence Type",
        "First Year Of Impact",
        "Impact Types",
        "Exploitation Route",
        "Type Of Art",
        "Type Of Material",
        "Year Produced",
        "Start Year",
    ):
        assert label in labels


def test_field_types_and_required(schema):
    engagement = schema.section("engagement_activities")
    assert engagement.field("years").type == "years"
    assert engagement.field("part_of_official_scheme").type == "yes_no"
    assert engagement.field("primary_audience").type == "choice"
    assert engagement.field("url").required is False
    funding = schema.section("further_funding")
    assert funding.field("amount").type == "money"
    assert funding.field("start").type == "month_year"
    assert schema.section("key_findings").field("sectors").type == "choices"
    assert schema.section("publications").field("doi").type == "doi"
    for section in schema.sections:
        for spec in section.fields:
            assert spec.type in FIELD_TYPES
            assert spec.help, (section.key, spec.key)


def test_vocabularies(schema):
    sectors = schema.vocabularies["sectors"]
    assert len(sectors.values) == 22
    assert "Government, Democracy and Justice" in sectors.values
    assert len(schema.vocabularies["engagement_forms"].values) == 8
    assert schema.vocabularies["impact_types"].values == (
        "Cultural",
        "Societal",
        "Economic",
        "Policy & public services",
    )
    assert schema.vocabularies["development_stages"].values[1] == "Refinement.  Non-clinical"


def test_award_header_fields(schema):
    assert [f.label for f in schema.award_fields] == [
        "Title",
        "Award Reference",
        "Funder",
        "Lead Research Organisation",
        "Department Name",
        "Principal Investigator",
        "PI ORCID iD",
        "Start",
        "End",
        "Funded Value",
        "Award Type",
        "Scheme",
        "Group",
        "Abstract",
        "Planned Impact",
    ]


def _data():
    return tomllib.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def test_a_new_field_is_a_data_edit():
    data = _data()
    data["sections"][0]["fields"].append(
        {"key": "open_access", "label": "Open Access", "type": "yes_no", "help": "Is it OA?"}
    )
    data["vocabularies"]["audiences"]["values"].append("Funders")
    schema = parse_schema(data)
    assert schema.sections[0].fields[-1].label == "Open Access"
    assert "Funders" in schema.section("engagement_activities").field("primary_audience").vocabulary.values


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["sections"][0]["fields"][0].update(type="colour"), "unknown type"),
        (lambda d: d["sections"][1]["fields"][2].update(vocabulary="nope"), "no known vocabulary"),
        (lambda d: d["sections"][0].update(sheet="Influence on Policy, Practice and more"), "cannot be used in Excel"),
        (lambda d: d["sections"][0].update(heading="missing"), "unknown field"),
        (lambda d: d["sections"][1].update(key="publications"), "section key used twice"),
        # a typo is never silently ignored: "requried = true" would make a field optional
        (
            lambda d: d["sections"][0]["fields"][0].update(requried=True),
            "section 'publications' field 'title': unknown key 'requried'.\nDid you mean \"required\"?",
        ),
        (lambda d: d["sections"][0].pop("title"), "[[sections]] #1: has no 'title'"),
        (lambda d: d["sections"][0]["fields"][0].update(required="yes"), "required should be true or false"),
        (
            lambda d: d["sections"][0].update(period=["title"]),
            "period names 'title', a text field, which holds no date",
        ),
        (lambda d: d["charts"][0].update(section="gardening"), "[[charts]] #1: names unknown section 'gardening'"),
        (lambda d: d["vocabularies"]["countries"].update(extends="countries"), "extends 'countries'"),
    ],
)
def test_inconsistent_schema_is_refused_with_a_clear_message(mutate, message):
    data = _data()
    mutate(data)
    with pytest.raises(SchemaError) as error:
        parse_schema(data)
    assert message in str(error.value)


def test_the_schema_cannot_be_changed_once_loaded(schema):
    with pytest.raises(TypeError):
        schema.vocabularies["countries"] = None
    with pytest.raises(TypeError):
        schema.vocabularies["countries"].variants["Mars"] = "Global"


def test_vocabulary_matching(schema):
    reach = schema.vocabularies["engagement_reach"]
    assert reach.match("Regional") == ("Regional", "exact")
    assert reach.match("regional ") == ("Regional", "case")
    assert reach.match("Nowhere") == (None, "unknown")
    audiences = schema.vocabularies["audiences"]
    assert audiences.match("Policymakers") == ("Policymakers/politicians", "variant")
    policy = schema.vocabularies["policy_influence_types"]
    assert policy.match("Participation in a advisory committee")[0] == "Participation in a guidance/advisory committee"
    assert reach.suggest("Regionl") == ["Regional"]

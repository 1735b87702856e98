"""The view layer, from entries made in memory (no workbook read, no file written): what a
selection keeps, what a return's view holds (sections, At a glance, author), the tables of
cells, the differences between two submissions and the portfolio report's figures."""

from __future__ import annotations

import pytest

from reporting.changes import ADDED, CHANGED, compare
from reporting.heads import award_head
from reporting.model import AWARD, Origin, Record
from reporting.periods import make_period
from reporting.portfolio import ALL_AWARDS, portfolio_report
from reporting.selection import Selection, select
from reporting.sheets import section_table
from reporting.templating import Renderer
from reporting.validation import validate

AWARD_ROW = {
    "award_reference": "ES/X000001/1",
    "title": "A study of things",
    "funder": "ESRC",
    "principal_investigator": "Ada Lovelace",
    "lead_research_organisation": "University of Somewhere",
}


def _engagement(title: str, years: str, visibility: str = "Public", reach: str = "Regional") -> dict[str, str]:
    return {
        "description": title,
        "form": "A talk or presentation",
        "part_of_official_scheme": "No",
        "geographic_reach": reach,
        "primary_audience": "Schools",
        "years": years,
        "results_and_impact": f"{title}: many came.",
        "award_reference": "ES/X000001/1",
        "visibility": visibility,
    }


def _dataset(schema, engagements: list[dict[str, str]], funding: list[dict[str, str]] = ()):
    records = [Record(AWARD, dict(AWARD_ROW), Origin("memory.xlsx", "Award", 2))]
    records += [
        Record("engagement_activities", row, Origin("memory.xlsx", "Engagement Activities", n))
        for n, row in enumerate(engagements, start=2)
    ]
    records += [
        Record("further_funding", row, Origin("memory.xlsx", "Further Funding", n)) for n, row in enumerate(funding, 2)
    ]
    dataset, findings = validate(records, schema)
    assert findings.ok, [f.describe() for f in findings.errors]
    return dataset


@pytest.fixture
def dataset(schema):
    return _dataset(
        schema,
        [
            _engagement("Open day", "2019"),
            _engagement("Festival stall", "2019, 2020"),
            _engagement("Staff briefing", "2021", visibility="Internal"),
        ],
        [
            {
                "description": "Follow-on grant",
                "organisation": "Wellcome Trust",
                "amount": "£120,000",
                "start": "07/2020",
                "end": "06/2023",
                "award_reference": "ES/X000001/1",
            }
        ],
    )


def test_a_selection_keeps_the_period_and_leaves_out_internal_entries(dataset):
    [(award, entries)] = dataset.by_award()
    public = select(entries, Selection(public=True), "return", award)
    assert sorted(
        e.value_or_raw("description") for e in public.entries if e.section.key == "engagement_activities"
    ) == ["Festival stall", "Open day"]
    in_2020 = select(entries, Selection(period=make_period("2020")), "return", award)
    titles = {e.value_or_raw(e.section.heading) for e in in_2020.entries}
    assert titles == {"Festival stall", "Follow-on grant"}


def test_a_returns_view_holds_its_sections_glance_and_author(schema, dataset):
    [(award, entries)] = dataset.by_award()
    view = Renderer().view(schema, award_head(schema, award), select(entries, Selection(), "return", award))
    assert {s.title: len(s.entries) for s in view.sections} == {"Engagement Activities": 3, "Further Funding": 1}
    assert view.author == "Ada Lovelace" and view.company == "University of Somewhere"
    glance = view.glance_by_year
    # the follow-on grant runs 2020-2023: the years span every entry's
    assert glance.headers == ("Section", "Entries", "2019", "2020", "2021", "2022", "2023", "Undated")
    assert dict(glance.rows)["Engagement Activities"] == (3, 2, 1, 1, 0, 0, 0)
    assert dict(glance.rows)["Further Funding"] == (1, 0, 1, 1, 1, 1, 0)
    assert glance.totals[0] == view.entry_count == 4
    engagement = next(s for s in view.sections if s.title == "Engagement Activities")
    reach = next(f for e in engagement.entries for f in e.fields if f.label == "Geographic Reach")
    assert reach.text == "Regional"


def test_at_a_glance_in_word_adds_up_the_years_before_the_last_eight(schema):
    rows = [_engagement(f"Talk {year}", str(year)) for year in range(2010, 2021)]
    dataset = _dataset(schema, rows)
    [(award, entries)] = dataset.by_award()
    view = Renderer().view(schema, award_head(schema, award), select(entries, Selection(), "return", award))
    assert view.glance.headers[:3] == ("Section", "Entries", "To 2012")
    assert view.glance.headers[3:] == (*map(str, range(2013, 2021)), "Undated")
    assert dict(view.glance.rows)["Engagement Activities"] == (11, 3, *[1] * 8, 0)
    assert len(view.glance_by_year.headers) == 2 + 11 + 1


def test_a_section_table_has_a_cell_per_field_and_typed_cells(schema, dataset):
    section = schema.section("engagement_activities")
    entries = [e for e in dataset.entries if e.section is section]
    table = section_table(schema, section, entries, returned=True)
    headers = [c.label for c in table.columns]
    assert "Geographic Reach" in headers and "Year(s) Of Engagement Activity" in headers
    reach = headers.index("Geographic Reach")
    assert [row[reach].value for row in table.rows] == ["Regional"] * 3


def test_changes_name_what_was_added_and_what_changed_with_both_values(schema):
    before = _dataset(schema, [_engagement("Open day", "2019")])
    after = _dataset(schema, [_engagement("Open day", "2019", reach="National"), _engagement("New talk", "2020")])
    changes = compare(before, after, schema)
    kinds = {(c.kind, c.heading) for c in changes.items}
    assert kinds == {(CHANGED, "Open day"), (ADDED, "New talk")}
    [changed] = [c for c in changes.items if c.kind == CHANGED]
    [field] = changed.fields
    assert (field.label, field.old, field.new) == ("Geographic Reach", "Regional", "National")


def test_the_portfolio_report_counts_each_entry_once_and_lists_it(schema, dataset):
    [(award, entries)] = dataset.by_award()
    report = portfolio_report(schema, [(award, entries)], "Portfolio impact report")
    [group] = report.groups
    assert group.name == ALL_AWARDS and group.entries == 4 and group.sentence.startswith("1 award, 4 entries")
    headers, rows = report.entries
    assert headers[:7] == ("Group", "Workbook", "Sheet", "Row", "Entry ID", "Award", "Title")
    assert sorted(row[6] for row in rows) == ["Festival stall", "Follow-on grant", "Open day", "Staff briefing"]


def _view(schema, dataset, selection=None):
    [(award, entries)] = dataset.by_award()
    return Renderer().view(
        schema, award_head(schema, award), select(entries, selection or Selection(), "return", award)
    )


def test_a_year_group_counts_entries_not_entry_years(schema):
    """An entry dated 2010-2014 counts once in "To 2012", and no column exceeds its section."""
    rows = [_engagement("Long series", "2010, 2011, 2012, 2013, 2014")]
    rows += [_engagement(f"Talk {year}", str(year)) for year in range(2013, 2021)]
    view = _view(schema, _dataset(schema, rows))
    glance = view.glance
    assert glance.headers[2] == "To 2012"
    [(title, numbers)] = glance.rows
    assert numbers[0] == 9 and numbers[1] == 1  # the series, once
    assert all(n <= numbers[0] for n in numbers[1:])
    assert glance.totals == numbers
    [chart] = [c for c in view.charts if c.title == "Engagement activities by year"]
    assert chart.categories[0] == "To 2012" and chart.values[0] == 1


def test_a_period_return_counts_and_charts_only_the_period(schema):
    dataset = _dataset(schema, [_engagement("Old", "2016, 2017, 2018, 2019"), _engagement("New", "2019")])
    view = _view(schema, dataset, Selection(period=make_period("2019")))
    assert view.glance.headers == ("Section", "Entries", "2019", "Undated")
    assert dict(view.glance.rows)["Engagement Activities"] == (2, 2, 0)
    # one bar says nothing the table does not: no chart by year for a one-year period
    assert not [c for c in view.charts if c.title == "Engagement activities by year"]
    window = _view(schema, dataset, Selection(period=make_period(None, "2018-04", "2019-03")))
    assert window.glance.headers == ("Section", "Entries", "2018", "2019", "Undated")
    assert dict(window.glance.rows)["Engagement Activities"] == (2, 1, 2, 0)


def test_a_funded_value_of_nothing_is_not_recorded_on_the_cover(schema):
    records = [Record(AWARD, {**AWARD_ROW, "funded_value": "0"}, Origin("memory.xlsx", "Award", 2))]
    dataset, _ = validate(records, schema)
    details = {d.label: d for d in award_head(schema, dataset.awards[0]).details}
    assert details["Funded Value"].missing and details["Funded Value"].text == "not recorded"
    records = [Record(AWARD, {**AWARD_ROW, "funded_value": "651405"}, Origin("memory.xlsx", "Award", 2))]
    dataset, _ = validate(records, schema)
    details = {d.label: d for d in award_head(schema, dataset.awards[0]).details}
    assert not details["Funded Value"].missing and "651,405" in details["Funded Value"].text


def test_answers_to_the_funders_questions_are_not_outcomes(schema):
    records = [
        Record(AWARD, dict(AWARD_ROW), Origin("memory.xlsx", "Award", 2)),
        Record("engagement_activities", _engagement("Open day", "2019"), Origin("memory.xlsx", "Engagement", 2)),
        Record("secondments", {"secondment": "No", "award_reference": "ES/X000001/1"}, Origin("memory.xlsx", "S", 2)),
        Record(
            "skills_shortage",
            {"problem": "Yes", "details": "Hard to hire.", "award_reference": "ES/X000001/1"},
            Origin("memory.xlsx", "K", 2),
        ),
    ]
    dataset, findings = validate(records, schema)
    assert findings.ok, [f.describe() for f in findings.errors]
    view = _view(schema, dataset)
    assert view.entry_count == 1 and [title for title, _ in view.glance.rows] == ["Engagement Activities"]
    assert [(s.title, s.answers) for s in view.sections] == [
        ("Engagement Activities", False),
        ("Secondments", True),
        ("Skills Shortage", True),
    ]
    assert [c.categories for c in view.charts if c.title == "Entries per section"] == []  # one section: no chart
    [(award, entries)] = dataset.by_award()
    [group] = portfolio_report(schema, [(award, entries)], "Portfolio impact report").groups
    assert group.entries == 1
    figures = {f.title: f for f in group.figures}
    assert dict(figures["Entries by section"].rows) == {"Engagement Activities": 1}
    answers = dict(figures["Answers to the funder's questions"].rows)
    assert answers == {
        "Secondments (Secondment?)": "Yes: 0 of 1 award",
        "Skills Shortage (Problem Or Difficulty?)": "Yes: 1 of 1 award",
    }


def test_counts_in_words_have_thousands_separators(schema):
    rows = [_engagement(f"Talk {n}", "2019") for n in range(1001)]
    view = _view(schema, _dataset(schema, rows))
    assert view.summary == "Research outcomes: 1,001 entries in 1 section"
    assert "from 1,001 entries" in view.generated


def test_a_citation_ends_with_the_reference_and_its_bookkeeping_stays_in_excel(schema):
    paper = {
        "title": "A paper",
        "author": "Smith J",
        "year": "2019",
        "journal": "Journal of Things",
        "type": "Journal Article / Review",
        "award_reference": "ES/X000001/1",
    }
    records = [
        Record(AWARD, dict(AWARD_ROW), Origin("memory.xlsx", "Award", 2)),
        Record(
            "publications",
            paper,
            Origin("memory.xlsx", "Publications", 2),
            extra={"researchfish: In EPMC?": "No", "researchfish: Metadata Source": "PubMed"},
        ),
    ]
    dataset, findings = validate(records, schema)
    assert findings.ok, [f.describe() for f in findings.errors]
    view = _view(schema, dataset)
    [entry] = view.sections[0].entries
    assert entry.citation is not None and "A paper" in entry.citation.text
    bookkeeping = ("In EPMC?", "Metadata Source", "Month", "ISSN (Linking)")
    assert not [f.label for f in entry.fields if f.label in bookkeeping]
    table = view.sections[0].table
    labels = {c.label for c in table.columns}
    assert {"researchfish: In EPMC?", "researchfish: Metadata Source", "Month"} <= labels


def test_a_returns_charts_have_at_most_ten_bars(schema):
    audiences = schema.section("engagement_activities").field("primary_audience").vocabulary.values
    assert len(audiences) > 10
    rows = [dict(_engagement(f"Talk {n}", "2019"), primary_audience=a) for n, a in enumerate(audiences * 2)]
    rows += [dict(_engagement("One more", "2019"), primary_audience=audiences[3])]
    view = _view(schema, _dataset(schema, rows))
    [chart] = [c for c in view.charts if c.title == "Engagement activities by primary audience"]
    assert len(chart.categories) == 10 and chart.categories[-1] == f"Other ({len(audiences) - 9})"
    assert audiences[3] in chart.categories and sum(chart.values) == len(rows)  # the largest kept, none lost
    assert list(chart.categories[:-1]) == [a for a in audiences if a in chart.categories]  # in the list's order


def test_a_return_lists_each_change_with_its_old_and_new_value(schema):
    before = _dataset(schema, [_engagement("Open day", "2019")])
    after = _dataset(schema, [_engagement("Open day", "2019", reach="National"), _engagement("New talk", "2020")])
    [(award, entries)] = after.by_award()
    selection = Selection(changes=compare(before, after, schema), since="last-year.xlsx")
    view = Renderer().view(schema, award_head(schema, award), select(entries, selection, "return", award))
    groups = dict(view.changes.groups)
    assert groups["Changed"] == ("Engagement Activities: Open day (Geographic Reach: Regional → National)",)
    assert groups["Added"] == ("Engagement Activities: New talk",)


def test_a_number_written_another_way_and_a_re_harvest_are_no_change(schema):
    paper = {
        "title": "A paper",
        "author": "Smith J",
        "year": "2019",
        "journal": "Journal of Things",
        "type": "Journal Article / Review",
        "award_reference": "ES/X000001/1",
    }

    def dataset(month: str, volume: str, harvest: tuple[str, str] = ("No", "Manual")):
        row = {**paper, "month": month, "volume": volume, "in_epmc": harvest[0], "metadata_source": harvest[1]}
        records = [
            Record(AWARD, dict(AWARD_ROW), Origin("m.xlsx", "Award", 2)),
            Record("publications", row, Origin("m.xlsx", "P", 2)),
        ]
        return validate(records, schema)[0]

    assert compare(dataset("02", "12"), dataset("2", "12"), schema).items == []
    [change] = compare(dataset("02", "12"), dataset("2", "13", ("Yes", "PubMed")), schema).items
    # researchfish re-harvesting a paper (In EPMC?, Metadata Source) is not a change the team reported
    assert [(f.label, f.old, f.new) for f in change.fields] == [("Volume", "12", "13")]


def test_entries_within_a_year_are_ordered_by_date_not_as_entered(schema):
    def grant(name: str, start: str, end: str) -> dict[str, str]:
        return (
            {"description": name, "organisation": "Wellcome Trust", "amount": "£1,000", "start": start}
            | ({"end": end} if end else {})
            | {"award_reference": "ES/X000001/1"}
        )

    funding = [
        grant("A: ends March 2021", "01/2019", "03/2021"),
        grant("B: ends November 2021", "01/2019", "11/2021"),
        grant("C: ends 2019", "01/2018", "06/2019"),
        grant("D: ends July 2021", "02/2020", "07/2021"),
    ]
    view = _view(schema, _dataset(schema, [], funding))
    [section] = [s for s in view.sections if s.key == "further_funding"]
    assert [e.heading[0] for e in section.entries] == ["B", "D", "A", "C"]  # newest first, by month

"""Parsing raw cell values into typed values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reporting.fieldtypes import Money, MonthYear, display, parse, show, split_choices, urls_in


def spec(schema, section, key):
    return schema.section(section).field(key)


@pytest.mark.parametrize(
    "raw, expected",
    [(2019, 2019), (2019.0, 2019), ("2019", 2019), ("'2019", 2019), (" 2019 ", 2019), (dt.datetime(2019, 5, 1), 2019)],
)
def test_year(schema, raw, expected):
    assert parse(spec(schema, "artistic_products", "year_produced"), raw) == (expected, [])


@pytest.mark.parametrize("raw", ["19", "twenty", "1850", "2019a"])
def test_bad_year(schema, raw):
    value, problems = parse(spec(schema, "artistic_products", "year_produced"), raw)
    assert value is None and problems[0].code == "bad-year"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2018,2019", [2018, 2019]),
        ("2019, 2018", [2018, 2019]),
        ("'2019,2020      ", [2019, 2020]),
        (2019, [2019]),
        ("2017-2019", [2017, 2018, 2019]),
        ("2017 - 2018", [2017, 2018]),
        ("2018; 2018", [2018]),
        ("20192020", [2019, 2020]),
        ("201820192020", [2018, 2019, 2020]),
    ],
)
def test_years(schema, raw, expected):
    assert parse(spec(schema, "engagement_activities", "years"), raw) == (expected, [])


def test_bad_years_names_the_token(schema):
    value, problems = parse(spec(schema, "engagement_activities", "years"), "2018, 20l9")
    assert value is None and "'20l9'" in problems[0].message


def test_pre_2006_is_a_year_that_reads_as_written(schema):
    """researchfish's "Pre-2006" answer is valid: it sorts before 2006 and shows as written."""
    field = spec(schema, "engagement_activities", "years")
    value, problems = parse(field, "Pre-2006,2006,2007,")
    assert problems == [] and value == [2005, 2006, 2007]
    assert show(field, {"years": value}) == "Pre-2006, 2006, 2007"
    year, problems = parse(spec(schema, "research_databases", "year_produced"), "Pre-2006")
    assert problems == [] and f"{year}" == "Pre-2006" and year < 2006


def test_excel_dates_made_of_ranges_are_read_back(schema):
    """Excel turns the audience size "11 - 50" into 1 Nov 1950 and "1 - 10" into 1 October."""
    field = spec(schema, "engagement_activities", "audience_size")
    assert parse(field, dt.datetime(1950, 11, 1))[0] == "11 - 50"
    assert parse(field, dt.datetime(2022, 10, 1))[0] == "1 - 10"


def test_several_urls_in_one_cell_are_valid_and_each_found(schema):
    field = spec(schema, "engagement_activities", "url")
    text = "https://a.example/one https://b.example/two, https://c.example/three"
    assert parse(field, text) == (text, [])
    assert urls_in(text) == ["https://a.example/one", "https://b.example/two", "https://c.example/three"]
    value, problems = parse(field, "See https://a.example/one for more")
    assert value and [p.code for p in problems] == ["url-with-text"]


def test_gtr_country_names_map_to_the_list(schema):
    countries = schema.vocabularies["countries"]
    assert countries.match("Switzerland, Swiss Confederation") == ("Switzerland", "variant")
    assert countries.match("Vietnam, Socialist Republic of") == ("Viet Nam", "variant")
    assert countries.match("Korea, Republic of") == ("Korea, Republic of", "exact")


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("07/2018", MonthYear(2018, 7)),
        ("7/2018", MonthYear(2018, 7)),
        ("2018-07", MonthYear(2018, 7)),
        ("2018-07-01", MonthYear(2018, 7)),
        (dt.datetime(2018, 7, 1), MonthYear(2018, 7)),
        ("Jul 2018", MonthYear(2018, 7)),
        ("July 2018", MonthYear(2018, 7)),
        ("15/07/2018", MonthYear(2018, 7)),
        (43282, MonthYear(2018, 7)),
    ],
)
def test_month_year(schema, raw, expected):
    assert parse(spec(schema, "further_funding", "start"), raw) == (expected, [])


def test_month_year_without_month(schema):
    value, problems = parse(spec(schema, "further_funding", "start"), "2018")
    assert value is None and "no month" in problems[0].message


@pytest.mark.parametrize(
    "raw, amount, currency",
    [
        ("£53,886 (GBP)", Decimal("53886"), "GBP"),
        (53886, Decimal("53886"), None),
        ("21000 SEK", Decimal("21000"), "SEK"),
        ("$1,000.50", Decimal("1000.50"), "USD"),
    ],
)
def test_money(schema, raw, amount, currency):
    assert parse(spec(schema, "further_funding", "amount"), raw) == (Money(amount, currency), [])


def test_money_display_has_a_symbol_or_a_code_never_both(schema):
    amount = spec(schema, "further_funding", "amount")
    assert display(amount, Money(Decimal("53886"), None), {"currency": "GBP"}) == "£53,886"
    assert display(amount, Money(Decimal("1200.5"), None), {"currency": "CHF"}) == "1,200.50 CHF"
    assert display(amount, Money(Decimal("1000.5"), None), {"currency": "SEK"}) == "1,000.50 SEK"


def test_choices_split_on_gtr_commas_and_semicolons(schema):
    sectors = spec(schema, "key_findings", "sectors")
    value, problems = parse(
        sectors, "Communities and Social Services/Policy,Education,Government, Democracy and Justice"
    )
    assert value == ["Communities and Social Services/Policy", "Education", "Government, Democracy and Justice"]
    assert problems == []
    assert parse(sectors, "Education; Energy")[0] == ["Education", "Energy"]
    assert split_choices("A, B,C") == ["A, B", "C"]


def test_choice_near_miss_suggests(schema):
    reach = spec(schema, "engagement_activities", "geographic_reach")
    value, problems = parse(reach, "Regionall")
    assert value is None
    assert problems[0].severity == "error" and 'Did you mean "Regional"' in problems[0].hint
    value, problems = parse(reach, "regional")
    assert value == "Regional" and problems[0].severity == "warning"


def test_url_and_doi(schema):
    url = spec(schema, "engagement_activities", "url")
    assert parse(url, "https://example.org/x") == ("https://example.org/x", [])
    assert parse(url, "www.example.org")[1][0].hint == "Write it as https://www.example.org"
    value, problems = parse(url, "https://example.org/" + "a" * 80 + "...")
    assert value and problems[0].code == "url-cut-short"
    doi = spec(schema, "publications", "doi")
    assert parse(doi, "https://doi.org/10.1080/13645579.2021.1890000")[0] == "10.1080/13645579.2021.1890000"
    assert parse(doi, "10.1080")[1][0].code == "bad-doi"


def test_text_cleaning(schema):
    title = spec(schema, "artistic_products", "title")
    assert parse(title, "  A\u00a0title\u00a0 ") == ("A title", [])
    value, problems = parse(title, "bad\x07bell")
    assert value == "badbell" and problems[0].code == "control-character"
    assert parse(title, "TBC")[1][0].code == "placeholder"
    assert parse(title, "A workshop with the aim to input into the Greater Manchester Strategy")[1] == []


@given(
    st.lists(st.integers(min_value=1900, max_value=2100), min_size=1, max_size=6),
    st.sampled_from([",", ", ", ";", " "]),
)
def test_years_round_trip(schema_years, separator):
    from reporting.schema import load_schema

    years = load_schema().section("engagement_activities").field("years")
    text = separator.join(str(y) for y in schema_years)
    value, problems = parse(years, text)
    assert problems == [] and value == sorted(set(schema_years))
    assert parse(years, display(years, value)) == (value, [])


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_money_round_trip(amount):
    from reporting.schema import load_schema

    spec_ = load_schema().section("further_funding").field("amount")
    value, problems = parse(spec_, display(spec_, Money(amount, "GBP")))
    assert problems == [] and value.amount == amount and value.currency == "GBP"


@pytest.mark.parametrize(
    "kind, good, bad",
    [
        ("issn", "1364-5579", "12345678"),
        ("issn", "2049-3630", "1234-5678"),
        ("isbn", "978-0-306-40615-7", "9780306406158"),
        ("isbn", "0-306-40615-2", "0-306-40615-3"),
    ],
)
def test_issn_and_isbn_check_digits(kind, good, bad):
    from reporting.fieldtypes import REGISTRY

    kind_ = REGISTRY[kind]
    assert kind_.check(good) == "" and kind_.check(bad) == f"not a valid {kind.upper()}"


@pytest.mark.parametrize(
    "date, typed, shown, other",
    [
        (dt.date(2022, 4, 3), 2022, "3-4", ""),  # "3-4" typed in 2022: 3 April
        (dt.date(2013, 1, 1), 2022, "1-13", ""),  # "1-13": January 2013
        (dt.date(2023, 5, 1), 2022, "5-23", ""),  # "5-23": May 2023, not typed in 2023
        (dt.date(1933, 1, 1), 2022, "1-33", ""),
        (dt.date(2022, 5, 1), 2022, "1-5", "5-22"),  # typed in 2022: 1 May, or May 2022
        (dt.date(2015, 10, 1), None, "10-15", "1-10"),  # no other dates to tell
    ],
)
def test_a_range_excel_made_a_date_of_is_restored_with_a_warning(schema, date, typed, shown, other):
    spec = schema.section("publications").field("pages")
    value, problems = parse(spec, date, typed)
    assert value == shown
    (problem,) = problems
    assert problem.code == "excel-date" and problem.replacement == shown
    assert (other in problem.message) if other else "may have been" not in problem.message
    # as a datetime (what openpyxl gives) alike
    assert parse(spec, dt.datetime.combine(date, dt.time()), typed)[0] == shown


def test_the_year_a_column_was_typed_in_is_told_by_its_day_month_dates():
    from reporting.fieldtypes import typing_year

    dates = [dt.date(2022, 4, 3), dt.date(2013, 1, 1), dt.date(2022, 10, 7), dt.date(2019, 11, 1)]
    assert typing_year(dates) == 2022
    assert typing_year([dt.date(2013, 1, 1)]) is None
    assert typing_year([dt.date(2022, 5, 1), dt.date(2022, 8, 1), dt.date(2017, 8, 1)]) == 2022

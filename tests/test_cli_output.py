"""The command line's whole output for typical runs: what a user reads, line for line.

Other CLI tests check one fact each; these pin the complete text, so that any change to what
users see (wording, order, grouping, counts) is a deliberate one.
"""

from __future__ import annotations

import pickle
import textwrap

import pytest
from click.testing import CliRunner

from reporting.cli import cli
from reporting.errors import UsageError
from reporting.periods import make_period

from conftest import write_input


def run(tmp_path, *args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def engagement(**overrides):
    row = {
        "Description": "Open day",
        "Form Of Engagement Activity": "A talk or presentation",
        "Part Of Official Scheme?": "No",
        "Geographic Reach": "Regional",
        "Primary Audience": "Schools",
        "Year(s) Of Engagement Activity": "2019",
        "Results and Impact": "Many came.",
    }
    row.update(overrides)
    return {k: v for k, v in row.items() if v is not None}


@pytest.fixture
def small(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    return write_input(
        tmp_path / "small.xlsx",
        {
            "Engagement Activities": [
                engagement(),
                engagement(**{"Geographic Reach": "Regionl"}),
                engagement(**{"Description": None, "Year(s) Of Engagement Activity": "2030"}),
            ]
        },
    )


def test_validate_prints_every_finding_grouped_with_a_summary(tmp_path, small):
    result = run(tmp_path, "validate", "small.xlsx")
    assert result.exit_code == 1
    assert result.output == textwrap.dedent("""\
        small.xlsx / Engagement Activities
          ERROR Engagement Activities!D3: Geographic Reach: "Regionl" is not one of the allowed values
            Did you mean "Regional"?
          ERROR Engagement Activities!A4: Description: is required but empty
            Fill in Description. What the activity was, in one line.
          ERROR Engagement Activities!F4: Year(s) Of Engagement Activity: 2030 is in the future
            If it is expected, report it once it has happened.
        3 errors, 0 warnings.
        """)


def test_build_refuses_invalid_entries_and_says_how_to_see_them(tmp_path, small):
    result = run(tmp_path, "build", "small.xlsx", "-o", "out")
    assert result.exit_code == 1
    assert result.output.splitlines()[-2:] == [
        "3 errors, 0 warnings.",
        "Nothing written: 3 errors must be fixed first. Run `funder-report validate --annotate checked/ small.xlsx` "
        "for a copy of each workbook with the problem cells highlighted.",
    ]
    assert not (tmp_path / "out").exists()


def test_build_of_a_valid_workbook_names_what_it_wrote(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_input(
        tmp_path / "ok.xlsx",
        {
            "Engagement Activities": [
                engagement(),
                engagement(**{"Description": "Podcast", "Geographic Reach": "National"}),
            ]
        },
    )
    result = run(tmp_path, "build", "ok.xlsx", "-o", "out")
    assert result.exit_code == 0, result.output
    assert result.output == textwrap.dedent("""\
        Built 1 award return from 2 entries:
          out/TE-ST-1-return.docx
          out/TE-ST-1-return.xlsx
        """)


@pytest.mark.parametrize(
    "args, expected",
    [
        (
            ["build", "--period", "20x"],
            'Error: --period takes a year such as 2019 (or 2019-2020), not "20x".\n'
            "For months use --from 2019-04 --to 2020-03.\n",
        ),
        (
            ["build", "--from", "2019-04"],
            "Error: --from and --to go together.\nFor example: --from 2019-04 --to 2020-03.\n",
        ),
        (["build", "--from", "2020-04", "--to", "2019-03"], "Error: --to 2019-03 is before --from 2020-04.\n"),
    ],
)
def test_usage_errors_name_this_commands_flags(tmp_path, small, args, expected):
    result = run(tmp_path, *args, "small.xlsx")
    assert (result.exit_code, result.output) == (2, expected)


@pytest.mark.parametrize(
    "args, expected",
    [
        (
            ["build", "--templates", "nowhere", "small.xlsx"],
            "Error: --templates nowhere: no such folder.\nMake one with `funder-report templates export DIR`.\n",
        ),
        (
            ["diff", "nowhere.xlsx", "small.xlsx"],
            "Error: nowhere.xlsx: no such file.\nCheck the path and the file name.\n",
        ),
        (
            ["build", "--since", "nowhere.xlsx", "small.xlsx"],
            "Error: nowhere.xlsx: no such file.\nCheck the path and the file name.\n",
        ),
        (
            ["build", "--template", "nowhere.docx", "small.xlsx"],
            "Error: The Word template nowhere.docx: no such file.\n"
            "Check the path, or leave out --template to use the default.\n",
        ),
    ],
)
def test_a_file_that_is_not_there_is_exit_3_on_every_command(tmp_path, small, args, expected):
    result = run(tmp_path, *args)
    assert (result.exit_code, result.output) == (3, expected)


def test_overwrite_refusal_names_the_flags_of_the_command_used(tmp_path, small):
    (tmp_path / "taken.xlsx").write_bytes(b"someone's work")
    result = run(tmp_path, "suggest-partners", "small.xlsx", "-o", "taken.xlsx")
    assert (result.exit_code, result.output) == (
        2,
        "Error: taken.xlsx was not written by funder-report, or has been changed since; not replacing it.\n"
        "Keep your edits by writing elsewhere (--output), or add --force to replace it.\n",
    )
    assert (tmp_path / "taken.xlsx").read_bytes() == b"someone's work"


def test_library_errors_name_parameters_not_flags():
    with pytest.raises(UsageError) as caught:
        make_period(start="2020-04", end="2019-03")
    assert str(caught.value) == "`end` 2019-03 is before `start` 2020-04."
    assert caught.value.param == "end"
    copy = pickle.loads(pickle.dumps(caught.value))  # errors cross process boundaries intact
    assert (copy.message, copy.hint, copy.param) == (caught.value.message, caught.value.hint, "end")


def test_import_prints_what_became_of_every_row(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_input(
        tmp_path / "theirs.xlsx",
        {
            "Engagement Activities": [engagement(), engagement(**{"Description": "Podcast"})],
            "Further Funding": [
                {
                    "Description": "Follow-on grant",
                    "Organisation": "Wellcome Trust",
                    "Amount": "£1,000",
                    "Start": "2019-04",
                    "Funding ID": "W1",
                    "Sector": "Charity/Non Profit",
                    "Country": "United Kingdom",
                }
            ],
        },
    )
    result = run(tmp_path, "import", "theirs.xlsx", "-o", "ours.xlsx")
    assert result.exit_code == 0, result.output
    assert result.output == textwrap.dedent("""\
        Read theirs.xlsx (input workbook (.xlsx)).
        Source                       Section                              rows  entries  merged  empty  not placed
        Further Funding              Further Funding                         1        1                           
        Engagement Activities        Engagement Activities                   2        2                           
        Total (outcome rows)                                                 3        3       0      0           0
        rows = entries + merged (the same outcome for another award: one entry lists all its awards) + empty (nothing but the source's own columns) + not placed (each named below).
        Wrote ours.xlsx: 3 entries for 1 award.
        """)


def test_a_capped_listing_puts_every_error_before_any_warning_and_names_the_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = [engagement(**{"Description": f"Talk {i}", "URL": f"https://example.org/{i}/cut..."}) for i in range(40)]
    rows.append(engagement(**{"Geographic Reach": "Regionl"}))
    write_input(tmp_path / "many.xlsx", {"Engagement Activities": rows})
    result = CliRunner().invoke(cli, ["build", "many.xlsx", "-o", "out"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()  # the report is on standard output, to be saved or paged
    assert lines[0] == "many.xlsx / Engagement Activities"
    assert lines[1].startswith("  ERROR Engagement Activities!D42: Geographic Reach")
    assert sum(line.startswith("many.xlsx") for line in lines) == 1  # no empty headings
    assert "… and 11 more, by kind (`funder-report validate many.xlsx` lists them all):" in lines
    assert "      11  warning url-cut-short (URL)" in lines
    assert lines[-1].startswith(
        "Nothing written: 1 error must be fixed first. Run `funder-report validate --annotate checked/ many.xlsx`"
    )
    assert result.stderr == ""


def test_validate_writes_its_report_to_standard_output(tmp_path, small):
    result = CliRunner().invoke(cli, ["validate", "small.xlsx"])
    assert result.exit_code == 1
    assert result.stdout.endswith("3 errors, 0 warnings.\n") and result.stderr == ""

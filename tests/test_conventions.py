"""One set of conventions for every command, and output that says what happened (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reporting import InvalidEntries, build
from reporting.cli import cli

from conftest import ROOT, write_input

SEED_INPUT = ROOT / "inputs" / "jam-and-justice.xlsx"
ENGAGEMENT = {
    "Description": "Open day",
    "Form Of Engagement Activity": "A talk or presentation",
    "Part Of Official Scheme?": "No",
    "Geographic Reach": "Regional",
    "Primary Audience": "Schools",
    "Year(s) Of Engagement Activity": "2019",
    "Results and Impact": "Many came.",
}


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_a_period_build_says_how_many_entries_it_used_of_how_many(tmp_path):
    result = run("build", SEED_INPUT, "-o", tmp_path / "out", "--period", "2019")
    assert result.exit_code == 0, result.output
    [line] = [line for line in result.stdout.splitlines() if line.startswith("Built")]
    assert line.startswith("Built 1 award return from ") and " of 299 entries (dated in 2019):" in line
    used = int(line.split(" from ")[1].split(" of ")[0])
    assert 0 < used < 299


def test_the_library_build_raises_on_invalid_entries_and_writes_nothing(tmp_path):
    path = write_input(
        tmp_path / "bad.xlsx", {"Engagement Activities": [dict(ENGAGEMENT, **{"Geographic Reach": "Regionl"})]}
    )
    with pytest.raises(InvalidEntries) as raised:
        build([path], tmp_path / "out")
    assert raised.value.result.findings.errors[0].value == "Regionl"
    assert not (tmp_path / "out").exists()


def test_profiles_with_no_linked_partner_say_why(tmp_path):
    path = write_input(tmp_path / "alone.xlsx", {"Engagement Activities": [ENGAGEMENT]})
    result = run("profiles", path, "-o", tmp_path / "out")
    assert result.exit_code == 0
    assert "Nothing written: no entry is linked to a partner organisation" in result.stdout


def test_suggest_partners_writes_to_outputs_so_a_bare_build_reads_inputs_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inputs").mkdir()
    (tmp_path / "inputs" / "jam.xlsx").write_bytes(SEED_INPUT.read_bytes())
    result = run("suggest-partners")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "outputs" / "jam-suggested.xlsx").is_file()
    assert sorted(p.name for p in (tmp_path / "inputs").iterdir()) == ["jam.xlsx"]
    built = run("build")
    assert built.exit_code == 0, built.output
    assert "from 299 entries" in built.stdout


def test_suggest_partners_takes_several_workbooks_and_says_why_it_found_nothing(tmp_path):
    plain = write_input(tmp_path / "plain.xlsx", {"Engagement Activities": [ENGAGEMENT]})
    result = run("suggest-partners", SEED_INPUT, plain, "-o", tmp_path / "copies", "--json")
    assert result.exit_code == 0, result.output
    import json

    reports = json.loads(result.stdout)
    assert [Path(r["output"]).name for r in reports] == ["jam-and-justice-suggested.xlsx", "plain-suggested.xlsx"]
    assert reports[0]["suggestions"] and not reports[1]["suggestions"]
    text = run("suggest-partners", plain, "-o", tmp_path / "again")
    assert "no possible links: there are no partner organisations to look for" in text.stdout
    one_file = run("suggest-partners", SEED_INPUT, plain, "-o", tmp_path / "both.xlsx")
    assert one_file.exit_code == 2 and "Name a folder" in one_file.output


@pytest.mark.parametrize(
    "args",
    [
        ["init", "{tmp}/blank.xls"],
        ["import", str(SEED_INPUT), "-o", "{tmp}/x.csv"],
        ["suggest-partners", str(SEED_INPUT), "-o", "{tmp}/x.xlsm.bak"],
    ],
)
def test_a_workbook_name_with_another_extension_is_refused(tmp_path, args):
    result = run(*[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert result.exit_code == 2, result.output
    assert "an Excel workbook's name ends in .xlsx" in result.output
    assert list(tmp_path.iterdir()) == []


def test_init_and_import_take_a_folder_for_their_output(tmp_path):
    assert run("init", tmp_path).exit_code == 0
    assert (tmp_path / "outcomes.xlsx").is_file()
    result = run("import", SEED_INPUT, "-o", tmp_path / "imported")
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "imported").glob("*.xlsx")] == [
        "jam-and-justice-co-producing-urban-governance-for-social.xlsx"
    ]


def test_an_imported_workbook_keeps_what_the_import_found(tmp_path):
    import openpyxl

    from conftest import SEED, require

    require(SEED)
    result = run("import", SEED, "-o", tmp_path / "jam.xlsx")
    assert result.exit_code == 0
    log = openpyxl.load_workbook(tmp_path / "jam.xlsx")["Import Log"]
    rows = list(log.iter_rows(min_row=4, values_only=True))
    assert log["A1"].value.startswith(f"Imported from {SEED.name}: 0 errors, ")
    assert ("warning", "citation-split", "line 65") == rows[0][:3]  # a finding validate cannot show again
    assert len(rows) == int(log["A1"].value.split(", ")[1].split()[0])
    again = run("validate", tmp_path / "jam.xlsx")
    assert "Import Log" not in again.output  # the log is not read as entries


def test_diff_shows_the_words_that_changed_inside_a_long_text(tmp_path):
    long = (
        "We ran a series of open days for schools in Greater Manchester where pupils met the "
        "researchers, tried the methods themselves and discussed what co-production means for their city."
    )
    edited = long.replace("pupils met the researchers", "pupils and teachers met the researchers")
    before = write_input(
        tmp_path / "a.xlsx", {"Engagement Activities": [dict(ENGAGEMENT, **{"Results and Impact": long})]}
    )
    after = write_input(
        tmp_path / "b.xlsx", {"Engagement Activities": [dict(ENGAGEMENT, **{"Results and Impact": edited})]}
    )
    result = run("diff", before, after)
    assert result.exit_code == 0, result.output
    assert (
        "      Results and Impact: …Greater Manchester where pupils {+and teachers+} met the researchers, tried…"
        in result.stdout.splitlines()
    )
    import json

    [item] = json.loads(run("diff", before, after, "--json").stdout)["changes"]
    assert item["fields"][0]["changed_words"] == [
        {
            "before": "Greater Manchester where pupils",
            "removed": "",
            "added": "and teachers",
            "after": "met the researchers, tried",
        }
    ]


def test_a_word_template_lacking_styles_is_named_with_what_it_lacks(tmp_path):
    import docx

    plain = tmp_path / "plain.docx"
    docx.Document().save(str(plain))  # Word's own default: headings, but none of the return's styles
    path = write_input(tmp_path / "one.xlsx", {"Engagement Activities": [ENGAGEMENT]})
    result = run("build", path, "-o", tmp_path / "out", "--template", plain)
    assert result.exit_code == 0, result.output
    [note] = [line for line in result.stdout.splitlines() if line.startswith("Note: ")]
    assert f"The Word template {plain} has no " in note and "Award Detail" in note and "Heading 1," not in note
    default = run("build", path, "-o", tmp_path / "out2")
    assert "Note:" not in default.stdout


def _commands(group=None, prefix=""):
    import click

    group = group or cli
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + name + " ")
        else:
            yield prefix + name, command


WRITERS = {
    "init",
    "import",
    "validate",
    "build",
    "profiles",
    "portfolio",
    "suggest-partners",
    "fix",
    "templates export",
}
REPORTERS = {"import", "validate", "build", "profiles", "portfolio", "suggest-partners", "fix", "diff"}


@pytest.mark.parametrize("name, command", list(_commands()), ids=[n for n, _ in _commands()])
def test_every_command_keeps_the_conventions(name, command, tmp_path):
    import re

    from conftest import ROOT

    options = {
        opt
        for param in command.params
        for opt in param.opts
        if opt.startswith("--") and not getattr(param, "hidden", False)
    }  # old spellings kept hidden
    assert ("--force" in options) == (name in WRITERS), name
    assert ("--json" in options) == (name in REPORTERS), name
    helped = run(*name.split(), "--help", "--debug")  # --debug after the command name
    assert helped.exit_code == 0, helped.output
    assert re.search(rf"\n +Example:\n +funder-report {name} ", helped.output), helped.output
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [row] = [line for line in readme.splitlines() if line.startswith(f"| `funder-report {name}")]
    for option in options - {"--debug", "--help"}:
        assert re.search(rf"`(-\w/)?{option}`", row), f"{name}: {option} is not in the README's table"
    documented = set(re.findall(r"`(?:-\w/)?(--[\w-]+)`", row))
    assert documented <= options, f"{name}: the README names {documented - options}, which it does not take"


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "{missing}"],
        ["build", "{missing}", "-o", "{tmp}/o"],
        ["profiles", "{missing}", "-o", "{tmp}/o"],
        ["import", "{missing}"],
        ["portfolio", "{missing}", "-o", "{tmp}/o"],
        ["portfolio", str(SEED_INPUT), "--groups", "{missing}", "-o", "{tmp}/o"],
        ["suggest-partners", "{missing}"],
        ["diff", "{missing}", str(SEED_INPUT)],
        ["diff", str(SEED_INPUT), "{missing}"],
        ["build", str(SEED_INPUT), "--since", "{missing}", "-o", "{tmp}/o"],
    ],
)
def test_a_missing_input_is_exit_3_and_named_on_every_command(tmp_path, args):
    missing = tmp_path / "not-here.xlsx"
    result = run(*[a.replace("{missing}", str(missing)).replace("{tmp}", str(tmp_path)) for a in args])
    assert result.exit_code == 3, result.output
    assert f"{missing}: no such file." in result.output


@pytest.mark.parametrize(
    "args, taken, named",
    [
        (["init", "{tmp}/taken.xlsx"], "taken.xlsx", "(another PATH)"),
        (["templates", "export", "{tmp}"], "texts.toml", "(another FOLDER)"),
        (
            ["build", str(SEED_INPUT), "-o", "{tmp}"],
            "jam-and-justice-co-producing-urban-governance-for-social-return.docx",
            "(--output-dir)",
        ),
        (["suggest-partners", str(SEED_INPUT), "-o", "{tmp}"], "jam-and-justice-suggested.xlsx", "(--output)"),
        (["validate", str(SEED_INPUT), "--annotate", "{tmp}"], "jam-and-justice-checked.xlsx", "(--annotate)"),
    ],
)
def test_a_refusal_names_what_this_command_takes(tmp_path, args, taken, named):
    (tmp_path / taken).write_bytes(b"a person's file")
    result = run(*[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert result.exit_code == 2, result.output
    assert f"Keep your edits by writing elsewhere {named}, or add --force to replace it." in result.output
    assert (tmp_path / taken).read_bytes() == b"a person's file"


def test_an_awards_empty_title_is_worded_as_the_awards(tmp_path):
    path = write_input(
        tmp_path / "untitled.xlsx",
        {"Engagement Activities": [ENGAGEMENT]},
        award={"Award Reference": "TE/ST/2", "Title": " "},
    )
    result = run("validate", path)
    assert "Award!B2: Title: the award's Title is empty; researchfish asks for it" in result.stdout, result.stdout


def test_a_draft_marks_placeholders_and_a_final_build_refuses_them(tmp_path):
    import docx

    path = write_input(
        tmp_path / "draft.xlsx",
        {
            "Engagement Activities": [
                dict(
                    ENGAGEMENT,
                    **{"Results and Impact": "TBC", "URL": "https://example.org/a-long-page-that-was-cut..."},
                )
            ]
        },
    )
    draft = run("build", path, "-o", tmp_path / "draft")
    assert draft.exit_code == 0, draft.output
    text = "\n".join(p.text for p in docx.Document(str(next((tmp_path / "draft").glob("*.docx")))).paragraphs)
    assert "TBC [Check: placeholder text]" in text
    assert "https://example.org/a-long-page-that-was-cut... [Check: link cut short]" in text
    final = run("build", path, "-o", tmp_path / "final", "--final")
    assert final.exit_code == 1
    assert "ERROR Engagement Activities!G2: Results and Impact: looks like placeholder text" in final.stdout
    assert "url-cut-short" in run("build", path, "-o", tmp_path / "final", "--final", "--json").stdout
    assert not (tmp_path / "final").exists()


def test_fix_applies_only_safe_fixes_to_a_copy_and_lists_each(tmp_path):
    import hashlib
    import json

    import openpyxl

    path = write_input(
        tmp_path / "messy.xlsx",
        {
            "Engagement Activities": [
                dict(ENGAGEMENT, **{"Geographic Reach": "regional", "Primary Audience": " schools "}),
                dict(ENGAGEMENT, Description="Podcast", **{"Geographic Reach": "Regionl"}),
            ]
        },
    )
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    result = run("fix", path, "-o", tmp_path / "fixed", "--json")
    assert result.exit_code == 1  # one error is left for a person
    [report] = json.loads(result.stdout)
    assert [(c["cell"], c["before"], c["after"]) for c in report["changes"]] == [
        ("D2", "regional", "Regional"),
        ("E2", " schools ", "Schools"),
    ]
    assert [f["code"] for f in report["left"]] == ["not-in-list"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    copy = tmp_path / "fixed" / "messy-fixed.xlsx"
    sheet = openpyxl.load_workbook(copy)["Engagement Activities"]
    assert (sheet["D2"].value, sheet["E2"].value, sheet["D3"].value) == ("Regional", "Schools", "Regionl")
    checked = run("validate", copy, "--json")
    assert [f["code"] for f in json.loads(checked.stdout)["findings"]] == ["not-in-list"]
    text = run("fix", path, "-o", tmp_path / "again")
    assert 'Engagement Activities!D2: Geographic Reach: "regional" -> "Regional"' in text.stdout


def test_import_takes_several_files_or_a_folder_into_one_workbook(tmp_path):
    import json

    from conftest import REAL, require

    folder = REAL / "gtr-xml"
    require(folder)
    three = sorted(folder.glob("*.xml"))[:3]
    for path in three:
        (tmp_path / "records").mkdir(exist_ok=True)
        (tmp_path / "records" / path.name).write_bytes(path.read_bytes())
    alone = [json.loads(run("import", p, "-o", tmp_path / f"{p.stem}.xlsx", "--json").stdout) for p in three]
    together = run("import", tmp_path / "records", "-o", tmp_path / "portfolio.xlsx", "--json")
    assert together.exit_code == 0, together.output
    report = json.loads(together.stdout)
    assert report["awards"] == 3
    rows = sum(part["rows"] for one in alone for part in one["parts"])
    assert sum(part["rows"] for part in report["parts"]) == rows  # every row of every file accounted for
    parts = report["parts"]
    assert all(p["rows"] == p["entries"] + p["merged"] + p["empty"] + p["not_placed"] for p in parts)
    text = run("import", *three, "-o", tmp_path / "again.xlsx")
    assert "Read 3 files (" in text.stdout and "Wrote " in text.stdout

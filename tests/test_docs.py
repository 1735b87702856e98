"""The README documents every command and every finding code the tool can report."""

from __future__ import annotations

import ast
import string

import click

from reporting.cli import cli
from reporting.findings import CODES, WORDINGS

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "") -> list[str]:
    names = []
    for name, command in group.commands.items():
        names.append(prefix + name)
        if isinstance(command, click.Group):
            names.extend(_commands(command, prefix + name + " "))
    return names


def test_every_command_is_in_the_readme():
    for name in _commands(cli):
        assert f"funder-report {name}" in README, name


#: Functions that make findings, and the position of their code argument (the severity and
#: the variant follow it).
_MAKERS = {"of": 0, "add": 0, "note": 0, "_finding": 2}


def _strings(node: ast.AST | None) -> list[str]:
    """The string constants an argument can be (both arms of `a if c else b`)."""
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return [node.value] if isinstance(node, ast.Constant) and isinstance(node.value, str) else []


def _finding_calls():
    """(place, codes, variants, keyword names, has **kwargs) of every call that makes a finding."""
    for path in sorted((ROOT / "reporting").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            index = _MAKERS.get(name)
            if index is None or len(node.args) <= index + 1 or isinstance(node.args[index + 1], ast.Constant):
                continue  # a finding's code is followed by its severity (ERROR, WARNING or a variable)
            codes = _strings(node.args[index])
            if not codes:
                continue
            variant = node.args[index + 2] if len(node.args) > index + 2 else None
            variants = _strings(variant) if variant is not None else [""]
            keywords = {k.arg for k in node.keywords if k.arg}
            yield f"{path.name}:{node.lineno}", codes, variants, keywords, any(k.arg is None for k in node.keywords)


def _source_strings() -> set[str]:
    found = set()
    for path in (ROOT / "reporting").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found


def test_every_finding_code_is_catalogued_used_and_documented():
    used = {code for _, codes, _, _, _ in _finding_calls() for code in codes}
    assert len(used) > 40
    assert used <= set(CODES), used - set(CODES)
    strings = _source_strings()
    assert not set(CODES) - strings, f"catalogued but never made: {set(CODES) - strings}"
    for code in CODES:
        assert f"| `{code}` |" in README, code


def test_every_finding_is_worded_by_the_catalogue_with_what_its_words_need():
    for place, codes, variants, keywords, splat in _finding_calls():
        for code in codes:
            for variant in variants:
                assert (code, variant) in WORDINGS, f"{place}: no wording for {code} {variant!r}"
                wording = WORDINGS[(code, variant)]
                needed = {
                    name
                    for text in (wording.message, wording.hint)
                    for _, name, _, _ in string.Formatter().parse(text)
                    if name
                }
                if not splat:
                    assert needed <= keywords, f"{place}: {code} {variant!r} needs {needed - keywords}"
    strings = _source_strings()
    unused = {(code, variant) for code, variant in WORDINGS if variant and variant not in strings}
    assert not unused, f"variants no finding uses: {unused}"


def test_the_exit_codes_in_the_readme_are_the_ones_the_commands_use():
    import re

    from reporting.cli import base as cli_module
    from reporting.errors import InvalidEntries, ReportingError, UsageError

    section = README.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", section, re.M)}
    used = {
        cli_module.EXIT_OK,
        cli_module.EXIT_INVALID,
        cli_module.EXIT_USAGE,
        cli_module.EXIT_FAILED,
        ReportingError.exit_code,
        UsageError.exit_code,
        InvalidEntries.exit_code,
        cli_module.EXIT_INTERRUPTED,
    }
    assert documented == used

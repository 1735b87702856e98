"""The README documents every command and every finding code the tool can report."""

from __future__ import annotations

import ast

import click

from reporting.cli import cli
from reporting.findings import CODES

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


def _codes_in_source() -> set[str]:
    """The code (first argument) of every Finding and Problem the package creates."""
    found = set()
    for path in (ROOT / "reporting").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            index = {"Finding": 0, "Problem": 0, "add": 0, "_finding": 2}.get(name)
            if index is None or len(node.args) <= index:
                continue
            argument = node.args[index]
            options = [argument.body, argument.orelse] if isinstance(argument, ast.IfExp) else [argument]
            found.update(o.value for o in options if isinstance(o, ast.Constant) and isinstance(o.value, str))
    return found


def test_every_finding_code_is_catalogued_and_documented():
    used = _codes_in_source()
    assert len(used) > 40
    assert used <= set(CODES), used - set(CODES)
    for code in CODES:
        assert f"| `{code}` |" in README, code

"""Architecture rules: each third-party library is used in one module; imports point one way."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "reporting"

OWNERS = {
    "click": {"cli.py"},
    "openpyxl": {"workbook.py"},
    "docx": {"docx_writer.py"},
    "xlsxwriter": {"xlsx_writer.py"},
    "jinja2": {"texts.py"},
    "defusedxml": set(),  # used by openpyxl itself, never imported by us
    "lxml": set(),
}

#: Lower layers never import higher ones.
LOWER = {
    "errors.py": set(),
    "findings.py": set(),
    "text.py": set(),
    "schema.py": {"errors"},
    "fieldtypes.py": {"findings", "schema", "text"},
    "model.py": {"schema"},
    "texts.py": {"errors"},
    "parallel.py": set(),
    "periods.py": {"errors", "fieldtypes", "model"},
    "partners.py": {"findings", "model", "schema"},
    "changes.py": {"fieldtypes", "model", "schema"},
    "returns.py": {"fieldtypes", "model", "periods", "schema", "text"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
            elif node.level >= 1 and node.module:
                names.add("." + node.module.split(".")[0])
            elif node.level >= 1:  # from . import fieldtypes
                names.update("." + alias.name for alias in node.names)
    return names


def test_third_party_libraries_are_confined():
    for path in PACKAGE.rglob("*.py"):
        imported = _imports(path)
        for library, owners in OWNERS.items():
            if library in imported:
                assert path.name in owners, f"{path.name} imports {library}"


def test_lower_layers_do_not_import_higher_ones():
    for name, allowed in LOWER.items():
        local = {i[1:] for i in _imports(PACKAGE / name) if i.startswith(".")}
        assert local <= allowed, f"{name} imports {local - allowed}"

"""Architecture rules, over every module of the package: each third-party library is used in
one module, and imports point one way, from higher ranks to lower ones (a module never imports
one of its own rank or above). A new module must be given a rank here."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "reporting"

OWNERS = {
    "click": {"cli", "cli.base", "cli.building", "cli.commands"},
    "openpyxl": {"workbook.copies"},
    "python_calamine": {"workbook.values"},
    "docx": {"docx_writer"},
    "xlsxwriter": {"xlsx_writer"},
    "jinja2": {"texts"},
    "flask": {"web.app", "web.extension", "web.views", "web.builds"},  # the application, its extension, its pages
    "werkzeug": {"web.app", "web.views", "web.builds"},
    "waitress": {"web.server"},
    "markdown_it": {"web.guide"},
    "pypdf": {"pdf_alt"},
    "defusedxml": set(),  # used by openpyxl itself, never imported by us
    "lxml": set(),
}

#: Every module, by rank: data flows from the low ranks (values, schema) up to the CLI.
RANKS = {
    "errors": 0,
    "findings": 0,
    "text": 0,
    "vocabulary": 0,
    "version": 0,
    "imported": 0,
    "printed": 0,
    "fieldtypes.base": 1,
    "fieldtypes.texts": 2,
    "fieldtypes.dates": 2,
    "fieldtypes.choices": 2,
    "fieldtypes.ranges": 2.5,
    "fieldtypes": 3,
    "spec": 4,
    "schema": 4.5,
    "model": 5,
    "sheets": 7,
    "selection": 7,
    "inputs": 8,
    "periods": 6,
    "partners": 6,
    "changes": 6,
    "texts": 6,
    "outputs": 6,
    "parallel": 6,
    "duplicates": 6.5,
    "typed_values": 6.9,
    "validation": 7,
    "views": 7.5,
    "entry_views": 7.8,
    "returns": 8,
    "heads": 8.1,
    "pdf_alt": 6.8,
    "pdf": 7,
    "figures": 8.3,
    "portfolio_figures": 8.4,
    "portfolio": 8.5,
    "workbook.guard": 1,
    "workbook.sheetxml": 1,
    "workbook.values": 2,
    "workbook.layout": 8,
    "workbook.read": 9,
    "workbook.tables": 9,
    "workbook.copies": 9,
    "workbook": 10,
    "wordml": 1,
    "docx_body": 9,
    "docx_writer": 10,
    "xlsx_writer": 9,
    "xlsx_return": 9.1,
    "xlsx_portfolio": 9.2,
    "importers.kinds": 1,
    "importers.bibtex": 0,
    "importers.result": 9,
    "importers.rf_layout": 10.5,
    "importers.rf_csv": 11.5,
    "importers.gtr_api": 11,
    "importers.gtr_csv": 11,
    "importers.publications": 10.8,
    "importers.pub_bibtex": 10.9,
    "importers.pub_orcid": 10.9,
    "importers.pub_ris": 11,
    "importers.pub_json": 10.9,
    "importers.pub_table": 10.9,
    "importers.trees": 1,
    "importers.gtr_page": 11,
    "importers.researchfish": 11,
    "importers": 12,
    "templating": 11,
    "loading": 11,
    "convert": 12.5,
    "adding": 12.6,
    "fixing": 12.5,
    "request": 6.5,
    "pipeline": 13,
    "console": 13.5,
    "web.state": 1,
    "web.workspaces": 1.5,
    "web.guide": 1,
    "web.work": 13.6,
    "web.extension": 13.62,
    "web.views": 13.65,
    "web.builds": 13.66,
    "web.pool": 1,
    "web.server": 1,
    "web.app": 13.7,
    "web": 13.8,
    "cli.base": 14,
    "cli.building": 14.1,
    "cli.commands": 14.1,
    "cli": 14.2,
    "__main__": 15,
    "": 15,
}
#: Modules that render: they read only views (of a return, of a workbook), never the model, the
#: field types or the schema.
RENDERERS = ("docx_writer", "docx_body", "xlsx_writer", "xlsx_return", "xlsx_portfolio")


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _runtime_nodes(tree: ast.AST):
    """Every node, except those under `if TYPE_CHECKING:` (imports for annotations only)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and isinstance(child.test, ast.Name) and child.test.id == "TYPE_CHECKING":
                stack.extend(child.orelse)
                continue
            stack.append(child)


def _imports(name: str, path: Path, modules: dict[str, Path]) -> tuple[set[str], set[str]]:
    """(package modules, third-party top-level names) that module `name` imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    here = name.split(".") if name else []
    local, external = set(), set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top == "reporting":
                    local.add(".".join(alias.name.split(".")[1:]))
                else:
                    external.add(top)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                top = (node.module or "").split(".")[0]
                if top == "reporting":
                    local.add(".".join((node.module or "").split(".")[1:]))
                else:
                    external.add(top)
                continue
            base = here if is_package else here[:-1]
            base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
            target = ".".join(base + (node.module.split(".") if node.module else []))
            if node.module is None:  # from . import a, b: modules where they are modules
                for alias in node.names:
                    candidate = ".".join(filter(None, [target, alias.name]))
                    local.add(candidate if candidate in modules else target)
            else:
                local.add(target)
    return local, external


def test_every_module_has_a_rank():
    assert set(_modules()) == set(RANKS), set(_modules()) ^ set(RANKS)


def test_third_party_libraries_are_confined():
    modules = _modules()
    for name, path in modules.items():
        _, external = _imports(name, path, modules)
        for library, owners in OWNERS.items():
            if library in external:
                assert name in owners, f"{name} imports {library}"


def test_imports_point_down_the_ranks():
    modules = _modules()
    for name, path in modules.items():
        local, _ = _imports(name, path, modules)
        for target in local:
            assert target in RANKS, f"{name} imports {target}, which is not a module"
            assert RANKS[target] < RANKS[name], f"{name} (rank {RANKS[name]}) imports {target} (rank {RANKS[target]})"


def test_renderers_read_only_views():
    modules = _modules()
    for name in RENDERERS:
        local, _ = _imports(name, modules[name], modules)
        assert not local & {"model", "fieldtypes", "schema", "spec", "validation"}, (name, local)


def test_the_command_line_loads_flask_only_to_serve():
    code = "import sys, reporting.cli; print('flask' in sys.modules, 'waitress' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PACKAGE.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False False"


def test_importing_the_schema_loads_no_document_library():
    """The package is lazy: using the schema or validation does not load python-docx & co."""
    code = (
        "import sys, reporting.schema, reporting.validation; "
        "print(sorted(m for m in ('docx', 'openpyxl', 'xlsxwriter', 'jinja2', 'click', 'flask') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PACKAGE.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_every_module_has_a_row_in_the_architecture_table():
    """ARCHITECTURE.md's module table names every module: by its dotted name, or on its
    package's row (`workbook` (`values`, ...))."""
    text = (PACKAGE.parent / "ARCHITECTURE.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    missing = []
    for name in _modules():
        if name in ("", "__main__") and "`__main__`" in text:
            continue
        package, _, leaf = name.rpartition(".")
        named = any(f"`{name}`" in row or f"`{name}/`" in row for row in rows) or any(
            (f"`{package}`" in row or f"`{package}/`" in row) and f"`{leaf}`" in row for row in rows if package
        )
        if not named:
            missing.append(name)
    assert not missing, f"not in ARCHITECTURE.md's module table: {missing}"


#: A module a newcomer can read in one sitting (the guide's limit).
MAX_MODULE_LINES = 400


def test_every_module_is_under_the_line_limit():
    long = {
        name: n
        for name, path in _modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"

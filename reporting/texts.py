"""The texts around the entries (cover lines, running header, section intros, file names),
rendered from jinja2 templates in templates/texts.toml. The only module that imports jinja2.

Templates are rendered with StrictUndefined: a placeholder that does not exist is a
TemplateError naming it and the place it is used, never an empty string.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import jinja2

from .errors import TemplateError

TEXTS_FILE = "texts.toml"
_ENVIRONMENT = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False)


class Texts:
    """The compiled text templates of one templates folder.

    Texts the folder's file leaves out (one exported before a text was added) are taken from
    `defaults`, the bundled texts.toml.
    """

    def __init__(self, path: Path, defaults: Path | None = None) -> None:
        self.path = path
        self._templates: dict[str, jinja2.Template] = {}
        if defaults is not None and defaults != path:
            self._load(defaults)
        self._load(path)
        for required in (
            "cover.subtitle",
            "cover.generated",
            "header.text",
            "intro.default",
            "files.return",
            "files.profile",
        ):
            if required not in self._templates:
                raise TemplateError(
                    f"{path} has no {required} text.", "Start from `funder-report templates export DIR`."
                )

    def _load(self, path: Path) -> None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise TemplateError(f"Cannot read {path}: {exc.strerror}.") from None
        except tomllib.TOMLDecodeError as exc:
            raise TemplateError(f"{path} is not valid TOML: {exc}.", "Check the quotes around each text.") from None
        for group, values in data.items():
            if not isinstance(values, dict):
                raise TemplateError(f"{path}: [{group}] should be a table of texts.")
            for name, source in values.items():
                where = f"{group}.{name}"
                if not isinstance(source, str):
                    raise TemplateError(f"{path}: {where} should be a text in quotes.")
                try:
                    self._templates[where] = _ENVIRONMENT.from_string(source)
                except jinja2.TemplateSyntaxError as exc:
                    raise TemplateError(
                        f"{path}: {where} is not a valid template ({exc.message}, line {exc.lineno})."
                    ) from None

    def has(self, name: str) -> bool:
        return name in self._templates

    def render(self, name: str, /, **context: Any) -> str:
        """Render one text; an unknown placeholder raises TemplateError naming it."""
        try:
            return " ".join(self._templates[name].render(**context).split())
        except jinja2.UndefinedError as exc:
            missing = _missing_name(str(exc))
            known = ", ".join(sorted(context))
            raise TemplateError(
                f"{self.path}: {name} uses the placeholder {missing}, which does not exist.",
                f"Placeholders: {known} (see the comments at the top of {TEXTS_FILE}).",
            ) from None
        except jinja2.TemplateError as exc:
            raise TemplateError(f"{self.path}: {name} cannot be rendered ({exc}).") from None


def _missing_name(message: str) -> str:
    attribute = re.search(r"'(\w+) object' has no attribute '([^']+)'", message)
    if attribute:
        return f"{attribute.group(1)}.{attribute.group(2)}"
    undefined = re.search(r"'([^']+)' is undefined", message)
    return undefined.group(1) if undefined else message


def namespace(name: str, values: dict[str, Any]) -> dict[str, Any]:
    """Values for `{{ name.key }}` placeholders: text, with a missing key reported as name.key.

    (jinja2 names the object's type in its message; a dict subclass called `name` makes that
    message say which placeholder is wrong.)
    """
    kind = type(name, (dict,), {"__module__": "builtins"})
    plain = kind()
    for key, value in values.items():
        if isinstance(value, list):
            value = "; ".join(str(v) for v in value)
        plain[key] = "" if value is None else str(value)
    return plain

"""Exceptions for when work cannot continue. Bad data is never an exception: it is a Finding.

An error's words may name a parameter of the call (`option("force")`): the library spells it
as the parameter's name, the command line as its flag (`--force`), so the library never
assumes how it was called.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_OPTION = re.compile("\x00([A-Za-z_]+)\x00")


def option(name: str) -> str:
    """A parameter named in an error's message or hint (shown by the caller its own way)."""
    return f"\x00{name}\x00"


def _as_parameter(name: str) -> str:
    return f"`{name}`"


class ReportingError(Exception):
    """Base for every failure that stops a command; the CLI exits with `exit_code`.

    `param` names the parameter the error is about, if it is about one.
    """

    exit_code = 3

    def __init__(self, message: str, hint: str = "", param: str | None = None) -> None:
        super().__init__(message, hint, param)  # all in args, so the error survives a worker process
        self.message = message
        self.hint = hint
        self.param = param

    def words(self, spell: Callable[[str], str] = _as_parameter) -> tuple[str, str]:
        """Message and hint, each parameter they name spelled by `spell`."""

        def fill(text: str) -> str:
            return _OPTION.sub(lambda m: spell(m.group(1)), text)

        return fill(self.message), fill(self.hint)

    def __str__(self) -> str:
        message, hint = self.words()
        return f"{message}\n{hint}" if hint else message


class SchemaError(ReportingError):
    """Raised when the schema file is missing or inconsistent."""


class InputFileError(ReportingError):
    """Raised when an input file cannot be opened or is not in a format we read."""


class TemplateError(ReportingError):
    """Raised when a Word template cannot be used."""


class OutputError(ReportingError):
    """Raised when an output file cannot be written."""


class InvalidEntries(ReportingError):
    """Raised by `build` and `profiles` when entries have errors: nothing was written.
    `result` holds the findings (every error and warning) and the counts."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "", param: str | None = None, result: Any = None) -> None:
        super().__init__(message, hint, param)
        self.result = result

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message, self.hint, self.param, self.result))


class UsageError(ReportingError):
    """Raised when the request itself makes no sense (e.g. no inputs found)."""

    exit_code = 2

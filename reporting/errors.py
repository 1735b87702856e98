"""Exceptions for when work cannot continue. Bad data is never an exception: it is a Finding."""

from __future__ import annotations


class ReportingError(Exception):
    """Base for every failure that stops a command; the CLI exits with `exit_code`."""

    exit_code = 3

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message, hint)  # both in args, so the error survives a worker process
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message


class SchemaError(ReportingError):
    """Raised when the schema file is missing or inconsistent."""


class InputFileError(ReportingError):
    """Raised when an input file cannot be opened or is not in a format we read."""


class TemplateError(ReportingError):
    """Raised when a Word template cannot be used."""


class OutputError(ReportingError):
    """Raised when an output file cannot be written."""


class UsageError(ReportingError):
    """Raised when the request itself makes no sense (e.g. no inputs found)."""

    exit_code = 2

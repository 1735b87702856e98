"""The templates of a build: the Word template and the texts (bundled, or an edited copy),
read once per build; the date on the covers; the file names."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from .docx_writer import WordTemplate
from .errors import OutputError, TemplateError, UsageError, option
from .outputs import refuse_overwrite, write_file
from .returns import Head, ReturnView, make_return
from .schema import Schema
from .selection import Selected
from .texts import TEXTS_FILE, Texts

TEMPLATE_FILES = ("return.docx", TEXTS_FILE)


def templates_dir() -> Path:
    """The folder holding the default templates (installed, or in the source tree)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "return.docx").is_file():
            return candidate
    raise OutputError(
        "The default Word template (templates/return.docx) is missing.",
        f"Reinstall funder-report, or name a Word template with {option('template')}.",
    )


def export_templates(target: Path | str, force: bool = False) -> list[Path]:
    """Copy the default templates into `target` for editing (then pass it as `templates`)."""
    target = Path(target)
    written = []
    for name in TEMPLATE_FILES:
        refuse_overwrite(target / name, force)  # both checked before either is written
    for name in TEMPLATE_FILES:
        written.append(write_file(target / name, (templates_dir() / name).read_bytes(), force))
    return written


def build_day() -> dt.date:
    """Today, or SOURCE_DATE_EPOCH's day when set (for reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date() if epoch else dt.date.today()
    except (ValueError, OverflowError, OSError):
        raise UsageError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds.") from None


def generated_date() -> str:
    """The build's date as covers say it: 27 November 2026."""
    day = build_day()
    return f"{day.day} {day:%B %Y}"


class Renderer:
    """The templates of a build (Word template and texts), read once and used for every file."""

    def __init__(self, templates: Path | str | None = None, template: Path | str | None = None) -> None:
        folder = Path(templates) if templates else None
        if folder is not None:
            if not folder.is_dir():
                raise TemplateError(
                    f"{option('templates')} {folder}: no such folder.",
                    "Make one with `funder-report templates export DIR`.",
                    param="templates",
                )
            if not any((folder / name).is_file() for name in TEMPLATE_FILES):
                raise UsageError(
                    f"{option('templates')} {folder} holds neither {' nor '.join(TEMPLATE_FILES)}.", param="templates"
                )

        def pick(name: str) -> Path:
            if folder is not None and (folder / name).is_file():
                return folder / name
            return templates_dir() / name

        self.word = WordTemplate(Path(template) if template else pick("return.docx"))
        self.texts = Texts(pick(TEXTS_FILE), defaults=templates_dir() / TEXTS_FILE)
        self.generated = generated_date()
        self.word.created = f"{build_day().isoformat()}T00:00:00Z"
        #: What the build should tell its user about the templates (a style missing, ...).
        self.notes: list[str] = []
        missing = self.word.missing_styles
        if missing:
            self.notes.append(
                f"The Word template {self.word.path} has no {', '.join(missing)} "
                f"style{'s' if len(missing) > 1 else ''} ({len(missing)} of {len(self.word.styles)}), so that text "
                "is set in its Normal style. Add them in Word, or start from `funder-report templates export`."
            )

    def view(self, schema: Schema, head: Head, selected: Selected) -> ReturnView:
        """The view of one return or profile, worded from this build's texts."""
        return make_return(schema, self.texts, head, selected, self.generated)

    def file_stem(self, kind: str, **context: str) -> str:
        stem = self.texts.render(f"files.{kind}", **context)
        stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "-", stem).strip(" .-")
        return stem or kind

"""The guide page: the README's section for the people who fill in the workbooks, as HTML.

Written once, in the README; read from the source checkout when there is one, else from the
installed package's description (pip stores the README there). markdown-it-py renders it
(CommonMark, with raw HTML escaped rather than passed through). The only module that imports it.
"""

from __future__ import annotations

import functools
import importlib.metadata
import re
from pathlib import Path

from markdown_it import MarkdownIt

__all__ = ["GUIDE_HEADING", "page", "section"]

#: The README section shown as the guide.
GUIDE_HEADING = "## For the people who fill in the workbooks"


def _readme() -> str:
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / "README.md").is_file():
        return (checkout / "README.md").read_text(encoding="utf-8")
    try:
        return importlib.metadata.metadata("funder-report")["Description"] or ""
    except importlib.metadata.PackageNotFoundError:
        return ""


def section(readme: str) -> str:
    """The guide's Markdown: from its heading to the next heading of the same level."""
    start = readme.find(GUIDE_HEADING)
    if start < 0:
        return ""
    rest = readme[start + len(GUIDE_HEADING) :]
    end = re.search(r"^## ", rest, re.M)
    return rest[: end.start() if end else len(rest)].strip()


@functools.lru_cache(maxsize=1)
def page() -> tuple[str, str]:
    """(title, HTML body) of the guide; its headings start at level 2 under the page's h1."""
    text = section(_readme())
    title = GUIDE_HEADING.lstrip("# ").strip()
    if not text:
        return title, "<p>The guide is not installed with this copy of funder-report.</p>"
    return title, MarkdownIt("commonmark", {"html": False}).render(text)

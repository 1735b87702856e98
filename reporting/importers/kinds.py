"""What a file is, told from its content: XML by its root element and namespace, JSON by its
keys. The importers read only what is named here as theirs; anything else is refused with the
name of what it looks like, so that no import "succeeds" with nothing read.

No third-party imports; nothing here reads a whole file.
"""

from __future__ import annotations

from typing import Any

from ..errors import InputFileError

#: GtR's namespace for project records (`gtr:projectOverview`), as the website serves them.
GTR_NAMESPACE = "http://gtr.ukri.org/api"
#: GtR API-2's namespaces start so (`http://gtr.rcuk.ac.uk/gtr/api/project`, ...).
GTR_API_NAMESPACES = ("http://gtr.rcuk.ac.uk/gtr/api", "http://gtr.ukri.org/gtr/api", "http://gtr.ukri.org/api")

#: What the importers read, for the message that refuses anything else.
READS = (
    "GtR project pages saved as text, GtR project records (XML or JSON), GtR outcome-search "
    "CSV exports, researchfish portfolio exports (.xlsx or .csv) and publication lists (ORCID, "
    "BibTeX, RIS, CSL-JSON, Crossref, Europe PMC, EPrints, or a table with Title and Authors, "
    "Journal, Year or DOI columns)"
)

#: GtR records of other kinds than a project, by their root element or API-2 name.
_GTR_OTHER = {
    "fund": "a GtR fund record",
    "funds": "a list of GtR fund records",
    "person": "a GtR person record",
    "persons": "a list of GtR person records",
    "people": "a list of GtR person records",
    "organisation": "a GtR organisation record",
    "organisations": "a list of GtR organisation records",
    "projects": "a list of GtR projects",
}


_GTR_HINT = (
    "Import the project's record instead: a project's outcomes are on its record "
    "(gtr.ukri.org/projects?ref=..., saved as XML or JSON)."
)


def refuse(source: str, looks_like: str, hint: str = "") -> InputFileError:
    """The refusal of a file of a kind no importer reads."""
    return InputFileError(
        f"{source}: looks like {looks_like}. This tool does not import it; nothing was written.",
        hint or f"It imports {READS}.",
    )


def refuse_html(source: str) -> InputFileError:
    """The refusal of a web page saved as HTML (the GtR page is read as text)."""
    return refuse(
        source,
        "a web page (HTML)",
        "Save the GtR project page as text (select all, copy, paste into a text file) or "
        "download the project's record as XML.",
    )


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def check_xml_root(tag: str, source: str) -> str:
    """The kind of GtR XML record a root element names ("project overview" or "project"), or
    a refusal naming what the file is."""
    namespace, local = _split(tag)
    gtr = namespace == GTR_NAMESPACE or namespace.startswith(GTR_API_NAMESPACES)
    if gtr and local == "projectOverview":
        return "project overview"
    if gtr and local == "project":
        return "project"
    if gtr and local in _GTR_OTHER:
        raise refuse(source, _GTR_OTHER[local], _GTR_HINT)
    if local.lower() in ("html", "xhtml"):
        raise refuse_html(source)
    where = f" in the namespace {namespace}" if namespace else " (no namespace)"
    raise refuse(source, f"XML whose root element is <{local}>{where}")


def _keys(node: Any) -> set[str]:
    return set(node) if isinstance(node, dict) else set()


def refuse_json(root: Any, source: str) -> InputFileError:
    """The refusal of JSON that holds no GtR project and no outcome list."""
    what = describe_json(root)
    return refuse(source, what, _GTR_HINT if what.startswith("a GtR") else "")


def describe_json(root: Any) -> str:
    """What JSON that holds no GtR project or outcome list looks like."""
    keys = _keys(root)
    first = root[0] if isinstance(root, list) and root else None
    item_keys = _keys(first)
    if keys & {"orcid-identifier", "activities-summary"} or keys >= {"group", "last-modified-date"}:
        return "an ORCID record or works list"
    if keys >= {"message-type", "message"}:
        return "a Crossref API response"
    if keys & {"resultList", "hitCount"}:
        return "a Europe PMC search result"
    if {"type", "title"} <= item_keys and item_keys & {"author", "issued", "container-title"}:
        return "a CSL-JSON publication list (as Zotero exports)"
    if "eprintid" in item_keys or "eprintid" in keys:
        return "an EPrints export"
    if keys & {"firstName", "surname"} and "grantCategory" not in keys:
        return "a GtR person record"
    if "valuePounds" in keys and "grantCategory" not in keys:
        return "a GtR fund record"
    if keys & {"addresses", "regNumber"} and "grantCategory" not in keys:
        return "a GtR organisation record"
    if keys:
        shown = ", ".join(sorted(keys)[:6]) + (", ..." if len(keys) > 6 else "")
        return f"JSON with the keys {shown}"
    if isinstance(root, list):
        return "a JSON list that holds no GtR record"
    return "JSON that holds no GtR record"

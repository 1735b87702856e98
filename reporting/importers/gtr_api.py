"""Import GtR project records: the project XML (``gtr:projectOverview``) and GtR JSON.

Two shapes are read, both mapped by the schema's per-field paths, so a new field is a data
edit: the GtR *website* format (XML or JSON: ``projectOverview/projectComposition/project``
with ``output/*Outputs/*Output`` items; the schema's ``xml`` names), and *API-2* JSON (arrays
such as ``dissemination`` on list pages; the schema's ``api`` names). Text GtR escaped twice
(``A&amp;amp;E``) is unescaped, and simple HTML markup in titles (``<i>``) is removed.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

from ..findings import WARNING, Finding
from ..model import AWARD, Origin, Record
from ..schema import FieldSpec, Schema, Section
from ..text import clean_markup, words_from_code
from .kinds import check_xml_root, refuse_json
from .result import ImportResult
from .trees import element_to_tree, local


def _values(node: Any, path: str) -> list[str]:
    """Every string at `path` ("a/b/c") below `node`, walking through lists."""
    current = [node]
    for step in path.split("/"):
        found = []
        for item in current:
            for one in item if isinstance(item, list) else [item]:
                if isinstance(one, dict) and step in one:
                    value = one[step]
                    found.extend(value if isinstance(value, list) else [value])
        current = found
    out = []
    for value in current:
        if isinstance(value, bool):
            out.append("true" if value else "false")
        elif isinstance(value, (int, float)):
            out.append(str(value))
        elif isinstance(value, str):
            out.append(value)
    return out


def _join(spec: FieldSpec, values: list[str]) -> str | None:
    values = [clean_markup(v) for v in values if v is not None and v.strip()]
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return spec.kind.joiner.join(values)


def _find_all(node: Any, keys: set[str]) -> dict[str, list[Any]]:
    """Every value stored under each of `keys` anywhere below `node`, in one walk (what
    `_find` gives for each key, in the same order)."""
    found: dict[str, list[Any]] = {key: [] for key in keys}
    stack: list[tuple[str | None, Any]] = [(None, node)]  # (key matched, value) or (None, node)
    while stack:
        key, current = stack.pop()
        if key is not None:
            found[key].extend(current if isinstance(current, list) else [current])
        elif isinstance(current, dict):
            stack.extend(reversed([(name if name in keys else None, value) for name, value in current.items()]))
        elif isinstance(current, list):
            stack.extend(reversed([(None, item) for item in current]))
    return found


def _find(node: Any, key: str) -> Iterator[Any]:
    """Every value stored under `key` anywhere below `node` (lists flattened)."""
    return iter(_find_all(node, {key})[key])


def _record(section: Section, item: dict, paths: str, schema: Schema, source: str, where: str) -> Record:
    raw: dict[str, Any] = {}
    used: set[str] = set()
    for spec in schema.columns(section):
        path = getattr(spec, paths)
        if not path:
            continue
        used.add(path.split("/", 1)[0])
        value = _join(spec, _values(item, path))
        if value is not None:
            raw[spec.key] = value
    # Whatever no field reads is kept, in a column named after the element (nothing dropped).
    extra = {}
    for name, value in item.items():
        if name in used or value in (None, "", [], {}):
            continue
        texts = [clean_markup(v) for v in _values({name: value}, name)]
        if not texts and isinstance(value, (dict, list)):
            texts = [json.dumps(value, ensure_ascii=False)]
        if texts:
            extra[f"GtR {name}"] = "; ".join(t for t in texts if t.strip())
    return Record(
        kind=section.key, raw=raw, origin=Origin(source, path=where), extra={k: v for k, v in extra.items() if v}
    )


def _person(project_tree: Any) -> tuple[str | None, str | None]:
    for role in _find(project_tree, "personRole"):
        names = _values(role, "roles/role/name")
        if "PRINCIPAL_INVESTIGATOR" in names:
            person = " ".join(v for v in (_first(role, "firstName"), _first(role, "surname")) if v)
            return person or None, _first(role, "orcidId")
    return None, None


def _first(node: Any, path: str) -> str | None:
    values = _values(node, path)
    return clean_markup(values[0]).strip() if values and values[0] and values[0].strip() else None


def _award_website(root: Any, source: str) -> Record:
    project: Any = next(_find(root, "project"), {})
    lead: Any = next(_find(root, "leadResearchOrganisation"), {})
    person, orcid = _person(root)
    raw = {
        "title": _first(project, "title"),
        "award_reference": _first(project, "grantReference"),
        "funder": _first(project, "fund/funder/name"),
        "lead_research_organisation": _first(lead, "name"),
        "department": _first(lead, "department"),
        "principal_investigator": person,
        "pi_orcid": orcid,
        "start": _first(project, "fund/start"),
        "end": _first(project, "fund/end"),
        "funded_value": _value_pounds(project),
        "award_type": _award_type(project),
        "abstract": _first(project, "abstractText"),
        "planned_impact": _first(project, "potentialImpactText"),
    }
    return _award_record(raw, source)


def _value_pounds(node: Any) -> str | None:
    """The award's value in pounds: `valuePounds` as a number, or as GtR's API-2 amount object."""
    for path in ("fund/valuePounds/amount", "fund/valuePounds", "valuePounds/amount", "valuePounds"):
        value = _first(node, path)
        if value:
            return value
    return None


def _award_type(node: Any) -> str | None:
    value = _first(node, "grantCategory")
    return words_from_code(value) if value else None


def _award_api(project: dict, source: str) -> Record:
    reference = None
    for identifier in _find(project, "identifier"):
        if isinstance(identifier, dict) and identifier.get("value"):
            reference = identifier["value"]
            break
    raw = {
        "title": _first(project, "title"),
        "award_reference": reference or _first(project, "grantReference"),
        "funder": _first(project, "leadFunder"),
        "department": _first(project, "leadOrganisationDepartment"),
        "start": _first(project, "start") or _first(project, "fund/start"),
        "end": _first(project, "end") or _first(project, "fund/end"),
        "funded_value": _value_pounds(project),
        "award_type": _award_type(project),
        "abstract": _first(project, "abstractText"),
        "planned_impact": _first(project, "potentialImpact"),
    }
    return _award_record(raw, source)


def _award_record(raw: dict[str, str | None], source: str) -> Record:
    """The award header as a record; absent values are left out, every field has a place."""
    return Record(kind=AWARD, raw={k: v for k, v in raw.items() if v}, origin=Origin(source, path="project"))


def _outcomes(root: Any, schema: Schema, source: str, paths: str, result: ImportResult) -> None:
    wanted = {name for s in schema.sections for name in ((s.xml,) if paths == "xml" else s.api) if name}
    found = _find_all(root, wanted)
    for section in schema.sections:
        names = (section.xml,) if paths == "xml" else section.api
        for name in names:
            if not name:
                continue
            for index, item in enumerate((i for i in found[name] if isinstance(i, dict)), start=1):
                where = f"{name}[{index}]"
                result.records.append(_record(section, item, paths, schema, source, where))
                result.read[section.key] = result.read.get(section.key, 0) + 1


#: Where outcomes of a list no section names go, so that nothing GtR holds is lost.
FALLBACK_SECTION = "other_outputs"


def _report_empty_lists(root: Any, schema: Schema, source: str, result: ImportResult) -> None:
    """Outcome lists the record has that no section reads are kept under Other Outputs, with
    every element as a note, and named in a warning (nothing silently dropped)."""
    known = {s.xml for s in schema.sections if s.xml}
    output = next(_find(root, "output"), None)
    if not isinstance(output, dict):
        return
    fallback = schema.section(FALLBACK_SECTION)
    for container, value in output.items():
        items = value if isinstance(value, dict) else {}
        unknown = [k for k in items if k not in known] if isinstance(items, dict) else []
        if container in known or not unknown:
            continue
        count = 0
        for name in unknown:
            found = items.get(name)
            for one in found if isinstance(found, list) else [found]:
                if isinstance(one, dict) and one:
                    count += 1
                    result.records.append(_record(fallback, one, "xml", schema, source, f"{name}[{count}]"))
                    result.read[fallback.key] = result.read.get(fallback.key, 0) + 1
        if count:
            result.notes.append(
                Finding.of(
                    "unknown-section",
                    WARNING,
                    count=count,
                    container=container,
                    fallback=fallback.title,
                    file=source,
                    path=container,
                )
            )


def parse_gtr_xml(element: ET.Element, source: str, schema: Schema) -> ImportResult:
    """Import a GtR project XML record (website format, as saved from gtr.ukri.org)."""
    kind = check_xml_root(element.tag, source)
    root = {local(element.tag): element_to_tree(element)}
    result = ImportResult(source=source, format="GtR project record (XML)", provenance="GtR")
    if kind == "project":  # API-2's project record: the award; its outcomes are linked, not held
        result.records.append(_award_api(root["project"] or {}, source))
        _outcomes(root, schema, source, "api", result)
        return result
    result.records.append(_award_website(root, source))
    _outcomes(root, schema, source, "xml", result)
    _report_empty_lists(root, schema, source, result)
    return result


def parse_gtr_json(root: Any, source: str, schema: Schema) -> ImportResult:
    """Import GtR JSON (read by trees.load_json): a website-format project, or API-2 outcome
    pages (one or a list)."""
    # The website's format: a project overview, or a project whose `output` lists use its names.
    outputs = [o for o in _find(root, "output") if isinstance(o, dict)]
    website = (
        any(True for _ in _find(root, "projectComposition"))
        or any(True for _ in _find(root, "projectOverview"))
        or any(any(True for _ in _find(o, s.xml)) for o in outputs for s in schema.sections if s.xml)
    )
    result = ImportResult(
        source=source, format="GtR project record (JSON)" if website else "GtR API JSON", provenance="GtR"
    )
    if website:
        result.records.append(_award_website(root, source))
        _outcomes(root, schema, source, "xml", result)
        _report_empty_lists(root, schema, source, result)
        return result
    projects = [p for p in _find(root, "project") if isinstance(p, dict) and _is_project(p)]
    if isinstance(root, dict) and _is_project(root):
        projects.insert(0, root)
    _outcomes(root, schema, source, "api", result)
    if not projects and not sum(result.read.values()):
        raise refuse_json(root, source)
    for project in projects[:1]:
        result.records.insert(0, _award_api(project, source))
    if not sum(result.read.values()):
        result.notes.append(Finding.of("nothing-found", WARNING, file=source))
    return result


def _is_project(node: dict) -> bool:
    """Whether API-2 JSON is a project: it has a title and what only projects have."""
    return "title" in node and bool({"grantCategory", "abstractText", "identifiers", "grantReference"} & set(node))

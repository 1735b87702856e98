"""JSON and XML read safely into plain data: no entity declarations, no nesting deeper than
any real record, errors as findings a person can act on. Shared by the GtR and publication
importers.

No third-party imports.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from ..errors import InputFileError

__all__ = ["MAX_DEPTH", "element_to_tree", "load_json", "load_xml", "local"]

_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.I)
#: Records nest about ten levels deep; far deeper is a broken or hostile file.
MAX_DEPTH = 100


def _too_deep(root: Any) -> bool:
    """Whether parsed XML (an Element) or JSON (dicts and lists) nests beyond MAX_DEPTH, found
    without recursion (so a deep file cannot exhaust the stack)."""
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(node, dict):
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, (list, ET.Element)):
            stack.extend((child, depth + 1) for child in node)
    return False


def _refuse_deep(source: str) -> InputFileError:
    return InputFileError(
        f"{source}: is nested more than {MAX_DEPTH} levels deep, which no record is; refusing to read it.",
        "Save or export the file again from where it came from.",
    )


def local(tag: str) -> str:
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1]


def element_to_tree(element: ET.Element, attributes: bool = False) -> Any:
    """An XML element as plain data: text for leaves, dicts for parents, lists for repeats;
    with `attributes`, a parent's attributes under "@name" keys."""
    children = list(element)
    if not children:
        return None if element.get(_NIL) == "true" else element.text
    tree: dict[str, Any] = {f"@{local(k)}": v for k, v in element.attrib.items()} if attributes else {}
    for child in children:
        name, value = local(child.tag), element_to_tree(child, attributes)
        if name not in tree:
            tree[name] = value
        elif isinstance(tree[name], list):  # leaves are never lists, so a list means repeats
            tree[name].append(value)
        else:
            tree[name] = [tree[name], value]
    return tree


def load_xml(data: bytes, source: str) -> ET.Element:
    """The root element of XML that declares no entities and nests no deeper than MAX_DEPTH."""
    if _DTD.search(data):
        raise InputFileError(
            f"{source}: contains XML entity declarations, which no record this tool reads has; refusing to read it."
        )
    try:
        element = ET.fromstring(data)
    except ET.ParseError as exc:
        raise InputFileError(f"{source}: is not well-formed XML ({exc}).", "Save or export the file again.") from None
    if _too_deep(element):
        raise _refuse_deep(source)
    return element


def load_json(text: str, source: str) -> Any:
    """JSON's data, nested no deeper than MAX_DEPTH."""
    try:
        root = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(f"{source}: is not valid JSON ({exc}).") from None
    except RecursionError:
        raise _refuse_deep(source) from None
    if _too_deep(root):
        raise _refuse_deep(source)
    return root

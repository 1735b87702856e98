"""Text alternatives for the figures of a PDF LibreOffice made from a Word file.

LibreOffice tags a chart as a Figure but does not carry the Word file's text alternative
(`wp:docPr descr`) into it, so a screen reader meets the PDF's charts without words. This gives
each figure, in document order, the alternative its chart has in the Word file. The only
module that imports pypdf.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path
from typing import Any

__all__ = ["figure_texts", "with_figure_texts"]

_DOC_PR = re.compile(r"<wp:docPr\b[^>]*?\bdescr=\"([^\"]*)\"")


def figure_texts(docx: Path) -> list[str]:
    """The text alternatives of a Word file's drawings (its charts), in document order."""
    with zipfile.ZipFile(docx) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    return [html.unescape(text) for text in _DOC_PR.findall(xml)]


def _figures(element: Any, found: list[Any], inside: bool = False) -> None:
    """The outermost Figure elements of a structure tree, in document order."""
    element = element.get_object()
    if not isinstance(element, dict):
        return
    is_figure = element.get("/S") == "/Figure"
    if is_figure and not inside:
        found.append(element)
    kids = element.get("/K")
    for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
        kid = kid.get_object() if hasattr(kid, "get_object") else kid
        if isinstance(kid, dict) and "/S" in kid:
            _figures(kid, found, inside or is_figure)


def with_figure_texts(pdf: bytes, texts: list[str]) -> bytes:
    """`pdf` with its figures' alternative texts set from `texts` (in order). Unchanged when
    the figures are not as many as the texts (no text is put on the wrong figure)."""
    if not texts:
        return pdf
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    root = writer.root_object.get("/StructTreeRoot")
    if root is None:
        return pdf
    figures: list[Any] = []
    _figures(root, figures)
    if len(figures) != len(texts):
        return pdf
    for figure, text in zip(figures, texts):
        figure[NameObject("/Alt")] = TextStringObject(text)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

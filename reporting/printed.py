"""Long text on printed Excel pages. A row shows at most Excel's tallest row (409 points) of
wrapped text: a longer cell of an Excel return continues in the rows below it, each piece as
much as a row shows, so that every character reaches paper. The rows that continue an entry
name the row they continue in a hidden `CONTINUES` column, so the workbook reader joins them
back into the entry. No I/O, no third-party imports.
"""

from __future__ import annotations

#: Excel's tallest row (points), and the points a wrapped line of 10-point text takes.
MAX_ROW_HEIGHT = 409
LINE_POINTS = 14
#: Wrapped lines one row holds, with a margin for words wrapping earlier than estimated.
ROW_LINES = (MAX_ROW_HEIGHT - 2) // LINE_POINTS - 3
#: The hidden column of a row that continues an entry: the row number of the entry.
CONTINUES = "Continues Row"
#: What the first column of a continuing row shows, where it has no text of its own.
CONTINUED_CUE = "(continued)"

__all__ = ["CONTINUED_CUE", "CONTINUES", "MAX_ROW_HEIGHT", "ROW_LINES", "pieces", "row_height", "wrapped_lines"]


def _per_line(width: float) -> int:
    return max(1, int(width * 1.05))


def wrapped_lines(text: str, width: float) -> int:
    """Lines `text` takes wrapped in a column `width` characters wide (an estimate)."""
    per_line = _per_line(width)
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


def row_height(text: str, width: float) -> float:
    """Row height (points) that shows `text` wrapped in a column `width` characters wide.
    Spreadsheet programs do not always size rows to wrapped text on their own."""
    return LINE_POINTS * wrapped_lines(text, width) + 2.0


def pieces(text: str, width: float, lines: int = ROW_LINES) -> list[str]:
    """`text` cut into pieces of at most `lines` wrapped lines each, at a line break or a space
    where it can be; the pieces join back (with nothing between them) to exactly `text`."""
    per_line = _per_line(width)
    found: list[str] = []
    current, used = "", 0
    parts = text.split("\n")
    for number, part in enumerate(parts):
        end = "\n" if number < len(parts) - 1 else ""
        need = max(1, -(-len(part) // per_line))
        while used + need > lines:
            room = (lines - used) * per_line
            if room >= per_line and len(part) > room:  # fill the row, cut at a space
                cut = part.rfind(" ", room // 2, room) + 1 or room
                current, part = current + part[:cut], part[cut:]
            found.append(current)
            current, used = "", 0
            need = max(1, -(-len(part) // per_line))
        current += part + end
        used += need
    found.append(current)
    return [p for p in found if p] or [""]

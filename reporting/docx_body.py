"""The body of a Word return, from its view: the cover, "At a glance" (table and charts), the
contents, the changes since the last submission, the award's texts, then the sections.

Written with the escaping builders of wordml.py into one string of WordprocessingML, which
docx_writer.py puts into the template's document part. Styles are referred to by role (title,
h1, field...) and looked up in the template's own style ids. No third-party imports.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import wordml as w
from .portfolio import Figure, PortfolioReport
from .text import paragraphs
from .views import ChartView, Citation, FieldView, ReturnView, SectionView

__all__ = ["Body", "CHANGES_TITLE", "write_portfolio", "write_return"]

CHANGES_TITLE = "Changes since last submission"
#: At most this many year columns in the summary table; earlier years are added up in one.
#: Usable page width in twentieths of a point (A4, 2.2 cm margins) for the summary table.
TABLE_WIDTH = 9400
#: Chart width in EMU (16 cm); height grows with the number of bars, within limits.
CHART_WIDTH = 5_760_000
GLANCE_TITLE = "At a glance"
#: Up to this many entries (in one or two sections, with no award texts), a document has no
#: contents page: cover and At a glance share the first page.
SHORT_DOCUMENT = 10
#: The bookmark each entry starts at, numbered from 1 in document order.
ENTRY_BOOKMARK = "_Entry"


class Body:
    """The body's WordprocessingML, with the links and charts its parts must hold."""

    def __init__(self, styles: Mapping[str, str | None], taken: set[str]) -> None:
        self.parts: list[str] = []
        self.styles = styles
        self.links: dict[str, str] = {}  # url -> relationship id
        self.charts: list[tuple[str, ChartView]] = []  # (relationship id, chart)
        self._taken = taken
        self._bookmarks = 0

    def xml(self) -> str:
        return "".join(self.parts)

    def run(self, text: str, role: str | None = None, italic: bool = False) -> str:
        return w.run(text, self.styles.get(role) if role else None, italic=italic)

    def paragraph(self, role: str, content: str, keep_next: bool = False, new_page: bool | None = None) -> None:
        self.parts.append(w.paragraph(content, self.styles.get(role), keep_next, new_page))

    def heading(self, role: str, text: str, bookmark: str | None = None, new_page: bool | None = None) -> None:
        self.paragraph(role, self.marked(bookmark, self.run(text)), new_page=new_page)

    def marked(self, bookmark: str | None, content: str) -> str:
        """`content` inside a bookmark called `bookmark` (if any)."""
        if not bookmark:
            return content
        self._bookmarks += 1
        return w.bookmark(self._bookmarks, bookmark, content)

    def page_break(self) -> None:
        self.parts.append(w.page_break())

    def link(self, url: str, text: str | None = None) -> str:
        rid = self.links.get(url)
        if rid is None:
            number = len(self.links) + 1
            while f"rIdFr{number}" in self._taken:
                number += 1
            rid = f"rIdFr{number}"
            self.links[url] = rid
        return w.hyperlink(rid, self.run(text or url, "link"))

    def linked_text(self, text: str, urls: tuple[str, ...]) -> str:
        """`text` with each of `urls` made a link where it stands."""
        pieces, rest = [], text
        for url in urls:
            at = rest.find(url)
            if at < 0:
                continue
            if at:
                pieces.append(self.run(rest[:at]))
            pieces.append(self.link(url, url))
            rest = rest[at + len(url) :]
        if rest:
            pieces.append(self.run(rest))
        return "".join(pieces)

    def chart(self, chart: ChartView) -> None:
        """A native chart, inline in its own paragraph, with its text alternative."""
        number = len(self.charts) + 1
        rid = f"rIdFrChart{number}"
        self.charts.append((rid, chart))
        self.paragraph("figure", w.inline_chart(rid, number, CHART_WIDTH, chart_height(chart), chart.alt))

    def field(
        self,
        view: FieldView,
        label_role: str = "label",
        role: str = "field",
        bookmark: str | None = None,
        marks: str = "",
        keep_next: bool = False,
    ) -> None:
        """One labelled value: on a line ("Country<tab>United Kingdom"), or a long one under its
        label; `keep_next` keeps a line on the page of what follows (an entry's first line, so a
        heading is not left at a page foot with one line of its entry)."""
        flag = self.run(f" [Check: {view.check}]", "mark") if view.check else ""
        if view.long:
            self.paragraph("field_heading", self.marked(bookmark, self.run(view.label)) + marks)
            texts = paragraphs(view.text)
            for number, text in enumerate(texts, start=1):
                if view.url and text == view.text.strip():
                    content = self.link(view.url, text)  # a long address, on a line of its own
                elif view.links:
                    content = self.linked_text(text, view.links)
                else:
                    content = self.run(text)
                self.paragraph("field_text", content + (flag if number == len(texts) else ""))
            return
        if view.missing:
            value = self.run(view.text, italic=True)
        elif view.url and view.link_text:
            value = self.run(view.text + " ") + self.link(view.url, view.link_text)
        elif view.links:
            value = self.linked_text(view.text, view.links)
        else:
            value = self.link(view.url, view.text) if view.url else self.run(view.text)
        label = self.marked(bookmark, self.run(view.label, label_role))
        self.paragraph(role, label + w.tab() + value + flag + marks, keep_next=keep_next)

    def citation(self, reference: Citation, fields: tuple[FieldView, ...], marks: str, bookmark: str) -> None:
        """A publication in one paragraph: the reference with its journal in italics, its DOI
        and PubMed ID linked, then anything else known of it (its type...) in a few words."""
        content = self.marked(bookmark, self.run(reference.lead))
        if reference.journal or reference.tail:
            content += self.run(" ")
        if reference.journal:
            content += self.run(reference.journal, italic=True)
        if reference.tail:
            content += self.run(reference.tail)
        for text, url in reference.links:
            content += self.run(" ") + self.link(url, text)
        shown = [f for f in fields if not f.missing]
        for number, f in enumerate(shown):  # (Type: ...; ISSN: ... [Check: ...]), checks marked
            content += self.run((" (" if number == 0 else "; ") + f"{f.label}: {' '.join(f.text.split())}")
            if f.check:
                content += self.run(f" [Check: {f.check}]", "mark")
        if shown:
            content += self.run(")")
        if reference.check:
            content += self.run(f" [Check: {reference.check}]", "mark")
        self.paragraph("citation", content + marks)


#: A section this short (its entries' text, in characters, and entries) leaves room on its
#: page for the next section, which starts there instead of on a new page.
SHORT_SECTION = (1_200, 3)


def _short(section: SectionView) -> bool:
    size = sum(len(e.heading or "") + sum(len(f.label) + len(f.text) for f in e.fields) for e in section.entries)
    size += sum(len(e.citation.text) for e in section.entries if e.citation)
    return size <= SHORT_SECTION[0] and len(section.entries) <= SHORT_SECTION[1]


def _summary_table(body: Body, view: ReturnView) -> None:
    """Entries per section and per year, as a Word table (fixed column widths)."""
    table = view.glance
    headers = list(table.headers)
    first, number = 2200, 950
    rest = max((TABLE_WIDTH - first - 2 * number) // max(len(headers) - 3, 1), 420)
    widths = [first, number] + [rest] * (len(headers) - 3) + [number]

    def cells(label: str, numbers: tuple[int, ...]) -> list[str]:  # a year without entries is blank
        return [label, str(numbers[0]), *(str(n or "") for n in numbers[1:])]

    rows: list[list[str]] = [headers, *(cells(title, numbers) for title, numbers in table.rows)]
    rows.append(cells("Total", table.totals))
    body.parts.append(
        w.table(
            widths,
            rows,
            body.styles.get("table"),
            body.styles.get("table_text"),
            bold_rows=(0, len(rows) - 1),
            right_columns=range(1, len(headers)),
        )
    )
    if view.summary_note:  # why the year columns can add up to more than the entries
        body.paragraph("intro", body.run(view.summary_note))


def _changes(body: Body, view: ReturnView, bookmark: str) -> None:
    changes = view.changes
    assert changes is not None
    body.heading("h1", f"{CHANGES_TITLE} ({changes.summary})", bookmark)
    for label, lines in changes.groups:
        body.paragraph("award_heading", body.run(f"{label} ({len(lines)})"))
        if not lines:
            body.paragraph("field_text", body.run("None."))
        for line in lines:
            body.paragraph("field_text", body.run(line))


def _contents(body: Body, parts: list[tuple[str, str]]) -> None:
    """The contents list, already filled in: each top-level part linked to where it starts,
    with its page number as a PAGEREF field, which LibreOffice (and so the PDF) works out as it
    lays the document out, and Word when fields are updated (F9) or the document printed."""
    body.paragraph("toc_heading", body.run("Contents"))
    for text, name in parts:
        page = w.field_begin(f"PAGEREF {name} \\h") + body.run("") + w.field_end()
        body.paragraph("toc1", w.internal_link(name, body.run(text) + w.tab() + page))


def write_return(body: Body, view: ReturnView) -> None:
    """The return's content: cover page; contents; at a glance (table, charts); changes;
    award texts; then the sections."""
    body.paragraph("title", body.run(view.title))
    body.paragraph("subtitle", body.run(view.cover_subtitle))
    for detail in view.details:
        body.field(detail, role="detail")
    for note in view.notes:
        body.paragraph("note", body.run(note))
    if view.generated:
        body.paragraph("note", body.run(view.generated))
    # A short document (a profile of a partner's one collaboration) needs no contents page: its
    # cover and At a glance share the first page, and its entries follow.
    short = view.entry_count <= SHORT_DOCUMENT and len(view.sections) <= 2 and not view.texts and not view.changes
    if not short:
        body.page_break()
    parts: list[tuple[str, str]] = []
    if view.sections:
        parts.append((GLANCE_TITLE, "_Glance"))
    if view.changes is not None:
        parts.append((f"{CHANGES_TITLE} ({view.changes.summary})", "_Changes"))
    parts.extend((text.label, f"_Text{index}") for index, text in enumerate(view.texts, start=1))
    headings = [f"{s.title}: the award's answers" if s.answers else f"{s.title} ({s.count:,})" for s in view.sections]
    names = [f"_Sec{index}" for index in range(1, len(headings) + 1)]
    parts.extend(zip(headings, names))
    if not short:
        _contents(body, parts)
    if not view.sections:
        body.paragraph("field_text", body.run("There are no entries yet."))
    if view.sections:
        if not short:
            body.page_break()
        body.paragraph("award_heading", body.marked("_Glance", body.run(GLANCE_TITLE)))
        body.paragraph("field_text", body.run(view.summary + "."))
        _summary_table(body, view)
        for chart in view.charts:
            body.chart(chart)
    if view.changes is not None:
        _changes(body, view, "_Changes")
    if view.texts:
        body.page_break()
    for index, text in enumerate(view.texts, start=1):
        body.paragraph("award_heading", body.marked(f"_Text{index}", body.run(text.label)))
        for para in paragraphs(text.text):
            body.paragraph("field_text", body.run(para))
    entries = 0
    after_short = False
    for section, heading, name in zip(view.sections, headings, names):
        # A section starts a page, unless the one before is short: it shares that page.
        body.heading("h1", heading, name, new_page=False if after_short else None)
        after_short = _short(section)
        if section.intro:
            body.paragraph("intro", body.run(section.intro), keep_next=True)
        for entry in section.entries:
            # Each entry starts at a bookmark (_Entry1, _Entry2...): a place to link to, and
            # where one entry ends and the next begins for whoever reads the file.
            entries += 1
            name = f"{ENTRY_BOOKMARK}{entries}"
            marks = "".join(body.run(f" [{m}]", "mark") for m in entry.marks)
            if entry.citation is not None:
                body.citation(entry.citation, entry.fields, marks, name)
                continue
            fields = list(entry.fields)
            if entry.heading is not None:
                body.paragraph("h2", body.marked(name, body.run(entry.heading)) + marks)
            elif fields:
                body.field(fields.pop(0), bookmark=name, marks=marks)
            for number, field in enumerate(fields):
                body.field(field, keep_next=number == 0 and entry.heading is not None)


#: Rows of a figure's table in Word; the Excel report lists every one.
PORTFOLIO_TABLE_ROWS = 12


def _figure_cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def chart_height(chart: ChartView) -> int:
    """A chart's height on the page (EMU): a bar a category, within bounds."""
    height = (360_000 * len(chart.categories) + 900_000) if chart.horizontal else 2_700_000
    return min(max(height, 1_800_000), 7_200_000)


#: What a portfolio page holds below its running header (EMU, A4 with the template's margins),
#: and about what a table row, a heading and a note line take.
PAGE_HEIGHT = 8_800_000
_ROW, _HEADING, _LINE = 165_000, 500_000, 170_000


def _figure_height(figure: Figure) -> int:
    """About how tall a figure prints: heading, chart, table, notes."""
    rows = min(len(figure.rows), PORTFOLIO_TABLE_ROWS) + 1
    more = len(figure.rows) > PORTFOLIO_TABLE_ROWS
    notes = (len(figure.note) // 90 + 1 if figure.note else 0) + more
    return _HEADING + (chart_height(figure.chart) if figure.chart else 0) + _ROW * rows + _LINE * notes


def _figure_table(body: Body, figure: Figure) -> None:
    rows = [list(figure.headers)] + [[_figure_cell(v) for v in row] for row in figure.rows[:PORTFOLIO_TABLE_ROWS]]
    numbers = [i for i, value in enumerate(figure.rows[0]) if isinstance(value, (int, float))] if figure.rows else []
    first = TABLE_WIDTH - 1400 * len(numbers)
    if len(figure.headers) - len(numbers) == 2:  # a second text column (an award's title)
        widths = [1800, first - 1800] + [1400] * len(numbers)
    else:
        widths = [first] + [1400] * len(numbers)
    body.parts.append(
        w.table(
            widths,
            rows,
            body.styles.get("table"),
            body.styles.get("table_text"),
            bold_rows=(0,),
            right_columns=numbers,
            together=True,  # a figure's chart and its table on one page
        )
    )
    more = len(figure.rows) - PORTFOLIO_TABLE_ROWS
    if more > 0:
        body.paragraph("intro", body.run(f"… and {more} more, listed in the Excel report."))


def write_portfolio(body: Body, view: PortfolioReport) -> None:
    """The portfolio report: cover, contents, then per group its figures (chart, table, note)."""
    body.paragraph("title", body.run(view.title))
    body.paragraph("subtitle", body.run(view.subtitle))
    for label, text in view.details:
        body.field(FieldView(label, text), role="detail")
    for note in view.notes:
        body.paragraph("note", body.run(note))
    if view.generated:
        body.paragraph("note", body.run(view.generated))
    body.page_break()
    _contents(body, [(f"{group.name} ({group.summary})", f"_Group{n}") for n, group in enumerate(view.groups, 1)])
    for number, group in enumerate(view.groups, start=1):
        body.page_break()
        body.heading("h1", group.name, f"_Group{number}")
        body.paragraph("field_text", body.run(group.sentence))
        if not group.figures:
            body.paragraph("field_text", body.run("No entries."))
        used = 2 * _HEADING  # the group's heading and sentence
        for figure in group.figures:
            # A figure (chart, table, notes) that would not fit below the last starts a page:
            # LibreOffice does not keep a chart with the table after it.
            height = _figure_height(figure)
            fresh = used + height > PAGE_HEIGHT and used > 2 * _HEADING
            used = height if fresh else used + height
            body.paragraph("h2", body.run(figure.title), new_page=True if fresh else None)
            if figure.chart is not None:
                body.chart(figure.chart)
            _figure_table(body, figure)
            if figure.note:
                body.paragraph("intro", body.run(figure.note))

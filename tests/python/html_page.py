"""Reading the report page back for the tests (tests/python/test_html_report.py,
test_html_browser.py): the page is parsed with the standard library's HTML
parser into the numbers it shows (never grepped), and checked with html5lib's
strict parser, which raises on any parse error a browser would recover from.
"""

from __future__ import annotations

import html.parser
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Table:
    """A table of the page: its column names (data-col of the header cells) and
    rows, each cell as (data attributes, text)."""

    columns: list[str] = field(default_factory=list)
    rows: list[list[tuple[dict[str, str], str]]] = field(default_factory=list)

    def records(self) -> list[dict[str, tuple[dict[str, str], str]]]:
        return [dict(zip(self.columns, row)) for row in self.rows]


@dataclass
class Page:
    tables: dict[str, Table] = field(default_factory=dict)        # by id
    timers: dict[str, Table] = field(default_factory=dict)        # each record's timers table, by record id
    cards: dict[str, dict[str, str | None]] = field(default_factory=dict)  # target -> data-col -> data-value
    records: list[str] = field(default_factory=list)              # the record ids with a timeline, in order
    anchors: set[str] = field(default_factory=set)                # every id= in the page
    links: list[str] = field(default_factory=list)                # every href
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)  # data-* of <p> notes, by key
    explain: dict[str, list[str]] = field(default_factory=dict)   # data-what of each record's list
    svgs: list[dict[str, str]] = field(default_factory=list)      # attributes of each <svg>
    svg_titles: int = 0
    scripts: int = 0                                              # <script> elements (there must be none)
    text: list[str] = field(default_factory=list)                 # every text node


class _Reader(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._table: Table | None = None
        self._in_head = False
        self._row: list[tuple[dict[str, str], str]] | None = None
        self._cell: dict[str, str] | None = None
        self._cell_text: list[str] = []
        self._card: str | None = None
        self._dd: dict[str, str] | None = None
        self._record: str | None = None
        self._svg_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if "id" in a:
            self.page.anchors.add(a["id"])
        if tag == "a" and "href" in a:
            self.page.links.append(a["href"])
        if tag == "script":
            self.page.scripts += 1
        if tag == "svg":
            self.page.svgs.append(a)
            self._svg_depth += 1
        if tag == "title" and self._svg_depth:
            self.page.svg_titles += 1
        if tag == "article" and "data-id" in a:
            self._record = a["data-id"]
            self.page.records.append(self._record)
            self.page.explain[self._record] = []
        if tag == "li" and "data-what" in a and self._record is not None:
            self.page.explain[self._record].append(a["data-what"])
        if tag == "p":
            for k, v in a.items():
                if k.startswith("data-"):
                    self.page.attributes.setdefault(k, {})[a.get("class", "")] = v
        if tag == "section" and "data-target" in a:
            self._card = a["data-target"]
            self.page.cards[self._card] = {}
        if tag == "dd" and self._card is not None:
            self.page.cards[self._card][a.get("data-col", "")] = a.get("data-value")
        if tag == "table":
            self._table = Table()
            if "id" in a:
                self.page.tables[a["id"]] = self._table
            elif "timers" in a.get("class", "") and self._record is not None:
                self.page.timers[self._record] = self._table
        if self._table is not None:
            if tag == "th":
                self._table.columns.append(a.get("data-col", ""))
            elif tag == "tr":
                self._row = []
            elif tag == "td":
                self._cell = a
                self._cell_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._svg_depth -= 1
        if tag == "section":
            self._card = None
        if tag == "article":
            self._record = None
        if self._table is None:
            return
        if tag == "td" and self._cell is not None and self._row is not None:
            self._row.append((self._cell, "".join(self._cell_text).strip()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._row:
                self._table.rows.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        self.page.text.append(data)
        if self._cell is not None:
            self._cell_text.append(data)


def read_page(text: str) -> Page:
    reader = _Reader()
    reader.feed(text)
    reader.close()
    return reader.page


def check_valid(text: str) -> Any:
    """Parses the page with html5lib in strict mode: any parse error raises."""
    import html5lib

    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(text)


def value(cell: tuple[dict[str, str], str]) -> int | None:
    """A number cell's exact value (its data-value), None for '-'."""
    v = cell[0].get("data-value")
    return None if v is None else int(v)

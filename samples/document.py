"""One document: its tables (content + truth) and its pages, in the order its layout prints them."""

from __future__ import annotations

import random
from dataclasses import dataclass

from reportlab.lib.pdfencrypt import StandardEncryption

from samples.accounts import Accounts
from samples.layouts import HeaderNode, Layout
from samples.narrative import Block, DocumentText
from samples.render import PdfWriter, RenderedDocument, wrap
from samples.tables import Cell, Context, TableContent, build_table, layout_header


@dataclass(frozen=True, slots=True)
class DocumentSource:
    """Everything a document is rendered from."""

    stem: str
    layout: Layout
    level: str
    year: int
    department_name: str
    heading_name: str
    region_name: str
    accounts: Accounts
    zero_cell: str
    thousands: bool

    def words(self) -> dict[str, str]:
        return {
            "dept": self.department_name,
            "dept_heading": self.heading_name,
            "year": str(self.year),
            "region": self.region_name,
            "unit": self.layout.unit,
            "kind_word": "决算" if self.layout.report_kind == "final" else "预算",
            **self.layout.levels[self.level],
        }

    def rng(self, purpose: str) -> random.Random:
        return random.Random(f"{self.stem}:{purpose}")


@dataclass(slots=True)
class Document:
    source: DocumentSource
    tables: list[TableContent]
    rendered: RenderedDocument


def build_tables(source: DocumentSource) -> list[TableContent]:
    ctx = Context(
        accounts=source.accounts,
        layout=source.layout,
        words=source.words(),
        zero_cell=source.zero_cell,
        thousands=source.thousands,
        rng=source.rng("tables"),
    )
    return [build_table(spec, ctx, n) for n, spec in enumerate(source.layout.tables(source.level), 1)]


def render(
    source: DocumentSource, tables: list[TableContent], text: DocumentText, encrypt: StandardEncryption | None = None
) -> RenderedDocument:
    layout = source.layout
    words = source.words()
    writer = PdfWriter(
        title=f"{source.department_name}{source.year}",
        page_numbers=layout.family == "sichuan",
        ruling=layout.ruling,
        repeat_header=layout.repeat_header,
        encrypt=encrypt,
    )
    table_pages: dict[str, list[int]] = {}
    for part in layout.parts:
        if part == "cover":
            _cover(writer, [line.format(**words) for line in layout.cover])
        elif part == "tables":
            for index, table in enumerate(tables):
                heading = layout.table_heading.format(**words) if layout.table_heading and index == 0 else None
                info = (
                    layout.info_line.get("left", "").format(**words),
                    layout.info_line.get("right", "").format(**{**words, "unit": table.unit}),
                )
                table_pages[table.kind] = writer.table(table, heading, info)
        elif text.parts.get(part):
            writer.new_page("portrait")
            _blocks(writer, text.parts[part])
    rendered = writer.close()
    rendered.table_pages = table_pages
    return rendered


def _cover(writer: PdfWriter, lines: list[str]) -> None:
    writer.new_page("portrait")
    writer.space(writer.size[1] * 0.22)
    for line in lines:
        for part in _balanced(line, 24, writer.width * 0.8):
            writer.text_line(part, 24, "center", 2.0)
        writer.space(14)


def _balanced(text: str, size: float, width: float) -> list[str]:
    """A long cover line cut into lines of near-equal length (no one-character last line)."""
    count = len(wrap(text, size, width))
    step = -(-len(text) // count)
    return [text[i : i + step] for i in range(0, len(text), step)]


def _blocks(writer: PdfWriter, blocks: list[Block]) -> None:
    for kind, value in blocks:
        if kind == "h1":
            writer.text_line(value, 15, "center", gap=2.2)
            writer.space(6)
        elif kind == "h2":
            writer.text_line(value, 12.5, "left", gap=2.0)
        elif kind == "p":
            writer.paragraph(value)
        elif kind == "units":
            writer.space(6)
            writer.grid(_units_table(value))
            writer.space(6)


def _units_table(units: list[str]) -> TableContent:
    """The ruled list of units in a Shanghai 部门概况 (序号 | 单位名称 | 备注): no amounts."""
    header, rows = layout_header([HeaderNode("序号", w=0.6), HeaderNode("单位名称", w=4.0), HeaderNode("备注", w=1.2)])
    body = [[Cell(str(i), "c"), Cell(name), Cell("")] for i, name in enumerate(units, 1)]
    return TableContent("units", "", "", "portrait", [0.6, 4.0, 1.2], header, rows, body, [], False)

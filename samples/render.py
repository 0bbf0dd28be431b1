"""Drawing with reportlab's canvas: flowing text pages and ruled tables (every cell border drawn, so
pdfplumber's find_tables sees them), merged multi-row headers, wrapped names, page overflow without a
repeated header. Output is byte-identical for identical input (invariant mode)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from samples.tables import Cell, TableContent

FONT = "STSong-Light"
MARGIN_X = 50.0
MARGIN_TOP = 56.0
MARGIN_BOTTOM = 56.0
CELL_PAD_X = 3.0
CELL_PAD_Y = 3.5
BODY_SIZE = 9.0
LINE_GAP = 1.3
NO_LINE_START = set("，。、；：）》”’！？,.;:)%")
# Numbers (with separators, decimals, %) and Latin words never break across lines.
_TOKEN = re.compile(r"[0-9A-Za-z][0-9A-Za-z.,%]*|.", re.DOTALL)

pdfmetrics.registerFont(UnicodeCIDFont(FONT))
_widths: dict[tuple[str, float], float] = {}


def text_width(text: str, size: float) -> float:
    total = 0.0
    for ch in text:
        key = (ch, size)
        width = _widths.get(key)
        if width is None:
            width = _widths[key] = pdfmetrics.stringWidth(ch, FONT, size)
        total += width
    return total


def wrap(text: str, size: float, width: float, first_indent: float = 0.0) -> list[str]:
    """Lines of at most `width` points; explicit newlines kept; no line starts with closing punctuation."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used, limit = "", 0.0, width - first_indent
        for token in _TOKEN.findall(paragraph):
            w = text_width(token, size)
            if line and used + w > limit and token[0] not in NO_LINE_START:
                lines.append(line)
                line, used, limit = "", 0.0, width
            line += token
            used += w
        lines.append(line)
        first_indent = 0.0
    return lines


@dataclass(slots=True)
class RenderedDocument:
    pdf: bytes
    page_count: int
    table_pages: dict[str, list[int]] = field(default_factory=dict)  # table_kind → pages it is printed on


class PdfWriter:
    """A canvas with a cursor: pages, text that flows onto new pages, and ruled tables."""

    def __init__(
        self,
        *,
        title: str,
        page_numbers: bool,
        ruling: str = "rects",
        repeat_header: bool = False,
        encrypt: StandardEncryption | None = None,  # passwords and permissions (samples/bad_pdfs.py)
    ) -> None:
        self._buffer = io.BytesIO()
        self.canvas = Canvas(self._buffer, pagesize=A4, invariant=1, pageCompression=1, encrypt=encrypt)
        self.canvas.setTitle(title)
        self.canvas.setCreator("caijue samples")
        self.page = 0
        self.size = A4
        self.y = 0.0
        self._open = False
        self._page_numbers = page_numbers
        self._ruling = ruling  # rects | lines (cell edges as separate line segments, no rectangle)
        self._repeat_header = repeat_header  # title, info line and header again on continuation pages

    # ---------------------------------------------------------------------------- pages
    @property
    def width(self) -> float:
        return self.size[0] - 2 * MARGIN_X

    def new_page(self, orientation: str = "portrait") -> None:
        if self._open:
            self._finish_page()
        self.size = landscape(A4) if orientation == "landscape" else A4
        self.canvas.setPageSize(self.size)
        self.page += 1
        self._open = True
        self.y = self.size[1] - MARGIN_TOP

    def _finish_page(self) -> None:
        if self._page_numbers and self.page > 1:
            self.canvas.setFont(FONT, 9)
            self.canvas.drawCentredString(self.size[0] / 2, MARGIN_BOTTOM / 2, f"- {self.page - 1} -")
        self.canvas.showPage()
        self._open = False

    def _ensure(self, height: float) -> None:
        if self.y - height < MARGIN_BOTTOM:
            self.new_page("landscape" if self.size[0] > self.size[1] else "portrait")

    def close(self) -> RenderedDocument:
        if self._open:
            self._finish_page()
        self.canvas.save()
        return RenderedDocument(self._buffer.getvalue(), self.page)

    # ---------------------------------------------------------------------------- text
    def text_line(self, text: str, size: float, align: str = "left", gap: float = 1.7) -> None:
        leading = size * gap
        self._ensure(leading)
        self.y -= leading
        self.canvas.setFont(FONT, size)
        if align == "center":
            self.canvas.drawCentredString(self.size[0] / 2, self.y, text)
        elif align == "right":
            self.canvas.drawRightString(self.size[0] - MARGIN_X, self.y, text)
        else:
            self.canvas.drawString(MARGIN_X, self.y, text)

    def paragraph(self, text: str, size: float = 11.0, indent: int = 2, gap: float = 1.75) -> None:
        indent_width = text_width("　" * indent, size)
        for i, line in enumerate(wrap(text, size, self.width, indent_width)):
            leading = size * gap
            self._ensure(leading)
            self.y -= leading
            self.canvas.setFont(FONT, size)
            self.canvas.drawString(MARGIN_X + (indent_width if i == 0 else 0), self.y, line)
        self.y -= size * 0.3

    def space(self, points: float) -> None:
        self.y -= points

    def two_sided_line(self, left: str, right: str, size: float = 9.0) -> None:
        leading = size * 1.8
        self._ensure(leading)
        self.y -= leading
        self.canvas.setFont(FONT, size)
        if left:
            self.canvas.drawString(MARGIN_X, self.y, left)
        if right:
            self.canvas.drawRightString(self.size[0] - MARGIN_X, self.y, right)

    # ---------------------------------------------------------------------------- tables
    def table(self, content: TableContent, heading: str | None = None, info: tuple[str, str] = ("", "")) -> list[int]:
        """A table on a fresh page (its orientation); returns the pages it is printed on."""
        self.new_page(content.orientation)
        first = self.page
        if heading:
            self.text_line(heading, 14, "center", gap=1.6)
            self.space(4)

        def top() -> None:
            if content.form_label:
                self.text_line(content.form_label, 9, "right", gap=1.6)
            self.text_line(content.title, 15, "center", gap=1.6)
            self.space(4)
            self.two_sided_line(*info)
            self.space(4)

        top()
        self.grid(content, top if self._repeat_header else None)
        self.space(6)
        for note in content.notes:
            self.paragraph(note, size=9, indent=0, gap=1.6)
        return list(range(first, self.page + 1))

    def grid(self, content: TableContent, repeat: Callable[[], None] | None = None) -> None:
        """Header (and its numbering row) then body rows; a row that does not fit goes to a new page,
        with no header, or, given `repeat` (which prints the lines above the table), with the title
        lines and the header printed again."""
        xs = _column_edges(content.widths, self.width)

        def head() -> None:
            self._header(content, xs)
            if content.numbering:
                self._row(content.numbering, xs, _row_height(content.numbering, xs))

        head()
        for row in content.rows:
            height = _row_height(row, xs)
            if repeat is not None and self.y - height < MARGIN_BOTTOM:
                self.new_page("landscape" if self.size[0] > self.size[1] else "portrait")
                repeat()
                head()
            self._ensure(height)
            self._row(row, xs, height)

    def _header(self, content: TableContent, xs: Sequence[float]) -> None:
        size = BODY_SIZE
        heights = [size * 1.3 + 2 * CELL_PAD_Y] * content.header_rows
        for cell in sorted(content.header, key=lambda c: c.rowspan):
            width = xs[cell.col + cell.colspan] - xs[cell.col] - 2 * CELL_PAD_X
            needed = len(wrap(cell.label, size, width)) * size * LINE_GAP + 2 * CELL_PAD_Y
            spanned = heights[cell.row : cell.row + cell.rowspan]
            if sum(spanned) < needed:
                heights[cell.row + cell.rowspan - 1] += needed - sum(spanned)
        self._ensure(sum(heights))
        tops = [self.y]
        for h in heights:
            tops.append(tops[-1] - h)
        for cell in content.header:
            x0, x1 = xs[cell.col], xs[cell.col + cell.colspan]
            top, bottom = tops[cell.row], tops[cell.row + cell.rowspan]
            self._box(x0, top, x1, bottom)
            lines = wrap(cell.label, size, x1 - x0 - 2 * CELL_PAD_X)
            self._text_block(lines, x0, top, x1, bottom, "c", size)
        self.y = tops[-1]

    def _row(self, row: Sequence[Cell], xs: Sequence[float], height: float) -> None:
        col = 0
        top, bottom = self.y, self.y - height
        for cell in row:
            x0, x1 = xs[col], xs[col + cell.span]
            self._box(x0, top, x1, bottom)
            if cell.text and cell.across_rule:
                self._across_rule(cell.text, x1, bottom, BODY_SIZE)
            elif cell.text:
                lines = [cell.text] if cell.align == "r" else wrap(cell.text, BODY_SIZE, x1 - x0 - 2 * CELL_PAD_X)
                self._text_block(lines, x0, top, x1, bottom, cell.align, BODY_SIZE)
            col += cell.span
        self.y = bottom

    def _across_rule(self, text: str, x1: float, rule: float, size: float) -> None:
        """A figure printed across the rule below its cell, the way some publishers' text layers sit off their
        ruling: pdfminer's glyph box (baseline −0.27…+0.73 em) centres below the rule, PDFium's tight digit box
        (baseline 0…+0.70 em) above it — the two readings place it in different rows."""
        self.canvas.setFont(FONT, size)
        self.canvas.drawRightString(x1 - CELL_PAD_X, rule - 0.29 * size, text)

    def _box(self, x0: float, top: float, x1: float, bottom: float) -> None:
        self.canvas.setLineWidth(0.6)
        if self._ruling == "lines":
            edges = [(x0, top, x1, top), (x0, bottom, x1, bottom), (x0, top, x0, bottom), (x1, top, x1, bottom)]
            self.canvas.lines(edges)
        else:
            self.canvas.rect(x0, bottom, x1 - x0, top - bottom, stroke=1, fill=0)

    def _text_block(
        self, lines: Sequence[str], x0: float, top: float, x1: float, bottom: float, align: str, size: float
    ) -> None:
        leading = size * LINE_GAP
        block = leading * len(lines)
        baseline = top - (top - bottom - block) / 2 - size * 1.0
        self.canvas.setFont(FONT, size)
        for line in lines:
            if align == "r":
                self.canvas.drawRightString(x1 - CELL_PAD_X, baseline, line)
            elif align == "c":
                self.canvas.drawCentredString((x0 + x1) / 2, baseline, line)
            else:
                self.canvas.drawString(x0 + CELL_PAD_X, baseline, line)
            baseline -= leading


def _column_edges(widths: Sequence[float], width: float) -> list[float]:
    """The x of each column's left edge and of the last one's right edge: `widths` scaled to `width`."""
    scale = width / sum(widths)
    xs = [MARGIN_X]
    for w in widths:
        xs.append(xs[-1] + w * scale)
    return xs


def overflowing_figures(content: TableContent) -> list[str]:
    """The figures wider than their cells (a figure is never wrapped: it would be drawn over the rule into
    the next cell). A table with any cannot be printed legibly at the body size."""
    page = landscape(A4) if content.orientation == "landscape" else A4
    xs = _column_edges(content.widths, page[0] - 2 * MARGIN_X)
    found = []
    for row in (content.numbering, *content.rows):
        col = 0
        for cell in row:
            room = xs[col + cell.span] - xs[col] - 2 * CELL_PAD_X
            if cell.align == "r" and text_width(cell.text, BODY_SIZE) > room:
                found.append(cell.text)
            col += cell.span
    return found


def _row_height(row: Sequence[Cell], xs: Sequence[float]) -> float:
    lines = 1
    col = 0
    for cell in row:
        if cell.text and cell.align != "r":
            width = xs[col + cell.span] - xs[col] - 2 * CELL_PAD_X
            lines = max(lines, len(wrap(cell.text, BODY_SIZE, width)))
        col += cell.span
    return lines * BODY_SIZE * LINE_GAP + 2 * CELL_PAD_Y

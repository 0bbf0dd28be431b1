"""PDF pages → text lines and ruled grids. The only module that talks to pdfplumber."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.pdfparser import PDFSyntaxError
from pdfplumber.utils.exceptions import PdfminerException

from extract.model import ExtractionError

_MIN_RULING_SEGMENTS = 8  # fewer drawn segments than this cannot rule a table
_TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": 3}


@dataclass(frozen=True, slots=True)
class Cell:
    """One drawn cell; a merged cell covers several grid positions and is the same object in each."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(slots=True)
class Grid:
    """A ruled table as a dense matrix: `cells[r][c]` is the drawn cell covering row r, column c."""

    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    cells: list[list[Cell | None]]
    lefts: list[float]  # the left edge of each grid column

    @property
    def n_cols(self) -> int:
        return len(self.cells[0]) if self.cells else 0

    def text(self, r: int, c: int) -> str:
        cell = self.cells[r][c]
        return cell.text if cell else ""

    def row_texts(self, r: int) -> list[str]:
        """Texts of row r; a merged cell's text is given once, at its top-left position."""
        out: list[str] = []
        for c, cell in enumerate(self.cells[r]):
            left_first = c == 0 or self.cells[r][c - 1] is not cell
            top_first = r == 0 or self.cells[r - 1][c] is not cell
            out.append(cell.text if cell is not None and left_first and top_first else "")
        return out

    def realigned(self, lefts: list[float]) -> Grid:
        """The same drawn cells on another grid's columns (a continuation whose rows merge some columns)."""
        drawn = {id(c): c for row in self.cells for c in row if c is not None}.values()
        tops = [min(c.top for c in row if c is not None) for row in self.cells if any(row)]
        cells = [[_covering(list(drawn), x + 0.5, y + 0.5) for x in lefts] for y in tops]
        return Grid(self.page, self.top, self.bottom, self.x0, self.x1, cells, list(lefts))


@dataclass(frozen=True, slots=True)
class TextLine:
    text: str
    top: float
    bottom: float
    x0: float
    x1: float


@dataclass(slots=True)
class Page:
    number: int
    width: float
    height: float
    lines: list[TextLine] = field(default_factory=list)  # text outside the grids, top to bottom
    grids: list[Grid] = field(default_factory=list)
    has_text_layer: bool = True
    has_images: bool = False

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def read_pages(data: bytes, file_name: str) -> Iterator[Page]:
    """Every page of the PDF in order. Raises ExtractionError when the bytes are not a PDF."""
    if not data.lstrip()[:5].startswith(b"%PDF"):
        head = data.lstrip()[:40].decode("utf-8", "replace").strip()
        raise ExtractionError(file_name, f"not a PDF file (it starts with {head[:30]!r})")
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except (PdfminerException, PDFSyntaxError, ValueError) as exc:
        raise ExtractionError(file_name, f"unreadable PDF: {exc}") from exc
    plain = _plain_text_pages(data)
    with pdf:
        for number, page in enumerate(pdf.pages, start=1):
            try:
                yield plain.get(number) or _read_page(number, page)
            except Exception as exc:  # a damaged page stream: name the page, keep the rest
                raise ExtractionError(file_name, f"cannot read the page: {exc}", page=number) from exc
            finally:
                page.flush_cache()


def _plain_text_pages(data: bytes) -> dict[int, Page]:
    """Pages that draw no table (no ruling), read with PDFium's text layer: 20× faster than parsing
    every glyph with pdfminer. Any page PDFium cannot judge is left to pdfplumber."""
    plain: dict[int, Page] = {}
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return plain
    try:
        for index in range(len(document)):
            page = document[index]
            if _ruling_segments(page) >= _MIN_RULING_SEGMENTS:
                continue
            textpage = page.get_textpage()
            text = textpage.get_text_range() if textpage.count_chars() else ""
            lines = [t.strip() for t in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if t.strip()]
            width, height = page.get_size()
            plain[index + 1] = Page(
                index + 1, float(width), float(height),
                lines=[TextLine(t, float(i), float(i) + 0.5, 0.0, float(width)) for i, t in enumerate(lines)],
                has_text_layer=bool(lines),
                has_images=any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2)),
            )
    except pdfium.PdfiumError:
        return {}
    finally:
        document.close()
    return plain


def _ruling_segments(page: pdfium.PdfPage) -> int:
    paths = page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=3)
    return sum(max(pdfium_c.FPDFPath_CountSegments(path.raw), 1) for path in paths)


def _read_page(number: int, page: pdfplumber.page.Page) -> Page:
    has_text = bool(page.chars)
    result = Page(number, float(page.width), float(page.height), has_text_layer=has_text,
                  has_images=bool(page.images))
    if not has_text:
        return result
    if page.rects or page.lines or page.curves:
        result.grids = [g for t in page.find_tables(_TABLE_SETTINGS) if (g := _grid(number, t)) is not None]
    result.lines = _lines_outside(page, result.grids)
    return result


def _grid(number: int, table: pdfplumber.table.Table) -> Grid | None:
    rows = table.rows
    texts = table.extract()
    if not rows or not rows[0].cells:
        return None
    columns = sorted({c[0] for row in rows for c in row.cells if c is not None})
    drawn: list[Cell] = []
    for row, row_texts in zip(rows, texts, strict=True):
        for bbox, text in zip(row.cells, row_texts, strict=True):
            if bbox is not None:
                drawn.append(Cell(_clean_cell(text), *bbox))
    tops = [row.bbox[1] for row in rows]
    dense = [[_covering(drawn, x + 0.5, y + 0.5) for x in columns] for y in tops]
    if len(columns) < 2:
        return None
    x0, top, x1, bottom = table.bbox
    return Grid(number, top, bottom, x0, x1, dense, columns)


def _covering(cells: list[Cell], x: float, y: float) -> Cell | None:
    for cell in cells:
        if cell.x0 <= x < cell.x1 and cell.top <= y < cell.bottom:
            return cell
    return None


def _clean_cell(text: str | None) -> str:
    if not text:
        return ""
    return "\n".join(part.strip() for part in text.splitlines() if part.strip())


def _lines_outside(page: pdfplumber.page.Page, grids: list[Grid]) -> list[TextLine]:
    out = []
    for line in page.extract_text_lines(layout=False, strip=True, return_chars=False):
        mid = (line["top"] + line["bottom"]) / 2
        inside = any(g.top <= mid <= g.bottom and g.x0 - 2 <= line["x0"] <= g.x1 for g in grids)
        if not inside and line["text"].strip():
            out.append(TextLine(line["text"].strip(), line["top"], line["bottom"], line["x0"], line["x1"]))
    return out

"""PDF pages → text lines and ruled grids. The only module that talks to pdfplumber."""

from __future__ import annotations

import bisect
import io
import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

import pdfplumber
import pypdfium2 as pdfium
from pdfminer.pdfdocument import PDFEncryptionError
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFSyntaxError
from pdfplumber.utils.exceptions import PdfminerException

from extract.bounds import over_the_bounds
from extract.cells import is_body_row
from extract.model import ExtractionError
from extract.pdfium_pages import SNAP, NotJudged, PageObjects, page_objects, read_ruled_page

_MIN_RULING_SEGMENTS = 8  # fewer drawn segments than this cannot rule a table
# pdfplumber's table finding; extract.pdfium_pages finds tables the same way, with the same tolerances
_TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": SNAP}


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

    @property
    def centres(self) -> list[float]:
        """The middle of each grid column."""
        edges = [*self.lefts, self.x1]
        return [(a + b) / 2 for a, b in itertools.pairwise(edges)]

    def realigned(self, other: Grid) -> Grid:
        """The same drawn cells on another grid's columns: a continuation whose rows merge some columns, or whose
        ruling is drawn a little off the first page's (a margin column, another width) — each of `other`'s columns
        takes the cell under its middle."""
        drawn = list({id(c): c for row in self.cells for c in row if c is not None}.values())
        tops = [min(c.top for c in row if c is not None) for row in self.cells if any(row)]
        cells = _covering_each(drawn, other.centres, [y + 0.5 for y in tops])
        return Grid(self.page, self.top, self.bottom, self.x0, self.x1, cells, list(other.lefts))


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
    read_by: Literal["pdfium", "pdfplumber"] = "pdfplumber"  # the engine whose characters and ruling it is read from

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def read_pages(
    data: bytes,
    file_name: str,
    names_a_table: Callable[[str], bool] | None = None,
    parsed_pages: list[PDFPage] | None = None,
) -> Iterator[Page]:
    """Every page of the PDF in order. Raises ExtractionError when the bytes are not a PDF.

    `names_a_table(text)` tells whether the document's text (PDFium's, all pages) names a table caijue reads;
    when it does not, no page's ruling is parsed (a 300-page price list is read in seconds, not minutes).
    `parsed_pages`, when given, receives pdfminer's pages (parsed once for the bounds), whose content streams
    extract.damage looks into: the document is not parsed again."""
    if not data.lstrip()[:5].startswith(b"%PDF"):
        looks_like = what_it_looks_like(data)
        kind = "web page" if looks_like == _WEB_PAGE else "not a PDF"
        raise ExtractionError(file_name, f"not a PDF file: {looks_like}", file_kind=kind)
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except (PdfminerException, PDFSyntaxError, ValueError) as exc:
        raise ExtractionError(file_name, _why_unreadable(exc)) from exc
    with pdf:
        _refuse_over_the_bounds(pdf, data, file_name)
        if parsed_pages is not None:
            parsed_pages.extend(page.page_obj for page in pdf.pages)
        read = _pdfium_pages(data, names_a_table, page_reader())
        for number, page in enumerate(pdf.pages, start=1):
            try:
                yield read.get(number) or _read_page(number, page)
            except Exception as exc:  # a damaged page stream: name the page, keep the rest
                raise ExtractionError(file_name, f"cannot read the page: {exc}", page=number) from exc
            finally:
                page.flush_cache()


_WEB_PAGE = "a web page (HTML) saved under a .pdf name"
# A non-PDF is described by what it looks like, never by what it says: its bytes may be anything (a secrets file).
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "an image (PNG)"),
    (b"\xff\xd8\xff", "an image (JPEG)"),
    (b"GIF8", "an image (GIF)"),
    (b"PK\x03\x04", "a ZIP archive or an Office file (docx, xlsx)"),
    (b"\xd0\xcf\x11\xe0", "an old Office file (doc, xls)"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
)
_CUT_SHORT = ("Unexpected EOF",)  # pdfminer's words for a file that ends too early
_ENCRYPTED = "encrypted PDF (a password is needed to open it)"


def what_it_looks_like(data: bytes) -> str:
    """What a file that is not a PDF looks like, in words that quote none of its bytes."""
    if not data.strip():
        return "an empty file" if not data else "an empty file (only blank space)"
    for signature, looks_like in _SIGNATURES:
        if data.startswith(signature):
            return looks_like
    if _is_web_page(data):
        return _WEB_PAGE
    return "plain text" if _is_text(data[:4096]) else "binary data of an unknown kind"


def _is_web_page(data: bytes) -> bool:
    head = data.lstrip()[:512].lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in head


def _is_text(head: bytes) -> bool:
    for encoding in ("utf-8", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        return all(ch.isprintable() or ch in "\t\r\n\f" for ch in text)
    return False


def _refuse_over_the_bounds(pdf: pdfplumber.PDF, data: bytes, file_name: str) -> None:
    """A decompression bomb or a page repeating its content is refused before anything decodes it."""
    try:
        refused = over_the_bounds(pdf.doc, (page.page_obj for page in pdf.pages), data)
    except (PdfminerException, PDFSyntaxError, ValueError) as exc:
        raise ExtractionError(file_name, _why_unreadable(exc)) from exc
    if refused is not None:
        reason, page = refused
        raise ExtractionError(file_name, reason, page)


def _why_unreadable(exc: Exception) -> str:
    """Why pdfminer cannot open the PDF, in words that do not echo the file's bytes (its messages may quote
    tokens)."""
    inner = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
    if isinstance(inner, PDFEncryptionError):  # a wrong or missing password
        return _ENCRYPTED
    message = str(inner)
    if message in _CUT_SHORT:
        return "unreadable PDF: the file is cut short (it ends before the PDF does: an incomplete download or copy?)"
    if not message or "b'" in message or 'b"' in message:
        return f"unreadable PDF: its structure is damaged ({type(inner).__name__})"
    return f"unreadable PDF: {message}"


PAGE_READER_VARIABLE = "CAIJUE_PAGE_READER"
PageReader = Literal["pdfium", "pdfplumber"]
_PAGE_READERS: tuple[PageReader, ...] = ("pdfium", "pdfplumber")


def page_reader() -> PageReader:
    """Which engine reads the ruled pages: PDFium (the default; extract.pdfium_pages, proved the same reading as
    pdfplumber's by tests/test_pdfium_reader.py) or pdfplumber (`CAIJUE_PAGE_READER=pdfplumber`)."""
    chosen = os.environ.get(PAGE_READER_VARIABLE, "").strip().lower() or "pdfium"
    if chosen not in _PAGE_READERS:
        raise ValueError(f"{PAGE_READER_VARIABLE}={chosen!r}: the page reader is one of {', '.join(_PAGE_READERS)}")
    return chosen  # type: ignore[return-value]


def _pdfium_pages(data: bytes, names_a_table: Callable[[str], bool] | None, reader: PageReader) -> dict[int, Page]:
    """The pages PDFium reads: those that draw no table (no ruling) — or every page, when the document names no
    table caijue reads — from its text layer, 20× faster than parsing every glyph with pdfminer; and, with the
    PDFium reader, the ruled pages (extract.pdfium_pages). A page PDFium cannot judge is left to pdfplumber."""
    plain: dict[int, Page] = {}
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return plain
    try:
        pages = [document[index] for index in range(len(document))]
        textpages = [page.get_textpage() for page in pages]
        texts = [_page_text(textpage) for textpage in textpages]
        read_ruling = names_a_table is None or names_a_table("".join(texts))
        for index, (page, text) in enumerate(zip(pages, texts, strict=True)):
            drawn = page_objects(page)
            if read_ruling and drawn.ruling_segments >= _MIN_RULING_SEGMENTS:
                ruled = _pdfium_ruled_page(index + 1, page, textpages[index], drawn) if reader == "pdfium" else None
                if ruled is not None:
                    plain[index + 1] = ruled
                continue
            lines = [t.strip() for t in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if t.strip()]
            width, height = page.get_size()
            plain[index + 1] = Page(
                index + 1,
                float(width),
                float(height),
                lines=[TextLine(t, float(i), float(i) + 0.5, 0.0, float(width)) for i, t in enumerate(lines)],
                has_text_layer=bool(lines),
                has_images=drawn.has_images,
                read_by="pdfium",
            )
    except pdfium.PdfiumError:
        return {}
    finally:
        document.close()
    return plain


def _pdfium_ruled_page(
    number: int, page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, drawn: PageObjects
) -> Page | None:
    """A ruled page read by PDFium, the same reading as `_read_page`'s; None when PDFium cannot judge it."""
    try:
        reading = read_ruled_page(page, textpage, drawn.drawings, drawings_are_paths=drawn.drawings_are_paths)
    except (NotJudged, pdfium.PdfiumError):
        return None
    except Exception:  # a fault of the PDFium reader on this page: pdfplumber reads it (counted as not judged)
        return None
    result = Page(number, reading.width, reading.height, has_text_layer=reading.has_text, has_images=drawn.has_images,
                  read_by="pdfium")  # fmt: skip
    if not reading.has_text:
        return result
    found = (_grid(number, t.rows, t.texts, t.bbox) for t in reading.tables)
    result.grids = [g for g in found if g is not None]
    lines = (TextLine(line.text, line.top, line.bottom, line.x0, line.x1) for line in reading.lines)
    result.lines = _lines_outside(lines, result.grids)
    return result


def both_readings(data: bytes) -> Iterator[tuple[int, Page | None, Page]]:
    """Every ruled page of a PDF read by both engines: (page number, PDFium's reading or None where it cannot
    judge the page, pdfplumber's). For the equivalence test and benchmark, not for extraction."""
    document = pdfium.PdfDocument(data)
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for index, plumbed in enumerate(pdf.pages):
                page = document[index]
                if (drawn := page_objects(page)).ruling_segments >= _MIN_RULING_SEGMENTS:
                    pdfium_reading = _pdfium_ruled_page(index + 1, page, page.get_textpage(), drawn)
                    yield index + 1, pdfium_reading, _read_page(index + 1, plumbed)
                plumbed.flush_cache()
    finally:
        document.close()


def _page_text(textpage: pdfium.PdfTextPage) -> str:
    return textpage.get_text_range() if textpage.count_chars() else ""


def _read_page(number: int, page: pdfplumber.page.Page) -> Page:
    has_text = bool(page.chars)
    result = Page(number, float(page.width), float(page.height), has_text_layer=has_text, has_images=bool(page.images))
    if not has_text:
        return result
    if page.rects or page.lines or page.curves:
        tables = page.find_tables(_TABLE_SETTINGS)
        found = (_grid(number, [row.cells for row in t.rows], t.extract(), t.bbox) for t in tables)
        result.grids = [g for g in found if g is not None]
    result.lines = _lines_outside(_text_lines(page), result.grids)
    return result


Box = tuple[float, float, float, float]


def _grid(number: int, rows: list[list[Box | None]], texts: list[list[str | None]], bbox: Box) -> Grid | None:
    """A found table (its rows' cells, None where no cell starts, and their texts; pdfplumber's or PDFium's
    reading) as a Grid."""
    if not rows or not rows[0]:
        return None
    columns = sorted({c[0] for row in rows for c in row if c is not None})
    drawn: list[Cell] = []
    for row, row_texts in zip(rows, texts, strict=True):
        for cell_box, text in zip(row, row_texts, strict=True):
            if cell_box is not None:
                drawn.append(Cell(_clean_cell(text), *cell_box))
    tops = [min(c[1] for c in row if c is not None) for row in rows]
    dense = _covering_each(drawn, [x + 0.5 for x in columns], [y + 0.5 for y in tops])
    x0, top, x1, bottom = bbox
    grid = Grid(number, top, bottom, x0, x1, dense, columns)
    if len(columns) < 2 or (len(rows) < 2 and not is_body_row(grid.row_texts(0))):
        return None  # one ruled line of words is a highlighted phrase or a contents entry, not a table
    return _without_margins(grid)


_MARGIN_WIDTH = 15.0  # an empty column this narrow at a table's edge is frame, not a column


def _without_margins(grid: Grid) -> Grid:
    """The grid without narrow empty columns at its edges: a frame drawn a little wider on one page than on the
    next must not change the columns a continuation is matched by. (A wide empty column is a column with no
    figures on this page, and stays.)"""
    edges = [*grid.lefts, grid.x1]

    def margin(c: int) -> bool:
        empty = not any(grid.row_texts(r)[c] for r in range(len(grid.cells)))
        return empty and edges[c + 1] - edges[c] < _MARGIN_WIDTH

    first, last = 0, grid.n_cols - 1
    while first < last and margin(first):
        first += 1
    while last > first and margin(last):
        last -= 1
    if first == 0 and last == grid.n_cols - 1:
        return grid
    cells = [row[first : last + 1] for row in grid.cells]
    x0 = grid.lefts[first]
    x1 = grid.lefts[last + 1] if last + 1 < grid.n_cols else grid.x1
    return Grid(grid.page, grid.top, grid.bottom, x0, x1, cells, grid.lefts[first : last + 1])


def _covering_each(cells: list[Cell], xs: list[float], ys: list[float]) -> list[list[Cell | None]]:
    """For each y of `ys` and x of `xs`, the first of `cells` covering the point (x0 ≤ x < x1, top ≤ y <
    bottom), or None: each cell is handed the points it covers (found by bisection) that no earlier cell
    covers — linear in the cells and points, not their product."""
    dense: list[list[Cell | None]] = [[None] * len(xs) for _ in ys]
    x_order = sorted(range(len(xs)), key=xs.__getitem__)
    y_order = sorted(range(len(ys)), key=ys.__getitem__)
    x_sorted, y_sorted = [xs[i] for i in x_order], [ys[i] for i in y_order]
    for cell in cells:
        columns = x_order[bisect.bisect_left(x_sorted, cell.x0) : bisect.bisect_left(x_sorted, cell.x1)]
        for r in y_order[bisect.bisect_left(y_sorted, cell.top) : bisect.bisect_left(y_sorted, cell.bottom)]:
            row = dense[r]
            for c in columns:
                if row[c] is None:
                    row[c] = cell
    return dense


def _clean_cell(text: str | None) -> str:
    if not text:
        return ""
    parts = text.splitlines()
    if len(parts) == 1:  # most cells: one line
        return parts[0].strip()
    return "\n".join(part.strip() for part in parts if part.strip())


def _text_lines(page: pdfplumber.page.Page) -> Iterator[TextLine]:
    for line in page.extract_text_lines(layout=False, strip=True, return_chars=False):
        yield TextLine(line["text"], line["top"], line["bottom"], line["x0"], line["x1"])


def _lines_outside(lines: Iterable[TextLine], grids: list[Grid]) -> list[TextLine]:
    out = []
    for line in lines:
        mid = (line.top + line.bottom) / 2
        inside = any(g.top <= mid <= g.bottom and g.x0 - 2 <= line.x0 <= g.x1 for g in grids)
        if not inside and line.text.strip():
            out.append(TextLine(line.text.strip(), line.top, line.bottom, line.x0, line.x1))
    return out

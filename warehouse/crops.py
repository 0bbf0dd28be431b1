"""The printed figure an issue is about, cut out of the rendered page: what a department checks first.

A figure is found on its page either by the cell box extraction recorded for it (a table's cell: the
subject's row is shown, the cell outlined) or, for words outside the tables (the 情况说明), by searching
the page's text for the words the issue quotes (“社会保障和就业支出 67.49 万元”) and the figure inside them.
The crop is the band of the page those words or cells sit in, across the printed line or row, with a
margin; the figure itself is outlined in red. Pages are rendered with PDFium (pypdfium2), the text is
searched with pdfplumber: both give points from the page's top-left corner, as the recorded boxes are.
A file no longer at its path, or a figure not found on its page, gives no image and a note saying so.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
from PIL import Image, ImageDraw

from extract.model import CellBox

SCALE = 2.0  # rendered pixels per point (144 dpi): small print stays legible
MARGIN = 6.0  # points around the band
TRAILING = 40.0  # points shown right of the outlined figure
HEAD = 230.0  # points of a wide row's start kept (its code and name) when the cells up to the figure are left out
LEAD = 60.0  # points kept left of the outlined figure
GAP_WORTH = 120.0  # points of cells between head and figure below which the row is shown whole
GAP = 14  # pixels of the cut drawn between head and figure
OUTLINE = (220, 30, 30)
QUOTED = re.compile(r"“([^”]{2,200})”")


@dataclass(frozen=True, slots=True)
class Crop:
    """A cropped figure as PNG bytes, or None with a note saying why there is none."""

    png: bytes | None
    note: str = ""
    size: tuple[int, int] = (0, 0)  # pixels (width, height)


@dataclass(frozen=True, slots=True)
class Wanted:
    """What to cut out for one issue: its page, the recorded cells of the figure(s) (if any), the printed
    figure as text patterns to search for, and the words quoted around it."""

    page: int | None
    cells: Sequence[CellBox] = ()
    row: Sequence[CellBox] = ()  # the subject's other cells on the page: the band when no cell is the figure
    figure: str | None = None  # regular expression of the printed figure
    quoted: str | None = None  # the words the issue quotes, as printed (spacing aside)


def figure_pattern(value: Decimal, unit: str) -> str:
    """A regular expression for a figure as a document may print it: 863.44, 1,234.00, 1234, 62.05%."""
    if unit == "年":
        return rf"(?<!\d){int(value)}(?!\d)"
    sign = "-?" if value < 0 else ""
    text = format(abs(value), "f")
    whole, _, fraction = text.partition(".")
    grouped = ",?".join(_groups(whole))
    fraction = fraction.rstrip("0")
    decimals = rf"\.{fraction}0*" if fraction else r"(?:\.0+)?"
    percent = r"\s*%" if unit == "%" else ""
    return rf"(?<![\d.,]){sign}{grouped}{decimals}(?![\d]){percent}"


def _groups(whole: str) -> list[str]:
    head = len(whole) % 3 or 3
    return [whole[:head]] + [whole[i : i + 3] for i in range(head, len(whole), 3)]


def quoted_words(message: str) -> str | None:
    """The printed words an issue's message quotes (“…”), if any."""
    found = QUOTED.search(message or "")
    return found.group(1) if found else None


def spaced(words: str) -> str:
    """A regular expression matching the words with any spacing or line break between characters."""
    return r"\s*".join(re.escape(ch) for ch in words if not ch.isspace())


class PrintedPages:
    """One document's PDF, opened once for all its issues' crops; pages rendered once each."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._pdfium = pdfium.PdfDocument(str(path))
        self._plumber = pdfplumber.open(str(path))
        self._rendered: dict[int, Image.Image] = {}

    def close(self) -> None:
        self._plumber.close()
        self._pdfium.close()

    @property
    def page_count(self) -> int:
        return len(self._pdfium)

    def crop(self, wanted: Wanted) -> Crop:
        page = wanted.page
        if page is None or not 1 <= page <= self.page_count:
            return Crop(None, "无页码，无法截取" if page is None else f"文件无第 {page} 页")
        marks, note = self._locate(wanted)
        band = list(marks) or list(wanted.row)
        if not band:
            return Crop(None, note or f"第 {page} 页未找到所印数字")
        return self._cut(page, band, marks, note, elide=bool(wanted.cells))

    def _locate(self, wanted: Wanted) -> tuple[list[CellBox], str]:
        if wanted.cells:
            return list(wanted.cells), ""
        if wanted.row or (wanted.figure is None and wanted.quoted is None):
            return [], ""
        return self._search(wanted.page or 1, wanted.figure, wanted.quoted)

    def _search(self, page: int, figure: str | None, quoted: str | None) -> tuple[list[CellBox], str]:
        plumber_page = self._plumber.pages[page - 1]
        if quoted:
            for match in plumber_page.search(spaced(quoted), regex=True, return_chars=True):
                inside = _figure_inside(match["chars"], figure) if figure else None
                return [inside or _box(match)], ""
        if figure is None:
            return [], ""
        matches = plumber_page.search(figure, regex=True, return_chars=False)
        if not matches:
            return [], f"第 {page} 页未找到所印数字"
        note = f"该页有 {len(matches)} 处印有此数，标出第一处" if len(matches) > 1 else ""
        return [_box(matches[0])], note

    def _cut(self, page: int, band: list[CellBox], marks: list[CellBox], note: str, elide: bool) -> Crop:
        image = self._render(page)
        width, height = self._plumber.pages[page - 1].width, self._plumber.pages[page - 1].height
        top, bottom = min(b[1] for b in band), max(b[3] for b in band)
        x0, x1 = self._line_extent(page, top, bottom)
        x0 = min(x0, *(b[0] for b in band))
        # The row from its code and name up to the figure: the cells right of it are not what is in question.
        x1 = max(b[2] for b in marks) + TRAILING if marks else max(x1, *(b[2] for b in band))
        left, upper = max(0.0, x0 - MARGIN), max(0.0, top - MARGIN)
        right, lower = min(float(width), x1 + MARGIN), min(float(height), bottom + MARGIN)
        piece = image.crop(_pixels(left, upper, right, lower)).convert("RGB")
        draw = ImageDraw.Draw(piece)
        for x0m, topm, x1m, bottomm in marks:
            draw.rectangle(
                _pixels(x0m - left, topm - upper, x1m - left, bottomm - upper, pad=2), outline=OUTLINE, width=2
            )
        if elide:  # a table row; a sentence is shown whole
            piece = _elide(piece, [(m[0] - left, m[2] - left) for m in marks])
        out = io.BytesIO()
        piece.save(out, format="PNG", optimize=True)
        return Crop(out.getvalue(), note, piece.size)

    def _line_extent(self, page: int, top: float, bottom: float) -> tuple[float, float]:
        """Left and right of the printed words whose middle lies in the band: the whole row or line."""
        words = self._plumber.pages[page - 1].extract_words(keep_blank_chars=False, use_text_flow=False)
        inside = [w for w in words if top <= (w["top"] + w["bottom"]) / 2 <= bottom]
        if not inside:
            return float("inf"), float("-inf")
        return min(w["x0"] for w in inside), max(w["x1"] for w in inside)

    def _render(self, page: int) -> Image.Image:
        if page not in self._rendered:
            self._rendered[page] = self._pdfium[page - 1].render(scale=SCALE).to_pil()
        return self._rendered[page]


def _pixels(x0: float, top: float, x1: float, bottom: float, pad: int = 0) -> tuple[int, int, int, int]:
    return (round(x0 * SCALE) - pad, round(top * SCALE) - pad, round(x1 * SCALE) + pad, round(bottom * SCALE) + pad)


def _elide(piece: Image.Image, marks: list[tuple[float, float]]) -> Image.Image:
    """A wide table row kept legible: its head (code and name) and the outlined figure, the cells between
    them left out and a gap drawn where they were."""
    if not marks:
        return piece
    head_end = round(HEAD * SCALE)
    figure_start = round((min(x0 for x0, _ in marks) - LEAD) * SCALE)
    if figure_start - head_end < round(GAP_WORTH * SCALE):
        return piece
    head = piece.crop((0, 0, head_end, piece.height))
    tail = piece.crop((figure_start, 0, piece.width, piece.height))
    joined = Image.new("RGB", (head.width + GAP + tail.width, piece.height), "white")
    joined.paste(head, (0, 0))
    joined.paste(tail, (head.width + GAP, 0))
    draw = ImageDraw.Draw(joined)
    for y in range(0, piece.height, 6):  # a dashed cut
        draw.line((head.width + GAP // 2, y, head.width + GAP // 2, y + 3), fill=(150, 150, 150), width=1)
    return joined


def _figure_inside(chars: list[dict], figure: str) -> CellBox | None:
    text = "".join(c["text"] for c in chars)
    found = re.search(figure, text)
    if not found:
        return None
    return _box_of(chars[found.start() : found.end()])


def _box(match: dict) -> CellBox:
    return (float(match["x0"]), float(match["top"]), float(match["x1"]), float(match["bottom"]))


def _box_of(chars: list[dict]) -> CellBox:
    return (min(c["x0"] for c in chars), min(c["top"] for c in chars), max(c["x1"] for c in chars),
            max(c["bottom"] for c in chars))  # fmt: skip


@contextmanager
def printed_pages(file_path: str | None) -> Iterator[PrintedPages | str]:
    """The document's pages, or a note (str) saying why they cannot be opened."""
    if not file_path:
        yield "未记录原文件路径，无法截取"
        return
    path = Path(file_path)
    if not path.is_file():
        yield f"原文件已不在 {file_path}，无法截取"
        return
    try:
        pages = PrintedPages(path)
    except Exception as error:  # a PDF that no longer opens (replaced, truncated): say so, do not fail
        yield f"原文件无法打开（{type(error).__name__}），无法截取"
        return
    try:
        yield pages
    finally:
        with suppress(Exception):
            pages.close()

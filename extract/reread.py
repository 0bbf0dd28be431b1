"""A second, independent reading of the amounts on contested pages: the other engine's characters in the cell's box.

The first reading is PDFium's (extract.pdfium_pages: the characters whose pdfminer-style box centres in the
ruled cell) — or pdfplumber's, on a page PDFium could not judge. The second reading is the other engine's:

- after PDFium, pdfplumber's (pdfminer parses the content stream again, in Python): the characters whose box
  lies within the cell, overhanging it by at most a quarter of their height. Another parser, and a stricter
  placement: a figure printed across a rule lies within neither cell, so the cell it was read into reads empty;
- after pdfplumber, PDFium's: the glyphs whose tight box centres in the cell (pdfminer's box reaches from the
  font's descent to one em above it; a glyph's own box is where the ink is).

Where the two agree, the figure is printed as we read it, and an identity it breaks is the publisher's; where
they disagree, we may have misread the cell, and its table is in doubt. The second reading costs what the first
saved (pdfminer's parse of the page), so it is made only for the pages the gate finds contested (a failed
identity: expectations.gate), not for every page.
"""

from __future__ import annotations

import ctypes
import io
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import numpy as np
import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extract.model import Fact, FactIdentity, Problem, Unit
from extract.money import figure_of

_SCALE = 100  # device pixels per point: PDFium maps page to device coordinates in whole pixels
_OVERHANG = 0.25  # of a character's height: how far pdfminer's box may reach out of the cell it lies within


@dataclass(frozen=True, slots=True)
class PageGlyphs:
    """A page's glyphs as PDFium reads them, in the page's displayed space (top-left origin, points)."""

    text: list[str]
    cx: np.ndarray
    cy: np.ndarray

    def inside(self, box: tuple[float, float, float, float]) -> str:
        x0, top, x1, bottom = box
        hit = np.flatnonzero((self.cx >= x0) & (self.cx < x1) & (self.cy >= top) & (self.cy < bottom))
        return "".join(self.text[i] for i in hit)  # in PDFium's own reading order


@dataclass(frozen=True, slots=True)
class PageChars:
    """A page's characters as pdfminer parses them (pdfplumber's boxes, top-left origin, points)."""

    text: list[str]
    x0: np.ndarray
    top: np.ndarray
    x1: np.ndarray
    bottom: np.ndarray

    def inside(self, box: tuple[float, float, float, float]) -> str:
        x0, top, x1, bottom = box
        slack = _OVERHANG * (self.bottom - self.top)
        hit = np.flatnonzero((self.x0 >= x0 - slack) & (self.x1 <= x1 + slack)
                             & (self.top >= top - slack) & (self.bottom <= bottom + slack))  # fmt: skip
        return "".join(self.text[i] for i in hit)  # in the content stream's order


def disputed_cells(
    data: bytes,
    facts: Iterable[Fact],
    units: dict[str, Unit],
    pages: Collection[int] | None = None,
    read_by_pdfplumber: Collection[int] = (),
) -> dict[FactIdentity, str]:
    """Facts on `pages` (None: every page) whose cell the other engine reads as another amount: fact identity →
    both readings, in words. `read_by_pdfplumber`: the pages whose first reading was pdfplumber's."""
    boxed = [f for f in facts if f.box is not None and (pages is None or f.page in pages)]
    if not boxed:
        return {}
    wanted = sorted({f.page for f in boxed})
    seconds: dict[int, PageChars | PageGlyphs] = {
        **_pdfplumber_chars(data, [p for p in wanted if p not in read_by_pdfplumber]),
        **_pdfium_glyphs(data, [p for p in wanted if p in read_by_pdfplumber]),
    }
    disputed: dict[FactIdentity, str] = {}
    for fact in boxed:
        second = seconds[fact.page].inside(fact.box)  # type: ignore[arg-type]
        if figure_of(second, units.get(fact.table_kind, "元")) != fact.amount_yuan:
            engines = ("pdfplumber", "PDFium") if fact.page in read_by_pdfplumber else ("PDFium", "pdfplumber")
            disputed[fact.identity] = _describe(fact, second, *engines)
    return disputed


def ensure_second_reading(data: bytes, pages: Collection[int]) -> None:
    """Raises NoSecondReading when PDFium cannot load one of `pages` (read by pdfplumber: PDFium reads them a
    second time)."""
    if not pages:
        return
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise NoSecondReading(min(pages)) from exc
    try:
        for number in sorted(pages):
            _load_page(document, number).close()
    finally:
        document.close()


def _pdfplumber_chars(data: bytes, pages: list[int]) -> dict[int, PageChars]:
    if not pages:
        return {}
    out: dict[int, PageChars] = {}
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number in pages:
            page = pdf.pages[number - 1]
            chars = [c for c in page.chars if c["text"].strip()]
            boxes = np.asarray([(c["x0"], c["top"], c["x1"], c["bottom"]) for c in chars], dtype=float).reshape(-1, 4)
            out[number] = PageChars([c["text"] for c in chars], *boxes.T)
            page.flush_cache()
    return out


def _pdfium_glyphs(data: bytes, pages: list[int]) -> dict[int, PageGlyphs]:
    if not pages:
        return {}
    document = pdfium.PdfDocument(data)
    try:
        return {number: _page_glyphs(_load_page(document, number)) for number in pages}
    finally:
        document.close()


class NoSecondReading(Exception):
    """PDFium cannot load a page pdfminer read (a page tree the two engines walk differently: a loop, a
    damaged node): none of its figures can be read a second time."""

    def __init__(self, page: int) -> None:
        super().__init__(f"PDFium cannot load page {page}")
        self.page = page


def _load_page(document: pdfium.PdfDocument, number: int) -> pdfium.PdfPage:
    try:
        return document[number - 1]
    except pdfium.PdfiumError as exc:
        raise NoSecondReading(number) from exc


def disputed_problems(facts: Iterable[Fact], disputed: dict[FactIdentity, str]) -> list[Problem]:
    return [
        Problem("reading.disputed", "error", disputed[f.identity], table_kind=f.table_kind, page=f.page,
                subject_code=f.key, attributed_to="extraction", evidence=disputed[f.identity])
        for f in facts
        if f.identity in disputed
    ]  # fmt: skip


def _describe(fact: Fact, second: str, first_engine: str, second_engine: str) -> str:
    x0, top, x1, bottom = fact.box  # type: ignore[misc]
    label = f" (row {fact.row_label!r})" if fact.row_label else ""
    return (f"page {fact.page}, cell at x {x0:.0f}–{x1:.0f}, y {top:.0f}–{bottom:.0f}{label}: {first_engine} reads "
            f"{fact.amount_yuan} yuan [{fact.measure}], {second_engine} reads {second.strip()!r}")  # fmt: skip


def _page_glyphs(page: pdfium.PdfPage) -> PageGlyphs:
    """Every non-blank glyph's text and centre, mapped through the page's rotation and crop box to the same
    displayed space pdfplumber reports (x from the left, y from the top)."""
    textpage = page.get_textpage()
    width, height = page.get_size()
    count = textpage.count_chars()
    text: list[str] = []
    xs: list[float] = []
    ys: list[float] = []
    left, bottom, right, top = (ctypes.c_double() for _ in range(4))
    dx, dy = ctypes.c_int(), ctypes.c_int()
    for index in range(count):
        char = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, index))
        if not char.strip() or not pdfium_c.FPDFText_GetCharBox(textpage.raw, index, left, right, bottom, top):
            continue
        centre = ((left.value + right.value) / 2, (bottom.value + top.value) / 2)
        pdfium_c.FPDF_PageToDevice(page.raw, 0, 0, int(width * _SCALE), int(height * _SCALE), 0, *centre, dx, dy)
        text.append(char)
        xs.append(dx.value / _SCALE)
        ys.append(dy.value / _SCALE)
    textpage.close()
    return PageGlyphs(text, np.asarray(xs), np.asarray(ys))

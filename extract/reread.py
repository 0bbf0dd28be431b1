"""A second, independent reading of every amount: PDFium's glyphs inside the cell's box.

The first reading is pdfplumber's: pdfminer parses the page's content stream and pdfplumber assembles
each ruled cell's text. The second is PDFium's (another engine, another parser): the characters of its
text page whose centres fall inside the same cell box, in reading order. Where the two agree, the figure
is printed as we read it, and an identity it breaks is the publisher's; where they disagree, we may have
misread the cell, and its table is in doubt.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extract.model import Fact, FactIdentity, Problem, Unit
from extract.money import figure_of

_SCALE = 100  # device pixels per point: PDFium maps page to device coordinates in whole pixels


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


def disputed_cells(data: bytes, facts: Iterable[Fact], units: dict[str, Unit]) -> dict[FactIdentity, str]:
    """Facts whose cell PDFium reads as another amount: fact identity → both readings, in words."""
    boxed = [f for f in facts if f.box is not None]
    if not boxed:
        return {}
    disputed: dict[FactIdentity, str] = {}
    document = pdfium.PdfDocument(data)
    try:
        glyphs: dict[int, PageGlyphs] = {}
        for fact in boxed:
            if fact.page not in glyphs:
                glyphs[fact.page] = _page_glyphs(_load_page(document, fact.page))
            second = glyphs[fact.page].inside(fact.box)  # type: ignore[arg-type]
            if figure_of(second, units.get(fact.table_kind, "元")) != fact.amount_yuan:
                disputed[fact.identity] = _describe(fact, second)
    finally:
        document.close()
    return disputed


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


def _describe(fact: Fact, second: str) -> str:
    x0, top, x1, bottom = fact.box  # type: ignore[misc]
    label = f" (row {fact.row_label!r})" if fact.row_label else ""
    return (f"page {fact.page}, cell at x {x0:.0f}–{x1:.0f}, y {top:.0f}–{bottom:.0f}{label}: pdfplumber reads "
            f"{fact.amount_yuan} yuan [{fact.measure}], PDFium reads {second.strip()!r}")  # fmt: skip


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

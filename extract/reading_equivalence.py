"""Whether PDFium's reading of a ruled page is pdfplumber's (extract.pdfium_pages against extract.pages).

Two readings of a page are the same when they find the same grids — the same cells over the same positions
(a merged cell the same object over the same positions), the same cell texts, edges within 0.01 pt — the same
text lines outside them, and say the same of the text layer and images. The one difference PDFium cannot
avoid is in blanks: it turns some printed blanks into blanks of its own, which cannot be told from those it
inserts (extract.pdfium_pages._Glyphs), so two words printed within 3 pt with a blank between may read as one.
Every reader folds blanks away (extract.text.fold), so such a page counts apart: same but for blanks.
For tests/test_pdfium_reader.py and benchmarks/page_readers.py; extraction never calls it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from extract.pages import Grid, Page, TextLine, both_readings

TOLERANCE = 0.01  # points: PDFium's coordinates are single precision, pdfminer's double
Verdict = Literal["same", "same but for blanks", "different", "not judged"]
_BLANKS = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class PageComparison:
    page: int
    verdict: Verdict
    differences: tuple[str, ...] = ()  # what differs, in words (the first few)


def compare_document(data: bytes) -> Iterator[PageComparison]:
    """Every ruled page of the PDF, both readings compared."""
    for number, pdfium_page, pdfplumber_page in both_readings(data):
        if pdfium_page is None:
            yield PageComparison(number, "not judged")
            continue
        exact = differences(pdfium_page, pdfplumber_page, blanks=True)
        if not exact:
            yield PageComparison(number, "same")
            continue
        folded = differences(pdfium_page, pdfplumber_page, blanks=False)
        yield PageComparison(number, "different" if folded else "same but for blanks", tuple((folded or exact)[:5]))


def differences(first: Page, second: Page, *, blanks: bool) -> list[str]:
    """How two readings of one page differ (nothing: the same reading); `blanks`: whether blanks count."""
    out: list[str] = []
    if (first.has_text_layer, first.has_images) != (second.has_text_layer, second.has_images):
        out.append(f"text layer, images: {first.has_text_layer, first.has_images} ≠ "
                   f"{second.has_text_layer, second.has_images}")  # fmt: skip
    if len(first.grids) != len(second.grids):
        out.append(f"{len(first.grids)} grids ≠ {len(second.grids)}")
    for index, (a, b) in enumerate(zip(first.grids, second.grids, strict=False)):
        out.extend(f"grid {index + 1}: {d}" for d in _grid_differences(a, b, blanks))
    out.extend(_line_differences(first.lines, second.lines, blanks))
    return out


def _grid_differences(a: Grid, b: Grid, blanks: bool) -> list[str]:
    out: list[str] = []
    if not _close((a.top, a.bottom, a.x0, a.x1, *a.lefts), (b.top, b.bottom, b.x0, b.x1, *b.lefts)):
        out.append(f"frame or columns differ: {a.top:.2f},{a.x0:.2f} {len(a.lefts)} columns ≠ "
                   f"{b.top:.2f},{b.x0:.2f} {len(b.lefts)} columns")  # fmt: skip
    if _shape(a) != _shape(b):
        out.append(f"{len(a.cells)}×{a.n_cols} cells ≠ {len(b.cells)}×{b.n_cols}, or merged otherwise")
        return out
    for r, (row_a, row_b) in enumerate(zip(a.cells, b.cells, strict=True)):
        for c, (cell_a, cell_b) in enumerate(zip(row_a, row_b, strict=True)):
            text_a, text_b = (_text(cell.text if cell else "", blanks) for cell in (cell_a, cell_b))
            if text_a != text_b:
                out.append(f"row {r + 1} column {c + 1}: {text_a!r} ≠ {text_b!r}")
            elif cell_a and cell_b and not _close(_coordinates(cell_a), _coordinates(cell_b)):
                out.append(f"row {r + 1} column {c + 1}: cell box {_box(cell_a)} ≠ {_box(cell_b)}")
    return out


def _line_differences(a: list[TextLine], b: list[TextLine], blanks: bool) -> list[str]:
    if len(a) != len(b):
        return [f"{len(a)} text lines outside the grids ≠ {len(b)}"]
    out: list[str] = []
    for line_a, line_b in zip(a, b, strict=True):
        if _text(line_a.text, blanks) != _text(line_b.text, blanks):
            out.append(f"line {line_a.text!r} ≠ {line_b.text!r}")
        elif not _close(_coordinates(line_a), _coordinates(line_b)):
            out.append(f"line {line_a.text!r} at {_box(line_a)} ≠ {_box(line_b)}")
    return out


def _shape(grid: Grid) -> list[list[tuple[int, int]]]:
    """Each position's cell, named by the first position it covers: equal shapes merge the same positions."""
    first: dict[int, tuple[int, int]] = {}
    return [[first.setdefault(id(cell), (r, c)) if cell else (-1, -1) for c, cell in enumerate(row)]
            for r, row in enumerate(grid.cells)]  # fmt: skip


def _coordinates(item: object) -> tuple[float, ...]:
    return tuple(float(getattr(item, k)) for k in ("x0", "top", "x1", "bottom"))


def _box(item: object) -> tuple[float, ...]:
    return tuple(round(v, 2) for v in _coordinates(item))


def _close(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= TOLERANCE for x, y in zip(a, b, strict=True))


def _text(text: str, blanks: bool) -> str:
    return text if blanks else _BLANKS.sub("", text)

"""Header rows → column paths (本年支出 › 基本支出 › 人员经费), and where the body starts."""

from __future__ import annotations

from dataclasses import dataclass

from extract.cells import is_body_row
from extract.pages import Grid
from extract.text import fold


@dataclass(frozen=True, slots=True)
class Column:
    index: int
    path: tuple[str, ...]  # folded header texts, top to bottom, one per drawn header cell

    @property
    def leaf(self) -> str:
        return self.path[-1] if self.path else ""

    def mentions(self, *words: str) -> bool:
        return any(word in part for part in self.path for word in words)


def body_start(grid: Grid, skip: int) -> int:
    """The first row that carries a code or an amount — or the row after a column-numbering row (栏次 1 2 3),
    which closes the header whatever follows it (a 合计 and a class line printed blank: their sum is zero)."""
    for r in range(skip, len(grid.cells)):
        texts = grid.row_texts(r)
        if is_body_row(texts):
            return r
        if _is_numbering_row(texts):
            return r + 1
    return len(grid.cells)


def column_paths(grid: Grid, header_rows: range) -> list[Column]:
    columns = []
    for c in range(grid.n_cols):
        parts: list[str] = []
        previous = None
        for r in header_rows:
            cell = grid.cells[r][c]
            if cell is None or cell is previous:
                continue
            previous = cell
            text = fold(cell.text)
            if text and not _is_numbering(text) and (not parts or parts[-1] != text):
                parts.append(text)
        columns.append(Column(c, tuple(parts)))
    return columns


def _is_numbering_row(texts: list[str]) -> bool:
    """A row numbering the columns 1, 2, 3 … left to right (after 栏次 or ** over the stub, blank 行次 cells)."""
    cells = [fold(text) for text in texts if fold(text)]
    numbers = [int(cell) for cell in cells if cell.isdecimal()]
    return len(numbers) >= 2 and numbers == list(range(1, len(numbers) + 1)) and all(map(_is_numbering, cells))


def _is_numbering(text: str) -> bool:
    """A 栏次 row ("栏次", 1, 2, 3 …) numbers the columns; it says nothing about what a column holds.
    (A 行次 column numbers the rows: its header is kept, so the column is known and skipped.)"""
    return text == "栏次" or text.isdecimal() or set(text) <= {"*", "#"}

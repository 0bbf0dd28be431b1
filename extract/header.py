"""Header rows → column paths (本年支出 › 基本支出 › 人员经费), and where the body starts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.money import looks_like_amount
from extract.pages import Grid
from extract.text import fold

CODE = re.compile(r"^\d{3}(?:\d{2}){0,2}$")
_DASHES = frozenset({"-", "—", "--", "——", "-—"})
NUMBERING_HEADERS = frozenset({"栏次", "行次", "序号"})
_CODE_PREFIX = re.compile(r"^\[?(\d{3}(?:\d{2}){0,2})\]?(?=\D)")  # "2010301行政运行", "[2010301]行政运行"


@dataclass(frozen=True, slots=True)
class Column:
    index: int
    path: tuple[str, ...]  # folded header texts, top to bottom, one per drawn header cell

    @property
    def leaf(self) -> str:
        return self.path[-1] if self.path else ""

    def mentions(self, *words: str) -> bool:
        return any(word in part for part in self.path for word in words)


def is_body_row(texts: list[str]) -> bool:
    """A row that carries a code or an amount (a 栏次 row of 1, 2, 3 … does not)."""
    evidence = False
    if sum(fold(text) in _DASHES for text in texts) >= 2:  # a row of zeros printed as dashes
        return True
    for text in texts:
        cell = fold(text)
        if not cell:
            continue
        if cell in NUMBERING_HEADERS:
            return False
        if CODE.match(cell) or _CODE_PREFIX.match(cell) or (looks_like_amount(cell) and not _small_integer(cell)):
            evidence = True
    return evidence


def body_start(grid: Grid, skip: int) -> int:
    for r in range(skip, len(grid.cells)):
        if is_body_row(grid.row_texts(r)):
            return r
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


def code_prefix(text: str) -> tuple[str, str] | None:
    """'2010101行政运行' → ('2010101', '行政运行'): a code printed inside the name cell."""
    cell = fold(text)
    found = _CODE_PREFIX.match(cell)
    return (found.group(1), cell[found.end():]) if found else None


def _is_numbering(text: str) -> bool:
    """A 栏次 row ("栏次", 1, 2, 3 …) numbers the columns; it says nothing about what a column holds.
    (A 行次 column numbers the rows: its header is kept, so the column is known and skipped.)"""
    return text == "栏次" or text.isdigit()


def _small_integer(cell: str) -> bool:
    return cell.isdigit() and int(cell) < 100

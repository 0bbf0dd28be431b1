"""Where the tables are: titles, unit lines, grids and their continuations over pages."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from extract.cells import is_body_row
from extract.model import Problem, Unit
from extract.pages import Grid, Page
from extract.specs import Specs
from extract.text import fold, label

_UNIT = re.compile(r"单位[:：]?(万元|元)")
_SENTENCE = re.compile(r"[，。；;,]")
_TITLE_SLACK = 40  # a year, department name or "表N：" before the title; more means prose
# What may stand right before a title: a year, 部门/单位 wording, "表N：", or the end of a department name.
# Anything else changes the meaning (基本支出总表 is not 支出总表).
_TITLE_PREFIX_END = re.compile(
    r"(?:20\d{2}年度?|年度?|综合预算|表[一二三四五六七八九十\d]*[:.、]?"
    r"|[局委办厅院会心室所站馆处队社校府部门位级]|[)）])$"
)


@dataclass(frozen=True, slots=True)
class TitleMatch:
    table_kind: str
    report_kind: str
    title: str


@dataclass(slots=True)
class TableBlock:
    """One table of the document: its title, unit and the grids it is printed in."""

    title: TitleMatch
    first_page: int
    unit: Unit | None
    grids: list[Grid] = field(default_factory=list)
    empty_note: bool = False
    header_rows_skipped: dict[int, int] = field(default_factory=dict)  # grid index → preamble rows

    @property
    def last_page(self) -> int:
        return self.grids[-1].page if self.grids else self.first_page


def match_title(text: str, specs: Specs) -> TitleMatch | None:
    """The table a title line names, if the line is a title (not prose that mentions one)."""
    key = label(text)
    key = re.sub(r"[(（]?续(表)?[)）]?$", "", key)
    if not key or _SENTENCE.search(key) or key.startswith(("注", "说明", "数据来源")):
        return None
    for title, table_kind, report_kind in specs.titles_by_last_character.get(key[-1], ()):
        prefix = key[: len(key) - len(title)]
        if key.endswith(title) and len(prefix) <= _TITLE_SLACK and (not prefix or _TITLE_PREFIX_END.search(prefix)):
            return TitleMatch(table_kind, report_kind, fold(text))
    return None


def names_a_table(text: str, specs: Specs) -> bool:
    """Whether a document's text names any table caijue reads (a title anywhere: above a table, in its frame,
    in the table of contents)."""
    key = label(text)
    return any(title in key for title, _, _ in specs.titles)


def find_unit(texts: Iterable[str]) -> Unit | None:
    for text in texts:
        found = _UNIT.search(fold(text))
        if found:
            return found.group(1)  # type: ignore[return-value]
    return None


def is_empty_note(text: str, specs: Specs) -> bool:
    key = label(text)
    return any(marker in key for marker in specs.vocabulary.empty_markers)


def locate_tables(pages: list[Page], specs: Specs, problems: list[Problem]) -> list[TableBlock]:
    """Blocks in document order. A grid with no title above it continues the previous block."""
    blocks: list[TableBlock] = []
    current: TableBlock | None = None
    skipped: Grid | None = None  # the last grid of a table caijue does not read: its next page is skipped too
    for page in pages:
        events = _page_events(page, specs)
        pending: tuple[TitleMatch, Unit | None] | None = None
        for kind, top, payload in events:
            if kind == "title":
                pending = (payload, None)
            elif kind == "unit" and pending is not None:
                pending = (pending[0], payload)
            elif kind == "empty" and pending is not None:
                blocks.append(TableBlock(pending[0], page.number, pending[1], empty_note=True))
                current, pending = blocks[-1], None
            elif kind == "empty" and current is not None and current.last_page == page.number:
                current.empty_note = True
            elif kind == "grid":
                grid: Grid = payload
                inner_title, inner_unit, skip = _title_inside(grid, specs)
                if inner_title is not None:
                    pending = (inner_title, inner_unit or (pending[1] if pending else None))
                if pending is not None and current is not None and _repeats(current, pending[0], grid):
                    current.header_rows_skipped[len(current.grids)] = skip
                    current.grids.append(_aligned(current, grid))
                    pending = None
                elif pending is not None:
                    unit = pending[1] or _unit_above(page, grid, top)
                    current, skipped = TableBlock(pending[0], page.number, unit, [grid]), None
                    current.header_rows_skipped[0] = skip
                    blocks.append(current)
                    pending = None
                elif (unknown := _unknown_title_above(page, grid)) is not None:
                    current, skipped = None, grid
                    problems.append(
                        Problem(
                            "unknown_table",
                            "warning",
                            f"page {page.number}: table {unknown!r} is not a table kind caijue knows; skipped",
                            page=page.number,
                            printed=unknown,
                        )
                    )
                elif current is not None and _continues(current, grid):
                    current.header_rows_skipped[len(current.grids)] = skip
                    current.grids.append(_aligned(current, grid))
                elif skipped is not None and _follows(skipped, grid):
                    skipped = grid
                elif any(is_body_row(grid.row_texts(r)) for r in range(len(grid.cells))):
                    problems.append(
                        Problem(
                            "table_without_title",
                            "warning",
                            f"a ruled table on page {page.number} has no recognised title; skipped",
                            page=page.number,
                            printed=_first_row(grid),
                        )
                    )
        if pending is not None and _is_lone_title_page(page, specs):
            # a title at the foot of a page whose table starts on the next page
            current = TableBlock(pending[0], page.number, pending[1])
            blocks.append(current)
    return blocks


def _page_events(page: Page, specs: Specs) -> list[tuple[str, float, object]]:
    events: list[tuple[str, float, object]] = []
    wrapped: set[int] = set()  # the second line of a title printed over two lines
    for i, line in enumerate(page.lines):
        title = None if i in wrapped else match_title(line.text, specs)
        following = page.lines[i + 1].text if i + 1 < len(page.lines) else ""
        if title is None and i not in wrapped and following and match_title(following, specs) is None:
            title = match_title(line.text + following, specs)
            if title is not None:
                wrapped.add(i + 1)
        if title is not None:
            events.append(("title", line.top, title))
        unit = find_unit([line.text])
        if unit is not None:
            events.append(("unit", line.top + 0.01, unit))
        if is_empty_note(line.text, specs):
            events.append(("empty", line.top + 0.02, None))
    events.extend(("grid", g.top, g) for g in page.grids)
    titles = [e for e in events if e[0] == "title"]
    if len(titles) >= 4 and not page.grids:  # a table of contents lists titles, prints no table
        events = [e for e in events if e[0] != "title"]
    return sorted(events, key=lambda e: e[1])


def _title_inside(grid: Grid, specs: Specs) -> tuple[TitleMatch | None, Unit | None, int]:
    """Some publishers draw the title and the unit line inside the table's frame."""
    title: TitleMatch | None = None
    unit: Unit | None = None
    skip = 0
    for r in range(min(6, len(grid.cells))):
        texts = [t for t in grid.row_texts(r) if t]
        joined = "".join(texts)
        candidates = [joined, *(line for t in texts for line in t.splitlines())] if len(texts) <= 2 else []
        found_title = next((m for c in candidates if (m := match_title(c, specs))), None)
        found_unit = find_unit([line for t in texts for line in t.splitlines()])
        if found_title is not None:
            title, skip = found_title, r + 1
        if found_unit is not None:
            unit, skip = found_unit, r + 1
        if found_title is None and found_unit is None and joined and not _is_preamble(joined):
            break
    return title, unit, skip


def _is_preamble(text: str) -> bool:
    key = fold(text)
    return key.startswith(("编制单位", "部门名称", "单位名称", "部门:", "部门：")) or not key or is_form_label(key)


# A table's number in the publisher's set, printed on its own line above the title: 公开02表, 预算05表, 表3.
_FORM_LABEL = re.compile(r"^(?:公开|预算|部门|单位)?(?:\d+|[一二三四五六七八九十]+)表$|^表[一二三四五六七八九十\d]+$")


def is_form_label(text: str) -> bool:
    return bool(_FORM_LABEL.match(label(text)))


def _unit_above(page: Page, grid: Grid, top: float) -> Unit | None:
    above = [line.text for line in page.lines if line.bottom <= top + 1 and line.top >= top - 120]
    return find_unit(reversed(above))


def _repeats(block: TableBlock, title: TitleMatch, grid: Grid) -> bool:
    """A title printed again over the next page of the same table (some publishers repeat it)."""
    return block.title.table_kind == title.table_kind and bool(block.grids) and _continues(block, grid)


def _continues(block: TableBlock, grid: Grid) -> bool:
    """The next page's grid with the same columns, or the same frame (its rows may merge columns)."""
    return not block.grids or _follows(block.grids[-1], grid)


def _follows(previous: Grid, grid: Grid) -> bool:
    """The next page's grid continues the table: the same columns, the same frame — or, drawn to another width,
    a grid that starts with body rows (no header of its own) across the same stretch of the page."""
    if grid.page != previous.page + 1:
        return False
    same_frame = abs(grid.x0 - previous.x0) < 3 and abs(grid.x1 - previous.x1) < 3
    if grid.n_cols == previous.n_cols or same_frame:
        return True
    overlap = min(grid.x1, previous.x1) - max(grid.x0, previous.x0)
    return bool(grid.cells) and is_body_row(grid.row_texts(0)) and overlap >= 0.8 * (grid.x1 - grid.x0)


def _aligned(block: TableBlock, grid: Grid) -> Grid:
    first = block.grids[0]
    if grid.n_cols == first.n_cols:
        return grid
    return grid.realigned(first)


def _unknown_title_above(page: Page, grid: Grid) -> str | None:
    """A title-like line (…表) right above a grid, or inside its frame's first rows, that matched no
    known title: another table starts."""
    for line in page.lines:
        if grid.top - 90 <= line.bottom <= grid.top + 1 and (title := _title_like(line.text)):
            return title
    return _unknown_title_inside(grid)


def _unknown_title_inside(grid: Grid) -> str | None:
    for r in range(min(4, len(grid.cells))):
        texts = [t for t in grid.row_texts(r) if t]
        if len(texts) > 2:  # a header or body row: no title above it
            return None
        for line in (line for t in texts for line in t.splitlines()):
            if title := _title_like(line):
                return title
    return None


def _title_like(text: str) -> str | None:
    key = re.sub(r"[(（][^)）]*[)）]$", "", label(text))
    if is_form_label(key):
        return None  # the table's number: its title is on the next line
    if key.endswith("表") and len(key) >= 4 and not _SENTENCE.search(key) and not key.startswith("注"):
        return fold(text)
    return None


def _first_row(grid: Grid) -> str:
    """The first row with words: how an untitled table presents itself."""
    for r in range(min(4, len(grid.cells))):
        texts = [fold(t) for t in grid.row_texts(r) if fold(t)]
        if texts:
            return " | ".join(texts)[:80]
    return ""


def _is_lone_title_page(page: Page, specs: Specs) -> bool:
    """A page that holds only a table's title; its grid starts on the next page."""
    titles = [line for line in page.lines if match_title(line.text, specs)]
    return len(titles) == 1 and not page.grids and len(page.lines) <= 4

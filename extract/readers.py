"""One located table → facts, by the table's shape (subject matrix, two-sided summary, three-public)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from extract.cells import CODE, NUMBERING_HEADERS, code_prefix
from extract.classification import Classification, normalise_name
from extract.header import Column, body_start, column_paths
from extract.locate import TableBlock
from extract.model import CellBox, Fact, FactKind, Problem, Unit
from extract.money import CellError, decimals_of, figure_of, looks_like_amount, parse_amount, spilled_words
from extract.pages import Grid
from extract.repeats import settle_repeated_rows
from extract.specs import Phrasebook, Specs, TableSpec
from extract.text import fold, has_cjk, has_ordinal, label

_CODE_WORDS = ("编码", "代码", "编号")
_SPLIT_PARTS = ("类", "款", "项")
_NAME_WORDS = ("名称",)
_GENERIC_LEAVES = frozenset({"合计", "小计", "金额", "预算数", "决算数", "总数"})
_OTHER_SIDE_WORDS = ("经济分类", "用途")
_OTHER_YEAR_GROUPS = frozenset({"上年", "上年预算", "上年预算数", "增减变化情况", "增减变化", "增减"})
_FOREIGN_KEY_WORDS = ("单位编码", "单位代码", "预算单位", "单位名称", "政府经济", "政府预算支出经济", "政府支出经济")
# A key column of the other classification than the table's own (a function table's 部门支出经济分类科目 column,
# an economic table's 功能分类科目 column): the rows are cross-classified, the table is keyed by its own.
_CLASSIFICATION_WORDS = {"function": ("功能分类", "功能科目"), "economic": ("经济分类", "经济科目")}
_LABEL_HEADERS = frozenset({"项目", "项目名称", "科目名称", "功能科目名称", "收入项目", "支出项目", "科目"})


@dataclass(slots=True)
class TableResult:
    facts: list[Fact] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    decimals: int = 0  # the most decimals a non-blank amount printed
    keyed_beyond: str | None = None  # a second key the rows print beside the subject: "budget unit", …


@dataclass(frozen=True, slots=True)
class AmountColumn:
    index: int
    measure: str
    fund_scope: str
    header: str
    parts: tuple[int, ...] = ()  # a measure printed only split by fund: the sum of these columns


@dataclass(slots=True)
class Panel:
    """Key columns and the amount columns that belong to them (basic-expenditure tables print two)."""

    code_columns: list[int] = field(default_factory=list)
    name_column: int | None = None
    amounts: list[AmountColumn] = field(default_factory=list)
    fund_parts: list[AmountColumn] = field(default_factory=list)  # one fund's share of a measure each
    title: tuple[str, ...] = ()  # a header over the whole panel (人员经费 | 公用经费): no measure


@dataclass(slots=True)
class TableContext:
    spec: TableSpec
    block: TableBlock
    unit: Unit
    specs: Specs
    classification: Classification
    fiscal_year: int | None = None
    printed_names: dict[tuple[str, str], str] = field(default_factory=dict)  # see SubjectPath.names
    result: TableResult = field(default_factory=TableResult)
    _header: list[Column] | None = field(default=None, init=False, repr=False)

    def body_rows(
        self, amount_columns: frozenset[int] = frozenset(), *, below_header: bool = False
    ) -> Iterator[tuple[Grid, int, list[str]]]:
        """The rows from the first that carries a code or an amount; `below_header`: every row under the header
        rows skipped, for a reader that tells its rows by their labels (a row of blank figures is a row too)."""
        headed = {c.index for c in self.header() if c.path}
        for g, grid in enumerate(self.block.grids):
            skip = self.block.header_rows_skipped.get(g, 0)
            start = skip if below_header else self.body_start(grid, skip)
            for r in range(start, len(grid.cells)):
                yield grid, r, _under_headers(grid, r, headed, amount_columns)

    def body_start(self, grid: Grid, skip: int) -> int:
        """The first row with a code or an amount; in a two-sided summary, the row after its 项目 header row (and
        any column-numbering row) when that comes first: lines at the top whose zeros are printed blank are lines."""
        start = body_start(grid, skip)
        if self.spec.shape != "two_sided_summary":
            return start
        headed = [
            r
            for r in range(skip, start)
            if any(c is not None and label(c.text) in _LABEL_HEADERS for c in grid.cells[r])
        ]
        if not headed:
            return start
        after = headed[-1] + 1
        while after < start and any(fold(text) in NUMBERING_HEADERS for text in grid.row_texts(after)):
            after += 1
        return after

    def header(self) -> list[Column]:
        if self._header is None:
            self._header = []
            if self.block.grids:
                grid = self.block.grids[0]
                skip = self.block.header_rows_skipped.get(0, 0)
                self._header = column_paths(grid, range(skip, self.body_start(grid, skip)))
        return self._header

    def amount(self, text: str, grid: Grid, r: int, column: AmountColumn) -> Decimal | None:
        try:
            amount = parse_amount(text, self.unit)
        except CellError:
            spilled = spilled_words(text)
            if spilled is None:
                where = f"{self.block.title.title}: row {r + 1}, column {column.header!r}"
                message = f"{where} holds {text!r}, not an amount"
                self.result.problems.append(
                    Problem("unreadable_cell", "error", message, table_kind=self.spec.table_kind, page=grid.page)
                )
                return None
            words, text = spilled
            self.warn("cell.words_spilled", f"row {r + 1}, column {column.header!r} prints {words!r} with its figure "
                      f"{text} (a name run over from the row's name cell); the figure is read", grid.page,
                      attributed_to="publisher", printed=words + text)  # fmt: skip
            amount = parse_amount(text, self.unit)
        if amount != 0:
            self.result.decimals = max(self.result.decimals, decimals_of(text))
        return amount

    def column_amount(self, texts: list[str], grid: Grid, r: int, column: AmountColumn) -> Decimal | None:
        """The row's amount in the column, or the sum of its fund columns (None when a cell is unreadable)."""
        amounts = [self.amount(texts[i], grid, r, column) for i in (column.parts or (column.index,))]
        return None if any(a is None for a in amounts) else sum(amounts, Decimal("0.00"))  # type: ignore[arg-type]

    def emit(
        self,
        kind: FactKind,
        key: str,
        measure: str,
        scope: str,
        amount: Decimal,
        page: int,
        row_label: str = "",
        keep_zero: bool = False,
        box: CellBox | None = None,
    ) -> None:
        if amount == 0 and not keep_zero:
            return
        self.result.facts.append(Fact(self.spec.table_kind, scope, kind, key, measure, amount, page, row_label, box))

    def warn(self, check_name: str, message: str, page: int | None = None, **fields: Any) -> None:
        """A warning about this table: what could not be placed, or what the publisher printed oddly."""
        self.result.problems.append(
            Problem(check_name, "warning", f"{self.block.title.title}: {message}", table_kind=self.spec.table_kind,
                    page=page if page is not None else self.block.first_page, **fields)
        )  # fmt: skip

    def _is_blank(self, index: int) -> bool:
        return not any(texts[index] for _, _, texts in self.body_rows())

    def unknown_column(self, column: Column) -> None:
        if "".join(column.path) in NUMBERING_HEADERS or self._is_blank(column.index):
            return  # a 序号 column, or a ruled sliver of a header with no figure under it
        header = " › ".join(column.path)
        if any(fold(part).startswith("其中") for part in column.path):
            # An "of which" column breaks a measure down: never a term of a sum, not a contract measure.
            self.warn("breakdown_column", f"column {header!r} breaks a figure down (其中); not loaded", printed=header)
        else:
            self.warn("unknown_column", f"column header {header!r} is not in the vocabulary", printed=header)


def read_table(ctx: TableContext) -> TableResult:
    readers = {
        "subject_matrix": _read_subject_matrix,
        "two_sided_summary": _read_two_sided_summary,
        "three_public": _read_three_public,
    }
    readers[ctx.spec.shape](ctx)
    if ctx.spec.shape == "subject_matrix":
        facts, problems = settle_repeated_rows(
            ctx.result.facts, ctx.unit, ctx.result.decimals, ctx.block.title.title, ctx.result.keyed_beyond
        )
        ctx.result.facts = facts
        ctx.result.problems.extend(problems)
    return ctx.result


def _under_headers(grid: Grid, r: int, headed: set[int], amount_columns: frozenset[int]) -> list[str]:
    """Row r's texts by column. A body cell drawn from a column with no header of its own across into a headed
    one (some publishers' rows are ruled off their header's columns), or an amount drawn from a key column across
    into an amount column (a 合计 row ruled apart), is read under the column it reaches."""
    texts = grid.row_texts(r)
    for c in sorted(headed):
        if texts[c] or (cell := grid.cells[r][c]) is None or not cell.text:
            continue
        start = next((k for k in range(c) if grid.cells[r][k] is cell), None)
        if start is None or not texts[start]:
            continue
        spilled_amount = c in amount_columns and start not in amount_columns and looks_like_amount(texts[start])
        if start not in headed or spilled_amount:
            texts[c], texts[start] = texts[start], ""
    return texts


def cell_box(grid: Grid, r: int, c: int) -> CellBox | None:
    cell = grid.cells[r][c]
    return (cell.x0, cell.top, cell.x1, cell.bottom) if cell is not None else None


# --- subject matrices -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ColumnMeaning:
    measure: str
    is_fund_part: bool = False  # one fund's share of the measure (上年结转结余 › 一般公共预算资金)


def _measure_of(column: Column, ctx: TableContext) -> ColumnMeaning | None:
    """The measure a column holds: its leaf header's, or — when the leaf is a generic 合计/小计 — its
    parent's (基本支出 › 小计 is basic). A named leaf never takes its parent's measure (基本支出 ›
    日常公用支出 is not basic), except a fund's name under a measure that is not itself split by fund
    (上年结转结余 › 一般公共预算资金 is that fund's share of the carryover, not 一般公共预算 income)."""
    vocabulary = ctx.specs.vocabulary
    books: list[Phrasebook] = [vocabulary.measures]
    if ctx.spec.is_fund_table:
        books.insert(0, vocabulary.fund_table_measures)

    def lookup(part: str) -> str | None:
        return next((m for book in books if (m := book.lenient(part)) is not None), None)

    if not column.path:
        return None
    column = _fragments_joined(column, lookup)
    parent = next((m for part in reversed(column.path[:-1]) if (m := lookup(part)) is not None), None)
    generic = len(column.path) > 1 and _is_generic_leaf(column.leaf, column.path[-2])
    if generic and (direct := lookup(column.path[-2])) is not None:
        return ColumnMeaning(direct)
    leaf = lookup(column.leaf)
    is_fund_word = leaf in vocabulary.fund_measures or vocabulary.fund_parts.exact(column.leaf) is not None
    if is_fund_word and parent is not None and parent not in vocabulary.fund_split_measures:
        return ColumnMeaning(parent, is_fund_part=True)
    return ColumnMeaning(leaf) if leaf is not None else None


def _fragments_joined(column: Column, lookup: Callable[[str], str | None]) -> Column:
    """A header printed a few characters per ruled row (上级 / 补助 / 收入) is one header: the shortest run of
    trailing fragments that reads as a measure is joined into the leaf."""
    if lookup(column.leaf) is not None or len(column.path) < 2:
        return column
    for start in range(len(column.path) - 2, -1, -1):
        joined = "".join(column.path[start:])
        if lookup(joined) is not None:
            return Column(column.index, (*column.path[:start], joined))
    return column


def _is_generic_leaf(leaf: str, parent: str) -> bool:
    """合计 / 小计 under a measure, or the measure's own words with such a suffix (项目支出 › 项目支出总数)."""
    key, above = label(leaf), label(parent)
    return key in _GENERIC_LEAVES or (key.startswith(above) and key[len(above) :] in _GENERIC_LEAVES)


def _under_panel(column: Column, panel: Panel) -> Column:
    """The column's header below the title it shares with its panel's code column."""
    shared = 0
    for mine, theirs in zip(column.path, panel.title, strict=False):
        if mine != theirs:
            break
        shared += 1
    return Column(column.index, column.path[shared:]) if shared and shared < len(column.path) else column


def _fund_parts_joined(amounts: list[AmountColumn], parts: list[AmountColumn]) -> list[AmountColumn]:
    """A measure printed only as its funds' shares is their sum; one printed whole as well is that column."""
    whole = {a.measure for a in amounts}
    joined: dict[str, list[AmountColumn]] = {}
    for part in parts:
        if part.measure not in whole:
            joined.setdefault(part.measure, []).append(part)
    for measure, columns in joined.items():
        header = f"{columns[0].header.split(' › ')[0]} (Σ {len(columns)} fund columns)"
        amounts.append(
            AmountColumn(columns[0].index, measure, columns[0].fund_scope, header, tuple(c.index for c in columns))
        )
    return sorted(amounts, key=lambda a: a.index)


def _without_grand_total(amounts: list[AmountColumn]) -> list[AmountColumn]:
    """One column per measure. Of several total columns the year's own wins (本年收入 › 合计 over a 总计 that
    adds the carryover), then the least nested (支出总计 over a 小计 under 政府采购项目, a breakdown), then the
    leftmost."""
    totals = [a for a in amounts if a.measure == "total"]
    if len(totals) > 1:
        best = min(totals, key=lambda a: ("本年" not in a.header, a.header.count(" › "), a.index))
        amounts = [a for a in amounts if a.measure != "total" or a is best]
    seen: set[str] = set()
    kept = []
    for amount in amounts:
        if amount.measure not in seen:
            seen.add(amount.measure)
            kept.append(amount)
    return kept


def _is_name_column(column: Column, measure: ColumnMeaning | None) -> bool:
    """科目名称, 项目 — or a 经济科目 column printing "[30101]基本工资" (code and name in one cell)."""
    return (
        column.mentions(*_NAME_WORDS)
        or (measure is None and column.path[:1] == ("项目",))
        or (measure is None and column.leaf.endswith("科目"))
    )


def _names_other_classification(column: Column, ctx: TableContext) -> bool:
    own = _CLASSIFICATION_WORDS.get(ctx.spec.key or "", ())
    other = next((words for key, words in _CLASSIFICATION_WORDS.items() if key != ctx.spec.key), ())
    return bool(own) and column.mentions(*other) and not column.mentions(*own)


def _is_code_column(column: Column) -> bool:
    return column.mentions(*_CODE_WORDS) or column.leaf in _SPLIT_PARTS


def _foreign_columns(columns: list[Column], ctx: TableContext) -> set[int]:
    """Key columns of something else than the table's subjects: a budget unit, the government economic
    classification, the other classification — and the code columns printed right before such a name."""
    foreign = {c.index for c in columns if c.mentions(*_FOREIGN_KEY_WORDS) or _names_other_classification(c, ctx)}
    run: list[int] = []
    for column in columns:
        if _is_code_column(column) and column.index not in foreign:
            run.append(column.index)
            continue
        if column.index in foreign and run:
            foreign.update(run)
        run = []
    return foreign


def _second_key(columns: list[Column], foreign: set[int]) -> str | None:
    """What the rows are keyed by beside the table's own subject, as its headers say."""
    named = [c for c in columns if c.index in foreign and c.path]
    if any(c.mentions("单位") for c in named):
        return "budget unit"
    if any(c.mentions("经济", "功能") for c in named):
        return "pair with the other classification"
    return None


def _panels(columns: list[Column], ctx: TableContext) -> list[Panel]:
    panels: list[Panel] = []
    current: Panel | None = None
    foreign = _foreign_columns(columns, ctx)
    ctx.result.keyed_beyond = _second_key(columns, foreign)
    for column in columns:
        if column.index in foreign:
            continue  # a budget unit's code, the government economic code, or the other classification
        is_code = _is_code_column(column)
        if is_code:
            if current is None or current.amounts or current.name_column is not None:
                current = Panel()
                panels.append(current)
            current.code_columns.append(column.index)
            current.title = column.path[:-1] if len(current.code_columns) == 1 else current.title
            continue
        if current is None:
            current = Panel()
            panels.append(current)
        meaning = _measure_of(_under_panel(column, current), ctx)
        if _is_name_column(column, meaning) and not current.amounts:
            current.name_column = column.index
        elif meaning is not None:
            target = current.fund_parts if meaning.is_fund_part else current.amounts
            target.append(AmountColumn(column.index, meaning.measure, ctx.spec.fund_scope, " › ".join(column.path)))
        elif column.path and column.leaf not in NUMBERING_HEADERS:
            ctx.unknown_column(column)
    for panel in panels:
        panel.amounts = _without_grand_total(_fund_parts_joined(panel.amounts, panel.fund_parts))
    return [p for p in panels if p.amounts]


@dataclass(slots=True)
class SubjectPath:
    """Subjects printed by name only, read in print order: a 类 name, then its 款, then their 项.
    A name means a code only under its parent (行政运行 exists under dozens of 款): it is looked up among the
    children of the 款 or 类 above it, in the classification and in the names the document itself prints
    beside codes in its other tables (`names`: (parent code, name) → code)."""

    classification: Classification
    economic: bool = False
    class_code: str | None = None
    section_code: str | None = None
    names: dict[tuple[str, str], str] = field(default_factory=dict)

    def resolve(self, name: str) -> str | None:
        key = label(name)
        if not key:
            return None
        if self.economic:
            code = self.classification.economic_code_for_name(key, self.class_code)
            if code is not None and len(code) == 3:
                self.class_code = code
            return code
        numbered = has_ordinal(name)
        class_code = self.classification.class_code_for_name(key)
        item = self._child(self.section_code, key)
        section = None if item else self._child(self.class_code, key)
        # A numbered line is a class (五、住房保障支出); an unnumbered one is first a child of the class above it
        # (住房保障 under 援助其他地区支出 is its 款 21908, not the class 221).
        if class_code is not None and (numbered or not (item or section)):
            self.class_code, self.section_code = class_code, None
            return class_code
        if item is not None:
            return item
        if section is not None:
            self.section_code = section
            return section
        self.section_code = None  # a line we cannot place: its 项 must not be read under the 款 before it
        if numbered:
            self.class_code = None
        return None

    def _child(self, parent: str | None, key: str) -> str | None:
        if parent is None:
            return None
        return self.classification.child_code_for_name(parent, key) or self.names.get((parent, normalise_name(key)))

    def follow(self, code: str) -> None:
        """A printed code sets the context for name-only rows after it."""
        if len(code) == 3:
            self.class_code, self.section_code = code, None
        elif len(code) == 5:
            self.class_code, self.section_code = code[:3], code


@dataclass(slots=True)
class CodeContext:
    class_part: str = ""
    section_part: str = ""


@dataclass(frozen=True, slots=True)
class RowKey:
    """What a row is keyed by: its subject code (None for a total or label-only row), its printed name, and
    — when the printed code had to be mended (a part of the wrong width) — what was printed and why."""

    code: str | None
    name: str
    mended: str | None = None
    unit_row: bool = False  # a budget unit's own row (its 6-digit unit code): it opens the unit's block


_RELATIVE_SECTION = re.compile(r"^\d{2}$")
_UNIT_CODE = re.compile(r"^\d{6}$")  # a budget unit's code (125001): never a subject's

_PART_WIDTHS = (3, 2, 2)  # 类, 款, 项 in split code columns


def _row_code(texts: list[str], panel: Panel, ctx: CodeContext) -> RowKey:
    name = fold(texts[panel.name_column]) if panel.name_column is not None else ""
    parts = [fold(texts[c]) for c in panel.code_columns]
    split = len(parts) > 1 and not all(len(p) >= 3 or not p for p in parts[1:])
    if split or (len(parts) > 1 and CODE.match(parts[0]) and not any(parts[1:])):
        code, mended = _split_code(parts, ctx)
        return RowKey(code, name or next((p for p in parts if not p.isdigit() and p), ""), mended)
    code = next((p for p in reversed(parts) if CODE.match(p)), None)
    if code is None and len(parts) == 1 and _RELATIVE_SECTION.match(parts[0]) and ctx.class_part:
        code = ctx.class_part + parts[0]  # "05" printed under 208: its 款 20805, relative to the 类 above
    if code is None:
        embedded = code_prefix(parts[0] if parts and parts[0] else name)
        if embedded:
            ctx.class_part = embedded[0][:3]
            return RowKey(embedded[0], embedded[1] or name)
        unit = len(parts) == 1 and _UNIT_CODE.match(parts[0]) is not None
        return RowKey(None, name or next((p for p in parts if p), ""), unit_row=unit)
    ctx.class_part = code[:3]
    return RowKey(code, name)


def _split_code(parts: list[str], ctx: CodeContext) -> tuple[str | None, str | None]:
    """The code of a row printed in 类 | 款 | 项 columns; a blank part is the running one from the rows above.
    A part printed short ("301 | 2" for 30102) is read zero-padded; a 类 printed short on a 款 or 项 row takes the
    running 类 — both are the publisher's typos, returned as the second value."""
    if not any(p.isdigit() for p in parts):
        return None, None
    widths = [w for w, p in zip(_PART_WIDTHS, parts, strict=False)]
    mended = [p.zfill(w) if p.isdigit() and len(p) < w else p for p, w in zip(parts, widths, strict=False)]
    notes = [f"{p!r} for {m!r}" for p, m in zip(parts, mended, strict=False) if p != m]
    class_part, section, item = (*mended, "", "")[:3]
    if class_part.isdigit() and parts[0] != class_part and any(p.isdigit() for p in parts[1:]) and ctx.class_part:
        notes = [f"类 {parts[0]!r} on a lower row, read as the running 类 {ctx.class_part}"]
        class_part = ctx.class_part
    if class_part.isdigit():
        if class_part != ctx.class_part:
            ctx.section_part = ""
        ctx.class_part = class_part
    if section.isdigit():
        ctx.section_part = section
    note = "; ".join(notes) or None
    if item.isdigit():
        return ctx.class_part + ctx.section_part + item, note
    if section.isdigit():
        return ctx.class_part + section, note
    return (ctx.class_part, note) if class_part.isdigit() else (None, None)


def _read_subject_matrix(ctx: TableContext) -> None:
    panels = _panels(ctx.header(), ctx)
    if not panels:
        return
    kind: FactKind = "economic" if ctx.spec.key == "economic" else "function"
    code_contexts = [CodeContext() for _ in panels]
    paths = [SubjectPath(ctx.classification, economic=kind == "economic", names=ctx.printed_names) for _ in panels]
    amount_columns = frozenset(i for p in panels for a in p.amounts for i in (a.parts or (a.index,)))
    for grid, r, texts in ctx.body_rows(amount_columns):
        for panel, code_ctx, path in zip(panels, code_contexts, paths, strict=True):
            key = _row_code(texts, panel, code_ctx)
            code, name = key.code, key.name
            if key.mended and code is not None:
                ctx.warn("code.printed_short", f"the code of row {name!r} is printed short ({key.mended}); read as "
                         f"{code}", grid.page, subject_code=code, attributed_to="publisher",
                         evidence=f"the printed parts {key.mended}")  # fmt: skip
            if code is not None and kind == "function":
                code = _by_name_if_unknown(ctx, code, name, grid.page)
            total_key = None if code else ctx.specs.vocabulary.total_rows.exact(name)
            if code is not None:
                path.follow(code)
            elif total_key is None and not panel.code_columns:
                code = path.resolve(name)
            if key.unit_row:
                ctx.result.keyed_beyond = ctx.result.keyed_beyond or "budget unit"
            if code is None and total_key is None:
                if name and not key.unit_row and any(_nonzero(texts[a.index]) for a in panel.amounts):
                    ctx.warn("row_without_code", f"row {name!r} has amounts but no subject code", grid.page,
                             printed=name)  # fmt: skip
                continue
            for column in panel.amounts:
                amount = ctx.column_amount(texts, grid, r, column)
                if amount is None:
                    continue
                box = cell_box(grid, r, column.index) if not column.parts else None
                if code is not None:
                    ctx.emit(kind, code, column.measure, column.fund_scope, amount, grid.page, name, box=box)
                else:
                    ctx.emit(
                        "table_total",
                        total_key or "table_total",
                        column.measure,
                        column.fund_scope,
                        amount,
                        grid.page,
                        name,
                        box=box,
                    )


def _by_name_if_unknown(ctx: TableContext, code: str, name: str, page: int) -> str:
    """A printed code the classification does not know, whose name is that of one sibling under the same parent
    (a digit typed wrong): the sibling's code, with a warning. A known code, or a name that places nothing, stays."""
    classification = ctx.classification
    parent = classification.parent(code)
    if classification.is_known_function(code) or parent is None or not name:
        return code
    sibling = classification.child_code_for_name(parent, label(name))
    if sibling is None or sibling == code:
        return code
    ctx.warn("code.name_disagrees", f"row {name!r} prints code {code}, which the classification does not know; its "
             f"name is that of {sibling} under {parent}: read as {sibling}", page, subject_code=sibling,
             attributed_to="publisher", evidence=f"printed {code} {name}; classification {sibling} {name}")  # fmt: skip
    return sibling


def _nonzero(text: str) -> bool:
    try:
        return parse_amount(text, "元") != 0
    except CellError:
        return True


# --- two-sided summaries ----------------------------------------------------------------------


DeferredCell = tuple[str, AmountColumn, Decimal, int, str, CellBox | None]


@dataclass(slots=True)
class Side:
    is_income: bool
    label_column: int
    amounts: list[AmountColumn] = field(default_factory=list)
    economic: bool = False  # 支出 by the department's economic classes (陕西's 部门预算支出经济科目（按大类）)


def _sides(columns: list[Column], ctx: TableContext) -> list[Side]:
    """收入 | 支出 (and, in some provinces, 支出 by economic class or by use): each side starts at a
    label column — one whose header says 项目, or whose cells are words rather than amounts."""
    wordy = _wordy_columns(ctx)
    label_indices = [c.index for c in columns if c.leaf in _LABEL_HEADERS or c.index in wordy]
    if not label_indices:
        label_indices = [0, columns[len(columns) // 2].index] if columns else []
    sides: list[Side] = []
    for i, start in enumerate(label_indices):
        end = label_indices[i + 1] if i + 1 < len(label_indices) else len(columns)
        header = "".join(columns[start].path)
        economic = "经济" in header and "部门" in header and "政府" not in header
        if any(word in header for word in (*_OTHER_SIDE_WORDS, "经济")) and not economic:
            continue  # 支出 by use, or by the government's economic classes: not lines of the contract
        top = columns[start].path[0] if columns[start].path else ""
        is_income = not economic and ("支出" not in top if i == 0 else "收入" in top and "支出" not in top)
        side = Side(is_income, start, economic=economic)
        for column in columns[start + 1 : end]:
            if column.leaf not in NUMBERING_HEADERS:
                side.amounts.append(_summary_column(column, ctx, is_income))
        sides.append(side)
    return sides


def _wordy_columns(ctx: TableContext) -> set[int]:
    """Columns of the first grid whose filled body cells are mostly words (line labels)."""
    if not ctx.block.grids:
        return set()
    grid = ctx.block.grids[0]
    words: dict[int, int] = {}
    filled: dict[int, int] = {}
    for r in range(ctx.body_start(grid, ctx.block.header_rows_skipped.get(0, 0)), len(grid.cells)):
        for c, text in enumerate(grid.row_texts(r)):
            if fold(text):
                filled[c] = filled.get(c, 0) + 1
                words[c] = words.get(c, 0) + (not looks_like_amount(text) and has_cjk(text))
    return {c for c, n in filled.items() if words.get(c, 0) * 2 > n}


def _summary_column(column: Column, ctx: TableContext, is_income: bool) -> AmountColumn:
    vocabulary = ctx.specs.vocabulary
    header = " › ".join(column.path)
    if not is_income:
        scope = vocabulary.scope_headers.exact(column.leaf)
        if scope is not None:
            return AmountColumn(column.index, "total", scope, header)
    measure = vocabulary.measures.exact(column.leaf) or "total"
    return AmountColumn(column.index, measure, ctx.spec.fund_scope, header)


def _read_two_sided_summary(ctx: TableContext) -> None:
    sides = _sides(ctx.header(), ctx)
    path = SubjectPath(ctx.classification, names=ctx.printed_names)
    income, expense = SideProgress(), SideProgress()
    group = "total"  # the economic side's current group: basic (人员经费和公用经费) or project (专项业务经费)
    deferred: list[DeferredCell] = []  # non-total measures of total lines
    for grid, r, texts in ctx.body_rows():
        for side in sides:
            text = texts[side.label_column]
            if not label(text):
                continue
            if side.economic:
                group = _economic_line(ctx, side, grid, r, texts, group)
            elif side.is_income:
                _income_line(ctx, side, grid, r, texts, income)
            else:
                _expense_line(ctx, side, grid, r, texts, deferred, path, expense)
    _emit_total_line_measures(ctx, deferred)


@dataclass(slots=True)
class SideProgress:
    """Where a summary side's reading is: before or after its 本年…合计 line, after its carryover line."""

    total_seen: bool = False
    carryover_seen: bool = False
    lines_seen: int = 0
    total_on_top: bool = False  # 合计 printed above the lines it adds up (重庆)

    def line_key(self, line: str, total: str, grand_total: str, carryover: str) -> str | None:
        """The line's key in its place: a fund line under the carryover (or under a 本年收入合计 printed below the
        income lines) breaks the carryover down (None); a second 收入合计 / 支出合计 below the carryover is the
        grand total."""
        self.lines_seen += 1
        if line in _FUND_LINES and (self.carryover_seen or (self.total_seen and not self.total_on_top)):
            return None
        if line == total and self.total_seen and self.carryover_seen:
            line = grand_total
        if line == total and not self.total_seen:
            self.total_on_top = self.lines_seen == 1
        self.total_seen |= line == total
        self.carryover_seen |= line == carryover
        return line


_FUND_LINES = frozenset({"income.general_public_budget", "income.government_fund", "income.soe_capital"})


def _income_line(ctx: TableContext, side: Side, grid: Grid, r: int, texts: list[str], progress: SideProgress) -> None:
    printed = ctx.specs.vocabulary.income_lines.exact(texts[side.label_column])
    if printed is None:
        _unknown_line(ctx, side, grid, r, texts)
        return
    line = progress.line_key(printed, "income.total", "income.grand_total", "income.carryover_begin")
    if line is None:
        return  # the fund breakdown of 年初结转和结余, not income
    for column in side.amounts:
        amount = ctx.amount(texts[column.index], grid, r, column)
        if amount is not None:
            ctx.emit(
                "summary",
                line,
                "amount",
                column.fund_scope,
                amount,
                grid.page,
                fold(texts[side.label_column]),
                box=cell_box(grid, r, column.index),
            )


def _expense_line(
    ctx: TableContext,
    side: Side,
    grid: Grid,
    r: int,
    texts: list[str],
    deferred: list[DeferredCell],
    path: SubjectPath,
    progress: SideProgress,
) -> None:
    printed = texts[side.label_column]
    line = ctx.specs.vocabulary.expense_lines.exact(printed)
    if line is not None:
        line = progress.line_key(line, "expense.total", "expense.grand_total", "expense.carryover_end")
    class_code = None if line else path.resolve(printed)  # a 类 line, or a 款/项 line under it
    if class_code is None and line is None:
        _unknown_line(ctx, side, grid, r, texts)
        return
    for column in side.amounts:
        amount = ctx.amount(texts[column.index], grid, r, column)
        if amount is None:
            continue
        box = cell_box(grid, r, column.index)
        if class_code is not None:
            ctx.emit(
                "function", class_code, column.measure, column.fund_scope, amount, grid.page, fold(printed), box=box
            )
        elif column.measure == "total":
            if ctx.spec.line_is_fact_in(ctx.block.title.report_kind, column.fund_scope):
                ctx.emit("summary", line, "amount", column.fund_scope, amount, grid.page, fold(printed), box=box)
        elif line in {"expense.total", "expense.grand_total"}:
            deferred.append((line, column, amount, grid.page, fold(printed), box))


def _economic_line(ctx: TableContext, side: Side, grid: Grid, r: int, texts: list[str], group: str) -> str:
    """A line of the economic side: a group heading (人员经费和公用经费支出 → basic, 专项业务经费支出 → project) sets
    the measure of the economic classes printed under it; the side's total lines repeat the function side's."""
    printed = texts[side.label_column]
    vocabulary = ctx.specs.vocabulary
    heading = vocabulary.economic_side_groups.exact(printed)
    if heading is not None:
        return heading
    if vocabulary.expense_lines.exact(printed) is not None or vocabulary.economic_side_uses.exact(printed) is not None:
        return group
    code = _economic_class(ctx.classification, label(printed))
    if code is None or len(code) != 3:
        _unknown_line(ctx, side, grid, r, texts)
        return group
    for column in side.amounts:
        # A reading beside the contract's lines: a cell that is no amount leaves the line unplaced instead of putting
        # the table in doubt.
        amount = figure_of(texts[column.index], ctx.unit)
        if amount is None:
            _unknown_line(ctx, side, grid, r, texts)
            continue
        ctx.emit("economic", code, group, column.fund_scope, amount, grid.page, fold(printed),
                 box=cell_box(grid, r, column.index))  # fmt: skip
    return group


def _economic_class(classification: Classification, name: str) -> str | None:
    """An economic class by its printed name: exactly, without 的, or — a label cut off by a narrow column — the
    one class whose name starts with it."""
    for key in (name, name.replace("的", "")):
        if (code := classification.economic_code_for_name(key, None)) is not None and len(code) == 3:
            return code
    if len(name) < 4:
        return None
    starts = {
        c.code for c in classification.economic.values() if c.level == "类" and normalise_name(c.name).startswith(name)
    }
    return starts.pop() if len(starts) == 1 else None


def _emit_total_line_measures(ctx: TableContext, deferred: list[DeferredCell]) -> None:
    """Measure columns (人员经费, 项目支出 …) of the total line: the 本年支出合计 line if printed, else 总计."""
    lines = {line for line, *_ in deferred}
    chosen = "expense.total" if "expense.total" in lines else "expense.grand_total"
    for line, column, amount, page, printed, box in deferred:
        if line == chosen:
            ctx.emit("table_total", "table_total", column.measure, column.fund_scope, amount, page, printed, box=box)


def _unknown_line(ctx: TableContext, side: Side, grid: Grid, r: int, texts: list[str]) -> None:
    """An unmapped line with an amount: a warning naming it; the lines that are placed load."""
    if any(_nonzero(texts[c.index]) for c in side.amounts):
        printed = fold(texts[side.label_column])
        ctx.warn("unknown_summary_line", f"line {printed!r} carries an amount but is neither a functional class nor a "
                 "known summary line", grid.page, printed=printed)  # fmt: skip


# --- three-public -----------------------------------------------------------------------------


_YEAR_IN_HEADER = re.compile(r"(20\d{2})年(?:度)?")


def _three_public_column(column: Column, ctx: TableContext) -> tuple[str, str] | None:
    """(item, measure) of a column: 预算数/决算数 may sit above the items or below them. Columns of
    another year (上年, 增减变化) are not the document's figures."""
    vocabulary = ctx.specs.vocabulary
    if any(label(part) in _OTHER_YEAR_GROUPS for part in column.path):
        return None
    years = {int(y) for part in column.path for y in _YEAR_IN_HEADER.findall(fold(part))}
    if years and ctx.fiscal_year is not None and ctx.fiscal_year not in years:
        return None  # 2025年预算数 beside 2026年预算数: the year before's columns
    path = [_YEAR_IN_HEADER.sub("", fold(part)) or part for part in column.path]
    column = Column(column.index, tuple(path))
    measures = [vocabulary.three_public_measures.exact(part) for part in column.path]
    measure = next((m for m in measures if m), None)
    parts = [part for part, m in zip(column.path, measures, strict=True) if m is None]
    for depth in range(len(parts) - 1, -1, -1):
        part = parts[depth]
        if label(part) == "小计" and depth > 0:
            parent = parts[depth - 1]
            item = vocabulary.three_public_items.exact(parent) or ("total" if "三公" in parent else None)
        else:
            item = vocabulary.three_public_items.exact(part)
        if item is not None:
            return item, measure or "budget"
    return None


def _three_public_columns(ctx: TableContext, columns: list[Column]) -> list[tuple[Column, tuple[str, str]]]:
    """Mapped columns; where several claim an item, those under a “三公” group win (a bare 合计 beside
    会议费 and 培训费 is not the three-public total). Fund splits of one item stay, to be summed."""
    mapped = [(c, m) for c in columns if (m := _three_public_column(c, ctx)) is not None]
    claimed: dict[tuple[str, str], list[Column]] = {}
    for column, item_measure in mapped:
        claimed.setdefault(item_measure, []).append(column)
    kept = []
    for column, item_measure in mapped:
        rivals = claimed[item_measure]
        grouped = [c for c in rivals if any("三公" in part for part in c.path[:-1])]
        if len(rivals) > 1 and grouped and column not in grouped:
            continue
        kept.append((column, item_measure))
    return kept


def _read_three_public(ctx: TableContext) -> None:
    columns = ctx.header()
    mapped = _three_public_columns(ctx, columns)
    if len(mapped) < 3:
        return _read_three_public_rows(ctx, columns)
    item_columns = [column.index for column, _ in mapped]
    row = _three_public_row(ctx, columns, item_columns)
    if row is None or not _prints_a_figure([row], item_columns):
        return None  # no row, or a row of blank cells: an empty table
    grid, r, texts = row
    sums: dict[tuple[str, str], Decimal] = {}
    boxes: dict[tuple[str, str], list[CellBox | None]] = {}
    for column, item_measure in mapped:  # an item split by fund (一般公共预算 | 政府性基金 …) is summed
        target = AmountColumn(column.index, item_measure[1], ctx.spec.fund_scope, " › ".join(column.path))
        amount = ctx.amount(texts[column.index], grid, r, target)
        if amount is not None:
            sums[item_measure] = sums.get(item_measure, Decimal("0.00")) + amount
            boxes.setdefault(item_measure, []).append(cell_box(grid, r, column.index))
    for (item, measure), amount in sums.items():
        cells = boxes[item, measure]
        _emit_item(ctx, item, measure, amount, grid.page, cells[0] if len(cells) == 1 else None)  # a sum: no one cell
    return None


def _emit_item(ctx: TableContext, item: str, measure: str, amount: Decimal, page: int, box: CellBox | None) -> None:
    """A three-public item's figure, zero included (a printed 0 for 因公出国 is a fact)."""
    ctx.emit("three_public", item, measure, ctx.spec.fund_scope, amount, page, keep_zero=True, box=box)


def _three_public_row(
    ctx: TableContext, columns: list[Column], item_columns: list[int]
) -> tuple[Grid, int, list[str]] | None:
    """The data row: the only one, or — where rows are years (年度: 2025年, 2026年, 增减) — the document's year.
    A row of zeros printed "0" carries no amount to tell it from the header (a 栏次 row prints small integers): it
    is the last row under the header whose item cells are all printed zeros."""
    year_column = next((c.index for c in columns if c.leaf == "年度"), None)
    rows = list(ctx.body_rows())
    rows = rows or _printed_zero_rows(ctx, item_columns)[-1:]
    if year_column is not None and ctx.fiscal_year is not None:
        for grid, r, texts in rows:
            if str(ctx.fiscal_year) in fold(texts[year_column]):
                return grid, r, texts
    return rows[0] if rows else None


def _printed_zero_rows(ctx: TableContext, amount_columns: list[int]) -> list[tuple[Grid, int, list[str]]]:
    """The rows under the header whose amount cells print zeros ("0", "0.00", "-"; blank cells alone print nothing:
    a table of blank cells is an empty one)."""
    return [
        (grid, r, texts)
        for grid, r, texts in ctx.body_rows(below_header=True)
        if any(fold(texts[c]) for c in amount_columns) and not any(_nonzero(texts[c]) for c in amount_columns)
    ]


def _prints_a_figure(rows: list[tuple[Grid, int, list[str]]], amount_columns: list[int]) -> bool:
    return any(fold(texts[c]) for _, _, texts in rows for c in amount_columns)


def _read_three_public_rows(ctx: TableContext, columns: list[Column]) -> None:
    """Items printed as rows: 项目 | 预算数 | 决算数, or 项目 | 合计 | 一般公共预算 … (a budget's own figures)."""
    vocabulary = ctx.specs.vocabulary
    measures = [(c, m) for c in columns if (m := vocabulary.three_public_measures.exact(c.leaf))]
    if not measures:
        own = "budget" if ctx.block.title.report_kind == "budget" else "actual"
        measures = [(c, own) for c in columns if vocabulary.measures.exact(c.leaf) == "total"][:1]
    measure_columns = [column.index for column, _ in measures]
    rows = list(ctx.body_rows()) or _printed_zero_rows(ctx, measure_columns)
    items = [
        (row, item)
        for row in rows
        if (item := next(filter(None, map(vocabulary.three_public_items.exact, row[2])), None))
    ]
    if not _prints_a_figure(rows, measure_columns):
        return  # every cell blank: an empty table (a figure on any line, 行政经费's too, makes blank items zeros)
    for (grid, r, texts), item in items:
        for column, measure in measures:
            target = AmountColumn(column.index, measure, ctx.spec.fund_scope, column.leaf)
            amount = ctx.amount(texts[column.index], grid, r, target)
            if amount is not None:
                _emit_item(ctx, item, measure, amount, grid.page, cell_box(grid, r, column.index))

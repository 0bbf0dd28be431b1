"""One located table → facts, by the table's shape (subject matrix, two-sided summary, three-public)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from extract.classification import Classification
from extract.header import CODE, NUMBERING_HEADERS, Column, body_start, code_prefix, column_paths
from extract.locate import TableBlock
from extract.model import Fact, FactKind, Problem, Severity, Unit
from extract.money import CellError, looks_like_amount, parse_amount
from extract.pages import Grid
from extract.specs import Phrasebook, Specs, TableSpec
from extract.text import fold, has_cjk, label

_CODE_WORDS = ("编码", "代码", "编号")
_SPLIT_PARTS = ("类", "款", "项")
_NAME_WORDS = ("名称",)
_GENERIC_LEAVES = frozenset({"合计", "小计", "金额", "预算数", "决算数"})
_OTHER_SIDE_WORDS = ("经济分类", "用途")
_OTHER_YEAR_GROUPS = frozenset({"上年", "上年预算", "上年预算数", "增减变化情况", "增减变化", "增减"})
_FOREIGN_KEY_WORDS = ("单位编码", "单位代码", "预算单位", "单位名称", "政府经济", "政府预算支出经济")
_LABEL_HEADERS = frozenset({"项目", "项目名称", "科目名称", "功能科目名称", "收入项目", "支出项目", "科目"})


@dataclass(slots=True)
class TableResult:
    facts: list[Fact] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    has_body: bool = False


@dataclass(frozen=True, slots=True)
class AmountColumn:
    index: int
    measure: str
    fund_scope: str
    header: str


@dataclass(slots=True)
class Panel:
    """Key columns and the amount columns that belong to them (basic-expenditure tables print two)."""

    code_columns: list[int] = field(default_factory=list)
    name_column: int | None = None
    amounts: list[AmountColumn] = field(default_factory=list)
    title: tuple[str, ...] = ()  # a header over the whole panel (人员经费 | 公用经费): no measure


@dataclass(slots=True)
class TableContext:
    spec: TableSpec
    block: TableBlock
    unit: Unit
    specs: Specs
    classification: Classification
    fiscal_year: int | None = None
    result: TableResult = field(default_factory=TableResult)

    def body_rows(self) -> Iterator[tuple[Grid, int, list[str]]]:
        for g, grid in enumerate(self.block.grids):
            start = body_start(grid, self.block.header_rows_skipped.get(g, 0))
            for r in range(start, len(grid.cells)):
                self.result.has_body = True
                yield grid, r, grid.row_texts(r)

    def header(self) -> list[Column]:
        if not self.block.grids:
            return []
        grid = self.block.grids[0]
        skip = self.block.header_rows_skipped.get(0, 0)
        return column_paths(grid, range(skip, body_start(grid, skip)))

    def amount(self, text: str, grid: Grid, r: int, column: AmountColumn) -> Decimal | None:
        try:
            return parse_amount(text, self.unit)
        except CellError:
            self.result.problems.append(Problem(
                "unreadable_cell", "error",
                f"{self.block.title.title}: row {r + 1}, column {column.header!r} holds {text!r}, not an amount",
                table_kind=self.spec.table_kind, page=grid.page,
            ))
            return None

    def emit(self, kind: FactKind, key: str, measure: str, scope: str, amount: Decimal, page: int,
             row_label: str = "", keep_zero: bool = False) -> None:
        if amount == 0 and not keep_zero:
            return
        self.result.facts.append(Fact(self.spec.table_kind, scope, kind, key, measure, amount, page,
                                      row_label))

    def unknown_column(self, column: Column) -> None:
        self.result.problems.append(Problem(
            "unknown_column", "warning",
            f"{self.block.title.title}: column header {' › '.join(column.path)!r} is not in the vocabulary",
            table_kind=self.spec.table_kind, page=self.block.first_page,
        ))


def read_table(ctx: TableContext) -> TableResult:
    readers = {
        "subject_matrix": _read_subject_matrix,
        "two_sided_summary": _read_two_sided_summary,
        "three_public": _read_three_public,
    }
    readers[ctx.spec.shape](ctx)
    return ctx.result


# --- subject matrices -------------------------------------------------------------------------


def _measure_of(column: Column, ctx: TableContext) -> str | None:
    """The measure a column holds: its leaf header's, or — when the leaf is a generic 合计/小计 — its
    parent's (基本支出 › 小计 is basic). A named leaf never takes its parent's measure (基本支出 ›
    日常公用支出 is not basic)."""
    books: list[Phrasebook] = [ctx.specs.vocabulary.measures]
    if ctx.spec.is_fund_table:
        books.insert(0, ctx.specs.vocabulary.fund_table_measures)

    def lookup(part: str) -> str | None:
        return next((m for book in books if (m := book.exact(part)) is not None), None)

    if not column.path:
        return None
    if label(column.leaf) in _GENERIC_LEAVES and len(column.path) > 1:
        parent = lookup(column.path[-2])
        if parent is not None:
            return parent
    return lookup(column.leaf)


def _under_panel(column: Column, panel: Panel) -> Column:
    """The column's header below the title it shares with its panel's code column."""
    shared = 0
    for mine, theirs in zip(column.path, panel.title, strict=False):
        if mine != theirs:
            break
        shared += 1
    return Column(column.index, column.path[shared:]) if shared and shared < len(column.path) else column


def _without_grand_total(amounts: list[AmountColumn]) -> list[AmountColumn]:
    """One column per measure. A 总计 beside a 本年收入 合计 holds the year's income plus carryover, so
    it yields; otherwise the leftmost wins (a later 小计 under 政府采购项目 is a breakdown, not the total)."""
    if len([a for a in amounts if a.measure == "total"]) > 1:
        amounts = [a for a in amounts if not (a.measure == "total" and label(a.header) == "总计")]
    seen: set[str] = set()
    kept = []
    for amount in amounts:
        if amount.measure not in seen:
            seen.add(amount.measure)
            kept.append(amount)
    return kept


def _is_name_column(column: Column, measure: str | None) -> bool:
    """科目名称, 项目 — or a 经济科目 column printing "[30101]基本工资" (code and name in one cell)."""
    return (column.mentions(*_NAME_WORDS) or (measure is None and column.path[:1] == ("项目",))
            or (measure is None and column.leaf.endswith("科目")))


def _panels(columns: list[Column], ctx: TableContext) -> list[Panel]:
    panels: list[Panel] = []
    current: Panel | None = None
    for column in columns:
        if column.mentions(*_FOREIGN_KEY_WORDS):
            continue  # a budget unit's code, or the government (not the department) economic code
        is_code = column.mentions(*_CODE_WORDS) or column.leaf in _SPLIT_PARTS
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
        measure = _measure_of(_under_panel(column, current), ctx)
        if _is_name_column(column, measure) and not current.amounts:
            current.name_column = column.index
        elif measure is not None:
            current.amounts.append(AmountColumn(column.index, measure, ctx.spec.fund_scope,
                                                " › ".join(column.path)))
        elif column.path and column.leaf not in NUMBERING_HEADERS:
            ctx.unknown_column(column)
    for panel in panels:
        panel.amounts = _without_grand_total(panel.amounts)
    return [p for p in panels if p.amounts]


@dataclass(slots=True)
class SubjectPath:
    """Subjects printed by name only, read in print order: a 类 name, then its 款, then their 项.
    A name means a code only under its parent (行政运行 exists under dozens of 款)."""

    classification: Classification
    economic: bool = False
    class_code: str | None = None
    section_code: str | None = None

    def resolve(self, name: str) -> str | None:
        key = label(name)
        if not key:
            return None
        if self.economic:
            code = self.classification.economic_code_for_name(key, self.class_code)
            if code is not None and len(code) == 3:
                self.class_code = code
            return code
        code = self.classification.class_code_for_name(key)
        if code is not None:
            self.class_code, self.section_code = code, None
            return code
        if self.section_code and (item := self.classification.child_code_for_name(self.section_code, key)):
            return item
        if self.class_code and (section := self.classification.child_code_for_name(self.class_code, key)):
            self.section_code = section
            return section
        return None

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


def _row_code(texts: list[str], panel: Panel, ctx: CodeContext) -> tuple[str | None, str]:
    """(code, printed name) of a row; code None for a total or label-only row."""
    name = fold(texts[panel.name_column]) if panel.name_column is not None else ""
    parts = [fold(texts[c]) for c in panel.code_columns]
    if len(parts) == 1 or all(len(p) >= 3 or not p for p in parts[1:]):
        code = next((p for p in reversed(parts) if CODE.match(p)), None)
        if code is None:
            embedded = code_prefix(parts[0] if parts and parts[0] else name)
            if embedded:
                return embedded[0], embedded[1] or name
            return None, name or next((p for p in parts if p), "")
        return code, name
    return _split_code(parts, ctx), name or next((p for p in parts if not p.isdigit() and p), "")


def _split_code(parts: list[str], ctx: CodeContext) -> str | None:
    class_part = parts[0]
    section = parts[1] if len(parts) > 1 else ""
    item = parts[2] if len(parts) > 2 else ""
    if not any(p.isdigit() for p in parts):
        return None
    if class_part.isdigit():
        if class_part != ctx.class_part:
            ctx.section_part = ""
        ctx.class_part = class_part
    if section.isdigit():
        ctx.section_part = section
    if item.isdigit():
        return ctx.class_part + ctx.section_part + item
    if section.isdigit():
        return ctx.class_part + section
    return ctx.class_part if class_part.isdigit() else None


def _read_subject_matrix(ctx: TableContext) -> None:
    panels = _panels(ctx.header(), ctx)
    if not panels:
        return
    kind: FactKind = "economic" if ctx.spec.key == "economic" else "function"
    code_contexts = [CodeContext() for _ in panels]
    paths = [SubjectPath(ctx.classification, economic=kind == "economic") for _ in panels]
    for grid, r, texts in ctx.body_rows():
        for panel, code_ctx, path in zip(panels, code_contexts, paths, strict=True):
            code, name = _row_code(texts, panel, code_ctx)
            total_key = None if code else ctx.specs.vocabulary.total_rows.exact(name)
            if code is not None:
                path.follow(code)
            elif total_key is None and not panel.code_columns:
                code = path.resolve(name)
            if code is None and total_key is None:
                if name and any(_nonzero(texts[a.index]) for a in panel.amounts):
                    ctx.result.problems.append(Problem(
                        "row_without_code", "warning",
                        f"{ctx.block.title.title}: row {name!r} has amounts but no subject code",
                        table_kind=ctx.spec.table_kind, page=grid.page,
                    ))
                continue
            for column in panel.amounts:
                amount = ctx.amount(texts[column.index], grid, r, column)
                if amount is None:
                    continue
                if code is not None:
                    ctx.emit(kind, code, column.measure, column.fund_scope, amount, grid.page, name)
                else:
                    ctx.emit("table_total", total_key or "table_total", column.measure, column.fund_scope,
                             amount, grid.page, name)


def _nonzero(text: str) -> bool:
    try:
        return parse_amount(text, "元") != 0
    except CellError:
        return True


# --- two-sided summaries ----------------------------------------------------------------------


@dataclass(slots=True)
class Side:
    is_income: bool
    label_column: int
    amounts: list[AmountColumn] = field(default_factory=list)


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
        if any(word in header for word in _OTHER_SIDE_WORDS):
            continue  # 支出 by economic class or by use: not lines of the contract
        top = columns[start].path[0] if columns[start].path else ""
        is_income = "支出" not in top if i == 0 else "收入" in top and "支出" not in top
        side = Side(is_income, start)
        for column in columns[start + 1:end]:
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
    for r in range(body_start(grid, ctx.block.header_rows_skipped.get(0, 0)), len(grid.cells)):
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
    path = SubjectPath(ctx.classification)
    income_total_seen = False
    deferred: list[tuple[str, AmountColumn, Decimal, int, str]] = []  # non-total measures of total lines
    for grid, r, texts in ctx.body_rows():
        for side in sides:
            text = texts[side.label_column]
            if not label(text):
                continue
            if side.is_income:
                income_total_seen = _income_line(ctx, side, grid, r, texts, income_total_seen)
            else:
                _expense_line(ctx, side, grid, r, texts, deferred, path)
    _emit_total_line_measures(ctx, deferred)


def _income_line(ctx: TableContext, side: Side, grid: Grid, r: int, texts: list[str],
                 total_seen: bool) -> bool:
    line = ctx.specs.vocabulary.income_lines.exact(texts[side.label_column])
    if line is None:
        breakdown = total_seen or fold(texts[side.label_column]).startswith("其中")
        _unknown_line(ctx, side, grid, r, texts, severity="warning" if breakdown else "error")
        return total_seen
    if total_seen and line in {"income.general_public_budget", "income.government_fund", "income.soe_capital"}:
        return total_seen  # the fund breakdown of 年初结转和结余, not income
    for column in side.amounts:
        amount = ctx.amount(texts[column.index], grid, r, column)
        if amount is not None:
            ctx.emit("summary", line, "amount", column.fund_scope, amount, grid.page, fold(texts[side.label_column]))
    return total_seen or line == "income.total"


def _expense_line(ctx: TableContext, side: Side, grid: Grid, r: int, texts: list[str],
                  deferred: list[tuple[str, AmountColumn, Decimal, int, str]], path: SubjectPath) -> None:
    printed = texts[side.label_column]
    line = ctx.specs.vocabulary.expense_lines.exact(printed)
    class_code = None if line else path.resolve(printed)  # a 类 line, or a 款/项 line under it
    if class_code is None and line is None:
        _unknown_line(ctx, side, grid, r, texts)
        return
    for column in side.amounts:
        amount = ctx.amount(texts[column.index], grid, r, column)
        if amount is None:
            continue
        if class_code is not None:
            ctx.emit("function", class_code, column.measure, column.fund_scope, amount, grid.page, fold(printed))
        elif column.measure == "total":
            if ctx.spec.line_is_fact_in(ctx.block.title.report_kind, column.fund_scope):
                ctx.emit("summary", line, "amount", column.fund_scope, amount, grid.page, fold(printed))
        elif line in {"expense.total", "expense.grand_total"}:
            deferred.append((line, column, amount, grid.page, fold(printed)))


def _emit_total_line_measures(ctx: TableContext, deferred: list[tuple[str, AmountColumn, Decimal, int, str]]) -> None:
    """Measure columns (人员经费, 项目支出 …) of the total line: the 本年支出合计 line if printed, else 总计."""
    lines = {line for line, *_ in deferred}
    chosen = "expense.total" if "expense.total" in lines else "expense.grand_total"
    for line, column, amount, page, printed in deferred:
        if line == chosen:
            ctx.emit("table_total", "table_total", column.measure, column.fund_scope, amount, page, printed)


def _unknown_line(ctx: TableContext, side: Side, grid: Grid, r: int, texts: list[str],
                  severity: Severity = "error") -> None:
    """An unmapped line with an amount: before 本年收入合计 it may be income we would lose (error); after
    it, it breaks down the carryover (a warning)."""
    if any(_nonzero(texts[c.index]) for c in side.amounts):
        ctx.result.problems.append(Problem(
            "unknown_summary_line", severity,
            f"{ctx.block.title.title}: line {fold(texts[side.label_column])!r} carries an amount but is "
            "neither a functional class nor a known summary line",
            table_kind=ctx.spec.table_kind, page=grid.page,
        ))


# --- three-public -----------------------------------------------------------------------------


def _three_public_column(column: Column, ctx: TableContext) -> tuple[str, str] | None:
    """(item, measure) of a column: 预算数/决算数 may sit above the items or below them. Columns of
    another year (上年, 增减变化) are not the document's figures."""
    vocabulary = ctx.specs.vocabulary
    if any(label(part) in _OTHER_YEAR_GROUPS for part in column.path):
        return None
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
    row = _three_public_row(ctx, columns)
    if row is None:
        return None
    grid, r, texts = row
    sums: dict[tuple[str, str], Decimal] = {}
    for column, item_measure in mapped:  # an item split by fund (一般公共预算 | 政府性基金 …) is summed
        target = AmountColumn(column.index, item_measure[1], ctx.spec.fund_scope, " › ".join(column.path))
        amount = ctx.amount(texts[column.index], grid, r, target)
        if amount is not None:
            sums[item_measure] = sums.get(item_measure, Decimal("0.00")) + amount
    for (item, measure), amount in sums.items():
        ctx.emit("three_public", item, measure, ctx.spec.fund_scope, amount, grid.page, keep_zero=True)
    return None


def _three_public_row(ctx: TableContext, columns: list[Column]) -> tuple[Grid, int, list[str]] | None:
    """The data row: the only one, or — where rows are years (年度: 2025年, 2026年, 增减) — the document's year."""
    year_column = next((c.index for c in columns if c.leaf == "年度"), None)
    rows = list(ctx.body_rows())
    if year_column is not None and ctx.fiscal_year is not None:
        for grid, r, texts in rows:
            if str(ctx.fiscal_year) in fold(texts[year_column]):
                return grid, r, texts
    return rows[0] if rows else None


def _read_three_public_rows(ctx: TableContext, columns: list[Column]) -> None:
    """Items printed as rows: 项目 | 预算数 | 决算数, or 项目 | 合计 | 一般公共预算 … (a budget's own figures)."""
    vocabulary = ctx.specs.vocabulary
    measures = [(c, m) for c in columns if (m := vocabulary.three_public_measures.exact(c.leaf))]
    if not measures:
        own = "budget" if ctx.block.title.report_kind == "budget" else "actual"
        measures = [(c, own) for c in columns if vocabulary.measures.exact(c.leaf) == "total"][:1]
    for grid, r, texts in ctx.body_rows():
        item = next((i for t in texts if (i := vocabulary.three_public_items.exact(t))), None)
        if item is None:
            continue
        for column, measure in measures:
            target = AmountColumn(column.index, measure, ctx.spec.fund_scope, column.leaf)
            amount = ctx.amount(texts[column.index], grid, r, target)
            if amount is not None:
                ctx.emit("three_public", item, measure, ctx.spec.fund_scope, amount, grid.page, keep_zero=True)

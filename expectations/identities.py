"""The arithmetic every document must satisfy (DOMAIN.md), generated from the facts.

Every check is one identity: Σ expected terms = Σ actual terms, where the actual side is normally
one printed total and the expected side the printed terms it should add up to. Amounts are printed
rounded to 0.01 of the table's unit, so a sum of n printed terms may differ from its printed total
by 0.01 × n in that unit (万元: 100 yuan per term; 元: 0.01 yuan), nothing more.

Which identities exist is decided by what the document prints, never by the table's name alone:
- hierarchy: a 类 row = Σ its 款 rows, a 款 row = Σ its 项 rows (functional codes), economic 类 = Σ 款,
  合计 = Σ 类, 人员经费合计 / 公用经费合计 = Σ their panel's 类. Checked only where the parent row and its
  children are printed (a table of leaf rows prints no parent to add up to).
- column: per row, total = Σ parts for the measures the table prints (a column seen in no row of the
  table is not printed, hence not a zero); see COLUMN_RULES.
- summary: the two-sided summary tables' own arithmetic (本年收入合计, 总计 on both sides, class lines).
- three_public: 合计 = 出国 + 公务用车 + 接待; 公务用车 = 购置 + 运行, for each of budget and actual.
- cross_table: the same figure printed in two tables (DOMAIN.md 5). Only when both tables are there.

Facts hold only non-zero cells, so a cell with no fact in a printed row is a blank, i.e. zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from expectations.facts import ZERO, Cell, FactIndex, Row, Term, Units
from expectations.vocabulary import Vocabulary, vocabulary
from extract.model import ExtractedDocument

Family = Literal["hierarchy", "column", "summary", "three_public", "cross_table"]
FAMILIES: tuple[Family, ...] = ("hierarchy", "column", "summary", "three_public", "cross_table")

LEVEL = {3: "类", 5: "款", 7: "项"}
CODE_LEVELS: dict[str, tuple[tuple[int, int], ...]] = {
    "function": ((3, 5), (5, 7)),
    "economic": ((3, 5),),
}
# Two-panel basic-expenditure tables print 人员经费 (工资福利支出, 对个人和家庭的补助) on the left and
# 公用经费 (every other economic class) on the right, each panel with its own 合计.
PERSONNEL_CLASSES = frozenset({"301", "303"})
PANEL_TOTALS = ("personnel_total", "public_use_total")
TOTAL_LABEL = {"table_total": "合计", "personnel_total": "人员经费合计", "public_use_total": "公用经费合计"}


@dataclass(frozen=True, slots=True)
class ColumnRule:
    """total = Σ parts, across the columns of one row. A part the table does not print may be
    printed split (基本支出 as 人员经费 | 公用经费)."""

    check_name: str
    total: str
    parts: tuple[str, ...]
    substitutes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Columns a printed total may or may not include (a budget's 合计 often counts 上年结转 and 使用非财政拨款结余,
    # a final account's 本年收入合计 does not): the table's reading is the one under which more of its rows add up.
    optional: tuple[str, ...] = ()

    def printed_parts(self, measures: set[str]) -> tuple[str, ...]:
        found: list[str] = []
        for part in self.parts:
            if part in measures:
                found.append(part)
            else:
                found.extend(s for s in self.substitutes.get(part, ()) if s in measures)
        return tuple(found)


COLUMN_RULES: tuple[ColumnRule, ...] = (
    ColumnRule(
        "column.income_sources",
        "total",
        (
            "fiscal_appropriation",
            "special_account",
            "higher_subsidy",
            "business",
            "operating",
            "subordinate_remit",
            "other",
        ),
        {"fiscal_appropriation": ("general_public_budget", "government_fund", "soe_capital")},
        optional=("use_nonfiscal_balance", "carryover_begin"),
    ),
    ColumnRule(
        "column.expenditure_split",
        "total",
        ("basic", "project", "remit_higher", "operating_expense", "subsidy_subordinate"),
        {"basic": ("personnel", "public_use")},
    ),
    ColumnRule("column.basic_split", "basic", ("personnel", "public_use")),
)

FISCAL_INCOME_LINES = ("income.general_public_budget", "income.government_fund", "income.soe_capital")
# The unit's own income (单位资金 where a summary prints it as one line over them).
OTHER_INCOME_LINES = (
    "income.higher_subsidy",
    "income.business",
    "income.operating",
    "income.subordinate_remit",
    "income.other",
)
# Lines some layouts print below 本年收入合计, adding them into 收入总计 instead (Shandong).
BELOW_TOTAL_INCOME_LINES = ("income.higher_subsidy", "income.subordinate_remit")
CARRYOVER_PARTS = ("income.carryover_begin_fiscal", "income.carryover_begin_nonfiscal")
FUND_SCOPES = ("general_public_budget", "government_fund", "soe_capital")


@dataclass(frozen=True, slots=True)
class Identity:
    """One identity of one document: Σ expected_terms should equal Σ actual_terms within tolerance."""

    family: Family
    check_name: str
    table_kind: str
    fund_scope: str
    measure: str
    subject_code: str | None
    actual_terms: tuple[Term, ...]
    expected_terms: tuple[Term, ...]
    tolerance_yuan: Decimal
    step_yuan: Decimal  # 0.01 of the printed unit, in yuan
    unit: str
    description: str

    @property
    def expected(self) -> Decimal:
        return sum((t.amount for t in self.expected_terms), ZERO)

    @property
    def actual(self) -> Decimal:
        return sum((t.amount for t in self.actual_terms), ZERO)

    @property
    def delta(self) -> Decimal:
        """actual − expected: a total read (or printed) too high is positive."""
        return self.actual - self.expected

    @property
    def holds(self) -> bool:
        return abs(self.delta) <= self.tolerance_yuan

    @property
    def n_terms(self) -> int:
        return len(self.expected_terms)

    @property
    def page(self) -> int | None:
        """Where the total is printed (else the first printed term)."""
        for term in (*self.actual_terms, *self.expected_terms):
            if term.page is not None:
                return term.page
        return None

    def roles(self) -> Iterator[tuple[Cell, int]]:
        """Each cell with its sign in delta: +1 on the actual side, −1 on the expected side."""
        for term in self.actual_terms:
            yield term.cell, 1
        for term in self.expected_terms:
            yield term.cell, -1


@dataclass(slots=True)
class _Builder:
    index: FactIndex
    units: Units
    vocab: Vocabulary
    out: list[Identity] = field(default_factory=list)

    def add(
        self,
        family: Family,
        check_name: str,
        table_kind: str,
        fund_scope: str,
        measure: str,
        subject_code: str | None,
        actual: Sequence[Cell],
        expected: Sequence[Cell],
        description: str,
        *,
        tables: Sequence[str] = (),
        n_terms: int | None = None,
    ) -> None:
        """Record an identity; tolerance 0.01 × n_terms in the coarsest unit of the tables involved."""
        tables = tables or (table_kind,)
        n = n_terms if n_terms is not None else max(len(expected), 1)
        self.out.append(
            Identity(
                family=family,
                check_name=check_name,
                table_kind=table_kind,
                fund_scope=fund_scope,
                measure=measure,
                subject_code=subject_code,
                actual_terms=tuple(self.index.term(c) for c in actual),
                expected_terms=tuple(self.index.term(c) for c in expected),
                tolerance_yuan=self.units.step(*tables) * n,
                step_yuan=self.units.step(*tables),
                unit=self.units.coarser_unit(*tables),
                description=description,
            )
        )


def compute_identities(doc: ExtractedDocument, vocab: Vocabulary | None = None) -> list[Identity]:
    """Every identity the document's printed figures allow, holding or not."""
    builder = _Builder(FactIndex(doc.facts), Units(doc), vocab or vocabulary())
    _hierarchy(builder)
    _columns(builder)
    _summaries(builder)
    _three_public(builder)
    _cross_tables(builder)
    return builder.out


# --- hierarchy ------------------------------------------------------------------------------------


def _hierarchy(b: _Builder) -> None:
    for table_kind, scope, kind, rows in b.index.groups(CODE_LEVELS):
        coded = {key: row for key, row in rows.items() if key.isdigit()}
        for parent_len, child_len in CODE_LEVELS[kind]:
            if not any(len(k) == parent_len for k in coded):
                continue  # the table prints no rows at the parent level: nothing to add up to
            children: dict[str, list[str]] = defaultdict(list)
            for key in sorted(coded):
                if len(key) == child_len:
                    children[key[:parent_len]].append(key)
            check_name = f"hierarchy.{kind}_{'class' if parent_len == 3 else 'section'}"
            for parent, kids in sorted(children.items()):
                if parent not in coded:
                    continue  # the parent row is not printed (a table of leaf rows): nothing to add up to
                measures = _measures_of([coded[parent], *(coded[k] for k in kids)])
                for measure in measures:
                    b.add(
                        "hierarchy",
                        check_name,
                        table_kind,
                        scope,
                        measure,
                        parent,
                        [(table_kind, scope, kind, parent, measure)],
                        [(table_kind, scope, kind, k, measure) for k in kids],
                        f"{LEVEL[parent_len]} {parent} = Σ its {LEVEL[child_len]} rows ({len(kids)})",
                    )
    _table_totals(b)


def _table_totals(b: _Builder) -> None:
    for table_kind, scope, _, totals in b.index.groups(["table_total"]):
        if b.vocab.shape(table_kind) == "two_sided_summary" and _has_closing_lines(b, table_kind, scope):
            # The total row of a summary table is 总计, which also holds 结余分配 / 年末结转.
            continue
        for kind in CODE_LEVELS:
            classes = _top_rows(b.index.rows(table_kind, scope, kind))
            if not classes:
                continue
            for total_key in ("table_total", *PANEL_TOTALS):
                members = _panel(total_key, classes) if kind == "economic" else classes
                if total_key not in totals or not members or (kind == "function" and total_key != "table_total"):
                    continue
                for measure in sorted(totals[total_key]):
                    b.add(
                        "hierarchy",
                        f"hierarchy.{total_key}",
                        table_kind,
                        scope,
                        measure,
                        total_key,
                        [(table_kind, scope, "table_total", total_key, measure)],
                        [(table_kind, scope, kind, c, measure) for c in members],
                        f"{TOTAL_LABEL[total_key]} = Σ top rows ({_listed(members)})",
                    )


def _top_rows(rows: dict[str, Row]) -> list[str]:
    """The rows 合计 adds up: the 类 rows, and any row whose 类 or 款 is not printed (a table of leaf rows)."""
    coded = {k for k in rows if k.isdigit() and len(k) in LEVEL}
    return sorted(k for k in coded if not any(k[:n] in coded for n in (3, 5) if n < len(k)))


def _listed(keys: list[str]) -> str:
    return ", ".join(keys) if len(keys) <= 8 else f"{', '.join(keys[:6])} … {len(keys)} rows"


def _panel(total_key: str, classes: list[str]) -> list[str]:
    if total_key == "personnel_total":
        return [c for c in classes if c[:3] in PERSONNEL_CLASSES]
    if total_key == "public_use_total":
        return [c for c in classes if c[:3] not in PERSONNEL_CLASSES]
    return classes


def _has_closing_lines(b: _Builder, table_kind: str, scope: str) -> bool:
    lines = b.index.rows(table_kind, scope, "summary")
    return any(k in lines for k in ("expense.balance_distribution", "expense.carryover_end"))


def _measures_of(rows: Iterable[Row]) -> list[str]:
    return sorted({m for row in rows for m in row})


# --- columns --------------------------------------------------------------------------------------


def _columns(b: _Builder) -> None:
    for table_kind, scope, kind, rows in b.index.groups(["function", "economic", "table_total"]):
        if b.vocab.shape(table_kind) == "two_sided_summary":
            continue  # a summary's lines print one figure per column scope: no row splits into measures
        measures = b.index.table_measures(table_kind)
        for rule in COLUMN_RULES:
            parts = rule.printed_parts(measures)
            if rule.total not in measures or not parts:
                continue
            optional = tuple(m for m in rule.optional if m in measures)
            readings = [_column_identities(b, rule, table_kind, scope, kind, rows, parts)]
            if optional:
                readings.append(_column_identities(b, rule, table_kind, scope, kind, rows, (*parts, *optional)))
            b.out.extend(_most_held(readings))


def _most_held(readings: Sequence[list[Identity]]) -> list[Identity]:
    """Of a layout's possible readings, the one under which most of its identities hold (the first on a tie)."""
    return max(readings, key=lambda found: sum(x.holds for x in found))


def _column_identities(
    b: _Builder, rule: ColumnRule, table_kind: str, scope: str, kind: str, rows: dict[str, Row], parts: tuple[str, ...]
) -> list[Identity]:
    found = _Builder(b.index, b.units, b.vocab)
    for key, row in sorted(rows.items()):
        if key in PANEL_TOTALS or not (row.keys() & {rule.total, *parts}):
            continue
        found.add(
            "column",
            rule.check_name,
            table_kind,
            scope,
            rule.total,
            key,
            [(table_kind, scope, kind, key, rule.total)],
            [(table_kind, scope, kind, key, p) for p in parts],
            f"row {key}: {rule.total} = {' + '.join(parts)}",
        )
    return found.out


# --- summary tables -------------------------------------------------------------------------------


def _summaries(b: _Builder) -> None:
    for table_kind in b.vocab.tables_of_shape("two_sided_summary"):
        for scope in b.index.scopes(table_kind, "summary"):
            _summary_scope(b, table_kind, scope)
        _fund_columns(b, table_kind)


def _summary_scope(b: _Builder, table_kind: str, scope: str) -> None:
    lines = b.index.rows(table_kind, scope, "summary")

    def cell(key: str) -> Cell:
        return (table_kind, scope, "summary", key, "amount")

    def add(to: _Builder, check: str, actual: list[str], expected: list[str], description: str) -> None:
        to.add("summary", f"summary.{check}", table_kind, scope, "amount", actual[0], [cell(k) for k in actual],
               [cell(k) for k in expected], description)  # fmt: skip

    def printed(keys: Iterable[str]) -> list[str]:
        return [k for k in keys if k in lines]

    fiscal_funds = printed(FISCAL_INCOME_LINES)
    if "income.fiscal_appropriation" in lines and fiscal_funds:
        add(b, "fiscal_appropriation", ["income.fiscal_appropriation"], fiscal_funds,
            "财政拨款收入 = 一般公共预算 + 政府性基金 + 国有资本经营预算")  # fmt: skip
    if "income.unit_funds" in lines and printed(OTHER_INCOME_LINES):
        add(b, "unit_funds", ["income.unit_funds"], printed(OTHER_INCOME_LINES),
            "单位资金 = 事业收入 + 经营收入 + 上级补助 + 附属单位上缴 + 其他收入")  # fmt: skip
    if "income.carryover_begin" in lines and printed(CARRYOVER_PARTS):
        add(b, "carryover_parts", ["income.carryover_begin"], printed(CARRYOVER_PARTS),
            "上年结转 = 财政拨款结转 + 非财政拨款结转")  # fmt: skip
    below = printed(BELOW_TOTAL_INCOME_LINES) if "income.unit_funds" not in lines else []
    readings = [_income_reading(lines, ())] + ([_income_reading(lines, tuple(below))] if below else [])
    income: list[list[Identity]] = []
    for above, beside in readings:
        found = _Builder(b.index, b.units, b.vocab)
        if "income.total" in lines and above:
            add(found, "income_total", ["income.total"], above, "本年收入合计 = Σ income lines")
        if "income.grand_total" in lines:
            total = ["income.total"] if "income.total" in lines else above
            add(found, "income_grand_total", ["income.grand_total"],
                [*total, *beside, *INCOME_BEYOND_TOTAL],
                "收入总计 = 本年收入合计 + 使用非财政拨款结余 + 年初结转和结余"
                + (" + the lines printed below 本年收入合计" if beside else ""))  # fmt: skip
        income.append(found.out)
    b.out.extend(_most_held(income))
    classes = _class_lines(b, table_kind, scope)
    by_use = printed(EXPENSE_BY_USE)
    outside = printed(BELOW_TOTAL_EXPENSE_LINES)
    # Spending by use (基本支出, 项目支出 …) adds up to 本年支出合计 with or without 上缴上级 / 对附属单位补助: the
    # layout's reading is the one under which more of its sums hold.
    expense: list[list[Identity]] = []
    for inside in [outside, []] if by_use and outside else [[]]:
        found = _Builder(b.index, b.units, b.vocab)
        if "expense.total" in lines and by_use:
            add(found, "expense_by_use", ["expense.total"], [*by_use, *inside], "本年支出合计 = Σ spending by use")
        if "expense.grand_total" in lines:
            total = [cell("expense.total")] if "expense.total" in lines else classes
            closing = [
                k for k in (*outside, "expense.balance_distribution", "expense.carryover_end") if k not in inside
            ]
            found.add("summary", "summary.expense_grand_total", table_kind, scope, "amount", "expense.grand_total",
                      [cell("expense.grand_total")], [*total, *(cell(k) for k in closing)],
                      "支出总计 = 本年支出合计 + 结余分配 + 年末结转和结余")  # fmt: skip
        expense.append(found.out)
    b.out.extend(_most_held(expense))
    if "income.grand_total" in lines and "expense.grand_total" in lines:
        add(b, "grand_totals_equal", ["expense.grand_total"], ["income.grand_total"], "支出总计 = 收入总计")
    if "expense.total" in lines and classes:
        b.add("summary", "summary.expense_classes", table_kind, scope, "amount", "expense.total",
              [cell("expense.total")], classes, "本年支出合计 = Σ function-class lines")  # fmt: skip


BELOW_TOTAL_EXPENSE_LINES = ("expense.remit_higher", "expense.subsidy_subordinate")
# What 收入总计 adds to 本年收入合计: the balances brought in from before the year.
INCOME_BEYOND_TOTAL = ("income.use_nonfiscal_balance", "income.carryover_begin", "income.account_balance_begin")
EXPENSE_BY_USE = ("expense.basic", "expense.project", "expense.operating_expense")


def _income_reading(lines: dict[str, Row], below_total: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(the income lines 本年收入合计 adds up, the lines 收入总计 adds beside it) for one reading of the layout."""
    # A budget's 财政拨款收入 line carries its own 一般公共预算 / 政府性基金 sub-lines: count it once; the same for
    # 单位资金 over the unit's own income.
    fiscal = ["income.fiscal_appropriation"] if "income.fiscal_appropriation" in lines else FISCAL_INCOME_LINES
    unit = ["income.unit_funds"] if "income.unit_funds" in lines else OTHER_INCOME_LINES
    above = [k for k in (*fiscal, "income.special_account", *unit) if k in lines and k not in below_total]
    return above, list(below_total)


def _class_lines(b: _Builder, table_kind: str, scope: str) -> list[Cell]:
    rows = b.index.rows(table_kind, scope, "function")
    return [(table_kind, scope, "function", k, "total") for k in sorted(rows) if k.isdigit() and len(k) == 3]


def _fund_columns(b: _Builder, table_kind: str) -> None:
    """The fiscal summary's 合计 column = Σ its per-fund columns, line by line."""
    for kind, measure in (("function", "total"), ("summary", "amount")):
        funds = [s for s in FUND_SCOPES if s in b.index.scopes(table_kind, kind)]
        if not funds or "fiscal" not in b.index.scopes(table_kind, kind):
            continue
        keys = sorted({k for s in funds for k in b.index.rows(table_kind, s, kind)})
        for key in keys:
            b.add(
                "summary",
                "summary.fund_columns",
                table_kind,
                "fiscal",
                measure,
                key,
                [(table_kind, "fiscal", kind, key, measure)],
                [(table_kind, s, kind, key, measure) for s in funds],
                f"line {key}: 合计 column = {' + '.join(funds)} columns",
            )


# --- three-public ---------------------------------------------------------------------------------


def _three_public(b: _Builder) -> None:
    for table_kind, scope, _, items in b.index.groups(["three_public"]):
        measures = _measures_of(items.values())

        def cell(item: str, measure: str, table_kind: str = table_kind, scope: str = scope) -> Cell:
            return (table_kind, scope, "three_public", item, measure)

        breakdown = "vehicle_purchase" in items or "vehicle_operation" in items
        for measure in measures:
            vehicle = (
                [cell("vehicle_total", measure)]
                if "vehicle_total" in items or not breakdown
                else [cell("vehicle_purchase", measure), cell("vehicle_operation", measure)]
            )
            if "total" in items:
                b.add(
                    "three_public",
                    "three_public.total",
                    table_kind,
                    scope,
                    measure,
                    "total",
                    [cell("total", measure)],
                    [cell("overseas_travel", measure), *vehicle, cell("reception", measure)],
                    "“三公”经费合计 = 因公出国（境）费 + 公务用车购置及运行维护费 + 公务接待费",
                )
            if "vehicle_total" in items and breakdown:
                b.add(
                    "three_public",
                    "three_public.vehicle_total",
                    table_kind,
                    scope,
                    measure,
                    "vehicle_total",
                    [cell("vehicle_total", measure)],
                    [cell("vehicle_purchase", measure), cell("vehicle_operation", measure)],
                    "公务用车购置及运行维护费 = 购置费 + 运行维护费",
                )


# --- across tables --------------------------------------------------------------------------------


def _cross_tables(b: _Builder) -> None:
    _cross_expense_total(b)
    _cross_classes(b, "income_expense_summary", "all", "expenditure", "all", "cross_table.summary_classes")
    gpb = "general_public_budget"
    _cross_classes(b, "fiscal_summary", gpb, "gpb_expenditure", gpb, "cross_table.fiscal_gpb_classes")
    _cross_basic_economic(b)
    _cross_income_total(b)


def _total_or_classes(b: _Builder, table_kind: str, scope: str, measure: str, kind: str = "function") -> list[Cell]:
    """A table's printed 合计 for a measure, or Σ its 类 rows when no 合计 row is printed."""
    if measure in b.index.rows(table_kind, scope, "table_total").get("table_total", {}):
        return [(table_kind, scope, "table_total", "table_total", measure)]
    rows = b.index.rows(table_kind, scope, kind)
    return [(table_kind, scope, kind, k, measure) for k in sorted(rows) if k.isdigit() and len(k) == 3]


def _cross(b: _Builder, check: str, actual: list[Cell], expected: list[Cell], description: str, measure: str) -> None:
    if not actual or not expected:
        return
    table_kind, scope, _, key, _ = actual[0]
    b.add(
        "cross_table",
        check,
        table_kind,
        scope,
        measure,
        key if len(actual) == 1 else None,
        actual,
        expected,
        description,
        tables=(actual[0][0], expected[0][0]),
        n_terms=max(len(actual), len(expected)),
    )


def _cross_expense_total(b: _Builder) -> None:
    summary, detail = "income_expense_summary", "expenditure"
    # Both figures printed: Σ class lines on either side is already compared line by line.
    lines = b.index.rows(summary, "all", "summary")
    totals = b.index.rows(detail, "all", "table_total").get("table_total", {})
    if "expense.total" in lines and "total" in totals:
        _cross(
            b,
            "cross_table.expense_total",
            [(summary, "all", "summary", "expense.total", "amount")],
            [(detail, "all", "table_total", "table_total", "total")],
            "收入支出总表 本年支出合计 = 支出表 合计",
            "total",
        )


def _cross_classes(b: _Builder, summary: str, summary_scope: str, detail: str, detail_scope: str, check: str) -> None:
    lines = b.index.rows(summary, summary_scope, "function")
    classes = b.index.rows(detail, detail_scope, "function")
    summary_classes = {k for k in lines if k.isdigit() and len(k) == 3}
    detail_classes = {k for k in classes if k.isdigit() and len(k) == 3}
    if not summary_classes or not detail_classes:
        return
    for code in sorted(summary_classes | detail_classes):
        _cross(
            b,
            check,
            [(summary, summary_scope, "function", code, "total")],
            [(detail, detail_scope, "function", code, "total")],
            f"{summary} class line {code} = {detail} 类 {code}",
            "total",
        )


def _cross_basic_economic(b: _Builder) -> None:
    economic, detail, scope = "gpb_basic_economic", "gpb_expenditure", "general_public_budget"
    if not (b.index.has_table(economic) and b.index.has_table(detail)):
        return
    if "basic" not in b.index.table_measures(detail):
        return  # the GPB table prints no 基本支出 column: nothing to compare with (absent is not zero)
    totals = b.index.rows(economic, scope, "table_total")
    if "total" in totals.get("table_total", {}):
        actual = [(economic, scope, "table_total", "table_total", "total")]
    elif all("total" in totals.get(k, {}) for k in PANEL_TOTALS):
        actual = [(economic, scope, "table_total", k, "total") for k in PANEL_TOTALS]
    else:
        actual = _total_or_classes(b, economic, scope, "total", kind="economic")
    _cross(
        b,
        "cross_table.basic_economic_total",
        actual,
        _total_or_classes(b, detail, scope, "basic"),
        "基本支出经济分类表 合计 = 一般公共预算支出表 基本支出 合计",
        "basic",
    )


def _cross_income_total(b: _Builder) -> None:
    summary, detail = "income_expense_summary", "income"
    lines = b.index.rows(summary, "all", "summary")
    totals = b.index.rows(detail, "all", "table_total").get("table_total", {})
    if "income.total" in lines and "total" in totals:
        _cross(
            b,
            "cross_table.income_total",
            [(summary, "all", "summary", "income.total", "amount")],
            [(detail, "all", "table_total", "table_total", "total")],
            "收入支出总表 本年收入合计 = 收入表 合计",
            "total",
        )

"""A table's printed content (header grid, body cells, notes) and its truth, built together from one
document's accounts and a table spec: every truth fact is the number of a printed cell."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from extract.classification import Classification, load_classification
from extract.specs import load_specs
from samples.accounts import THREE_PUBLIC_ITEMS, Accounts
from samples.layouts import HeaderNode, Layout, LineSpec, TableSpec
from samples.money import format_amount

NUMERALS = "一二三四五六七八九十"
DEFAULT_WIDTHS = {
    "code": 1.3,
    "class": 0.5,
    "section": 0.45,
    "item": 0.45,
    "name": 3.2,
    "econ_code": 1.2,
    "econ_class": 0.6,
    "econ_section": 0.5,
    "econ_name": 2.6,
    "in_label": 3.0,
    "out_label": 3.0,
    "code_name": 4.2,
    "in_line": 0.5,
    "out_line": 0.5,
    "item_label": 3.6,
}
AMOUNT_WIDTH = 1.3
STUB_COLUMNS = {
    "code",
    "class",
    "section",
    "item",
    "name",
    "econ_code",
    "econ_class",
    "econ_section",
    "econ_name",
    "code_name",
}
LABEL_COLUMNS = {"in_label", "out_label", "item_label"}
LINE_COLUMNS = {"in_line", "out_line"}  # 行次: the printed line number of a summary row


@dataclass(frozen=True, slots=True)
class HeaderCell:
    label: str
    row: int
    col: int
    rowspan: int
    colspan: int


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    align: str = "l"  # l | r | c
    span: int = 1
    across_rule: bool = False  # a misprint: the figure's baseline sits across the rule below its cell


@dataclass(frozen=True, slots=True)
class TruthFact:
    """One expected fact, in the vocabulary of the real corpus's expected/ files."""

    kind: str  # function | economic | summary | three_public
    table_kind: str
    fund_scope: str
    key: str
    measure: str
    fen: int


@dataclass(slots=True)
class TableContent:
    kind: str
    title: str
    unit: str
    orientation: str
    widths: list[float]
    header: list[HeaderCell]
    header_rows: int
    rows: list[list[Cell]]
    notes: list[str]
    is_empty: bool
    facts: list[TruthFact] = field(default_factory=list)
    form_label: str = ""
    numbering: list[Cell] = field(default_factory=list)  # the column-numbering row under the header


@dataclass(frozen=True, slots=True)
class Context:
    """What a table needs besides its spec: the document's money, words and per-document choices."""

    accounts: Accounts
    layout: Layout
    words: dict[str, str]
    zero_cell: str
    thousands: bool
    rng: random.Random

    @property
    def classification(self) -> Classification:
        return load_classification()


def numeral(n: int) -> str:
    """Chinese ordinal up to 99: 1 → 一, 12 → 十二, 20 → 二十, 24 → 二十四."""
    tens, ones = divmod(n, 10)
    text = ""
    if tens:
        text = ("" if tens == 1 else NUMERALS[tens - 1]) + "十"
    if ones:
        text += NUMERALS[ones - 1]
    return text


# ---------------------------------------------------------------------------------------------- header


def _height(node: HeaderNode) -> int:
    if node.is_leaf:
        return 1
    return node.rows + max(_height(child) for child in node.children)


def layout_header(nodes: Sequence[HeaderNode]) -> tuple[list[HeaderCell], int]:
    """Merged header cells: a node spans its leaves; leaves reach down to the last header row."""
    total = max(_height(node) for node in nodes)
    cells: list[HeaderCell] = []

    def place(node: HeaderNode, row: int, col: int) -> int:
        if node.is_leaf:
            cells.append(HeaderCell(node.label, row, col, total - row, 1))
            return col + 1
        width = len(node.leaves())
        cells.append(HeaderCell(node.label, row, col, node.rows, width))
        next_col = col
        for child in node.children:
            next_col = place(child, row + node.rows, next_col)
        return next_col

    col = 0
    for node in nodes:
        col = place(node, 0, col)
    return cells, total


def _widths(leaves: Sequence[HeaderNode]) -> list[float]:
    return [leaf.w or DEFAULT_WIDTHS.get(leaf.col or "", AMOUNT_WIDTH) for leaf in leaves]


# ---------------------------------------------------------------------------------------------- common


def build_table(spec: TableSpec, ctx: Context, number: int) -> TableContent:
    builders = {
        "matrix": _matrix,
        "econ_matrix": _matrix,
        "summary": _summary,
        "econ_panels": _panels,
        "three_public": _three_public,
        "three_public_rows": _three_public_rows,
    }
    unit = spec.unit or ctx.layout.unit
    zero = ctx.rng.choice(spec.zero_cell) if spec.zero_cell else ctx.zero_cell
    header, header_rows = layout_header(spec.header)
    leaves = spec.leaves()
    words = {**ctx.words, "unit": unit, "n": str(number)}
    content = TableContent(
        kind=spec.kind,
        title=ctx.rng.choice(spec.titles).format(**words),
        unit=unit,
        orientation=spec.orientation,
        widths=_widths(leaves),
        header=header,
        header_rows=header_rows,
        rows=[],
        notes=[],
        is_empty=False,
        form_label=ctx.layout.form_label.format(n=number) if ctx.layout.form_label else "",
    )
    builders[spec.shape](spec, ctx, content, _Printer(unit, ctx.thousands, zero))
    if spec.numbering:
        content.numbering = _numbering_row(leaves, spec.numbering)
    notes = spec.notes + ((spec.empty_note,) if content.is_empty else ())
    content.notes = [note.format(**words) for note in notes]
    return content


def _numbering_row(leaves: Sequence[HeaderNode], label: str) -> list[Cell]:
    """ "栏次 | 1 | 2 …": the label over the stub (or each label column), blank 行次 cells, amount
    columns numbered left to right."""
    cells: list[Cell] = []
    number = 0
    previous_stub = False
    for leaf in leaves:
        col = leaf.col or ""
        if col in STUB_COLUMNS:
            if previous_stub:
                cells[-1] = Cell(label, "c", span=cells[-1].span + 1)
            else:
                cells.append(Cell(label, "c"))
        elif col in LABEL_COLUMNS:
            cells.append(Cell(label, "c"))
        elif col in LINE_COLUMNS:
            cells.append(Cell("", "c"))
        else:
            number += 1
            cells.append(Cell(str(number), "c"))
        previous_stub = col in STUB_COLUMNS
    return cells


@dataclass(frozen=True, slots=True)
class _Printer:
    unit: str
    thousands: bool
    zero: str

    def __call__(self, fen: int) -> Cell:
        return Cell(format_amount(fen, self.unit, thousands=self.thousands, zero=self.zero), "r")


def _scope(spec: TableSpec) -> str:
    return load_specs().tables[spec.kind].fund_scope


# ---------------------------------------------------------------------------------------------- matrix


def _stub_cells(leaves: Sequence[HeaderNode], code: str, name: str) -> list[Cell]:
    parts = {
        "code": code,
        "econ_code": code,
        "name": name,
        "econ_name": name,
        "class": code[:3],
        "section": code[3:5],
        "item": code[5:7],
        "econ_class": code[:3],
        "econ_section": code[3:5],
        "code_name": f"[{code}]{name}",
    }
    return [Cell(parts[leaf.col or ""], "l") for leaf in leaves]


def _matrix(spec: TableSpec, ctx: Context, content: TableContent, money: _Printer) -> None:
    leaves = spec.leaves()
    stub = [leaf for leaf in leaves if leaf.col in STUB_COLUMNS]
    measures = [leaf.measure or "" for leaf in leaves if leaf.col not in STUB_COLUMNS]
    economic = spec.shape == "econ_matrix"
    if economic:
        data = ctx.accounts.econ_rows()
        name_of = ctx.classification.economic_name
    else:
        data = ctx.accounts.function_rows(spec.kind)
        name_of = ctx.classification.function_name
    shown = {code for code, values in data.items() if any(values.get(m, 0) for m in measures)}
    shown |= {code[:n] for code in shown for n in (3, 5) if len(code) > n}  # a parent adding up to zero is printed
    data = {code: values for code, values in data.items() if code in shown}
    scope = _scope(spec)
    fact_kind = "economic" if economic else "function"
    body: list[list[Cell]] = []
    for code in sorted(data):
        name = name_of(code)
        if name is None:
            raise ValueError(f"{code} is not in the classification")
        cells = _stub_cells(stub, code, name)
        for measure in measures:
            fen = data[code].get(measure, 0)
            cells.append(money(fen))
            if fen:
                content.facts.append(TruthFact(fact_kind, spec.kind, scope, code, measure, fen))
        body.append(cells)
    content.is_empty = not body
    totals = {m: sum(values.get(m, 0) for code, values in data.items() if len(code) == 3) for m in measures}
    total_row = [Cell("合计", "c", span=len(stub))] + [
        money(totals[m]) if not content.is_empty else Cell("", "r") for m in measures
    ]
    for measure in measures:
        if totals[measure]:
            content.facts.append(TruthFact("summary", spec.kind, scope, f"table_total:{measure}", "", totals[measure]))
    if content.is_empty:
        blank = [Cell("") for _ in leaves]
        body = [blank] * spec.empty_rows
        if spec.empty_marker:
            body = [[Cell(spec.empty_marker, "l"), *blank[1:]], *body]
    if spec.total_row == "top":
        content.rows = [total_row, *body]
    elif spec.total_row == "bottom":
        content.rows = [*body, total_row]
    else:
        content.rows = body


# ---------------------------------------------------------------------------------------------- summary


def _class_lines(spec: TableSpec, ctx: Context, scope: str) -> list[tuple[str, str]]:
    """(class code, printed label) of the expense side, numbered 一、二、… as printed; or, when the
    layout prints every subject (expense_lines: subjects), each non-zero 类/款/项 by name, unnumbered."""
    attribute = "total" if scope == "all" else "fiscal_total"
    if spec.expense_lines == "subjects":
        items = ctx.accounts.items.items()
        codes = {prefix for code, item in items if getattr(item, attribute) for prefix in (code[:3], code[:5], code)}
        return [(code, ctx.classification.function_name(code) or code) for code in sorted(codes)]
    present = ctx.accounts.class_totals(attribute)
    if ctx.layout.class_list is not None:
        classes = list(ctx.layout.class_list)
        missing = set(present) - {code for code, _ in classes}
        if missing:
            raise ValueError(f"{ctx.layout.name}: classes {sorted(missing)} are not in its printed class list")
    else:
        classes = [(code, ctx.classification.function_name(code) or code) for code in sorted(present)]
    return [(code, f"{numeral(i)}、{label}") for i, (code, label) in enumerate(classes, 1)]


def _summary(spec: TableSpec, ctx: Context, content: TableContent, money: _Printer) -> None:
    leaves = spec.leaves()
    table_scope = _scope(spec)
    acc = ctx.accounts
    # Per-measure totals of the expense side, for columns that split the total (unit-level budgets).
    split_totals = {
        m: sum(acc.summary_class(c, "all", m) for c in acc.class_totals("total"))
        for m in ("personnel", "public_use", "project", "basic")
    }

    def income_cell(line: LineSpec | None) -> list[Cell]:
        if line is None or not line.label:
            return [Cell(""), Cell("", "r")]
        scope = line.scope or table_scope
        fen = acc.summary_line(line.key, scope) if line.key else 0
        if fen:
            content.facts.append(TruthFact("summary", spec.kind, scope, line.key or "", "", fen))
        return [Cell(line.label), money(fen)]

    def expense_cells(class_code: str | None, label: str, key: str | None) -> list[Cell]:
        cells = [Cell(label)]
        for leaf in leaves:
            if leaf.col != "out_amount":
                continue
            scope = leaf.scope or table_scope
            measure = leaf.measure or "total"
            if not label:
                cells.append(Cell("", "r"))
                continue
            if class_code:
                fen = acc.summary_class(class_code, scope, measure)
                fact = TruthFact("function", spec.kind, scope, class_code, measure, fen)
            elif measure == "total":
                fen = acc.summary_line(key, scope) if key else 0
                is_fact = load_specs().tables[spec.kind].line_is_fact_in(ctx.layout.report_kind, scope)
                fact = TruthFact("summary", spec.kind, scope, key or "", "", fen) if is_fact else None
            else:
                fen = split_totals[measure] if key in {"expense.grand_total", "expense.total"} else 0
                fact = TruthFact("summary", spec.kind, scope, f"table_total:{measure}", "", fen)
            cells.append(money(fen))
            if fen and fact is not None:
                content.facts.append(fact)
        return cells

    left = list(spec.income_lines)
    right: list[tuple[str | None, str, str | None]] = [(None, line.label, line.key) for line in spec.expense_head]
    right += [(code, label, None) for code, label in _class_lines(spec, ctx, table_scope)]
    pairs: list[tuple[list[Cell], list[Cell]]] = []
    for i in range(max(len(left), len(right))):
        in_cells = income_cell(left[i] if i < len(left) else None)
        out_cells = expense_cells(*right[i]) if i < len(right) else expense_cells(None, "", None)
        pairs.append((in_cells, out_cells))
    for in_line, out_line in spec.footer:
        pairs.append((income_cell(in_line), expense_cells(None, out_line.label, out_line.key)))
    cols = {leaf.col for leaf in leaves}
    for i, (in_cells, out_cells) in enumerate(pairs, 1):
        if "in_line" in cols:  # 行次: income lines 1…n, expense lines n+1…2n, blank rows numbered too
            in_cells.insert(1, Cell(str(i), "c"))
        if "out_line" in cols:
            out_cells.insert(1, Cell(str(len(pairs) + i), "c"))
        content.rows.append(_in_order(leaves, in_cells, out_cells))


def _in_order(leaves: Sequence[HeaderNode], in_cells: list[Cell], out_cells: list[Cell]) -> list[Cell]:
    """Left (income) cells then right (expense) cells, as the header orders them."""
    if leaves[0].col == "in_label":
        return in_cells + out_cells
    return out_cells + in_cells


# ---------------------------------------------------------------------------------------------- panels


def _panel_codes(spec: TableSpec, classes: Sequence[str], data: dict[str, dict[str, int]]) -> list[str]:
    """A panel's rows: each class, then its 款 (the template's list, plus any non-zero 款 it lacks)."""
    codes: list[str] = []
    for class_code in classes:
        printed = set(spec.row_codes.get(class_code, ())) if spec.row_codes else set()
        present = {c for c in data if len(c) == 5 and c[:3] == class_code}
        if class_code in data or printed:
            codes.append(class_code)
        codes.extend(sorted(printed | present))
    return codes


def _panels(spec: TableSpec, ctx: Context, content: TableContent, money: _Printer) -> None:
    data = ctx.accounts.econ_rows()
    scope = _scope(spec)
    columns = [_panel_codes(spec, panel.classes, data) for panel in spec.panels]
    for i in range(max(len(codes) for codes in columns)):
        row: list[Cell] = []
        for codes in columns:
            if i >= len(codes):
                row.extend([Cell(""), Cell(""), Cell("", "r")])
                continue
            code = codes[i]
            fen = data.get(code, {}).get("total", 0)
            row.extend([Cell(code), Cell(ctx.classification.economic_name(code) or ""), money(fen)])
            if fen:
                content.facts.append(TruthFact("economic", spec.kind, scope, code, "total", fen))
        content.rows.append(row)
    footer: list[Cell] = []
    for panel in spec.panels:
        fen = sum(data.get(c, {}).get("total", 0) for c in panel.classes)
        footer.extend([Cell(panel.total_label, "c", span=2), money(fen)])
        if fen:
            content.facts.append(TruthFact("economic", spec.kind, scope, panel.total_key, "total", fen))
    content.rows.append(footer)
    content.is_empty = not data


# ---------------------------------------------------------------------------------------------- three-public


def _three_public(spec: TableSpec, ctx: Context, content: TableContent, money: _Printer) -> None:
    values = ctx.accounts.three_public_values()
    leaves = spec.leaves()
    content.rows.append([money(values.get((leaf.item or "", leaf.measure or ""), 0)) for leaf in leaves])
    printed = {(leaf.item, leaf.measure) for leaf in leaves}
    for item in THREE_PUBLIC_ITEMS:
        for measure in ("budget", "actual"):
            if (item, measure) in printed:
                fen = values.get((item, measure), 0)
                content.facts.append(TruthFact("three_public", spec.kind, _scope(spec), item, measure, fen))
    content.is_empty = _prints_no_figure(content)


def _three_public_rows(spec: TableSpec, ctx: Context, content: TableContent, money: _Printer) -> None:
    """The items as rows (项目 | 合计 | 一般公共预算 | 政府性基金预算 | 国有资本经营预算), one per
    item_lines entry. The column without a scope (合计) gives the facts (zeros included); the
    一般公共预算 column repeats it (三公 are paid from the general public budget); other funds print zero."""
    values = ctx.accounts.three_public_values()
    for line in spec.item_lines:
        row: list[Cell] = []
        for leaf in spec.leaves():
            if leaf.col == "item_label":
                row.append(Cell(line.label))
                continue
            measure = leaf.measure or "budget"
            same = leaf.scope in {None, "general_public_budget"}
            fen = values.get((line.key or "", measure), 0) if same else 0
            row.append(money(fen))
            if leaf.scope is None and line.fact and line.key in THREE_PUBLIC_ITEMS:
                content.facts.append(TruthFact("three_public", spec.kind, _scope(spec), line.key, measure, fen))
        content.rows.append(row)
    content.is_empty = _prints_no_figure(content)


def _prints_no_figure(content: TableContent) -> bool:
    """Every figure zero and printed blank: an empty table (the real corpus's truth reads it so), noted as such."""
    return not any(cell.text for row in content.rows for cell in row if cell.align == "r")

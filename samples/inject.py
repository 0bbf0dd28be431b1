"""Publisher's errors injected into generated documents, on request, with a record of each.

    document, injected = build_injected_document(planned, INJECTION_KINDS)

Each kind is an error a real document has (DOMAIN.md "Arithmetic"; corpus/real notes.md):

| kind             | what is changed                                                      | reported by          |
|------------------|----------------------------------------------------------------------|----------------------|
| changed_cell     | a 项 row's 合计 in 一般公共预算…支出表, +1.00 万元 (+1,000.00 元)        | hierarchy / column   |
| narrative_figure | 情况说明's 本年支出合计 (budget: 收入预算), +1.00 万元                  | narrative.*          |
| dropped_table    | the “三公” table is not printed                                       | missing_table        |
| wrong_year       | the first "与/比 <last year>年" comparison names the year before it    | narrative.year       |
| unit_slip        | 支出决算表's unit line says 元 (a budget's 支出预算总表: 万元)           | unit.slip            |
| swapped_column   | 一般公共预算…支出表's 基本支出 and 项目支出 columns are exchanged          | column.swapped       |

One more kind is a misprint of the file rather than of the figures, made only on request (MISPRINT_KINDS):

| kind               | what is changed                                                  | reported by       |
|--------------------|------------------------------------------------------------------|-------------------|
| figure_across_rule | a 收入表 figure printed across the rule to the blank cell below it | reading.disputed  |

The expected/ folder of an injected document records what is printed (the truth CSVs follow the
change) and `expected/injected.json` lists the errors with the page each is printed on.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pypdfium2 as pdfium

from extract.text import fold
from samples.corpus import Planned, build_document
from samples.document import Document, DocumentSource
from samples.money import fen_of, format_amount
from samples.narrative import DocumentText
from samples.tables import STUB_COLUMNS, Cell, TableContent, TruthFact
from samples.truth import save_document

InjectionKind = Literal["changed_cell", "narrative_figure", "dropped_table", "wrong_year", "unit_slip",
                        "swapped_column"]  # fmt: skip
INJECTION_KINDS: tuple[InjectionKind, ...] = (
    "changed_cell", "narrative_figure", "dropped_table", "wrong_year", "unit_slip", "swapped_column",
)  # fmt: skip
# Misprints of the file: the two readings of a figure disagree (the table is withheld, not reported as theirs).
MisprintKind = Literal["figure_across_rule"]
MISPRINT_KINDS: tuple[MisprintKind, ...] = ("figure_across_rule",)
CHANGED_CELL_TABLE, SLIPPED_TABLE, DROPPED_TABLE = "gpb_expenditure", "expenditure", "three_public"
ACROSS_RULE_TABLES = ("expenditure", "income", "gpb_basic_economic")  # the first with a figure above a blank
FEN_PER_UNIT_STEP = {"万元": 1_000_000, "元": 100_000}  # +1.00 万元 / +1,000.00 元
OTHER_UNIT = {"万元": "元", "元": "万元"}
UNIT_RATIO = 10_000


@dataclass(frozen=True, slots=True)
class InjectedError:
    """One injected error: what was printed instead of what, where, and the checks that must report it."""

    kind: str
    table_kind: str | None
    page: int | None  # where it is printed; None for a table left out
    checks: tuple[str, ...]  # any of these check names reports it
    before: str
    after: str
    locator: str = ""  # printed text that finds the page (table-scoped when table_kind is set)


class NothingToInject(ValueError):
    """The document has nothing this kind of error can be put into."""


def build_injected_document(
    planned: Planned, kinds: Iterable[InjectionKind | MisprintKind]
) -> tuple[Document, list[InjectedError]]:
    """The planned document with the given errors printed in it, and the record of each (with pages)."""
    pending: list[InjectedError] = []
    kinds = list(kinds)

    def edit(source: DocumentSource, tables: list[TableContent], text: DocumentText) -> None:
        for kind in kinds:
            pending.append(INJECTORS[kind](source, tables, text))

    document = build_document(planned, edit)
    return document, [_with_page(error, document) for error in pending]


def write_injected_document(
    out_dir: Path,
    planned: Planned,
    kinds: Iterable[InjectionKind],
    extra_meta: dict[str, object] | None = None,
) -> Path:
    """`<stem>.pdf` and `<stem>/expected/` (with injected.json) in out_dir; returns the PDF path."""
    document, injected = build_injected_document(planned, kinds)
    record = [{k: v for k, v in dataclasses.asdict(e).items() if k != "locator"} for e in injected]
    return save_document(Path(out_dir), document, extra_notes=_notes(injected), extra_meta=extra_meta, injected=record)


def _notes(injected: Sequence[InjectedError]) -> str:
    lines = [
        "",
        "## Injected errors (expected/injected.json)",
        "",
        "| kind | table | page | printed | instead of |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {e.kind} | {e.table_kind or ''} | {e.page or ''} | {e.after} | {e.before} |" for e in injected]
    return "\n".join(lines) + "\n"


# --- the injectors -------------------------------------------------------------------------------------


def _table(tables: list[TableContent], kind: str) -> TableContent:
    for table in tables:
        if table.kind == kind and not table.is_empty:
            return table
    raise NothingToInject(f"no printed {kind} table")


def _measure_columns(source: DocumentSource, table: TableContent) -> tuple[list[str], dict[str, int]]:
    """The stub leaves' columns and each measure's cell index in a matrix row."""
    spec = next(s for s in source.layout.tables(source.level) if s.kind == table.kind)
    leaves = spec.leaves()
    stub = [leaf.col or "" for leaf in leaves if leaf.col in STUB_COLUMNS]
    measures = {leaf.measure or "": i for i, leaf in enumerate(leaves) if leaf.col not in STUB_COLUMNS}
    return stub, measures


def _row_code(stub: list[str], row: list[Cell]) -> str:
    code_columns = ("code", "class", "section", "item")
    return "".join(cell.text for col, cell in zip(stub, row, strict=False) if col in code_columns)


def change_cell(source: DocumentSource, tables: list[TableContent], text: DocumentText) -> InjectedError:
    table = _table(tables, CHANGED_CELL_TABLE)
    stub, measures = _measure_columns(source, table)
    column = measures["total"]
    for row in table.rows:
        code = _row_code(stub, row) if row and row[0].span == 1 else ""
        if len(code) == 7 and code.isdigit() and row[column].text.strip():
            before = row[column].text
            fen = fen_of(before, table.unit) + FEN_PER_UNIT_STEP[table.unit]
            after = format_amount(fen, table.unit, thousands="," in before or source.thousands, zero="")
            row[column] = dataclasses.replace(row[column], text=after)
            _retruth(table, lambda f, c=code: f.kind == "function" and f.key == c and f.measure == "total",
                     lambda f, new=fen: dataclasses.replace(f, fen=new))  # fmt: skip
            return InjectedError("changed_cell", table.kind, None,
                                 ("hierarchy.function_section", "column.expenditure_split"),
                                 f"{code} 合计 {before}", f"{code} 合计 {after}", after)  # fmt: skip
    raise NothingToInject(f"{table.kind} prints no 项 row")


def print_across_rule(source: DocumentSource, tables: list[TableContent], text: DocumentText) -> InjectedError:
    """A figure whose cell below (same column, next row) is blank, printed across the rule between them."""
    for kind in ACROSS_RULE_TABLES:
        table = next((t for t in tables if t.kind == kind and not t.is_empty), None)
        if table is not None and (error := _across_rule_in(source, table)) is not None:
            return error
    raise NothingToInject(f"none of {ACROSS_RULE_TABLES} has a figure above a blank cell")


def _across_rule_in(source: DocumentSource, table: TableContent) -> InjectedError | None:
    stub, measures = _measure_columns(source, table)
    rows = [row for row in table.rows if row and row[0].span == 1]
    for column in sorted(measures.values()):
        for upper, lower in itertools.pairwise(rows):
            code = _row_code(stub, upper)
            if code.isdigit() and len(upper) > column < len(lower) and upper[column].text.strip() \
                    and not lower[column].text.strip():  # fmt: skip
                figure = upper[column].text
                upper[column] = dataclasses.replace(upper[column], across_rule=True)
                return InjectedError("figure_across_rule", table.kind, None, ("reading.disputed",),
                                     f"{code} {figure}", f"{code} {figure} across the rule", figure)  # fmt: skip
    return None


NARRATIVE_FIGURES = {
    "final": (r"本年支出合计", "narrative.expense_total"),
    "budget": (r"收入预算", "narrative.income_budget"),
}
_FIGURE = r"(?P<space>\s?)(?P<n>\d[\d,]*\.\d{2})(?P<tail>\s?万元)"


def change_narrative_figure(source: DocumentSource, tables: list[TableContent], text: DocumentText) -> InjectedError:
    words, check = NARRATIVE_FIGURES[source.layout.report_kind]
    pattern = re.compile(words + _FIGURE)

    def change(found: re.Match[str]) -> str:
        value = fen_of(found["n"], "万元") + FEN_PER_UNIT_STEP["万元"]
        thousands = "," in found["n"]
        return f"{words}{found['space']}{format_amount(value, '万元', thousands=thousands, zero='0')}{found['tail']}"

    before, after = _replace_first(text, pattern, change)
    return InjectedError("narrative_figure", None, None, (check,), before, after, after)


_COMPARISON = re.compile(r"(?P<word>与|比)(?P<space>\s?)(?P<year>20\d{2})(?P<tail>\s?年)")


def change_year(source: DocumentSource, tables: list[TableContent], text: DocumentText) -> InjectedError:
    last_year = source.year - 1

    def change(found: re.Match[str]) -> str:
        return f"{found['word']}{found['space']}{last_year - 1}{found['tail']}"

    pattern = re.compile(_COMPARISON.pattern.replace(r"(?P<year>20\d{2})", rf"(?P<year>{last_year})"))
    before, after = _replace_first(text, pattern, change)
    return InjectedError("wrong_year", None, None, ("narrative.year",), before, after, after)


def drop_table(source: DocumentSource, tables: list[TableContent], text: DocumentText) -> InjectedError:
    table = next((t for t in tables if t.kind == DROPPED_TABLE), None)
    if table is None:
        raise NothingToInject(f"no {DROPPED_TABLE} table to drop")
    tables.remove(table)
    return InjectedError("dropped_table", table.kind, None, ("missing_table",), table.title, "(not printed)")


def slip_unit(source: DocumentSource, tables: list[TableContent], text: DocumentText) -> InjectedError:
    table = _table(tables, SLIPPED_TABLE)
    before, after = table.unit, OTHER_UNIT[table.unit]
    table.unit = after

    def rescale(fact: TruthFact) -> TruthFact:
        fen = fact.fen // UNIT_RATIO if after == "元" else fact.fen * UNIT_RATIO
        return dataclasses.replace(fact, fen=fen)

    _retruth(table, lambda f: True, rescale)
    return InjectedError("unit_slip", table.kind, None, ("unit.slip",), f"单位：{before}", f"单位：{after}")


def swap_columns(source: DocumentSource, tables: list[TableContent], text: DocumentText) -> InjectedError:
    table = _table(tables, CHANGED_CELL_TABLE)
    _, measures = _measure_columns(source, table)
    if "basic" not in measures or "project" not in measures:
        raise NothingToInject(f"{table.kind} prints no 基本支出 | 项目支出 columns")
    for row in table.rows:
        shift = row[0].span - 1 if row else 0  # a 合计 row's label spans the stub columns
        basic, project = measures["basic"] - shift, measures["project"] - shift
        if len(row) > max(basic, project):
            row[basic], row[project] = row[project], row[basic]
    swap = {"basic": "project", "project": "basic", "table_total:basic": "table_total:project",
            "table_total:project": "table_total:basic"}  # fmt: skip
    _retruth(
        table,
        lambda f: f.measure in swap or f.key in swap,
        lambda f: dataclasses.replace(f, measure=swap.get(f.measure, f.measure), key=swap.get(f.key, f.key)),
    )
    return InjectedError("swapped_column", table.kind, None, ("column.swapped",), "基本支出 | 项目支出",
                         "项目支出 | 基本支出 (figures exchanged)")  # fmt: skip


INJECTORS: dict[str, Callable[[DocumentSource, list[TableContent], DocumentText], InjectedError]] = {
    "changed_cell": change_cell,
    "narrative_figure": change_narrative_figure,
    "dropped_table": drop_table,
    "wrong_year": change_year,
    "unit_slip": slip_unit,
    "swapped_column": swap_columns,
    "figure_across_rule": print_across_rule,
}


def _retruth(table: TableContent, which: Callable[[TruthFact], bool], how: Callable[[TruthFact], TruthFact]) -> None:
    """Keep the table's truth equal to what it prints."""
    table.facts = [how(f) if which(f) else f for f in table.facts]


def _replace_first(
    text: DocumentText, pattern: re.Pattern[str], change: Callable[[re.Match[str]], str]
) -> tuple[str, str]:
    """Replace the first match in the narrative parts' paragraphs; (before, after) as printed."""
    for part in ("narrative", "other_notes"):
        blocks = text.parts.get(part, [])
        for i, (kind, value) in enumerate(blocks):
            if kind not in ("p", "h2") or not isinstance(value, str):
                continue
            found = pattern.search(value)
            if found:
                after = change(found)
                blocks[i] = (kind, value[: found.start()] + after + value[found.end() :])
                return found.group(0), after
    raise NothingToInject(f"the narrative has no {pattern.pattern!r}")


# --- where it is printed ------------------------------------------------------------------------------


def _with_page(error: InjectedError, document: Document) -> InjectedError:
    pages = document.rendered.table_pages.get(error.table_kind or "", [])
    if error.kind == "dropped_table":
        return error
    if error.kind in ("unit_slip", "swapped_column"):
        return dataclasses.replace(error, page=pages[0])
    return dataclasses.replace(error, page=_page_of(document.rendered.pdf, error.locator, pages or None))


def _page_of(pdf: bytes, locator: str, pages: list[int] | None) -> int | None:
    """The first page (1-based; among `pages` if given) whose text holds the locator; a locator broken
    over two pages is found on the page it starts on."""
    wanted = fold(locator)
    texts = _page_texts(pdf)
    numbers = pages or list(range(1, len(texts) + 1))
    for number in numbers:
        here = texts[number - 1]
        after = texts[number] if number < len(texts) else ""
        if wanted in here or (wanted in here + after and (here + after).find(wanted) < len(here)):
            return number
    return None


def _page_texts(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(io.BytesIO(pdf))
    try:
        return [fold(document[i].get_textpage().get_text_range()) for i in range(len(document))]
    finally:
        document.close()

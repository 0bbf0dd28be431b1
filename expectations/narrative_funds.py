"""What the 情况说明 says of the 政府性基金 and 国有资本经营 funds against their tables as printed.

Two contradictions are certain on the page:

- the narrative states a figure other than zero for the fund ("政府性基金预算财政拨款支出 25.22 万元",
  "政府性基金预算拨款收入 347.00 万元") while the fund's table is printed empty;
- the narrative says the fund has nothing ("本部门无政府性基金预算拨款安排的支出", "…故本表为空") while the
  fund's table prints figures, and another table prints the fund's figures too (so the table's figures
  are the fund's, not another table's read under its title).

A carry-over only ("无2019年结转的政府性基金预算拨款支出") says nothing of the year's figures and is left
alone, as is a table whose reading raised an error (its emptiness is then in doubt). Each failure is
reported once per fund, on the narrative's page, with the table's page in the message and evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from expectations.document_checks import DocumentCheck
from expectations.narrative_arithmetic import PageAt, pieces, printed_wan
from expectations.narrative_comparison import FIGURE, Printed
from extract.model import ExtractedDocument, Fact, TableRead


@dataclass(frozen=True, slots=True)
class Fund:
    table_kind: str
    fund_scope: str
    words: str  # as the narrative names it
    income_line: str  # the summary line of its income


FUNDS: tuple[Fund, ...] = (
    Fund("gov_fund", "government_fund", "政府性基金", "income.government_fund"),
    Fund("soe_capital", "soe_capital", "国有资本经营", "income.soe_capital"),
)
_STATED = r"(?:预算)?(?:财政)?(?:拨款)?(?:安排的)?(?:收入|支出)?(?:预算|决算)?(?:支出)?数?(?:合计|总计)?(?:为|是|共计)?"
_NONE = r"(?:没有|无(?!锡)|未)(?:使用|安排|发生)?[^,;:。]{0,40}?"
_EMPTY_NOTE = re.compile(r"(?:本表|此表|该表)(?:为空|无数据)|空表")
_CARRY_OVER = re.compile(r"结转|结余|上年|以前年度")
_FUND_WORDS = re.compile(r"(?:预算)?(?:财政)?(?:拨款)?(?:安排的)?")
_INCOME_ONLY = re.compile(r"收入(?![和及、]?支出)")


def fund_checks(doc: ExtractedDocument, text: str, page_at: PageAt) -> list[DocumentCheck]:
    """`text` is the folded narrative, `page_at(offset)` its page. One check per fund whose table is
    printed and of which the narrative says something: a figure, or that it has none."""
    tables = {t.table_kind: t for t in doc.tables}
    doubted = {p.table_kind for p in doc.problems if p.severity == "error" and p.table_kind}
    checks: list[DocumentCheck] = []
    for fund in FUNDS:
        table = tables.get(fund.table_kind)
        if table is None or fund.table_kind in doubted:
            continue
        figures = [f for f in doc.facts if f.table_kind == fund.table_kind and f.amount_yuan != 0]
        stated = next((s for s in _stated(fund, text) if s[1].yuan != 0), None)
        said_none = _said_none(fund, text)
        if table.is_empty or not figures:
            if stated is not None:
                checks.append(_stated_for_empty(table, *stated, page_at))
            elif said_none is not None:
                checks.append(_agrees(table, said_none, page_at))
        elif said_none is not None and (elsewhere := _elsewhere(doc, fund)):
            checks.append(_none_for_printed(table, figures, elsewhere, said_none, page_at))
        elif stated is not None:
            checks.append(_agrees(table, (stated[0].start(), stated[0].group(0)), page_at))
    return checks


def _stated(fund: Fund, text: str) -> Iterator[tuple[re.Match[str], Printed]]:
    """Each figure the narrative states for the fund's year (not a carry-over)."""
    for match in re.finditer(fund.words + _STATED + FIGURE, text):
        if _CARRY_OVER.search(text[max(match.start() - 8, 0) : match.start()]):
            continue
        yield match, Printed.of(match["n"], match["u"])


def _stated_for_empty(table: TableRead, match: re.Match[str], figure: Printed, page_at: PageAt) -> DocumentCheck:
    page = page_at(match.start())
    words = match.group(0)
    message = f"情况说明（第{page}页）称“{words}”，而{table.title}（第{table.first_page}页）印为空表：两者不符"
    evidence = f"第{page}页印有“{words}”；第{table.first_page}页{table.title}无数字"
    return _disagreement(table, page, message, evidence, Decimal(0), figure.yuan)


def _none_for_printed(
    table: TableRead, figures: list[Fact], elsewhere: list[Fact], said: tuple[int, str], page_at: PageAt
) -> DocumentCheck:
    start, words = said
    page = page_at(start)
    largest = max(figures, key=lambda f: f.amount_yuan)
    other = max(elsewhere, key=lambda f: f.amount_yuan)
    message = (
        f"情况说明（第{page}页）称“{words}”，而{table.title}（第{table.first_page}页）印有数字"
        f"（如第{largest.page}页 {printed_wan(largest.amount_yuan)} 万元）：两者不符"
    )
    evidence = (
        f"第{page}页印有“{words}”；第{largest.page}页{table.title}印有 {printed_wan(largest.amount_yuan)} 万元，"
        f"第{other.page}页另表亦列该项资金 {printed_wan(other.amount_yuan)} 万元"
    )
    return _disagreement(table, page, message, evidence, largest.amount_yuan, Decimal(0))


def _disagreement(
    table: TableRead, page: int, message: str, evidence: str, expected: Decimal, actual: Decimal
) -> DocumentCheck:
    """The narrative and a fund table disagree: the publisher's, with both pages in the evidence."""
    return DocumentCheck("narrative.empty_table", "warning", False, message, table.table_kind, page, None, expected,
                         actual, attributed_to="publisher", evidence=evidence)  # fmt: skip


def _agrees(table: TableRead, said: tuple[int, str], page_at: PageAt) -> DocumentCheck:
    page = page_at(said[0])
    message = f"情况说明（第{page}页）称“{said[1]}”，与{table.title}（第{table.first_page}页）相符"
    return DocumentCheck(
        "narrative.empty_table", "warning", True, message, table.table_kind, page, attributed_to="publisher"
    )


def _said_none(fund: Fund, text: str) -> tuple[int, str] | None:
    """Where the narrative says the fund has nothing this year: "无/没有/未使用…<fund>…支出" (its spending, or
    everything: 收支, the fund itself; not its income alone), or the fund's table "为空表" / "无数据" in the same
    clause. None when it does not say so, or says it of a carry-over only."""
    none = re.compile(_NONE + fund.words)
    for start, clause in _clauses(text):
        at = clause.find(fund.words)
        if at < 0 or _CARRY_OVER.search(clause) or _stated_nonzero(fund, clause):
            continue
        for match in none.finditer(clause):
            words = _FUND_WORDS.match(clause, match.end())
            if words is not None and not _INCOME_ONLY.match(clause, words.end()):
                return start, clause
        if _EMPTY_NOTE.search(clause, at):
            return start, clause
    return None


def _stated_nonzero(fund: Fund, sentence: str) -> bool:
    return any(p.yuan != 0 for _, p in _stated(fund, sentence))


def _clauses(text: str) -> Iterator[tuple[int, str]]:
    return pieces(text, "。;；,")


def _elsewhere(doc: ExtractedDocument, fund: Fund) -> list[Fact]:
    """The fund's figures in the other tables (its column of the fiscal summary, its income line)."""
    return [f for f in doc.facts if f.table_kind != fund.table_kind and f.amount_yuan != 0
            and (f.fund_scope == fund.fund_scope or f.key == fund.income_line)]  # fmt: skip

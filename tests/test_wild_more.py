"""Real files of other regions (../shared/corpus/wild-more), a sample of each layout family: every budget loads
with its function and economic tables, what it prints wrong is the publisher's with its page, and every other
file fails with a reason a person understands and no facts.

The whole folder is measured by `python benchmarks/wild_survey.py ../shared/corpus/wild-more` (README).
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from extract.model import SUBJECT_FACT_KINDS
from flows.extraction import DocumentOutcome, ReadDocument, gate_reads, read_file
from flows.limits import DocumentLimits
from tests.shared_data import WILD_MORE, needs

# One budget per layout family: what each exercises.
BUDGETS = {
    "9380e7dc652b": "Shandong: codes split 类|款|项 with the 类 printed once, dept × government economic codes",
    "d58caa588b67": "Beijing: 6-decimal 万元, function × economic rows summed, codes as '2010801-行政运行', no cover",
    "726f59ca66a4": "Shenzhen: 款/项 names in the summary, 单位资金 lines, a 预算单位 column",
    "3be48d9f27f2": "Chongqing: a 总计 beside 本年收入, fund columns split, the carryover broken down by fund",
    "6bdba5824fee": "Hunan: highlighted phrases ruled like tables, spending by use in the summary, ** numbering",
    "7545124e4ca5": "Jiangsu 2019: rows ruled off their header's columns, several tables a page",
    "1598881bee42": "Xi'an: budget-unit blocks, 2-digit 款 under a 类",
    "341c9dd0aa8e": "Fujian: 收入合计 printed below the carryover as the grand total",
}
OTHERS = {
    "0712b170dd43": ("explanation only", "explanation without its tables"),
    "35d8fb2f226a": ("scanned", "needs OCR"),
    "31cf95f6528e": ("web page", "web page (HTML)"),
    "034dba94b7fb": ("not a budget document", "not a department budget or final account"),
}

pytestmark = needs(WILD_MORE)


def _path(prefix: str) -> Path:
    return next(WILD_MORE.glob(f"{prefix}-*"))


def _read(prefix: str) -> ReadDocument | DocumentOutcome:
    return read_file(str(_path(prefix)), DocumentLimits(timeout=None, memory_limit_mib=None))


@pytest.fixture(scope="module")
def outcomes() -> dict[str, DocumentOutcome]:
    """Every sampled file read as `caijue ingest` reads it (extraction, two at a time; the gate's Checkpoint
    over them all)."""
    prefixes = [*BUDGETS, *OTHERS]
    with ProcessPoolExecutor(max_workers=2) as pool:
        reads = list(pool.map(_read, prefixes))
    return dict(zip(prefixes, gate_reads(reads), strict=True))


@pytest.mark.parametrize("prefix", BUDGETS, ids=list(BUDGETS.values()))
def test_a_budget_of_each_layout_loads_with_its_function_and_economic_tables(
    prefix: str, outcomes: dict[str, DocumentOutcome]
) -> None:
    outcome = outcomes[prefix]
    assert outcome.status == "loaded", outcome.reason
    document = outcome.document
    loaded = {f.table_kind for f in document.facts if f.fact_kind in SUBJECT_FACT_KINDS} - set(outcome.withheld)
    assert len(loaded) >= 3, (loaded, outcome.withheld)
    assert document.meta.fiscal_year and document.meta.report_kind == "budget"
    assert document.file_kind == "budget"


@pytest.mark.parametrize("prefix", BUDGETS, ids=list(BUDGETS.values()))
def test_every_class_and_section_of_a_loaded_function_table_adds_up_or_is_the_publishers_with_its_page(
    prefix: str, outcomes: dict[str, DocumentOutcome]
) -> None:
    outcome = outcomes[prefix]
    tally = outcome.identity_tally
    assert tally.get("held", 0) > 0  # (a table of leaf rows only prints no class or section to add up to)
    broken = [p for p in outcome.issues if p.check_name.startswith("hierarchy.function")
              and p.table_kind not in outcome.withheld]  # fmt: skip
    assert all(p.attributed_to == "publisher" and p.page and p.evidence for p in broken), broken
    assert tally.get("hierarchy.function:failed", 0) <= max(2, tally.get("hierarchy.function:held", 0) // 50)


@pytest.mark.parametrize("prefix", BUDGETS, ids=list(BUDGETS.values()))
def test_no_table_of_a_well_printed_budget_is_in_doubt(prefix: str, outcomes: dict[str, DocumentOutcome]) -> None:
    outcome = outcomes[prefix]
    assert outcome.withheld == {}
    assert outcome.document.disputed == {}


@pytest.mark.parametrize("prefix", OTHERS)
def test_a_file_that_is_not_a_budget_with_tables_fails_with_a_reason_and_no_facts(
    prefix: str, outcomes: dict[str, DocumentOutcome]
) -> None:
    kind, words = OTHERS[prefix]
    outcome = outcomes[prefix]
    assert (outcome.status, outcome.document.file_kind) == ("failed", kind)
    assert words in (outcome.reason or "")
    assert outcome.document.facts == []


def test_a_web_page_s_bytes_never_reach_the_reason(outcomes: dict[str, DocumentOutcome]) -> None:
    reason = outcomes["31cf95f6528e"].reason or ""
    assert "<" not in reason and "html lang" not in reason.lower()

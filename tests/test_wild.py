"""Documents from other provinces (../shared/corpus/wild): no expected facts, but a clear verdict each."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from functools import cache

import pytest

from extract import ExtractedDocument, ExtractionError, extract_document
from tests.shared_data import WILD, needs

PUBLISHED = sorted(p.name for p in WILD.glob("*-dept.pdf")) if WILD.is_dir() else []
EXPLANATION_ONLY = "bj-zfbgt-2026-budget-dept.pdf"  # its tables were published as a separate file
WITH_TABLES = [name for name in PUBLISHED if name != EXPLANATION_ONLY]

pytestmark = needs(WILD)


@pytest.fixture(scope="module")
def gate():
    from expectations.gate import default_gate

    return default_gate()


@cache
def extracted(name: str) -> ExtractedDocument:
    return extract_document((WILD / name).read_bytes(), name)


@pytest.mark.parametrize("name", WITH_TABLES)
def test_a_published_budget_or_final_account_loads_with_its_core_tables(name: str, gate) -> None:
    document = extracted(name)
    result = gate.check(document)
    errors = [
        f"{p.check_name} p{p.page}: {p.message}" for p in [*document.problems, *result.issues] if p.severity == "error"
    ]
    assert result.status == "loaded", errors
    kinds = {t.table_kind for t in document.tables}
    assert {"income_expense_summary", "income", "expenditure", "fiscal_summary", "gpb_expenditure"} <= kinds


@pytest.mark.parametrize("name", WITH_TABLES)
def test_the_cover_names_the_department_year_and_kind(name: str) -> None:
    meta = extracted(name).meta
    year = int(name.split("-")[-3])
    assert meta.department_name and meta.fiscal_year == year
    assert meta.report_kind == ("final" if "-final-" in name else "budget")


def test_an_explanation_without_its_tables_says_so() -> None:
    document = extracted(EXPLANATION_ONLY)
    assert document.meta.department_name == "北京市人民政府办公厅"
    assert not document.tables
    assert any(p.check_name == "no_tables_found" and "explanation" in p.message for p in document.problems)


def test_the_impostor_is_not_a_pdf() -> None:
    impostor = next(WILD.glob("*not-a-pdf*"))
    with pytest.raises(ExtractionError, match="not a PDF"):
        extract_document(impostor.read_bytes(), impostor.name)


def test_extraction_does_not_depend_on_hash_order() -> None:
    """A pure function of the bytes: the same facts under any PYTHONHASHSEED."""
    name = WITH_TABLES[-1]
    script = (
        "import sys, json; from extract import extract_document; "
        f"d = extract_document(open({str(WILD / name)!r}, 'rb').read(), 'x'); "
        "print(json.dumps(sorted(repr(f) for f in d.facts)))"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    ]
    assert json.loads(runs[0]) == json.loads(runs[1])


def test_xian_s_special_business_funds_are_project_spending() -> None:
    """陕西's budgets split spending into 人员经费支出, 公用经费支出 and 专项业务经费支出 (= 项目支出):
    every function row's total is their sum."""
    rows: dict[str, dict[str, object]] = {}
    for fact in extracted("sn-xian-zfbgt-2026-budget-dept.pdf").facts:
        if fact.table_kind == "gpb_expenditure":
            rows.setdefault(fact.key, {})[fact.measure] = fact.amount_yuan
    assert rows["table_total"].keys() == {"total", "personnel", "public_use", "project"}
    for key, amounts in rows.items():
        parts = sum(amounts.get(m, 0) for m in ("personnel", "public_use", "project"))  # type: ignore[misc]
        assert parts == amounts["total"], key


def test_a_table_caijue_does_not_read_is_named_and_its_next_pages_go_with_it() -> None:
    """江苏 draws each title inside the table's frame: a table outside the contract is named, not reported
    as a table with no title; 广州's 项目支出 table runs over three pages: named once, its next pages
    skipped with it."""
    problems = extracted("js-rdcwhbgt-2019-budget-dept.pdf").problems
    unknown = {p.page: p.message for p in problems if p.check_name == "unknown_table"}
    assert "财政拨款基本支出预算表(经济科目)" in unknown[6] and "政府采购预算表" in unknown[12]
    assert "机关运行经费支出预算表" in unknown[11]
    untitled = {p.page for p in problems if p.check_name == "table_without_title"}
    assert not untitled & {5, 6, 11, 12}

    problems = extracted("gd-guangzhou-zfbgt-2026-budget-dept.pdf").problems
    assert any(p.check_name == "unknown_table" and p.page == 21 for p in problems)
    assert not [p for p in problems if p.page in (22, 23)]


def test_jiangsu_s_fiscal_expenditure_by_function_is_read() -> None:
    """财政拨款支出预算表（功能科目）: all 财政拨款 spending by function, in the fiscal scope."""
    facts = [
        f for f in extracted("js-rdcwhbgt-2019-budget-dept.pdf").facts if f.table_kind == "fiscal_expenditure_detail"
    ]
    assert {f.fund_scope for f in facts} == {"fiscal"} and all(f.page == 5 for f in facts)
    amounts = {f.key: f.amount_yuan for f in facts if f.measure == "total"}
    assert amounts["table_total"] == Decimal("183303700.00") and amounts["2010101"] == Decimal("74482000.00")

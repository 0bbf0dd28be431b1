"""The warehouse: raw loading, the dbt build (contract marts), withheld tables, the report, and accuracy scoring.

The documents here are written by hand as the loader's input; they are not a stand-in for
extraction. One warehouse is built once for the module (dbt build takes several seconds).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import get_args

import duckdb
import pytest
import yaml

from extract.expected import expected_of_document
from extract.model import LARGEST_YUAN, Attribution, DocumentMeta, ExtractedDocument, Fact, FileKind, Problem, TableRead
from flows.publish import start_working_copy
from samples.truth import write_expected_folder
from warehouse import accuracy, dbt, raw
from warehouse.accuracy import read_expected_folder
from warehouse.dbt import (
    DBT_PROJECT,
    DbtOutcome,
    build_warehouse,
    empty_warehouse,
    make_empty_warehouse,
    rebuilt_documents,
)
from warehouse.report import write_reports

# CONTRACT.md "Marts": table → "column type, …" (types as information_schema.columns spells them).
FACT_HEAD = "document_id VARCHAR, department_id VARCHAR, fiscal_year INTEGER, report_kind VARCHAR"
AMOUNT = "amount_yuan DECIMAL(20,2)"
CONTRACT_SPEC = {
    "dim_document": "document_id VARCHAR, file_name VARCHAR, department_name VARCHAR, fiscal_year INTEGER,"
    " report_kind VARCHAR, report_level VARCHAR, region VARCHAR, page_count INTEGER, status VARCHAR,"
    " loaded_at TIMESTAMP",
    "dim_department": "department_id VARCHAR, department_name VARCHAR, region VARCHAR",
    "dim_function_subject": "subject_code VARCHAR, subject_level VARCHAR, class_code VARCHAR,"
    " section_code VARCHAR, subject_name VARCHAR, parent_code VARCHAR, valid_from INTEGER, valid_to INTEGER",
    "dim_economic_subject": "econ_code VARCHAR, econ_level VARCHAR, class_code VARCHAR, econ_name VARCHAR",
    "fct_function_amount": f"{FACT_HEAD}, table_kind VARCHAR, fund_scope VARCHAR, subject_code VARCHAR,"
    f" subject_level VARCHAR, measure VARCHAR, {AMOUNT}",
    "fct_economic_amount": f"{FACT_HEAD}, table_kind VARCHAR, fund_scope VARCHAR, econ_code VARCHAR,"
    f" econ_level VARCHAR, measure VARCHAR, {AMOUNT}",
    "fct_summary_line": f"{FACT_HEAD}, table_kind VARCHAR, fund_scope VARCHAR, line_key VARCHAR, {AMOUNT}",
    "fct_three_public": f"{FACT_HEAD}, item VARCHAR, measure VARCHAR, {AMOUNT}",
    "fct_quality_issue": "document_id VARCHAR, check_name VARCHAR, severity VARCHAR, table_kind VARCHAR,"
    " page INTEGER, subject_code VARCHAR, expected DECIMAL(20,2), actual DECIMAL(20,2), message VARCHAR",
}
CONTRACT = {table: dict(column.split() for column in spec.split(", ")) for table, spec in CONTRACT_SPEC.items()}
# Beyond the contract: withheld tables, the kind of file, and whose error an issue is.
EXTENSIONS = {
    "dim_document": {"file_kind": "VARCHAR", "withheld_tables": "VARCHAR", "withheld_table_count": "INTEGER"},
    "fct_quality_issue": {"attributed_to": "VARCHAR", "evidence": "VARCHAR", "printed": "VARCHAR"},
}
FACT_MARTS = ("fct_function_amount", "fct_economic_amount", "fct_summary_line", "fct_three_public")
# Every table of facts, by its schema: int_table_totals (the 合计 rows, for identity checks) is internal.
ALL_FACT_TABLES = (*(f"marts.{mart}" for mart in FACT_MARTS), "intermediate.int_table_totals")

PUTUO = "上海市普陀区"
PLANNING = "上海市普陀区规划和自然资源局"
JUSTICE = "上海市普陀区司法局"
COMMERCE = "上海市普陀区商务委员会"
EDUCATION = "上海市普陀区教育局"
# 16 significant digits with cents: a float would not keep it.
HUGE = Decimal("98765432109876.54")
D = Decimal


def sha(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def wan(amount: str) -> Decimal:
    """An amount printed in 万元, in yuan."""
    return (D(amount) * 10000).quantize(D("0.01"))


def fn(table: str, scope: str, code: str, measure: str, amount: Decimal, label: str, page: int = 8) -> Fact:
    return Fact(table, scope, "function", code, measure, amount, page, label)


def planning_final(department_name: str = PLANNING, file_name: str = "ghzy-2024.pdf") -> ExtractedDocument:
    """A 部门决算 in 万元 (its basic-expenditure table in 元): 类/款/项 rows, summary lines, 三公."""
    exp, gpb, basic = "expenditure", "all", "gpb_basic_economic"
    facts = [
        # 支出决算表: 201 = 20131 = 2013101 + 2013102; 208 = 20805 = 2080505
        fn(exp, gpb, "201", "total", wan("120.50"), "一般公共服务支出"),
        fn(exp, gpb, "201", "basic", wan("100.00"), "一般公共服务支出"),
        fn(exp, gpb, "201", "project", wan("20.50"), "一般公共服务支出"),
        fn(exp, gpb, "20131", "total", wan("120.50"), "党委办公厅（室）及相关机构事务"),
        fn(exp, gpb, "20131", "basic", wan("100.00"), "党委办公厅（室）及相关机构事务"),
        fn(exp, gpb, "20131", "project", wan("20.50"), "党委办公厅（室）及相关机构事务"),
        fn(exp, gpb, "2013101", "total", wan("100.00"), "行政运行"),
        fn(exp, gpb, "2013101", "basic", wan("100.00"), "行政运行"),
        fn(exp, gpb, "2013101", "project", D("0.00"), "行政运行"),  # printed "0.00"
        fn(exp, gpb, "2013102", "total", wan("20.50"), "一般行政管理事务"),
        fn(exp, gpb, "2013102", "project", wan("20.50"), "一般行政管理事务"),
        fn(exp, gpb, "208", "total", wan("44.61"), "社会保障和就业支出"),
        fn(exp, gpb, "208", "basic", wan("44.61"), "社会保障和就业支出"),
        fn(exp, gpb, "20805", "total", wan("44.61"), "行政事业单位养老支出"),
        fn(exp, gpb, "20805", "basic", wan("44.61"), "行政事业单位养老支出"),
        fn(exp, gpb, "2080505", "total", wan("44.61"), "机关事业单位基本养老保险缴费支出"),
        fn(exp, gpb, "2080505", "basic", wan("44.61"), "机关事业单位基本养老保险缴费支出"),
        Fact(exp, gpb, "table_total", "table_total", "total", wan("165.11"), 9, "合计"),
        Fact(exp, gpb, "table_total", "table_total", "basic", wan("144.61"), 9, "合计"),
        Fact(exp, gpb, "table_total", "table_total", "project", wan("20.50"), 9, "合计"),
        # 收入支出决算总表: class lines and summary lines
        fn("income_expense_summary", "all", "201", "total", wan("120.50"), "一、一般公共服务支出", 7),
        fn("income_expense_summary", "all", "208", "total", wan("44.61"), "二、社会保障和就业支出", 7),
        *(
            Fact("income_expense_summary", "all", "summary", key, "amount", amount, 7, label)
            for key, amount, label in (
                ("income.general_public_budget", wan("165.11"), "一、一般公共预算财政拨款收入"),
                ("income.total", wan("165.11"), "本年收入合计"),
                ("income.carryover_begin", wan("10.00"), "年初结转和结余"),
                ("income.grand_total", wan("175.11"), "总计"),
                ("expense.total", wan("165.11"), "本年支出合计"),
                ("expense.carryover_end", wan("10.00"), "年末结转和结余"),
                ("expense.grand_total", wan("175.11"), "总计"),
            )
        ),
        # 基本支出表, in 元: 301 = 30101 + 30102
        Fact(basic, "general_public_budget", "economic", "301", "total", HUGE, 16, "工资福利支出"),
        Fact(basic, "general_public_budget", "economic", "30101", "total", D("98765432100000.01"), 16, "基本工资"),
        Fact(basic, "general_public_budget", "economic", "30102", "total", D("9876.53"), 16, "津贴补贴"),
        Fact(basic, "general_public_budget", "table_total", "personnel_total", "total", HUGE, 16, "人员经费合计"),
        # 三公, zeros printed
        *(
            Fact("three_public", "fiscal", "three_public", item, measure, amount, 17, label)
            for item, label, budget, actual in (
                ("total", "合计", wan("2.85"), wan("0.39")),
                ("overseas_travel", "因公出国（境）费", D("0.00"), D("0.00")),
                ("vehicle_total", "公务用车购置及运行维护费", D("0.00"), D("0.00")),
                ("vehicle_purchase", "购置费", D("0.00"), D("0.00")),
                ("vehicle_operation", "运行维护费", D("0.00"), D("0.00")),
                ("reception", "公务接待费", wan("2.85"), wan("0.39")),
            )
            for measure, amount in (("budget", budget), ("actual", actual))
        ),
    ]
    tables = [
        TableRead("income_expense_summary", "收入支出决算总表", 7, 7, "万元", False),
        TableRead(exp, "支出决算表", 8, 9, "万元", False),
        TableRead(basic, "一般公共预算财政拨款基本支出决算表", 16, 16, "元", False),
        TableRead("three_public", "财政拨款“三公”经费支出决算表", 17, 17, "万元", False),
        TableRead("gov_fund", "政府性基金预算财政拨款收入支出决算表", 18, 18, "万元", True),
    ]
    meta = DocumentMeta(sha(file_name), file_name, department_name, 2024, "final", "department", PUTUO, 30)
    return ExtractedDocument(meta=meta, tables=tables, facts=facts)


def justice_budget_with_publisher_error() -> ExtractedDocument:
    """A 部门预算 in 元 whose 类 row is not the sum of its 款 rows (the publisher's error)."""
    facts = [
        fn("gpb_expenditure", "general_public_budget", "204", "total", D("1000.00"), "公共安全支出"),
        fn("gpb_expenditure", "general_public_budget", "20406", "total", D("900.00"), "司法"),
    ]
    tables = [TableRead("gpb_expenditure", "一般公共预算支出功能分类预算表", 9, 9, "元", False)]
    meta = DocumentMeta(sha("sfj-2026"), "sfj-2026.pdf", JUSTICE, 2026, "budget", "department", PUTUO, 23)
    return ExtractedDocument(meta=meta, tables=tables, facts=facts)


def commerce_quarantined() -> ExtractedDocument:
    facts = [fn("expenditure", "all", "201", "total", D("5000.00"), "一般公共服务支出")]
    meta = DocumentMeta(sha("sww-2025"), "sww-2025.pdf", COMMERCE, 2025, "budget", "unit", PUTUO, 22)
    return ExtractedDocument(meta=meta, facts=facts)


DISPUTED_205 = Problem(
    "reading.disputed",
    "error",
    "205 合计: the cell reads 7,000.00 in its text and 1,000.00 in its glyphs",
    table_kind="gpb_expenditure",
    page=9,
    subject_code="205",
    expected=D("1000.00"),
    actual=D("7000.00"),
    attributed_to="extraction",
    evidence="p9, row 205 教育支出, column 合计: pdfplumber's cell text 7,000.00, PDFium's glyphs 1,000.00",
)
NARRATIVE_THREE_PUBLIC = Problem(
    "narrative.three_public",
    "warning",
    "情况说明 prints the 三公 budget as 6.00 万元, the table as 5.00 万元",
    table_kind="three_public",
    page=3,
    expected=wan("5.00"),
    actual=wan("6.00"),
    attributed_to="publisher",
    evidence="p3 “三公经费预算 6.00 万元”; p12 合计 50,000.00 元, and the table's items add up to it",
)
UNPLACED_LINE = Problem(
    "unplaced_line",
    "warning",
    "a line of the 三公 table matches no item and is not loaded",
    table_kind="three_public",
    page=12,
    printed="其中：会议费",
)
WITHHELD = {
    "gpb_expenditure": "reading.disputed p9 205: the cell reads 7,000.00 in its text and 1,000.00 in its glyphs"
}


def education_budget_with_a_withheld_table() -> ExtractedDocument:
    """A 部门预算 in 元 loaded with one table withheld: its 205 class row was read two ways (7000 vs 1000),
    so its 类 ≠ Σ款 is ours, not the publisher's. Its 三公 table loads."""
    gpb = "gpb_expenditure", "general_public_budget"
    facts = [
        fn(*gpb, "205", "total", D("7000.00"), "教育支出", page=9),
        fn(*gpb, "20502", "total", D("1000.00"), "普通教育", page=9),
        Fact(*gpb, "table_total", "table_total", "total", D("1000.00"), 9, "合计"),
        *(
            Fact("three_public", "fiscal", "three_public", item, "budget", amount, 12, label)
            for item, label, amount in (
                ("total", "合计", D("50000.00")),
                ("overseas_travel", "因公出国（境）费", D("0.00")),
                ("vehicle_total", "公务用车购置及运行维护费", D("0.00")),
                ("reception", "公务接待费", D("50000.00")),
            )
        ),
    ]
    tables = [
        TableRead("gpb_expenditure", "一般公共预算支出功能分类预算表", 9, 9, "元", False),
        TableRead("three_public", "“三公”经费和机关运行经费预算表", 12, 12, "元", False),
    ]
    meta = DocumentMeta(sha("jyj-2026"), "jyj-2026.pdf", EDUCATION, 2026, "budget", "department", PUTUO, 20)
    return ExtractedDocument(meta=meta, tables=tables, facts=facts, problems=[UNPLACED_LINE], file_kind="budget")


def unreadable() -> ExtractedDocument:
    meta = DocumentMeta(sha("scan"), "scan.pdf", None, None, None, None, None, 3)
    return ExtractedDocument(meta=meta)


QUARANTINE_ISSUE = Problem(
    "hierarchy.class_equals_sections",
    "error",
    "201 printed 5000.00, sections sum to 4000.00",
    table_kind="expenditure",
    page=8,
    subject_code="201",
    expected=D("4000.00"),
    actual=D("5000.00"),
)


@dataclass(frozen=True)
class Built:
    path: Path
    work_dir: Path
    outcome: DbtOutcome
    planning: ExtractedDocument
    planning_old: ExtractedDocument
    education: ExtractedDocument


@contextmanager
def connect(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(path))
    try:
        yield con
    finally:
        con.close()


def load(
    con: duckdb.DuckDBPyConnection,
    doc: ExtractedDocument,
    status: str = "loaded",
    *,
    issues: list[Problem] | None = None,
    version: str = "1.0",
    at: datetime | None = None,
    withheld: Mapping[str, str] | None = None,
) -> bool:
    return raw.load_document(
        con,
        doc,
        status=status,
        status_reason=None if status == "loaded" and not withheld else f"{status} for the test",
        issues=issues or [],
        file_path=f"/corpus/{doc.meta.file_name}",
        extractor_version=version,
        ingested_at=at or datetime(2025, 10, 1, 9, 0),
        withheld=withheld,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("warehouse")
    path = root / "warehouse.duckdb"
    planning = planning_final()
    # An earlier file of the same report, printed with a space in the name: superseded.
    planning_old = planning_final(department_name="上海市普陀区 规划和自然资源局", file_name="ghzy-2024-v0.pdf")
    education = education_budget_with_a_withheld_table()
    load_the_corpus(path, planning, planning_old, education)
    outcome = build_warehouse(path, work_dir=root / "dbt")
    assert outcome.success, outcome
    return Built(path, root / "dbt", outcome, planning, planning_old, education)


def load_the_corpus(
    path: Path, planning: ExtractedDocument, planning_old: ExtractedDocument, education: ExtractedDocument
) -> None:
    """The `built` warehouse's documents, loaded into `path`."""
    with connect(path) as con:
        load(con, planning_old, at=datetime(2025, 9, 1))
        load(con, planning)
        load(con, justice_budget_with_publisher_error())
        load(con, commerce_quarantined(), "quarantined", issues=[QUARANTINE_ISSUE])
        load(con, unreadable(), "failed")
        load(con, education, issues=[DISPUTED_205, NARRATIVE_THREE_PUBLIC], withheld=WITHHELD)


def mart_hashes(con: duckdb.DuckDBPyConnection, schema: str = "marts") -> dict[str, tuple[int, str]]:
    """Each table of `schema`: its row count and a hash of its rows, but the build's stamp (dbt_invocation_id)."""
    tables = con.execute(
        "select table_name from information_schema.tables where table_schema = ? and table_type = 'BASE TABLE'"
        " order by 1",
        [schema],
    ).fetchall()
    return {table: rows_digest(con, schema, table) for (table,) in tables}


def rows_digest(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> tuple[int, str]:
    """A table's or view's row count and a hash of its rows, but the build's stamp (dbt_invocation_id)."""
    stamped = con.execute(
        "select count(*) from information_schema.columns where table_schema = ? and table_name = ?"
        " and column_name = 'dbt_invocation_id'",
        [schema, name],
    ).fetchone()[0]
    rows = f"select * exclude (dbt_invocation_id) from {schema}.{name}" if stamped else f"from {schema}.{name}"
    return con.execute(
        f"select count(*), md5(coalesce(string_agg(cast(t as varchar), chr(10) order by cast(t as varchar)), ''))"
        f" from ({rows}) as t"
    ).fetchone()


def raw_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {
        table: con.execute(f"select count(*) from raw.{table}").fetchone()[0]
        for table in ("documents", "document_tables", "facts", "quality_issues")
    }


def test_marts_have_the_contract_columns_and_types(built: Built) -> None:
    with connect(built.path) as con:
        rows = con.execute(
            "select table_name, column_name, data_type from information_schema.columns where table_schema = 'marts'"
        ).fetchall()
        schemas = {s for (s,) in con.execute("select schema_name from information_schema.schemata").fetchall()}
    actual: dict[str, dict[str, str]] = {}
    for table, column, data_type in rows:
        actual.setdefault(table, {})[column] = data_type
    assert {"raw", "staging", "marts"} <= schemas
    assert not any(s.startswith("main_") for s in schemas)
    for table, columns in CONTRACT.items():
        assert table in actual, f"marts.{table} missing"
        for column, data_type in columns.items():
            assert actual[table].get(column) == data_type, f"marts.{table}.{column}"
    assert "name_variants" in actual["dim_department"]
    for table, columns in EXTENSIONS.items():
        assert {c: actual[table].get(c) for c in columns} == columns, f"marts.{table}"


def test_amounts_are_exact_decimals_in_yuan(built: Built) -> None:
    with connect(built.path) as con:
        econ = dict(
            con.execute(
                "select econ_code, amount_yuan from marts.fct_economic_amount where document_id = ?",
                [built.planning.meta.document_id],
            ).fetchall()
        )
        class_201 = con.execute(
            "select amount_yuan from marts.fct_function_amount where document_id = ? and table_kind = 'expenditure'"
            " and subject_code = '201' and measure = 'total'",
            [built.planning.meta.document_id],
        ).fetchone()[0]
    assert econ["301"] == HUGE
    assert econ["30101"] + econ["30102"] == HUGE
    assert isinstance(class_201, Decimal) and class_201 == D("1205000.00")


def test_subject_levels_and_parents_come_from_the_code(built: Built) -> None:
    with connect(built.path) as con:
        rows = con.execute(
            "select distinct subject_code, subject_level, parent_code from marts.fct_function_amount"
            " where document_id = ? and table_kind = 'expenditure' order by 1",
            [built.planning.meta.document_id],
        ).fetchall()
        named = con.execute("select subject_name from marts.dim_function_subject where subject_code = '2013101'")
        name_2013101 = named.fetchone()[0]
    assert ("201", "类", None) in rows
    assert ("20131", "款", "201") in rows
    assert ("2013101", "项", "20131") in rows
    assert name_2013101 == "行政运行"


def test_only_current_loaded_documents_have_facts(built: Built) -> None:
    with connect(built.path) as con:
        documents = {
            row[0]: row[1:]
            for row in con.execute("select file_name, status, is_current from marts.dim_document").fetchall()
        }
        with_facts = {
            file_name
            for mart in FACT_MARTS
            for (file_name,) in con.execute(
                f"select distinct d.file_name from marts.{mart} f join marts.dim_document d using (document_id)"
            ).fetchall()
        }
        issues = con.execute(
            "select d.file_name, q.check_name, q.expected, q.actual from marts.fct_quality_issue q"
            " join marts.dim_document d using (document_id)"
        ).fetchall()
    assert documents == {
        "ghzy-2024.pdf": ("loaded", True),
        "ghzy-2024-v0.pdf": ("loaded", False),  # superseded by the later file of the same report
        "sfj-2026.pdf": ("loaded", True),
        "sww-2025.pdf": ("quarantined", False),
        "scan.pdf": ("failed", False),
        "jyj-2026.pdf": ("loaded", True),  # one table withheld: the rest of it loads
    }
    assert with_facts == {"ghzy-2024.pdf", "sfj-2026.pdf", "jyj-2026.pdf"}
    assert [i for i in issues if i[0] != "jyj-2026.pdf"] == [
        ("sww-2025.pdf", QUARANTINE_ISSUE.check_name, D("4000.00"), D("5000.00"))
    ]


def test_name_variants_of_one_department_share_its_id(built: Built) -> None:
    with connect(built.path) as con:
        departments = con.execute(
            "select department_name, name_variants from marts.dim_department order by 1"
        ).fetchall()
        ids = con.execute(
            "select count(distinct department_id) from marts.dim_document where file_name like 'ghzy%'"
        ).fetchone()[0]
    assert ids == 1
    assert (PLANNING, f"上海市普陀区 规划和自然资源局,{PLANNING}") in departments
    assert {name for name, _ in departments} == {PLANNING, JUSTICE, COMMERCE, EDUCATION}


def test_a_publisher_s_arithmetic_error_loads_as_printed_without_a_warning(built: Built) -> None:
    # The identities are the gate's, checked before load (tests/test_gate.py): dbt does not restate them, so
    # the justice budget's 类 204 ≠ Σ 款 passes the build with no warning, its figures in the marts as printed.
    assert built.outcome.success
    assert built.outcome.warned == []
    with connect(built.path) as con:
        printed = con.execute(
            "select subject_code, amount_yuan from marts.fct_function_amount where document_id = ? order by 1",
            [sha("sfj-2026")],
        ).fetchall()
    assert printed == [("204", D("1000.00")), ("20406", D("900.00"))]


def test_dbt_leaves_the_source_tree_clean(built: Built) -> None:
    assert not (DBT_PROJECT / "target").exists()
    assert not (DBT_PROJECT / "logs").exists()
    assert (built.work_dir / "target" / "partial_parse.msgpack").exists()  # the next build parses incrementally


def test_accuracy_is_perfect_for_the_same_facts_and_drops_for_a_wrong_amount(built: Built, tmp_path: Path) -> None:
    expected = write_expected(built.planning, tmp_path / "ghzy" / "expected")
    with connect(built.path) as con:
        perfect = accuracy.score(con, [expected])
        rewrite_amount(expected, code="2013101", measure="total", amount="1000001.00")
        one_wrong = accuracy.score_document(con, expected)
    assert (perfect.precision, perfect.recall, perfect.f1) == (1.0, 1.0, 1.0)
    assert perfect.documents[0].meta_mismatches == {}
    assert perfect.documents[0].counts.expected == 40  # 18 function + 3 economic + 7 summary + 12 三公
    assert one_wrong.f1 < 1.0
    assert one_wrong.counts.matched == one_wrong.counts.expected - 1
    assert [(w.fact_key[3], w.expected, w.actual) for w in one_wrong.wrong] == [
        ("2013101", D("1000001.00"), D("1000000.00"))
    ]
    assert one_wrong.missing == [] and one_wrong.unexpected == []


def test_reingesting_the_same_file_changes_nothing(built: Built) -> None:
    with connect(built.path) as con:
        before_raw, before_marts = raw_counts(con), mart_hashes(con)
        assert raw.known_documents(con)[built.planning.meta.document_id] == "1.0"
        assert load(con, built.planning, at=datetime(2026, 1, 1)) is False
        assert load(con, commerce_quarantined(), "quarantined", issues=[QUARANTINE_ISSUE]) is False
    outcome = build_warehouse(built.path, work_dir=built.work_dir)
    with connect(built.path) as con:
        after_raw, after_marts = raw_counts(con), mart_hashes(con)
        in_chinese = con.execute("select count(*) from marts_zh.fct_function_amount").fetchone()
        in_marts = con.execute("select count(*) from marts.fct_function_amount").fetchone()
    assert outcome.success, outcome
    assert after_raw == before_raw
    assert after_marts == before_marts
    # The same project: its seeds, their tests and the staging views were left as the first build made them
    # (warehouse/dbt.py BUILT_PROJECT), and the marts_zh views, kept, answer the rebuilt marts.
    ran = {node.unique_id.split(".")[0] for node in outcome.nodes}
    assert ran == {"model", "test", "operation"}, ran
    assert not [node for node in outcome.nodes if node.unique_id.startswith("model.caijue.stg_")]
    assert outcome.nodes_run < built.outcome.nodes_run
    assert in_chinese == in_marts and in_marts[0] > 0


def test_a_new_extractor_version_replaces_the_rows_and_keeps_ingested_at(tmp_path: Path) -> None:
    doc = planning_final()
    first = datetime(2025, 10, 1, 9, 0)
    with connect(tmp_path / "w.duckdb") as con:
        load(con, doc, version="1.0", at=first)
        fewer = replace(doc, facts=doc.facts[:3])
        assert load(con, fewer, version="1.1", at=datetime(2026, 1, 1)) is True
        facts = con.execute("select count(*) from raw.facts").fetchone()[0]
        version, ingested_at = con.execute("select extractor_version, ingested_at from raw.documents").fetchone()
        assert raw.known_documents(con) == {doc.meta.document_id: "1.1"}
    assert (facts, version, ingested_at) == (3, "1.1", first)


def test_a_failed_load_leaves_no_partial_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "w.duckdb"
    inserted: list[str] = []
    real_insert = raw._insert_frame

    def fail_on_issues(con: duckdb.DuckDBPyConnection, frame: raw._Frame) -> None:
        if frame.table == "quality_issues":
            raise RuntimeError("disk full")
        real_insert(con, frame)
        inserted.append(frame.table)

    monkeypatch.setattr(raw, "_insert_frame", fail_on_issues)
    with connect(path) as con:
        with pytest.raises(RuntimeError, match="disk full"):
            load(con, planning_final(), "quarantined", issues=[QUARANTINE_ISSUE])
        assert inserted == ["documents", "document_tables", "facts"]  # the failure came after rows were written
        assert raw_counts(con) == {"documents": 0, "document_tables": 0, "facts": 0, "quality_issues": 0}
        assert raw.known_documents(con) == {}


def test_every_amount_the_money_type_holds_loads_exactly(tmp_path: Path) -> None:
    # The load casts through a narrower decimal where it can (warehouse/raw.py `_money_of_text`): amounts on both
    # sides of its limit (10^16 yuan), up to the largest an amount may be, negative ones, and an issue's nulls.
    doc = planning_final()
    amounts = [D("0.00"), D("-0.01"), D("5"), D("9999999999999999.99"), D("10000000000000000.00"), LARGEST_YUAN]
    amounts += [-LARGEST_YUAN, D("-123456789012345678.90")]
    facts = [
        Fact("expenditure", "all", "function", f"2{n:02d}", "total", a, 9, "其他支出") for n, a in enumerate(amounts)
    ]
    issue = replace(QUARANTINE_ISSUE, expected=LARGEST_YUAN, actual=None)
    with connect(tmp_path / "w.duckdb") as con:
        load(con, replace(doc, facts=facts), "quarantined", issues=[issue])
        loaded = [a for (a,) in con.execute("select amount_yuan from raw.facts order by key").fetchall()]
        expected, actual = con.execute("select expected, actual from raw.quality_issues").fetchone()
    assert loaded == amounts
    assert (expected, actual) == (LARGEST_YUAN, None)


def test_an_amount_the_database_refuses_rolls_back_the_document(tmp_path: Path) -> None:
    doc = planning_final()
    too_big = Fact("expenditure", "all", "function", "229", "total", D("1" + "0" * 20), 9, "其他支出")
    with connect(tmp_path / "w.duckdb") as con:
        load(con, justice_budget_with_publisher_error())
        before = raw_counts(con)
        with pytest.raises(duckdb.Error):
            load(con, replace(doc, facts=[*doc.facts, too_big]))
        assert raw_counts(con) == before


# --- withheld tables, whose error an issue is, upgrading an older warehouse -----------------------------


def test_a_withheld_table_s_facts_stay_in_raw_and_out_of_every_mart(built: Built) -> None:
    document_id = built.education.meta.document_id
    with connect(built.path) as con:
        in_raw = con.execute(
            "select table_kind, count(*) from raw.facts where document_id = ? group by 1 order by 1", [document_id]
        ).fetchall()
        reasons = con.execute(
            "select table_kind, withheld_reason from raw.document_tables where document_id = ? order by 1",
            [document_id],
        ).fetchall()
        in_marts = {
            table: con.execute(
                f"select table_kind, count(*) from {table} where document_id = ? group by 1 order by 1",
                [document_id],
            ).fetchall()
            for table in ALL_FACT_TABLES
        }
    assert in_raw == [("gpb_expenditure", 3), ("three_public", 4)]
    assert reasons == [("gpb_expenditure", WITHHELD["gpb_expenditure"]), ("three_public", None)]
    assert in_marts == {
        "marts.fct_function_amount": [],
        "marts.fct_economic_amount": [],
        "marts.fct_summary_line": [],
        "marts.fct_three_public": [("three_public", 4)],
        "intermediate.int_table_totals": [],
    }


def test_dim_document_names_the_withheld_tables_and_the_kind_of_file(built: Built) -> None:
    with connect(built.path) as con:
        rows = con.execute(
            "select file_name, status, is_current, withheld_tables, withheld_table_count, file_kind"
            " from marts.dim_document order by file_name"
        ).fetchall()
    education = [r for r in rows if r[0] == "jyj-2026.pdf"]
    others = {r[3:] for r in rows if r[0] != "jyj-2026.pdf"}
    assert education == [("jyj-2026.pdf", "loaded", True, "gpb_expenditure", 1, "budget")]
    assert others == {(None, 0, None)}  # nothing withheld; the kind of file not told (None in the document)


def test_the_marts_carry_every_gated_fact_and_none_of_a_withheld_table(built: Built) -> None:
    # tests/marts_carry_the_gated_facts.sql: each fact of a current document's unwithheld table is one mart row
    # with its amount; the withheld table's 205 (7000.00, its glyphs read 1000.00) is in raw only.
    statuses = {n.unique_id.split(".")[2]: n.status for n in built.outcome.nodes if n.unique_id.startswith("test.")}
    assert statuses["marts_carry_the_gated_facts"] == "pass"
    assert statuses["marts_exclude_withheld_tables"] == "pass"


def test_quality_issues_say_whose_error_they_are_and_on_what_evidence(built: Built) -> None:
    with connect(built.path) as con:
        rows = con.execute(
            "select check_name, severity, table_kind, page, attributed_to, evidence, printed"
            " from marts.fct_quality_issue where document_id = ? order by check_name",
            [built.education.meta.document_id],
        ).fetchall()
    assert rows == [
        (p.check_name, p.severity, p.table_kind, p.page, p.attributed_to, p.evidence, p.printed)
        for p in sorted([DISPUTED_205, NARRATIVE_THREE_PUBLIC, UNPLACED_LINE], key=lambda p: p.check_name)
    ]


def test_the_build_fails_if_a_withheld_table_s_fact_reaches_a_mart(built: Built, tmp_path: Path) -> None:
    path = tmp_path / "tampered.duckdb"  # a copy under another name builds like the original
    shutil.copyfile(built.path, path)
    with connect(path) as con:
        con.execute(
            "insert into marts.fct_function_amount (document_id, table_kind, fund_scope, subject_code, measure,"
            " amount_yuan) select document_id, table_kind, fund_scope, key, measure, amount_yuan from raw.facts"
            " where document_id = ? and table_kind = 'gpb_expenditure' and key = '205'",
            [built.education.meta.document_id],
        )
    outcome = build_warehouse(path, select="marts_exclude_withheld_tables", work_dir=tmp_path / "dbt")
    assert not outcome.success
    assert [(n.unique_id.split(".")[2], n.failures) for n in outcome.failed] == [("marts_exclude_withheld_tables", 1)]


def test_a_model_s_column_checks_catch_each_kind_of_bad_row_and_name_the_check(built: Built, tmp_path: Path) -> None:
    # tests/generic/column_checks.sql: one test per model for its not_null, key, accepted-values, relationship and
    # reconciliation checks; each planted row fails its check, and the outcome names the failed checks. Cost: a dbt
    # test of 4 nodes.
    path = tmp_path / "planted.duckdb"
    shutil.copyfile(built.path, path)
    with connect(path) as con:
        first = "rowid = (select min(rowid) from marts.fct_three_public where item = 'total')"
        con.execute(f"insert into marts.fct_three_public select * from marts.fct_three_public where {first}")
        con.execute(f"update marts.fct_three_public set fiscal_year = null where {first}")
        con.execute(
            "update marts.fct_three_public set item = 'bogus'"
            " where rowid = (select min(rowid) from marts.fct_three_public where item <> 'total')"
        )
        con.execute("update marts.fct_quality_issue set value_kind = 'bogus' where rowid = 0")
        # A mart's total off by 1 元 from the facts it sums, in one year and item; a 类 without its name.
        trend = con.execute(
            "select fiscal_year, item from marts.mart_three_public_trend where actual_yuan is not null limit 1"
        ).fetchone()
        con.execute(
            "update marts.mart_three_public_trend set actual_yuan = actual_yuan + 1"
            " where rowid = (select min(rowid) from marts.mart_three_public_trend where fiscal_year = ? and item = ?"
            " and actual_yuan is not null)",
            list(trend),
        )
        con.execute(
            "update marts.dim_function_subject set class_name = null"
            " where rowid = (select min(rowid) from marts.dim_function_subject where subject_level is not null)"
        )
    checks = "column_checks_fct_three_public column_checks_fct_quality_issue"
    checks += " column_checks_mart_three_public_trend column_checks_dim_function_subject"
    outcome = build_warehouse(path, select=checks, command="test", work_dir=tmp_path / "dbt")
    assert not outcome.success
    assert {n.unique_id.split(".")[2]: n.failed_checks for n in outcome.failed} == {
        "column_checks_fct_three_public": (
            "not_null: fiscal_year (1 failing)",
            "relationships: item → three_public_items.item (1 failing)",
            "unique: document_id, table_kind, item, measure (1 failing)",
        ),
        "column_checks_fct_quality_issue": ("accepted_values: value_kind (1 failing)",),
        "column_checks_mart_three_public_trend": (
            "sums_reconcile: actual_yuan = fct_three_public.amount_yuan by fiscal_year, item (1 failing)",
        ),
        "column_checks_dim_function_subject": ("not_null: class_name where subject_level is not null (1 failing)",),
    }
    [three_public] = [n for n in outcome.failed if n.unique_id.split(".")[2] == "column_checks_fct_three_public"]
    assert "(failed checks: not_null: fiscal_year (1 failing); relationships: item" in three_public.message


def test_the_report_lists_withheld_tables_and_whose_each_issue_is(built: Built, tmp_path: Path) -> None:
    [page] = write_reports(built.path, EDUCATION, tmp_path)
    text = page.read_text(encoding="utf-8")
    assert "- 入库状态：已入库（其中 1 张报表暂缓入库，见下）" in text
    assert "- 文件类型：部门预算" in text
    assert f"| 一般公共预算支出功能分类预算表 | 9 | {WITHHELD['gpb_expenditure']} |" in text
    assert (
        "| 9 | 一般公共预算支出功能分类预算表 | 205 | 1,000.00 元 | 7,000.00 元 |"
        f" {DISPUTED_205.message} | 我方读取（待核实） | {DISPUTED_205.evidence} |"
    ) in text
    assert (
        f"| 3 | “三公”经费和机关运行经费预算表 |  | 5.00 万元 | 6.00 万元 | {NARRATIVE_THREE_PUBLIC.message}"
        f" | 发布方（按所印数字） | {NARRATIVE_THREE_PUBLIC.evidence} |"
    ) in text
    assert f"{UNPLACED_LINE.message}（原文：“其中：会议费”） | — | — |" in text


def test_the_dbt_vocabularies_are_the_model_s(built: Built) -> None:
    files = [DBT_PROJECT / "models" / layer / "_models.yml" for layer in ("marts", "intermediate")]
    models = [model for file in files for model in yaml.safe_load(file.read_text(encoding="utf-8"))["models"]]

    checks = {
        m["name"]: t["column_checks"]["arguments"]
        for m in models
        for t in m.get("data_tests", [])
        if isinstance(t, dict) and "column_checks" in t
    }

    def accepted(model: str, column: str) -> list[str]:
        return checks[model]["accepted_values"][column]

    def seed(model: str, column: str) -> str:
        [to] = [r["to"] for r in checks[model]["relationships"] if r["column"] == column]
        return to

    assert accepted("dim_document", "file_kind") == list(get_args(FileKind))
    assert accepted("fct_quality_issue", "attributed_to") == list(get_args(Attribution))
    # The contract's measures, summary lines and table kinds are the vocabulary seeds the gate reads, in every
    # mart that carries them (tests/test_vocabulary.py: the seeds are the specs' words).
    for model in ("fct_function_amount", "fct_economic_amount", "int_table_totals"):
        assert seed(model, "measure") == "ref('measures')", model
    assert seed("fct_summary_line", "line_key") == "ref('summary_line_keys')"
    for model in (
        "fct_function_amount",
        "fct_economic_amount",
        "fct_summary_line",
        "fct_three_public",
        "int_table_totals",
    ):
        assert seed(model, "table_kind") == "ref('table_kinds')", model


# The raw DDL before withheld tables, file kinds and attributions: what an existing warehouse has.
OLD_DDL = (
    "create schema raw",
    """create table raw.documents (document_id varchar primary key, file_name varchar not null, file_path varchar,
        department_name varchar, fiscal_year integer, report_kind varchar, report_level varchar, region varchar,
        page_count integer, status varchar not null check (status in ('loaded', 'quarantined', 'failed')),
        status_reason varchar, extractor_version varchar not null, ingested_at timestamp not null)""",
    """create table raw.document_tables (document_id varchar not null, table_kind varchar not null, title varchar,
        first_page integer, last_page integer, unit varchar, is_empty boolean)""",
    """create table raw.facts (document_id varchar not null, table_kind varchar not null, fund_scope varchar not null,
        fact_kind varchar not null, key varchar not null, measure varchar not null,
        amount_yuan decimal(20,2) not null, page integer, row_label varchar)""",
    """create table raw.quality_issues (document_id varchar not null, check_name varchar not null,
        severity varchar not null, table_kind varchar, page integer, subject_code varchar, expected decimal(20,2),
        actual decimal(20,2), message varchar)""",
)


def raw_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute(
        "select table_name, column_name, data_type from information_schema.columns where table_schema = 'raw'"
        " order by table_name, ordinal_position"
    ).fetchall()
    columns: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        columns.setdefault(table, []).append((column, data_type))
    return columns


def test_an_old_warehouse_is_upgraded_in_place_and_loads(tmp_path: Path) -> None:
    old, fresh = tmp_path / "old.duckdb", tmp_path / "fresh.duckdb"
    justice = justice_budget_with_publisher_error()
    with connect(old) as con:
        for statement in OLD_DDL:
            con.execute(statement)
        con.execute(
            "insert into raw.documents values (?, 'sfj-2026.pdf', '/corpus/sfj-2026.pdf', ?, 2026, 'budget',"
            " 'department', ?, 23, 'loaded', null, '0.9', '2025-01-01')",
            [justice.meta.document_id, JUSTICE, PUTUO],
        )
        con.execute(
            "insert into raw.document_tables values (?, 'gpb_expenditure', ?, 9, 9, '元', false)",
            [justice.meta.document_id, justice.tables[0].title],
        )
        con.executemany(
            "insert into raw.facts values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[justice.meta.document_id, *f.identity, f.amount_yuan, f.page, f.row_label] for f in justice.facts],
        )
        con.execute(
            "insert into raw.quality_issues values (?, 'hierarchy.function_class', 'warning', 'gpb_expenditure',"
            " 9, '204', 900.00, 1000.00, 'printed by the publisher')",
            [justice.meta.document_id],
        )
        assert raw.known_documents(con) == {justice.meta.document_id: "0.9"}
        assert load(con, education_budget_with_a_withheld_table(), issues=[DISPUTED_205], withheld=WITHHELD)
        raw.ensure_schema(con)  # again: nothing left to add
        upgraded = raw_columns(con)
    with connect(fresh) as con:
        raw.ensure_schema(con)
        assert raw_columns(con) == upgraded, "an upgraded warehouse has a new one's columns, in the same order"

    outcome = build_warehouse(old, work_dir=tmp_path / "dbt")
    assert outcome.success, outcome
    with connect(old) as con:
        documents = con.execute(
            "select file_name, status, file_kind, withheld_tables from marts.dim_document order by 1"
        ).fetchall()
        issues = con.execute(
            "select check_name, attributed_to, evidence from marts.fct_quality_issue order by 1"
        ).fetchall()
        tables = con.execute("select distinct table_kind from marts.fct_function_amount").fetchall()
    assert documents == [
        ("jyj-2026.pdf", "loaded", "budget", "gpb_expenditure"),
        ("sfj-2026.pdf", "loaded", None, None),  # loaded by an earlier version: nothing withheld
    ]
    assert issues == [
        ("hierarchy.function_class", None, None),
        (DISPUTED_205.check_name, "extraction", DISPUTED_205.evidence),
        (UNPLACED_LINE.check_name, None, None),
    ]
    assert tables == [("gpb_expenditure",)]  # the justice budget's; the education budget's is withheld


def test_a_withheld_kind_with_no_located_table_still_withholds_its_facts(tmp_path: Path) -> None:
    doc = education_budget_with_a_withheld_table()
    located = replace(doc, tables=[t for t in doc.tables if t.table_kind != "gpb_expenditure"])
    with connect(tmp_path / "w.duckdb") as con:
        load(con, located, withheld={"gpb_expenditure": "  "})
        rows = con.execute(
            "select table_kind, title, first_page, unit, withheld_reason from raw.document_tables order by 1"
        ).fetchall()
    assert rows == [
        ("gpb_expenditure", None, None, None, raw.UNSTATED_REASON),
        ("three_public", "“三公”经费和机关运行经费预算表", 12, "元", None),
    ]


def test_an_unknown_attribution_is_refused(tmp_path: Path) -> None:
    wrong = replace(NARRATIVE_THREE_PUBLIC, attributed_to="printer")
    with connect(tmp_path / "w.duckdb") as con, pytest.raises(ValueError, match="attributed_to"):
        load(con, education_budget_with_a_withheld_table(), issues=[wrong])


def write_expected(doc: ExtractedDocument, folder: Path) -> Path:
    """An expected/ folder in the corpus's format, written from the document's own facts."""
    write_expected_folder(folder, expected_of_document(doc))
    return folder


def rewrite_amount(folder: Path, *, code: str, measure: str, amount: str) -> None:
    """The amount of the function facts of `code` and `measure` in an expected/ folder, changed."""
    expected = read_expected_folder(folder)
    expected.rows = [
        replace(row, amount_yuan=Decimal(amount))
        if (row.file, row.key, row.measure) == ("function", code, measure)
        else row
        for row in expected.rows
    ]
    write_expected_folder(folder, expected)


def test_an_incremental_build_makes_the_marts_a_full_build_makes(built: Built, tmp_path: Path) -> None:
    """The fact models are incremental (dbt_project/macros/rebuilt_documents.sql): a build of the same project
    rebuilds the rows of the documents that changed. After a document is added (the quarantined one re-read under a
    new extractor version, loaded, with a fact more), the current copy of a report is quarantined (its earlier copy
    is current again) and one moves to another department, the marts and the intermediate tables are those a full
    build of the same rows makes (but the build's stamp), and the education budget's rows, unchanged, were kept.
    Cost: two dbt builds of this small warehouse (~10-30 s)."""
    incremental, full = tmp_path / "incremental.duckdb", tmp_path / "full.duckdb"
    shutil.copyfile(built.path, incremental)
    commerce = commerce_quarantined()
    commerce = replace(commerce, facts=[*commerce.facts, fn("expenditure", "all", "20101", "total", D("5000.00"), "")])
    with connect(incremental) as con:
        assert load(con, commerce, version="2.0")
        con.execute(
            "update raw.documents set status = 'quarantined' where document_id = ?", [built.planning.meta.document_id]
        )
        con.execute(
            "update raw.documents set department_name = '上海市普陀区体育局' where document_id = ?",
            [justice_budget_with_publisher_error().meta.document_id],
        )
    outcome = build_warehouse(incremental, work_dir=tmp_path / "dbt")
    assert outcome.success
    shutil.copyfile(incremental, full)
    with connect(full) as con:
        con.execute("drop table raw.dbt_built_project")  # a warehouse with no record is built whole
    full_outcome = build_warehouse(full, work_dir=tmp_path / "dbt")
    assert full_outcome.success

    # What the mart checks then read of the fact marts: the documents each build remade (flows/ingest.py).
    remade = {commerce.meta.document_id, built.planning_old.meta.document_id}  # loaded; current again
    remade.add(justice_budget_with_publisher_error().meta.document_id)  # moved to another department
    assert rebuilt_documents(incremental, outcome.invocation_id) == remade
    with connect(full) as con:
        facts = " union ".join(
            f"select document_id from marts.{m}"
            for m in ("fct_function_amount", "fct_economic_amount", "fct_summary_line", "fct_three_public")
        )
        every = {d for (d,) in con.execute(facts).fetchall()}
    assert rebuilt_documents(full, full_outcome.invocation_id) == every > remade

    stamps = "select count(distinct dbt_invocation_id) from intermediate.int_current_facts"
    with connect(incremental) as con:
        built_incrementally = mart_hashes(con), mart_hashes(con, "intermediate")
        assert con.execute(stamps).fetchone() == (2,), "the unchanged documents' rows are the earlier build's"
        current = {
            name for (name,) in con.execute("select file_name from marts.dim_document where is_current").fetchall()
        }
    with connect(full) as con:
        assert built_incrementally == (mart_hashes(con), mart_hashes(con, "intermediate"))
        assert con.execute(stamps).fetchone() == (1,)
    assert {"sww-2025.pdf", "ghzy-2024-v0.pdf"} <= current and "ghzy-2024.pdf" not in current


def relations(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, str, tuple[tuple[str, str], ...]]]:
    """Every table and view dbt makes: its rows (counted and hashed, but the build's stamp) and its comments."""
    made = {}
    for schema, name, kind in con.execute(
        "select table_schema, table_name, table_type from information_schema.tables"
        " where table_schema in ('staging', 'intermediate', 'marts', 'marts_zh') order by 1, 2"
    ).fetchall():
        count, digest = rows_digest(con, schema, name)
        comments = con.execute(
            "select column_name, comment from duckdb_columns() where schema_name = ? and table_name = ?"
            " union all select '', comment from duckdb_tables() where schema_name = ? and table_name = ?"
            " union all select '', comment from duckdb_views() where schema_name = ? and view_name = ?"
            " order by 1, 2",
            [schema, name] * 3,
        ).fetchall()
        made[f"{schema}.{name} ({kind})"] = (count, digest, tuple((c, str(t)) for c, t in comments))
    return made


def test_a_first_build_from_the_projects_empty_warehouse_makes_what_a_build_from_nothing_makes(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warehouse not yet published starts from the project's empty warehouse (warehouse/dbt.py, kept in the user's
    cache): its seeds, views and models of seeds alone made and recorded, its marts empty. Its first build then
    leaves those out and makes every relation, rows and comments, as the `built` warehouse's build from nothing did.
    Cost: the empty warehouse's build (a whole build, ~10 s) and one build of the small warehouse."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    empty = make_empty_warehouse()
    assert empty is not None and empty == empty_warehouse() and empty.parent.is_relative_to(tmp_path / "cache")
    assert [p.name for p in empty.parent.iterdir()] == [empty.name], "the builder's copy and dbt folder are gone"
    with connect(empty) as con:
        assert con.execute("select count(*) from raw.documents").fetchone() == (0,)
        assert con.execute("select count(*) from marts.fct_function_amount").fetchone() == (0,)
        assert con.execute("select count(*) from staging.function_subjects").fetchone()[0] > 0  # a seed
    assert make_empty_warehouse() == empty  # kept: not built again

    path = start_working_copy(tmp_path / "new" / "warehouse.duckdb", empty=empty)
    load_the_corpus(path, built.planning, built.planning_old, built.education)
    outcome = build_warehouse(path, work_dir=tmp_path / "dbt")
    assert outcome.success, outcome
    assert outcome.nodes_run < built.outcome.nodes_run - 40, "the seeds, views and models of seeds alone left out"
    with connect(path) as con, connect(built.path) as whole:
        assert relations(con) == relations(whole)


def test_only_the_last_empty_warehouses_are_kept_and_no_dead_builders_leftovers(tmp_path: Path) -> None:
    folder = tmp_path / "empty-warehouse"
    folder.mkdir()
    for age in range(6):
        kept = folder / f"{age:032x}.duckdb"
        kept.touch()
        os.utime(kept, (1_000_000 - age, 1_000_000 - age))
    dead = 2**22 + 1  # above Linux's default pid_max: no such process
    mine, theirs = folder / f".building-{os.getpid()}", folder / f".building-{dead}"
    for building in (mine, theirs):  # a builder's copy, its WAL and dbt's work folder
        (building / "dbt").mkdir(parents=True)
        (building / f"{0:032x}.duckdb").touch()
        (building / f"{0:032x}.duckdb.wal").touch()
    dbt._forget_older_empty_warehouses(folder)
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == [
        f"{age:032x}.duckdb" for age in range(dbt.EMPTY_WAREHOUSES_KEPT)
    ]
    assert mine.exists() and not theirs.exists()


def test_a_warehouse_without_the_stamped_facts_names_no_rebuilt_documents(tmp_path: Path) -> None:
    """No int_current_facts (a build of another project): the documents remade are unknown, so the mart checks
    read every row (None), never none of them."""
    path = tmp_path / "w.duckdb"
    with connect(path) as con:
        raw.ensure_schema(con)
    assert rebuilt_documents(path, "an-invocation") is None


def test_an_issue_on_a_code_in_both_code_lists_is_one_row_named_from_its_own_list(built: Built, tmp_path: Path) -> None:
    """302 is an economic class (商品和服务支出); a document whose income table prints 302 as a function row puts it
    in the function list too. Its unknown-code issue is one row of fct_quality_issue (issue_id unique: a name looked
    up by the code alone gave it one row per list, and the build failed), named from the function list, which its
    table's fact is in. Found ingesting the wild corpora into one warehouse. Cost: one dbt build (~10-30 s)."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built.path, path)
    facts = [fn("income", "all", "302", "total", D("99478800.00"), "无锡市发展和改革委员会", page=12)]
    meta = DocumentMeta(
        sha("wuxi-fgw"), "wuxi-fgw.pdf", "无锡市发展和改革委员会", 2024, "budget", "department", "无锡市", 20
    )
    unknown = Problem(
        "classification.unknown_code",
        "warning",
        "income p12 function 302 total (amount 99478800.00 yuan): the code is not in the classification lists",
        table_kind="income",
        page=12,
        subject_code="302",
    )
    with connect(path) as con:
        assert load(con, ExtractedDocument(meta=meta, facts=facts), issues=[unknown])
    assert build_warehouse(path, work_dir=tmp_path / "dbt").success

    with connect(path) as con:
        rows = con.execute(
            "select subject_name from marts.fct_quality_issue where document_id = ? and subject_code = '302'",
            [meta.document_id],
        ).fetchall()
        economic = con.execute("select econ_name from marts.dim_economic_subject where econ_code = '302'").fetchall()
    assert rows == [("无锡市发展和改革委员会",)]
    assert economic == [("商品和服务支出",)]  # the code is in both lists

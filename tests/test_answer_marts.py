"""The answer marts on a bureau's years (the demo's district, its first departments): safe to sum,
reconciled with the document facts they come from, one level per department, budget against final."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml

from warehouse.dbt import DBT_PROJECT

DISTRICT = "乐山市金口河区"
DEPARTMENTS = 6  # the district's first six: 教育局 (the sixth) with its units among them
ANSWER_MARTS = ("mart_department_year", "mart_budget_execution", "mart_function_rollup", "mart_three_public_trend")
ONE_CENT_WAN = Decimal(100)  # yuan: 0.01 万元, a printed term's rounding


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Path:
    from flows.ingest import run_ingest
    from samples import generate_bureau_corpus

    corpus = tmp_path_factory.mktemp("bureau")
    generate_bureau_corpus(corpus, departments=DEPARTMENTS)
    path = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    summary = run_ingest([corpus], path, workers=2)
    assert summary.dbt_ok, summary.dbt_message
    return path


@pytest.fixture
def con(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        yield connection


def rows(con: duckdb.DuckDBPyConnection, sql: str, *params: object) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def test_every_reconciliation_test_ran_in_the_build_and_held(warehouse: Path) -> None:
    # Each answer mart's totals are reconciled with the facts they come from by its column_checks test (a
    # `sums_reconcile` check, tests/generic/column_checks.sql), and the rollup by function_rollup_leaves_equal_classes.
    # dbt writes no run_results.json (warehouse/dbt.py --no-write-json); its log has each node's result line
    # ("12 of 84 PASS column_checks_mart_… [PASS in 0.05s]"), the last build's after its last start line.
    models = yaml.safe_load((DBT_PROJECT / "models" / "marts" / "_models.yml").read_text(encoding="utf-8"))["models"]
    reconciled = {
        model["name"]
        for model in models
        for test in model.get("data_tests", [])
        if isinstance(test, dict) and test.get("column_checks", {}).get("arguments", {}).get("sums_reconcile")
    }
    assert reconciled >= set(ANSWER_MARTS)
    log = (warehouse.parent / ".dbt" / "logs" / "dbt.log").read_text(encoding="utf-8").split("Running with dbt=")[-1]
    lines = re.findall(r" \d+ of \d+ (PASS|FAIL \d+|WARN \d+|ERROR) (\S+) ", log)
    results = {name: status for status, name in lines}
    checks = [f"column_checks_{mart}" for mart in sorted(reconciled)] + ["function_rollup_leaves_equal_classes"]
    assert {check: results.get(check) for check in checks} == dict.fromkeys(checks, "PASS")


def test_a_sum_over_the_rollup_is_what_the_departments_print_as_their_classes(con: duckdb.DuckDBPyConnection) -> None:
    # Read from raw, not from the marts: the departments' consolidated expenditure tables' 类 rows (the region is
    # the department's: a document printing the department's short name prints its region short too).
    printed = dict(
        (tuple(key), (total, n))
        for *key, total, n in rows(
            con,
            """select d.fiscal_year, d.report_kind, sum(f.amount_yuan), count(*)
               from raw.facts f
               join marts.dim_document d using (document_id)
               join marts.dim_department p on p.department_id = d.department_id
               where d.is_current and d.report_level = 'department' and p.region = ?
                 and f.fact_kind = 'function' and f.table_kind = 'expenditure' and f.fund_scope = 'all'
                 and f.measure = 'total' and length(f.key) = 3
               group by all""",
            DISTRICT,
        )
    )
    rolled = dict(
        (tuple(key), total)
        for *key, total in rows(
            con,
            "select fiscal_year, report_kind, sum(amount_yuan) from marts.mart_function_rollup"
            " where region = ? group by all",
            DISTRICT,
        )
    )
    assert set(rolled) == set(printed) and len(rolled) == 6  # three years of budgets and final accounts
    for key, (total, classes) in printed.items():
        leaves = rows(
            con,
            "select count(*) from marts.mart_function_rollup where region = ? and fiscal_year = ? and report_kind = ?",
            DISTRICT,
            *key,
        )[0][0]
        assert abs(rolled[key] - total) <= ONE_CENT_WAN * (leaves + classes), key
    everything = rows(
        con,
        "select sum(amount_yuan) from marts.fct_function_amount f join marts.dim_document d using (document_id)"
        " where d.region = ? and f.fiscal_year = 2024 and f.report_kind = 'final'",
        DISTRICT,
    )[0][0]
    assert everything > 3 * rolled[(2024, "final")]  # why the fact mart is not for summing


def test_units_are_read_but_never_added_to_their_department(con: duckdb.DuckDBPyConnection) -> None:
    unit_documents = rows(con, "select count(*) from marts.dim_document where report_level = 'unit' and is_current")
    assert unit_documents[0][0] >= 6
    assert rows(con, "select count(*) from marts.fct_function_amount where report_level = 'unit'")[0][0] > 0
    levels = rows(
        con,
        "select distinct d.report_level"
        " from marts.mart_department_year m join marts.dim_document d using (document_id)",
    )
    assert levels == [("department",)]
    by_year = rows(
        con,
        """select m.fiscal_year, m.report_kind, m.total, r.total
           from (select fiscal_year, report_kind, sum(expenditure_yuan) total from marts.mart_department_year
                 where region = ? group by all) m
           join (select fiscal_year, report_kind, sum(amount_yuan) total from marts.mart_function_rollup
                 where region = ? group by all) r using (fiscal_year, report_kind)""",
        DISTRICT,
        DISTRICT,
    )
    assert len(by_year) == 6 and all(mart == rollup for _, _, mart, rollup in by_year)


def test_budget_execution_sets_the_year_s_budget_against_its_final_account(con: duckdb.DuckDBPyConnection) -> None:
    compared = rows(
        con,
        """select e.department_id, e.fiscal_year, e.subject_code, e.budget_yuan, e.final_yuan, e.difference_yuan,
                  e.execution_rate
           from marts.mart_budget_execution e where e.is_comparable and e.subject_level = '类'""",
    )
    assert len(compared) >= DEPARTMENTS * 3
    printed = {
        (department, year, kind, code): amount
        for department, year, kind, code, amount in rows(
            con,
            """select department_id, fiscal_year, report_kind, subject_code, amount_yuan from marts.fct_function_amount
               where report_level = 'department' and table_kind = 'expenditure' and fund_scope = 'all'
                 and measure = 'total' and subject_level = '类'""",
        )
    }
    for department, year, code, budget, final, difference, rate in compared:
        assert budget == printed.get((department, year, "budget", code), 0)
        assert final == printed.get((department, year, "final", code), 0)
        assert difference == final - budget
        if budget:
            assert abs(rate - final / budget) < Decimal("0.0001")


def test_a_year_without_its_budget_document_is_not_compared_and_says_why(con: duckdb.DuckDBPyConnection) -> None:
    reasons = rows(
        con, "select distinct not_comparable_reason from marts.mart_budget_execution where not is_comparable"
    )
    assert all(reason for (reason,) in reasons)
    assert (
        rows(
            con,
            "select count(*) from marts.mart_budget_execution where not is_comparable and difference_yuan is not null",
        )[0][0]
        == 0
    )


def test_spending_changes_on_the_year_before(con: duckdb.DuckDBPyConnection) -> None:
    for department, kind, year, spent, previous, change in rows(
        con,
        """select department_id, report_kind, fiscal_year, expenditure_yuan, previous_expenditure_yuan,
                  expenditure_change_yuan
           from marts.mart_department_year""",
    ):
        before = rows(
            con,
            "select expenditure_yuan from marts.mart_department_year where department_id = ? and report_kind = ?"
            " and fiscal_year = ?",
            department,
            kind,
            year - 1,
        )
        assert previous == (before[0][0] if before else None)
        assert change == (spent - previous if previous is not None else None)


def test_personnel_and_public_use_add_up_to_the_basic_expenditure_they_split(
    con: duckdb.DuckDBPyConnection,
) -> None:
    split = rows(
        con,
        """select m.personnel_yuan + m.public_use_yuan, t.amount_yuan
           from marts.mart_department_year m
           join intermediate.int_table_totals t using (document_id)
           where t.table_kind = 'gpb_basic_economic' and t.total_key = 'table_total' and t.measure = 'total'""",
    )
    assert split and all(abs(parts - total) <= 20 * ONE_CENT_WAN for parts, total in split)


def test_each_issue_names_its_department_year_table_and_page(con: duckdb.DuckDBPyConnection) -> None:
    issues = rows(
        con,
        """select issue_id, department_name, fiscal_year, report_kind, table_title, table_page, page, value_kind,
                  expected, expected_value
           from marts.fct_quality_issue where attributed_to = 'publisher'""",
    )
    assert issues
    assert len({issue[0] for issue in issues}) == len(issues)
    for _, department, year, kind, _, _, page, value_kind, expected, expected_value in issues:
        assert department and year and kind and page
        if value_kind == "money":
            assert expected_value == f"{expected} 元"
        elif value_kind is not None:
            assert expected is None and expected_value

"""The quality gate, in the words of the documents: what adds up, what does not, and whose fault it is.

The documents here are built by hand: a few facts each, the figures a department would print.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from expectations import Gate, GateResult, identity_checks
from extract.model import CENT, DocumentMeta, ExtractedDocument, Fact, Problem, TableRead
from tests.shared_data import REAL as REAL_CORPUS
from warehouse.accuracy import read_expected_folder

DOC_ID = "ab" * 32


@pytest.fixture(scope="module")
def gate() -> Gate:
    return Gate()


# --- building documents ---------------------------------------------------------------------------


def wan(text: str) -> Decimal:
    """An amount printed in 万元, as yuan."""
    return (Decimal(text) * 10000).quantize(CENT)


def yuan(text: str) -> Decimal:
    return Decimal(text).quantize(CENT)


def fn(table: str, code: str, amount: Decimal, measure: str = "total", page: int = 7, scope: str = "all") -> Fact:
    return Fact(table, scope, "function", code, measure, amount, page)


def total_row(table: str, amount: Decimal, measure: str = "total", page: int = 7, scope: str = "all") -> Fact:
    return Fact(table, scope, "table_total", "table_total", measure, amount, page)


def line(table: str, key: str, amount: Decimal, page: int = 5, scope: str = "all") -> Fact:
    return Fact(table, scope, "summary", key, "amount", amount, page)


def three_public(item: str, amount: Decimal, measure: str = "budget", page: int = 12) -> Fact:
    return Fact("three_public", "fiscal", "three_public", item, measure, amount, page)


def document(
    facts: Iterable[Fact], units: dict[str, str] | None = None, problems: Iterable[Problem] = ()
) -> ExtractedDocument:
    """A few tables of a document (those of its facts), in 万元 unless told otherwise. Its report kind is
    left unknown: a document of a few tables is not checked for the tables a whole report must print."""
    facts = list(facts)
    units = units or {}
    kinds = dict.fromkeys(f.table_kind for f in facts)
    tables = [TableRead(k, k, 1, 30, units.get(k, "万元"), False) for k in kinds]  # type: ignore[arg-type]
    meta = DocumentMeta(DOC_ID, "test.pdf", "测试局", 2024, None, "department", "测试区", 30)
    return ExtractedDocument(meta=meta, tables=tables, facts=facts, problems=list(problems))


def expenditure_class_201(class_total: str, unit: str = "万元", page: int = 7) -> ExtractedDocument:
    """支出决算表: 类 201 over two 款 rows printed 60.00 and 40.00."""
    amount = wan if unit == "万元" else yuan
    return document(
        [
            fn("expenditure", "201", amount(class_total), page=page),
            fn("expenditure", "20101", amount("60.00"), page=page),
            fn("expenditure", "20102", amount("40.00"), page=page),
        ],
        units={"expenditure": unit},
    )


def failed(result: GateResult, check_name: str) -> list[Problem]:
    return [p for p in result.issues if p.check_name == check_name]


# --- hierarchy ------------------------------------------------------------------------------------


def test_a_gate_leaves_no_folder_in_the_temporary_folder_between_its_checkpoint_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Checkpoint run makes its frames' folder and removes it: a process killed between runs (an idle reading
    child, serve's warm process stopped with serve) leaves nothing in the temporary folder."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gate = Gate()
    assert gate.check(expenditure_class_201("100.00")).status == "loaded"
    assert list(tmp_path.iterdir()) == []


def test_expenditure_class_rows_equal_the_sum_of_their_section_rows(gate: Gate) -> None:
    doc = document(
        [
            fn("expenditure", "201", wan("100.00")),
            fn("expenditure", "201", wan("70.00"), "basic"),
            fn("expenditure", "201", wan("30.00"), "project"),
            fn("expenditure", "20101", wan("60.00")),
            fn("expenditure", "20101", wan("60.00"), "basic"),
            fn("expenditure", "20102", wan("40.00")),
            fn("expenditure", "20102", wan("10.00"), "basic"),
            fn("expenditure", "20102", wan("30.00"), "project"),
            fn("expenditure", "2010101", wan("60.00")),
            fn("expenditure", "2010101", wan("60.00"), "basic"),
            total_row("expenditure", wan("100.00")),
            total_row("expenditure", wan("70.00"), "basic"),
            total_row("expenditure", wan("30.00"), "project"),
        ]
    )
    result = gate.check(doc)
    assert result.status == "loaded"
    assert result.issues == []
    checks = result.identity_checks
    assert set(checks["check_name"]) >= {
        "hierarchy.function_class",
        "hierarchy.function_section",
        "hierarchy.table_total",
        "column.expenditure_split",
    }
    assert checks["holds"].all()  # as GX found: each stated total within tolerance of the sum of its parts


def test_a_class_row_off_by_two_hundredths_of_a_wan_over_two_sections_is_rounding(gate: Gate) -> None:
    result = gate.check(expenditure_class_201("100.02"))
    assert result.status == "loaded"
    assert result.issues == []
    (check,) = result.identity_checks.itertuples()
    assert (check.expected, check.actual) == (wan("100.00"), wan("100.02"))
    assert check.n_terms == 2
    assert check.tolerance_yuan == Decimal("200.00")  # 0.01 万元 per printed term


def test_a_class_row_off_by_one_wan_is_the_publishers_with_page_and_figures(gate: Gate) -> None:
    # No evidence of a misreading: the figure is loaded, with the publisher's issue beside it.
    result = gate.check(expenditure_class_201("101.00", page=9))
    assert result.status == "loaded" and result.withheld == {}
    (problem,) = result.issues
    assert problem.check_name == "hierarchy.function_class"
    assert (problem.severity, problem.attributed_to) == ("warning", "publisher")
    assert (problem.table_kind, problem.page, problem.subject_code) == ("expenditure", 9, "201")
    assert (problem.expected, problem.actual) == (wan("100.00"), wan("101.00"))
    assert "100.00" in problem.message and "101.00" in problem.message and "万元" in problem.message
    assert problem.evidence


def test_a_rounding_slip_just_beyond_the_tolerance_is_the_publishers(gate: Gate) -> None:
    result = gate.check(expenditure_class_201("100.03"))
    (problem,) = result.issues
    assert problem.severity == "warning"
    assert result.status == "loaded"


def test_yuan_tables_allow_one_cent_per_term(gate: Gate) -> None:
    within = gate.check(expenditure_class_201("100.02", unit="元"))
    assert within.issues == []
    assert within.identity_checks["tolerance_yuan"].tolist() == [Decimal("0.02")]

    beyond = gate.check(expenditure_class_201("101.00", unit="元"))
    (problem,) = beyond.issues
    assert (problem.expected, problem.actual) == (Decimal("100.00"), Decimal("101.00"))
    assert (beyond.status, problem.attributed_to) == ("loaded", "publisher")
    assert "元" in problem.message


def test_a_class_row_with_no_section_rows_printed_is_not_checked(gate: Gate) -> None:
    doc = document([fn("expenditure", "201", wan("100.00")), fn("expenditure", "208", wan("5.00"))])
    result = gate.check(doc)
    assert result.identity_checks.empty
    assert result.status == "loaded"


def test_section_rows_printed_without_their_class_row_are_not_added_up_to_a_zero(gate: Gate) -> None:
    doc = document(
        [
            fn("expenditure", "201", wan("100.00")),
            fn("expenditure", "20101", wan("100.00")),
            fn("expenditure", "20801", wan("5.00")),  # its 类 208 is not printed: a table of leaf rows
        ]
    )
    result = gate.check(doc)
    assert result.issues == [] and result.status == "loaded"
    assert set(result.identity_checks["subject_code"]) == {"201"}


def test_a_total_that_leaves_out_exactly_one_printed_line_is_the_publishers(gate: Gate) -> None:
    doc = document(
        [
            fn("expenditure", "201", wan("60.00")),
            fn("expenditure", "20101", wan("60.00")),
            fn("expenditure", "20102", wan("40.00")),
        ]
    )
    (problem,) = gate.check(doc).issues
    assert (problem.severity, problem.attributed_to) == ("warning", "publisher")
    assert "leaves out one line (20102" in (problem.evidence or "")


def test_many_publisher_slips_are_summarised_and_do_not_quarantine(gate: Gate) -> None:
    facts = []
    for n in range(25):
        code = str(201 + n)
        facts += [
            fn("expenditure", code, wan("60.00")),
            fn("expenditure", f"{code}01", wan("60.00")),
            fn("expenditure", f"{code}02", wan("40.00")),
        ]
    result = gate.check(document(facts))
    assert result.status == "loaded"
    slips = [p for p in result.issues if p.check_name.startswith("hierarchy")]
    assert len(slips) == 21  # 20 shown, then "and 5 more rows"
    assert {p.severity for p in slips} == {"warning"}
    assert "and 5 more rows" in slips[-1].message


def test_a_figure_whose_two_readings_disagree_withholds_its_table_and_the_rest_loads(gate: Gate) -> None:
    # PDFium reads 类 201 as 100.00 where pdfplumber read 101.00: the expenditure table is in doubt.
    doc = expenditure_class_201("101.00", page=9)
    doc.facts.append(fn("gpb_expenditure", "201", wan("100.00"), scope="general_public_budget", page=11))
    doc.tables.append(TableRead("gpb_expenditure", "一般公共预算支出表", 11, 11, "万元", False))
    cell = ("expenditure", "all", "function", "201", "total")
    doc.disputed = {cell: "page 9, cell at x 300–360, y 200–216: pdfplumber reads 1010000.00, PDFium reads '100.00'"}
    doc.problems.append(
        Problem(
            "reading.disputed",
            "error",
            doc.disputed[cell],
            table_kind="expenditure",
            page=9,
            subject_code="201",
            attributed_to="extraction",
            evidence=doc.disputed[cell],
        )
    )
    result = gate.check(doc)
    assert result.status == "loaded"
    assert set(result.withheld) == {"expenditure"} and "reading.disputed p9" in result.withheld["expenditure"]
    assert "withheld" in (result.reason or "")
    (problem,) = failed(result, "hierarchy.function_class")
    assert (problem.severity, problem.attributed_to) == ("error", "extraction")
    assert "PDFium reads '100.00'" in (problem.evidence or "")


def test_rows_that_each_add_up_but_exceed_their_class_are_the_publishers(gate: Gate) -> None:
    doc = document(
        [
            fn("expenditure", "201", wan("90.00")),
            fn("expenditure", "201", wan("55.00"), "basic"),
            fn("expenditure", "201", wan("35.00"), "project"),
            fn("expenditure", "20101", wan("60.00")),
            fn("expenditure", "20101", wan("60.00"), "basic"),
            fn("expenditure", "20102", wan("35.00")),
            fn("expenditure", "20102", wan("35.00"), "project"),
        ]
    )
    result = gate.check(doc)
    assert result.status == "loaded"
    assert {(p.subject_code, p.severity, p.attributed_to) for p in result.issues} == {("201", "warning", "publisher")}


def test_a_table_whose_structure_is_in_doubt_is_withheld_and_its_failures_are_ours(gate: Gate) -> None:
    # An amount column holds words on page 7: the table's reading is in doubt, whatever else adds up.
    doc = expenditure_class_201("101.00")
    doc.facts.append(fn("income", "201", wan("101.00"), page=3))
    doc.tables.append(TableRead("income", "收入决算表", 3, 3, "万元", False))
    doc.problems.append(
        Problem(
            "unreadable_cell",
            "error",
            "支出决算表: row 4, column '合计' holds '见附表'",
            table_kind="expenditure",
            page=7,
        )
    )
    result = gate.check(doc)
    assert (result.status, set(result.withheld)) == ("loaded", {"expenditure"})
    (problem,) = failed(result, "hierarchy.function_class")
    assert (problem.severity, problem.attributed_to) == ("error", "extraction")
    assert "structure is in doubt" in (problem.evidence or "") and "unreadable_cell" in (problem.evidence or "")


def test_a_document_whose_every_table_is_in_doubt_is_quarantined(gate: Gate) -> None:
    doc = expenditure_class_201("100.00")
    doc.problems.append(Problem("unreadable_cell", "error", "row 4 holds '见附表'", table_kind="expenditure", page=7))
    result = gate.check(doc)
    assert result.status == "quarantined"
    assert "unreadable_cell p7" in (result.reason or "")


def test_the_gate_tallies_identities_held_and_failed_by_whose(gate: Gate) -> None:
    result = gate.check(expenditure_class_201("101.00"))
    assert result.identity_tally == {
        "held": 0,
        "publisher": 1,
        "extraction": 0,
        "hierarchy.function:held": 0,
        "hierarchy.function:failed": 1,
    }


def test_income_total_is_the_sum_of_the_income_sources_the_table_prints(gate: Gate) -> None:
    doc = document(
        [
            fn("income", "201", wan("100.00")),
            fn("income", "201", wan("90.00"), "fiscal_appropriation"),
            fn("income", "201", wan("10.00"), "other"),
            fn("income", "208", wan("50.00")),
            fn("income", "208", wan("50.00"), "fiscal_appropriation"),
        ]
    )
    result = gate.check(doc)
    assert result.issues == []
    rows = result.identity_checks.query("check_name == 'column.income_sources'")
    assert rows["n_terms"].tolist() == [2, 2]  # 财政拨款收入 + 其他收入: the only columns printed


def test_a_column_the_table_does_not_print_is_not_a_zero(gate: Gate) -> None:
    doc = document([fn("gpb_expenditure", "201", wan("100.00"), scope="general_public_budget")])
    assert not (gate.check(doc).identity_checks["family"] == "column").any()


def test_basic_expenditure_is_personnel_plus_public_use_where_both_are_printed(gate: Gate) -> None:
    doc = document(
        [
            fn("expenditure", "201", wan("100.00")),
            fn("expenditure", "201", wan("100.00"), "basic"),
            fn("expenditure", "201", wan("70.00"), "personnel"),
            fn("expenditure", "201", wan("20.00"), "public_use"),
        ]
    )
    result = gate.check(doc)
    (problem,) = result.issues
    assert (problem.check_name, problem.expected, problem.actual) == ("column.basic_split", wan("90.00"), wan("100.00"))


def test_basic_expenditure_printed_as_personnel_and_public_use_columns(gate: Gate) -> None:
    econ = "gpb_basic_economic"

    def e(code: str, amount: str, measure: str) -> Fact:
        return Fact(econ, "general_public_budget", "economic", code, measure, yuan(amount), 19)

    doc = document(
        [
            e("301", "800.00", "total"),
            e("301", "800.00", "personnel"),
            e("302", "200.00", "total"),
            e("302", "150.00", "public_use"),
        ],
        units={econ: "元"},
    )
    (problem,) = gate.check(doc).issues
    assert problem.check_name == "column.expenditure_split"
    assert (problem.subject_code, problem.expected, problem.actual) == ("302", yuan("150.00"), yuan("200.00"))


# --- summary tables ----------------------------------------------------------------------------------


def summary(expense_total: str, expense_grand_total: str) -> ExtractedDocument:
    table = "income_expense_summary"
    return document(
        [
            line(table, "income.general_public_budget", wan("100.00")),
            line(table, "income.total", wan("100.00")),
            line(table, "income.grand_total", wan("100.00")),
            line(table, "expense.total", wan(expense_total)),
            line(table, "expense.grand_total", wan(expense_grand_total)),
        ]
    )


def test_summary_grand_totals_that_differ_are_reported_as_the_publishers(gate: Gate) -> None:
    # Each side adds up by itself; the two 总计 do not agree.
    result = gate.check(summary("101.00", "101.00"))
    (problem,) = result.issues
    assert problem.check_name == "summary.grand_totals_equal"
    assert (problem.expected, problem.actual, problem.page) == (wan("100.00"), wan("101.00"), 5)
    assert problem.severity == "warning"
    assert result.status == "loaded"


def test_a_summary_figure_contradicting_both_its_identities_is_the_publishers_without_evidence(gate: Gate) -> None:
    result = gate.check(summary("100.00", "101.00"))
    assert {p.check_name for p in result.issues} == {"summary.expense_grand_total", "summary.grand_totals_equal"}
    assert {(p.severity, p.attributed_to) for p in result.issues} == {("warning", "publisher")}
    assert result.status == "loaded"


def test_fiscal_summary_total_column_is_the_sum_of_its_fund_columns(gate: Gate) -> None:
    table = "fiscal_summary"
    doc = document(
        [
            fn(table, "201", wan("100.00"), scope="fiscal"),
            fn(table, "201", wan("80.00"), scope="general_public_budget"),
            fn(table, "201", wan("20.00"), scope="government_fund"),
            fn(table, "208", wan("50.00"), scope="fiscal"),
            fn(table, "208", wan("40.00"), scope="general_public_budget"),
        ]
    )
    (problem,) = gate.check(doc).issues
    assert (problem.check_name, problem.subject_code) == ("summary.fund_columns", "208")


# --- three-public -----------------------------------------------------------------------------------


def test_a_three_public_total_off_is_a_warning_on_its_page(gate: Gate) -> None:
    doc = document(
        [
            three_public("total", wan("10.00")),
            three_public("overseas_travel", wan("2.00")),
            three_public("vehicle_total", wan("3.00")),
            three_public("vehicle_purchase", wan("1.00")),
            three_public("vehicle_operation", wan("2.00")),
            three_public("reception", wan("4.00")),
            three_public("total", wan("9.00"), "actual"),
            three_public("reception", wan("9.00"), "actual"),
        ]
    )
    result = gate.check(doc)
    (problem,) = result.issues
    assert (problem.check_name, problem.severity, problem.page) == ("three_public.total", "warning", 12)
    assert (problem.expected, problem.actual) == (wan("9.00"), wan("10.00"))
    assert result.status == "loaded"


# --- across tables ----------------------------------------------------------------------------------


def test_a_summary_class_line_unequal_to_the_expenditure_table_is_a_warning(gate: Gate) -> None:
    doc = document(
        [
            fn("income_expense_summary", "201", wan("100.00"), page=5),
            fn("expenditure", "201", wan("90.00"), page=8),
            fn("expenditure", "20101", wan("90.00"), page=8),
        ]
    )
    result = gate.check(doc)
    (problem,) = result.issues
    assert (problem.check_name, problem.severity) == ("cross_table.summary_classes", "warning")
    assert (problem.page, problem.expected, problem.actual) == (5, wan("90.00"), wan("100.00"))
    assert result.status == "loaded"


def test_basic_economic_total_equals_the_basic_column_of_the_gpb_table(gate: Gate) -> None:
    scope = "general_public_budget"
    doc = document(
        [
            fn("gpb_expenditure", "201", wan("80.00"), scope=scope),
            fn("gpb_expenditure", "201", wan("50.00"), "basic", scope=scope),
            fn("gpb_expenditure", "201", wan("30.00"), "project", scope=scope),
            Fact("gpb_basic_economic", scope, "table_total", "personnel_total", "total", wan("40.00"), 16),
            Fact("gpb_basic_economic", scope, "table_total", "public_use_total", "total", wan("10.00"), 16),
        ]
    )
    result = gate.check(doc)
    assert result.issues == []
    assert "cross_table.basic_economic_total" in set(result.identity_checks["check_name"])


# --- structure -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fact", "check_name"),
    [
        (Fact("expenditure", "all", "function", "2O1", "total", wan("1.00"), 7), "structure.function_code_format"),
        (Fact("gpb_basic_economic", "general_public_budget", "economic", "3010", "total", wan("1.00"), 7),
         "structure.economic_code_format"),
        (Fact("expenditure", "all", "function", "201", "salary", wan("1.00"), 7), "structure.unknown_measure"),
        (Fact("spending", "all", "function", "201", "total", wan("1.00"), 7), "structure.unknown_table_kind"),
        (Fact("expenditure", "all", "function", "201", "total", 1.5, 7), "structure.amount_unreadable"),  # type: ignore[arg-type]
        (Fact("expenditure", "all", "function", "201", "total", Decimal("123.45"), 7), "structure.off_unit_grid"),
        (Fact("expenditure", "all", "function", "201", "total", wan("1.00"), 0), "structure.page_out_of_range"),
        (Fact("expenditure", "all", "function", "", "total", wan("1.00"), 7), "structure.missing_key"),
        (Fact("income_expense_summary", "all", "summary", "income.gift", "amount", wan("1.00"), 7),
         "structure.unknown_key"),
    ],
)  # fmt: skip
def test_a_malformed_fact_quarantines(gate: Gate, fact: Fact, check_name: str) -> None:
    result = gate.check(document([fact]))
    assert result.status == "quarantined"
    problems = failed(result, check_name)
    assert problems and problems[0].severity == "error"
    assert problems[0].page == fact.page or fact.page == 0


def test_a_cell_read_twice_quarantines(gate: Gate) -> None:
    fact = fn("expenditure", "201", wan("1.00"))
    result = gate.check(document([fact, fact]))
    assert len(failed(result, "structure.duplicate_fact")) == 2


def test_an_extraction_error_quarantines_even_when_everything_adds_up(gate: Gate) -> None:
    ocr = Problem("extract.needs_ocr", "error", "page 12 has no text layer", page=12)
    result = gate.check(document([fn("expenditure", "201", wan("1.00"))], problems=[ocr]))
    assert result.status == "quarantined"
    assert result.issues == []  # the problem stays in doc.problems, not repeated
    assert "extract.needs_ocr" in (result.reason or "")


def test_a_document_of_empty_tables_loads(gate: Gate) -> None:
    result = gate.check(document([]))
    assert (result.status, result.issues) == ("loaded", [])


# --- the real publishers ---------------------------------------------------------------------------


def gold_document(folder: Path) -> ExtractedDocument:
    """A hand-checked transcription of a real PDF (corpus/real/*/expected) as the extractor should read it."""
    return read_expected_folder(folder).document()


GOLD = sorted(p for p in REAL_CORPUS.glob("*") if (p / "expected" / "meta.json").exists())


@pytest.mark.skipif(not GOLD, reason="the real corpus is not here")
@pytest.mark.parametrize("folder", GOLD, ids=lambda p: p.name)
def test_real_documents_read_correctly_pass_the_gate(gate: Gate, folder: Path) -> None:
    # Their publishers' slips are all within rounding (notes.md, "ROUND"): none may be reported.
    result = gate.check(gold_document(folder))
    assert (result.status, result.issues) == ("loaded", [])


@pytest.mark.skipif(not GOLD, reason="the real corpus is not here")
def test_real_rounding_slips_are_seen_and_tolerated() -> None:
    checks = identity_checks(gold_document(REAL_CORPUS / "sh-putuo-ghzy-2024-final-dept"))
    slip = checks.query("check_name == 'hierarchy.economic_class' and subject_code == '302'").iloc[0]
    assert (slip.expected, slip.actual) == (wan("440.88"), wan("440.90"))  # 基本支出表 p16
    assert abs(slip.actual - slip.expected) <= slip.tolerance_yuan


# --- marts, Data Docs, import cost ---------------------------------------------------------------------


def test_marts_with_contract_words_pass_and_others_are_reported(gate: Gate) -> None:
    good = pd.DataFrame(
        {
            "document_id": [DOC_ID],
            "check_name": ["three_public.total"],
            "severity": ["warning"],
            "table_kind": ["three_public"],
            "page": [12],
            "subject_code": ["total"],
            "expected": [90000.0],
            "actual": [100000.0],
            "message": ["…"],
        }
    )
    assert gate.validate_marts({"fct_quality_issue": good}) == []
    bad = good.assign(document_id=["ABC"], severity=["fatal"])
    problems = gate.validate_marts({"fct_quality_issue": bad})
    assert {p.check_name for p in problems} == {"marts.fct_quality_issue.format", "marts.fct_quality_issue.vocabulary"}


def test_a_gate_that_made_its_mart_suites_ahead_reports_what_one_that_did_not_reports() -> None:
    """`caijue serve`'s warm process makes the marts' suites while it waits (Gate.prepare_marts): one of each mart,
    and a check then finds what it finds on a gate that made them on its first check."""
    good = pd.DataFrame({"document_id": [DOC_ID], "item": ["total"], "measure": ["budget"], "amount_yuan": [1.0]})
    bad = {"fct_three_public": good.assign(amount_yuan=[None], measure=["bogus"])}
    prepared = Gate()
    prepared.prepare_marts()
    assert set(prepared._marts) == {f"mart_{name}" for name in prepared._mart_specs}
    found = [(p.check_name, p.message) for p in prepared.validate_marts(bad)]
    assert found and found == [(p.check_name, p.message) for p in Gate().validate_marts(bad)]


def test_a_mart_missing_contract_columns_or_amounts_is_reported(gate: Gate) -> None:
    frame = pd.DataFrame({"document_id": [DOC_ID, DOC_ID], "item": ["total", "reception"],
                          "measure": ["budget", "budget"], "amount_yuan": [100.0, None]})  # fmt: skip
    problems = gate.validate_marts({"fct_three_public": frame})
    assert {p.check_name for p in problems} == {"marts.fct_three_public.columns", "marts.fct_three_public.not_null"}


def test_a_fact_mart_checked_document_by_document_is_one_row_per_something_of_one_document(gate: Gate) -> None:
    """A build's mart checks read such a mart's rows of the documents it remade only (flows/ingest.py): sound when
    every check is about one row or one document's rows - its grain starts with the document. An empty frame (no
    document remade has rows there) passes."""
    from expectations.marts import mart_specs
    from expectations.vocabulary import vocabulary

    specs = mart_specs(vocabulary())
    per_document = {name for name, spec in specs.items() if spec.per_document}
    assert gate.per_document_marts == per_document
    assert per_document == {"fct_function_amount", "fct_economic_amount", "fct_summary_line", "fct_three_public"}
    assert all(specs[name].grain[0] == "document_id" for name in per_document)
    empty = {name: pd.DataFrame({column: [] for column in specs[name].columns}) for name in per_document}
    assert gate.validate_marts(empty) == []


def test_data_docs_are_built_when_asked(tmp_path: Path) -> None:
    with_docs = Gate(data_docs_dir=tmp_path)
    assert with_docs.check(expenditure_class_201("100.00")).status == "loaded"
    index = with_docs.build_data_docs()
    assert index is not None and index.exists()


def test_importing_the_gate_does_not_import_great_expectations() -> None:
    code = "import sys, expectations; sys.exit('great_expectations' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_a_checkpoint_run_fingerprints_no_batch(gate: Gate) -> None:
    """GX's md5 of every batch's rows (a batch marker nobody reads) is not computed: the same verdicts, no
    `pandas_data_fingerprint` among the run's batch markers."""
    result = gate.check(expenditure_class_201("100.00"))
    assert result.status == "loaded"
    assert len(result.validations) == 3
    for validation in result.validations:
        assert "ge_load_time" in validation.meta["batch_markers"]  # the markers GX does set
        assert "pandas_data_fingerprint" not in validation.meta["batch_markers"]

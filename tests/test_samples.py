"""The sample-corpus generator: deterministic, and every truth it writes satisfies DOMAIN.md's arithmetic."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest

from extract.expected import ExpectedMeta
from samples import build_seed_document, generate_corpus, load_layouts, plan_corpus
from samples.corpus import build_document
from samples.department import budget_accounts, final_accounts, make_department
from samples.document import Document
from samples.layouts import default_layouts
from warehouse.accuracy import read_expected_folder

YEARS = (2024,)
DEPARTMENTS = 4
ZERO = Decimal("0.00")
INCOME_SOURCES = ("fiscal_appropriation", "higher_subsidy", "business", "operating", "subordinate_remit", "other")


@dataclass
class Truth:
    """One expected/ folder, indexed."""

    meta: ExpectedMeta
    function: dict[tuple[str, str, str, str], Decimal] = field(default_factory=dict)
    economic: dict[tuple[str, str, str, str], Decimal] = field(default_factory=dict)
    summary: dict[tuple[str, str, str], Decimal] = field(default_factory=dict)
    three_public: dict[tuple[str, str], Decimal] = field(default_factory=dict)

    def f(self, table: str, scope: str, code: str, measure: str) -> Decimal:
        return self.function.get((table, scope, code, measure), ZERO)

    def s(self, table: str, scope: str, key: str) -> Decimal:
        return self.summary.get((table, scope, key), ZERO)

    def codes(self, table: str, length: int) -> set[str]:
        return {code for (t, _, code, _) in self.function if t == table and len(code) == length}

    def measures(self, table: str) -> set[tuple[str, str]]:
        return {(scope, m) for (t, scope, _, m) in self.function if t == table}


def read_truth(folder: Path) -> Truth:
    expected = read_expected_folder(folder)  # an amount that is not whole fen does not read
    truth = Truth(expected.meta)
    by_code = {"function": truth.function, "economic": truth.economic}
    for row in expected.rows:
        if row.file == "summary":
            truth.summary[(row.table_kind, row.fund_scope, row.key)] = row.amount_yuan
        elif row.file == "three_public":
            truth.three_public[(row.key, row.measure)] = row.amount_yuan
        else:
            by_code[row.file][(row.table_kind, row.fund_scope, row.key, row.measure)] = row.amount_yuan
    return truth


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return generate_corpus(tmp_path_factory.mktemp("corpus"), departments=DEPARTMENTS, years=YEARS)


@pytest.fixture(scope="module")
def truths(corpus: list[Path]) -> dict[str, Truth]:
    return {pdf.stem: read_truth(pdf.parent / pdf.stem / "expected") for pdf in corpus}


# ---------------------------------------------------------------------------------------------- the corpus


def test_same_arguments_give_byte_identical_files(corpus: list[Path], tmp_path: Path) -> None:
    again = generate_corpus(tmp_path, departments=DEPARTMENTS, years=YEARS)
    assert [p.name for p in again] == [p.name for p in corpus]
    for first, second in zip(corpus, again, strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name
        a, b = (pdf.parent / pdf.stem / "expected" for pdf in (first, second))
        assert sorted(f.name for f in a.iterdir()) == sorted(f.name for f in b.iterdir()), first.stem
        for file in a.iterdir():
            assert file.read_bytes() == (b / file.name).read_bytes(), f"{first.stem}/{file.name}"


def test_a_different_seed_gives_different_departments() -> None:
    layouts = set(load_layouts())
    first = {p.stem for p in plan_corpus(3, YEARS, 1, layouts)}
    second = {p.stem for p in plan_corpus(3, YEARS, 2, layouts)}
    assert first != second


def test_every_layout_and_both_report_levels_appear() -> None:
    planned = plan_corpus(12, (2023, 2024), 20240101, set(load_layouts()))
    assert {p.layout.name for p in planned} == default_layouts()  # variants: tests/test_layout_variants.py
    assert {p.level for p in planned if p.layout.report_kind == "budget"} == {"department", "unit"}
    assert len(planned) == 12 * 2 * 2


def test_corpus_has_budget_and_final_per_department_year_plus_the_seed(corpus: list[Path]) -> None:
    assert len(corpus) == DEPARTMENTS * len(YEARS) * 2 + 1
    assert "sc-leshan-jkh-qwb-2024-final-dept" in {p.stem for p in corpus}


def test_meta_matches_the_pdf(corpus: list[Path], truths: dict[str, Truth]) -> None:
    for pdf_path in corpus:
        meta = truths[pdf_path.stem].meta
        data = pdf_path.read_bytes()
        assert meta.sha256 == hashlib.sha256(data).hexdigest()
        assert meta.file == pdf_path.name
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            assert len(pdf.pages) == meta.page_count, pdf_path.name
        assert set(meta.tables_empty) <= set(meta.tables_present)
        assert meta.report_kind in {"final", "budget"} and meta.report_level in {"department", "unit"}


# ---------------------------------------------------------------------------------------------- identities


def test_each_class_is_the_sum_of_its_sections_and_each_section_of_its_items(truths: dict[str, Truth]) -> None:
    for stem, truth in truths.items():
        tables = {t for (t, _, _, _) in truth.function} - {"income_expense_summary", "fiscal_summary"}
        for table in tables:
            for scope, measure in truth.measures(table):
                for parent_len, child_len in ((3, 5), (5, 7)):
                    for parent in truth.codes(table, parent_len):
                        children = [c for c in truth.codes(table, child_len) if c.startswith(parent)]
                        total = sum((truth.f(table, scope, c, measure) for c in children), ZERO)
                        assert truth.f(table, scope, parent, measure) == total, (stem, table, parent, measure)


def test_printed_totals_are_the_sum_of_the_classes(truths: dict[str, Truth]) -> None:
    for stem, truth in truths.items():
        for (table, scope, key), amount in truth.summary.items():
            if not key.startswith("table_total:") or table in {"income_expense_summary", "fiscal_summary"}:
                continue
            measure = key.split(":", 1)[1]
            if table == "gpb_basic_economic":
                econ = truth.economic.items()
                classes = [v for (t, _, c, m), v in econ if t == table and len(c) == 3 and m == measure]
            else:
                classes = [truth.f(table, scope, c, measure) for c in truth.codes(table, 3)]
            assert amount == sum(classes, ZERO), (stem, table, key)


def test_income_total_is_the_sum_of_its_sources_and_spending_of_its_kinds(truths: dict[str, Truth]) -> None:
    for stem, truth in truths.items():
        for code in truth.codes("income", 3) | truth.codes("income", 5) | truth.codes("income", 7):
            sources = sum((truth.f("income", "all", code, m) for m in INCOME_SOURCES), ZERO)
            assert truth.f("income", "all", code, "total") == sources, (stem, code)
        for table, scope in (("expenditure", "all"), ("gpb_expenditure", "general_public_budget")):
            for code in truth.codes(table, 3) | truth.codes(table, 7):
                parts = truth.f(table, scope, code, "basic") + truth.f(table, scope, code, "project")
                assert truth.f(table, scope, code, "total") == parts, (stem, table, code)
        details = (("fiscal_expenditure_detail", "fiscal"), ("gpb_expenditure_detail", "general_public_budget"))
        for table, scope in details:
            for code in truth.codes(table, 7):
                parts = sum((truth.f(table, scope, code, m) for m in ("personnel", "public_use", "project")), ZERO)
                assert truth.f(table, scope, code, "total") == parts, (stem, table, code)


def test_summary_tables_balance(truths: dict[str, Truth]) -> None:
    lines = (
        "general_public_budget",
        "government_fund",
        "soe_capital",
        "higher_subsidy",
        "business",
        "operating",
        "subordinate_remit",
        "other",
    )
    for stem, truth in truths.items():
        for table, scope in (("income_expense_summary", "all"), ("fiscal_summary", "fiscal")):
            line = {key: amount for (t, sc, key), amount in truth.summary.items() if t == table and sc == scope}

            def get(key: str, line: dict[str, Decimal] = line) -> Decimal:
                return line.get(key, ZERO)  # a blank line is zero

            assert get("income.grand_total") == get("expense.grand_total") > 0, (stem, table)
            income_total = get("income.total") or get("income.grand_total")  # budgets print no 本年收入合计
            begin = get("income.use_nonfiscal_balance") + get("income.carryover_begin")
            assert get("income.grand_total") == income_total + begin, (stem, table)
            assert income_total == sum((get(f"income.{name}") for name in lines), ZERO), (stem, table)
            spent = get("expense.total") or get("expense.grand_total")
            classes = sum((truth.f(table, scope, c, "total") for c in truth.codes(table, 3)), ZERO)
            assert spent == classes, (stem, table)
            end = get("expense.balance_distribution") + get("expense.carryover_end")
            assert get("expense.grand_total") == spent + end, (stem, table)
        if truth.meta.report_kind == "budget":
            parts = ("income.general_public_budget", "income.government_fund", "income.soe_capital")
            fiscal = sum((truth.s("income_expense_summary", "all", key) for key in parts), ZERO)
            assert truth.s("income_expense_summary", "all", "income.fiscal_appropriation") == fiscal, stem


def test_tables_agree_with_each_other(truths: dict[str, Truth]) -> None:
    for stem, truth in truths.items():
        for code in truth.codes("expenditure", 3):
            printed = truth.f("income_expense_summary", "all", code, "total")
            assert printed == truth.f("expenditure", "all", code, "total"), (stem, code)
        for code in truth.codes("gpb_expenditure", 3):
            gpb = truth.f("gpb_expenditure", "general_public_budget", code, "total")
            assert truth.f("fiscal_summary", "general_public_budget", code, "total") == gpb, (stem, code)
        basic = truth.s("gpb_expenditure", "general_public_budget", "table_total:basic")
        econ_classes = [v for (_, _, c, m), v in truth.economic.items() if len(c) == 3 and m == "total"]
        assert sum(econ_classes, ZERO) == basic, stem
        spent = truth.s("expenditure", "all", "table_total:total")
        if truth.meta.report_kind == "final":
            assert spent == truth.s("income_expense_summary", "all", "expense.total"), stem


def test_economic_classes_add_up_and_the_panels_total_personnel_and_public_use(truths: dict[str, Truth]) -> None:
    for stem, truth in truths.items():
        econ = {(c, m): v for (_, _, c, m), v in truth.economic.items()}
        for (code, measure), amount in econ.items():
            if len(code) == 3:
                sections = [v for (c, m), v in econ.items() if len(c) == 5 and c[:3] == code and m == measure]
                assert amount == sum(sections, ZERO), (stem, code, measure)
        if ("personnel_total", "total") in econ:
            personnel = econ.get(("301", "total"), ZERO) + econ.get(("303", "total"), ZERO)
            public_use = econ.get(("302", "total"), ZERO) + econ.get(("310", "total"), ZERO)
            assert econ[("personnel_total", "total")] == personnel, stem
            assert econ.get(("public_use_total", "total"), ZERO) == public_use, stem


def test_three_public_total_is_travel_plus_vehicles_plus_reception(truths: dict[str, Truth]) -> None:
    for stem, truth in truths.items():
        tp = truth.three_public
        measures = {m for (_, m) in tp}
        assert measures == ({"budget"} if truth.meta.report_kind == "budget" else {"budget", "actual"}), stem
        for m in measures:
            assert tp[("vehicle_total", m)] == tp[("vehicle_purchase", m)] + tp[("vehicle_operation", m)], stem
            assert tp[("total", m)] == tp[("overseas_travel", m)] + tp[("vehicle_total", m)] + tp[("reception", m)]


def test_amounts_are_exact_in_the_printed_unit(truths: dict[str, Truth]) -> None:
    for stem, truth in truths.items():
        if set(truth.meta.units.values()) == {"万元"}:
            for amount in truth.function.values():
                assert amount % 100 == 0, stem
        for amount in truth.three_public.values():
            assert amount % 100 == 0, stem  # the three-public table always prints 万元


# ---------------------------------------------------------------------------------------------- rendering


@pytest.fixture(scope="module")
def documents() -> list[Document]:
    """One document per layout (budgets at both levels), plus the seed's, rendered in memory."""
    planned = plan_corpus(4, YEARS, 20240101, set(load_layouts()))
    chosen: dict[tuple[str, str], object] = {}
    for plan in planned:
        chosen.setdefault((plan.layout.name, plan.level), plan)
    return [build_document(plan) for plan in chosen.values()] + [build_seed_document()]


def _text(document: Document, pages: list[int]) -> str:
    with pdfplumber.open(io.BytesIO(document.rendered.pdf)) as pdf:
        return "".join(pdf.pages[page - 1].extract_text() or "" for page in pages)


def test_documents_cover_every_layout(documents: list[Document]) -> None:
    assert {d.source.layout.name for d in documents} == default_layouts()
    assert {d.source.level for d in documents} == {"department", "unit"}


def test_every_table_starts_on_a_page_with_a_ruled_table(documents: list[Document]) -> None:
    for document in documents:
        with pdfplumber.open(io.BytesIO(document.rendered.pdf)) as pdf:
            for table in document.tables:
                first = document.rendered.table_pages[table.kind][0]
                page = pdf.pages[first - 1]
                assert page.find_tables(), (document.source.stem, table.kind, first)
                printed = "".join(char["text"] for char in page.chars)
                assert f"单位：{table.unit}" in printed and table.title in printed, (document.source.stem, table.kind)


def test_empty_tables_print_an_empty_note(documents: list[Document]) -> None:
    for document in documents:
        for table in document.tables:
            if table.is_empty:
                text = _text(document, document.rendered.table_pages[table.kind])
                assert "本表无数据" in text or "本表为空表" in text, (document.source.stem, table.kind)
                assert not table.facts


# ---------------------------------------------------------------------------------------------- the departments


def test_final_account_is_close_to_the_budget_of_the_same_year() -> None:
    for index in range(6):
        department = make_department(f"closeness:{index}", ("shanghai", "sichuan")[index % 2], set())
        budget = budget_accounts(department, 2024, "元").summary_line("expense.grand_total", "all")
        final = final_accounts(department, 2024, "万元").summary_line("expense.total", "all")
        assert 0.75 < final / budget < 1.1, department.name


def test_seed_department_tables_come_from_its_narrative_items(documents: list[Document]) -> None:
    document = next(d for d in documents if d.source.stem == "sc-leshan-jkh-qwb-2024-final-dept")
    facts = {(f.table_kind, f.key, f.measure): f.fen for t in document.tables for f in t.facts}
    wan = 1_000_000  # fen per 万元
    assert facts[("gpb_expenditure", "2013101", "total")] == 367_89 * wan // 100
    assert facts[("gpb_expenditure", "208", "total")] == 67_48 * wan // 100  # the narrative says 67.49
    assert facts[("gpb_expenditure", "table_total:basic", "")] == 535_62 * wan // 100
    assert facts[("expenditure", "table_total:basic", "")] == 535_62 * wan // 100  # §三 says 535.68
    assert facts[("expenditure", "table_total:total", "")] == 863_25 * wan // 100
    assert facts[("income", "table_total:total", "")] == 863_22 * wan // 100
    table_pages = {page for pages in document.rendered.table_pages.values() for page in pages}
    text = _text(document, [p for p in range(1, document.rendered.page_count + 1) if p not in table_pages])
    published = (
        "基本支出 535.68 万元",
        "基本支出 535.62 万元",
        "社会保障和就业支出 67.49 万元",
        "农林水支出 0.52 万元",
    )
    for printed in published:
        assert printed in text

"""Extraction of the real Shanghai documents against their hand-checked facts (../shared/corpus/real)."""

from __future__ import annotations

from decimal import Decimal
from functools import cache

import pytest

from extract import ExtractedDocument, ExtractionError, extract_document
from tests.shared_data import REAL, WILD, absent, needs
from warehouse.accuracy import ScoredFact, read_expected, read_expected_folder, scored_facts

REAL_DOCUMENTS = sorted(p.name for p in REAL.glob("*/") if (p / "expected").is_dir()) if REAL.is_dir() else []

pytestmark = pytest.mark.skipif(not REAL_DOCUMENTS, reason=absent(REAL))


@cache
def extracted(folder: str) -> ExtractedDocument:
    pdf = next((REAL / folder).glob("*.pdf"))
    return extract_document(pdf.read_bytes(), pdf.name)


def contract_facts(document: ExtractedDocument) -> set[ScoredFact]:
    """The document's facts in the accuracy benchmark's terms (non-zero, no printed 合计 rows)."""
    return scored_facts(document.facts)


def fiscal_summary_fund_lines(facts: set[ScoredFact]) -> set[ScoredFact]:
    """CONTRACT: "a line printed once per fund column gives one row per fund scope". One gold file
    (its notes.md says so) leaves the per-fund columns of the fiscal summary's total lines out."""
    return {f for f in facts if f.kind == "summary" and f.table_kind == "fiscal_summary" and f.fund_scope != "fiscal"}


@pytest.mark.parametrize("folder", REAL_DOCUMENTS)
def test_every_hand_checked_fact_is_extracted_with_its_amount(folder: str) -> None:
    expected = read_expected(REAL / folder / "expected")
    got = contract_facts(extracted(folder))
    assert sorted(expected - got) == []


@pytest.mark.parametrize("folder", REAL_DOCUMENTS)
def test_nothing_is_extracted_that_the_document_does_not_print(folder: str) -> None:
    expected = read_expected(REAL / folder / "expected")
    got = contract_facts(extracted(folder))
    assert sorted(got - expected - fiscal_summary_fund_lines(got)) == []


@pytest.mark.parametrize("folder", REAL_DOCUMENTS)
def test_document_facts_come_from_the_cover(folder: str) -> None:
    meta = read_expected_folder(REAL / folder).meta
    document = extracted(folder).meta
    assert document.document_id == meta.sha256
    assert (
        document.department_name,
        document.fiscal_year,
        document.report_kind,
        document.report_level,
        document.page_count,
    ) == (meta.department_name, meta.fiscal_year, meta.report_kind, meta.report_level, meta.page_count)


@pytest.mark.parametrize("folder", REAL_DOCUMENTS)
def test_every_table_is_found_and_the_empty_ones_are_empty(folder: str) -> None:
    meta = read_expected_folder(REAL / folder).meta
    tables = {t.table_kind: t for t in extracted(folder).tables}
    assert set(tables) == set(meta.tables_present)
    assert {k for k, t in tables.items() if t.is_empty} == set(meta.tables_empty)


def test_a_three_public_table_in_wan_inside_a_yuan_budget_keeps_its_unit() -> None:
    folder = next(f for f in REAL_DOCUMENTS if "budget" in f)
    units = {t.table_kind: t.unit for t in extracted(folder).tables}
    assert units["three_public"] == "万元"
    assert units["income"] == "元"


def test_facts_cite_the_page_they_are_printed_on() -> None:
    folder = next(f for f in REAL_DOCUMENTS if "final" in f and "template" not in f)
    document = extracted(folder)
    pages = {t.table_kind: range(t.first_page, t.last_page + 1) for t in document.tables}
    assert all(f.page in pages[f.table_kind] for f in document.facts)


def test_amounts_are_exact_decimals_in_yuan() -> None:
    folder = next(f for f in REAL_DOCUMENTS if "final" in f and "template" not in f)
    amounts = [f.amount_yuan for f in extracted(folder).facts]
    assert all(isinstance(a, Decimal) and a == a.quantize(Decimal("0.01")) for a in amounts)


@needs(WILD)
def test_a_web_page_saved_as_pdf_fails_with_an_error_naming_the_file() -> None:
    impostor = next(WILD.glob("*not-a-pdf*.pdf"))
    with pytest.raises(ExtractionError, match=impostor.name):
        extract_document(impostor.read_bytes(), impostor.name)


@needs(WILD)
def test_a_scanned_document_is_reported_as_needing_ocr() -> None:
    scanned = next(WILD.glob("*scanned*.pdf"))
    document = extract_document(scanned.read_bytes(), scanned.name)
    assert not document.facts
    assert any(p.check_name == "no_tables_found" and "OCR" in p.message for p in document.problems)

"""End to end: generated and real PDFs → caijue ingest → the marts, as BI users and the bureau see them."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.shared_data import REAL, WILD, needs
from warehouse.accuracy import read_expected_folder, score_document

CONTRACT_COLUMNS = {
    "dim_document": {
        "document_id": "VARCHAR",
        "file_name": "VARCHAR",
        "department_name": "VARCHAR",
        "fiscal_year": "INTEGER",
        "report_kind": "VARCHAR",
        "report_level": "VARCHAR",
        "region": "VARCHAR",
        "page_count": "INTEGER",
        "status": "VARCHAR",
        "loaded_at": "TIMESTAMP",
    },
    "dim_department": {"department_id": "VARCHAR", "department_name": "VARCHAR", "region": "VARCHAR"},
    "dim_function_subject": {
        "subject_code": "VARCHAR",
        "subject_level": "VARCHAR",
        "class_code": "VARCHAR",
        "section_code": "VARCHAR",
        "subject_name": "VARCHAR",
        "parent_code": "VARCHAR",
    },
    "dim_economic_subject": {
        "econ_code": "VARCHAR",
        "econ_level": "VARCHAR",
        "class_code": "VARCHAR",
        "econ_name": "VARCHAR",
    },
    "fct_function_amount": {
        "document_id": "VARCHAR",
        "department_id": "VARCHAR",
        "fiscal_year": "INTEGER",
        "report_kind": "VARCHAR",
        "table_kind": "VARCHAR",
        "fund_scope": "VARCHAR",
        "subject_code": "VARCHAR",
        "subject_level": "VARCHAR",
        "measure": "VARCHAR",
        "amount_yuan": "DECIMAL(20,2)",
    },
    "fct_economic_amount": {
        "document_id": "VARCHAR",
        "department_id": "VARCHAR",
        "fiscal_year": "INTEGER",
        "report_kind": "VARCHAR",
        "table_kind": "VARCHAR",
        "fund_scope": "VARCHAR",
        "econ_code": "VARCHAR",
        "econ_level": "VARCHAR",
        "measure": "VARCHAR",
        "amount_yuan": "DECIMAL(20,2)",
    },
    "fct_summary_line": {
        "document_id": "VARCHAR",
        "department_id": "VARCHAR",
        "fiscal_year": "INTEGER",
        "report_kind": "VARCHAR",
        "table_kind": "VARCHAR",
        "fund_scope": "VARCHAR",
        "line_key": "VARCHAR",
        "amount_yuan": "DECIMAL(20,2)",
    },
    "fct_three_public": {
        "document_id": "VARCHAR",
        "department_id": "VARCHAR",
        "fiscal_year": "INTEGER",
        "report_kind": "VARCHAR",
        "item": "VARCHAR",
        "measure": "VARCHAR",
        "amount_yuan": "DECIMAL(20,2)",
    },
    "fct_quality_issue": {
        "document_id": "VARCHAR",
        "check_name": "VARCHAR",
        "severity": "VARCHAR",
        "table_kind": "VARCHAR",
        "page": "INTEGER",
        "subject_code": "VARCHAR",
        "expected": "DECIMAL(20,2)",
        "actual": "DECIMAL(20,2)",
        "message": "VARCHAR",
    },
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from samples import generate_corpus

    folder = tmp_path_factory.mktemp("corpus")
    generate_corpus(folder, departments=3, years=(2024,))
    return folder


@pytest.fixture(scope="module")
def inbox(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated PDFs (their truth left behind: the extractor only ever sees the PDF), the real
    documents and the wild impostor, as a bureau's inbox would hold them."""
    folder = tmp_path_factory.mktemp("inbox")
    for pdf in corpus.rglob("*.pdf"):
        shutil.copy(pdf, folder / pdf.name)
    for pdf in REAL.glob("*/*.pdf"):
        shutil.copy(pdf, folder / pdf.name)
    for pdf in WILD.glob("*not-a-pdf*.pdf"):
        shutil.copy(pdf, folder / pdf.name)
    return folder


@pytest.fixture(scope="module")
def first_run(inbox: Path, tmp_path_factory: pytest.TempPathFactory, prefect_harness: None):
    from flows.ingest import run_ingest

    warehouse = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    summary = run_ingest([inbox], warehouse, workers=2)
    return warehouse, summary


def expected_dirs(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("expected") if p.is_dir())


def test_every_generated_fact_lands_in_the_marts_exactly(corpus: Path, first_run) -> None:
    warehouse, _ = first_run
    with duckdb.connect(str(warehouse), read_only=True) as con:
        scores = [score_document(con, d) for d in expected_dirs(corpus)]
    layouts = {read_expected_folder(d).meta.extra.get("layout") for d in expected_dirs(corpus)}
    assert len(layouts) >= 3, "every layout must be exercised"
    wrong = {s.name: (s.f1, s.missing[:3], s.unexpected[:3], s.wrong[:3]) for s in scores if s.f1 != 1.0}
    assert wrong == {}


def test_generated_documents_are_loaded_with_their_cover_facts(corpus: Path, first_run) -> None:
    warehouse, _ = first_run
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for folder in expected_dirs(corpus):
            meta = read_expected_folder(folder).meta
            row = con.execute(
                "select department_name, fiscal_year, report_kind, report_level, page_count, status"
                " from marts.dim_document where document_id = ?",
                [meta.sha256],
            ).fetchone()
            assert row == (
                meta.department_name,
                meta.fiscal_year,
                meta.report_kind,
                meta.report_level,
                meta.page_count,
                "loaded",
            )


def test_marts_match_the_contract(first_run) -> None:
    warehouse, _ = first_run
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table, columns in CONTRACT_COLUMNS.items():
            found = dict(
                con.execute(
                    "select column_name, data_type from information_schema.columns"
                    " where table_schema = 'marts' and table_name = ?",
                    [table],
                ).fetchall()
            )
            assert {c: found.get(c) for c in columns} == columns, table
        schemas = {r[0] for r in con.execute("select schema_name from information_schema.schemata").fetchall()}
    assert {"raw", "staging", "marts"} <= schemas
    assert not any(s.startswith("main_") for s in schemas)


@needs(REAL)
def test_every_real_document_gets_a_status(first_run) -> None:
    warehouse, _ = first_run
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for pdf in REAL.glob("*/*.pdf"):
            document_id = hashlib.sha256(pdf.read_bytes()).hexdigest()
            row = con.execute("select status from marts.dim_document where document_id = ?", [document_id]).fetchone()
            assert row is not None and row[0] in {"loaded", "quarantined", "failed"}, pdf.name


@needs(WILD)
def test_a_file_that_is_not_a_pdf_fails_alone_with_its_reason(first_run) -> None:
    warehouse, summary = first_run
    impostors = [o for o in summary.outcomes if "not-a-pdf" in o.path]
    assert impostors and impostors[0].status == "failed" and "not a PDF" in (impostors[0].reason or "")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        loaded = con.execute("select count(*) from marts.dim_document where status = 'loaded'").fetchone()
    assert loaded and loaded[0] >= 4


def mart_fingerprint(warehouse: Path) -> dict[str, str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            table: str(
                con.execute(f"select count(*), coalesce(sum(hash(t)::hugeint), 0) from marts.{table} t").fetchone()
            )
            for table in CONTRACT_COLUMNS
        }


def test_ingesting_the_same_folder_again_changes_nothing(inbox: Path, first_run) -> None:
    from flows.ingest import run_ingest

    warehouse, first = first_run
    before = mart_fingerprint(warehouse)
    second = run_ingest([inbox], warehouse, workers=2)
    assert second.outcomes == [] and second.unchanged == first.discovered
    assert mart_fingerprint(warehouse) == before

"""Damage never wins: failures a retry could fix are retried by the next run, a failing mart check stops
the publish, and a damaged copy of a loaded report never supersedes the complete reading."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

import flows.extraction as extraction
from extract import ExtractedDocument, ExtractionError
from extract.model import DocumentMeta, Problem
from flows.extraction import assess_with_deadline
from flows.plan import fingerprint, is_retryable, plan_run
from flows.timeout import CallTimeout, ChildCrashed
from flows.version import READING_VERSION
from warehouse.raw import load_document

NOW = datetime(2026, 1, 1)


def _failed_document(pdf: Path, reason: str) -> ExtractedDocument:
    meta = DocumentMeta(fingerprint(pdf), pdf.name, None, None, None, None, None, 0)
    return ExtractedDocument(meta=meta, problems=[Problem("unreadable_document", "error", f"{pdf.name}: {reason}")])


def _write_failed(warehouse: Path, pdf: Path, reason: str) -> None:
    with duckdb.connect(str(warehouse)) as con:
        assert load_document(
            con,
            _failed_document(pdf, reason),
            status="failed",
            status_reason=reason,
            issues=[],
            file_path=str(pdf),
            extractor_version=READING_VERSION,
            ingested_at=NOW,
        )


@pytest.mark.parametrize(
    ("raised", "retryable"),
    [(CallTimeout(), True), (ChildCrashed("killed by signal 9"), True)],
)
def test_the_reasons_a_timeout_or_a_crash_give_are_the_ones_the_plan_retries(
    monkeypatch: pytest.MonkeyPatch, raised: Exception, retryable: bool
) -> None:
    def call(*_args: object, **_kwargs: object) -> None:
        raise raised

    monkeypatch.setattr(extraction, "call_with_deadline", call)
    with pytest.raises(ExtractionError) as caught:
        assess_with_deadline(b"%PDF-1.7", "report.pdf", 5)
    assert is_retryable("failed", caught.value.reason) is retryable


def test_a_task_that_failed_after_its_retries_is_retried_by_the_next_run() -> None:
    from flows.ingest import _task_failed

    outcome = _task_failed("/inbox/a.pdf", "0" * 64, PermissionError("[Errno 13] Permission denied"))
    assert is_retryable(outcome.status, outcome.reason)
    assert not is_retryable("loaded", outcome.reason)
    assert not is_retryable("failed", "not a PDF: the file starts with '<html>'")
    assert not is_retryable("failed", None)


def test_a_document_that_timed_out_is_extracted_again_and_its_failure_replaced(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    timed_out, not_a_pdf = inbox / "slow.pdf", inbox / "page.pdf"
    timed_out.write_bytes(b"%PDF-1.7 slow")
    not_a_pdf.write_bytes(b"<html>not a pdf</html>")
    warehouse = tmp_path / "warehouse.duckdb"
    _write_failed(warehouse, timed_out, "extraction timed out after 300 s")
    _write_failed(warehouse, not_a_pdf, "not a PDF: the file looks like HTML")

    plan = plan_run([inbox], warehouse)

    assert plan.todo == [timed_out.resolve()]  # the HTML page waits for a new extractor version
    assert plan.retried == {fingerprint(timed_out)} and plan.reextract == 0  # as the run summary counts them
    # The retry's reading replaces the failure although the extractor version is the same.
    with duckdb.connect(str(warehouse)) as con:
        assert load_document(
            con,
            _failed_document(timed_out, "no tables found"),
            status="failed",
            status_reason="no tables found",
            issues=[],
            file_path=str(timed_out),
            extractor_version=READING_VERSION,
            ingested_at=NOW,
        )
    assert plan_run([inbox], warehouse).todo == []


# --- the publish is gated by the mart checks ---------------------------------------------------------

DIM_DOCUMENT = """create table marts.dim_document as select * from (values
    ('{id}', 'a.pdf', '财政局', 2024, 'budget', 'department', '金口河区', 10, 'loaded', timestamp '2026-01-01'),
    ('{other}', 'b.pdf', '财政局', 2024, 'budget', 'department', '金口河区', 10, '{status}', timestamp '2026-01-01')
) as t(document_id, file_name, department_name, fiscal_year, report_kind, report_level, region, page_count,
      status, loaded_at)"""


def _rebuild_with_marts(monkeypatch: pytest.MonkeyPatch, published: Path, status: str) -> object:
    """`rebuild` with dbt's build replaced by one writing a dim_document whose second row has `status`:
    the real mart checks then judge it."""
    import flows.ingest as ingest
    from flows.summary import RunSummary

    def build(summary: RunSummary, work: Path) -> None:
        with duckdb.connect(str(work)) as con:
            con.execute("create schema if not exists marts")
            con.execute("drop table if exists marts.dim_document")
            con.execute(DIM_DOCUMENT.format(id="a" * 64, other="b" * 64, status=status))
        summary.dbt_ok, summary.dbt_message = True, "1 node"

    monkeypatch.setattr(ingest, "_build", build)
    # These marts are not dbt's: rebuilding the quality marts from what the checks found (a dbt run, tested
    # on real marts below) would fail and cost a dbt parse.
    monkeypatch.setattr(ingest, "_rebuild_quality_marts", lambda summary, work: None)
    summary = RunSummary(published)
    ingest.rebuild(summary, lambda work: None)
    return summary


def _published_bytes(tmp_path: Path) -> tuple[Path, bytes]:
    published = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(published)) as con:
        con.execute("create table kept as select 1 as x")
    return published, published.read_bytes()


def test_a_failing_mart_check_stops_the_publish_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from flows.publish import working_path
    from flows.report import summary_markdown

    published, before = _published_bytes(tmp_path)

    summary = _rebuild_with_marts(monkeypatch, published, status="vanished")  # not a document status

    assert published.read_bytes() == before  # the published file unchanged
    assert not working_path(published).exists()  # the working copy discarded
    assert not summary.published and not summary.completed  # `caijue ingest` exits 1
    assert summary.failure is not None and "\n" not in summary.failure
    assert "mart check(s) failed" in summary.failure and "dim_document" in summary.failure
    assert "publish: skipped (1 mart check(s) failed" in capsys.readouterr().out
    markdown = summary_markdown(summary)  # the run's artifact
    assert "| mart checks failed (they stop the publish) | 1 |" in markdown
    assert f"Not published: {summary.failure}" in markdown


def test_marts_that_pass_their_checks_are_published(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    published, before = _published_bytes(tmp_path)

    summary = _rebuild_with_marts(monkeypatch, published, status="quarantined")

    assert summary.published and summary.completed and summary.failure is None
    assert published.read_bytes() != before
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from marts.dim_document").fetchone() == (2,)


# --- damage never wins ------------------------------------------------------------------------------

COMPLETE = ("budget_summary", "income_summary", "expenditure_summary", "three_public")


def _raw_document(con: duckdb.DuckDBPyConnection, document_id: str, ingested_at: str, tables: dict[str, bool]) -> None:
    """One loaded budget of 财政局 2024 with `tables` (table_kind → withheld by the gate)."""
    con.execute(
        "insert into raw.documents (document_id, file_name, department_name, fiscal_year, report_kind,"
        " report_level, region, page_count, status, extractor_version, ingested_at)"
        " values (?, ?, '乐山市金口河区财政局', 2024, 'budget', 'department', ?, 30, 'loaded', ?, ?)",
        [document_id, f"{document_id[:4]}.pdf", "四川省乐山市金口河区", READING_VERSION, ingested_at],
    )
    for table_kind, withheld in tables.items():
        con.execute(
            "insert into raw.document_tables (document_id, table_kind, title, first_page, last_page, unit,"
            " is_empty, withheld_reason) values (?, ?, ?, 5, 5, '万元', false, ?)",
            [document_id, table_kind, table_kind, "figures in doubt" if withheld else None],
        )


COMPLETE_ID, DAMAGED_ID = "c" * 64, "d" * 64


@pytest.fixture(scope="module")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete budget and a damaged copy of it in raw, built by dbt (about 30 s) in the working copy and
    published, as a run does: dbt's parse state, kept beside it (.dbt), serves a later run's working copy."""
    from flows.publish import publish, working_path
    from warehouse.dbt import build_warehouse
    from warehouse.raw import ensure_schema

    published = tmp_path_factory.mktemp("gate-warehouse") / "warehouse.duckdb"
    warehouse = working_path(published)
    warehouse.parent.mkdir()
    with duckdb.connect(str(warehouse)) as con:
        ensure_schema(con)
        _raw_document(con, COMPLETE_ID, "2026-01-01 00:00:00", dict.fromkeys(COMPLETE, False))
        # The copy with two damaged table pages: one table unread, one withheld by the gate.
        _raw_document(con, DAMAGED_ID, "2026-02-01 00:00:00", {**dict.fromkeys(COMPLETE[:2], False), COMPLETE[2]: True})
    outcome = build_warehouse(warehouse, work_dir=published.parent / ".dbt")
    assert outcome.success, outcome.error or [n.message for n in outcome.failed]
    publish(warehouse, published)
    return published


def test_a_damaged_copy_leaves_the_complete_reading_current(built_warehouse: Path) -> None:
    warehouse, complete, damaged = built_warehouse, COMPLETE_ID, DAMAGED_ID
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select document_id, status, is_current, not_current_reason from marts.dim_document order by loaded_at"
        ).fetchall()
    assert rows == [
        (complete, "loaded", True, None),
        (
            damaged,
            "loaded",
            False,
            "not current: it lacks tables the earlier copy (cccc.pdf) has: expenditure_summary, three_public",
        ),
    ]


# --- what the mart checks find lands in fct_quality_issue -------------------------------------------


def _rebuild_finding(monkeypatch: pytest.MonkeyPatch, published: Path, finding: Problem) -> object:
    """`rebuild` of the built warehouse, its marts as they are (dbt's build a no-op), with the mart checks
    finding `finding`: what is recorded of it is real (raw.mart_check_results, a dbt run of the quality marts)."""
    import flows.ingest as ingest
    from flows.summary import RunSummary

    def build(summary: RunSummary, work: Path) -> None:
        summary.dbt_ok, summary.dbt_message = True, "the marts as built"

    monkeypatch.setattr(ingest, "_build", build)
    monkeypatch.setattr(ingest, "_validate_marts", lambda work, rebuilt: [finding])
    summary = RunSummary(published)
    ingest.rebuild(summary, lambda work: None)
    return summary


def _mart_check_issues(warehouse: Path) -> list[tuple[object, ...]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select document_id, check_name, severity, table_kind, message from marts.fct_quality_issue"
            " where found_by = 'mart check'"
        ).fetchall()


def test_what_the_mart_checks_find_lands_in_fct_quality_issue(
    built_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error stops the publish: the rejected build is kept, its fct_quality_issue holding the finding; a
    warning is published with it. Cost: two dbt runs of the quality marts (about 5 s each)."""
    from flows.publish import rejected_path
    from warehouse.mart_checks import read_mart_check_results

    published, before = built_warehouse, built_warehouse.read_bytes()
    error = Problem(
        "marts.fct_summary_line.vocabulary",
        "error",
        "marts.fct_summary_line row 0: line_key outside the contract's words",
        table_kind="income_summary",
        document_id=COMPLETE_ID,
    )

    stopped = _rebuild_finding(monkeypatch, published, error)

    assert not stopped.published and stopped.rejected_build == rejected_path(published)
    assert published.read_bytes() == before
    assert f"kept at {rejected_path(published)}" in (stopped.failure or "")
    assert _mart_check_issues(rejected_path(published)) == [
        (COMPLETE_ID, error.check_name, "error", "income_summary", error.message)
    ]
    with duckdb.connect(str(rejected_path(published)), read_only=True) as con:
        recorded = read_mart_check_results(con)
    assert recorded == [("fct_summary_line", error.check_name, "error", COMPLETE_ID, error.message)]

    warning = Problem("marts.dim_document.format", "warning", "marts.dim_document row 1: odd", document_id=DAMAGED_ID)
    passed = _rebuild_finding(monkeypatch, published, warning)

    assert passed.published and passed.completed
    assert not rejected_path(published).exists()  # history once a build is published
    assert _mart_check_issues(published) == [(DAMAGED_ID, warning.check_name, "warning", None, warning.message)]


def test_the_load_s_writes_reach_the_file_with_the_build_s_checkpoint_and_none_is_published_unchecked(
    tmp_path: Path,
) -> None:
    # The load's connection closes without a checkpoint (warehouse/raw.py): the rows wait in the WAL for the next
    # opener (the build), and publish checkpoints the copy before it replaces the published file.
    from flows.publish import publish, wal_of, working_path
    from warehouse.raw import close_without_checkpoint

    published = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(published)) as con:
        con.execute("create table loaded (document_id varchar)")
    work = working_path(published)
    work.parent.mkdir(parents=True)
    work.write_bytes(published.read_bytes())

    load = duckdb.connect(str(work))
    load.execute("insert into loaded values ('the new document')")
    close_without_checkpoint(load)
    assert wal_of(work).exists(), "the load's rows are in the WAL, not checkpointed"
    with duckdb.connect(str(work), read_only=True) as build:
        assert build.execute("select * from loaded").fetchall() == [("the new document",)]

    publish(work, published)
    assert not wal_of(published).exists() and not wal_of(work).exists()
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select * from loaded").fetchall() == [("the new document",)]

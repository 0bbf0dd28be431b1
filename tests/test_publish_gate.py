"""Damage never wins: failures a retry could fix are retried by the next run, a failing mart check stops
the publish, and a damaged copy of a loaded report never supersedes the complete reading."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

import flows.extraction as extraction
from extract import ExtractionError
from flows.extraction import _failed, check_with_deadline
from flows.plan import is_retryable, plan_run
from flows.timeout import CallTimeout, ChildCrashed
from flows.version import READING_VERSION
from warehouse.raw import load_document

NOW = datetime(2026, 1, 1)


def _write_failed(warehouse: Path, pdf: Path, reason: str) -> None:
    outcome = _failed(str(pdf), pdf.read_bytes(), reason, None)
    with duckdb.connect(str(warehouse)) as con:
        assert load_document(
            con,
            outcome.document,
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
        check_with_deadline(b"%PDF-1.7", "report.pdf", 5)
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
    # The retry's reading replaces the failure although the extractor version is the same.
    outcome = _failed(str(timed_out), timed_out.read_bytes(), "no tables found", None)
    with duckdb.connect(str(warehouse)) as con:
        assert load_document(
            con,
            outcome.document,
            status="failed",
            status_reason="no tables found",
            issues=[],
            file_path=str(timed_out),
            extractor_version=READING_VERSION,
            ingested_at=NOW,
        )
    assert plan_run([inbox], warehouse).todo == []

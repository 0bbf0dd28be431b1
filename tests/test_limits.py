"""Per-document limits (flows/limits.py): a child over its memory limit is killed and the document fails
saying so, a document over the page limit fails before any page is parsed, a page that parses past the
deadline times out — and a failure a retry could fix is retried, but only MAX_ATTEMPTS times.

Cost: about 10 s of short-lived children (one killed after 1 s of parsing, one after 1.5 s idle); more on a
busy machine."""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
import time
import zlib
from datetime import datetime
from pathlib import Path

import duckdb
import psutil
import pytest

import flows.extraction as extraction
from extract import ExtractedDocument
from extract.model import DocumentMeta, Problem
from flows.extraction import process_file
from flows.limits import DocumentLimits
from flows.plan import MAX_ATTEMPTS, fingerprint, is_retryable, plan_run, with_attempts_counted
from flows.summary import DocumentOutcome
from flows.timeout import IsolatedCaller, OverMemoryLimit, call_with_deadline
from flows.version import READING_VERSION
from samples.bad_pdfs import raw_pdf
from warehouse.raw import load_document

ROOT = Path(__file__).resolve().parents[1]


def _in_this_process(page_limit: int) -> DocumentLimits:
    """Only a page limit: no time or memory limit, so the file is read in this process."""
    return DocumentLimits(timeout=None, memory_limit_mib=None, page_limit=page_limit)


def _pdf(contents: list[bytes]) -> bytes:
    """A PDF of one page per content stream (Helvetica as /F1), written out by hand."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for content in contents:
        data = zlib.compress(content)
        objects.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(data), data))
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
            b" /Contents %d 0 R >>" % (len(objects))
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    return raw_pdf(objects)


def _text_page(text: str) -> bytes:
    return b"BT /F1 12 Tf 72 720 Td (%s) Tj ET" % text.encode()


_A_RUN_WITH_A_CALL_UNDER_WAY = """
import threading, time
import psutil
from flows.timeout import IsolatedCaller

caller = IsolatedCaller()  # called from a thread, as the dbt child and the reading children are
threading.Thread(target=caller.call, args=(time.sleep, 120), kwargs={"seconds": None}, daemon=True).start()
while not psutil.Process().children():
    time.sleep(0.05)
print(psutil.Process().children()[0].pid, flush=True)
time.sleep(120)
"""


def test_a_child_whose_run_is_killed_mid_call_exits_and_does_not_finish_the_call() -> None:
    run = subprocess.Popen(
        [sys.executable, "-c", _A_RUN_WITH_A_CALL_UNDER_WAY], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        assert run.stdout is not None
        child = int(run.stdout.readline())
        run.kill()  # SIGKILL: the run has no say; its child is in a two-minute call
        run.wait()
        deadline = time.monotonic() + 10
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(child)
    finally:
        if run.poll() is None:
            run.kill()


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


# --- memory ------------------------------------------------------------------------------------------------


def test_an_idle_child_closed_exits_by_itself_with_its_exit_handlers_run(tmp_path: Path) -> None:
    """Killed, a child's exit handlers never run: the dbt child's semaphores were reported leaked on serve's log
    after every run, and the gate's folders of the reading children were left in the temporary folder."""
    marker = tmp_path / "exit-handlers-ran"
    caller = IsolatedCaller()
    caller.call(atexit.register, Path.write_text, marker, "yes", seconds=30)
    child = caller._process
    caller.close()
    assert child is not None and child.wait(10) == 0
    assert marker.read_text() == "yes"


def test_a_child_over_its_memory_limit_is_killed_and_the_next_call_has_a_fresh_one() -> None:
    caller = IsolatedCaller()
    try:
        with pytest.raises(OverMemoryLimit, match=r"its process reached \d+ MiB"):
            caller.call(list, range(20_000_000), seconds=60, memory_mib=100)  # would take ~700 MiB
        assert caller.call(divmod, 7, 2, seconds=30, memory_mib=100) == (3, 1)
    finally:
        caller.close()


def test_a_child_with_nothing_more_to_read_is_stopped_and_gives_its_memory_back() -> None:
    child = call_with_deadline(os.getpid, seconds=30, linger=1.0)
    assert call_with_deadline(os.getpid, seconds=30) == child  # a call within the linger: it stays
    time.sleep(1.5)
    assert psutil.pid_exists(child)

    stopping = call_with_deadline(os.getpid, seconds=30, linger=0.1)
    deadline = time.monotonic() + 10
    while psutil.pid_exists(stopping) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not psutil.pid_exists(stopping)


def test_a_document_read_over_the_memory_limit_fails_saying_so_and_is_retried(tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(_pdf([_text_page("A page.")]))

    # The child importing the extractor alone takes it past 40 MiB.
    outcome = process_file(str(pdf), DocumentLimits(timeout=60, memory_limit_mib=40, page_limit=None))

    assert outcome.status == "failed"
    assert outcome.reason is not None and outcome.reason.startswith("over the memory limit (40 MiB)")
    assert is_retryable(outcome.status, outcome.reason)


# --- pages and time ----------------------------------------------------------------------------------------


def test_a_document_over_the_page_limit_fails_before_any_page_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(_pdf([_text_page(f"Page {n}.") for n in range(1, 4)]))

    def parse(*_args: object) -> None:
        raise AssertionError("a page was parsed")

    monkeypatch.setattr(extraction, "extract_document", parse)
    outcome = process_file(str(pdf), _in_this_process(page_limit=2))  # no time limit

    assert (outcome.status, outcome.reason) == ("failed", "too many pages (3, the limit is 2)")
    assert not is_retryable(outcome.status, outcome.reason)
    at_the_limit = process_file(str(pdf), _in_this_process(page_limit=3))
    assert "a page was parsed" in (at_the_limit.reason or "")  # read


def test_a_page_that_parses_past_the_deadline_times_out(tmp_path: Path) -> None:
    dust = b"\n".join(b"BT /F1 1 Tf %d %d Td (x) Tj ET" % (i % 590, i // 590 % 840) for i in range(300_000))
    pdf = tmp_path / "dust.pdf"
    pdf.write_bytes(_pdf([dust]))

    outcome = process_file(str(pdf), DocumentLimits(timeout=1, memory_limit_mib=None, page_limit=None))

    assert (outcome.status, outcome.reason) == ("failed", "extraction timed out after 1 s")


# --- retries, but not forever ----------------------------------------------------------------------------


def _failed(pdf: Path, reason: str) -> DocumentOutcome:
    meta = DocumentMeta(fingerprint(pdf), pdf.name, None, None, None, None, None, 0)
    document = ExtractedDocument(meta=meta, problems=[Problem("unreadable_document", "error", reason)])
    return DocumentOutcome(str(pdf), document, "failed", reason)


def _load(warehouse: Path, outcome: DocumentOutcome) -> None:
    with duckdb.connect(str(warehouse)) as con:
        assert load_document(
            con,
            outcome.document,
            status=outcome.status,
            status_reason=outcome.reason,
            issues=[],
            file_path=outcome.path,
            extractor_version=READING_VERSION,
            ingested_at=datetime(2026, 1, 1),
        )


def _stored(warehouse: Path) -> tuple[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute("select status_reason, attempts from raw.documents").fetchone()
    assert row is not None
    return row[0], row[1]


def test_a_failure_a_retry_could_fix_is_read_three_times_then_stays_failed_saying_so(tmp_path: Path) -> None:
    inbox, warehouse = tmp_path / "inbox", tmp_path / "warehouse.duckdb"
    inbox.mkdir()
    pdf = inbox / "slow.pdf"
    pdf.write_bytes(b"%PDF-1.7 slow")
    timed_out = "extraction timed out after 300 s"
    _load(warehouse, _failed(pdf, timed_out))  # the first run's reading
    assert plan_run([inbox], warehouse, extractor_version="next").attempts == {}  # another version starts anew
    assert MAX_ATTEMPTS == 3

    for attempt in (2, 3):
        plan = plan_run([inbox], warehouse)
        assert plan.todo == [pdf.resolve()] and plan.attempts == {fingerprint(pdf): attempt - 1}
        (outcome,) = with_attempts_counted(plan, [_failed(pdf, timed_out)])
        _load(warehouse, outcome)

    assert _stored(warehouse) == (f"{timed_out} (3 attempts)", 3)
    assert plan_run([inbox], warehouse).todo == []  # stays failed under this extractor version
    assert plan_run([inbox], warehouse, extractor_version="next").todo == [pdf.resolve()]  # a new one reads it


def test_a_retry_that_reads_or_fails_for_good_is_not_marked_and_old_rows_count_as_one_attempt(
    tmp_path: Path,
) -> None:
    inbox, warehouse = tmp_path / "inbox", tmp_path / "warehouse.duckdb"
    inbox.mkdir()
    pdf = inbox / "report.pdf"
    pdf.write_bytes(b"%PDF-1.7 report")
    _load(warehouse, _failed(pdf, "over the memory limit (1024 MiB): its process reached 1100 MiB"))
    with duckdb.connect(str(warehouse)) as con:  # a warehouse from before the count
        con.execute("alter table raw.documents drop column attempts")

    plan = plan_run([inbox], warehouse)
    assert plan.attempts == {fingerprint(pdf): 1}
    plan.attempts[fingerprint(pdf)] = MAX_ATTEMPTS - 1  # its last attempt
    not_a_table = _failed(pdf, "no tables found")
    assert with_attempts_counted(plan, [not_a_table]) == [not_a_table]

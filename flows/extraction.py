"""Reading one document — extraction, then the gate's verdict — in a child process with a deadline
(see flows/timeout.py). The gate runs beside the extraction so that the worker process, busy with
orchestration, never holds up the document's CPU work, and a runaway check is bounded too."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from extract import ExtractedDocument, ExtractionError, document_id_of, extract_document
from extract.model import DocumentMeta, FileKind, Problem
from flows.inbox import Refusal, cannot_read, readable_path
from flows.summary import DocumentOutcome
from flows.timeout import CallTimeout, ChildCrashed, RemoteError, call_with_deadline

DEFAULT_TIMEOUT_SECONDS = 300.0  # a 350-page real report takes about 35 s on one core
WARM_UP_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class CheckedDocument:
    """A document as read and the gate's verdict on it; status None: no table, nothing to check."""

    document: ExtractedDocument
    status: str | None = None
    issues: list[Problem] = field(default_factory=list)
    reason: str | None = None  # why it was quarantined, or which tables were withheld, in one line
    withheld: dict[str, str] = field(default_factory=dict)
    identity_tally: dict[str, int] = field(default_factory=dict)


def extract_and_check(data: bytes, file_name: str) -> CheckedDocument:
    document = extract_document(data, file_name)
    if not document.tables:  # scanned, or the explanation without its tables
        return CheckedDocument(document)
    from expectations.gate import default_gate  # built once per process
    from flows.server import quiet_libraries

    quiet_libraries()
    result = default_gate().check(document)
    return CheckedDocument(
        document, result.status, list(result.issues), result.reason, dict(result.withheld), dict(result.identity_tally)
    )


def check_with_deadline(data: bytes, file_name: str, seconds: float | None) -> CheckedDocument:
    """`extract_and_check` in a child process, killed after `seconds` (None or <= 0: in this process,
    no deadline). Raises ExtractionError for an unreadable document and for one that overran its
    deadline or killed its process (neither would go better on a retry); RuntimeError for a bug."""
    if not seconds or seconds <= 0:
        return extract_and_check(data, file_name)
    try:
        result = call_with_deadline(_extract_and_check, data, file_name, seconds=seconds)
    except CallTimeout as exc:
        raise ExtractionError(file_name, f"extraction timed out after {seconds:g} s") from exc
    except ChildCrashed as exc:
        raise ExtractionError(file_name, f"extraction crashed its process: {exc}") from exc
    except RemoteError as exc:
        raise RuntimeError(str(exc)) from exc
    if isinstance(result, CheckedDocument):
        return result
    reason, page, file_kind = result
    raise ExtractionError(file_name, reason, page, file_kind)


def warm_child() -> None:
    """Start a child and build the gate in it, ahead of the first document."""
    call_with_deadline(_warm, seconds=WARM_UP_SECONDS)


def _warm() -> None:
    from expectations.gate import default_gate

    default_gate()


def _extract_and_check(data: bytes, file_name: str) -> CheckedDocument | tuple[str, int | None, FileKind]:
    # Runs in the child. ExtractionError's constructor does not survive pickling: send its parts.
    try:
        return extract_and_check(data, file_name)
    except ExtractionError as exc:
        return exc.reason, exc.page, exc.file_kind


def read_file(path: str, timeout: float | None = None) -> CheckedDocument | DocumentOutcome:
    """Extract and check one file (in a child process killed after `timeout` seconds); a file that is
    not a readable document, or takes too long, becomes a 'failed' outcome, as does one that is gone or
    forbidden by the time it is read (it is retried by the next run)."""
    try:
        data = Path(path).read_bytes()
    except (FileNotFoundError, PermissionError) as exc:
        return refused_outcome(Refusal(Path(path), cannot_read(exc)))
    # any other OSError is transient (a network share): the task retries
    try:
        return check_with_deadline(data, readable_path(Path(path).name), timeout)
    except ExtractionError as exc:
        return _failed(path, document_id_of(data), exc.reason, exc.page, exc.file_kind)
    except Exception as exc:  # a bug must not stop the batch: report it against the file
        return _failed(path, document_id_of(data), f"extractor crashed: {type(exc).__name__}: {exc}", None)


def refused_outcome(refusal: Refusal) -> DocumentOutcome:
    """A file caijue did not read (flows/inbox.py) as a failed outcome."""
    return _failed(str(refusal.path), refusal.document_id, refusal.reason, None)


def _failed(
    path: str, document_id: str, reason: str, page: int | None, file_kind: FileKind | None = None
) -> DocumentOutcome:
    name = readable_path(Path(path).name)
    meta = DocumentMeta(document_id, name, None, None, None, None, None, 0)
    problem = Problem("unreadable_document", "error", f"{name}: {reason}", page=page)
    document = ExtractedDocument(meta=meta, problems=[problem], file_kind=file_kind)
    return DocumentOutcome(readable_path(path), document, "failed", reason, [])


def outcome_of(path: str, read: CheckedDocument | DocumentOutcome) -> DocumentOutcome:
    """The gate's verdict on one document as an outcome (a failed read passes through as it is)."""
    if isinstance(read, DocumentOutcome):
        return read
    document = read.document
    if read.status is None:  # scanned, or the explanation without its tables: nothing to check or load
        reasons = [p.message for p in document.problems if p.check_name == "no_tables_found"]
        return DocumentOutcome(path, document, "failed", "; ".join(reasons) or "no tables found", [])
    return DocumentOutcome(
        path, document, read.status, read.reason, list(read.issues), dict(read.withheld), dict(read.identity_tally)
    )


def process_file(path: str, timeout: float | None = None) -> DocumentOutcome:
    """Extract and gate one file; its outcome names it readably (flows/inbox.py: readable_path)."""
    return outcome_of(readable_path(path), read_file(path, timeout))

"""Reading one document — extraction, then the gate's verdict — in a child process with a deadline
(see flows/timeout.py). The gate runs beside the extraction so that the worker process, busy with
orchestration, never holds up the document's CPU work, and a runaway check is bounded too."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extract import ExtractedDocument, ExtractionError, document_id_of, extract_document
from extract.model import DocumentMeta, FileKind, Problem
from extract.page_count import page_count
from flows.inbox import Refusal, cannot_read, readable_path
from flows.limits import DocumentLimits
from flows.summary import DocumentOutcome
from flows.timeout import CallTimeout, ChildCrashed, OverMemoryLimit, RemoteError, call_with_deadline

WARM_UP_SECONDS = 300.0
# A reading child with no document for this long is stopped: a run's children give their ~300-600 MiB back
# when its documents are read, before dbt builds (measured: the 2 children held 608 MiB of a run's 1,989 MiB
# peak). Within the stage a worker's next document comes in a second or two; a child stopped early costs a
# cold start (~6 s), not a failure.
CHILD_LINGER_SECONDS = 15.0


@dataclass(frozen=True, slots=True)
class CheckedDocument:
    """A document as read and the gate's verdict on it; status None: no table, nothing to check."""

    document: ExtractedDocument
    status: str | None = None
    issues: list[Problem] = field(default_factory=list)
    reason: str | None = None  # why it was quarantined, or which tables were withheld, in one line
    withheld: dict[str, str] = field(default_factory=dict)
    identity_tally: dict[str, int] = field(default_factory=dict)
    validations: tuple[Any, ...] = ()  # the gate's GX suite results (GateResult.validations), for the Data Docs


def extract_and_check(data: bytes, file_name: str, page_limit: int | None = None) -> CheckedDocument:
    """The document as read and the gate's verdict; ExtractionError when it cannot be read, at once when it has
    more pages than `page_limit` (None: any number)."""
    check_page_count(data, file_name, page_limit)
    document = extract_document(data, file_name)
    if not document.tables:  # scanned, or the explanation without its tables
        return CheckedDocument(document)
    from expectations.gate import default_gate  # built once per process
    from flows.server import quiet_libraries

    quiet_libraries()
    result = default_gate().check(document, data)  # the pages it finds contested are read a second time
    return CheckedDocument(
        document,
        result.status,
        list(result.issues),
        result.reason,
        dict(result.withheld),
        dict(result.identity_tally),
        result.validations,
    )


def check_page_count(data: bytes, file_name: str, page_limit: int | None) -> None:
    """ExtractionError when the document has more pages than `page_limit`, before any page is parsed."""
    pages = page_count(data) if page_limit is not None else None
    if pages is not None and page_limit is not None and pages > page_limit:
        raise ExtractionError(file_name, f"too many pages ({pages}, the limit is {page_limit})")


def check_with_deadline(
    data: bytes,
    file_name: str,
    seconds: float | None,
    *,
    memory_limit_mib: int | None = None,
    page_limit: int | None = None,
) -> CheckedDocument:
    """`extract_and_check` in a child process, killed after `seconds` or when its resident memory goes
    over `memory_limit_mib` MiB (None or <= 0: no such limit; with neither, in this process). Raises
    ExtractionError for an unreadable document and for one that overran a limit or killed its process
    (flows/plan.py retries those); RuntimeError for a bug."""
    seconds = seconds if seconds and seconds > 0 else None
    memory_limit_mib = memory_limit_mib if memory_limit_mib and memory_limit_mib > 0 else None
    if seconds is None and memory_limit_mib is None:
        return extract_and_check(data, file_name, page_limit)
    try:
        result = call_with_deadline(
            _extract_and_check,
            data,
            file_name,
            page_limit,
            seconds=seconds,
            memory_mib=memory_limit_mib,
            linger=CHILD_LINGER_SECONDS,
        )
    except CallTimeout as exc:
        raise ExtractionError(file_name, f"extraction timed out after {seconds:g} s") from exc
    except OverMemoryLimit as exc:
        raise ExtractionError(file_name, f"over the memory limit ({memory_limit_mib} MiB): {exc}") from exc
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


def _extract_and_check(
    data: bytes, file_name: str, page_limit: int | None = None
) -> CheckedDocument | tuple[str, int | None, FileKind]:
    # Runs in the child. ExtractionError's constructor does not survive pickling: send its parts.
    try:
        return extract_and_check(data, file_name, page_limit)
    except ExtractionError as exc:
        return exc.reason, exc.page, exc.file_kind


def read_file(
    path: str, timeout: float | None = None, *, memory_limit_mib: int | None = None, page_limit: int | None = None
) -> CheckedDocument | DocumentOutcome:
    """Extract and check one file (in a child process killed after `timeout` seconds or past
    `memory_limit_mib`; see DocumentLimits); a file that is not a readable document, or goes over a limit,
    becomes a 'failed' outcome, as does one that is gone or forbidden by the time it is read (it is
    retried by the next run)."""
    try:
        data = Path(path).read_bytes()
    except (FileNotFoundError, PermissionError) as exc:
        return refused_outcome(Refusal(Path(path), cannot_read(exc)))
    # any other OSError is transient (a network share): the task retries
    try:
        name = readable_path(Path(path).name)
        return check_with_deadline(data, name, timeout, memory_limit_mib=memory_limit_mib, page_limit=page_limit)
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
        path,
        document,
        read.status,
        read.reason,
        list(read.issues),
        dict(read.withheld),
        dict(read.identity_tally),
        read.validations,
    )


def process_file(
    path: str, timeout: float | None = None, *, memory_limit_mib: int | None = None, page_limit: int | None = None
) -> DocumentOutcome:
    """Extract and gate one file within its limits (see read_file); its outcome names it readably
    (flows/inbox.py: readable_path)."""
    read = read_file(path, timeout, memory_limit_mib=memory_limit_mib, page_limit=page_limit)
    return outcome_of(readable_path(path), read)


def process_within(path: str, limits: DocumentLimits) -> DocumentOutcome:
    """`process_file` within these limits."""
    return process_file(path, limits.timeout, memory_limit_mib=limits.memory_limit_mib, page_limit=limits.page_limit)

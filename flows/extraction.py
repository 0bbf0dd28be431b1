"""Reading one document — extraction, then the gate's verdict — in a child process with a deadline
(see flows/timeout.py). The gate runs beside the extraction so that the worker process, busy with
orchestration, never holds up the document's CPU work, and a runaway check is bounded too."""

from __future__ import annotations

from dataclasses import dataclass, field

from extract import ExtractedDocument, ExtractionError, extract_document
from extract.model import Problem
from flows.timeout import CallTimeout, ChildCrashed, RemoteError, call_with_deadline

DEFAULT_TIMEOUT_SECONDS = 300.0  # a 350-page real report takes about 35 s on one core
WARM_UP_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class CheckedDocument:
    """A document as read and the gate's verdict on it; status None: no table, nothing to check."""

    document: ExtractedDocument
    status: str | None = None
    issues: list[Problem] = field(default_factory=list)


def extract_and_check(data: bytes, file_name: str) -> CheckedDocument:
    document = extract_document(data, file_name)
    if not document.tables:  # scanned, or the explanation without its tables
        return CheckedDocument(document)
    from expectations.gate import default_gate  # built once per process
    from flows.server import quiet_libraries

    quiet_libraries()
    result = default_gate().check(document)
    return CheckedDocument(document, result.status, list(result.issues))


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
    reason, page = result
    raise ExtractionError(file_name, reason, page)


def warm_child() -> None:
    """Start a child and build the gate in it, ahead of the first document."""
    call_with_deadline(_warm, seconds=WARM_UP_SECONDS)


def _warm() -> None:
    from expectations.gate import default_gate

    default_gate()


def _extract_and_check(data: bytes, file_name: str) -> CheckedDocument | tuple[str, int | None]:
    # Runs in the child. ExtractionError's constructor does not survive pickling: send its parts.
    try:
        return extract_and_check(data, file_name)
    except ExtractionError as exc:
        return exc.reason, exc.page

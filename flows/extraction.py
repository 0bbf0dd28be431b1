"""Extraction of one document in a child process with a deadline (see flows/timeout.py)."""

from __future__ import annotations

from extract import ExtractedDocument, ExtractionError, extract_document
from flows.timeout import CallTimeout, ChildCrashed, RemoteError, call_with_deadline

DEFAULT_TIMEOUT_SECONDS = 300.0  # a 350-page real report takes about 35 s on one core


def extract_with_deadline(data: bytes, file_name: str, seconds: float | None) -> ExtractedDocument:
    """`extract_document` in a child process, killed after `seconds` (None or <= 0: in this process,
    no deadline). Raises ExtractionError for an unreadable document and for one that overran its
    deadline or killed its process (neither would go better on a retry); RuntimeError for a bug."""
    if not seconds or seconds <= 0:
        return extract_document(data, file_name)
    try:
        result = call_with_deadline(_extract, data, file_name, seconds=seconds)
    except CallTimeout as exc:
        raise ExtractionError(file_name, f"extraction timed out after {seconds:g} s") from exc
    except ChildCrashed as exc:
        raise ExtractionError(file_name, f"extraction crashed its process: {exc}") from exc
    except RemoteError as exc:
        raise RuntimeError(str(exc)) from exc
    if isinstance(result, ExtractedDocument):
        return result
    reason, page = result
    raise ExtractionError(file_name, reason, page)


def _extract(data: bytes, file_name: str) -> ExtractedDocument | tuple[str, int | None]:
    # Runs in the child. ExtractionError's constructor does not survive pickling: send its parts.
    try:
        return extract_document(data, file_name)
    except ExtractionError as exc:
        return exc.reason, exc.page

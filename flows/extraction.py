"""Reading one document — extraction, then the Python half of the gate (the identities, their attribution, the
whole-document checks, the second reading of contested pages) — in a child process with a deadline (see
flows/timeout.py); then the gate's GX half, a Checkpoint run over a chunk of the documents a run read
(`gate_reads`, in the flow's process: flows/gate_and_load.py). A reading child never imports Great Expectations.

One reading path: `read_file` (what a run's document task calls for each file) → `gate_reads` (the run's gate
stage, a chunk of them at a time); `process_file` is the two for one file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from expectations.assessment import GateFrames, gate_frames
from extract import ExtractedDocument, ExtractionError, document_id_of, extract_document
from extract.model import DocumentMeta, FileKind, Problem
from extract.page_count import page_count
from flows.inbox import Refusal, cannot_read, readable_path
from flows.limits import DEFAULT_LIMITS, DocumentLimits
from flows.summary import DocumentOutcome
from flows.timeout import CallTimeout, ChildCrashed, OverMemoryLimit, RemoteError, call_with_deadline

if TYPE_CHECKING:
    from expectations.gate import Gate, RunVerdicts

WARM_UP_SECONDS = 300.0
# A reading child with no document for this long is stopped: a run's children give their ~300-600 MiB back
# when its documents are read, before dbt builds (measured: the 2 children held 608 MiB of a run's 1,989 MiB
# peak). Within the stage a worker's next document comes in a second or two; a child stopped early costs a
# cold start (~6 s), not a failure.
CHILD_LINGER_SECONDS = 15.0


@dataclass(frozen=True, slots=True)
class ReadDocument:
    """A document as read and assessed, awaiting the gate's Checkpoint: `frames` None when it has no table
    (scanned, or the explanation without its tables): nothing to check or load."""

    document: ExtractedDocument
    frames: GateFrames | None = None
    path: str = ""  # the file it was read from, readable (flows/inbox.py readable_path)


def extract_and_assess(data: bytes, file_name: str, page_limit: int | None = None) -> ReadDocument:
    """The document as read, with the frames the gate's Checkpoint validates (expectations.assessment
    `gate_frames`: the pages it finds contested are read a second time); ExtractionError when it cannot be read,
    at once when it has more pages than `page_limit` (None: any number)."""
    check_page_count(data, file_name, page_limit)
    document = extract_document(data, file_name)
    if not document.tables:  # scanned, or the explanation without its tables
        return ReadDocument(document)
    return ReadDocument(document, gate_frames(document, data))


def check_page_count(data: bytes, file_name: str, page_limit: int | None) -> None:
    """ExtractionError when the document has more pages than `page_limit`, before any page is parsed."""
    pages = page_count(data) if page_limit is not None else None
    if pages is not None and page_limit is not None and pages > page_limit:
        raise ExtractionError(file_name, f"too many pages ({pages}, the limit is {page_limit})")


def assess_with_deadline(
    data: bytes,
    file_name: str,
    seconds: float | None,
    *,
    memory_limit_mib: int | None = None,
    page_limit: int | None = None,
) -> ReadDocument:
    """`extract_and_assess` in a child process, killed after `seconds` or when its resident memory goes
    over `memory_limit_mib` MiB (None or <= 0: no such limit; with neither, in this process). Raises
    ExtractionError for an unreadable document and for one that overran a limit or killed its process
    (flows/plan.py retries those); RuntimeError for a bug."""
    seconds = seconds if seconds and seconds > 0 else None
    memory_limit_mib = memory_limit_mib if memory_limit_mib and memory_limit_mib > 0 else None
    if seconds is None and memory_limit_mib is None:
        return extract_and_assess(data, file_name, page_limit)
    try:
        result = call_with_deadline(
            _extract_and_assess,
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
    if isinstance(result, ReadDocument):
        return result
    reason, page, file_kind = result
    raise ExtractionError(file_name, reason, page, file_kind)


def warm_child() -> None:
    """Start a reading child and load what reading a document needs in it, ahead of the first document."""
    call_with_deadline(warm_reader, seconds=WARM_UP_SECONDS)


def warm_reader() -> None:
    """What this process needs to read and assess a document, loaded (the extractor and the assessment are
    imported with this module): the classification lists, the extraction specs and the contract's words, each
    cached once read."""
    from expectations.vocabulary import vocabulary
    from extract.classification import load_classification
    from extract.specs import load_specs

    vocabulary()
    load_classification()
    load_specs()


def _extract_and_assess(
    data: bytes, file_name: str, page_limit: int | None = None
) -> ReadDocument | tuple[str, int | None, FileKind]:
    # Runs in the child. ExtractionError's constructor does not survive pickling: send its parts.
    try:
        return extract_and_assess(data, file_name, page_limit)
    except ExtractionError as exc:
        return exc.reason, exc.page, exc.file_kind


def read_file(path: str, limits: DocumentLimits = DEFAULT_LIMITS) -> ReadDocument | DocumentOutcome:
    """Extract and assess one file within its limits (in a child process killed after `limits.timeout` seconds
    or past `limits.memory_limit_mib`; see DocumentLimits): the document with its gate frames, or a 'failed'
    outcome for a file that is not a readable document or goes over a limit, or is gone or forbidden by the
    time it is read (it is retried by the next run). The one reading path of a run and of `process_file`."""
    try:
        data = Path(path).read_bytes()
    except (FileNotFoundError, PermissionError) as exc:
        return refused_outcome(Refusal(Path(path), cannot_read(exc)))
    # any other OSError is transient (a network share): the task retries
    try:
        name = readable_path(Path(path).name)
        read = assess_with_deadline(
            data, name, limits.timeout, memory_limit_mib=limits.memory_limit_mib, page_limit=limits.page_limit
        )
    except ExtractionError as exc:
        return _failed(path, document_id_of(data), exc.reason, exc.page, exc.file_kind)
    except Exception as exc:  # a bug must not stop the batch: report it against the file
        return _failed(path, document_id_of(data), f"extractor crashed: {type(exc).__name__}: {exc}", None)
    return ReadDocument(read.document, read.frames, readable_path(path))


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


def gate_reads(
    reads: Sequence[ReadDocument | DocumentOutcome], gate: Gate | None = None, run_name: str = "caijue gate"
) -> list[DocumentOutcome]:
    """Each read document's outcome (in the order given): those with tables judged together in one run of the
    gate's Checkpoint (`gate`, else the process's default gate), named `run_name`; a document with no table
    fails; a failed read passes through as it is."""
    judged = [r for r in reads if isinstance(r, ReadDocument) and r.frames is not None]
    verdicts = _judge(judged, gate, run_name) if judged else None
    results = iter(verdicts.results if verdicts else [])
    outcomes = []
    for read in reads:
        if isinstance(read, DocumentOutcome):
            outcomes.append(read)
        elif read.frames is None:
            outcomes.append(_no_tables(read))
        else:
            result = next(results)
            outcomes.append(
                DocumentOutcome(
                    read.path,
                    read.document,
                    result.status,
                    result.reason,
                    list(result.issues),
                    dict(result.withheld),
                    dict(result.identity_tally),
                )
            )
    return outcomes


def _judge(reads: Sequence[ReadDocument], gate: Gate | None, run_name: str) -> RunVerdicts:
    """The gate's verdicts on documents read with their frames (gate_reads passes only those)."""
    from expectations.gate import default_gate
    from flows.server import quiet_libraries

    quiet_libraries()
    documents = [(r.document, r.frames) for r in reads if r.frames is not None]  # all of them: narrows the type
    return (gate or default_gate()).judge(documents, run_name)


def _no_tables(read: ReadDocument) -> DocumentOutcome:
    """Scanned, or the explanation without its tables: nothing to check or load."""
    reasons = [p.message for p in read.document.problems if p.check_name == "no_tables_found"]
    return DocumentOutcome(read.path, read.document, "failed", "; ".join(reasons) or "no tables found", [])


def process_file(path: str, limits: DocumentLimits = DEFAULT_LIMITS, gate: Gate | None = None) -> DocumentOutcome:
    """Read and gate one file on its own (`read_file`, then `gate_reads` over it alone); its outcome names it
    readably (flows/inbox.py: readable_path)."""
    [outcome] = gate_reads([read_file(path, limits)], gate, run_name=readable_path(Path(path).name))
    return outcome

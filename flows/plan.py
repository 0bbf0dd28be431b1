"""What a run has to do, decided before any work starts: discover the PDFs, fingerprint them and
compare with what the published warehouse already holds.

Free of Prefect and dbt, so `caijue ingest` over an unchanged inbox answers in well under a second
instead of starting a Prefect server, a Dask cluster and dbt.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from flows.inbox import Refusal, cannot_read, readable_path, survey
from flows.summary import DocumentOutcome, RunSummary
from flows.version import READING_VERSION
from warehouse.departments import Override, loaded_overrides, override_file, read_overrides
from warehouse.raw import known_documents


@dataclass(slots=True)
class Plan:
    files: list[Path]
    document_ids: dict[Path, str]  # sha256 of each file's bytes
    known: dict[str, str]  # document_id → extractor_version, as published
    todo: list[Path] = field(default_factory=list)  # one file per document to (re-)extract
    marts_exist: bool = False
    overrides: list[Override] = field(default_factory=list)  # the department override file's rows
    overrides_file: Path | None = None
    overrides_pending: bool = False  # the file says what the published warehouse does not hold yet
    refused: list[Refusal] = field(default_factory=list)  # files not read, to record as failed (flows/inbox.py)
    notes: list[str] = field(default_factory=list)  # a file found again under another name
    retried: set[str] = field(default_factory=set)  # failed documents a retry could fix, in todo again
    attempts: dict[str, int] = field(default_factory=dict)  # each retried document's readings so far

    @property
    def unchanged(self) -> int:
        return len(self.files) - len(self.todo)

    @property
    def reextract(self) -> int:
        ids = (self.document_ids[path] for path in self.todo)
        return sum(1 for document_id in ids if document_id in self.known and document_id not in self.retried)

    @property
    def up_to_date(self) -> bool:
        """Nothing to extract, the override file loaded and the marts built: the run has nothing to do."""
        return not self.todo and not self.refused and self.marts_exist and not self.overrides_pending


def discover(paths: Iterable[Path]) -> list[Path]:
    """Every *.pdf under the given files and folders (recursive), each file once, in a stable order; the
    files refused (see flows/inbox.py) are not among them."""
    return survey(paths).files


def plan_run(
    paths: Iterable[Path],
    warehouse: Path,
    extractor_version: str | None = None,
    departments: str | Path | None = None,
) -> Plan:
    """The files to extract: those whose bytes are not in the warehouse under this extractor version
    (default: the current one; a file copied twice is extracted once), and the department override file
    (`departments`, else $CAIJUE_DEPARTMENTS, else departments.csv beside the warehouse), checked first:
    a malformed file raises OverrideFileError before any work."""
    extractor_version = extractor_version or READING_VERSION
    source = override_file(warehouse, departments)
    overrides = read_overrides(source)
    inbox = survey(paths)
    ids, unreadable = _fingerprints(inbox.files)
    files = [path for path in inbox.files if path in ids]
    known, marts, loaded, failures = _published_state(warehouse)
    retry = {document_id for document_id, attempts in failures.items() if attempts < MAX_ATTEMPTS}
    todo: dict[str, Path] = {}
    for path in files:
        document_id = ids[path]
        if known.get(document_id) != extractor_version or document_id in retry:
            todo.setdefault(document_id, path)
    refused = [r for r in [*inbox.refused, *unreadable] if r.retry or known.get(r.document_id) != extractor_version]
    notes = inbox.notes + _same_bytes_notes(files, ids)
    pending = (loaded or []) != overrides
    plan = Plan(files, ids, known, list(todo.values()), marts, overrides, source.path, pending, refused, notes)
    plan.retried = retry & todo.keys()
    # Readings under this extractor version: under another, the document starts again at one.
    plan.attempts = {d: failures[d] for d in plan.retried if known.get(d) == extractor_version}
    return plan


def _fingerprints(files: list[Path]) -> tuple[dict[Path, str], list[Refusal]]:
    """Each file's document_id; a file that cannot be read (permissions, gone since it was found) is
    refused instead of stopping the run."""
    ids: dict[Path, str] = {}
    unreadable: list[Refusal] = []
    for path in files:
        try:
            ids[path] = _remembered_fingerprint(path)
        except OSError as error:
            unreadable.append(Refusal(path, cannot_read(error)))
    return ids, unreadable


def _same_bytes_notes(files: list[Path], ids: dict[Path, str]) -> list[str]:
    first: dict[str, Path] = {}
    notes = []
    for path in files:
        original = first.setdefault(ids[path], path)
        if original != path:
            notes.append(f"{readable_path(path)} has the same bytes as {readable_path(original)}: read once")
    return notes


# A run plans three times (the CLI's nothing-new check, the runner's sizing, the flow's discover stage): each file is
# hashed once per process, as long as its size, modification time and inode are those it had when hashed.
_fingerprints_seen: dict[tuple[str, int, int, int], str] = {}


def _remembered_fingerprint(path: Path) -> str:
    status = path.stat()
    key = (str(path), status.st_size, status.st_mtime_ns, status.st_ino)
    if key not in _fingerprints_seen:
        _fingerprints_seen[key] = fingerprint(path)
    return _fingerprints_seen[key]


def fingerprint(path: Path) -> str:
    """The document_id: lowercase hex SHA-256 of the file (read in chunks: PDFs can be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# Failures a later run could get past (the document's bytes are not at fault, the moment was): a timeout
# on a busy night, a killed or crashed extraction process, a file unreadable for now (its task failed
# even after its retries). Status reasons starting with these words are extracted again by every run
# until they read; any other failure (not a PDF, encrypted, no tables, ...) waits for a new extractor.
RETRYABLE_FAILURES: tuple[str, ...] = (
    "extraction timed out",
    "extraction crashed its process",
    "extraction task failed",
    "over the memory limit",
)
# But not forever: a document read this many times under one extractor version, failing each time, stays
# failed (its reason ends "(3 attempts)") until a new extractor version reads it. raw.documents.attempts
# counts the readings (warehouse/raw.py).
MAX_ATTEMPTS = 3


def is_retryable(status: str, status_reason: str | None) -> bool:
    """A failed document whose failure a retry could fix (see RETRYABLE_FAILURES)."""
    return status == "failed" and (status_reason or "").startswith(RETRYABLE_FAILURES)


def with_attempts_counted(plan: Plan, outcomes: list[DocumentOutcome]) -> list[DocumentOutcome]:
    """The outcomes, a failure a retry could fix at its last attempt saying it: "… (3 attempts)"."""
    return [_said_if_last(outcome, plan.attempts.get(outcome.document.meta.document_id, 0) + 1) for outcome in outcomes]


def _said_if_last(outcome: DocumentOutcome, attempt: int) -> DocumentOutcome:
    if attempt < MAX_ATTEMPTS or not is_retryable(outcome.status, outcome.reason):
        return outcome
    return dataclasses.replace(outcome, reason=f"{outcome.reason} ({attempt} attempts)")


PublishedState = tuple[dict[str, str], bool, list[Override] | None, dict[str, int]]
_published_states: dict[Path, tuple[tuple[int, ...], PublishedState]] = {}


def _published_state(warehouse: Path) -> PublishedState:
    """What the published warehouse holds (documents, marts, overrides, retryable failures), remembered while
    its file stays the same one: a run plans before it takes the writer's lock, to begin reading at once, and
    again under it (the published file is never written in place: a publish renames a new file over it,
    flows/publish.py). Reading it is most of a plan's cost (~0.2 s: DuckDB opens the whole catalog)."""
    key = _file_identity(warehouse)
    if not key:
        return {}, False, None, {}
    key += _file_identity(warehouse.with_name(warehouse.name + ".wal"))  # what is not checkpointed yet
    remembered = _published_states.get(warehouse)
    if remembered is None or remembered[0] != key:
        remembered = _published_states[warehouse] = key, _read_published_state(warehouse)
    known, marts, loaded, failures = remembered[1]
    return dict(known), marts, None if loaded is None else list(loaded), dict(failures)


def _file_identity(path: Path) -> tuple[int, ...]:
    """The file's device, inode, size and modification time; () when there is none."""
    try:
        status = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return ()
    return status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns


def _read_published_state(warehouse: Path) -> PublishedState:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        marts = con.execute("select count(*) from information_schema.tables where table_schema = 'marts'").fetchone()
        return known_documents(con), bool(marts and marts[0]), loaded_overrides(con), _retryable_documents(con)


def _retryable_documents(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The published documents whose failure a retry could fix, each with the times it was read under its
    extractor version (1 in a warehouse older than the count)."""
    columns = {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns where table_schema = 'raw' and table_name = 'documents'"
        ).fetchall()
    }
    if not columns:
        return {}
    attempts = "coalesce(attempts, 1)" if "attempts" in columns else "1"
    rows = con.execute(
        f"select document_id, status, status_reason, {attempts} from raw.documents where status = 'failed'"
    ).fetchall()
    return {document_id: count for document_id, status, reason, count in rows if is_retryable(status, reason)}


def current_document_ids(warehouse: Path) -> set[str]:
    """The documents dim_document marks current (an empty set before the first build)."""
    if not warehouse.exists():
        return set()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        has_flag = con.execute(
            "select count(*) from information_schema.columns"
            " where table_schema = 'marts' and table_name = 'dim_document' and column_name = 'is_current'"
        ).fetchone()
        if not (has_flag and has_flag[0]):
            return set()
        return {row[0] for row in con.execute("select document_id from marts.dim_document where is_current").fetchall()}


def up_to_date_summary(
    paths: Iterable[Path], warehouse: Path, departments: str | Path | None = None
) -> RunSummary | None:
    """The summary of a run with nothing to do, or None when there is work (for the flow)."""
    started = time.perf_counter()
    plan = plan_run(paths, warehouse, departments=departments)
    if not plan.up_to_date:
        return None
    return RunSummary(
        warehouse,
        discovered=len(plan.files),
        unchanged=plan.unchanged,
        timings={"discover": time.perf_counter() - started},
    )


MAX_DOCUMENTS_PER_TASK = 16


def batched_paths(plan: Plan, slots: int) -> list[list[str]]:
    """The plan's documents to read, as the document stage's tasks take them (`batches_for`)."""
    paths = [str(path) for path in plan.todo]
    return [[paths[i] for i in batch] for batch in batches_for([_size(path) for path in plan.todo], slots)]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # gone since planning: its task reports it
        return 0


def batches_for(sizes: list[int], slots: int) -> list[list[int]]:
    """Document indexes in tasks: the biggest files first and ever smaller tasks towards the end (guided
    self-scheduling), so no slot idles while another finishes a long last task; at most
    MAX_DOCUMENTS_PER_TASK per task, to keep Prefect's per-task cost small."""
    order = sorted(range(len(sizes)), key=lambda i: (-sizes[i], i))
    batches: list[list[int]] = []
    start = 0
    while start < len(order):
        size = max(1, min(MAX_DOCUMENTS_PER_TASK, (len(order) - start) // (2 * max(1, slots))))
        batches.append(order[start : start + size])
        start += size
    return batches

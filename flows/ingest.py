"""The ingest flow: discover → extract (mapped) → gate → load → dbt build → validate marts.

Import `flows.settings.prepare_prefect` first (the CLI does): importing this module imports Prefect.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from prefect import flow, task
from prefect.task_runners import ThreadPoolTaskRunner

from extract import EXTRACTOR_VERSION, ExtractedDocument, ExtractionError, document_id_of, extract_document
from extract.model import DocumentMeta, DocumentStatus, Problem
from flows.report import say
from flows.server import prefect_api, quiet_libraries
from warehouse.dbt import DbtOutcome
from warehouse.raw import known_documents, load_document


@dataclass(slots=True)
class DocumentOutcome:
    """One file after extraction and the gate."""

    path: str
    document: ExtractedDocument
    status: DocumentStatus = "loaded"
    reason: str | None = None
    issues: list[Problem] = field(default_factory=list)


@dataclass(slots=True)
class RunSummary:
    warehouse: Path
    discovered: int = 0
    unchanged: int = 0
    outcomes: list[DocumentOutcome] = field(default_factory=list)
    facts_loaded: int = 0
    dbt_ok: bool | None = None
    dbt_message: str = ""
    mart_problems: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def counts(self) -> Counter[str]:
        return Counter(o.status for o in self.outcomes)

    @property
    def completed(self) -> bool:
        return self.dbt_ok is not False


def discover(paths: Iterable[Path]) -> list[Path]:
    """Every *.pdf under the given files and folders (recursive), each file once, in a stable order."""
    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            for pdf in sorted(path.rglob("*")):
                if pdf.is_file() and pdf.suffix.lower() == ".pdf":
                    found[pdf.resolve()] = None
        elif path.is_file():
            found[path.resolve()] = None
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
    return list(found)


def extract_file(path: str) -> ExtractedDocument | DocumentOutcome:
    """Extract one file; a file that is not a readable document becomes a 'failed' outcome."""
    data = Path(path).read_bytes()  # an OSError here is transient (network share): the task retries
    try:
        return extract_document(data, Path(path).name)
    except ExtractionError as exc:
        return _failed(path, data, exc.reason, exc.page)
    except Exception as exc:  # a bug must not stop the batch: report it against the file
        return _failed(path, data, f"extractor crashed: {type(exc).__name__}: {exc}", None)


def _failed(path: str, data: bytes, reason: str, page: int | None) -> DocumentOutcome:
    meta = DocumentMeta(document_id_of(data), Path(path).name, None, None, None, None, None, 0)
    problem = Problem("unreadable_document", "error", f"{Path(path).name}: {reason}", page=page)
    document = ExtractedDocument(meta=meta, problems=[problem])
    return DocumentOutcome(path, document, "failed", reason, [])


def gate_document(path: str, extracted: ExtractedDocument | DocumentOutcome) -> DocumentOutcome:
    """The gate's verdict on one extracted document (a failed read passes through as it is)."""
    if isinstance(extracted, DocumentOutcome):
        return extracted
    if not extracted.tables:  # scanned, or the explanation without its tables: nothing to check or load
        reasons = [p.message for p in extracted.problems if p.check_name == "no_tables_found"]
        return DocumentOutcome(path, extracted, "failed", "; ".join(reasons) or "no tables found", [])
    from expectations.gate import default_gate  # built once per worker process

    quiet_libraries()
    result = default_gate().check(extracted)
    reason = None
    if result.status == "quarantined":
        errors = [i for i in [*extracted.problems, *result.issues] if i.severity == "error"]
        reason = "; ".join(sorted({i.check_name for i in errors})) or "failed the gate"
    return DocumentOutcome(path, extracted, result.status, reason, list(result.issues))


def process_file(path: str) -> DocumentOutcome:
    """Extract and gate one file: one task per document keeps the orchestration traffic small."""
    return gate_document(path, extract_file(path))


process_task = task(process_file, name="extract-and-gate", retries=2, retry_delay_seconds=2)


def _load(warehouse: Path, outcomes: list[DocumentOutcome]) -> int:
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC).replace(tzinfo=None)
    loaded_facts = 0
    with duckdb.connect(str(warehouse)) as con:
        for outcome in outcomes:
            wrote = load_document(con, outcome.document, status=outcome.status, status_reason=outcome.reason,
                                  issues=outcome.issues, file_path=outcome.path,
                                  extractor_version=EXTRACTOR_VERSION, ingested_at=now)
            if wrote and outcome.status == "loaded":
                loaded_facts += len(outcome.document.facts)
    say(f"load: {len(outcomes)} documents written to raw, {loaded_facts} facts")
    return loaded_facts


def _marts_exist(warehouse: Path) -> bool:
    if not warehouse.exists():
        return False
    with duckdb.connect(str(warehouse), read_only=True) as con:
        found = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts'"
        ).fetchone()
    return bool(found and found[0])


def _validate_marts(warehouse: Path) -> list[Problem]:
    from expectations.gate import validate_marts

    quiet_libraries()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'").fetchall()]
        frames = {name: con.execute(f'select * from marts."{name}"').df() for name in names}
    return validate_marts(frames)


@flow(name="caijue-ingest", task_runner=ThreadPoolTaskRunner(max_workers=1), log_prints=False)
def ingest_flow(paths: list[str], warehouse: str) -> RunSummary:
    summary = RunSummary(Path(warehouse))
    clock = time.perf_counter()
    files = discover(Path(p) for p in paths)
    summary.discovered = len(files)
    known = known_documents_of(summary.warehouse)
    todo = [f for f in files if known.get(document_id_of(f.read_bytes())) != EXTRACTOR_VERSION]
    summary.unchanged = len(files) - len(todo)
    say(f"discover: {len(files)} PDF files, {summary.unchanged} unchanged, {len(todo)} to extract")
    summary.timings["discover"] = time.perf_counter() - clock

    clock = time.perf_counter()
    summary.outcomes = _extract_and_gate(todo)
    summary.timings["extract + gate"] = time.perf_counter() - clock

    clock = time.perf_counter()
    summary.facts_loaded = _load(summary.warehouse, summary.outcomes) if summary.outcomes else 0
    summary.timings["load"] = time.perf_counter() - clock

    if summary.outcomes or not _marts_exist(summary.warehouse):
        clock = time.perf_counter()
        _build(summary)
        summary.timings["dbt build"] = time.perf_counter() - clock
    if summary.dbt_ok is not False and _marts_exist(summary.warehouse):
        clock = time.perf_counter()
        summary.mart_problems = _validate_marts(summary.warehouse)
        summary.timings["validate marts"] = time.perf_counter() - clock
    return summary


def known_documents_of(warehouse: Path) -> dict[str, str]:
    if not warehouse.exists():
        return {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return known_documents(con)


def _extract_and_gate(todo: list[Path]) -> list[DocumentOutcome]:
    """Each document is extracted, then gated, on the task runner's workers; results in input order."""
    if not todo:
        return []
    paths = [str(p) for p in todo]
    gated = process_task.map(paths)
    outcomes: list[DocumentOutcome] = []
    for i, future in enumerate(gated, start=1):
        outcomes.append(future.result())
        if i == len(todo) or i % max(1, len(todo) // 10) == 0:
            say(f"extract + gate: {i}/{len(todo)} documents")
    say(f"gate: {dict(Counter(o.status for o in outcomes))}")
    return outcomes


def _build(summary: RunSummary) -> None:
    from warehouse.dbt import build_warehouse  # imports dbt (~3 s): only when a build is needed

    outcome = build_warehouse(summary.warehouse)
    summary.dbt_ok = outcome.success
    summary.dbt_message = _describe(outcome)
    say(f"dbt build: {summary.dbt_message}")


def _describe(outcome: DbtOutcome) -> str:
    if outcome.error:
        return f"dbt could not run: {outcome.error}"
    text = f"{outcome.nodes_run} nodes in {outcome.elapsed_seconds:.1f} s, {outcome.warnings} identity warnings"
    failed = "; ".join(f"{n.unique_id}: {n.message}" for n in outcome.failed)
    return f"{text}, FAILED: {failed}" if failed else text


def run_ingest(paths: list[Path], warehouse: Path, workers: int) -> RunSummary:
    """Run the flow; extraction fans out to `workers` processes when there is enough to extract."""
    quiet_libraries()
    few = len(discover(paths)) < 4
    runner = ThreadPoolTaskRunner(max_workers=1) if workers <= 1 or few else _process_runner(workers)
    with prefect_api():
        flow_with_runner = ingest_flow.with_options(task_runner=runner)
        return flow_with_runner(paths=[str(p) for p in paths], warehouse=str(warehouse))


def _process_runner(workers: int) -> object:
    # pdfplumber is pure Python: threads share one core, processes use all of them.
    from prefect_dask import DaskTaskRunner

    return DaskTaskRunner(cluster_kwargs={
        "n_workers": workers, "threads_per_worker": 1, "processes": True, "dashboard_address": ":0",
        "silence_logs": logging.CRITICAL,
    })

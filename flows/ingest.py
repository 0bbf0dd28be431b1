"""The ingest flow: discover → extract (mapped), with gate → load in chunks as the documents come
(flows/gate_and_load.py) → dbt build → mart checks → publish, each stage a Prefect task run (flows/stages.py).

Import `flows.settings.prepare_prefect` first (the CLI does): importing this module imports Prefect.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow
from prefect.task_runners import ThreadPoolTaskRunner

from extract import ExtractedDocument
from extract.model import DocumentMeta, Problem
from flows import dbt_child
from flows.document_task import process_task
from flows.extraction import ReadDocument
from flows.gate_and_load import GateAndLoad
from flows.inbox import readable_path
from flows.limits import DEFAULT_MEMORY_LIMIT_MIB, DEFAULT_PAGE_LIMIT, DEFAULT_TIMEOUT_SECONDS, DocumentLimits
from flows.plan import Plan, batched_paths, batches_for, current_document_ids, discover, plan_run
from flows.publish import discard, keep_rejected, publish, start_working_copy, working_path, writer_lock
from flows.report import run_log, say
from flows.runners import DocumentRunner, map_bounded
from flows.server import RunServer, prefect_api, quiet_libraries
from flows.stages import current_flow_run_id, mark_cancelled, run_stage
from flows.stopping import STOPPED_REASON, building, built, reclaim_stop_signals, recorded_on_stop
from flows.summary import DocumentOutcome, RunSummary
from flows.timeout import stop_idle_children
from flows.warmup import import_in_background
from warehouse.dbt import DbtOutcome, rebuilt_documents
from warehouse.mart_checks import MART_CHECK_MODEL, clear_mart_check_results, write_mart_check_results
from warehouse.mart_frames import mart_frames

__all__ = ["DocumentOutcome", "RunSummary", "discover", "ingest_flow", "rebuild", "run_ingest"]


def _validate_marts(warehouse: Path, rebuilt: frozenset[str] | None) -> list[Problem]:
    """The mart checks of the marts the contract specifies (expectations/marts.py); only those are read, and of a
    mart made document by document only the rows of the documents the build remade (`rebuilt`; None: all)."""
    from expectations.gate import default_gate, validate_marts

    quiet_libraries()
    gate = default_gate()
    # amounts as exact Decimal, never float
    frames = mart_frames(warehouse, tables=gate.checked_marts, documents=rebuilt, by_document=gate.per_document_marts)
    return validate_marts(frames, gate)


@flow(name="caijue-ingest", task_runner=ThreadPoolTaskRunner(max_workers=1), log_prints=False)
def ingest_flow(
    paths: list[str],
    warehouse: str,
    timeout_seconds: float | None = DEFAULT_TIMEOUT_SECONDS,
    max_in_flight: int = 2,
    data_docs: str | None = None,
    queued: int = 0,
    departments_file: str | None = None,
    memory_limit_mib: int | None = DEFAULT_MEMORY_LIMIT_MIB,
    page_limit: int | None = DEFAULT_PAGE_LIMIT,
) -> RunSummary:
    """Extract what is new under `paths` and publish a rebuilt `warehouse`; a run with nothing new
    changes nothing. Work happens in a private copy published atomically (flows/publish.py).
    The department override file (warehouse/departments.py) is loaded whole by every run that builds.
    Each document is read within its limits (flows/limits.py DocumentLimits; None: no limit)."""
    summary = RunSummary(Path(warehouse))
    with _cancelled_on_stop(), writer_lock(summary.warehouse, on_wait=say):
        plan = run_stage("discover", lambda: _discover(summary, [Path(p) for p in paths], departments_file))
        if plan.up_to_date:
            say("nothing new: the published warehouse is up to date")
        else:
            limits = DocumentLimits(timeout_seconds, memory_limit_mib, page_limit)
            _run_stages(summary, plan, limits, max_in_flight, queued, Path(data_docs) if data_docs else None)
    _record_summary(summary)
    return summary


@contextmanager
def _cancelled_on_stop() -> Iterator[None]:
    """A stop (flows/stopping.py) marks this flow run and its unfinished task runs Cancelled."""
    reclaim_stop_signals()
    flow_run_id = current_flow_run_id()
    if flow_run_id is None:
        yield
        return
    with recorded_on_stop(lambda: mark_cancelled(flow_run_id, STOPPED_REASON)):
        yield


def _discover(summary: RunSummary, paths: list[Path], departments_file: str | None) -> Plan:
    clock = time.perf_counter()
    plan = plan_run(paths, summary.warehouse, departments=departments_file)
    summary.discovered, summary.unchanged, summary.reextracted = len(plan.files), plan.unchanged, plan.reextract
    summary.retried = len(plan.retried)
    say(f"discover: {len(plan.files)} PDF files, {plan.unchanged} unchanged, {len(plan.todo)} to extract")
    for note in [*plan.notes, *(f"{readable_path(r.path)}: {r.reason}" for r in plan.refused)]:
        say(f"discover: {note}")
    summary.timings["discover"] = time.perf_counter() - clock
    return plan


def _run_stages(
    summary: RunSummary, plan: Plan, limits: DocumentLimits, max_in_flight: int, queued: int, data_docs: Path | None
) -> None:
    """extract, with gate and load in chunks as the documents come (flows/gate_and_load.py) → dbt build →
    validate marts → publish."""
    clock = time.perf_counter()
    later_imports = import_in_background()  # GX and the dbt child, if not begun already (flows/warmup.py)
    summary.timings.update(dict.fromkeys(("extract", "later imports", "gate", "load"), 0.0))
    with _working_copy(summary.warehouse) as work, _ended(dbt_child.end_dbt_child):
        dbt_child.parse_for(work, summary.warehouse.parent / ".dbt")  # in the dbt child, while the documents come
        if not summary.warehouse.exists():  # a first run: its working copy starts from the project's empty warehouse
            dbt_child.make_empty_warehouse_ahead()
        with GateAndLoad(
            summary, plan, work, data_docs, tail_documents=max_in_flight, before_first_gate=later_imports.join
        ) as documents:
            _extract(plan, limits, max_in_flight, queued, documents.add)
            stop_idle_children()  # the reading children's memory back now, not CHILD_LINGER_SECONDS into the build
            # the flow's thread's time waiting for documents: its chunks of gate and load are their own figures
            summary.timings["extract"] = time.perf_counter() - clock - documents.seconds
            documents.finish()
        _build_and_publish(summary, work)


@contextmanager
def _ended(end: Callable[[], None]) -> Iterator[None]:
    try:
        yield
    finally:
        end()


def rebuild(summary: RunSummary, load: Callable[[Path], None]) -> None:
    """(working copy) load → dbt build → mart checks → publish, each a Prefect task run in a flow run: the
    path by which `caijue departments --apply` changes the published warehouse (a run's documents are loaded
    into the working copy as they come: `_run_stages`). `load` writes into the working copy. Marts that fail a
    check are not published: the build is kept aside (flows/publish.py `keep_rejected`), its failed checks in
    its fct_quality_issue."""
    with _working_copy(summary.warehouse) as work:
        run_stage("load", lambda: _load_stage(summary, work, load))
        _build_and_publish(summary, work)


@contextmanager
def _working_copy(published: Path) -> Iterator[Path]:
    """The run's working copy of `published` (flows/publish.py), discarded when the block ends, and by a stop
    (Ctrl-C, SIGTERM: flows/stopping.py) meanwhile; the block publishes it or not."""
    work = working_path(published)
    building(work)
    try:
        yield work
    finally:
        discard(work)
        built(work)


def _build_and_publish(summary: RunSummary, work: Path) -> None:
    """dbt build → mart checks → publish of the loaded working copy."""
    run_stage("dbt build", lambda: _dbt_stage(summary, work))
    if summary.dbt_ok:  # a whole build that succeeded made the marts (_build sets it, or the stage raised)
        run_stage("mart checks", lambda: _mart_check_stage(summary, work))
    if summary.dbt_ok is False:
        say("publish: skipped (dbt build failed): the published warehouse is unchanged")
        return
    if summary.failed_mart_checks:
        summary.rejected_build = keep_rejected(work, summary.warehouse)
        say(
            f"publish: skipped ({summary.failure}): the published warehouse is unchanged;"
            f" the rejected build, its failed checks in marts.fct_quality_issue, is {summary.rejected_build}"
        )
        return
    run_stage("publish", lambda: _publish_stage(summary, work))


def _load_stage(summary: RunSummary, work: Path, load: Callable[[Path], None]) -> None:
    clock = time.perf_counter()
    say("load: copying the published warehouse to a working copy")
    start_working_copy(summary.warehouse)
    clear_mart_check_results(work)  # they were the checks of the marts this build replaces
    load(work)
    summary.timings["load"] = time.perf_counter() - clock


def _dbt_stage(summary: RunSummary, work: Path) -> None:
    clock = time.perf_counter()
    say("dbt build: started")
    _build(summary, work)
    summary.timings["dbt build"] = time.perf_counter() - clock


def _mart_check_stage(summary: RunSummary, work: Path) -> None:
    """The GX mart checks of the built marts; what they find is written to raw.mart_check_results and
    the quality marts are rebuilt from it, so it lands in fct_quality_issue like every other check."""
    clock = time.perf_counter()
    rebuilt = rebuilt_documents(work, summary.dbt_invocation_id) if summary.dbt_invocation_id else None
    summary.mart_problems = _validate_marts(work, rebuilt)
    if summary.mart_problems:
        failed = len(summary.failed_mart_checks)
        say(f"mart checks: {len(summary.mart_problems)} found ({failed} stop the publish): recording them")
        write_mart_check_results(work, summary.mart_problems, datetime.now(UTC).replace(tzinfo=None))
        _rebuild_quality_marts(summary, work)
    else:
        say(f"mart checks: passed{_scope(rebuilt)}")
    summary.timings["validate marts"] = time.perf_counter() - clock


def _scope(rebuilt: frozenset[str] | None) -> str:
    if rebuilt is None:
        return ""
    return f" (the fact marts' rows of the {len(rebuilt)} document{'s' * (len(rebuilt) != 1)} this build remade)"


def _rebuild_quality_marts(summary: RunSummary, work: Path) -> None:
    outcome = dbt_child.build(
        work,
        select=f"{MART_CHECK_MODEL}+",
        work_dir=summary.warehouse.parent / ".dbt",
        command="run",
        on_node=run_log(),
    )
    if not outcome.success:
        say(f"mart checks: their results are in raw.mart_check_results only: {_describe(outcome)}")


def _publish_stage(summary: RunSummary, work: Path) -> None:
    published = summary.warehouse
    summary.superseded = len(current_document_ids(published) - current_document_ids(work))
    say("publish: started")
    summary.timings["publish"] = publish(work, published)
    summary.published = True
    say(f"publish: {published}")


def _record_summary(summary: RunSummary) -> None:
    """The run summary as a Prefect artifact (in the UI under the flow run, and `prefect artifact ls`)."""
    from prefect.artifacts import create_markdown_artifact

    from flows.report import summary_markdown

    create_markdown_artifact(
        key="caijue-run-summary",
        markdown=summary_markdown(summary),
        description=f"caijue ingest into {summary.warehouse}",
    )


def _extract(
    plan: Plan,
    limits: DocumentLimits,
    max_in_flight: int,
    queued: int,
    on_read: Callable[[int, ReadDocument | DocumentOutcome], None],
) -> None:
    """Each document is extracted and assessed on the task runner's workers, handed to `on_read` with its
    position in the plan's to-do list as its task finishes (the run's gate and load: flows/gate_and_load.py).
    A document whose task fails even after its retries is reported failed: it never fails the run.
    `queued` more tasks than slots wait at the scheduler, so a slot that finishes starts the next at once
    instead of idling while its result travels back here and the next task is submitted (or while this thread
    gates and loads a chunk)."""
    if not plan.todo:
        return
    paths = [str(p) for p in plan.todo]
    batches = batches_for([_file_size(p) for p in plan.todo], max_in_flight)
    done, step = 0, max(1, len(paths) // 10)
    for batch, future in map_bounded(
        process_task, [[paths[i] for i in b] for b in batches], max_in_flight + queued, limits=limits
    ):
        result = future.result(raise_on_failure=False)
        done, before = done + len(batches[batch]), done
        if done == len(paths) or done // step > before // step:
            say(f"extract: {done}/{len(paths)} documents")
        for position, index in enumerate(batches[batch]):
            outcome = result[position] if isinstance(result, list) else None
            on_read(index, outcome or _task_failed(paths[index], plan.document_ids[plan.todo[index]], result))


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # gone since planning: its task reports it
        return 0


def _task_failed(path: str, document_id: str, error: object) -> DocumentOutcome:
    reason = f"extraction task failed: {type(error).__name__}: {error}"
    path = readable_path(path)  # it is printed and stored: a name that is not UTF-8 made readable
    meta = DocumentMeta(document_id, Path(path).name, None, None, None, None, None, 0)
    problem = Problem("unreadable_document", "error", f"{Path(path).name}: {reason}")
    return DocumentOutcome(path, ExtractedDocument(meta=meta, problems=[problem]), "failed", reason, [])


def _build(summary: RunSummary, work: Path) -> None:
    # In the run's dbt child, begun with the run (flows/dbt_child.py), else here. dbt's target/ (its partial-parse
    # state) stays beside the published file, whatever copy it builds. Each model's and test's outcome goes to the
    # run's page (not the console): one line per node, from dbt's callback.
    outcome = dbt_child.build(work, work_dir=summary.warehouse.parent / ".dbt", on_node=run_log())
    summary.dbt_ok = outcome.success
    summary.dbt_message = _describe(outcome)
    summary.dbt_invocation_id = outcome.invocation_id
    say(f"dbt build: {summary.dbt_message}")


def _describe(outcome: DbtOutcome) -> str:
    if outcome.error:
        return f"dbt could not run: {outcome.error}"
    text = f"{outcome.nodes_run} nodes in {outcome.elapsed_seconds:.1f} s, {outcome.warnings} warnings"
    failed = "; ".join(f"{n.unique_id}: {n.message}" for n in outcome.failed)
    return f"{text}, FAILED: {failed}" if failed else text


def run_ingest(
    paths: list[Path],
    warehouse: Path,
    workers: int,
    *,
    dask_address: str | None = None,
    timeout_seconds: float | None = DEFAULT_TIMEOUT_SECONDS,
    data_docs: Path | None = None,
    departments_file: Path | None = None,
    memory_limit_mib: int | None = DEFAULT_MEMORY_LIMIT_MIB,
    page_limit: int | None = DEFAULT_PAGE_LIMIT,
    server: RunServer | None = None,
) -> RunSummary:
    """Run the flow; extraction fans out to `workers` processes when there is enough to extract (or to
    the Dask scheduler at `dask_address`, at most `workers` documents in flight). `server`: the run's own
    Prefect server, begun before Prefect was imported (flows/server.py begin_run_server); else one is
    started here unless PREFECT_API_URL names one."""
    quiet_libraries()
    plan = plan_run(paths, warehouse, departments=departments_file)
    if plan.todo:
        import_in_background()  # GX and dbt for the stages after the documents, begun while the server boots
    in_flight = max(1, workers)  # tasks running: a local cluster's slots, or our share of a remote one
    # The first documents are read as soon as the reading children are warm, while the server boots; the flow's
    # document stage, planned again under the writer's lock, takes those reads (flows/early_reads.py).
    limits = DocumentLimits(timeout_seconds, memory_limit_mib, page_limit)
    early = [] if dask_address else batched_paths(plan, in_flight)
    documents = DocumentRunner(workers, len(plan.todo), dask_address, early=early, limits=limits)
    started = server.started if server else time.perf_counter()
    try:
        with prefect_api(while_starting=documents.start if plan.todo else None, server=server):
            start_up = time.perf_counter() - started  # the server, and meanwhile the cluster and the warm-up
            runner = documents.runner or ThreadPoolTaskRunner(max_workers=1)
            flow_with_runner = ingest_flow.with_options(task_runner=runner)
            summary = flow_with_runner(
                paths=[str(p) for p in paths],
                warehouse=str(warehouse),
                timeout_seconds=timeout_seconds,
                max_in_flight=in_flight,
                data_docs=str(data_docs) if data_docs else None,
                queued=documents.queued,
                departments_file=str(departments_file) if departments_file else None,
                memory_limit_mib=memory_limit_mib,
                page_limit=page_limit,
            )
            summary.timings = {"start-up": start_up, **summary.timings}
            return summary
    finally:
        documents.close()
        dbt_child.end_dbt_child()  # begun with the run (flows/warmup.py), whether it built or not

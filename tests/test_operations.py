"""Nightly operation: readers during a run, incremental runs, re-published reports, extractor upgrades,
remote Dask, the per-document timeout and the run summary."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from flows.plan import MAX_DOCUMENTS_PER_TASK, batches_for

# The state a BI reader sees: whole-warehouse counts and a checksum of the facts.
STATE_SQL = """select
    (select count(*) from marts.dim_document),
    (select count(*) from marts.dim_document where is_current),
    (select count(*) from marts.fct_function_amount),
    (select coalesce(sum(hash(f)::hugeint), 0)::varchar from marts.fct_function_amount f),
    (select count(*) from raw.documents)"""

# A separate process querying in a loop: with a fresh read-only connection per query (a BI tool
# reconnecting) or one connection held for the whole loop (a long dashboard session). Two processes:
# within one process DuckDB shares one database instance per path while any connection to it is open.
READER = r"""
import json, sys, time, pathlib, duckdb
path, stop, sql, hold = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3], sys.argv[4] == "hold"
deadline = time.monotonic() + 300
held = duckdb.connect(path, read_only=True) if hold else None
seen, errors, n = {}, [], 0
print("ready", flush=True)
while not stop.exists() and time.monotonic() < deadline:
    try:
        if held is not None:
            state = json.dumps(held.execute(sql).fetchone())
        else:
            with duckdb.connect(path, read_only=True) as con:
                state = json.dumps(con.execute(sql).fetchone())
        seen[state] = seen.get(state, 0) + 1
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    n += 1
print(json.dumps({"iterations": n, "seen": seen, "errors": errors[:5], "error_count": len(errors)}), flush=True)
"""


def state(warehouse: Path) -> str:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return json.dumps(con.execute(STATE_SQL).fetchone())


def file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    from samples import generate_corpus

    folder = tmp_path_factory.mktemp("ops-corpus")
    generate_corpus(folder, departments=2, years=(2024,))
    return sorted(folder.glob("*.pdf"))[:3]


@pytest.fixture(scope="module")
def first_run(pdfs: list[Path], tmp_path_factory: pytest.TempPathFactory, prefect_harness: str) -> tuple[Path, str]:
    """The first document ingested into a new warehouse, and what the run printed."""
    from flows.ingest import run_ingest

    warehouse = tmp_path_factory.mktemp("ops-warehouse") / "warehouse.duckdb"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        first = run_ingest([pdfs[0]], warehouse, workers=1)
    assert first.published and first.counts()["loaded"] == 1
    return warehouse, printed.getvalue()


@pytest.fixture(scope="module")
def published(first_run: tuple[Path, str]) -> Path:
    """A published warehouse holding the first document."""
    return first_run[0]


STAGES = ("discover", "extract", "gate", "load", "dbt build", "mart checks", "publish")


def test_a_run_s_prefect_page_shows_every_stage_and_the_lines_the_cli_prints(first_run: tuple[Path, str]) -> None:
    """Read back through Prefect's client (issue 14): each stage a completed task run with its own timing,
    the run's log holding every progress line the CLI printed, and the run summary among its artifacts."""
    from tests.prefect_pages import flow_runs_into, run_page

    warehouse, printed = first_run
    lines = [line.split("] ", 1)[1] for line in printed.splitlines() if line.startswith("[caijue ")]
    assert any(line.startswith("publish: ") for line in lines), printed
    flow_run = flow_runs_into(warehouse)[0]  # the first run into it: this one

    page = run_page(flow_run, wait_for=lines)

    assert page.flow_run.state_type.value == "COMPLETED"
    # A stage's task run is named after it; the document batches' runs are extract-<number>.
    stages = {"extract" if run.name.startswith("extract-") else run.name: run for run in page.task_runs}
    assert set(STAGES) <= set(stages), sorted(stages)
    for name in STAGES:
        assert stages[name].state_type.value == "COMPLETED", (name, stages[name].state)
        assert stages[name].start_time is not None and stages[name].end_time is not None
    missing = [line for line in lines if line not in page.messages]
    assert not missing, f"printed, not in the run's log: {missing}"
    # dbt's nodes, one line each, on the run's page only (warehouse/dbt.py on_node): the console keeps one per stage.
    nodes = [message for message in page.messages if message.startswith("dbt: ")]
    assert any(m.startswith("dbt: model marts.fct_function_amount success in ") for m in nodes), nodes
    assert any(m.startswith("dbt: test column_checks_dim_document pass in ") for m in nodes), nodes
    assert not any(line.startswith("dbt: ") for line in lines)
    assert "caijue-run-summary" in {artifact.key for artifact in page.artifacts}


def test_readers_are_never_blocked_and_see_the_old_or_the_new_warehouse(
    pdfs: list[Path], published: Path, tmp_path: Path
) -> None:
    from flows.ingest import run_ingest

    old = state(published)
    stop = tmp_path / "stop"
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(published), str(stop), STATE_SQL, mode],
            stdout=subprocess.PIPE,
            text=True,
        )
        for mode in ("reconnect", "hold")
    ]
    try:
        assert all(r.stdout is not None and r.stdout.readline().strip() == "ready" for r in readers)
        summary = run_ingest(pdfs, published, workers=1)
        time.sleep(0.5)  # let the readers query the new file a few times
    finally:
        stop.touch()
        reconnecting, holding = (json.loads(r.communicate(timeout=60)[0].strip().splitlines()[-1]) for r in readers)
    new = state(published)

    assert summary.published and summary.counts()["loaded"] == 2 and summary.unchanged == 1, [
        (o.path, o.status, o.reason) for o in summary.outcomes
    ]
    assert reconnecting["error_count"] == 0 and holding["error_count"] == 0, reconnecting["errors"] + holding["errors"]
    assert set(reconnecting["seen"]) <= {old, new}, "a reader saw a half-built warehouse"
    assert old in reconnecting["seen"] and new in reconnecting["seen"] and reconnecting["iterations"] > 20
    assert set(holding["seen"]) == {old}, "a connection opened before the publish keeps reading the old file"


def test_an_unchanged_inbox_is_answered_without_work_and_changes_nothing(
    pdfs: list[Path], published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from flows.cli import main
    from flows.ingest import run_ingest

    before = file_sha(published)
    started = time.perf_counter()
    assert main(["ingest", *map(str, pdfs), "--warehouse", str(published)]) == 0
    quick = time.perf_counter() - started
    assert "| discovered | 3 |" in capsys.readouterr().out
    assert quick < 3, f"the unchanged path took {quick:.1f} s"

    flow_run = run_ingest(pdfs, published, workers=1)  # the flow itself (a scheduled run) skips too
    assert flow_run.outcomes == [] and flow_run.unchanged == 3 and not flow_run.published
    assert "dbt build" not in flow_run.timings
    assert file_sha(published) == before


def test_a_republished_report_supersedes_the_old_one_in_the_marts(
    pdfs: list[Path], published: Path, tmp_path: Path
) -> None:
    from flows.ingest import run_ingest

    original = pdfs[1]
    corrected = tmp_path / f"corrected-{original.name}"
    corrected.write_bytes(original.read_bytes() + b"\n% re-published\n")  # new bytes, same report
    old_id, new_id = file_sha(original), file_sha(corrected)

    summary = run_ingest([corrected], published, workers=1)

    assert summary.counts()["loaded"] == 1 and summary.superseded == 1
    with duckdb.connect(str(published), read_only=True) as con:
        current = dict(
            con.execute(
                "select document_id, is_current from marts.dim_document where document_id in (?, ?)", [old_id, new_id]
            ).fetchall()
        )
        fact_documents = {
            r[0]
            for r in con.execute(
                "select distinct document_id from marts.fct_function_amount where document_id in (?, ?)",
                [old_id, new_id],
            ).fetchall()
        }
    assert current == {old_id: False, new_id: True}, "the old version stays in history, not current"
    assert fact_documents == {new_id}, "facts are never counted twice"


def test_a_new_extractor_version_re_extracts_on_a_remote_dask_scheduler(
    pdfs: list[Path], published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from distributed import LocalCluster

    import flows.gate_and_load
    import flows.plan
    from flows.ingest import run_ingest

    monkeypatch.setattr(flows.plan, "READING_VERSION", "99.0.0")
    monkeypatch.setattr(flows.gate_and_load, "READING_VERSION", "99.0.0")
    # A scheduler reached by its tcp:// address, as a remote one would be (worker threads: quicker to start).
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster:
        summary = run_ingest([pdfs[2]], published, workers=1, dask_address=cluster.scheduler_address)

    assert summary.reextracted == 1 and summary.counts()["loaded"] == 1 and summary.published
    with duckdb.connect(str(published), read_only=True) as con:
        version = con.execute(
            "select extractor_version from marts.dim_document where document_id = ?", [file_sha(pdfs[2])]
        ).fetchone()
    assert version == ("99.0.0",)
    assert "re-extracted (new extractor version) | 1 |" in _summary_text(summary)


def test_any_change_to_the_extractor_s_code_or_specs_is_a_new_extractor_version(tmp_path: Path) -> None:
    import shutil

    import extract
    from extract.version import extractor_version

    copy = tmp_path / "extract"
    shutil.copytree(Path(extract.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert extractor_version(copy) == extract.EXTRACTOR_VERSION, "the same code and specs: the same version"
    vocabulary = copy / "specs" / "vocabulary.yaml"
    text = vocabulary.read_text(encoding="utf-8")
    vocabulary.write_text(text.replace("人员经费支出", "人员经费开支"), encoding="utf-8")
    assert extractor_version(copy) != extract.EXTRACTOR_VERSION, "one vocabulary word changed: documents re-read"


def test_a_change_to_the_gate_reads_the_documents_again(tmp_path: Path) -> None:
    import importlib.metadata
    import shutil

    import expectations
    import extract
    from extract.version import source_fingerprint
    from flows.version import READING_VERSION

    gate = Path(expectations.__file__).parent
    assert READING_VERSION.startswith(extract.EXTRACTOR_VERSION)
    assert READING_VERSION.endswith(source_fingerprint(gate)), "the gate decides what loads: it is in the version"
    assert f".gx-{importlib.metadata.version('great-expectations')}." in READING_VERSION, "and what it runs on"
    copy = tmp_path / "expectations"
    shutil.copytree(gate, copy, ignore=shutil.ignore_patterns("__pycache__"))
    rules = copy / "attribution.py"
    rules.write_text(rules.read_text(encoding="utf-8") + "\n# a changed rule\n", encoding="utf-8")
    assert source_fingerprint(copy) != source_fingerprint(gate)


def _summary_text(summary: object) -> str:
    from flows.report import summary_markdown

    return summary_markdown(summary)  # type: ignore[arg-type]


def test_a_document_over_its_deadline_is_failed_alone_and_its_process_killed(pdfs: list[Path]) -> None:
    from flows.extraction import process_file
    from flows.limits import DocumentLimits
    from flows.timeout import CallTimeout, call_with_deadline

    started = time.perf_counter()
    with pytest.raises(CallTimeout):
        call_with_deadline(time.sleep, 30, seconds=0.5)
    assert time.perf_counter() - started < 5
    assert call_with_deadline(divmod, 7, 2, seconds=30) == (3, 1), "a fresh child replaces the killed one"

    outcome = process_file(str(pdfs[0]), DocumentLimits(timeout=0.01))
    assert outcome.status == "failed" and "timed out" in (outcome.reason or "")


def test_documents_are_batched_biggest_first_with_ever_smaller_tasks_at_the_end() -> None:
    sizes = [100 + (i * 37) % 90 for i in range(200)]
    batches = batches_for(sizes, slots=2)
    assert sorted(i for batch in batches for i in batch) == list(range(200))  # every document once
    order = [i for batch in batches for i in batch]
    assert [sizes[i] for i in order] == sorted(sizes, reverse=True)
    assert max(map(len, batches)) == MAX_DOCUMENTS_PER_TASK and len(batches) < 200 // 4
    assert [len(b) for b in batches[-4:]] == [1, 1, 1, 1]  # no slot waits on a long last task
    assert batches_for([], slots=2) == []


def test_a_local_run_reads_on_warm_children_driven_by_threads_with_no_cluster_between() -> None:
    """Locally the document stage is threads of the flow's process, one warm reading child each: no Dask
    scheduler, nannies or workers (which took ~1 GiB and ~5 s to start, for orchestration alone)."""
    import psutil
    from prefect.task_runners import ThreadPoolTaskRunner

    from flows.runners import DocumentRunner
    from flows.timeout import READER

    def children() -> list[psutil.Process]:
        return [p for p in psutil.Process().children(recursive=True) if p.is_running()]

    before = {p.pid for p in children()}
    documents = DocumentRunner(workers=2, documents=10)
    documents.start()
    started = [p for p in children() if p.pid not in before]
    assert isinstance(documents.runner, ThreadPoolTaskRunner) and documents.queued == 2
    # a warm reading child per thread, watching this process (its parent)
    assert [p.cmdline()[-4:] for p in started] == [["-m", "flows.timeout", str(os.getpid()), READER]] * 2
    assert [p.name() for p in started] == [READER] * 2  # as ps and top show them

"""Crash safety: `caijue ingest` killed with SIGKILL during extract, load and dbt leaves the published
warehouse byte-identical, and the next run finishes the corpus.

Each run is the real command line in its own process group (as a service manager runs it); the kill
goes to the whole group, the extraction child included. The kill comes a random delay after the
stage's first progress line: the seed is printed, so a failure can be replayed.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

SEED = int(os.environ.get("CAIJUE_KILL_SEED", time.time_ns() % 10_000))
# stage, the line that starts it, the random delay range after that line, lines that must not have come yet
KILL_POINTS = [
    # the stage's end, not its "extract + gate: 1/2" progress; two warm documents take about 2 s to read, and the
    # reading begins before the flow's discover (flows/early_reads.py): the gate can follow discover within ~1 s
    ("extract", "discover:", (0.1, 0.8), ("] gate:",)),
    ("load", "load: copying", (0.0, 0.4), ("publish: started",)),
    # the build of a few documents, prepared and parsed ahead in the run's dbt child (flows/dbt_child.py): ~2 s
    ("dbt", "dbt build: started", (0.3, 1.5), ("dbt build: 1", "publish: started")),
]


def file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def loaded_documents(warehouse: Path) -> set[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select document_id from marts.dim_document where status = 'loaded'").fetchall()
    return {row[0] for row in rows}


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from samples import generate_corpus

    corpus = tmp_path_factory.mktemp("crash-corpus")
    generate_corpus(corpus, departments=2, years=(2024,))
    inbox = tmp_path_factory.mktemp("crash-inbox")
    for pdf in sorted(corpus.glob("*.pdf"))[:3]:
        (inbox / pdf.name).write_bytes(pdf.read_bytes())
    return inbox


@pytest.fixture(scope="module")
def published(inbox: Path, tmp_path_factory: pytest.TempPathFactory, prefect_harness: str) -> Path:
    """A published warehouse holding the inbox's first document."""
    from flows.ingest import run_ingest

    warehouse = tmp_path_factory.mktemp("crash-warehouse") / "warehouse.duckdb"
    assert run_ingest([sorted(inbox.glob("*.pdf"))[0]], warehouse, workers=1).published
    return warehouse


def ingest_process(inbox: Path, warehouse: Path, api_url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PREFECT_API_URL": api_url}
    return subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "ingest", str(inbox), "--warehouse", str(warehouse), "--workers", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        start_new_session=True,
    )


def kill_after(process: subprocess.Popen[str], marker: str, delay: float) -> list[str]:
    """Read progress lines until `marker`, wait `delay` s, SIGKILL the process group; the lines read."""
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        if marker in line:
            time.sleep(delay)
            os.killpg(process.pid, signal.SIGKILL)
            break
    process.wait(timeout=30)
    lines += process.stdout.readlines()
    assert any(marker in line for line in lines), f"the run ended before {marker!r}:\n{''.join(lines)}"
    return lines


@pytest.mark.parametrize(("stage", "marker", "delays", "not_yet"), KILL_POINTS, ids=[k[0] for k in KILL_POINTS])
def test_sigkill_leaves_the_published_warehouse_unchanged(
    stage: str,
    marker: str,
    delays: tuple[float, float],
    not_yet: tuple[str, ...],
    inbox: Path,
    published: Path,
    prefect_harness: str,
) -> None:
    before = file_sha(published)
    delay = random.Random(f"{SEED}:{stage}").uniform(*delays)
    lines = kill_after(ingest_process(inbox, published, prefect_harness), marker, delay)

    print(f"killed in {stage} {delay:.2f} s after {marker!r} (CAIJUE_KILL_SEED={SEED})")
    late = [line for line in lines for later in not_yet if later in line]
    assert not late, f"killed too late to be in the {stage} stage: {late}"
    assert file_sha(published) == before, f"SIGKILL during {stage} changed the published warehouse"
    assert loaded_documents(published) == {file_sha(sorted(inbox.glob("*.pdf"))[0])}


def test_the_run_after_the_kills_finishes_the_corpus(inbox: Path, published: Path, prefect_harness: str) -> None:
    process = ingest_process(inbox, published, prefect_harness)
    out, _ = process.communicate(timeout=600)
    assert process.returncode == 0, out
    assert "| loaded | 2 |" in out and "| unchanged (already loaded) | 1 |" in out
    assert loaded_documents(published) == {file_sha(pdf) for pdf in inbox.glob("*.pdf")}
    assert not (published.parent / ".caijue-building" / published.name).exists()

"""`caijue serve` (SLOW, about a minute: it starts a real `prefect server start`): the schedule is visible
through Prefect's CLI and a scheduled run, executed by serve's warm process (flows/warm_spare.py), ingests a file
dropped into the inbox.

A 10-second interval stands in for the nightly cron (same deployment, same code path); the wait for
the dropped file is bounded.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

import duckdb
import psutil
import pytest

DEADLINE_SECONDS = 240


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], bool], what: str, seconds: float = DEADLINE_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(1)
    raise AssertionError(f"timed out after {seconds:g} s waiting for {what}")


def healthy(api_url: str) -> bool:
    with suppress(OSError), urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
        return response.status == 200
    return False


def holds(warehouse: Path, document_id: str) -> bool:
    if not warehouse.exists():
        return False
    with suppress(duckdb.Error), duckdb.connect(str(warehouse), read_only=True) as con:
        found = con.execute("select status from marts.dim_document where document_id = ?", [document_id]).fetchone()
        return found == ("loaded",)
    return False


def prefect_cli(api_url: str, *args: str) -> str:
    env = {**os.environ, "PREFECT_API_URL": api_url}
    done = subprocess.run(
        [sys.executable, "-m", "prefect", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    from samples import generate_corpus

    return sorted(generate_corpus(tmp_path / "corpus", departments=1, years=(2024,)))[0]


@pytest.mark.slow
def test_serve_registers_a_schedule_and_a_scheduled_run_ingests_a_dropped_file(tmp_path: Path, pdf: Path) -> None:
    inbox, warehouse, port = tmp_path / "inbox", tmp_path / "data" / "warehouse.duckdb", free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "data" / ".caijue" / "prefect")  # not the session's test server's
    serve = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flows.cli",
            "serve",
            "--inbox",
            str(inbox),
            "--interval",
            "10",
            "--name",
            "test",
            "--warehouse",
            str(warehouse),
            "--workers",
            "1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        wait_for(lambda: healthy(api_url), "the Prefect server")
        wait_for(lambda: "caijue-ingest/test" in prefect_cli(api_url, "deployment", "ls"), "the deployment", 120)
        inspected = prefect_cli(api_url, "deployment", "inspect", "caijue-ingest/test")
        assert "interval" in inspected and str(inbox) in inspected

        (inbox / pdf.name).write_bytes(pdf.read_bytes())
        wait_for(lambda: holds(warehouse, hashlib.sha256(pdf.read_bytes()).hexdigest()), "a scheduled run")
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        out, _ = serve.communicate(timeout=60)
    assert serve.returncode == 0, out
    assert "serve: stopped" in out
    begun = re.findall(r"serve: a process for the next run warms up \(pid (\d+)\)", out)
    handed = re.findall(r"serve: flow run \S+ handed to the warm process \(pid (\d+)\)", out)
    assert handed and handed[0] == begun[0], out  # the first run: to the spare begun before it
    assert not any(psutil.pid_exists(int(pid)) for pid in begun), "serve's spares end with it"
    assert not healthy(api_url), "the Prefect server serve started is stopped with it"

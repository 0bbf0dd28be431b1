"""`caijue bench` on one generated department (4 documents), then one new document: every stage of both
runs is timed from the run itself, the baselines ran on the same files, and the figures reach the JSON.

Cost: two `caijue ingest` child processes (imports and a full dbt build each; they share the session's
Prefect server through PREFECT_API_URL) and two 4-document process pools: about 40 s on the 2-core CI.
"""

from __future__ import annotations

import http.server
import json
import threading
import urllib.error
from pathlib import Path

import pytest

from flows.bench import ProcessTreeUse, ServedRuns, growth, served_seconds, summary_stages
from flows.cli import main
from flows.limits import tree_resident_bytes
from flows.timeout import IsolatedCaller

STAGES = {"start-up", "discover", "extract", "gate", "load", "dbt build", "publish", "other"}


def test_a_bench_times_every_stage_and_the_baselines(tmp_path: Path, prefect_harness: str) -> None:
    figures = tmp_path / "bench.json"
    arguments = ["bench", "--departments", "1", "--workers", "1", "--then-new", "1", "--work", str(tmp_path)]
    assert main([*arguments, "--json", str(figures)]) == 0

    record = json.loads(figures.read_text())
    first, then_new = record["runs"]
    assert first["name"] == "first" and then_new["name"] == "then new"
    for run in (first, then_new):
        assert set(run["stages"]) >= STAGES, run["stages"]
        assert any(stage in run["stages"] for stage in ("mart checks", "validate marts"))
        assert sum(run["stages"].values()) == pytest.approx(run["wall_seconds"], abs=0.01)
        assert run["peak_rss_mib"] > 100  # the run's own process alone imports more than this
        # where its cores went: the run's process, the children that read its documents, the one that ran dbt
        assert {"run process", "reading children", "dbt child"} <= set(run["cpu_seconds"]), run["cpu_seconds"]
        assert all(seconds > 0 for seconds in run["cpu_seconds"].values())
    assert first["documents_read"] == 4 and first["pages_read"] > 4
    assert first["summary"]["statuses"] == {"loaded": 4} and first["summary"]["published"]
    assert then_new["documents_read"] == 1
    assert then_new["summary"]["unchanged"] == 4 and then_new["summary"]["statuses"] == {"loaded": 1}

    pools = {pool["name"]: pool for pool in record["side_by_side"]}
    assert set(pools) == {"naive baseline", "bare extraction + gate"}
    assert {pool["pages"] for pool in pools.values()} == {first["pages_read"]}, "the same files, every page"
    assert all(pool["cpu_seconds"]["pool processes"] > 0 for pool in pools.values())
    assert set(record["ratios"]) >= {"extraction pages/s over naive pages/s", "whole run over bare extraction + gate"}


def test_growth_is_the_exponent_between_sizes() -> None:
    runs = [
        {"documents_read": 100, "wall_seconds": 10.0, "stages": {"dbt build": 2.0, "publish": 0.01}},
        {"documents_read": 400, "wall_seconds": 40.0, "stages": {"dbt build": 32.0, "publish": 0.02}},
    ]
    exponents = growth(runs)
    assert exponents["whole run"] == [1.0]  # 4x the documents, 4x the time: linear
    assert exponents["dbt build"] == [2.0]  # 4x the documents, 16x the time: quadratic
    assert exponents["publish"] == [None]  # under 0.05 s: noise, not a figure
    assert "bare extraction + gate" not in exponents  # the scale mode's yardstick, when every size has it


def test_growth_of_the_yardstick_when_every_size_has_it() -> None:
    runs = [
        {"documents_read": 100, "wall_seconds": 10.0, "stages": {}, "bare extraction + gate": 5.0},
        {"documents_read": 400, "wall_seconds": 40.0, "stages": {}, "bare extraction + gate": 10.0},
    ]
    assert growth(runs)["bare extraction + gate"] == [0.5]  # 4x the documents, 2x the time


def test_a_served_runs_stages_are_read_from_the_summary_the_flow_records(tmp_path: Path) -> None:
    from flows.report import summary_markdown
    from flows.summary import RunSummary

    summary = RunSummary(tmp_path / "warehouse.duckdb", discovered=12, unchanged=11)
    summary.timings = {"discover": 0.21, "extract": 1.04, "dbt build": 3.96, "validate marts": 1.2, "publish": 0.0}
    assert summary_stages(summary_markdown(summary)) == {
        "discover": 0.2,
        "extract": 1.0,
        "dbt build": 4.0,
        "validate marts": 1.2,
        "publish": 0.0,
    }


def test_the_process_tree_memory_counts_this_process() -> None:
    import psutil

    me = psutil.Process()
    assert tree_resident_bytes(me) >= me.memory_info().rss


def test_the_process_trees_cpu_is_told_by_what_each_process_is() -> None:
    """A reading child's CPU in the block is the reading children's, not what it used before the block began."""
    import psutil

    caller = IsolatedCaller()
    try:
        caller.call(sum, range(20_000_000), seconds=60)  # before the block: not counted
        child = psutil.Process(caller.pid)
        before = sum(child.cpu_times()[:2])
        with ProcessTreeUse(interval=0.05) as use:
            caller.call(sum, range(20_000_000), seconds=60)
        used = sum(child.cpu_times()[:2]) - before
    finally:
        caller.close(grace=None)
    assert used > 0.1
    assert use.cpu_seconds["reading children"] == pytest.approx(used, abs=0.02), use.cpu_seconds
    assert "bench (this process)" in use.cpu_seconds  # the tree's root: here, the test's process


@pytest.mark.parametrize("scale", ["400", "400,100", "100,x"])
def test_a_scale_that_does_not_grow_is_one_line(scale: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--scale", scale]) == 2
    assert capsys.readouterr().err.startswith(f"caijue: --scale {scale}: give two or more growing document counts")


def test_a_served_run_is_timed_by_the_server_s_own_clock() -> None:
    """From the trigger (the server created the run) to Completed, and from Running to Completed: the bench's poll
    of the run's state sets no bound on either."""
    flow_run = {
        "created": "2026-12-01T14:16:57.120000Z",
        "start_time": "2026-12-01T14:16:58.510000Z",
        "end_time": "2026-12-01T14:17:09.320000Z",
    }
    wall, running = served_seconds(flow_run)
    assert round(wall, 2) == 12.2 and round(running, 2) == 10.81


def test_the_bench_asks_serve_s_busy_server_again_and_gives_up_on_anything_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Prefect's server answers 503 while its SQLite is locked by the runs' own writes (seen triggering the 20
    # changed documents); the bench asks again, as Prefect's client does, and a 404 is an answer, not a wait.
    answers = {"/busy": [503, 503, 200], "/missing": [404, 200]}
    asked: list[str] = []

    class Api(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            asked.append(self.path)
            status = answers[self.path].pop(0)
            self.send_response(status)
            self.send_header("Retry-After", "0")
            self.end_headers()
            self.wfile.write(b'{"id": "run"}' if status == 200 else b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    served = ServedRuns(tmp_path / "inbox", tmp_path / "warehouse.duckdb", workers=1)
    served.api_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        assert served._api("POST", "/busy", {}) == {"id": "run"}
        with pytest.raises(urllib.error.HTTPError) as refused:
            served._api("POST", "/missing", {})
    finally:
        server.shutdown()
    assert refused.value.code == 404
    assert asked == ["/busy"] * 3 + ["/missing"]

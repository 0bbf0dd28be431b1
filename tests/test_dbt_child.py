"""A run's dbt builds in its dbt child (flows/dbt_child.py); what the child cannot do is done in the run's process,
which raises what it raises. The child's build itself is held by the runs of tests/test_operations.py (each dbt node's
line on the run's page). Cheap: two child processes, no dbt build (~5 s, most of it one child's dbt import)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from flows import dbt_child
from warehouse.dbt import DbtOutcome


def test_without_a_child_a_build_runs_in_this_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls = []

    def build_here(warehouse: Path, **options: object) -> DbtOutcome:
        calls.append((warehouse, options))
        return DbtOutcome(success=True, elapsed_seconds=0.0)

    monkeypatch.setattr(dbt_child, "build_warehouse", build_here)
    dbt_child.end_dbt_child()
    dbt_child.parse_for(tmp_path / "w.duckdb", tmp_path / ".dbt")  # no child: nothing to parse ahead
    outcome = dbt_child.build(tmp_path / "w.duckdb", work_dir=tmp_path / ".dbt", on_node=None)
    assert outcome.success and calls == [(tmp_path / "w.duckdb", {"work_dir": tmp_path / ".dbt", "on_node": None})]


def test_a_build_the_child_cannot_do_is_done_here_and_raises_here(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    dbt_child.begin_dbt_child()
    try:
        # In the child the build raises (its folder cannot be made): done again here, the same error with its type.
        with pytest.raises(FileExistsError):
            dbt_child.build(not_a_folder / "w.duckdb", work_dir=tmp_path / ".dbt")
    finally:
        dbt_child.end_dbt_child()
    assert dbt_child._child is None


def test_a_child_ended_while_it_prepares_is_gone() -> None:
    import psutil

    dbt_child.begin_dbt_child()
    child = dbt_child._child
    assert child is not None
    deadline = time.monotonic() + 10
    while child._caller._process is None and time.monotonic() < deadline:  # started on the child's own thread
        time.sleep(0.01)
    process = psutil.Process(child._caller._process.pid)  # dbt's import under way (~3 s of a core)
    dbt_child.end_dbt_child()  # a run that ends before its build: no error, no process left
    process.wait(timeout=10)
    assert not process.is_running()

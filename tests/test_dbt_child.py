"""A run's dbt builds in its dbt child (flows/dbt_child.py); what the child cannot do is done in the run's process,
which raises what it raises. The child's build itself is held by the runs of tests/test_operations.py (each dbt node's
line on the run's page). Cheap: one child process, no dbt build (~3 s of a core for the child's dbt import)."""

from __future__ import annotations

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

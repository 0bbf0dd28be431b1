"""The dbt unit tests run once per project (warehouse/dbt.py): the project's fingerprint changes with any
file dbt reads — a model, a macro, a seed in a folder outside the project — and with nothing dbt writes.
Cost: hashing a copy of the project a few times (well under a second), no dbt run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from warehouse import dbt


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the repository's dbt project and the seed folders it names, as warehouse/dbt.py sees them."""
    root = tmp_path / "repository"
    shutil.copytree(dbt.DBT_PROJECT, root / "dbt_project", ignore=shutil.ignore_patterns("target", "logs"))
    for folder in ("classification", "contract"):
        if (dbt.REPOSITORY / "extract" / folder).is_dir():
            shutil.copytree(dbt.REPOSITORY / "extract" / folder, root / "extract" / folder)
    monkeypatch.setattr(dbt, "REPOSITORY", root)
    monkeypatch.setattr(dbt, "DBT_PROJECT", root / "dbt_project")
    return root


def test_the_fingerprint_follows_what_dbt_reads(project: Path) -> None:
    before = dbt.project_fingerprint()
    assert dbt.project_fingerprint() == before, "the same project, the same fingerprint"

    (project / "dbt_project" / "target").mkdir()
    (project / "dbt_project" / "target" / "manifest.json").write_text("{}")
    assert dbt.project_fingerprint() == before, "what dbt writes is not the project"

    model = next((project / "dbt_project" / "models" / "marts").glob("*.sql"))
    model.write_text(model.read_text() + "\n-- edited\n")
    edited_model = dbt.project_fingerprint()
    assert edited_model != before

    seed = next((project / "extract" / "classification").glob("*.csv"))
    seed.write_text(seed.read_text() + "\n")
    assert dbt.project_fingerprint() not in {before, edited_model}, "a seed outside the project is read by dbt"


def test_a_warehouse_records_the_project_it_was_built_with(tmp_path: Path) -> None:
    """What a whole build leaves out when the warehouse holds the same project's seeds and views (the build itself
    is tested in tests/test_warehouse.py: a second build of the same project runs neither)."""
    warehouse = tmp_path / "warehouse.duckdb"
    assert dbt.built_project(warehouse) is None, "no file: nothing built"
    dbt._ensure_raw(warehouse)
    assert dbt.built_project(warehouse) is None, "a new warehouse: nothing built"
    dbt._record_built_project(warehouse, "first")
    dbt._record_built_project(warehouse, "second")
    assert dbt.built_project(warehouse) == "second"

    assert dbt._unchanged_project_exclusions(unit_tested=False, project_built=False) == []
    only_unit_tests = dbt._unchanged_project_exclusions(unit_tested=True, project_built=False)
    assert only_unit_tests == ["--exclude", "resource_type:unit_test", "--indirect-selection", "empty"]
    both = dbt._unchanged_project_exclusions(unit_tested=True, project_built=True)
    assert both[: 1 + len(dbt.PROJECT_ONLY_NODES)] == ["--exclude", *dbt.PROJECT_ONLY_NODES]
    assert "resource_type:unit_test" in both and both[-2:] == ["--indirect-selection", "empty"]

"""Build the staging views and marts with dbt, in-process."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from warehouse.raw import ensure_schema

REPOSITORY = Path(__file__).resolve().parents[1]
DBT_PROJECT = REPOSITORY / "dbt_project"
WAREHOUSE_ENV = "CAIJUE_WAREHOUSE"

_FAILED = frozenset({"error", "fail", "runtime error"})


@dataclass(frozen=True, slots=True)
class NodeOutcome:
    unique_id: str
    status: str
    message: str
    failures: int | None = None


@dataclass(frozen=True, slots=True)
class DbtOutcome:
    success: bool
    elapsed_seconds: float
    failed: list[NodeOutcome] = field(default_factory=list)
    warned: list[NodeOutcome] = field(default_factory=list)
    nodes_run: int = 0
    error: str | None = None  # dbt itself could not run (bad project, locked file, …)

    @property
    def warnings(self) -> int:
        return len(self.warned)


def build_warehouse(
    warehouse_path: Path,
    *,
    select: str | None = None,
    work_dir: Path | None = None,
    quiet: bool = True,
    command: str = "build",
) -> DbtOutcome:
    """Run `dbt build` (seeds, staging views, marts, tests, unit tests) on `warehouse_path`.

    The DuckDB file must not be open in any other connection while this runs, in this process
    or another: dbt-duckdb opens it for writing, and DuckDB allows one writer or many readers.
    Close every connection before calling, reopen afterwards.

    dbt writes its target/ and logs/ under `work_dir` (default: `.dbt/` next to the warehouse),
    never into the source tree; keeping that folder lets dbt parse incrementally next time.
    Not safe to call from two threads at once (dbt keeps global state). `command` "run": the selected
    models only, no seeds or tests.
    """
    from dbt.cli.main import dbtRunner  # ~3 s import: only when a build is asked for

    warehouse_path = warehouse_path.resolve()
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    _ensure_raw(warehouse_path)
    work_dir = (work_dir or warehouse_path.parent / ".dbt").resolve()
    args = [
        command,
        "--project-dir",
        str(DBT_PROJECT),
        "--profiles-dir",
        str(DBT_PROJECT),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
        "--no-use-colors",
    ]
    if quiet:
        args.append("--quiet")
    if select:
        args += ["--select", select]
    whole_build = command == "build" and not select
    project = project_fingerprint() if whole_build else ""
    unit_tested = whole_build and _unit_tests_passed(work_dir) == project
    if unit_tested:
        args += ["--exclude-resource-type", "unit_test"]
    started = time.perf_counter()
    try:
        with _env(WAREHOUSE_ENV, str(warehouse_path)):
            result = dbtRunner().invoke(args)
    finally:
        _release_duckdb()
    elapsed = time.perf_counter() - started
    outcome = _outcome(result, elapsed)
    if whole_build and not unit_tested and outcome.success:
        (work_dir / UNIT_TESTS_PASSED).write_text(project)
    return outcome


# The unit tests hold the models' SQL to fixed inputs: their verdict depends on the project (and the versions
# of dbt and DuckDB), never on the warehouse's rows. So a whole build runs them once per project: when this
# work folder's last whole build ran them on the same project and passed, they are left out (10 of ~240 nodes,
# about 14 % of the nodes' time in the build of a small warehouse). A changed model, macro, seed or test runs
# them again.
UNIT_TESTS_PASSED = "unit-tests-passed"


def project_fingerprint() -> str:
    """A hash of the dbt project as dbt reads it (its files and its seed folders outside it) and of the
    versions of dbt, dbt-duckdb and DuckDB."""
    import importlib.metadata

    import yaml

    digest = hashlib.sha256()
    for package in ("dbt-core", "dbt-duckdb", "duckdb"):
        digest.update(f"{package}={importlib.metadata.version(package)};".encode())
    config = yaml.safe_load((DBT_PROJECT / "dbt_project.yml").read_text(encoding="utf-8"))
    project = DBT_PROJECT.resolve()
    folders = [project, *((project / folder).resolve() for folder in config.get("seed-paths", []))]
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and not _built_by_dbt(p, project)):
            # named from the project's parent (the seed folders are its siblings): the same project anywhere
            name = os.path.relpath(path, project.parent)
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _built_by_dbt(path: Path, project: Path) -> bool:
    return path.is_relative_to(project) and path.relative_to(project).parts[0] in {"target", "logs", "dbt_packages"}


def _unit_tests_passed(work_dir: Path) -> str | None:
    marker = work_dir / UNIT_TESTS_PASSED
    return marker.read_text() if marker.exists() else None


def _release_duckdb() -> None:
    """dbt-duckdb keeps its DuckDB connection in a class attribute after the build; until it is
    closed, this process holds the file for writing and no one (this process included) can open it
    read-only. There is no public API for it."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
    DuckDBConnectionManager.close_all_connections()


def _ensure_raw(warehouse_path: Path) -> None:
    """dbt's sources are the raw tables: create them (empty) on a new warehouse."""
    con = duckdb.connect(str(warehouse_path))
    try:
        ensure_schema(con)
    finally:
        con.close()


@contextmanager
def _env(name: str, value: str) -> Iterator[None]:
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


def _outcome(result: object, elapsed: float) -> DbtOutcome:
    exception = getattr(result, "exception", None)
    run = getattr(result, "result", None)
    nodes = list(getattr(run, "results", None) or [])
    failed, warned = [], []
    for node in nodes:
        outcome = NodeOutcome(
            unique_id=node.node.unique_id,
            status=str(node.status),
            message=str(node.message or ""),
            failures=node.failures,
        )
        if outcome.status in _FAILED:
            failed.append(outcome)
        elif outcome.status == "warn":
            warned.append(outcome)
    success = bool(getattr(result, "success", False)) and exception is None and not failed
    return DbtOutcome(
        success=success,
        elapsed_seconds=round(elapsed, 3),
        failed=failed,
        warned=warned,
        nodes_run=len(nodes),
        error=None if exception is None else f"{type(exception).__name__}: {exception}",
    )

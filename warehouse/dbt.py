"""Build the staging views and marts with dbt, in-process."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from warehouse.raw import ensure_schema

if TYPE_CHECKING:
    from dbt_common.events.base_types import EventMsg

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
    # A failed test of several checks (tests/generic/column_checks.sql): each failed check, with its failing rows.
    failed_checks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DbtOutcome:
    success: bool
    elapsed_seconds: float
    failed: list[NodeOutcome] = field(default_factory=list)
    warned: list[NodeOutcome] = field(default_factory=list)
    nodes_run: int = 0
    error: str | None = None  # dbt itself could not run (bad project, locked file, …)
    # Every node the build ran, in dbt's order (dbt writes no run_results.json: --no-write-json).
    nodes: list[NodeOutcome] = field(default_factory=list)

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
    on_node: Callable[[str], None] | None = None,
) -> DbtOutcome:
    """Run `dbt build` (seeds, staging views, marts, tests, unit tests) on `warehouse_path`.

    The DuckDB file must not be open in any other connection while this runs, in this process
    or another: dbt-duckdb opens it for writing, and DuckDB allows one writer or many readers.
    Close every connection before calling, reopen afterwards.

    dbt writes its target/ and logs/ under `work_dir` (default: `.dbt/` next to the warehouse),
    never into the source tree; keeping that folder lets dbt parse incrementally next time.
    Not safe to call from two threads at once (dbt keeps global state). `command` "run": the selected
    models only, no seeds or tests. `on_node` is told each node as it finishes, one line (its kind, name, status
    and seconds), from dbt's threads.
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
        # dbt.log without the debug lines (each statement's SQL and timing, several per node): writing them was ~9 %
        # of a small build's CPU (py-spy). A failed node's error and the nodes' results are still logged.
        "--log-level-file",
        "info",
        # No manifest.json (written twice a run) nor run_results.json: nothing reads them, the outcome lists every
        # node (DbtOutcome.nodes); ~9 % of a small build's CPU (py-spy). partial_parse.msgpack is still written.
        "--no-write-json",
    ]
    if quiet:
        args.append("--quiet")
    if select:
        args += ["--select", select]
    whole_build = command == "build" and not select
    project = project_fingerprint() if whole_build else ""
    unit_tested = whole_build and _unit_tests_passed(work_dir) == project
    project_built = whole_build and built_project(warehouse_path) == project
    args += _unchanged_project_exclusions(unit_tested=unit_tested, project_built=project_built)
    if whole_build and not project_built:  # the incremental fact models as the new project makes them
        args.append("--full-refresh")
    started = time.perf_counter()
    try:
        with _env(WAREHOUSE_ENV, str(warehouse_path)):
            result = dbtRunner(callbacks=[_node_lines(on_node)] if on_node else None).invoke(args)
    finally:
        _release_duckdb()
    elapsed = time.perf_counter() - started
    outcome = _outcome(result, elapsed, warehouse_path)
    if whole_build and outcome.success:
        if not unit_tested:
            (work_dir / UNIT_TESTS_PASSED).write_text(project)
        if not project_built:
            _record_built_project(warehouse_path, project)
    return outcome


# The unit tests hold the models' SQL to fixed inputs: their verdict depends on the project (and the versions
# of dbt and DuckDB), never on the warehouse's rows. So a whole build runs them once per project: when this
# work folder's last whole build ran them on the same project and passed, they are left out (10 of ~240 nodes,
# about 14 % of the nodes' time in the build of a small warehouse). A changed model, macro, seed or test runs
# them again.
UNIT_TESTS_PASSED = "unit-tests-passed"


# What a whole build makes of the project alone, never of the rows: the seeds (code lists, vocabularies, labels,
# reloaded whole), the tests of the seeds alone (declared in seeds/_seeds.yml) and the staging views (SQL over raw,
# bound when read). A warehouse records the project its last whole build made them with (BUILT_PROJECT, in raw:
# the working copy's record is published with it, or discarded with it); while the project is the same, a whole
# build leaves them as they are (39 of ~245 nodes) and rebuilds what the rows make: the intermediate tables, the
# marts and every test that reads them; the incremental fact models (macros/rebuilt_documents.sql) only the rows
# of the documents that changed. A build of another project is a full refresh: everything made again.
# `--indirect-selection empty`: leaving a seed or a view out leaves its nodes alone, not the tests of the marts
# that name it (a vocabulary's `relationships`, a view's own tests).
BUILT_PROJECT = "raw.dbt_built_project"
PROJECT_ONLY_NODES = ("resource_type:seed", "config.materialized:view", "path:seeds/_seeds.yml")


def _unchanged_project_exclusions(*, unit_tested: bool, project_built: bool) -> list[str]:
    excluded = [*(PROJECT_ONLY_NODES if project_built else ()), *(["resource_type:unit_test"] if unit_tested else [])]
    return ["--exclude", *excluded, "--indirect-selection", "empty"] if excluded else []


def built_project(warehouse_path: Path) -> str | None:
    """The fingerprint of the project whose seeds and staging views the warehouse holds (None: unknown)."""
    if not warehouse_path.exists():
        return None
    con = duckdb.connect(str(warehouse_path), read_only=True)
    try:
        schema, table = BUILT_PROJECT.split(".")
        exists = con.execute(
            "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?", [schema, table]
        ).fetchone()
        row = con.execute(f"select fingerprint from {BUILT_PROJECT}").fetchone() if exists and exists[0] else None
    finally:
        con.close()
    return row[0] if row else None


def _record_built_project(warehouse_path: Path, project: str) -> None:
    con = duckdb.connect(str(warehouse_path))
    try:
        con.execute(f"create table if not exists {BUILT_PROJECT} (fingerprint varchar not null)")
        con.execute(f"delete from {BUILT_PROJECT}")
        con.execute(f"insert into {BUILT_PROJECT} values (?)", [project])
    finally:
        con.close()


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


def _node_lines(on_node: Callable[[str], None]) -> Callable[[EventMsg], None]:
    """dbt's event callback: each finished node (model, seed, test, unit test) as one line to `on_node`."""

    def on_event(event: EventMsg) -> None:
        if event.info.name != "NodeFinished":
            return
        node, result = event.data.node_info, event.data.run_result
        relation = node.node_relation
        name = f"{relation.schema}.{relation.alias}" if node.resource_type in {"model", "seed"} else node.node_name
        failing = f", {result.num_failures} failing rows" if result.num_failures else ""
        on_node(f"dbt: {node.resource_type} {name} {result.status}{failing} in {result.execution_time:.2f} s")

    return on_event


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


def _failed_checks(warehouse_path: Path, node: object) -> tuple[str, ...]:
    """A failed column_checks test's failed checks, each with its count of failing rows (its query run again on the
    built warehouse: relations are named without a catalog, macros/relations.sql); () for any other test."""
    test = getattr(node, "test_metadata", None)
    compiled = getattr(node, "compiled_code", None)
    if getattr(test, "name", None) != "column_checks" or not compiled:
        return ()
    con = duckdb.connect(str(warehouse_path), read_only=True)
    try:
        rows = con.execute(
            f"select failed_check, count(*) from ({compiled}) group by failed_check order by failed_check"
        ).fetchall()
    except duckdb.Error as error:
        return (f"(could not be named: {error})",)
    finally:
        con.close()
    return tuple(f"{check} ({count} failing)" for check, count in rows)


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


def _outcome(result: object, elapsed: float, warehouse_path: Path) -> DbtOutcome:
    exception = getattr(result, "exception", None)
    run = getattr(result, "result", None)
    nodes = list(getattr(run, "results", None) or [])
    failed, warned, outcomes = [], [], []
    for node in nodes:
        status = str(node.status)
        checks = _failed_checks(warehouse_path, node.node) if status in _FAILED | {"warn"} and node.failures else ()
        message = str(node.message or "")
        outcome = NodeOutcome(
            unique_id=node.node.unique_id,
            status=status,
            message=f"{message} (failed checks: {'; '.join(checks)})" if checks else message,
            failures=node.failures,
            failed_checks=checks,
        )
        outcomes.append(outcome)
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
        nodes=outcomes,
        error=None if exception is None else f"{type(exception).__name__}: {exception}",
    )

"""Build the staging views and marts with dbt, in-process."""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from warehouse import raw as raw_module
from warehouse.cache import caijue_cache
from warehouse.dbt_events import build_events_natively
from warehouse.raw import close_without_checkpoint, ensure_schema

if TYPE_CHECKING:
    from dbt.contracts.graph.manifest import Manifest
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
    # dbt's id of this invocation: the incremental fact models stamp the rows they (re)make with it
    # (macros/rebuilt_documents.sql), so it names the documents this build remade (`rebuilt_documents`).
    invocation_id: str | None = None

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
    prepare()  # done already, or under way on another thread (it waits for it), or done now
    from dbt.cli.main import dbtRunner

    warehouse_path = warehouse_path.resolve()
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    whole_build = command == "build" and not select
    project, built = _raw_ensured_and_fingerprints(warehouse_path, whole_build)
    work_dir = _work_dir(warehouse_path, work_dir)
    args = [command, *_common_args(work_dir)]
    if quiet:
        args.append("--quiet")
    if select:
        args += ["--select", select]
    unit_tested = whole_build and project in _unit_tests_passed(work_dir)
    project_built = whole_build and built == project
    args += _unchanged_project_exclusions(unit_tested=unit_tested, project_built=project_built)
    if whole_build and not project_built:  # the incremental fact models as the new project makes them
        args.append("--full-refresh")
    started = time.perf_counter()
    _start_from_shared_parse(work_dir)
    manifest = _parsed_ahead.pop((warehouse_path, work_dir), None)
    try:
        with _env(WAREHOUSE_ENV, str(warehouse_path)), _env(CONTRACTS_ASSERTED_ENV, "1" if project_built else ""):
            invocation = _Invocation()
            callbacks = [invocation.on_event, *([_node_lines(on_node)] if on_node else [])]
            result = dbtRunner(manifest=manifest, callbacks=callbacks).invoke(args)
    finally:
        _release_duckdb()
    elapsed = time.perf_counter() - started
    outcome = _outcome(result, elapsed, warehouse_path, invocation.invocation_id)
    if outcome.error is None:
        _share_parse(work_dir)
        _record_macros_built_with(work_dir)
    if whole_build and outcome.success:
        if not unit_tested:
            _record_unit_tests_passed(work_dir, project)
        if not project_built:
            _record_built_project(warehouse_path, project)
    return outcome


def _work_dir(warehouse_path: Path, work_dir: Path | None) -> Path:
    return (work_dir or warehouse_path.parent / ".dbt").resolve()


def _common_args(work_dir: Path) -> list[str]:
    """dbt's arguments for any command on the project, its target/ and logs/ in `work_dir`."""
    return [
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


# The project parsed ahead of a build (`parse_ahead`), by the warehouse and work folder it is for: the next build of
# that warehouse into that folder, in this process, starts from it instead of parsing (~0.7 s of a 1-new run's
# build, with the partial-parse state). Taken by that build: one parse, one build.
_parsed_ahead: dict[tuple[Path, Path], object] = {}


def parse_ahead(warehouse_path: Path, work_dir: Path | None = None) -> None:
    """Parse the project now for the next `build_warehouse(warehouse_path, work_dir=work_dir)` in this process,
    while the warehouse is still being loaded (a run's dbt child, flows/dbt_child.py): parsing reads the project's
    files and the partial-parse state, never the warehouse (its connection is released all the same). A parse
    that fails is no error: the build parses, and says what is wrong."""
    prepare()
    from dbt.cli.main import dbtRunner

    warehouse_path = warehouse_path.resolve()
    work_dir = _work_dir(warehouse_path, work_dir)
    _start_from_shared_parse(work_dir)
    try:
        with _env(WAREHOUSE_ENV, str(warehouse_path)):
            result = dbtRunner().invoke(["parse", *_common_args(work_dir), "--quiet"])
    finally:
        _release_duckdb()
    if result.success and result.result is not None:
        _parsed_ahead[(warehouse_path, work_dir)] = result.result
        _compile_macros_built_with(result.result, work_dir)


# dbt's parse of the project (its partial-parse state), shared by every warehouse built from this checkout: the first
# build of a new warehouse (a new work folder) starts from the last parse instead of parsing the whole project (~4 s
# of a core, against ~0.4 s). dbt checks every file's hash against it and parses again what changed, and a parse
# by another version of dbt is ignored. Kept in the user's cache folder ($XDG_CACHE_HOME, ~/.cache), never in the
# source tree; one per project folder (the state names the project's own path). A cache that cannot be read or
# written is no error: the build parses.
PARTIAL_PARSE = "partial_parse.msgpack"


def shared_parse_state() -> Path:
    project = hashlib.sha256(str(DBT_PROJECT).encode()).hexdigest()[:16]
    return caijue_cache() / "dbt-parse" / project / PARTIAL_PARSE


def _start_from_shared_parse(work_dir: Path) -> None:
    own, shared = work_dir / "target" / PARTIAL_PARSE, shared_parse_state()
    if own.exists() or not shared.exists():
        return
    with suppress(OSError):
        own.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(shared, own)


def _share_parse(work_dir: Path) -> None:
    """The work folder's parse becomes the shared one, unless it is that one already (copied with its time)."""
    own, shared = work_dir / "target" / PARTIAL_PARSE, shared_parse_state()
    with suppress(OSError):
        mine = own.stat()
        if shared.exists() and (shared.stat().st_size, shared.stat().st_mtime_ns) == (mine.st_size, mine.st_mtime_ns):
            return
        shared.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=shared.parent, prefix=".parse-", delete=False) as handle:
            partial = Path(handle.name)
        try:
            shutil.copy2(own, partial)
            os.replace(partial, shared)  # atomic: a build reading it sees the old parse or the new one, whole
        finally:
            partial.unlink(missing_ok=True)


# The macros a build calls (its materializations, the adapter's SQL, the project's), by the digest of their SQL: dbt
# compiles each to a Jinja template the first time it is called in a process (dbt_common's template_cache, keyed by
# the macro's SQL), ~70 of the project's ~560, ~0.4 s of a core on the build's critical path. The last build's are
# recorded in the work folder, and a parse ahead of the next build (a run's dbt child while the documents are read,
# serve's warm process while it waits) compiles them into that cache: the build finds them there, as a second build
# in one process does. A macro changed since, or new, is compiled when called, as before.
MACROS_BUILT_WITH = "macros-built-with"


def _macro_digest(macro_sql: str) -> str:
    return hashlib.sha256(macro_sql.encode()).hexdigest()


def _record_macros_built_with(work_dir: Path) -> None:
    from dbt_common.clients.jinja import template_cache

    digests = sorted({_macro_digest(macro_sql) for macro_sql in list(template_cache.file_cache)})
    with suppress(OSError):
        work_dir.mkdir(parents=True, exist_ok=True)
        (work_dir / MACROS_BUILT_WITH).write_text("\n".join(digests))


def _compile_macros_built_with(manifest: Manifest, work_dir: Path) -> None:
    from dbt_common.clients.jinja import template_cache

    try:
        recorded = set((work_dir / MACROS_BUILT_WITH).read_text().split())
    except OSError:
        return
    for macro in manifest.macros.values():
        if macro.macro_sql not in template_cache.file_cache and _macro_digest(macro.macro_sql) in recorded:
            with suppress(Exception):  # a macro that does not compile fails in the build, which says why
                template_cache.get_node_template(macro)


_prepared = threading.Lock()


def prepare() -> None:
    """Do what dbt does once a process, before the first build asks for it: import dbt and its DuckDB adapter
    (~2 s of a core), and two things its first build would do once for the process: build the JSON schemas it
    checks the project, its flags and the profile against, and fill inspect's table of modules by file (the
    adapter's behaviour flags look their caller up on the stack): ~0.3 s of a core. Then the saved parse is kept for
    any warehouse (below) and dbt's events are made by protobuf's constructors (warehouse/dbt_events.py). A run's
    dbt child does it as the run begins (flows/dbt_child.py); build_warehouse calls it first, and waits while
    another thread is at it (no import of the same modules on two threads at once)."""
    with _prepared:
        import inspect

        from dbt.adapters.duckdb import DuckDBAdapter  # noqa: F401  (the adapter's plugin, loaded by name)
        from dbt.adapters.duckdb.credentials import DuckDBCredentials
        from dbt.artifacts.resources.v1.config import Hook
        from dbt.cli.main import dbtRunner  # noqa: F401  (the build's entry point)
        from dbt.contracts.project import Configuration, PackageConfig, Project, ProjectFlags
        from dbt.contracts.selection import SelectorFile

        for contract in (ProjectFlags, DuckDBCredentials, Project, PackageConfig, SelectorFile, Configuration, Hook):
            contract.json_schema()  # cached for the process (functools.lru_cache)
        inspect.getmodule(inspect.currentframe())  # its first call maps every module loaded to its file
        _hash_attachments_without_path(DuckDBCredentials)
        build_events_natively()


# A saved parse is kept by the next build only if the profile's connection details hash the same. dbt-duckdb counts
# the attached database's path among them, and the build attaches the warehouse it builds (profiles.yml,
# CAIJUE_WAREHOUSE): so every new warehouse (a first run, a bench's, a test's) threw the shared parse away and parsed
# the whole project (~4 s of a core; "Unable to do partial parsing because profile has changed"). No model, macro or
# test reads that path, only the catalog's alias (`warehouse`), so the hash leaves the path out and keeps the rest.
# The same details are Jinja's `target`: there `target.attach[0].path` reads ATTACHED_PATH_IN_HASH, not the file.
ATTACHED_PATH_IN_HASH = "(the warehouse being built)"


@functools.cache  # once a process: prepare() runs before every build
def _hash_attachments_without_path(credentials: type) -> None:
    connection_info = credentials.connection_info

    def without_path(self: object, *, with_aliases: bool = False) -> Iterator[tuple[str, object]]:
        for key, value in connection_info(self, with_aliases=with_aliases):
            if key == "attach" and isinstance(value, list):
                value = [{**a, "path": ATTACHED_PATH_IN_HASH} if isinstance(a, dict) else a for a in value]
            yield key, value

    credentials.connection_info = without_path  # type: ignore[attr-defined]


# The unit tests hold the models' SQL to fixed inputs: their verdict depends on the project, the versions of dbt and
# DuckDB and raw's columns (the fingerprint), never on the warehouse's rows. So a whole build runs them once per
# project on this machine: when a whole build, of this warehouse or another (the record is kept in the work folder
# and beside the shared parse), ran them on the same fingerprint and passed, they are left out (10 nodes, ~1 s of a
# core). A changed model, macro, seed or test, another dbt or a new raw column runs them again; CI, whose cache
# starts empty, runs them in its first build.
UNIT_TESTS_PASSED = "unit-tests-passed"


# What a whole build makes of the project alone, never of the rows: the seeds (code lists, vocabularies, labels,
# reloaded whole), the tests of the seeds alone (declared in seeds/_seeds.yml), the staging views (SQL over raw,
# bound when read) and the models made of seeds alone, with their tests (tagged project_only: the department name
# vocabulary's closure). A warehouse records the project its last whole build made them with (BUILT_PROJECT, in raw:
# the working copy's record is published with it, or discarded with it); while the project is the same, a whole
# build leaves them as they are (49 of the 147 nodes of a new project's first build; its 10 unit tests are left out
# too once passed, below: 88 remain) and rebuilds what the rows make: the intermediate tables, the marts and every
# test that reads them; the incremental fact models (macros/rebuilt_documents.sql) only the rows of the documents
# that changed. A build of another project is a full refresh: everything made again.
# `--indirect-selection empty`: leaving a seed or a view out leaves its nodes alone, not the tests of the marts
# that name it (a vocabulary's `relationships`, a view's own tests).
BUILT_PROJECT = "raw.dbt_built_project"
PROJECT_ONLY_NODES = ("resource_type:seed", "config.materialized:view", "path:seeds/_seeds.yml", "tag:project_only")


# Set to "1" for a build of the project the warehouse was last built by, whole and successfully, over the same raw
# columns: that build asserted every model contract (a contract's verdict follows from the project and raw's columns,
# never from the rows), so its tables are made without asserting again (macros/materializations.sql).
CONTRACTS_ASSERTED_ENV = "CAIJUE_CONTRACTS_ASSERTED"


def _raw_ensured_and_fingerprints(warehouse_path: Path, whole_build: bool) -> tuple[str, str | None]:
    """In one connection: raw's tables made on a new warehouse (dbt's sources); for a whole build, the project's
    fingerprint with its raw sources' columns (names and types, made by warehouse/raw.py, not by the project: the
    staging views bind them, the contracts and the unit tests are judged over them) and the fingerprint the
    warehouse's last whole build recorded (None: none). ("", None) for another build."""
    con = duckdb.connect(str(warehouse_path))
    try:
        ensure_schema(con)
        if not whole_build:
            return "", None
        return _project_over_raw(con), _recorded_project(con)
    finally:
        close_without_checkpoint(con)  # dbt's connection opens it next, and checkpoints as it closes


def _project_over_raw(con: duckdb.DuckDBPyConnection) -> str:
    """The project's fingerprint with the columns of its raw sources in `con`."""
    columns = con.execute(
        "select table_name, column_name, data_type from duckdb_columns()"
        " where schema_name = 'raw' and table_name in (select unnest(?)) order by table_name, column_index",
        [_raw_sources()],
    ).fetchall()
    return hashlib.sha256(f"{project_fingerprint()};{columns!r}".encode()).hexdigest()


def _raw_sources() -> list[str]:
    import yaml

    sources = yaml.safe_load((DBT_PROJECT / "models" / "staging" / "_sources.yml").read_text(encoding="utf-8"))
    return [table["name"] for source in sources["sources"] for table in source["tables"]]


def _unchanged_project_exclusions(*, unit_tested: bool, project_built: bool) -> list[str]:
    excluded = [*(PROJECT_ONLY_NODES if project_built else ()), *(["resource_type:unit_test"] if unit_tested else [])]
    return ["--exclude", *excluded, "--indirect-selection", "empty"] if excluded else []


def _recorded_project(con: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint of the project whose seeds and staging views the warehouse holds (None: unknown)."""
    schema, table = BUILT_PROJECT.split(".")
    exists = con.execute(
        "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?", [schema, table]
    ).fetchone()
    row = con.execute(f"select fingerprint from {BUILT_PROJECT}").fetchone() if exists and exists[0] else None
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


# A new warehouse's first whole build makes what the project alone makes (PROJECT_ONLY_NODES, the unit tests, the
# marts_zh views: 59 of the 128 nodes of a first build; its dbt stage 10.2 s against 6.9 s for the same 399 documents'
# first run started from an empty warehouse of the project), which every later whole build leaves as it is. So a machine
# keeps the project's empty warehouse in the user's cache: raw's tables without a row and the project built over them
# (its seeds, staging views and models of seeds alone made; its intermediate tables and marts made empty; the project
# recorded, BUILT_PROJECT), one file per fingerprint of the project with raw's columns, the last EMPTY_WAREHOUSES_KEPT
# kept. A run into a warehouse not yet published starts its working copy from it (flows/publish.py
# start_working_copy), and makes it ahead in its dbt child when there is none (flows/ingest.py): its first build then
# finds the project built and makes what the rows make, as every later build does.
EMPTY_WAREHOUSES = "empty-warehouse"
EMPTY_WAREHOUSES_KEPT = 4


def empty_warehouse() -> Path:
    """Where this project's empty warehouse is kept (there or not): named by the project's fingerprint with raw's
    columns, and by what else makes its relations, raw's tables as warehouse/raw.py makes them and this module."""
    con = duckdb.connect(":memory:")
    try:
        ensure_schema(con)
        project = _project_over_raw(con)
        raw = con.execute("select sql from duckdb_tables() where schema_name = 'raw' order by table_name").fetchall()
    finally:
        con.close()
    makers = b"".join(Path(module).read_bytes() for module in (__file__, raw_module.__file__))
    key = hashlib.sha256(f"{project};{raw!r};".encode() + makers).hexdigest()
    return caijue_cache() / EMPTY_WAREHOUSES / f"{key[:32]}.duckdb"


def make_empty_warehouse() -> Path | None:
    """This project's empty warehouse, built now unless it is kept already (None: its build failed, or the cache
    cannot be written: the next run tries again). Builders in several processes at once each build their own copy
    in a folder of their own (the copy, its WAL, dbt's work folder); the last to finish replaces the others'."""
    kept = empty_warehouse()
    if kept.exists():
        return kept
    building = kept.with_name(f".building-{os.getpid()}")
    partial = building / kept.name
    try:
        building.mkdir(parents=True, exist_ok=True)
        outcome = build_warehouse(partial, work_dir=building / "dbt")
        if not outcome.success or partial.with_name(partial.name + ".wal").exists():
            return None
        os.replace(partial, kept)
    except OSError:
        return None
    finally:
        shutil.rmtree(building, ignore_errors=True)
    _forget_older_empty_warehouses(kept.parent)
    return kept


def _forget_older_empty_warehouses(folder: Path) -> None:
    """Only the last EMPTY_WAREHOUSES_KEPT projects' (a project changed while it is worked on makes one each time),
    and no builder's folder but those of builders still at work (one killed leaves its folder behind)."""
    import psutil

    with suppress(OSError):
        kept = sorted(folder.glob("*.duckdb"), key=lambda path: path.stat().st_mtime, reverse=True)
        for old in kept[EMPTY_WAREHOUSES_KEPT:]:
            old.unlink(missing_ok=True)
        for building in folder.glob(".building-*"):
            builder = building.name.removeprefix(".building-")
            if builder.isdigit() and not psutil.pid_exists(int(builder)):
                shutil.rmtree(building, ignore_errors=True)


def _built_by_dbt(path: Path, project: Path) -> bool:
    return path.is_relative_to(project) and path.relative_to(project).parts[0] in {"target", "logs", "dbt_packages"}


def _unit_tests_passed(work_dir: Path) -> set[str]:
    """The fingerprints whose unit tests passed: this work folder's last, and the last of any on this machine."""
    passed = set()
    for marker in (work_dir / UNIT_TESTS_PASSED, shared_parse_state().with_name(UNIT_TESTS_PASSED)):
        with suppress(OSError):
            passed.add(marker.read_text())
    return passed


def _record_unit_tests_passed(work_dir: Path, project: str) -> None:
    work_dir.mkdir(parents=True, exist_ok=True)
    (work_dir / UNIT_TESTS_PASSED).write_text(project)
    shared = shared_parse_state().with_name(UNIT_TESTS_PASSED)
    with suppress(OSError):
        shared.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=shared.parent, prefix=".unit-", delete=False) as handle:
            handle.write(project)
        os.replace(handle.name, shared)


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


def _outcome(result: object, elapsed: float, warehouse_path: Path, invocation_id: str | None) -> DbtOutcome:
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
        invocation_id=invocation_id,
    )


class _Invocation:
    """dbt's event callback that keeps the id of the invocation its nodes ran in (each event carries it; those of
    a node, begun once the invocation has its id, certainly this one's). None: no node ran."""

    def __init__(self) -> None:
        self.invocation_id: str | None = None

    def on_event(self, event: EventMsg) -> None:
        if self.invocation_id is None and event.info.name == "NodeStart":
            self.invocation_id = event.info.invocation_id or None


# The incremental model that stamps each row it (re)makes with the build's invocation id (macros/rebuilt_documents.sql)
STAMPED_FACTS = "intermediate.int_current_facts"


def rebuilt_documents(warehouse_path: Path, invocation_id: str) -> frozenset[str] | None:
    """The documents whose fact rows the build `invocation_id` remade: every document of a full refresh, only the
    new, re-read or re-attributed ones (a changed department, status …: the document signature) of an incremental
    build. The rows of any other document are what an earlier build made of the same rows by the same project.
    None when the warehouse does not say (no such model: a build of another project)."""
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        try:
            rows = con.execute(
                f"select distinct document_id from {STAMPED_FACTS} where dbt_invocation_id = ?", [invocation_id]
            ).fetchall()
        except duckdb.CatalogException:
            return None
    return frozenset(document_id for (document_id,) in rows)

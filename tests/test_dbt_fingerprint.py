"""The dbt unit tests run once per project (warehouse/dbt.py): the project's fingerprint changes with any
file dbt reads — a model, a macro, a seed in a folder outside the project — and with nothing dbt writes.
Cost: hashing a copy of the project a few times, a few small DuckDB files (well under a second), three dbt parses."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
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
    project, built = dbt._raw_ensured_and_fingerprints(warehouse, whole_build=True)
    assert built is None, "a new warehouse: nothing built"
    dbt._record_built_project(warehouse, "first")
    dbt._record_built_project(warehouse, project)
    assert dbt._raw_ensured_and_fingerprints(warehouse, whole_build=True) == (project, project)
    assert dbt._raw_ensured_and_fingerprints(warehouse, whole_build=False) == ("", None)

    assert dbt._unchanged_project_exclusions(unit_tested=False, project_built=False) == []
    only_unit_tests = dbt._unchanged_project_exclusions(unit_tested=True, project_built=False)
    assert only_unit_tests == ["--exclude", "resource_type:unit_test", "--indirect-selection", "empty"]
    both = dbt._unchanged_project_exclusions(unit_tested=True, project_built=True)
    assert both[: 1 + len(dbt.PROJECT_ONLY_NODES)] == ["--exclude", *dbt.PROJECT_ONLY_NODES]
    assert "resource_type:unit_test" in both and both[-2:] == ["--indirect-selection", "empty"]


def test_the_built_project_includes_the_raw_sources_columns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The contracts and the unit tests are judged over raw's columns (warehouse/raw.py's, not the project's): a
    source column changed is another build; what dbt does not read (its own record, another table) is not."""
    warehouse = tmp_path / "warehouse.duckdb"

    def fingerprint() -> str:
        return dbt._raw_ensured_and_fingerprints(warehouse, whole_build=True)[0]

    monkeypatch.setattr(dbt, "project_fingerprint", lambda: "project")
    before = fingerprint()
    assert fingerprint() == before
    monkeypatch.setattr(dbt, "project_fingerprint", lambda: "another project")
    assert fingerprint() != before
    monkeypatch.setattr(dbt, "project_fingerprint", lambda: "project")
    dbt._record_built_project(warehouse, before)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table raw.not_a_source (x integer)")
    assert fingerprint() == before, "dbt reads neither"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("alter table raw.facts add column added_by_a_new_release varchar")
    assert fingerprint() != before


def test_a_new_work_folder_starts_from_the_last_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first, second = tmp_path / "first" / ".dbt", tmp_path / "second" / ".dbt"
    dbt._start_from_shared_parse(first)
    assert not (first / "target" / dbt.PARTIAL_PARSE).exists(), "nothing shared yet: dbt parses"
    (first / "target").mkdir(parents=True)
    (first / "target" / dbt.PARTIAL_PARSE).write_bytes(b"first parse")
    dbt._share_parse(first)
    assert dbt.shared_parse_state().read_bytes() == b"first parse"
    assert dbt.shared_parse_state().is_relative_to(tmp_path / "cache"), "the user's cache, not the source tree"

    dbt._start_from_shared_parse(second)
    assert (second / "target" / dbt.PARTIAL_PARSE).read_bytes() == b"first parse"
    (second / "target" / dbt.PARTIAL_PARSE).write_bytes(b"second parse, the project edited")
    dbt._share_parse(second)
    dbt._start_from_shared_parse(first)
    assert (first / "target" / dbt.PARTIAL_PARSE).read_bytes() == b"first parse", "a folder keeps its own parse"
    assert dbt.shared_parse_state().read_bytes() == b"second parse, the project edited"
    assert [p.name for p in dbt.shared_parse_state().parent.iterdir()] == [dbt.PARTIAL_PARSE], "no partial copy left"


def test_unit_tests_passed_on_this_machine_are_not_run_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Their verdict follows from the fingerprint alone: a new warehouse's first build leaves them out when another
    build on this machine passed them on the same fingerprint (CI's cache starts empty: its first build runs them)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first, second = tmp_path / "first" / ".dbt", tmp_path / "second" / ".dbt"
    assert dbt._unit_tests_passed(first) == set()
    dbt._record_unit_tests_passed(first, "fingerprint")
    assert dbt._unit_tests_passed(second) == {"fingerprint"}, "another warehouse's build of the same project"
    dbt._record_unit_tests_passed(second, "edited project")
    assert dbt._unit_tests_passed(first) == {"fingerprint", "edited project"}
    assert dbt._unit_tests_passed(second) == {"edited project"}


def test_a_model_made_of_seeds_alone_is_left_to_the_builds_of_a_new_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What reads no raw table (no source among its ancestors) changes only with the project: such a model and the
    tests of such models are tagged project_only (warehouse/dbt.py PROJECT_ONLY_NODES), so a build of the project
    the warehouse already holds leaves them as they are. Nothing that reads raw is tagged: it would go stale.
    One dbt parse of the project."""
    from dbt.cli.main import dbtRunner

    monkeypatch.setenv(dbt.WAREHOUSE_ENV, str(tmp_path / "warehouse.duckdb"))
    dbt.prepare()
    parsed = dbtRunner().invoke(["parse", *dbt._common_args(tmp_path / ".dbt"), "--quiet"])
    assert parsed.success, parsed.exception
    nodes = parsed.result.nodes

    def parents(unique_id: str) -> list[str]:
        return list(getattr(nodes[unique_id].depends_on, "nodes", []))  # a seed's names macros only

    def reads_raw(unique_id: str) -> bool:
        if unique_id.startswith("source."):
            return True
        return unique_id in nodes and any(reads_raw(parent) for parent in parents(unique_id))

    made_of_the_project = {
        unique_id
        for unique_id, node in nodes.items()
        if node.resource_type in ("model", "test")
        and not reads_raw(unique_id)
        and any(parent.startswith("model.") for parent in [unique_id, *parents(unique_id)])
    }
    tagged = {unique_id for unique_id, node in nodes.items() if "project_only" in node.tags}
    assert "model.caijue.int_department_vocabulary" in made_of_the_project
    assert tagged == made_of_the_project


def test_another_warehouse_keeps_the_last_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The build attaches the warehouse it builds, whose path no model reads: a build of another warehouse (a new
    one, a test's) keeps the last parse of the project, not parse it whole again because "the profile has changed"
    (warehouse/dbt.py `_hash_attachments_without_path`). Two dbt parses, the second partial."""
    from dbt.cli.main import dbtRunner

    dbt.prepare()

    def parse(warehouse: Path) -> list[str]:
        events: list[str] = []
        monkeypatch.setenv(dbt.WAREHOUSE_ENV, str(warehouse))
        runner = dbtRunner(callbacks=[lambda event: events.append(event.info.name)])
        parsed = runner.invoke(["parse", *dbt._common_args(tmp_path / ".dbt"), "--quiet"])
        assert parsed.success, parsed.exception
        return events

    assert "UnableToPartialParse" in parse(tmp_path / "first" / "warehouse.duckdb"), "no parse saved yet"
    assert "UnableToPartialParse" not in parse(tmp_path / "second" / "other.duckdb")


def test_a_parse_ahead_compiles_the_macros_the_last_build_called(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dbt compiles a macro the first time a process calls it (~70 a build, ~0.4 s of a core on the build's path); the
    last build's are recorded in the work folder, and a parse ahead of the next build compiles those, and only those,
    the way dbt does (its template_cache). Two dbt parses, the second partial."""
    from dbt_common.clients.jinja import template_cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(template_cache, "file_cache", {})
    monkeypatch.setattr(dbt, "_parsed_ahead", {})
    warehouse, work_dir = tmp_path / "warehouse.duckdb", tmp_path / ".dbt"
    dbt.parse_ahead(warehouse, work_dir)  # a whole parse (renders the models: compiles what they call)
    template_cache.file_cache.clear()  # the next process

    manifest = dbt._parsed_ahead.pop((warehouse.resolve(), work_dir.resolve()))
    names = ("macro.caijue.replace_or_append", "macro.caijue.materialization_table_duckdb")
    called = [manifest.macros[name] for name in names]
    for macro in called:
        template_cache.get_node_template(macro)  # as the build calls them
    dbt._record_macros_built_with(work_dir)
    (work_dir / dbt.MACROS_BUILT_WITH).write_text(
        (work_dir / dbt.MACROS_BUILT_WITH).read_text() + "\n" + dbt._macro_digest("{% macro gone() %}{% endmacro %}")
    )

    template_cache.file_cache.clear()  # the next process
    dbt.parse_ahead(warehouse, work_dir)  # partial: the project is the same, nothing rendered
    assert set(template_cache.file_cache) == {macro.macro_sql for macro in called}, "a macro no longer there is skipped"

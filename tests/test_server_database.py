"""The run server's database template (flows/server.py): a new PREFECT_HOME starts from a migrated, empty copy of
the first new database's, kept in the user's cache folder. SQLite files stand in for Prefect's (~0.1 s)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from flows.server import database_template, home_database, keep_template, start_from_template


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("PREFECT_API_DATABASE_CONNECTION_URL", raising=False)
    return tmp_path / "cache"


def migrated(path: Path, runs: int = 0) -> Path:
    """A database in WAL mode, as the server leaves it: its migration recorded, `runs` flow runs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path)) as con:
        con.execute("pragma journal_mode=wal")
        con.execute("create table alembic_version (version_num varchar)")
        con.execute("insert into alembic_version values ('head')")
        con.execute("create table flow_run (id integer)")
        con.executemany("insert into flow_run values (?)", [(i,) for i in range(runs)])
        con.commit()
    return path


def rows(path: Path, table: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as con:
        return con.execute(f"select * from {table}").fetchall()


def test_the_database_is_prefect_homes_unless_set_elsewhere(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert home_database() == cache.parent / "home" / "prefect.db"
    monkeypatch.setenv("PREFECT_API_DATABASE_CONNECTION_URL", "postgresql+asyncpg://elsewhere/prefect")
    assert home_database() is None


def test_a_new_home_has_no_database_until_a_template_is_kept_then_starts_from_it(cache: Path) -> None:
    database = home_database()
    assert database is not None
    assert not start_from_template(database)
    assert not database.exists()

    keep_template(migrated(database))  # the server has migrated it and answers
    template = database_template()
    assert template is not None and template.is_relative_to(cache)
    assert rows(template, "alembic_version") == [("head",)]

    other = cache.parent / "other home" / "prefect.db"
    assert start_from_template(other)
    assert rows(other, "alembic_version") == [("head",)]
    assert rows(other, "flow_run") == []


def test_a_kept_template_is_not_replaced_and_an_existing_database_not_overwritten(cache: Path) -> None:
    database = home_database()
    assert database is not None
    keep_template(migrated(database))
    later = migrated(cache.parent / "later" / "prefect.db", runs=3)
    keep_template(later)
    template = database_template()
    assert template is not None
    assert rows(template, "flow_run") == []

    assert start_from_template(later)  # it has its own: left as it is
    assert len(rows(later, "flow_run")) == 3

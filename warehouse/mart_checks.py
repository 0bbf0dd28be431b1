"""What the mart checks (expectations/gate.py `validate_marts`) found, kept in raw beside the marts they
checked, so that it reaches marts.fct_quality_issue like every other check.

A build's checks run after dbt built its marts, so the table is written then and the quality marts are
rebuilt from it (the dbt model MART_CHECK_MODEL and what is downstream of it). Every build starts by
clearing it: the rows were about the marts that build replaces. A build whose marts fail a check is not
published (flows/publish.py `keep_rejected`): its rows are read in the rejected build; a published
warehouse holds only checks that did not stop its publish (warnings), and none when all passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import duckdb

from extract.model import Problem
from warehouse.raw import SCHEMA, ensure_schema, transaction

TABLE = f"{SCHEMA}.mart_check_results"
MART_CHECK_MODEL = "stg_mart_check_results"  # the dbt model that reads the table


def mart_of(problem: Problem) -> str:
    """The mart a check is about: its name is marts.<mart>.<check> (expectations/gate.py)."""
    parts = problem.check_name.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "marts" else problem.check_name


def write_mart_check_results(database: Path, problems: Sequence[Problem], checked_at: datetime) -> None:
    """Replace the table's rows with these, in one transaction."""
    rows = [
        [mart_of(p), p.check_name, p.severity, p.document_id, p.table_kind, p.message, checked_at] for p in problems
    ]
    with duckdb.connect(str(database)) as con:
        ensure_schema(con)
        with transaction(con):
            con.execute(f"delete from {TABLE}")
            if rows:
                con.executemany(
                    f"insert into {TABLE} (mart, check_name, severity, document_id, table_kind, message, checked_at)"
                    " values (?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )


def clear_mart_check_results(database: Path) -> None:
    """A new build's start: the rows were the checks of the marts it replaces."""
    write_mart_check_results(database, [], datetime.min)


def read_mart_check_results(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str | None, str]]:
    """(mart, check_name, severity, document_id, message) of every row, in a stable order."""
    return con.execute(
        f"select mart, check_name, severity, document_id, message from {TABLE} order by mart, check_name, message"
    ).fetchall()

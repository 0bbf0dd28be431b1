"""`caijue departments`: the departments as matched, and the bureau's override file applied.

Listing reads the published warehouse read-only. Applying loads the override file into a working copy and
rebuilds the marts through ingest's own path (flows/ingest.py `rebuild`: writer lock, working copy, dbt build,
mart checks, atomic publish), so a reader never sees half of it and a killed apply leaves the published
file as it was.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from flows.publish import writer_lock
from flows.report import say
from flows.summary import RunSummary
from warehouse.departments import (
    OverrideFileError,
    describe_departments,
    loaded_overrides,
    override_file,
    read_overrides,
    write_overrides,
)


def list_departments(warehouse: Path, departments_file: str | Path | None = None) -> str:
    """The listing, and a last line when the override file says what the warehouse does not hold yet."""
    source = override_file(warehouse, departments_file)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        listing = describe_departments(con)
        loaded = loaded_overrides(con) or []
    try:
        pending = read_overrides(source) != loaded
    except OverrideFileError as error:
        return f"{listing}\n\nThe override file cannot be applied: {error}"
    if pending:
        listing += f"\n\n{source.path} is not what this warehouse was built with: caijue departments --apply"
    return listing


def apply_overrides(warehouse: Path, departments_file: str | Path | None = None) -> RunSummary:
    """Load the override file (checked before anything is touched) and publish the rebuilt marts."""
    from flows.ingest import rebuild  # imports Prefect: only when a rebuild is asked for

    source = override_file(warehouse, departments_file)
    overrides = read_overrides(source)
    summary = RunSummary(warehouse)
    with writer_lock(warehouse, on_wait=say):

        def load(work: Path) -> None:
            changed = write_overrides(work, overrides, source.path)
            state = "loaded" if changed else "unchanged"
            say(f"departments: {len(overrides)} overrides from {source.path} ({state})")

        rebuild(summary, load)
    return summary

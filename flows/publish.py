"""Build in a working copy, publish atomically: readers are never blocked and never see half a run.

DuckDB allows one writing process or many reading ones. So a run never opens the published file for
writing: it copies it to `<dir>/.caijue-building/<name>`, loads and builds there, checkpoints (the
copy then holds everything in its one file, no WAL beside it), and `os.replace`s it onto the
published path. rename(2) is atomic: a reader opening the path gets the old file or the new one,
whole. A reader that opened the old file keeps reading it (its inode lives until the last reader
closes it) and sees the new one when it reconnects. A run killed at any point leaves the published
file untouched; the next run discards the stale working copy and starts again from the published
file.

The working copy lives in a sibling folder, on the same filesystem so the rename stays atomic. Its name
does not matter: DuckDB names a file's catalog after the file, but dbt builds with the file attached as
`warehouse` and no view names a catalog (dbt_project/profiles.yml, macros/relations.sql), so the
published file, or any copy of it under any name, answers every view.

One run at a time per warehouse: a lock file (flock, released by the kernel when its holder dies).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

BUILDING_DIR = ".caijue-building"
REJECTED_DIR = ".caijue-rejected"


def working_path(published: Path) -> Path:
    return published.parent / BUILDING_DIR / published.name


def rejected_path(published: Path) -> Path:
    """Where the last build whose marts failed a check is kept, to be read (never published)."""
    return published.parent / REJECTED_DIR / published.name


def wal_of(database: Path) -> Path:
    return database.with_name(database.name + ".wal")


@contextmanager
def writer_lock(published: Path, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the warehouse's writer lock for the block; waits while another run holds it."""
    published.parent.mkdir(parents=True, exist_ok=True)
    lock_file = published.parent / f".{published.name}.lock"
    with lock_file.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                on_wait(f"another run is writing {published.name}: waiting for it to finish")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def start_working_copy(published: Path, empty: Path | None = None) -> Path:
    """A fresh copy of the published warehouse to build in; when there is none yet, a copy of `empty` (the project's
    empty warehouse, warehouse/dbt.py) if it is there, else an empty path. Whatever a killed run left behind is
    discarded: its WAL must never be replayed onto the copy."""
    work = working_path(published)
    work.parent.mkdir(parents=True, exist_ok=True)
    discard(work)
    if published.exists():
        shutil.copyfile(published, work)  # copy_file_range: a reflink where the filesystem can
        if wal_of(published).exists():  # a file last written by something other than caijue
            shutil.copyfile(wal_of(published), wal_of(work))
    elif empty is not None:
        try:
            shutil.copyfile(empty, work)  # made whole and checkpointed, then renamed: no WAL
        except OSError:  # gone meanwhile (another project's made), or unreadable: the copy starts empty
            discard(work)
    return work


def publish(work: Path, published: Path) -> float:
    """Make the working copy the published warehouse, atomically; returns the seconds it took."""
    started = time.perf_counter()
    _checkpoint(work)
    _fsync(work)
    os.replace(work, published)
    _fsync(published.parent)
    discard(rejected_path(published))  # a later build passed its checks: the rejected one is history
    stale_wal = wal_of(published)
    if stale_wal.exists():  # it belonged to the replaced file
        stale_wal.unlink()
    return time.perf_counter() - started


def keep_rejected(work: Path, published: Path) -> Path:
    """Set the working copy aside, checkpointed, in place of the last rejected build: a build whose marts
    failed a check is not published, and what the checks found is read there (its fct_quality_issue).
    A rename, no copy; the next published build removes it."""
    rejected = rejected_path(published)
    rejected.parent.mkdir(parents=True, exist_ok=True)
    _checkpoint(work)
    discard(rejected)
    os.replace(work, rejected)
    return rejected


def discard(work: Path) -> None:
    for path in (work, wal_of(work)):
        path.unlink(missing_ok=True)


def _checkpoint(database: Path) -> None:
    con = duckdb.connect(str(database))
    try:
        con.execute("checkpoint")
    finally:
        con.close()
    if wal_of(database).exists():
        raise RuntimeError(f"{database} still has a WAL after a checkpoint: not publishing it")


def _fsync(path: Path) -> None:
    # The rename must not reach the disk before the data it points at (a power cut, not a kill).
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

"""Errors a user can cause, and the one line each becomes: `caijue: <what> — <what to do>`.

Raise `UserError` where the fault is known (flows/settings.py, flows/plan.py, flows/cli.py); the CLI's
`main` prints it as one line and exits non-zero (`caijue --debug …` shows the traceback instead).
DuckDB's own errors about the warehouse file are raised deep in code that cannot know they are the
user's (warehouse/, which must not import flows): `explain_database_error` names them from their text.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # DuckDB is not imported by the CLI before a run begins its server (flows/cli.py)
    import duckdb


class UserError(Exception):
    """A fault in what the user gave (a path, a name, a file's state): what is wrong, and what to do."""

    def __init__(self, what: str, to_do: str) -> None:
        super().__init__(f"{what} — {to_do}")
        self.what, self.to_do = what, to_do


# DuckDB error text → (what is wrong with the warehouse file, what to do). {path} is the warehouse.
DATABASE_ERRORS: tuple[tuple[str, str, str], ...] = (
    (
        "Could not set lock",
        "{path} is open for writing in another process",
        "close that program (a duckdb shell, a notebook) and run again",
    ),
    (
        "not a valid DuckDB database file",
        "{path} is not a DuckDB database",
        "give --warehouse a DuckDB file, or a new path to start one",
    ),
    (
        "Is a directory",
        "{path} is a folder, not a DuckDB file",
        "give --warehouse a file path, e.g. {path}/warehouse.duckdb",
    ),
    (
        "Permission denied",
        "{path} cannot be read",
        "give the user running caijue access to it, or choose another --warehouse",
    ),
    (
        "Read-only file system",
        "{path} is on a read-only file system",
        "choose a --warehouse on a writable disk",
    ),
)


def explain_database_error(error: duckdb.Error, warehouse: Path | None) -> UserError | None:
    """The user's fault a DuckDB error names, as a UserError; None when it is not one we know (a bug)."""
    text = str(error)
    for fragment, what, to_do in DATABASE_ERRORS:
        if fragment in text:
            path = str(warehouse) if warehouse is not None else "the warehouse"
            return UserError(what.format(path=path), to_do.format(path=path))
    return None


def check_warehouse_readable(warehouse: Path) -> None:
    """A warehouse path must name a file (or nothing yet), not a folder or a pipe."""
    if warehouse.is_dir():
        raise UserError(
            f"{warehouse} is a folder, not a DuckDB file",
            f"give --warehouse a file path, e.g. {warehouse}/warehouse.duckdb",
        )
    if warehouse.exists() and not warehouse.is_file():
        raise UserError(f"{warehouse} is not a regular file", "give --warehouse a DuckDB file path")
    if warehouse.parent.exists() and not warehouse.parent.is_dir():
        raise UserError(f"{warehouse.parent} is a file, not a folder", "give --warehouse a path in a folder")


def check_warehouse_writable(warehouse: Path) -> None:
    """A run writes beside the warehouse (its lock, its working copy) and replaces it: both the file
    and its folder must be writable. A file or folder with no write permission bits at all counts as
    read-only even to root: someone marked it so."""
    check_warehouse_readable(warehouse)
    folder = _existing_ancestor(warehouse.parent)
    for path, kind in ((warehouse, "file"), (folder, "folder")):
        if path.exists() and _read_only(path):
            raise UserError(
                f"the warehouse {kind} {path} is read-only",
                "make it writable (chmod u+w) or choose another --warehouse",
            )


def check_input(path: Path) -> None:
    """A path given to ingest or survey: an existing regular file or a folder."""
    if not path.exists() and not path.is_symlink():
        raise UserError(f"no such file or folder: {path}", "check the path")
    if not path.exists():
        raise UserError(f"{path} is a broken link", "point it at a PDF file or a folder")
    if not (path.is_file() or path.is_dir()):
        raise UserError(f"{path} is not a regular file or folder (a pipe, a device?)", "give PDF files or folders")


def _existing_ancestor(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _read_only(path: Path) -> bool:
    return not os.access(path, os.W_OK) or not path.stat().st_mode & 0o222

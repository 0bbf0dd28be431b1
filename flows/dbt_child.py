"""A run's dbt builds in a process of their own, begun as the run begins.

In the run's own process dbt held the GIL for ~2.5 s of a core to import and prepare (warehouse/dbt.py `prepare`)
and for each build's parse and nodes (~40 ms of dbt's Python a node), on the critical path of a small run beside
Prefect's and Great Expectations' imports, the gate and the load. In a child process (flows/timeout.py's
IsolatedCaller, without a deadline), begun while the run's Prefect server boots, dbt imports on the other core;
once the run knows the working copy it will build, the child parses the project for that build while the run
loads it (warehouse/dbt.py `parse_ahead`); the build runs there while the run waits for it. Each node's line
comes back with the build's outcome and goes to `on_node` then (the run's page, as before), in dbt's order.

A build the child cannot do (the child died, or the build raised) is done again in this process: what it raises
there (a warehouse locked by another program, flows/errors.py) reaches the user as it always did. Without a child
begun (`caijue departments --apply` rebuilds without a run) builds run in this process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

from flows.timeout import DBT, ChildCrashed, IsolatedCaller, RemoteError
from warehouse.dbt import DbtOutcome, build_warehouse, make_empty_warehouse, parse_ahead, prepare


class DbtChild:
    """One child process with dbt imported and prepared, building when asked (one call at a time: the work done
    ahead, on threads of this process that wait for the child, one after another)."""

    def __init__(self) -> None:
        self._caller = IsolatedCaller(DBT)
        self._ahead: threading.Thread | None = None
        self._ahead_lock = threading.Lock()
        self._parsed_for: set[tuple[Path, Path]] = set()  # parses asked ahead of the next build (one a build)
        self._do_ahead(prepare)

    def _do_ahead(self, function: Callable[..., object], *args: Any) -> None:
        """`function(*args)` in the child after what was asked before, without waiting for it."""

        def call(before: threading.Thread | None) -> None:
            if before is not None:
                before.join()
            with suppress(Exception):  # what fails ahead fails again in the build, which is then done here
                self._caller.call(function, *args, seconds=None)

        with self._ahead_lock:
            self._ahead = threading.Thread(target=call, args=(self._ahead,), name="caijue-dbt-child", daemon=True)
            self._ahead.start()

    def parse_ahead(self, warehouse: Path, work_dir: Path) -> None:
        """Once until the next build: `caijue serve`'s warm process parses ahead while it waits for its run
        (flows/warm_spare.py), and the run asks again."""
        with self._ahead_lock:
            if (warehouse, work_dir) in self._parsed_for:
                return
            self._parsed_for.add((warehouse, work_dir))
        self._do_ahead(parse_ahead, warehouse, work_dir)

    def make_empty_warehouse_ahead(self) -> None:
        """The project's empty warehouse made in the child, unless kept already (warehouse/dbt.py
        make_empty_warehouse): a run into a warehouse not yet published asks it as it begins."""
        self._do_ahead(make_empty_warehouse)

    def settle(self) -> None:
        """Wait for what was asked ahead (the preparation, a parse, the empty warehouse)."""
        with self._ahead_lock:
            ahead = self._ahead
        if ahead is not None:
            ahead.join()

    def build(self, warehouse: Path, on_node: Callable[[str], None] | None, options: dict[str, Any]) -> DbtOutcome:
        with self._ahead_lock:
            self._parsed_for.clear()  # this build takes the parse
        self.settle()
        try:
            outcome, lines = self._caller.call(_build_collecting_lines, warehouse, options, seconds=None)
        except (ChildCrashed, RemoteError):
            return build_warehouse(warehouse, on_node=on_node, **options)
        for line in lines if on_node else ():
            on_node(line)
        return outcome

    def close(self) -> None:
        """Stop the child (a preparation under way ends with it: its thread, seeing the pipe close, closes the
        caller too, and may have cleared the process in between: then it is the one that stops it)."""
        with suppress(AttributeError, OSError):
            self._caller.close()


def _build_collecting_lines(warehouse: Path, options: dict[str, Any]) -> tuple[DbtOutcome, list[str]]:
    """In the child: the build, and its nodes' lines for the run's page."""
    lines: list[str] = []
    return build_warehouse(warehouse, on_node=lines.append, **options), lines


_child: DbtChild | None = None
_child_lock = threading.Lock()


def begin_dbt_child() -> None:
    """Begin this process's dbt child, unless one is begun already."""
    global _child
    with _child_lock:
        if _child is None:
            _child = DbtChild()


def end_dbt_child() -> None:
    """Stop this process's dbt child, if any: a run's child ends with the run (a later run begins its own, with
    the environment of its time)."""
    global _child
    with _child_lock:
        child, _child = _child, None
    if child is not None:
        child.close()


def settle() -> None:
    """Wait for what this process's dbt child, if begun, was asked to do ahead: `caijue serve`'s warm process says
    it is warm once its dbt child is prepared and has parsed (flows/warm_spare.py)."""
    with _child_lock:
        child = _child
    if child is not None:
        child.settle()


def parse_for(warehouse: Path, work_dir: Path) -> None:
    """The dbt child, if begun, parses the project for the next build of `warehouse` into `work_dir` meanwhile."""
    with _child_lock:
        child = _child
    if child is not None:
        child.parse_ahead(warehouse, work_dir)


def make_empty_warehouse_ahead() -> None:
    """The dbt child, if begun, makes the project's empty warehouse meanwhile unless it is kept already."""
    with _child_lock:
        child = _child
    if child is not None:
        child.make_empty_warehouse_ahead()


def build(warehouse: Path, *, on_node: Callable[[str], None] | None = None, **options: Any) -> DbtOutcome:
    """warehouse/dbt.py `build_warehouse(warehouse, on_node=on_node, **options)`, in the dbt child when one is
    begun, else in this process."""
    with _child_lock:
        child = _child
    if child is None:
        return build_warehouse(warehouse, on_node=on_node, **options)
    return child.build(warehouse, on_node, options)

"""Start-up work done while the run's Prefect server boots, not while documents wait.

A document reader's: on threads of the flow's own process (one per reading child), or in a remote Dask worker as
it starts (`dask worker --preload flows.warmup`: Dask's hook `dask_setup`): import Prefect's task engine and start
the child process that reads the documents, with the extractor loaded in it.

The flow process's own: the modules the stages after the documents need (Great Expectations for the gate's
Checkpoint and the mart checks), imported on a thread while the server boots and the documents are read
(`import_in_background`), instead of one after another once the documents are read, then frozen out of the garbage
collector's sight (flows/collector.py); and the run's dbt child (flows/dbt_child.py), begun at the same time,
importing dbt on the other core."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Sequence
from typing import Any

from flows.collector import freeze_survivors
from flows.dbt_child import begin_dbt_child

# What the stages after the document stage import in the flow's process: Great Expectations for the gate's
# Checkpoint and the mart checks (~4 s of a core). dbt is the dbt child's (flows/dbt_child.py).
LATER_STAGE_MODULES = ("great_expectations",)


def warm_up() -> None:
    import flows.document_task  # noqa: F401  (Prefect's task engine, the task's own module)
    from flows.extraction import warm_child

    warm_child()


def dask_setup(worker: Any) -> None:
    warm_up()


def import_in_background(modules: Sequence[str] = LATER_STAGE_MODULES) -> threading.Thread:
    """Import `modules` on a thread of this process, begun once (a later call returns the same thread): while the
    run's server boots and its documents are read, the flow's own thread mostly waits (on the server, on the
    reading children), so the stages after the document stage find them imported instead of importing them one
    after another on the run's critical path. Join the thread before those stages (no import of the same
    package from two threads at once). A module that fails to import here fails again, with its traceback,
    where the stage imports it. The run's dbt child is begun too, unless it is (flows/dbt_child.py)."""
    global _later_imports
    begin_dbt_child()
    with _later_imports_lock:
        if _later_imports is None:
            _later_imports = threading.Thread(
                target=_import_all, args=(tuple(modules),), name="caijue-later-imports", daemon=True
            )
            _later_imports.start()
        return _later_imports


_later_imports: threading.Thread | None = None
_later_imports_lock = threading.Lock()


def _import_all(modules: tuple[str, ...]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # said where the stage imports it, with its traceback
            continue
    # Imported, they live as long as the process: out of the collections the documents' garbage sets off. No gate
    # runs before this thread is joined, so what is frozen here is the process's, not a document's.
    freeze_survivors()

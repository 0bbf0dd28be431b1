"""Session-wide setup: Prefect's state in a temporary folder, one test harness for the whole run."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests try 300 examples each in CI; a fuzz run searches far longer:
#   HYPOTHESIS_PROFILE=fuzz pytest -n 0 tests/test_amount_properties.py tests/test_parser_properties.py
settings.register_profile("ci", max_examples=300, deadline=None)
settings.register_profile("fuzz", max_examples=50_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

_STATE = Path(tempfile.mkdtemp(prefix=f"caijue-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-"))
# Before anything imports prefect (it creates PREFECT_HOME on import). Each xdist worker gets its own
# Prefect database: two servers migrating one SQLite file collide.
os.environ["PREFECT_HOME"] = str(_STATE / "prefect")
from flows.settings import prepare_prefect  # noqa: E402

prepare_prefect(_STATE)
os.environ.setdefault("CAIJUE_WAREHOUSE", str(_STATE / "warehouse.duckdb"))


def pytest_unconfigure(config: pytest.Config) -> None:
    """The session's temporary folder goes with it (each session and xdist worker made one)."""
    shutil.rmtree(_STATE, ignore_errors=True)


def pytest_configure(config: pytest.Config) -> None:
    """A CJK font for PDFium before any test reads a PDF: in the controller, before xdist's workers start."""
    if hasattr(config, "workerinput"):
        return
    from tests.machine import ensure_cjk_font

    if missing := ensure_cjk_font():
        config.issue_config_time_warning(pytest.PytestWarning(missing), stacklevel=2)


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[str]:
    """A temporary Prefect server (its database in the session's temporary PREFECT_HOME), started once
    (about 15 s) and shared, as in a real run, with the extraction worker processes."""
    from flows.server import prefect_api

    with prefect_api() as api_url:
        yield api_url


@pytest.fixture(scope="module", autouse=True)
def no_prefect_connection_left() -> Iterator[None]:
    """A module's in-process runs leave no Prefect events connection open: its websocket's keepalive pings draw
    from the global `random` in Prefect's event-loop thread, which Hypothesis reports as a strategy using the
    `random` module when a ping falls inside a draw of a later module's property test. Draining is instant when
    no run emitted events; the next run starts a new events worker."""
    yield
    if "prefect.events.worker" in sys.modules:
        from prefect.events.worker import EventsWorker

        EventsWorker.drain_all(timeout=5)

"""`caijue serve`'s warm process (flows/warm_spare.py): the Runner's flow run is executed by the spare begun before
it was triggered, through the function the Runner calls (prefect.runner._starter_direct); with the spare gone, by
Prefect's own; a run killed in its spare, or an idle spare stopped with serve, leaves none of its children behind.

Each spare imports what a run of the ingest flow does and begins its dbt child (~10 s of a core); the flow runs are
small flows of this module, recorded by the session's Prefect server (the `prefect_harness` fixture).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import psutil
import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.runner import _starter_direct

from flows.timeout import DBT, READER
from flows.warm_spare import Spare, SpareKeeper, warm_spares

WARM_UP_DEADLINE = 240.0  # a spare's imports and children on a loaded 2-core machine
GIVEN = "CAIJUE_TEST_GIVEN"


@flow(name="where-it-runs")
def where_it_runs(marker: str) -> None:
    """Record the process that executes the run and an environment variable the Runner gives it."""
    Path(marker).write_text(f"{os.getpid()} {os.environ.get(GIVEN)}")


@flow(name="sleeps")
def sleeps(marker: str) -> None:
    Path(marker).write_text(str(os.getpid()))
    time.sleep(600)


def refuse_prefects_path(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the run went Prefect's own way, not to the spare")


def wait_until(condition: Callable[[], bool], what: str, seconds: float = WARM_UP_DEADLINE) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {seconds:g} s")
        time.sleep(0.1)


def warm(spare: Spare | None) -> Spare:
    assert spare is not None, "a spare is begun"
    wait_until(spare.warm.is_set, "warm spare")
    return spare


def flow_run_for(run_flow: Any, marker: Path) -> Any:
    with get_client(sync_client=True) as client:
        return client.create_flow_run(run_flow, parameters={"marker": str(marker)})


def state_of(flow_run: Any) -> str:
    with get_client(sync_client=True) as client:
        return client.read_flow_run(flow_run.id).state.type.value


def children_of(pid: int) -> list[psutil.Process]:
    return psutil.Process(pid).children(recursive=True)


def all_gone(processes: list[psutil.Process]) -> bool:
    return not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in processes)


@pytest.fixture
def keeper_closed() -> Iterator[list[SpareKeeper]]:
    """Keepers to close at the end, whatever the test did: no spare outlives its test."""
    keepers: list[SpareKeeper] = []
    yield keepers
    for keeper in keepers:
        keeper.close()


def test_a_run_is_executed_by_the_spare_begun_before_it_was_triggered(tmp_path: Path, prefect_harness: str) -> None:
    prefects_own = _starter_direct.run_flow_in_subprocess
    with warm_spares(workers=1, warm_readers=False) as keeper:
        assert keeper is not None
        spare = warm(keeper.spare)
        marker = tmp_path / "ran"
        flow_run = flow_run_for(where_it_runs, marker)

        # what the Runner's DirectSubprocessStarter calls
        process = _starter_direct.run_flow_in_subprocess(
            where_it_runs, flow_run=flow_run, env={GIVEN: "given", "PREFECT__DEPLOYMENT_NAME": None}
        )
        assert process is spare.process
        process.join(WARM_UP_DEADLINE)
        assert process.exitcode == 0
        assert marker.read_text() == f"{spare.process.pid} given"
        assert state_of(flow_run) == "COMPLETED"

        wait_until(lambda: keeper.spare is not None and keeper.spare is not spare, "next spare", seconds=60)
        following = keeper.spare
    assert _starter_direct.run_flow_in_subprocess is prefects_own
    assert following is not None and not following.process.is_alive(), "serve's end stops the idle spare"


def test_with_the_spare_gone_prefects_own_function_runs_the_flow(
    tmp_path: Path, prefect_harness: str, keeper_closed: list[SpareKeeper]
) -> None:
    from prefect.flow_engine import run_flow_in_subprocess

    calls: list[Any] = []

    def prefects_own(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs["flow_run"].id)
        return run_flow_in_subprocess(*args, **kwargs)

    keeper = SpareKeeper(workers=1, warm_readers=False, prefect_function=prefects_own)
    keeper_closed.append(keeper)
    keeper.begin()
    assert keeper.spare is not None
    gone = keeper.spare.process
    gone.kill()
    gone.join()

    marker = tmp_path / "ran"
    flow_run = flow_run_for(where_it_runs, marker)
    process = keeper.run_flow_in_subprocess(where_it_runs, flow_run=flow_run, env={GIVEN: "given"})
    assert process is not gone and calls == [flow_run.id]
    process.join(WARM_UP_DEADLINE)
    assert process.exitcode == 0
    assert marker.read_text() == f"{process.pid} given"
    assert state_of(flow_run) == "COMPLETED"


def test_a_run_killed_in_its_spare_and_an_idle_spare_stopped_leave_no_children(
    tmp_path: Path, prefect_harness: str, keeper_closed: list[SpareKeeper]
) -> None:
    keeper = SpareKeeper(workers=1, warm_readers=True, prefect_function=refuse_prefects_path)
    keeper_closed.append(keeper)
    keeper.begin()
    spare = warm(keeper.spare)
    children = children_of(spare.process.pid)
    commands = [" ".join(child.cmdline()) for child in children]
    names = sorted(child.name() for child in children if "flows.timeout" in " ".join(child.cmdline()))
    assert names == [DBT, READER], commands  # its dbt child, a reading child

    marker = tmp_path / "ran"
    process = keeper.run_flow_in_subprocess(sleeps, flow_run=flow_run_for(sleeps, marker), env={})
    wait_until(marker.exists, "run under way")
    os.kill(process.pid, signal.SIGKILL)  # as the Runner's hard kill of a cancelled run
    process.join()
    wait_until(lambda: all_gone(children), "end of the killed spare's children", seconds=30)

    wait_until(lambda: keeper.spare is not None and keeper.spare is not spare, "next spare", seconds=60)
    following = warm(keeper.spare)
    children = children_of(following.process.pid)
    assert children
    keeper.close()  # serve stopping (Ctrl-C, SIGTERM)
    assert not following.process.is_alive()
    wait_until(lambda: all_gone(children), "end of the idle spare's children", seconds=30)
    with suppress(psutil.Error):
        assert not psutil.Process(following.process.pid).is_running()

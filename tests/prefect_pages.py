"""What a run's page in the Prefect UI shows, read back through Prefect's client: the flow run, its task runs,
its logs and its artifacts."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from prefect import get_client
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.filters import (
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterId,
    LogFilter,
    LogFilterFlowRunId,
)
from prefect.client.schemas.objects import Artifact, FlowRun, Log, TaskRun

FLOW = "caijue-ingest"


@dataclass
class RunPage:
    flow_run: FlowRun
    task_runs: list[TaskRun]
    logs: list[Log]
    artifacts: list[Artifact]

    @property
    def messages(self) -> list[str]:
        return [log.message for log in self.logs]


def flow_runs_into(warehouse: Path) -> list[FlowRun]:
    """The ingest flow's runs into `warehouse`, oldest first."""
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=[FLOW])))
    mine = [run for run in runs if run.parameters.get("warehouse") == str(warehouse)]
    return sorted(mine, key=lambda run: run.created or 0)


def run_page(flow_run: FlowRun, wait_for: Sequence[str] = (), seconds: float = 20.0) -> RunPage:
    """The run's page once its logs hold every message of `wait_for` (logs reach the API in batches, every
    2 s; task runs are recorded from their events), or as it is after `seconds`."""
    deadline = time.monotonic() + seconds
    by_run = FlowRunFilter(id=FlowRunFilterId(any_=[flow_run.id]))
    while True:
        with get_client(sync_client=True) as client:
            page = RunPage(
                client.read_flow_run(flow_run.id),
                client.read_task_runs(flow_run_filter=by_run),
                _all_logs(client, flow_run),
                client.read_artifacts(flow_run_filter=by_run),
            )
        if set(wait_for) <= set(page.messages) or time.monotonic() > deadline:
            return page
        time.sleep(0.5)


LOGS_PER_READ = 200  # the API's default and largest page


def _all_logs(client: SyncPrefectClient, flow_run: FlowRun) -> list[Log]:
    """Every log line of the run, page by page (a run logs a line per dbt node: more than one page)."""
    logs: list[Log] = []
    by_run = LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run.id]))
    while True:
        page = client.read_logs(log_filter=by_run, limit=LOGS_PER_READ, offset=len(logs))
        logs += page
        if len(page) < LOGS_PER_READ:
            return logs

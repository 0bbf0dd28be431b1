"""Where things live, and the Prefect environment — set before Prefect is first imported."""

from __future__ import annotations

import os
from pathlib import Path

from flows.errors import check_warehouse_readable

REPOSITORY = Path(__file__).resolve().parent.parent
DEFAULT_WAREHOUSE = Path("data/warehouse.duckdb")


# DuckDB names a file's catalog after the first dot-separated part of its name; a catalog named like one
# of the warehouse's schemas makes `marts.dim_document` ambiguous, in every query and every view.
SCHEMAS = ("raw", "staging", "intermediate", "marts", "marts_zh")


def warehouse_path(cli_value: str | None = None) -> Path:
    """--warehouse, then CAIJUE_WAREHOUSE, then data/warehouse.duckdb (relative to the working folder).
    Any file name will do but one DuckDB would name like a schema (marts.duckdb): one clear line then."""
    chosen = cli_value or os.environ.get("CAIJUE_WAREHOUSE") or str(DEFAULT_WAREHOUSE)
    path = Path(chosen).expanduser().resolve()
    catalog = path.name.lstrip(".").split(".")[0]
    if catalog.lower() in SCHEMAS:
        raise SystemExit(
            f"caijue: a warehouse file cannot be called {path.name}: DuckDB would name its catalog {catalog!r},"
            f" like the schema {catalog}, and queries of {catalog}.… would be ambiguous; choose another name"
        )
    check_warehouse_readable(path)
    return path


def prepare_prefect(state_dir: Path) -> None:
    """Prefect runs a temporary local server when no PREFECT_API_URL is set; make it quiet on the console,
    patient, and let a run's page show its progress.

    `import prefect` creates PREFECT_HOME, so this must run before the first import of prefect.
    """
    defaults = {
        "PREFECT_HOME": str(state_dir / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        # A run's progress lines (flows/report.py `say`) and its flow and task runs' own INFO lines go to the
        # API, shown on the run's page; the console shows warnings only (the CLI prints its own lines).
        "PREFECT_LOGGING_TO_API_ENABLED": "true",
        "PREFECT_LOGGING_LOGGERS_PREFECT_FLOW_RUNS_LEVEL": "INFO",
        "PREFECT_LOGGING_LOGGERS_PREFECT_TASK_RUNS_LEVEL": "INFO",
        "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
    }
    default_environment(defaults)
    state_dir.mkdir(parents=True, exist_ok=True)


def default_environment(values: dict[str, str]) -> None:
    """Set these variables for this process and those it starts, unless set already (an operator's own
    setting wins)."""
    for key, value in values.items():
        os.environ.setdefault(key, value)

"""What a run tells the person who started it."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flows.summary import RunSummary


def say(message: str) -> None:
    """Progress for the person waiting: one line per stage step, on stdout, and the same line in the run's
    log on its Prefect page when said inside a flow or task run."""
    print(f"[caijue {datetime.now().strftime('%H:%M:%S')}] {message}", flush=True)
    _log_to_run(message)


def run_log() -> Callable[[str], None]:
    """The current run's log, for lines that belong on its Prefect page but not on the console (dbt's node
    by node progress): taken here, in the run's context, and callable from any thread — dbt reports from its
    own threads, which have no run context. Outside a run, lines go nowhere."""
    logger = _run_logger()
    return logger.info if logger is not None else _nowhere


def _nowhere(message: str) -> None:
    del message


def _log_to_run(message: str) -> None:
    """Through Prefect's run logger (flows/settings.py sends its INFO lines to the API, not the console)."""
    logger = _run_logger()
    if logger is not None:
        logger.info(message)


def _run_logger() -> logging.LoggerAdapter | None:
    """The current flow or task run's logger; None outside a run. Without Prefect imported there is no run:
    the CLI reports an up-to-date inbox without importing it."""
    if "prefect" not in sys.modules:
        return None
    from prefect.exceptions import MissingContextError
    from prefect.logging import get_run_logger

    try:
        return get_run_logger()
    except MissingContextError:
        return None


def summary_markdown(summary: RunSummary) -> str:
    counts = summary.counts()
    issues = sum(len(o.issues) + len(o.document.problems) for o in summary.outcomes)
    lines = [
        "| documents | count |",
        "|---|---|",
        f"| discovered | {summary.discovered} |",
        f"| new | {len(summary.outcomes) - summary.reextracted - summary.retried} |",
        f"| re-extracted (new extractor version) | {summary.reextracted} |",
        f"| retried (a timeout or crash a retry could fix) | {summary.retried} |",
        f"| unchanged (already loaded) | {summary.unchanged} |",
        f"| loaded | {counts.get('loaded', 0)} |",
        f"| superseded (a re-published version is now current) | {summary.superseded} |",
        f"| quarantined | {counts.get('quarantined', 0)} |",
        f"| failed | {counts.get('failed', 0)} |",
        f"| facts loaded | {summary.facts_loaded} |",
        f"| tables withheld (figures in doubt: in raw, not in the marts) | {_withheld_tables(summary)} |",
        f"| issues recorded | {issues} |",
        f"| warehouse published | {'yes' if summary.published else 'no (unchanged)'} |",
        f"| mart checks failed (they stop the publish) | {len(summary.failed_mart_checks)} |",
        "",
        *_failed_mart_checks(summary),
        "| stage | seconds |",
        "|---|---|",
        *(f"| {stage} | {seconds:.1f} |" for stage, seconds in summary.timings.items()),
    ]
    return "\n".join(lines)


def _failed_mart_checks(summary: RunSummary) -> list[str]:
    """The failed mart checks, listed in the run summary: the marts were not published, so they are in no
    warehouse table (fct_quality_issue holds only the checks of what was published)."""
    if not summary.failed_mart_checks:
        return []
    rows = [f"| {p.check_name} | {p.message} |" for p in summary.failed_mart_checks]
    return [f"Not published: {summary.failure}", "", "| mart check | failure |", "|---|---|", *rows, ""]


def _withheld_tables(summary: RunSummary) -> int:
    return sum(len(o.withheld) for o in summary.outcomes if o.status == "loaded")


def print_summary(summary: RunSummary) -> None:
    print()
    print(summary_markdown(summary))
    for outcome in summary.outcomes:
        if outcome.status != "loaded":
            print(f"  {outcome.status.upper()}: {outcome.path}: {outcome.reason}")
            for issue in [*outcome.document.problems, *outcome.issues]:
                if issue.severity == "error":
                    page = f" (page {issue.page})" if issue.page else ""
                    print(f"      {issue.check_name}{page}: {issue.message}")
        elif outcome.withheld:
            print(f"  LOADED, {len(outcome.withheld)} table(s) WITHHELD: {outcome.path}")
            for table_kind, why in sorted(outcome.withheld.items()):
                print(f"      {table_kind}: {why}")
    warnings = sum(1 for o in summary.outcomes if o.status == "loaded" for i in o.issues if i.severity == "warning")
    if warnings:
        print(f"  {warnings} publisher issues recorded on loaded documents: see marts.fct_quality_issue")
    for problem in summary.mart_problems:
        print(f"  MART CHECK FAILED: {problem.check_name}: {problem.message}")
    if summary.dbt_ok is False:
        print(f"  dbt build failed: {summary.dbt_message}")
    print(f"\nwarehouse: {summary.warehouse}")

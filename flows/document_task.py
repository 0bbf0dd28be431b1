"""The document stage as a Prefect task: a few documents per task run, each extracted and assessed in a child
process (flows/extraction.py `read_file`); the run's gate judges them in chunks as they come, one GX Checkpoint
run per chunk (flows/gate_and_load.py). Its own module so that a worker warming up (flows/warmup.py) imports the
task without the flow that maps it."""

from __future__ import annotations

from prefect import task

from flows import early_reads
from flows.extraction import ReadDocument, read_file
from flows.limits import DEFAULT_LIMITS, DocumentLimits
from flows.summary import DocumentOutcome


def process_batch(paths: list[str], limits: DocumentLimits = DEFAULT_LIMITS) -> list[ReadDocument | DocumentOutcome]:
    """A few documents per task, each within its limits: Prefect's own cost per task run (API calls, state
    changes, about 0.5 s of a core on 2 cores) would otherwise eat a quarter of the parallel speed-up. A document
    read while the run's server booted is taken, not read again (flows/early_reads.py)."""
    return [early_reads.take(path, limits) or read_file(path, limits) for path in paths]


process_task = task(process_batch, name="extract", retries=2, retry_delay_seconds=2)

"""Gate and load a run's documents in chunks as they are read, while the reading children go on.

Every `chunk_documents` documents read, the flow's thread judges them in one run of the gate's Checkpoint
(flows/extraction.py `gate_reads`; a document's verdict depends on its own rows only, so it is the same alone or
in any chunk), writes the chunk's outcomes to raw in the run's working copy (flows/publish.py: a stop or a crash
discards it, nothing is published until the build passes) and lets their frames and facts go. So extraction,
gate and load overlap, and the flow's process holds at most a chunk of documents' frames and facts whatever the
run's size (it held every document's until one Checkpoint after the last: about 1 MiB each).

The reading's end is not waited for with a chunk half full: when only as many documents are still to come as
there are reading slots (the cores are going idle), the chunk so far is judged and loaded at once, so after the
last document only those few are left to judge, not a chunk (one more Checkpoint run: ~0.2 s of a core).

Each chunk's gate and load are task runs named "gate" and "load" on the run's page, with a progress line each.
Their seconds add up into the run's "gate" and "load" figures; the Data Docs (`caijue ingest --data-docs DIR`)
are every chunk's Checkpoint results under the run's one run name.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import duckdb

from flows.extraction import ReadDocument, gate_reads, refused_outcome
from flows.plan import Plan, with_attempts_counted
from flows.publish import start_working_copy
from flows.report import say
from flows.stages import run_stage
from flows.summary import DocumentOutcome, RunSummary
from flows.version import READING_VERSION
from warehouse.dbt import empty_warehouse
from warehouse.departments import write_overrides
from warehouse.mart_checks import clear_mart_check_results
from warehouse.raw import DocumentRows, close_without_checkpoint, load_documents

if TYPE_CHECKING:
    from expectations.gate import Gate

# Documents judged together: each Checkpoint run costs ~0.35 s of a core whatever its size, and a few ms per
# document (256 generated documents, alternated on a loaded machine: 4 runs of 64 2.4-2.5 s, 2 of 128 1.7-1.8 s);
# each document waiting holds ~1 MiB of frames and facts in the flow's process. 128: ~128 MiB held at most,
# 4 Checkpoint runs per 400 documents (64 took 7).
CHUNK_DOCUMENTS = 128


@dataclass(frozen=True, slots=True)
class LoadTally:
    """What a load wrote: documents, the facts that reach the marts (loaded, in no withheld table) and the
    tables withheld."""

    documents: int = 0
    facts: int = 0
    withheld_tables: int = 0

    def __add__(self, other: LoadTally) -> LoadTally:
        return LoadTally(
            self.documents + other.documents, self.facts + other.facts, self.withheld_tables + other.withheld_tables
        )

    def __str__(self) -> str:
        withheld = f" ({self.withheld_tables} tables withheld)" if self.withheld_tables else ""
        return f"{self.facts} facts{withheld}"


def write_outcomes(
    con: duckdb.DuckDBPyConnection, outcomes: Sequence[DocumentOutcome], ingested_at: datetime
) -> LoadTally:
    """Every outcome written to raw in one transaction (warehouse/raw.py `load_documents`), then its tables and
    facts let go (DocumentOutcome.written)."""
    rows = [DocumentRows(o.document, o.status, o.reason, o.issues, o.path, o.withheld) for o in outcomes]
    written = load_documents(con, rows, extractor_version=READING_VERSION, ingested_at=ingested_at)
    facts = withheld_tables = 0
    for outcome, wrote in zip(outcomes, written, strict=True):
        if wrote and outcome.status == "loaded":
            facts += sum(1 for f in outcome.document.facts if f.table_kind not in outcome.withheld)
            withheld_tables += len(outcome.withheld)
        outcome.written()
    return LoadTally(len(outcomes), facts, withheld_tables)


def load_outcomes(warehouse: Path, outcomes: Sequence[DocumentOutcome]) -> LoadTally:
    """`write_outcomes` into the database file `warehouse` (created if need be), at once."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse)) as con:
        return write_outcomes(con, outcomes, datetime.now(UTC).replace(tzinfo=None))


class GateAndLoad:
    """A run's gate and load, chunk by chunk: `add` each document read (its position in the plan's to-do list),
    then `finish` (the last chunk, the refused files, the department overrides); used as a context manager, which
    closes the working copy's connection. `summary` gets the outcomes in the plan's order, the facts loaded
    and the stages' seconds; `before_first_gate` runs once, timed as "later imports" (the GX import's wait)."""

    def __init__(
        self,
        summary: RunSummary,
        plan: Plan,
        work: Path,
        data_docs: Path | None = None,
        *,
        chunk_documents: int = CHUNK_DOCUMENTS,
        tail_documents: int = 0,
        before_first_gate: Callable[[], None] | None = None,
    ) -> None:
        """`tail_documents`: the reading slots; when only that many documents are still to come, the chunk so
        far is judged and loaded at once (0: only full chunks, then the rest at `finish`)."""
        self.summary, self.plan, self.work = summary, plan, work
        self.data_docs, self.chunk_documents = data_docs, max(1, chunk_documents)
        self.tail_documents = max(0, tail_documents)
        self._to_come = len(plan.todo)  # documents of the plan's to-do list not yet added
        self._before_first_gate = before_first_gate
        self._pending: list[tuple[int, ReadDocument | DocumentOutcome]] = []
        self._judged: list[tuple[int, DocumentOutcome]] = []
        self._gate: Gate | None = None
        self._run_name = f"caijue-ingest-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"  # the Data Docs' run (a folder name)
        self._ingested_at = datetime.now(UTC).replace(tzinfo=None)
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._statuses: Counter[str] = Counter()
        self._tally = LoadTally()
        self._expected = len(plan.todo) + len(plan.refused)
        self.chunks = 0
        for stage in ("gate", "load"):
            summary.timings.setdefault(stage, 0.0)

    def __enter__(self) -> GateAndLoad:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._close()

    @property
    def seconds(self) -> float:
        """The flow's thread's time in this run's gate and load so far (and the wait for the later imports)."""
        return sum(self.summary.timings.get(stage, 0.0) for stage in ("gate", "load", "later imports"))

    def add(self, position: int, read: ReadDocument | DocumentOutcome) -> None:
        """A document read (or failed); a chunk full is judged and loaded at once, and so is the chunk so far when
        only `tail_documents` are still to come."""
        self._pending.append((position, read))
        self._to_come -= 1
        if len(self._pending) >= self.chunk_documents or 0 < self._to_come == self.tail_documents:
            self._flush()

    def finish(self) -> None:
        """The last chunk and the files caijue refused to read judged and loaded, the department overrides written
        (every run that builds loads the override file whole), and the run's figures said: what the gate found of
        every document, the Data Docs' index."""
        first = len(self.plan.todo)
        self._pending += [(first + i, refused_outcome(r)) for i, r in enumerate(self.plan.refused)]  # flows/inbox.py
        self._flush(last=True)
        self._close()
        self.summary.outcomes = [outcome for _, outcome in sorted(self._judged, key=lambda judged: judged[0])]
        if self._statuses:
            chunks = f" ({self.chunks} chunks)" if self.chunks > 1 else ""
            say(f"gate: {dict(self._statuses)}{chunks}")
        if self.data_docs is not None:
            index = self._gate.data_docs_index if self._gate is not None else None
            say(f"data docs: {index}" if index else "data docs: nothing to render")

    def _flush(self, *, last: bool = False) -> None:
        """The pending documents judged and loaded; the last flush loads the override file even with none."""
        chunk, self._pending = self._pending, []
        if chunk:
            outcomes = run_stage("gate", lambda: self._gate_chunk([read for _, read in chunk]))
            self._judged += [(position, outcome) for (position, _), outcome in zip(chunk, outcomes, strict=True)]
            self.chunks += 1
        else:
            outcomes = []
        if chunk or last:
            run_stage("load", lambda: self._load_chunk(outcomes, last=last))

    def _gate_chunk(self, reads: list[ReadDocument | DocumentOutcome]) -> list[DocumentOutcome]:
        if self._before_first_gate is not None:
            clock = time.perf_counter()
            self._before_first_gate()
            self._before_first_gate = None
            self.summary.timings["later imports"] = time.perf_counter() - clock
        clock = time.perf_counter()
        if self.data_docs is not None and self._gate is None:
            from expectations.data_docs import data_docs_gate

            self._gate = data_docs_gate(self.data_docs)
        outcomes = with_attempts_counted(self.plan, gate_reads(reads, self._gate, self._run_name))
        self.summary.timings["gate"] += time.perf_counter() - clock
        self._statuses.update(o.status for o in outcomes)
        return outcomes

    def _load_chunk(self, outcomes: list[DocumentOutcome], *, last: bool) -> None:
        """The chunk's outcomes written to raw in one transaction, then their facts let go; with the last chunk,
        the department overrides."""
        clock = time.perf_counter()
        tally = write_outcomes(self._open(), outcomes, self._ingested_at)
        self._tally += tally
        self.summary.facts_loaded = self._tally.facts
        if outcomes:
            say(f"load: {self._tally.documents}/{self._expected} documents written to raw, {self._tally}")
        if last and write_overrides(self.work, self.plan.overrides, self.plan.overrides_file):
            say(f"load: {len(self.plan.overrides)} department overrides from {self.plan.overrides_file}")
        self.summary.timings["load"] += time.perf_counter() - clock

    def _open(self) -> duckdb.DuckDBPyConnection:
        """The working copy, begun from the published warehouse at the first load of the run."""
        if self._connection is None:
            published = self.summary.warehouse
            empty = None if published.exists() else empty_warehouse()
            if empty is None:
                say("load: copying the published warehouse to a working copy")
            else:
                kept = "the project's empty warehouse" if empty.exists() else "nothing (no empty warehouse kept yet)"
                say(f"load: a new warehouse, its working copy begun from {kept}")
            start_working_copy(published, empty=empty)
            clear_mart_check_results(self.work)  # they were the checks of the marts this build replaces
            self._connection = duckdb.connect(str(self.work))
            # One DuckDB thread while the run loads: a load scans the chunk's pandas frames, whose text columns need
            # the GIL, so a second thread mostly waits for it (4 loads of 64 documents: 1.4-2.4 -> 1.1-1.2 s of CPU,
            # the same wall), and the reading children have the cores meanwhile. A setting of the database, not of
            # a connection's config (DuckDB refuses a second connection to a file with another config).
            self._connection.execute("set threads = 1")
        return self._connection

    def _close(self) -> None:
        if self._connection is not None:
            close_without_checkpoint(self._connection)  # the build's checkpoint takes the load's writes
            self._connection = None

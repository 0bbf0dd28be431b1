"""What one ingest run did: plain data, free of Prefect so the CLI can report a run that had nothing to do
without importing it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from extract import ExtractedDocument
from extract.model import DocumentStatus, Problem


@dataclass(slots=True)
class DocumentOutcome:
    """One file after extraction and the gate."""

    path: str
    document: ExtractedDocument
    status: DocumentStatus = "loaded"
    reason: str | None = None
    issues: list[Problem] = field(default_factory=list)
    withheld: dict[str, str] = field(default_factory=dict)  # table_kind → why the gate withheld it
    identity_tally: dict[str, int] = field(default_factory=dict)  # see GateResult.identity_tally

    def __post_init__(self) -> None:
        if self.status == "loaded" and not self.reason:  # every file's reason says what became of it
            self.reason = loaded_reason(self.document)

    def written(self) -> None:
        """Once in raw, keep what the run reports (the document's meta and problems, the verdict) and let its
        tables and facts go: a run's outcomes would otherwise hold every fact it read through dbt and the mart
        checks, and Prefect walks a flow's return value, the summary, item by item when the flow ends."""
        self.document = replace(self.document, tables=[], facts=[], narrative={}, disputed={}, table_preambles={})


def loaded_reason(document: ExtractedDocument) -> str:
    """A loaded document's reason when no table was withheld: what it loaded ("loaded: 9 tables, 412 facts")."""
    tables, facts = len(document.tables), len(document.facts)
    return f"loaded: {tables} table{'s' * (tables != 1)}, {facts} fact{'s' * (facts != 1)}"


@dataclass(slots=True)
class RunSummary:
    warehouse: Path
    discovered: int = 0
    unchanged: int = 0
    reextracted: int = 0  # known documents extracted again by a new extractor version
    retried: int = 0  # failed documents extracted again: a retry could fix their failure (flows/plan.py)
    superseded: int = 0  # documents that were current and are replaced by a re-published version
    published: bool = False  # this run replaced the published warehouse
    outcomes: list[DocumentOutcome] = field(default_factory=list)
    facts_loaded: int = 0
    dbt_ok: bool | None = None
    dbt_message: str = ""
    dbt_invocation_id: str | None = None  # the build's: names the documents it remade (warehouse/dbt.py)
    mart_problems: list[Problem] = field(default_factory=list)
    rejected_build: Path | None = None  # where a build whose marts failed a check was kept (flows/publish.py)
    timings: dict[str, float] = field(default_factory=dict)

    def counts(self) -> Counter[str]:
        return Counter(o.status for o in self.outcomes)

    def record(self) -> dict[str, object]:
        """The run in figures, JSON-ready (`caijue ingest --summary-json`, read by `caijue bench`)."""
        return {
            "warehouse": str(self.warehouse),
            "discovered": self.discovered,
            "unchanged": self.unchanged,
            "reextracted": self.reextracted,
            "retried": self.retried,
            "superseded": self.superseded,
            "statuses": dict(self.counts()),
            "facts_loaded": self.facts_loaded,
            "dbt_ok": self.dbt_ok,
            "published": self.published,
            "failure": self.failure,
            "timings": dict(self.timings),
        }

    @property
    def failed_mart_checks(self) -> list[Problem]:
        """The mart checks (GX validation of the built marts) that failed: each stops the publish."""
        return [p for p in self.mart_problems if p.severity == "error"]

    @property
    def completed(self) -> bool:
        return self.failure is None

    @property
    def failure(self) -> str | None:
        """Why the run built nothing to publish, in one line; None when it completed."""
        if self.dbt_ok is False:
            return f"dbt build failed: {self.dbt_message}"
        failed = self.failed_mart_checks
        if not failed:
            return None
        more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
        kept = f"; the build is kept at {self.rejected_build} (marts.fct_quality_issue)" if self.rejected_build else ""
        return f"{len(failed)} mart check(s) failed: {failed[0].check_name}: {failed[0].message}{more}{kept}"

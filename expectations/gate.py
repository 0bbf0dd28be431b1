"""The quality gate: Great Expectations validates a run's documents, in one Checkpoint, before they are loaded.

Each document is read and assessed in its reading child (expectations.assessment `gate_frames`: the identities,
their attribution, the whole-document checks, the second reading of contested pages — pure Python, no GX);
the flow's process then validates the whole run's frames — every document's rows concatenated, each with its
document — in one GX Checkpoint with one ValidationDefinition per suite (expectations.suites), and each
document's verdict and issues come from that run's results. With `data_docs_dir`, the Checkpoint's own
results are the run's Data Docs (its action renders them): nothing is checked twice.

Severity: structural failures (missing/unknown keys, unreadable amounts, malformed codes, duplicate
cells, pages out of range) are errors; a failed identity is an error when it looks like a misread
and a warning when it looks like the publisher's (rules in expectations.attribution); cross-table
mismatches are always warnings. Whole-document checks (expectations.narrative, expectations.layout_checks)
add the narrative's figures and years against the tables and missing tables (warnings: the publisher's)
and unit slips and swapped columns (errors: numbers 10 000 times off, or in the wrong column, must not
be loaded). Each severity is the GX expectation's own. Any error, or an extraction problem of severity
'error' already in `doc.problems`, quarantines the document or withholds the table it names.

Build one `Gate` per process (importing great_expectations takes ~5 s; it happens in `Gate.__init__`, not
when this module is imported), then `judge` a run's documents, `check` one, and `validate_marts` after dbt.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from expectations.assessment import GateFrames, gate_frames
from expectations.identities import FAMILIES
from expectations.marts import MartSpec, mart_specs
from expectations.suites import RUN_DOCUMENT, Meta, Suites
from expectations.vocabulary import Vocabulary, vocabulary
from extract.model import ExtractedDocument, Problem, Severity

if TYPE_CHECKING:
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult
    from great_expectations.data_context import AbstractDataContext

    from expectations.checkpoint import FrameCheckpoint

GateStatus = Literal["loaded", "quarantined"]
DATASOURCE = "caijue"
DOCUMENT_SUITES = ("facts", "identity_checks", "document_checks")  # GateFrames' fields, in the order issues are listed
FAMILY_RANK = {family: rank for rank, family in enumerate(FAMILIES)}
NOT_NULL = "expect_multicolumn_values_to_not_be_null"  # expectations.multicolumn_not_null's type
# A row's problem: (the suite's order of its problems, the problem).
Finding = tuple[tuple[int, int], Problem]


@dataclass(frozen=True, slots=True)
class GateResult:
    """What the gate decided for one document. `issues` are the gate's own findings; the document's
    extraction problems stay in `doc.problems` (the loader stores both)."""

    status: GateStatus
    issues: list[Problem]
    reason: str | None  # why it was quarantined, in one line
    identity_checks: pd.DataFrame = field(repr=False)  # the document's identities, `holds` as GX found
    seconds: float = 0.0
    withheld: dict[str, str] = field(default_factory=dict)  # table_kind → why its figures stay out of the marts
    identity_tally: dict[str, int] = field(default_factory=dict)  # see identity_tally()
    # The suite results of the Checkpoint run that judged the document (with the other documents of its run).
    validations: tuple[ExpectationSuiteValidationResult, ...] = field(default=(), repr=False)
    # The document's whole-document checks, `holds` as GX found (the rules' expectations computed it).
    document_checks: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.issues if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.issues if p.severity == "warning"]


@dataclass(frozen=True, slots=True)
class RunVerdicts:
    """One Checkpoint run over a run's documents: each document's result, in the order given, and the run's
    suite results (its Data Docs)."""

    results: list[GateResult]
    validations: tuple[ExpectationSuiteValidationResult, ...]
    seconds: float


class Gate:
    """GX context, suites and Checkpoint, built once; `judge` validates a run's documents in one Checkpoint run
    (~0.3 s, and a few ms per document), `check` one document."""

    def __init__(
        self,
        *,
        data_docs_dir: str | Path | None = None,
        max_rows_per_check: int = 20,
        vocab: Vocabulary | None = None,
    ):
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        from expectations.checkpoint import skip_batch_fingerprints
        from expectations.expectation_kwargs import read_configuration_once

        skip_batch_fingerprints()
        read_configuration_once()
        # GX pins this module's logger to INFO on import and announces every temporary docs folder.
        logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)
        self._gx = gx
        self._vocab: Vocabulary = vocab or vocabulary()
        self._suites = Suites(self._vocab)
        self._mart_specs = mart_specs(self._vocab)
        self._max_rows = max_rows_per_check
        self._lock = threading.Lock()  # one Checkpoint run at a time (caijue serve runs flows on threads)
        self.data_docs_dir = Path(data_docs_dir) if data_docs_dir is not None else None
        if self.data_docs_dir is None:
            self._context: AbstractDataContext = gx.get_context(mode="ephemeral")
        else:
            self.data_docs_dir.mkdir(parents=True, exist_ok=True)
            self._context = gx.get_context(mode="file", project_root_dir=str(self.data_docs_dir))
        self._context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        if self.data_docs_dir is not None:
            self._context.variables.save()
        self._datasource = self._context.data_sources.add_or_update_pandas(DATASOURCE)
        suites = [
            self._suite("facts", self._suites.facts()),
            self._suite("identity_checks", self._suites.identity_checks()),
            self._suite("document_checks", self._suites.document_checks()),
        ]
        self._documents = self._checkpoint("caijue documents", suites)
        self._marts: dict[str, tuple[Any, Any]] = {}  # mart suite name → (suite, batch definition)

    # --- documents --------------------------------------------------------------------------------

    def check(self, doc: ExtractedDocument, pdf: bytes | None = None) -> GateResult:
        """Validate one extracted document: loaded (perhaps with tables withheld, and with its warnings) or
        quarantined (a doubt about the document as a whole, or about every one of its tables). With the `pdf` it
        was read from, the pages a failed identity contests are read a second time first
        (expectations.second_reading): without it, no figure is read twice. The same Checkpoint as a run's,
        over this one document (its run named by the file)."""
        started = time.perf_counter()
        frames = gate_frames(doc, pdf, self._vocab)
        [result] = self.judge([(doc, frames)], run_name=doc.meta.file_name).results
        return dataclasses.replace(result, seconds=time.perf_counter() - started)

    def judge(
        self, documents: Sequence[tuple[ExtractedDocument, GateFrames]], run_name: str = "caijue gate"
    ) -> RunVerdicts:
        """Validate the documents' frames (expectations.assessment `gate_frames`) in one Checkpoint run named
        `run_name`: every document's rows in one frame per suite, each row with its document's position; each
        document's verdict from its rows' results, in the order given."""
        started = time.perf_counter()
        if not documents:
            return RunVerdicts([], (), 0.0)
        frames = {name: _run_frame([getattr(f, name) for _, f in documents]) for name in DOCUMENT_SUITES}
        with self._lock:
            results = self._documents.run(frames, run_name)
        found: list[list[Finding]] = [[] for _ in documents]
        builders = {"facts": _fact_problem, "identity_checks": _identity_problem, "document_checks": _document_problem}
        for name in DOCUMENT_SUITES:
            suite_found = self._findings(name, frames[name], results[name], builders[name], len(documents))
            for position, findings in enumerate(suite_found):
                found[position] += findings if name == "facts" else sorted(findings, key=lambda f: f[0])
        identities = _with_holds(frames["identity_checks"], results["identity_checks"])
        whole_document = _with_holds(frames["document_checks"], results["document_checks"])
        validations = tuple(results[name] for name in DOCUMENT_SUITES)
        by_document = _rows_by_document(identities, len(documents))
        checks_by_document = _rows_by_document(whole_document, len(documents))
        # The run's column dropped once, not from each document's slice (a drop costs ~0.5 ms whatever the rows).
        identities = identities.drop(columns=[RUN_DOCUMENT])
        whole_document = whole_document.drop(columns=[RUN_DOCUMENT])
        verdicts = [
            self._verdict(
                doc,
                [p for _, p in found[i]],
                identities.iloc[by_document[i]],
                whole_document.iloc[checks_by_document[i]],
                validations,
            )
            for i, (doc, _) in enumerate(documents)
        ]
        seconds = time.perf_counter() - started
        share = seconds / len(documents)
        return RunVerdicts([dataclasses.replace(v, seconds=share) for v in verdicts], validations, seconds)

    def _verdict(
        self,
        doc: ExtractedDocument,
        issues: list[Problem],
        checks: pd.DataFrame,
        document_checks: pd.DataFrame,
        validations: tuple[ExpectationSuiteValidationResult, ...],
    ) -> GateResult:
        errors = [*(p for p in doc.problems if p.severity == "error"), *(p for p in issues if p.severity == "error")]
        withheld, whole_document = withheld_tables(doc, errors)
        quarantined = bool(whole_document) or (bool(withheld) and not _loadable_tables(doc, withheld))
        checks = checks.reset_index(drop=True)
        document_checks = document_checks.reset_index(drop=True)
        return GateResult(
            status="quarantined" if quarantined else "loaded",
            issues=_capped(issues, self._max_rows),
            reason=_reason(whole_document or errors) if quarantined else _withheld_reason(withheld),
            identity_checks=checks,
            withheld=withheld,
            identity_tally=identity_tally(checks, withheld),
            validations=validations,
            document_checks=document_checks,
        )

    @property
    def checked_marts(self) -> frozenset[str]:
        """The marts `validate_marts` checks (those the contract specifies): the only frames it needs."""
        return frozenset(self._mart_specs)

    @property
    def per_document_marts(self) -> frozenset[str]:
        """The checked marts whose rows are each made from its own document alone (MartSpec.per_document)."""
        return frozenset(name for name, spec in self._mart_specs.items() if spec.per_document)

    def validate_marts(self, frames: Mapping[str, pd.DataFrame]) -> list[Problem]:
        """Check the public marts (warehouse/mart_frames.py: amounts exact) against the contract's keys and words.
        Frames of unknown names are ignored; every failure is an error (the contract is broken).

        Each mart is validated on its own batch, not by a Checkpoint: a Checkpoint asks every expectation for its
        rows and stores its results, which cost 1.05 s of CPU against 0.50 s here for the 16 marts of a
        45-document warehouse, on every run; here only a failed expectation is asked for its rows."""
        problems: list[Problem] = []
        for name, frame in frames.items():
            spec = self._mart_specs.get(name)
            if spec is None:
                continue
            with self._lock:
                result = self._validate_mart(f"mart_{name}", spec, frame)
            found = self._findings(
                f"mart_{name}", frame, result, functools.partial(_mart_problem, name), 1, owners=False
            )
            problems += [p for _, p in found[0]]
        return problems

    def build_data_docs(self) -> Path | None:
        """Render the stored validation results again (only with `data_docs_dir`; each Checkpoint run renders
        its own); returns index.html."""
        if self.data_docs_dir is None:
            return None
        self._context.build_data_docs()
        return self.data_docs_index

    @property
    def data_docs_index(self) -> Path | None:
        """The Data Docs' index.html, once a run has rendered them."""
        if self.data_docs_dir is None:
            return None
        found = sorted(self.data_docs_dir.rglob("data_docs/local_site/index.html"))
        return found[0] if found else None

    # --- GX plumbing --------------------------------------------------------------------------------

    def _suite(self, name: str, expectations: Sequence[Any]) -> Any:
        suite = self._gx.ExpectationSuite(name=name, expectations=list(expectations))
        return self._context.suites.add_or_update(suite)

    def _checkpoint(self, name: str, suites: Sequence[Any]) -> FrameCheckpoint:
        from expectations.checkpoint import FrameCheckpoint

        data_docs = self.data_docs_dir is not None
        return FrameCheckpoint(self._context, self._datasource, name, suites, data_docs=data_docs)

    def prepare_marts(self) -> None:
        """Make every mart's suite and batch definition now, as validate_marts would on its first call (~0.2 s of a
        core for the contract's marts): `caijue serve`'s warm process does it while it waits (flows/warm_spare.py)."""
        with self._lock:
            for name, spec in self._mart_specs.items():
                self._mart_suite(f"mart_{name}", spec)

    def _mart_suite(self, suite_name: str, spec: MartSpec) -> tuple[Any, Any]:
        """The mart's suite and batch definition, made on first use."""
        if suite_name not in self._marts:
            asset = self._datasource.add_dataframe_asset(suite_name)
            suite = self._suite(suite_name, self._suites.mart(spec))
            self._marts[suite_name] = (suite, asset.add_batch_definition_whole_dataframe("whole"))
        return self._marts[suite_name]

    def _validate_mart(self, suite_name: str, spec: MartSpec, frame: pd.DataFrame) -> Any:
        """The mart's suite result: every expectation's verdict, and the failed ones' rows."""
        from expectations.checkpoint import COMPLETE

        suite, batch_definition = self._mart_suite(suite_name, spec)
        batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
        result = batch.validate(suite, result_format="BOOLEAN_ONLY")
        result.results = [
            outcome
            if outcome.success
            else batch.validate(outcome.expectation_config.to_domain_obj(), result_format=COMPLETE)
            for outcome in result.results
        ]
        return result

    def _findings(
        self,
        name: str,
        frame: pd.DataFrame,
        result: ExpectationSuiteValidationResult,
        row_problem: Callable[[pd.DataFrame], Callable[[Meta, int], Problem]],
        documents: int,
        *,
        owners: bool = True,
    ) -> list[list[Finding]]:
        """Each document's findings of a suite: one Problem per unexpected row (capped later), keyed by the order
        they are listed in; one per failed expectation that has no rows (a missing column, a crashed metric),
        for every document."""
        make = row_problem(frame)
        owner = frame[RUN_DOCUMENT].to_numpy() if owners else np.zeros(len(frame), dtype=int)
        found: list[list[Finding]] = [[] for _ in range(documents)]
        for outcome in result.results:
            if outcome.success:
                continue
            config = outcome.expectation_config
            meta = Meta.of(config)
            columns = [config.kwargs.get("column"), *config.kwargs.get("column_list", [])]
            if any(c is not None and c not in frame.columns for c in columns):
                continue  # reported once, by the expectation on the frame's columns
            rows = _unexpected_rows(outcome.result or {})
            if not rows:
                whole = _whole_frame_problem(meta, name, _observed(outcome))
                for findings in found:
                    findings.append(((0, -1), whole))
                continue
            for row in rows:
                found[int(owner[row])].append(
                    (_order(name, frame, row), make(_naming_empty(meta, config, frame, row), row))
                )
        return found


def _naming_empty(meta: Meta, config: Any, frame: pd.DataFrame, row: int) -> Meta:
    """A row's problem of a multicolumn not-null expectation names the columns it leaves empty ("key is empty");
    any other expectation's meaning is its own."""
    if config.type != NOT_NULL:
        return meta
    empty = [c for c in config.kwargs["column_list"] if _none(frame.at[row, c]) is None]
    return dataclasses.replace(meta, message=f"{', '.join(empty)} is {meta.message}")


def _order(suite_name: str, frame: pd.DataFrame, row: int) -> tuple[int, int]:
    """Where a row's problem is listed within its suite: the identity checks by family then row (each family is
    two expectations, one per severity), the others by row."""
    if suite_name == "identity_checks":
        return FAMILY_RANK.get(str(frame.at[row, "family"]), len(FAMILY_RANK)), row
    return 0, row


def _run_frame(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The documents' frames one after another, each row with its document's position (RUN_DOCUMENT). Copied
    once, by the concatenation: tagging each part first copied every part before."""
    kept = [(position, part) for position, part in enumerate(parts) if not part.empty]
    if not kept:
        return parts[0].assign(**{RUN_DOCUMENT: pd.Series(dtype="int64")})
    frame = pd.concat([part for _, part in kept], ignore_index=True)
    positions = np.array([position for position, _ in kept], dtype="int64")
    frame[RUN_DOCUMENT] = np.repeat(positions, [len(part) for _, part in kept])
    return frame


def _rows_by_document(frame: pd.DataFrame, documents: int) -> list[slice]:
    """Each document's rows of a run frame (they are contiguous, in document order)."""
    positions = frame[RUN_DOCUMENT].to_numpy()
    bounds = np.searchsorted(positions, np.arange(documents + 1), side="left")
    return [slice(int(bounds[i]), int(bounds[i + 1])) for i in range(documents)]


def _with_holds(checks: pd.DataFrame, result: ExpectationSuiteValidationResult) -> pd.DataFrame:
    """The checks (identities, whole-document checks) with `holds`: False on the rows an expectation found
    unexpected."""
    failed: set[int] = set()
    for outcome in result.results:
        if not outcome.success:
            failed.update(_unexpected_rows(outcome.result or {}))
    return checks.assign(holds=~checks.index.isin(sorted(failed)))


def default_gate() -> Gate:
    """The process's gate (ephemeral GX context), built on first use. A process forked after its parent built one
    builds its own: the parent's Checkpoint writes its frames in a folder of the parent's, and two processes
    writing there would read each other's (or no) frames."""
    return _gate_of_process(os.getpid())


@functools.cache
def _gate_of_process(pid: int) -> Gate:
    return Gate()


def judge(documents: Sequence[tuple[ExtractedDocument, GateFrames]], gate: Gate | None = None) -> RunVerdicts:
    """`Gate.judge` on the process's default gate."""
    return (gate or default_gate()).judge(documents)


def validate_marts(frames: Mapping[str, pd.DataFrame], gate: Gate | None = None) -> list[Problem]:
    """`Gate.validate_marts` on the process's default gate."""
    return (gate or default_gate()).validate_marts(frames)


# --- turning GX results into Problems ---------------------------------------------------------------


def _unexpected_rows(result: Mapping[str, Any]) -> list[int]:
    rows = result.get("unexpected_index_list") or []
    # Compound-column expectations list dicts of the row's values with its index.
    return sorted({int(r["index"]) if isinstance(r, Mapping) else int(r) for r in rows})


def _observed(outcome: Any) -> str:
    """What a failed expectation with no unexpected rows saw (or the error it raised)."""
    for info in (outcome.exception_info or {}).values():
        if isinstance(info, Mapping) and info.get("raised_exception"):
            return str(info.get("exception_message"))
    if outcome.exception_info and outcome.exception_info.get("raised_exception"):
        return str(outcome.exception_info.get("exception_message"))
    result = outcome.result or {}
    details = result.get("details") or {}
    mismatched = details.get("mismatched")
    if mismatched:
        return f"mismatched columns: {mismatched}"
    observed = result.get("observed_value")
    return f"observed {observed}" if observed is not None else "failed"


def _whole_frame_problem(meta: Meta, suite_name: str, detail: str, severity: Severity | None = None) -> Problem:
    frame_name = suite_name.replace("mart_", "marts.", 1)
    message = f"{frame_name}: {meta.message} ({detail})"
    return Problem(check_name=meta.check_name, severity=severity or meta.severity, message=message)


def _fact_problem(facts: pd.DataFrame) -> Callable[[Meta, int], Problem]:
    def make(meta: Meta, row: int) -> Problem:
        fact = facts.loc[row]
        page = _int(fact["page"])
        where = " ".join(str(_none(fact[c]) or "∅") for c in ("fact_kind", "key", "measure"))
        text = f"{_none(fact['table_kind']) or '∅'} p{page if page is not None else '?'} {where}"
        amount = fact["amount_text"]
        return Problem(
            check_name=meta.check_name,
            severity=meta.severity,
            message=f"{text} (amount {_none(amount)} yuan): {meta.message}",
            table_kind=_none(fact["table_kind"]),
            page=page,
            subject_code=_none(fact["key"]),
        )

    return make


def _identity_problem(checks: pd.DataFrame) -> Callable[[Meta, int], Problem]:
    def make(meta: Meta, row: int) -> Problem:
        check = checks.loc[row]
        return Problem(
            check_name=str(check["check_name"]),
            severity=meta.severity,
            message=str(check["message"]),
            table_kind=str(check["table_kind"]),
            page=_int(check["page"]),
            subject_code=_none(check["subject_code"]),
            expected=check["expected"],
            actual=check["actual"],
            attributed_to=_none(check["attributed_to"]) or None,
            evidence=_none(check["evidence"]) or None,
        )

    return make


def _document_problem(checks: pd.DataFrame) -> Callable[[Meta, int], Problem]:
    def make(meta: Meta, row: int) -> Problem:
        check = checks.loc[row]
        return Problem(
            check_name=str(check["check_name"]),
            severity=meta.severity,
            message=str(check["message"]),
            table_kind=_none(check["table_kind"]),
            page=_int(check["page"]),
            subject_code=_none(check["subject_code"]),
            expected=_none(check["expected"]),
            actual=_none(check["actual"]),
            attributed_to=_none(check["attributed_to"]) or _whose(meta.severity),
            evidence=_none(check["evidence"]),
        )

    return make


def _whose(severity: str) -> str:
    """A document check that holds back a table doubts our reading; one that only warns reports what is printed."""
    return "extraction" if severity == "error" else "publisher"


def _mart_problem(name: str, frame: pd.DataFrame) -> Callable[[Meta, int], Problem]:
    def make(meta: Meta, row: int) -> Problem:
        values = frame.loc[row]
        document_id = _none(values["document_id"]) if "document_id" in frame.columns else None
        shown = ", ".join(f"{k}={_none(v)}" for k, v in values.items() if k != "document_id")
        return Problem(
            check_name=meta.check_name,
            severity="error",
            message=f"marts.{name} row {row} (document {document_id}): {meta.message}: {shown}",
            table_kind=_none(values["table_kind"]) if "table_kind" in frame.columns else None,
            document_id=document_id if isinstance(document_id, str) else None,
        )

    return make


def _none(value: Any) -> Any:
    """A pandas missing value as None."""
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def _int(value: Any) -> int | None:
    value = _none(value)
    return int(value) if value is not None else None


def _reason(errors: Sequence[Problem]) -> str | None:
    if not errors:
        return None
    shown = "; ".join(_where(p) for p in errors[:3])
    more = f" (+{len(errors) - 3} more)" if len(errors) > 3 else ""
    return f"{len(errors)} error{'s' if len(errors) > 1 else ''}: {shown}{more}"


def _where(problem: Problem) -> str:
    page = f" p{problem.page}" if problem.page is not None else ""
    code = f" {problem.subject_code}" if problem.subject_code else ""
    return f"{problem.check_name}{page}{code}"


# --- what the gate decides ------------------------------------------------------------------------------


def withheld_tables(doc: ExtractedDocument, errors: Sequence[Problem]) -> tuple[dict[str, str], list[Problem]]:
    """Each error withholds the table it names (table_kind → the first error's words); errors that name no
    table of the document are about the document as a whole."""
    printed = {t.table_kind for t in doc.tables}
    withheld: dict[str, str] = {}
    whole_document: list[Problem] = []
    for problem in errors:
        if problem.table_kind in printed:
            withheld.setdefault(problem.table_kind, _where(problem) + f": {_short(problem.message)}")
        else:
            whole_document.append(problem)
    return withheld, whole_document


def _loadable_tables(doc: ExtractedDocument, withheld: Mapping[str, str]) -> set[str]:
    return {f.table_kind for f in doc.facts} - set(withheld)


def _withheld_reason(withheld: Mapping[str, str]) -> str | None:
    if not withheld:
        return None
    shown = "; ".join(f"{kind} ({why})" for kind, why in withheld.items())
    return f"{len(withheld)} table{'s' if len(withheld) > 1 else ''} withheld: {shown}"


def _short(message: str, limit: int = 160) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _capped(problems: Sequence[Problem], max_rows: int) -> list[Problem]:
    """At most `max_rows` problems per check and severity; the rest summarised in one line."""
    shown: list[Problem] = []
    rest: dict[tuple[str, str], list[Problem]] = {}
    counts: dict[tuple[str, str], int] = {}
    for problem in problems:
        key = (problem.check_name, problem.severity)
        counts[key] = counts.get(key, 0) + 1
        if counts[key] <= max_rows:
            shown.append(problem)
        else:
            rest.setdefault(key, []).append(problem)
    for (check_name, severity), more in rest.items():
        pages = sorted({p.page for p in more if p.page is not None})
        on = f" (pages {', '.join(map(str, pages[:12]))}{'…' if len(pages) > 12 else ''})" if pages else ""
        shown.append(
            Problem(
                check_name,
                severity,
                f"and {len(more)} more rows{on}",  # type: ignore[arg-type]
                table_kind=more[0].table_kind if len({p.table_kind for p in more}) == 1 else None,
                attributed_to=more[0].attributed_to,
            )
        )
    return shown


def identity_tally(checks: pd.DataFrame, withheld: Mapping[str, str] | None = None) -> dict[str, int]:
    """held / publisher / extraction over every identity, and held / failed over the function tables'
    类 = Σ款 and 款 = Σ项 checks (hierarchy.function:held, hierarchy.function:failed) of the tables that load."""
    if withheld:
        checks = checks[~checks["table_kind"].isin(list(withheld))]
    if checks.empty:
        return {}
    held = checks["holds"].astype(bool)
    tally = {"held": int(held.sum())}
    for whose in ("publisher", "extraction"):
        tally[whose] = int(((~held) & (checks["attributed_to"] == whose)).sum())
    function = checks["check_name"].isin(["hierarchy.function_class", "hierarchy.function_section"])
    tally["hierarchy.function:held"] = int((function & held).sum())
    tally["hierarchy.function:failed"] = int((function & ~held).sum())
    return tally

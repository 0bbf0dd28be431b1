"""The quality gate: GX validates a document's facts and identity checks before it is loaded.

Build one `Gate` per process (importing great_expectations takes ~5 s; it happens in
`Gate.__init__`, not when this module is imported), then call `check(doc)` per document and
`validate_marts(frames)` after dbt build.

Severity: structural failures (missing/unknown keys, unreadable amounts, malformed codes, duplicate
cells, pages out of range) are errors; a failed identity is an error when it looks like a misread
and a warning when it looks like the publisher's (rules in expectations.attribution); cross-table
mismatches are always warnings. Whole-document checks (expectations.narrative, expectations.layout_checks)
add the narrative's figures and years against the tables and missing tables (warnings: the publisher's)
and unit slips and swapped columns (errors: numbers 10 000 times off, or in the wrong column, must not
be loaded). Any error, or an extraction problem of severity 'error' already in `doc.problems`,
quarantines the document.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from expectations.assessment import assess
from expectations.document_checks import DOCUMENT_CHECK_COLUMNS, document_checks_frame
from expectations.frames import FACT_COLUMNS, IDENTITY_COLUMNS, facts_frame, identity_frame
from expectations.identities import FAMILIES
from expectations.marts import MartSpec, mart_specs
from expectations.second_reading import contested_pages, read_again
from expectations.vocabulary import Vocabulary, vocabulary
from extract.model import ExtractedDocument, Problem, Severity

if TYPE_CHECKING:
    from great_expectations.core.batch_definition import BatchDefinition
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult
    from great_expectations.data_context import AbstractDataContext
    from great_expectations.expectations import Expectation

GateStatus = Literal["loaded", "quarantined"]
FUNCTION_CODE = r"^\d{3}(?:\d{2}){0,2}$"
ECONOMIC_CODE = r"^\d{3}(?:\d{2})?$"
WHOLE_CENTS = r"^-?\d+\.\d{2}$"
DATASOURCE = "caijue"
NO_PAGE_LIMIT = 1_000_000
COMPLETE = {"result_format": "COMPLETE", "partial_unexpected_count": 0}
# Our severities as GX's FailureSeverity values (an expectation's `severity`, shown in its Data Docs).
GX_SEVERITY: dict[Severity, str] = {"error": "critical", "warning": "warning"}


@dataclass(frozen=True, slots=True)
class GateResult:
    """What the gate decided for one document. `issues` are the gate's own findings; the document's
    extraction problems stay in `doc.problems` (the loader stores both)."""

    status: GateStatus
    issues: list[Problem]
    reason: str | None  # why it was quarantined, in one line
    identity_checks: pd.DataFrame = field(repr=False)
    seconds: float = 0.0
    withheld: dict[str, str] = field(default_factory=dict)  # table_kind → why its figures stay out of the marts
    identity_tally: dict[str, int] = field(default_factory=dict)  # see identity_tally()
    # The document's suite results (GX ExpectationSuiteValidationResult, its run named by the file; they pickle in
    # ~1 ms, JSON would cost ~30): the run's own validations, which its Data Docs show without checking again.
    validations: tuple[ExpectationSuiteValidationResult, ...] = field(default=(), repr=False)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.issues if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.issues if p.severity == "warning"]


@dataclass(frozen=True, slots=True)
class _Meta:
    """What a failed expectation means: its check and words carried in the expectation's GX meta, its severity as
    GX carries it (the expectation's own `severity`: critical for an error, warning for a warning)."""

    check_name: str
    message: str
    severity: Severity = "error"

    def as_dict(self) -> dict[str, str]:
        return {"check_name": self.check_name, "message": self.message}

    @property
    def gx_severity(self) -> str:
        return GX_SEVERITY[self.severity]

    @classmethod
    def of(cls, expectation: Any) -> _Meta:
        """The meaning of an expectation (its configuration) as the gate wrote it."""
        gx_severity = getattr(expectation.severity, "value", expectation.severity)
        severity = next(ours for ours, theirs in GX_SEVERITY.items() if theirs == gx_severity)
        return cls(expectation.meta["check_name"], expectation.meta["message"], severity)


class Gate:
    """GX context, suites and batch definitions, built once; `check` takes ~0.3–0.5 s per document."""

    def __init__(
        self,
        *,
        data_docs_dir: str | Path | None = None,
        max_rows_per_check: int = 20,
        vocab: Vocabulary | None = None,
    ):
        import great_expectations as gx
        import great_expectations.expectations as gxe
        from great_expectations.data_context.types.base import ProgressBarsConfig
        from great_expectations.expectations.row_conditions import Column

        # GX pins this module's logger to INFO on import and announces every temporary docs folder.
        logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)
        self._gx, self._gxe, self._column = gx, gxe, Column
        self._vocab: Vocabulary = vocab or vocabulary()
        self._mart_specs = mart_specs(self._vocab)
        self._max_rows = max_rows_per_check
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
        self._suites: dict[str, tuple[ExpectationSuite, BatchDefinition]] = {}
        self._run_name: str | None = None  # the document being checked: names its Data Docs run
        self._validations: list[ExpectationSuiteValidationResult] = []  # the document's, as GX returned them
        self._define("facts", self._fact_expectations())
        self._define("identity_checks", self._identity_expectations())
        self._define("document_checks", self._document_expectations())

    # --- documents --------------------------------------------------------------------------------

    def check(self, doc: ExtractedDocument, pdf: bytes | None = None) -> GateResult:
        """Validate one extracted document: loaded (perhaps with tables withheld, and with its warnings) or
        quarantined (a doubt about the document as a whole, or about every one of its tables). With the `pdf` it
        was read from, the pages a failed identity contests are read a second time first
        (expectations.second_reading): without it, no figure is read twice."""
        started = time.perf_counter()
        self._run_name, self._validations = doc.meta.file_name, []
        assessment = assess(doc, self._vocab)
        if pdf is not None and (contested := contested_pages(doc, assessment.identities)):
            read_again(doc, pdf, contested)
            assessment = assess(doc, self._vocab)
        checks = identity_frame(doc, assessment.identities, assessment.verdicts)
        facts = facts_frame(doc)
        whole = document_checks_frame(assessment.checks)
        page_limit = doc.meta.page_count if doc.meta.page_count > 0 else NO_PAGE_LIMIT
        issues = [
            *self._problems("facts", facts, _fact_problem(facts), {"page_count": page_limit}),
            *self._problems("identity_checks", checks, _identity_problem(checks)),
            *self._problems("document_checks", whole, _document_problem(whole)),
        ]
        errors = [*(p for p in doc.problems if p.severity == "error"), *(p for p in issues if p.severity == "error")]
        withheld, whole_document = withheld_tables(doc, errors)
        quarantined = bool(whole_document) or (bool(withheld) and not _loadable_tables(doc, withheld))
        return GateResult(
            status="quarantined" if quarantined else "loaded",
            issues=_capped(issues, self._max_rows),
            reason=_reason(whole_document or errors) if quarantined else _withheld_reason(withheld),
            identity_checks=checks,
            seconds=time.perf_counter() - started,
            withheld=withheld,
            identity_tally=identity_tally(checks, withheld),
            validations=tuple(self._validations),
        )

    def validate_marts(self, frames: Mapping[str, pd.DataFrame]) -> list[Problem]:
        """Check the public marts (warehouse/mart_frames.py: amounts exact) against the contract's keys and words.
        Frames of unknown names are ignored; every failure is an error (the contract is broken)."""
        problems: list[Problem] = []
        for name, frame in frames.items():
            spec = self._mart_specs.get(name)
            if spec is None:
                continue
            suite_name = f"mart_{name}"
            if suite_name not in self._suites:
                self._define(suite_name, self._mart_expectations(spec))
            problems.extend(self._problems(suite_name, frame, _mart_problem(name, frame)))
        return problems

    def store_validations(self, validations: Iterable[ExpectationSuiteValidationResult]) -> int:
        """Keep suite results the gate returned (GateResult.validations, from any process) in this gate's Data Docs
        store (only with `data_docs_dir`), as a ValidationDefinition's run keeps its own; returns how many."""
        if self.data_docs_dir is None:
            raise ValueError("validations are stored only by a gate with a data_docs_dir")
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
            ValidationResultIdentifier,
        )

        store, stored = self._context.validation_results_store, 0
        for result in validations:
            suite = ExpectationSuiteIdentifier(name=result.suite_name)
            key = ValidationResultIdentifier(suite, result.meta["run_id"], result.batch_id or result.suite_name)
            store.store_validation_results(result, key, suite)
            stored += 1
        return stored

    def build_data_docs(self) -> Path | None:
        """Render the stored validation results (only with `data_docs_dir`); returns index.html."""
        if self.data_docs_dir is None:
            return None
        self._context.build_data_docs()
        found = sorted(self.data_docs_dir.rglob("data_docs/local_site/index.html"))
        return found[0] if found else None

    # --- GX plumbing --------------------------------------------------------------------------------

    def _define(self, name: str, expectations: Sequence[Expectation]) -> None:
        gx = self._gx
        suite = self._context.suites.add_or_update(gx.ExpectationSuite(name=name, expectations=list(expectations)))
        try:
            asset = self._datasource.get_asset(name)
        except LookupError:
            asset = self._datasource.add_dataframe_asset(name)
        try:
            batch_definition = asset.get_batch_definition("whole")
        except KeyError:
            batch_definition = asset.add_batch_definition_whole_dataframe("whole")
        if self.data_docs_dir is not None:
            self._context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=name, data=batch_definition, suite=suite)
            )
        self._suites[name] = (suite, batch_definition)

    def _validate(self, name: str, frame: pd.DataFrame, parameters: dict[str, Any] | None = None) -> list[Any]:
        """The suite's expectation results, the failed ones with their unexpected rows."""
        suite, batch_definition = self._suites[name]
        if self.data_docs_dir is not None:  # stored, for Data Docs
            from great_expectations.core.run_identifier import RunIdentifier

            definition = self._context.validation_definitions.get(name)
            result = definition.run(
                batch_parameters={"dataframe": frame},
                expectation_parameters=parameters,
                result_format=COMPLETE,
                run_id=RunIdentifier(run_name=self._run_name),
            )
            self._validations.append(result)
            return list(result.results)
        # Row lists cost GX twice the time: ask for them only from the expectations that failed.
        batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
        quick = batch.validate(suite, result_format="BOOLEAN_ONLY", expectation_parameters=parameters)
        quick.results = [
            outcome
            if outcome.success
            else batch.validate(
                outcome.expectation_config.to_domain_obj(), result_format=COMPLETE, expectation_parameters=parameters
            )
            for outcome in quick.results
        ]
        self._validations.append(_named_run(quick, self._run_name))
        return list(quick.results)

    def _problems(
        self,
        name: str,
        frame: pd.DataFrame,
        row_problem: Callable[[_Meta, int], Problem],
        parameters: dict[str, Any] | None = None,
    ) -> list[Problem]:
        """Run a suite; one Problem per unexpected row (capped per expectation), or one per failed
        expectation that has no rows (a missing column, a crashed metric)."""
        problems: list[Problem] = []
        for outcome in self._validate(name, frame, parameters):
            if outcome.success:
                continue
            config = outcome.expectation_config
            meta = _Meta.of(config)
            columns = [config.kwargs.get("column"), *config.kwargs.get("column_list", [])]
            if any(c is not None and c not in frame.columns for c in columns):
                continue  # reported once, by the expectation on the frame's columns
            rows = _unexpected_rows(outcome.result or {})
            if not rows:
                problems.append(_whole_frame_problem(meta, name, _observed(outcome)))
                continue
            problems.extend(row_problem(meta, row) for row in rows)
        return problems

    # --- the suites ---------------------------------------------------------------------------------

    def _expect(
        self, kind: str, check_name: str, message: str, severity: Severity = "error", **kwargs: Any
    ) -> Expectation:
        cls = getattr(self._gxe, kind)
        meaning = _Meta(check_name, message, severity)
        return cls(meta=meaning.as_dict(), severity=meaning.gx_severity, **kwargs)

    def _fact_expectations(self) -> list[Expectation]:
        # Per-kind rules use per-kind columns (null for other kinds, which GX skips): half the cost
        # of row conditions.
        v, e = self._vocab, self._expect
        required = [
            e("ExpectTableColumnsToMatchSet", "structure.missing_column", "the facts lack columns",
              column_set=list(FACT_COLUMNS), exact_match=False),
        ]  # fmt: skip
        not_null = [
            e("ExpectColumnValuesToNotBeNull", "structure.missing_key", f"{c} is empty", column=c)
            for c in ("table_kind", "fund_scope", "fact_kind", "key", "measure", "page")
        ]
        words = [
            e("ExpectColumnValuesToBeInSet", "structure.unknown_table_kind", "table_kind not in the contract",
              column="table_kind", value_set=sorted(v.table_kinds)),
            e("ExpectColumnValuesToBeInSet", "structure.unknown_fund_scope", "fund_scope not in the contract",
              column="fund_scope", value_set=sorted(v.fund_scopes)),
            e("ExpectColumnValuesToBeInSet", "structure.unknown_fact_kind", "fact_kind not in the model",
              column="fact_kind", value_set=sorted(v.fact_kinds)),
            e("ExpectColumnValuesToBeInSet", "structure.unknown_measure", "measure not used by this kind of fact",
              column="kind_measure", value_set=sorted(v.kind_measures())),
            e("ExpectColumnValuesToBeInSet", "structure.unknown_key",
              "summary line_key, three-public item or total row not in the contract",
              column="kind_key", value_set=sorted(v.kind_keys())),
        ]  # fmt: skip
        shape = [
            e("ExpectColumnValuesToMatchRegex", "structure.function_code_format",
              "a functional subject code is 3, 5 or 7 digits", column="function_code", regex=FUNCTION_CODE),
            e("ExpectColumnValuesToMatchRegex", "structure.economic_code_format",
              "an economic subject code is 3 or 5 digits", column="economic_code", regex=ECONOMIC_CODE),
            e("ExpectColumnValuesToNotBeNull", "structure.amount_unreadable", "the amount is not a number",
              column="amount_yuan"),
            e("ExpectColumnValuesToMatchRegex", "structure.amount_unreadable",
              "the amount is not exact yuan with two decimals", column="amount_text", regex=WHOLE_CENTS),
            e("ExpectColumnValuesToBeInSet", "structure.off_unit_grid",
              "a 万元 table's amount is not a whole 0.01 万元 (bad unit conversion)",
              column="unit_remainder_cents", value_set=[0]),
            e("ExpectColumnValuesToBeBetween", "structure.page_out_of_range", "the page is not in the document",
              column="page", min_value=1, max_value={"$PARAMETER": "page_count"}),
            e("ExpectColumnValuesToBeInSet", "classification.unknown_code",
              "the code is not in the classification lists (a newer code, or a misread digit)",
              severity="warning", column="code_known", value_set=[True]),
            e("ExpectCompoundColumnsToBeUnique", "structure.duplicate_fact",
              "the same cell (table, fund scope, kind, key, measure) was read twice",
              column_list=["table_kind", "fund_scope", "fact_kind", "key", "measure"]),
        ]  # fmt: skip
        return [*required, *not_null, *words, *shape]

    def _identity_expectations(self) -> list[Expectation]:
        e, col = self._expect, self._column
        required = [
            e("ExpectTableColumnsToMatchSet", "gate.missing_column", "the identity checks lack columns",
              column_set=list(IDENTITY_COLUMNS), exact_match=False),
        ]  # fmt: skip
        families = [
            e("ExpectColumnValuesToBeBetween", f"{family}", f"{family} identities hold within rounding",
              column="abs_diff_minus_tolerance", max_value=0, row_condition=col("family") == family)
            for family in FAMILIES
        ]  # fmt: skip
        return [*required, *families]

    def _document_expectations(self) -> list[Expectation]:
        e = self._expect
        return [
            e("ExpectTableColumnsToMatchSet", "gate.missing_column", "the document checks lack columns",
              column_set=list(DOCUMENT_CHECK_COLUMNS), exact_match=False),
            e("ExpectColumnValuesToBeInSet", "document_checks", "narrative, required tables, units and columns hold",
              column="holds", value_set=[True]),
        ]  # fmt: skip

    def _mart_expectations(self, spec: MartSpec) -> list[Expectation]:
        e = self._expect
        found = f"marts.{spec.name}"
        out = [
            e("ExpectTableColumnsToMatchSet", f"{found}.columns", "columns of the contract are missing",
              column_set=list(spec.columns), exact_match=False),
        ]  # fmt: skip
        out += [
            e("ExpectColumnValuesToNotBeNull", f"{found}.not_null", f"{c} is null", column=c)
            for c in (*spec.keys, *spec.amounts)
        ]
        out += [
            e("ExpectColumnValuesToBeInSet", f"{found}.vocabulary", f"{c} outside the contract's words",
              column=c, value_set=sorted(words))
            for c, words in spec.vocab.items()
        ]  # fmt: skip
        out += [
            e("ExpectColumnValuesToMatchRegex", f"{found}.format", f"{c} malformed", column=c, regex=regex)
            for c, regex in spec.regex.items()
        ]
        grain = f"more than one row per {', '.join(spec.grain)}"
        if len(spec.grain) == 1:
            out.append(e("ExpectColumnValuesToBeUnique", f"{found}.grain", grain, column=spec.grain[0]))
        elif spec.grain:
            out.append(e("ExpectCompoundColumnsToBeUnique", f"{found}.grain", grain, column_list=list(spec.grain)))
        return out


@functools.cache
def default_gate() -> Gate:
    """The process's gate (ephemeral GX context), built on first use."""
    return Gate()


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


def _whole_frame_problem(meta: _Meta, suite_name: str, detail: str, severity: Severity | None = None) -> Problem:
    frame_name = suite_name.replace("mart_", "marts.", 1)
    message = f"{frame_name}: {meta.message} ({detail})"
    return Problem(check_name=meta.check_name, severity=severity or meta.severity, message=message)


def _fact_problem(facts: pd.DataFrame) -> Callable[[_Meta, int], Problem]:
    def make(meta: _Meta, row: int) -> Problem:
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


def _identity_problem(checks: pd.DataFrame) -> Callable[[_Meta, int], Problem]:
    def make(meta: _Meta, row: int) -> Problem:
        check = checks.loc[row]
        return Problem(
            check_name=str(check["check_name"]),
            severity=check["severity"] or "warning",
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


def _document_problem(checks: pd.DataFrame) -> Callable[[_Meta, int], Problem]:
    def make(meta: _Meta, row: int) -> Problem:
        check = checks.loc[row]
        return Problem(
            check_name=str(check["check_name"]),
            severity=check["severity"],
            message=str(check["message"]),
            table_kind=_none(check["table_kind"]),
            page=_int(check["page"]),
            subject_code=_none(check["subject_code"]),
            expected=_none(check["expected"]),
            actual=_none(check["actual"]),
            attributed_to=_none(check["attributed_to"]) or _whose(check["severity"]),
            evidence=_none(check["evidence"]),
        )

    return make


def _whose(severity: str) -> str:
    """A document check that holds back a table doubts our reading; one that only warns reports what is printed."""
    return "extraction" if severity == "error" else "publisher"


def _mart_problem(name: str, frame: pd.DataFrame) -> Callable[[_Meta, int], Problem]:
    def make(meta: _Meta, row: int) -> Problem:
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


def _named_run(result: ExpectationSuiteValidationResult, run_name: str | None) -> ExpectationSuiteValidationResult:
    """A suite result stamped as a ValidationDefinition's run stamps its own: the run (named by the document's
    file) and when, so that a Data Docs store keeps it under that run."""
    import datetime

    from great_expectations.core.run_identifier import RunIdentifier

    run_id = RunIdentifier(run_name=run_name, run_time=datetime.datetime.now(datetime.UTC))
    result.meta["run_id"] = run_id
    result.meta["validation_time"] = run_id.run_time
    return result


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
    held = checks["abs_diff_minus_tolerance"] <= 0
    tally = {"held": int(held.sum())}
    for whose in ("publisher", "extraction"):
        tally[whose] = int(((~held) & (checks["attributed_to"] == whose)).sum())
    function = checks["check_name"].isin(["hierarchy.function_class", "hierarchy.function_section"])
    tally["hierarchy.function:held"] = int((function & held).sum())
    tally["hierarchy.function:failed"] = int((function & ~held).sum())
    return tally

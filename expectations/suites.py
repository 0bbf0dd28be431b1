"""The gate's Expectation Suites, as data for GX: each expectation with its check name and words (its `meta`)
and its severity the GX way (its `severity`: critical for an error, warning for a warning).

- facts: the contract's columns, keys and words, code formats, exact whole-cent amounts on the table's unit
  grid, pages within the document (a column pair: page ≤ page_count), one fact per cell (compound
  uniqueness within each document of the run).
- identity_checks: every identity (expectations.identities: hierarchy, column, summary, three-public and
  cross-table) adds up — the stated total equals the sum of its parts within its tolerance, compared exactly
  by a custom expectation (expectations.sum_of_parts) — as a critical expectation over the failures
  attribution says are our misreading (they withhold their table) and a warning one over the rest (a
  failure as printed is the publisher's).
- document_checks: the whole-document checks (narrative, required tables, units, columns) hold: the narrative's
  figures by their rules (expectations.printed_rules) as custom expectations computing the verdict from the
  printed figure, its unit and precision and the figure it is compared with (expectations.printed_figures; the
  tolerance rule is the identities' expectation), warnings; the findings stated in Python (years, directions,
  missing tables, unit slips, swapped columns) critical and warning rows apart.
- mart_<name>: the public marts' contract (expectations.marts).

Building a suite imports great_expectations: only `expectations.gate.Gate` calls these.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from expectations.document_checks import (
    DOCUMENT_CHECK_COLUMNS,
    PERCENTAGE_COLUMNS,
    ROUNDING_COLUMNS,
    TOLERANCE_COLUMNS,
)
from expectations.frames import FACT_COLUMNS, IDENTITY_COLUMNS, SUM_OF_PARTS_COLUMNS
from expectations.identities import FAMILIES
from expectations.marts import MartSpec
from expectations.vocabulary import Vocabulary
from extract.model import Severity

if TYPE_CHECKING:
    from great_expectations.expectations import Expectation

FUNCTION_CODE = r"^\d{3}(?:\d{2}){0,2}$"
ECONOMIC_CODE = r"^\d{3}(?:\d{2})?$"
WHOLE_CENTS = r"^-?\d+\.\d{2}$"
RUN_DOCUMENT = "document"  # each run frame's column: the document's position in the run
# Our severities as GX's FailureSeverity values (an expectation's `severity`, shown in its Data Docs).
GX_SEVERITY: dict[Severity, str] = {"error": "critical", "warning": "warning"}
# Which identity failures each severity's expectation covers (the row's `severity`, from the attribution).
IDENTITY_FAILURES: dict[Severity, str] = {
    "error": "a failure withholds its table (evidence that we misread a figure)",
    "warning": "a failure is as printed (the publisher's)",
}


@dataclass(frozen=True, slots=True)
class Meta:
    """What a failed expectation means: its check and words carried in the expectation's GX meta, its severity as
    GX carries it (the expectation's own `severity`)."""

    check_name: str
    message: str
    severity: Severity = "error"

    def as_dict(self) -> dict[str, str]:
        return {"check_name": self.check_name, "message": self.message}

    @property
    def gx_severity(self) -> str:
        return GX_SEVERITY[self.severity]

    @classmethod
    def of(cls, expectation: Any) -> Meta:
        """The meaning of an expectation (its configuration) as a suite here wrote it."""
        gx_severity = getattr(expectation.severity, "value", expectation.severity)
        severity = next(ours for ours, theirs in GX_SEVERITY.items() if theirs == gx_severity)
        return cls(expectation.meta["check_name"], expectation.meta["message"], severity)


class Suites:
    """The expectations of each suite, built with GX's classes (imported here, ~5 s the first time)."""

    def __init__(self, vocab: Vocabulary) -> None:
        import great_expectations.expectations as gxe
        from great_expectations.expectations.row_conditions import Column

        from expectations.multicolumn_not_null import ExpectMulticolumnValuesToNotBeNull
        from expectations.printed_figures import (
            ExpectPrintedFigureToCopyItsSourceWithinRounding,
            ExpectPrintedPercentageToLieWithinItsRange,
        )
        from expectations.sum_of_parts import ExpectTotalToEqualSumOfPartsWithinTolerance

        self._gxe, self._column, self._vocab = gxe, Column, vocab
        self._sum_of_parts = ExpectTotalToEqualSumOfPartsWithinTolerance
        self._rounding = ExpectPrintedFigureToCopyItsSourceWithinRounding
        self._percentage = ExpectPrintedPercentageToLieWithinItsRange
        # One expectation for a suite's required columns: GX's cost is per expectation (multicolumn_not_null).
        self._not_null = ExpectMulticolumnValuesToNotBeNull

    def expect(
        self, kind: str | Callable[..., Expectation], check_name: str, message: str, severity: Severity = "error",
        **kwargs: Any,
    ) -> Expectation:  # fmt: skip
        cls = getattr(self._gxe, kind) if isinstance(kind, str) else kind
        meaning = Meta(check_name, message, severity)
        return cls(meta=meaning.as_dict(), severity=meaning.gx_severity, **kwargs)

    def facts(self) -> list[Expectation]:
        # Per-kind rules use per-kind columns (null for other kinds, which GX skips): half the cost
        # of row conditions.
        v, e = self._vocab, self.expect
        required = [
            e("ExpectTableColumnsToMatchSet", "structure.missing_column", "the facts lack columns",
              column_set=[RUN_DOCUMENT, *FACT_COLUMNS], exact_match=False),
        ]  # fmt: skip
        not_null = [
            e(self._not_null, "structure.missing_key", "empty",
              column_list=["table_kind", "fund_scope", "fact_kind", "key", "measure", "page"]),
        ]  # fmt: skip
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
              column="page", min_value=1),
            e("ExpectColumnPairValuesAToBeGreaterThanB", "structure.page_out_of_range",
              "the page is not in the document", column_A="page_count", column_B="page", or_equal=True,
              ignore_row_if="either_value_is_missing"),
            e("ExpectColumnValuesToBeInSet", "classification.unknown_code",
              "the code is not in the classification lists (a newer code, or a misread digit)",
              severity="warning", column="code_known", value_set=[True]),
            e("ExpectCompoundColumnsToBeUnique", "structure.duplicate_fact",
              "the same cell (table, fund scope, kind, key, measure) was read twice",
              column_list=[RUN_DOCUMENT, "table_kind", "fund_scope", "fact_kind", "key", "measure"]),
        ]  # fmt: skip
        return [*required, *not_null, *words, *shape]

    def identity_checks(self) -> list[Expectation]:
        e, col = self.expect, self._column
        required = [
            e("ExpectTableColumnsToMatchSet", "gate.missing_column", "the identity checks lack columns",
              column_set=[RUN_DOCUMENT, *IDENTITY_COLUMNS], exact_match=False),
        ]  # fmt: skip
        # One expectation per severity, not per family as well: each row condition costs GX a filter per metric
        # (~20 ms), and a row's problem names its own check and family.
        covers = {"error": col("severity") == "error", "warning": col("severity") != "error"}
        hold = [
            e(self._sum_of_parts, "identity_checks", f"the identities ({', '.join(FAMILIES)}) hold; {failure}",
              severity, column_list=list(SUM_OF_PARTS_COLUMNS), row_condition=covers[severity])
            for severity, failure in IDENTITY_FAILURES.items()
        ]  # fmt: skip
        return [*required, *hold]

    def document_checks(self) -> list[Expectation]:
        """The printed figures' rules as custom expectations, each over its own columns (null on another rule's
        rows, which GX skips: cheaper than row conditions); the stated findings by severity."""
        e, col = self.expect, self._column
        required = [
            e("ExpectTableColumnsToMatchSet", "gate.missing_column", "the document checks lack columns",
              column_set=[RUN_DOCUMENT, *DOCUMENT_CHECK_COLUMNS], exact_match=False),
        ]  # fmt: skip
        theirs = "as printed (the publisher's)"
        rules = [
            e(self._rounding, "document_checks.rounding",
              f"a figure the narrative copies equals the table's within its rounding; a failure is {theirs}",
              "warning", column_list=list(ROUNDING_COLUMNS), ignore_row_if="any_value_is_missing"),
            e(self._percentage, "document_checks.percentage",
              f"a printed percentage lies within what its figures allow; a failure is {theirs}",
              "warning", column_list=list(PERCENTAGE_COLUMNS), ignore_row_if="any_value_is_missing"),
            e(self._sum_of_parts, "document_checks.tolerance",
              f"a stated figure equals the one its figures give within its tolerance; a failure is {theirs}",
              "warning", column_list=list(TOLERANCE_COLUMNS), ignore_row_if="any_value_is_missing"),
        ]  # fmt: skip
        stated = [
            e("ExpectColumnValuesToBeInSet", "document_checks", "narrative, required tables, units and columns hold",
              severity, column="stated", value_set=[True], row_condition=col("severity") == severity)
            for severity in GX_SEVERITY
        ]  # fmt: skip
        return [*required, *rules, *stated]

    def mart(self, spec: MartSpec) -> list[Expectation]:
        e = self.expect
        found = f"marts.{spec.name}"
        out = [
            e("ExpectTableColumnsToMatchSet", f"{found}.columns", "columns of the contract are missing",
              column_set=list(spec.columns), exact_match=False),
        ]  # fmt: skip
        required = [*spec.keys, *spec.amounts]
        if required:
            out.append(e(self._not_null, f"{found}.not_null", "null", column_list=required))
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

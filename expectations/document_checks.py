"""Checks on a whole document beyond its tables' own arithmetic: what its 情况说明 states, which tables
it prints, whether a table's unit or columns are off. Each is one row of the `document_checks` frame the run's
Checkpoint validates with GX, like the identity checks.

A check whose verdict is arithmetic on printed figures carries the figures, and a custom expectation computes
the verdict from them (expectations.printed_rules states each rule once):

- a figure the narrative copies from a table: `printed`, `printed_unit`, `source_yuan`, `source_tolerance_yuan`
  (the rounding rule);
- a printed percentage: `printed`, `printed_unit` (%), `allowed_percent` (the ranges its figures allow; the
  percentage rule);
- a stated figure against one computed from others: `actual`, `expected`, `tolerance_yuan` (the tolerance rule).

Any other check (a year, a direction word, a missing table, a unit slip, swapped columns, a name) is a finding
stated in Python: `stated`. Exactly one of the three rules' figures or `stated` is given; `holds` is the
verdict, computed by the same rule GX applies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from decimal import Decimal

import pandas as pd

from expectations.printed_rules import PercentRange, copies_within_rounding, percentage_within, within_tolerance
from extract.model import Attribution, Severity


@dataclass(frozen=True, slots=True)
class DocumentCheck:
    """One comparison; when it does not hold, the Problem it becomes (same field names)."""

    check_name: str
    severity: Severity
    stated: bool | None  # the verdict, for a check no rule of printed figures decides (else None)
    message: str
    table_kind: str | None = None
    page: int | None = None
    subject_code: str | None = None
    expected: Decimal | None = None
    actual: Decimal | None = None
    attributed_to: Attribution | None = None  # by default an error is ours, a warning theirs
    evidence: str | None = None
    # The figures a rule decides by (expectations.printed_rules), None for a stated check.
    printed: str | None = None  # a figure as printed: its digits, commas allowed
    printed_unit: str | None = None  # 万元, 亿元, 元 or %
    source_yuan: Decimal | None = None  # the table figure a printed amount copies
    source_tolerance_yuan: Decimal | None = None  # that figure's own allowance
    allowed_percent: tuple[PercentRange, ...] | None = None  # the ranges a printed percentage may lie in
    tolerance_yuan: Decimal | None = None  # |actual − expected| allowed

    def __post_init__(self) -> None:
        rules = [self.stated is not None, self.source_yuan is not None, self.allowed_percent is not None,
                 self.tolerance_yuan is not None]  # fmt: skip
        if sum(rules) != 1:
            raise ValueError(f"{self.check_name}: give a stated verdict or one rule's figures, not {sum(rules)}")
        if self.stated is None and self.severity != "warning":
            # The rule expectations are warnings: printed figures that disagree are the publisher's.
            raise ValueError(f"{self.check_name}: a check decided by printed figures is a warning")

    @property
    def holds(self) -> bool:
        if self.stated is not None:
            return self.stated
        if self.source_yuan is not None:
            return copies_within_rounding(self.printed, self.printed_unit, self.source_yuan, self.source_tolerance_yuan)
        if self.allowed_percent is not None:
            return percentage_within(self.printed, self.printed_unit, self.allowed_percent)
        return within_tolerance(self.actual, self.expected, self.tolerance_yuan)


DOCUMENT_CHECK_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(DocumentCheck))
# Each rule's columns, in its expectation's order (expectations.suites).
ROUNDING_COLUMNS = ("printed", "printed_unit", "source_yuan", "source_tolerance_yuan")
PERCENTAGE_COLUMNS = ("printed", "printed_unit", "allowed_percent")
TOLERANCE_COLUMNS = ("actual", "expected", "tolerance_yuan")
EXACT_COLUMNS = ("expected", "actual", "source_yuan", "source_tolerance_yuan", "tolerance_yuan", "allowed_percent")


def document_checks_frame(checks: Sequence[DocumentCheck], document_id: str | None = None) -> pd.DataFrame:
    """One row per check of the document `document_id`; amounts stay Decimal (object columns), pages nullable
    integers, `stated` a nullable boolean (null where a rule decides)."""
    frame = pd.DataFrame([asdict(c) for c in checks], columns=list(DOCUMENT_CHECK_COLUMNS))
    frame.insert(0, "document_id", document_id)
    frame["page"] = frame["page"].astype("Int64")
    frame["stated"] = frame["stated"].astype("boolean")
    for column in EXACT_COLUMNS:
        frame[column] = frame[column].astype(object)
    return frame

"""Checks on a whole document beyond its tables' own arithmetic: what its 情况说明 states, which tables
it prints, whether a table's unit or columns are off. Each is one row (holding or not) of the
`document_checks` frame the gate validates with GX, like the identity checks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from decimal import Decimal

import pandas as pd

from extract.model import Attribution, Severity


@dataclass(frozen=True, slots=True)
class DocumentCheck:
    """One comparison: `holds` or not; when not, the Problem it becomes (same field names)."""

    check_name: str
    severity: Severity
    holds: bool
    message: str
    table_kind: str | None = None
    page: int | None = None
    subject_code: str | None = None
    expected: Decimal | None = None
    actual: Decimal | None = None
    attributed_to: Attribution | None = None  # by default an error is ours, a warning theirs
    evidence: str | None = None


DOCUMENT_CHECK_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(DocumentCheck))


def document_checks_frame(checks: Sequence[DocumentCheck], document_id: str | None = None) -> pd.DataFrame:
    """One row per check of the document `document_id`; amounts stay Decimal (object columns), pages nullable
    integers."""
    frame = pd.DataFrame([asdict(c) for c in checks], columns=list(DOCUMENT_CHECK_COLUMNS))
    frame.insert(0, "document_id", document_id)
    frame["page"] = frame["page"].astype("Int64")
    frame["holds"] = frame["holds"].astype(bool)
    return frame

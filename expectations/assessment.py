"""Everything the gate works out about one document before GX validates it: the identities its figures
allow, the whole-document checks, which tables' structure is in doubt, and whose each failure is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from expectations.attribution import Evidence, Verdict, attribute
from expectations.document_checks import DocumentCheck
from expectations.frames import identity_frame
from expectations.identities import Identity, compute_identities
from expectations.layout_checks import missing_table_checks, swapped_column_checks, unit_slip_checks
from expectations.narrative import narrative_checks
from expectations.vocabulary import Vocabulary
from extract.model import ExtractedDocument


@dataclass(frozen=True, slots=True)
class Assessment:
    identities: list[Identity]
    verdicts: list[Verdict | None]
    checks: list[DocumentCheck]
    doubts: dict[str, str]  # table_kind → why its structure is in doubt


def assess(doc: ExtractedDocument, vocab: Vocabulary | None = None) -> Assessment:
    identities = compute_identities(doc, vocab)
    checks = document_checks(doc, identities)
    doubts = structural_doubts(doc, checks)
    return Assessment(identities, attribute(identities, Evidence.of(doc, doubts)), checks, doubts)


def identity_checks(doc: ExtractedDocument) -> pd.DataFrame:
    """Every identity of the document as a row (see frames.IDENTITY_COLUMNS), holding or not, with its verdict."""
    assessment = assess(doc)
    return identity_frame(doc, assessment.identities, assessment.verdicts)


def document_checks(doc: ExtractedDocument, identities: Sequence[Identity]) -> list[DocumentCheck]:
    """The whole-document checks: what the narrative states, which tables are printed, units and columns."""
    narrative = narrative_checks(doc)
    return [
        *narrative,
        *missing_table_checks(doc),
        *unit_slip_checks(doc, identities, narrative),
        *swapped_column_checks(doc),
    ]


def structural_doubts(doc: ExtractedDocument, checks: Sequence[DocumentCheck]) -> dict[str, str]:
    """table_kind → the first error the extractor or a document check raised on the table as a whole."""
    doubts: dict[str, str] = {}
    for problem in doc.problems:
        if problem.severity == "error" and problem.table_kind:
            doubts.setdefault(problem.table_kind, f"{problem.check_name}: {problem.message}")
    for check in checks:
        if not check.holds and check.severity == "error" and check.table_kind:
            doubts.setdefault(check.table_kind, f"{check.check_name}: {check.message}")
    return doubts

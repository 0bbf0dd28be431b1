"""Everything the gate works out about one document before GX validates it: the identities its figures
allow, the whole-document checks, which tables' structure is in doubt, and whose each failure is; and the
frames the run's Checkpoint validates (`gate_frames`). Pure Python: a reading child runs it beside the
extraction without importing Great Expectations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from expectations.attribution import Evidence, Verdict, attribute
from expectations.document_checks import DocumentCheck, document_checks_frame
from expectations.frames import facts_frame, identity_frame
from expectations.identities import Identity, compute_identities
from expectations.layout_checks import missing_table_checks, swapped_column_checks, unit_slip_checks
from expectations.narrative import narrative_checks
from expectations.second_reading import contested_pages, read_again
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


@dataclass(frozen=True, slots=True)
class GateFrames:
    """What the run's Checkpoint validates of one document (expectations.gate): one row per fact, per identity
    (its stated total, the sum of its parts and its tolerance, exact, with whose a failure is) and per
    whole-document check. They pickle: a reading child hands them to the flow's process."""

    facts: pd.DataFrame
    identity_checks: pd.DataFrame
    document_checks: pd.DataFrame


def gate_frames(doc: ExtractedDocument, pdf: bytes | None = None, vocab: Vocabulary | None = None) -> GateFrames:
    """Assess the document and frame it for GX. With the `pdf` it was read from, the pages a failed identity
    contests are read a second time first (expectations.second_reading), which may withhold their tables;
    without it, no figure is read twice."""
    assessment = assess(doc, vocab)
    if pdf is not None and (contested := contested_pages(doc, assessment.identities)):
        read_again(doc, pdf, contested)
        assessment = assess(doc, vocab)
    return GateFrames(
        facts_frame(doc),
        identity_frame(doc, assessment.identities, assessment.verdicts),
        document_checks_frame(assessment.checks, doc.meta.document_id),
    )


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

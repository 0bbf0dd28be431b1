"""The DataFrames the gate validates with GX: the document's facts and its identity checks (and, in
expectations.document_checks, its whole-document checks), each row with its document_id.

Money stays exact: amounts are Decimal objects in object columns; an identity's row carries its stated total
(`actual`), the sum of its parts (`expected`) and its tolerance, all Decimal yuan, which GX compares exactly
(expectations.sum_of_parts).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

import pandas as pd

from expectations.attribution import Verdict
from expectations.facts import printed, usable_amount
from expectations.identities import Identity
from expectations.vocabulary import SUMMARY_MEASURE
from extract.classification import load_classification
from extract.model import CENT, FACT_KINDS, ExtractedDocument, Fact

NO_PAGE_LIMIT = 1_000_000  # the page_count of a document whose pages were not counted
FACT_COLUMNS = (
    "document_id",
    "page_count",
    "table_kind",
    "fund_scope",
    "fact_kind",
    "key",
    "measure",
    "amount_yuan",
    "amount_text",
    "unit_remainder_cents",
    "code_known",
    "page",
    "row_label",
    # per-kind projections, null for the other kinds
    "kind_measure",
    "kind_key",
    "function_code",
    "economic_code",
)
WORD_KEYED_KINDS = ("summary", "three_public", "table_total")
IDENTITY_COLUMNS = (
    "document_id",
    "check_name",
    "family",
    "table_kind",
    "fund_scope",
    "measure",
    "page",
    "subject_code",
    "expected",
    "actual",
    "n_terms",
    "tolerance_yuan",
    "attributed_to",
    "severity",
    "evidence",
    "message",
)
# The identity checks' columns GX compares, in the custom expectation's order: stated total, sum of its parts,
# tolerance.
SUM_OF_PARTS_COLUMNS = ("actual", "expected", "tolerance_yuan")


def facts_frame(doc: ExtractedDocument) -> pd.DataFrame:
    """One row per fact as extracted, blanks as nulls, with the amount's text for the parse check."""
    steps = {t.table_kind: t.step_yuan for t in doc.tables}
    known = _code_lookup()
    rows = [_fact_row(f, steps.get(f.table_kind), known) for f in doc.facts]
    frame = pd.DataFrame(rows, columns=list(FACT_COLUMNS))
    frame["document_id"] = doc.meta.document_id
    frame["page_count"] = doc.meta.page_count if doc.meta.page_count > 0 else NO_PAGE_LIMIT
    frame["page_count"] = frame["page_count"].astype("int64")
    frame["page"] = frame["page"].astype("Int64")
    frame["unit_remainder_cents"] = frame["unit_remainder_cents"].astype("int64")
    frame["amount_yuan"] = frame["amount_yuan"].astype(object)
    frame["code_known"] = frame["code_known"].astype("boolean")
    return frame


def _code_lookup() -> dict[str, Callable[[str], bool]]:
    classification = load_classification()
    return {"function": classification.is_known_function, "economic": classification.is_known_economic}


def _fact_row(fact: Fact, step: Decimal | None, known: dict[str, Callable[[str], bool]]) -> dict[str, object]:
    amount = usable_amount(fact.amount_yuan)
    # A table's amounts are whole multiples of its last printed decimal (0.01 万元 = 100 yuan in most 万元 tables):
    # anything else is a bad conversion.
    remainder = int((amount % step) / CENT) if amount is not None and step else 0
    return {
        "table_kind": _text(fact.table_kind),
        "fund_scope": _text(fact.fund_scope),
        "fact_kind": _text(fact.fact_kind),
        "key": _text(fact.key),
        "measure": _text(fact.measure),
        "amount_yuan": amount,
        "amount_text": _amount_text(fact.amount_yuan),
        "unit_remainder_cents": remainder,
        # Only well-formed codes are looked up: a malformed one is a format failure already.
        "code_known": known[fact.fact_kind](fact.key)
        if fact.fact_kind in known and isinstance(fact.key, str) and fact.key.isdigit()
        else None,
        "page": fact.page if isinstance(fact.page, int) else None,
        "row_label": fact.row_label,
        **_projections(_text(fact.fact_kind), _text(fact.key), _text(fact.measure)),
    }


def _projections(kind: str | None, key: str | None, measure: str | None) -> dict[str, str | None]:
    known_kind = kind in FACT_KINDS
    return {
        "kind_measure": f"{kind}:{measure}" if known_kind and measure else None,
        "kind_key": f"{kind}:{key}" if kind in WORD_KEYED_KINDS and key else None,
        "function_code": key if kind == "function" else None,
        "economic_code": key if kind == "economic" else None,
    }


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _amount_text(value: object) -> str | None:
    """Exact yuan with two decimals when the amount is a whole-cent Decimal, else what it was."""
    if value is None:
        return None
    amount = usable_amount(value)
    return format(amount.quantize(CENT), "f") if amount is not None else repr(value)


def identity_frame(
    doc: ExtractedDocument, identities: Sequence[Identity], verdicts: Sequence[Verdict | None]
) -> pd.DataFrame:
    titles = {t.table_kind: t.title for t in doc.tables}
    rows = [_identity_row(x, v, titles) for x, v in zip(identities, verdicts, strict=True)]
    frame = pd.DataFrame(rows, columns=list(IDENTITY_COLUMNS))
    frame["document_id"] = doc.meta.document_id
    frame["page"] = frame["page"].astype("Int64")
    frame["n_terms"] = frame["n_terms"].astype("int64")
    for column in ("expected", "actual", "tolerance_yuan"):
        frame[column] = frame[column].astype(object)
    return frame


def _identity_row(x: Identity, verdict: Verdict | None, titles: dict[str, str]) -> dict[str, object]:
    return {
        "check_name": x.check_name,
        "family": x.family,
        "table_kind": x.table_kind,
        "fund_scope": x.fund_scope,
        "measure": x.measure,
        "page": x.page,
        "subject_code": x.subject_code,
        "expected": x.expected,
        "actual": x.actual,
        "n_terms": x.n_terms,
        "tolerance_yuan": x.tolerance_yuan,
        "attributed_to": verdict.attributed_to if verdict else "",
        "severity": ("error" if verdict.withhold else "warning") if verdict else "",
        "evidence": verdict.reason if verdict else "",
        "message": _message(x, verdict, titles),
    }


def _message(x: Identity, verdict: Verdict | None, titles: dict[str, str]) -> str:
    title = titles.get(x.table_kind)
    where = f"{x.table_kind}/{x.fund_scope}"
    if title and title != x.table_kind:
        where = f"{title} [{where}]"
    if x.page is not None:
        where += f" p{x.page}"
    unit = x.unit
    measure = f" [{x.measure}]" if x.measure != SUMMARY_MEASURE else ""
    figures = (
        f"expected {printed(x.expected, unit)}, printed {printed(x.actual, unit)} {unit}"
        f" (off by {printed(x.delta, unit)}, tolerance {printed(x.tolerance_yuan, unit)})"
    )
    text = f"{where}: {x.description}{measure}: {figures}"
    if verdict is None:
        return text
    if verdict.attributed_to == "publisher":
        whose = "as printed (the publisher's)"
    else:
        whose = "ours, the table is withheld" if verdict.withhold else "ours"
    return f"{text}; {whose}: {verdict.reason}"

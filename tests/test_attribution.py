"""Whose a broken identity is, by evidence: a figure printed wrong is the publisher's and loads with its issue;
a figure the two readings of the PDF disagree on is ours, and only its table is withheld.

The documents are generated and rendered to PDF, then read back as any inbox file is: the publisher's
errors are printed in them (samples/inject.py), not built into the facts by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from expectations import Gate, GateResult
from extract import extract_document
from extract.model import ExtractedDocument
from extract.reread import disputed_cells
from samples.corpus import Planned, plan_corpus
from samples.inject import InjectedError, NothingToInject, build_injected_document
from samples.layouts import load_layouts


@dataclass(frozen=True, slots=True)
class Printed:
    document: ExtractedDocument
    injected: list[InjectedError]
    result: GateResult
    pdf: bytes


def _plans() -> list[Planned]:
    return plan_corpus(3, (2024,), 20240101, set(load_layouts()))


def _printed(gate: Gate, kinds: Sequence[str]) -> Printed:
    """The first generated document every kind can be printed into, read back and gated."""
    for plan in _plans():
        try:
            document, injected = build_injected_document(plan, kinds)  # type: ignore[arg-type]
        except NothingToInject:
            continue
        pdf = document.rendered.pdf
        extracted = extract_document(pdf, f"{plan.stem}.pdf")
        return Printed(extracted, injected, gate.check(extracted, pdf), pdf)
    raise AssertionError(f"no generated document takes {kinds}")


@pytest.fixture(scope="module")
def gate() -> Gate:
    return Gate()


@pytest.fixture(scope="module")
def changed_figure(gate: Gate) -> Printed:
    return _printed(gate, ["changed_cell"])


@pytest.fixture(scope="module")
def across_rule(gate: Gate) -> Printed:
    return _printed(gate, ["figure_across_rule", "changed_cell"])


def test_a_figure_printed_wrong_loads_with_the_publishers_issue(changed_figure: Printed) -> None:
    (changed,) = changed_figure.injected
    result = changed_figure.result
    assert result.status == "loaded" and result.withheld == {}
    broken = [p for p in result.issues if p.check_name in changed.checks]
    assert broken, result.issues
    assert {(p.severity, p.attributed_to) for p in broken} == {("warning", "publisher")}
    assert all("both readings" in (p.evidence or "") for p in broken)
    assert {p.page for p in broken} == {changed.page}
    assert not changed_figure.document.disputed


def test_every_figure_of_a_clean_generated_document_reads_the_same_in_both_engines(changed_figure: Printed) -> None:
    document = changed_figure.document
    read = [f for f in document.facts if f.box is not None]
    assert len(read) > 50
    units = {t.table_kind: t.unit for t in document.tables}
    assert disputed_cells(changed_figure.pdf, document.facts, units) == {}  # every page, not only the contested


def test_only_the_pages_a_failed_identity_contests_are_read_a_second_time(changed_figure: Printed) -> None:
    (changed,) = changed_figure.injected
    pages = {f.page for f in changed_figure.document.facts}
    assert changed_figure.document.second_read == {changed.page} < pages


def test_a_figure_the_two_readings_disagree_on_withholds_its_table_and_the_rest_loads(across_rule: Printed) -> None:
    misprint, changed = across_rule.injected
    result = across_rule.result
    assert result.status == "loaded"
    assert set(result.withheld) == {misprint.table_kind}
    assert f"reading.disputed p{misprint.page}" in result.withheld[misprint.table_kind]
    assert "PDFium reads" in result.withheld[misprint.table_kind]
    assert misprint.table_kind in (result.reason or "")
    loaded = {f.table_kind for f in across_rule.document.facts} - set(result.withheld)
    assert {"income_expense_summary", "gpb_expenditure"} <= loaded
    # The figure printed wrong in another table is still the publisher's.
    theirs = [p for p in result.issues if p.check_name in changed.checks and p.table_kind == changed.table_kind]
    assert theirs and {p.attributed_to for p in theirs} == {"publisher"}
    # The withheld table's own broken sums are ours, with the disagreement as evidence.
    ours = [p for p in result.issues if p.table_kind == misprint.table_kind and p.check_name.startswith("column.")]
    assert ours and {(p.severity, p.attributed_to) for p in ours} == {("error", "extraction")}

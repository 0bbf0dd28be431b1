"""Data Docs as GX users expect: the run's own validations, not a second run of the gate.

A document is read and gated as a worker does it (flows/extraction.py); its gate's suite results travel with
its outcome, and `caijue ingest --data-docs DIR` stores and renders them (flows/ingest.py `_data_docs`) with
the gate's checking switched off: the pages show what the run found. Cost: one generated PDF read and gated
(~3 s) and two renders (~2 s each); no dbt, no Prefect.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from expectations.gate import Gate
from flows.extraction import extract_and_check, outcome_of
from flows.summary import DocumentOutcome, RunSummary

SUITES = ("document_checks", "facts", "identity_checks")


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> DocumentOutcome:
    from samples import generate_corpus

    folder = tmp_path_factory.mktemp("data-docs-corpus")
    generate_corpus(folder, departments=1, years=(2024,))
    pdf = sorted(folder.glob("*.pdf"))[0]
    return outcome_of(str(pdf), extract_and_check(pdf.read_bytes(), pdf.name))


def _text(page: Path) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))))


def test_a_document_s_outcome_carries_its_gate_s_suite_results(outcome: DocumentOutcome) -> None:
    assert outcome.status == "loaded"
    assert sorted(v.suite_name for v in outcome.validations) == list(SUITES)
    assert {v.meta["run_id"].run_name for v in outcome.validations} == {outcome.document.meta.file_name}
    # severity the GX way: each expectation's own FailureSeverity, critical for an error, warning for a warning
    [facts] = [v for v in outcome.validations if v.suite_name == "facts"]
    severity = {r.expectation_config.meta["check_name"]: r.expectation_config.severity.value for r in facts.results}
    assert severity["classification.unknown_code"] == "warning"
    assert severity["structure.unknown_table_kind"] == "critical"


def test_the_run_s_data_docs_are_its_own_validations_not_a_second_check(
    outcome: DocumentOutcome,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from flows.ingest import _data_docs

    def checked_again(*_: object, **__: object) -> None:
        raise AssertionError("the Data Docs must not check a document again")

    monkeypatch.setattr(Gate, "check", checked_again)
    summary = RunSummary(warehouse=tmp_path / "warehouse.duckdb")
    summary.outcomes.append(outcome)

    _data_docs(summary, tmp_path / "docs")

    site = tmp_path / "docs" / "gx" / "uncommitted" / "data_docs" / "local_site"
    assert (site / "index.html").exists()
    name = outcome.document.meta.file_name
    pages = {suite: sorted((site / "validations" / suite / name).rglob("*.html")) for suite in SUITES}
    assert all(len(found) == 1 for found in pages.values()), pages
    assert name in _text(site / "index.html")
    # the facts suite's words are the contract's: the page shows the expectation and that it held
    facts = _text(pages["facts"][0])
    assert "table_kind" in facts and "Succeeded" in facts


def test_a_failed_identity_is_shown_with_its_rows(tmp_path: Path) -> None:
    from test_gate import expenditure_class_201  # 类 201 printed 120.00 over 款 rows 60.00 + 40.00

    from expectations.data_docs import render_data_docs

    result = Gate().check(expenditure_class_201("120.00"))
    index = render_data_docs(result.validations, tmp_path)

    assert index is not None
    [page] = sorted(tmp_path.rglob("validations/identity_checks/test.pdf/*/*.html"))
    text = _text(page)
    assert "If family == hierarchy" in text and "1 unexpected values found" in text

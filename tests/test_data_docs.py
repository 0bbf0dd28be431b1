"""Data Docs as GX users expect: the results of the run's own Checkpoint, not a second run of the gate.

Documents are read and assessed as a reading child does it (flows/extraction.py, no GX); the run's gate stage
judges them in Checkpoint runs of a chunk of documents each (flows/gate_and_load.py), and with `--data-docs DIR`
the Checkpoint's action renders each run's results into DIR. Cost: two generated PDFs read (~3 s), one read again
in a fresh interpreter (~4 s), six Checkpoint runs, four with their renders (~3 s each), two loads into a
working copy (~1 s); no dbt, no Prefect.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from expectations.gate import Gate
from flows.extraction import ReadDocument, extract_and_assess
from flows.gate_and_load import GateAndLoad
from flows.plan import plan_run
from flows.publish import working_path
from flows.summary import RunSummary

SUITES = ("document_checks", "facts", "identity_checks")


@pytest.fixture(scope="module")
def reads(tmp_path_factory: pytest.TempPathFactory) -> list[ReadDocument]:
    from samples import generate_corpus

    folder = tmp_path_factory.mktemp("data-docs-corpus")
    generate_corpus(folder, departments=1, years=(2024,))
    pdfs = sorted(folder.glob("*.pdf"))[:2]
    return [ReadDocument(*_read(pdf), str(pdf)) for pdf in pdfs]


def _read(pdf: Path) -> tuple:
    read = extract_and_assess(pdf.read_bytes(), pdf.name)
    return read.document, read.frames


def _text(page: Path) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))))


def test_a_reading_child_hands_over_frames_not_verdicts(reads: list[ReadDocument]) -> None:
    for read in reads:
        assert read.frames is not None
        identities = read.frames.identity_checks
        assert len(identities) and {"actual", "expected", "tolerance_yuan"} <= set(identities.columns)
        assert "holds" not in identities.columns  # GX decides that, in the run's Checkpoint


def test_a_reading_child_never_imports_great_expectations(reads: list[ReadDocument]) -> None:
    code = (
        "import sys; from pathlib import Path; from flows.extraction import extract_and_assess;"
        "pdf = Path(sys.argv[1]); read = extract_and_assess(pdf.read_bytes(), pdf.name);"
        "sys.exit(2 if read.frames is None else int('great_expectations' in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code, reads[0].path], check=False, cwd=Path(__file__).parents[1])
    assert done.returncode == 0


def test_one_checkpoint_judges_the_run_and_its_results_carry_severity_the_gx_way(reads: list[ReadDocument]) -> None:
    from expectations.gate import default_gate

    verdicts = default_gate().judge([(r.document, r.frames) for r in reads], run_name="two documents")

    assert [r.status for r in verdicts.results] == ["loaded", "loaded"]
    assert sorted(v.suite_name for v in verdicts.validations) == list(SUITES)
    assert {v.meta["run_id"].run_name for v in verdicts.validations} == {"two documents"}
    [facts] = [v for v in verdicts.validations if v.suite_name == "facts"]
    severity = {r.expectation_config.meta["check_name"]: r.expectation_config.severity.value for r in facts.results}
    assert severity["classification.unknown_code"] == "warning"
    assert severity["structure.unknown_table_kind"] == "critical"
    # Without Data Docs the Checkpoint returns bare verdicts (BOOLEAN_ONLY); a failed expectation is validated again
    # with COMPLETE on the run's batch: every document's facts, its rows listed.
    first, second = (r.frames for r in reads)
    assert first is not None and second is not None
    wrong = second.facts.copy()
    wrong.loc[0, "table_kind"] = "not_a_table_kind"
    again = default_gate().judge([(reads[0].document, first), (reads[1].document, replace(second, facts=wrong))])
    [facts] = [v for v in again.validations if v.suite_name == "facts"]
    [failed] = [r for r in facts.results if not r.success]
    assert failed.expectation_config.meta["check_name"] == "structure.unknown_table_kind"
    assert failed.result["element_count"] == len(first.facts) + len(second.facts)
    assert failed.result["unexpected_index_list"] == [len(first.facts)]
    assert [r.status for r in again.results] == ["loaded", "quarantined"]  # a table it does not print: a doubt
    assert all("element_count" not in r.result for r in facts.results if r.success)


def test_the_run_s_data_docs_are_its_checkpoint_s_results_not_a_second_check(
    reads: list[ReadDocument],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def checked_again(*_: object, **__: object) -> None:
        raise AssertionError("the Data Docs must not check a document again")

    monkeypatch.setattr(Gate, "check", checked_again)
    summary = _gated_and_loaded(reads, tmp_path, chunk_documents=len(reads))

    assert [o.status for o in summary.outcomes] == ["loaded", "loaded"]
    site = tmp_path / "docs" / "gx" / "uncommitted" / "data_docs" / "local_site"
    assert (site / "index.html").exists()
    pages = {suite: sorted((site / "validations" / suite).rglob("*.html")) for suite in SUITES}
    assert all(len(found) == 1 for found in pages.values()), pages  # one run, one result per suite
    assert "caijue-ingest-" in _text(site / "index.html")
    # the facts suite's words are the contract's: the page shows the expectation and that it held
    facts = _text(pages["facts"][0])
    assert "table_kind" in facts and "Succeeded" in facts


def test_a_run_gated_in_chunks_judges_each_document_as_alone_and_its_data_docs_hold_every_chunk(
    reads: list[ReadDocument], tmp_path: Path
) -> None:
    whole = _gated_and_loaded(reads, tmp_path / "whole", chunk_documents=len(reads), data_docs=False)
    chunked = _gated_and_loaded(list(reversed(reads)), tmp_path / "chunked", chunk_documents=1)

    def verdicts(summary: RunSummary) -> dict[str, tuple]:
        return {o.path: (o.status, o.reason, o.issues, o.withheld, o.identity_tally) for o in summary.outcomes}

    assert verdicts(chunked) == verdicts(whole)
    assert [o.path for o in chunked.outcomes] == [o.path for o in whole.outcomes]  # the plan's order, not the chunks'
    assert all(o.document.facts == [] for o in chunked.outcomes)  # loaded, then let go
    site = tmp_path / "chunked" / "docs" / "gx" / "uncommitted" / "data_docs" / "local_site"
    pages = {suite: sorted((site / "validations" / suite).rglob("*.html")) for suite in SUITES}
    assert all(len(found) == len(reads) for found in pages.values()), pages  # one Checkpoint run per chunk
    assert chunked.facts_loaded == whole.facts_loaded > 0


def test_the_reading_s_tail_does_not_wait_for_a_chunk_to_fill(reads: list[ReadDocument], tmp_path: Path) -> None:
    whole = _gate_and_load(reads, tmp_path / "whole", chunk_documents=64, data_docs=False)
    tail = _gate_and_load(reads, tmp_path / "tail", chunk_documents=64, data_docs=False, tail_documents=1)

    assert whole.chunks == 1  # the documents judged together after the last one
    assert tail.chunks == 2  # the first judged when only one was still to come, the last alone
    assert [(o.path, o.status, o.issues) for o in tail.summary.outcomes] == [
        (o.path, o.status, o.issues) for o in whole.summary.outcomes
    ]
    assert tail.summary.facts_loaded == whole.summary.facts_loaded > 0


def _gated_and_loaded(
    reads: list[ReadDocument], folder: Path, *, chunk_documents: int, data_docs: bool = True
) -> RunSummary:
    """The reads, in the order given, gated and loaded as a run does it (flows/gate_and_load.py), in chunks of
    `chunk_documents`, with the run's Data Docs in folder/docs; the working copy is left in the folder."""
    return _gate_and_load(reads, folder, chunk_documents=chunk_documents, data_docs=data_docs).summary


def _gate_and_load(
    reads: list[ReadDocument],
    folder: Path,
    *,
    chunk_documents: int,
    data_docs: bool = True,
    tail_documents: int = 0,
) -> GateAndLoad:
    """`_gated_and_loaded`'s GateAndLoad, finished; the chunk so far also judged when `tail_documents` are still
    to come."""
    summary = RunSummary(warehouse=folder / "warehouse.duckdb")
    plan = plan_run(sorted(Path(r.path) for r in reads), summary.warehouse)
    position = {str(path): index for index, path in enumerate(plan.todo)}
    work, docs = working_path(summary.warehouse), folder / "docs" if data_docs else None
    with GateAndLoad(
        summary, plan, work, docs, chunk_documents=chunk_documents, tail_documents=tail_documents
    ) as gate_and_load:
        for read in reads:
            gate_and_load.add(position[read.path], read)
        gate_and_load.finish()
    return gate_and_load


def test_a_failed_identity_is_shown_with_its_rows(tmp_path: Path) -> None:
    from test_gate import expenditure_class_201  # 类 201 printed 120.00 over 款 rows 60.00 + 40.00

    from expectations.data_docs import data_docs_gate

    result = data_docs_gate(tmp_path).check(expenditure_class_201("120.00"))

    assert result.errors == [] and [p.check_name for p in result.warnings] == ["hierarchy.function_class"]
    [page] = sorted(tmp_path.rglob("validations/identity_checks/test.pdf/*/*.html"))
    text = _text(page)
    assert "the stated total" in text and "the sum of its parts" in text
    assert "severity != error" in text and "1 unexpected values found" in text  # the warning expectation's row

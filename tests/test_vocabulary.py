"""One definition per vocabulary: the contract's words are the CSVs of extract/contract/, read by the gate
(expectations/vocabulary.py) and, as dbt seeds, by the marts' relationship checks (tests/generic/column_checks.sql).

The specs' words (what the extractor can produce) and the model's literals are held equal to them here; no
_models.yml restates a vocabulary as a list; and a word taken out of a seed (in a copy of the project) is
flagged by the gate and fails the marts' test on the rows that carry it. Cost: one dbt build of a one-document
warehouse (~20 s); the rest reads files.
"""

from __future__ import annotations

import csv
import re
import shutil
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import get_args

import duckdb
import pytest
import yaml

from expectations import Gate
from expectations.vocabulary import CONTRACT_DIR, Vocabulary, contract_words, spec_words, vocabulary
from extract.model import (
    DocumentMeta,
    DocumentStatus,
    ExtractedDocument,
    Fact,
    ReportKind,
    ReportLevel,
    Severity,
    TableRead,
)
from warehouse.dbt import DBT_PROJECT

SEED = re.compile(r"ref\('(\w+)'\)")
MODEL_FILES = sorted((DBT_PROJECT / "models").rglob("*.yml"))


def _tests(node: object) -> list[dict]:
    """Every data test of a _models.yml, anywhere in it."""
    if isinstance(node, dict):
        found = [t for t in node.get("data_tests", []) if isinstance(t, dict)]
        return found + [t for value in node.values() for t in _tests(value)]
    if isinstance(node, list):
        return [t for item in node for t in _tests(item)]
    return []


def _model_tests() -> list[dict]:
    return [t for path in MODEL_FILES for t in _tests(yaml.safe_load(path.read_text(encoding="utf-8")))]


def _accepted_value_lists() -> list[list]:
    """Every list of accepted values: a column's accepted_values test, or a column_checks test's."""
    tests = _model_tests()
    plain = [t["accepted_values"]["arguments"]["values"] for t in tests if "accepted_values" in t]
    checks = [t["column_checks"]["arguments"] for t in tests if "column_checks" in t]
    return plain + [values for c in checks for values in c.get("accepted_values", {}).values()]


def _relationship_targets() -> list[str]:
    """Every relationship's `to`: a column's relationships test, or a column_checks test's."""
    tests = _model_tests()
    plain = [t["relationships"]["arguments"]["to"] for t in tests if "relationships" in t]
    checks = [t["column_checks"]["arguments"] for t in tests if "column_checks" in t]
    return plain + [r["to"] for c in checks for r in c.get("relationships", [])]


def test_the_contract_s_words_are_the_words_the_specs_produce() -> None:
    words = vocabulary()
    for name, produced in spec_words().items():
        assert getattr(words, name) == produced, f"extract/contract/{name}.csv and the specs disagree"


def test_the_model_s_literals_are_the_contract_s_words() -> None:
    words = vocabulary()
    assert words.report_kinds == frozenset(get_args(ReportKind))
    assert words.report_levels == frozenset(get_args(ReportLevel))
    assert words.statuses == frozenset(get_args(DocumentStatus))
    assert words.severities == frozenset(get_args(Severity))


def test_every_vocabulary_is_one_seed_and_no_model_restates_it() -> None:
    seeds = {path.stem: frozenset(contract_words(path.stem)) for path in CONTRACT_DIR.glob("*.csv")}
    restated = [values for values in _accepted_value_lists() if frozenset(map(str, values)) in seeds.values()]
    assert not restated, f"use a relationship to the vocabulary's seed instead of listing {restated}"
    referred = {m[1] for target in _relationship_targets() if (m := SEED.fullmatch(target))}
    unused = set(seeds) - referred
    assert not unused, f"vocabulary seeds no mart refers to: {sorted(unused)}"


def test_the_gate_s_identities_speak_only_the_contract_s_words() -> None:
    """The identities are written once, in the gate, in the contract's words: a measure, line key, total row or
    fund scope they name is in its vocabulary seed (one taken out of a seed fails here, not silently)."""
    from expectations import identities

    words = vocabulary()
    named_measures = {
        m
        for rule in identities.COLUMN_RULES
        for m in (rule.total, *rule.parts, *rule.optional, *(s for subs in rule.substitutes.values() for s in subs))
    }
    assert named_measures <= words.measures, named_measures - words.measures
    source = Path(identities.__file__).read_text(encoding="utf-8")
    named_lines = set(re.findall(r"[\"'](?:income|expense)\.[a-z_]+[\"']", source))
    named_lines = {line.strip("\"'") for line in named_lines}
    assert named_lines and named_lines <= words.summary_line_keys, named_lines - words.summary_line_keys
    assert {*identities.PANEL_TOTALS, *identities.TOTAL_LABEL} <= words.table_total_keys
    assert set(identities.FUND_SCOPES) <= words.fund_scopes


# --- a word taken out of a seed ---------------------------------------------------------------------

DOC_ID = "cd" * 32
REMOVED = "reception"  # 公务接待费


def _budget_with_three_public() -> ExtractedDocument:
    """A 三公 table (预算数, 万元): 合计 10.00 = 出国 2.00 + 公务用车 5.00 + 公务接待 3.00."""
    items = {"total": "10.00", "overseas_travel": "2.00", "vehicle_total": "5.00", REMOVED: "3.00"}
    facts = [
        Fact("three_public", "fiscal", "three_public", item, "budget", Decimal(wan) * 10000, 12, item)
        for item, wan in items.items()
    ]
    meta = DocumentMeta(DOC_ID, "three-public.pdf", "测试局", 2024, "budget", "department", "测试区", 30)
    table = TableRead("three_public", "“三公”经费预算表", 12, 12, "万元", False)
    return ExtractedDocument(meta=meta, tables=[table], facts=facts)


def _project_without(tmp_path: Path, vocabulary_name: str, word: str) -> Path:
    """A copy of the dbt project with its seed folders beside it, `word` taken out of one vocabulary."""
    root = tmp_path / "project"
    shutil.copytree(DBT_PROJECT, root / "dbt_project", ignore=shutil.ignore_patterns("target", "logs"))
    for folder in ("classification", "contract"):
        shutil.copytree(CONTRACT_DIR.parent / folder, root / "extract" / folder, ignore=shutil.ignore_patterns("*.py*"))
    seed = root / "extract" / "contract" / f"{vocabulary_name}.csv"
    with seed.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    kept = [row for row in rows if row[0] != word]
    assert len(kept) == len(rows) - 1, f"{word} is not in {vocabulary_name}"
    with seed.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(kept)
    return root


def test_a_word_taken_out_of_a_seed_is_flagged_by_the_gate_and_fails_the_marts_test(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from warehouse import dbt
    from warehouse.raw import ensure_schema, load_document

    project = _project_without(tmp_path, "three_public_items", REMOVED)
    doc = _budget_with_three_public()

    def unknown_words(gate: Gate) -> list[str]:
        return [p.message for p in gate.check(doc).issues if p.check_name == "structure.unknown_key"]

    assert unknown_words(Gate()) == []
    flagged = unknown_words(Gate(vocab=Vocabulary.read(project / "extract" / "contract")))
    assert flagged and all(REMOVED in message for message in flagged), flagged

    # A warehouse loaded while the word was the contract's: the marts' test finds it there.
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        ensure_schema(con)
        load_document(
            con, doc, status="loaded", status_reason=None, issues=[], file_path="three-public.pdf",
            extractor_version="test", ingested_at=datetime(2026, 1, 1),
        )  # fmt: skip
    monkeypatch.setattr(dbt, "DBT_PROJECT", project / "dbt_project")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # the copy's parse is shared with no later build
    outcome = dbt.build_warehouse(warehouse, work_dir=tmp_path / ".dbt")

    failed = sorted(node.unique_id.split(".")[2] for node in outcome.failed)
    assert failed == ["column_checks_fct_three_public"], failed
    [test] = outcome.failed
    assert test.failures == 1  # the one 公务接待费 row
    assert test.failed_checks == ("relationships: item → three_public_items.item (1 failing)",), test.message

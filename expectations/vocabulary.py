"""The words a fact may use: the contract's vocabularies, one CSV each in `extract/contract/` (also the dbt
seeds the marts' tests refer to, read by dbt in place), and the table shapes of the extractor's specs.

The CSVs are the one source of which words exist; the specs (tables.yaml, vocabulary.yaml) say which printed
words mean them, and tests/test_vocabulary.py holds the two equal. The gate accepts exactly these words: a
word taken out of a CSV is flagged by the gate and fails the marts' dbt tests alike."""

from __future__ import annotations

import csv
import functools
import importlib.util
from dataclasses import dataclass
from pathlib import Path

import yaml

from extract.expected import SUMMARY_MEASURE
from extract.model import FACT_KINDS

EXTRACT_DIR = Path(importlib.util.find_spec("extract").origin).parent
SPECS_DIR = EXTRACT_DIR / "specs"
CONTRACT_DIR = EXTRACT_DIR / "contract"


def contract_words(name: str, directory: Path = CONTRACT_DIR) -> tuple[str, ...]:
    """The words of one vocabulary (`<name>.csv`: its first column), in the contract's order."""
    with (directory / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(row[0] for row in list(csv.reader(handle))[1:] if row)


def code_levels(name: str, directory: Path = CONTRACT_DIR) -> dict[int, str]:
    """A classification's levels (`<name>.csv`: level, code_length) by code length."""
    with (directory / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return {int(row["code_length"]): row[next(iter(row))] for row in csv.DictReader(handle)}


@dataclass(frozen=True, slots=True)
class Vocabulary:
    table_kinds: frozenset[str]
    table_shapes: dict[str, str]  # table_kind → subject_matrix | two_sided_summary | three_public
    fund_scopes: frozenset[str]
    fact_kinds: frozenset[str]
    measures: frozenset[str]  # measures of function, economic and table_total facts
    summary_line_keys: frozenset[str]
    three_public_items: frozenset[str]
    three_public_measures: frozenset[str]
    table_total_keys: frozenset[str]
    report_kinds: frozenset[str]
    report_levels: frozenset[str]
    statuses: frozenset[str]
    severities: frozenset[str]
    function_levels: dict[int, str]  # code length → 类 | 款 | 项
    economic_levels: dict[int, str]  # code length → 类 | 款

    def kind_measures(self) -> frozenset[str]:
        """'fact_kind:measure' pairs a fact may have."""
        matrix = {f"{k}:{m}" for k in ("function", "economic", "table_total") for m in self.measures}
        three_public = {f"three_public:{m}" for m in self.three_public_measures}
        return frozenset({*matrix, *three_public, f"summary:{SUMMARY_MEASURE}"})

    def kind_keys(self) -> frozenset[str]:
        """'fact_kind:key' pairs of the facts keyed by words (not by a subject code)."""
        return frozenset(
            {
                *(f"summary:{k}" for k in self.summary_line_keys),
                *(f"three_public:{k}" for k in self.three_public_items),
                *(f"table_total:{k}" for k in self.table_total_keys),
            }
        )

    def shape(self, table_kind: str) -> str | None:
        return self.table_shapes.get(table_kind)

    def tables_of_shape(self, shape: str) -> tuple[str, ...]:
        return tuple(kind for kind, s in self.table_shapes.items() if s == shape)

    @classmethod
    def read(cls, contract_dir: Path = CONTRACT_DIR) -> Vocabulary:
        """The vocabularies of `contract_dir` (another copy of `extract/contract/`, for a test)."""

        def words(name: str) -> frozenset[str]:
            return frozenset(contract_words(name, contract_dir))

        tables = _read_spec("tables.yaml")["tables"]
        return cls(
            table_kinds=words("table_kinds"),
            table_shapes={kind: spec["shape"] for kind, spec in tables.items()},
            fund_scopes=words("fund_scopes"),
            fact_kinds=frozenset(FACT_KINDS),
            measures=words("measures"),
            summary_line_keys=words("summary_line_keys"),
            three_public_items=words("three_public_items"),
            three_public_measures=words("three_public_measures"),
            table_total_keys=words("table_total_keys"),
            report_kinds=words("report_kinds"),
            report_levels=words("report_levels"),
            statuses=words("document_statuses"),
            severities=words("severities"),
            function_levels=code_levels("function_subject_levels", contract_dir),
            economic_levels=code_levels("economic_subject_levels", contract_dir),
        )


def _read_spec(name: str) -> dict:
    with (SPECS_DIR / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@functools.cache
def vocabulary() -> Vocabulary:
    return Vocabulary.read()


@functools.cache
def spec_words() -> dict[str, frozenset[str]]:
    """The words the extractor's specs can produce, per vocabulary (tests/test_vocabulary.py holds them equal
    to the contract's)."""
    tables = _read_spec("tables.yaml")["tables"]
    words = _read_spec("vocabulary.yaml")
    return {
        "table_kinds": frozenset(tables),
        "fund_scopes": frozenset([*(spec["fund_scope"] for spec in tables.values()), *words["scope_headers"]]),
        "measures": frozenset(words["measures"]) | frozenset(words["fund_table_measures"]),
        "summary_line_keys": frozenset(key for side in words["summary_lines"].values() for key in side),
        "three_public_items": frozenset(words["three_public_items"]),
        "three_public_measures": frozenset(words["three_public_measures"]),
        "table_total_keys": frozenset(words["total_rows"]),
    }

"""The words a fact may use, read from the extractor's specs (tables.yaml, vocabulary.yaml) and the
canonical model, so that the gate accepts exactly what the contract names and nothing else."""

from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

import yaml

from extract.model import FACT_KINDS, DocumentStatus, ReportKind, ReportLevel, Severity

SPECS_DIR = Path(importlib.util.find_spec("extract").origin).parent / "specs"

REPORT_KINDS: frozenset[str] = frozenset(get_args(ReportKind))
REPORT_LEVELS: frozenset[str] = frozenset(get_args(ReportLevel))
STATUSES: frozenset[str] = frozenset(get_args(DocumentStatus))
SEVERITIES: frozenset[str] = frozenset(get_args(Severity))
FUNCTION_LEVELS: frozenset[str] = frozenset({"类", "款", "项"})
ECONOMIC_LEVELS: frozenset[str] = frozenset({"类", "款"})
SUMMARY_MEASURE = "amount"


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


def _read(name: str) -> dict:
    with (SPECS_DIR / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@functools.cache
def vocabulary() -> Vocabulary:
    tables = _read("tables.yaml")["tables"]
    words = _read("vocabulary.yaml")
    return Vocabulary(
        table_kinds=frozenset(tables),
        table_shapes={kind: spec["shape"] for kind, spec in tables.items()},
        fund_scopes=frozenset([*(spec["fund_scope"] for spec in tables.values()), *words["scope_headers"]]),
        fact_kinds=frozenset(FACT_KINDS),
        measures=frozenset(words["measures"]) | frozenset(words["fund_table_measures"]),
        summary_line_keys=frozenset(key for side in words["summary_lines"].values() for key in side),
        three_public_items=frozenset(words["three_public_items"]),
        three_public_measures=frozenset(words["three_public_measures"]),
        table_total_keys=frozenset(words["total_rows"]),
    )

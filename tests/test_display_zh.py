"""The Chinese display views' labels (dbt seeds display_columns_zh / display_values_zh) against the marts.

The views in `marts_zh` are generated from these seeds (dbt_project/macros/display_views_zh.sql); a mart
column without a label would keep its English name there, a code without words would show as stored.
Read from the marts' `_models.yml` (every mart is a contract: it lists every column), so a new mart, column
or vocabulary word without its Chinese fails here, without building anything. tests/test_portable_warehouse.py
checks the same on a built warehouse.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
import yaml

from expectations.vocabulary import CONTRACT_DIR, contract_words
from warehouse.dbt import DBT_PROJECT

SEEDS = DBT_PROJECT / "seeds"
ANY_MART = "*"
UNITS = ("元", "万元")
REPORT_KINDS = contract_words("report_kinds")
VOCABULARY_SEED = re.compile(r"ref\('(\w+)'\)")


@dataclass(frozen=True, slots=True)
class Label:
    label: str
    unit: str
    vocabulary: str


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def labels() -> dict[tuple[str, str], Label]:
    found: dict[tuple[str, str], Label] = {}
    for row in _rows(SEEDS / "display_columns_zh.csv"):
        key = (row["model"], row["column"])
        assert key not in found, f"display_columns_zh: {key} labelled twice"
        found[key] = Label(row["label"], row["unit"], row["vocabulary"])
    return found


@cache
def words() -> dict[str, dict[tuple[str, str], str]]:
    """vocabulary → {(value, report_kind or ''): label}."""
    found: dict[str, dict[tuple[str, str], str]] = {}
    for row in _rows(SEEDS / "display_values_zh.csv"):
        vocabulary = found.setdefault(row["vocabulary"], {})
        key = (row["value"], row["report_kind"])
        assert key not in vocabulary, f"display_values_zh: {row['vocabulary']} {key} worded twice"
        vocabulary[key] = row["label"]
    return found


@cache
def marts() -> dict[str, list[dict]]:
    """The models dbt builds in schema marts: name → columns (as _models.yml lists them)."""
    models = yaml.safe_load((DBT_PROJECT / "models" / "marts" / "_models.yml").read_text(encoding="utf-8"))["models"]
    return {m["name"]: m["columns"] for m in models if m.get("config", {}).get("schema", "marts") == "marts"}


def label_of(mart: str, column: str) -> Label | None:
    return labels().get((mart, column)) or labels().get((ANY_MART, column))


def shown_names(mart: str) -> list[str]:
    """The view's column names, as the macro makes them: a 元 column is followed by its 万元 twin (the
    mart's own or one computed), which is not shown again where the mart has it."""
    columns = [(c["name"], label_of(mart, c["name"])) for c in marts()[mart]]
    in_yuan = {label.label for _, label in columns if label and label.unit == "元"}
    names = []
    for name, label in columns:
        if label is None:
            names.append(name)
        elif label.unit == "万元" and label.label in in_yuan:
            continue
        elif label.unit:
            names.append(f"{label.label}（{label.unit}）")
            if label.unit == "元":
                names.append(f"{label.label}（万元）")
        else:
            names.append(label.label)
    return names


def column_checks(mart: str) -> dict:
    """The arguments of a mart's column_checks test (tests/generic/column_checks.sql), {} when it has none."""
    models = yaml.safe_load((DBT_PROJECT / "models" / "marts" / "_models.yml").read_text(encoding="utf-8"))["models"]
    [model] = [m for m in models if m["name"] == mart]
    tests = [t["column_checks"] for t in model.get("data_tests", []) if isinstance(t, dict) and "column_checks" in t]
    return tests[0]["arguments"] if tests else {}


def accepted_values(mart: str, column: str) -> list[str]:
    """The words a column accepts: its accepted values, or the vocabulary seed its relationship names."""
    checks = column_checks(mart)
    if column in checks.get("accepted_values", {}):
        return [str(v) for v in checks["accepted_values"][column]]
    for relationship in checks.get("relationships", []):
        seed = VOCABULARY_SEED.fullmatch(relationship["to"])
        if relationship["column"] == column and seed and (CONTRACT_DIR / f"{seed[1]}.csv").is_file():
            return list(contract_words(seed[1]))
    return []


@pytest.mark.parametrize("mart", sorted(marts()))
def test_every_column_of_every_mart_has_a_chinese_name(mart: str) -> None:
    unlabelled = [c["name"] for c in marts()[mart] if label_of(mart, c["name"]) is None]
    assert not unlabelled, f"add {mart}'s columns to dbt_project/seeds/display_columns_zh.csv: {unlabelled}"


@pytest.mark.parametrize("mart", sorted(marts()))
def test_a_view_s_column_names_are_distinct(mart: str) -> None:
    repeated = [name for name, count in Counter(shown_names(mart)).items() if count > 1]
    assert not repeated, f"marts_zh.{mart} would show two columns named {repeated}"


@pytest.mark.parametrize("mart", sorted(marts()))
def test_every_code_a_mart_accepts_has_chinese_words(mart: str) -> None:
    missing = []
    for column in marts()[mart]:
        label = label_of(mart, column["name"])
        if label is None or not label.vocabulary:
            continue
        vocabulary = words()[label.vocabulary.removesuffix("[]")]
        missing += [
            (column["name"], value) for value in accepted_values(mart, column["name"]) if not _worded(vocabulary, value)
        ]
    assert not missing, f"add to dbt_project/seeds/display_values_zh.csv: {missing}"


def _worded(vocabulary: dict[tuple[str, str], str], value: str) -> bool:
    """Words for any report kind, or for each kind."""
    return (value, "") in vocabulary or all((value, kind) in vocabulary for kind in REPORT_KINDS)


def test_the_labels_are_well_formed() -> None:
    columns = {(mart, c["name"]) for mart, cs in marts().items() for c in cs}
    names = {name for _, name in columns}
    stale = [
        key
        for key in labels()
        if (key[0] == ANY_MART and key[1] not in names) or (key[0] != ANY_MART and key not in columns)
    ]
    assert not stale, f"display_columns_zh labels columns no mart has: {stale}"
    assert {label.unit for label in labels().values()} <= {"", *UNITS}
    unknown = {label.vocabulary.removesuffix("[]") for label in labels().values() if label.vocabulary} - set(words())
    assert not unknown, f"display_columns_zh names vocabularies display_values_zh lacks: {unknown}"
    kinds = {kind for vocabulary in words().values() for _, kind in vocabulary}
    assert kinds <= {"", *REPORT_KINDS}
    for vocabulary in words().values():
        assert all(label.strip() for label in vocabulary.values())


def test_a_table_kind_is_titled_by_its_report_kind() -> None:
    titles = words()["table_kind"]
    assert titles[("expenditure", "final")] == "支出决算表"
    assert titles[("expenditure", "budget")] == "支出预算总表"
    assert titles[("expenditure", "")] == "支出表"  # where the row does not say its kind

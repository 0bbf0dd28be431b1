"""The declarative specs: table kinds, the vocabulary of printed words, layouts.

Loaded once per process; everything here is data from the YAML files beside this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from typing import Any

import yaml

from extract.text import label

_QUALIFIER = re.compile(r"\([^()]*\)$")
_SOURCE_SUFFIX = re.compile(r"(?:收入|资金)$")


@dataclass(frozen=True)
class TableSpec:
    table_kind: str
    shape: str  # subject_matrix | two_sided_summary | three_public
    fund_scope: str
    key: str | None  # function | economic for subject matrices
    titles: dict[str, tuple[str, ...]]  # report_kind → title texts
    fund_column_lines: frozenset[str] = frozenset()  # report kinds whose non-subject lines are facts per fund column

    def line_is_fact_in(self, report_kind: str | None, fund_scope: str) -> bool:
        """A non-subject summary line (本年支出合计, 总计 …) printed in `fund_scope`'s column is a fact: always in
        the table's own scope column, in the other fund columns only in the report kinds `fund_column_lines`
        names."""
        return fund_scope == self.fund_scope or report_kind in self.fund_column_lines

    @property
    def is_fund_table(self) -> bool:
        return self.table_kind in {"gov_fund", "soe_capital"}


@dataclass(frozen=True)
class Phrasebook:
    """Aliases → meaning, matched on `label()` text, longest alias first."""

    entries: tuple[tuple[str, str], ...]  # (alias label, meaning), longest first

    @classmethod
    def of(cls, mapping: dict[str, list[str]]) -> Phrasebook:
        meanings: dict[str, str] = {}
        for meaning, aliases in mapping.items():
            for alias in map(label, aliases):
                if meanings.setdefault(alias, meaning) != meaning:
                    raise ValueError(f"spec: {alias!r} means both {meanings[alias]!r} and {meaning!r}")
        return cls(tuple(sorted(meanings.items(), key=lambda p: (-len(p[0]), p[0]))))

    def exact(self, text: str) -> str | None:
        key = label(text)
        for alias, meaning in self.entries:
            if alias == key:
                return meaning
        return None

    def lenient(self, text: str) -> str | None:
        """`exact`, else the words without a bracketed qualifier or a trailing 收入/资金 (事业收入(不含教育收费),
        一般公共预算拨款收入): publishers add both to the words they otherwise share."""
        found = self.exact(text)
        if found is not None:
            return found
        key = _QUALIFIER.sub("", label(text))
        found = self.exact(key)
        if found is None and (plain := _SOURCE_SUFFIX.sub("", key)) != key:
            found = self.exact(plain)
        return found

    def contained(self, text: str) -> str | None:
        key = label(text)
        for alias, meaning in self.entries:
            if alias and alias in key:
                return meaning
        return None


@dataclass(frozen=True)
class Vocabulary:
    measures: Phrasebook
    fund_table_measures: Phrasebook
    scope_headers: Phrasebook
    income_lines: Phrasebook
    expense_lines: Phrasebook
    three_public_items: Phrasebook
    three_public_measures: Phrasebook
    total_rows: Phrasebook
    function_class_aliases: dict[str, str]  # alias label → class code
    empty_markers: tuple[str, ...]
    fund_parts: Phrasebook  # headers naming a fund's share of the measure above them (教育收费, 单位资金 …)
    fund_measures: frozenset[str]  # measures that are one fund's money (general_public_budget …)
    fund_split_measures: frozenset[str]  # measures printed split by fund as measures of their own (财政拨款)
    economic_side_groups: Phrasebook  # a summary's economic side: the heading over the classes → their measure
    economic_side_uses: Phrasebook  # a summary's economic side: lines of spending by use, not economic classes


@dataclass(frozen=True)
class Specs:
    tables: dict[str, TableSpec]
    vocabulary: Vocabulary
    layouts: dict[str, Any]

    @cached_property
    def titles(self) -> list[tuple[str, str, str]]:
        """(title label, table_kind, report_kind), longest title first; built once (every text line is
        matched against it)."""
        found = {
            (label(title), spec.table_kind, kind)
            for spec in self.tables.values()
            for kind, titles in spec.titles.items()
            for title in titles
        }
        return sorted(found, key=lambda t: (-len(t[0]), t[0]))

    @cached_property
    def titles_by_last_character(self) -> dict[str, list[tuple[str, str, str]]]:
        """`titles` by the character each ends with, in the same order: a line can only end with the titles
        that end with its last character."""
        found: dict[str, list[tuple[str, str, str]]] = {}
        for title in self.titles:
            if not title[0]:
                raise ValueError(f"a title of {title[1]} in tables.yaml is empty once folded")
            found.setdefault(title[0][-1], []).append(title)
        return found


def _read_yaml(name: str) -> dict[str, Any]:
    path = resources.files("extract.specs").joinpath(name)
    if not path.is_file():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _table_specs(raw: dict[str, Any]) -> dict[str, TableSpec]:
    return {
        kind: TableSpec(
            table_kind=kind,
            shape=body["shape"],
            fund_scope=body["fund_scope"],
            key=body.get("key"),
            titles={rk: tuple(ts) for rk, ts in body["titles"].items()},
            fund_column_lines=frozenset(body.get("fund_column_lines", ())),
        )
        for kind, body in raw["tables"].items()
    }


def _vocabulary(raw: dict[str, Any], empty_markers: list[str]) -> Vocabulary:
    aliases = {label(alias): code for code, names in raw["function_class_aliases"].items() for alias in names}
    return Vocabulary(
        measures=Phrasebook.of(raw["measures"]),
        fund_table_measures=Phrasebook.of(raw["fund_table_measures"]),
        scope_headers=Phrasebook.of(raw["scope_headers"]),
        income_lines=Phrasebook.of(raw["summary_lines"]["income"]),
        expense_lines=Phrasebook.of(raw["summary_lines"]["expense"]),
        three_public_items=Phrasebook.of(raw["three_public_items"]),
        three_public_measures=Phrasebook.of(raw["three_public_measures"]),
        total_rows=Phrasebook.of(raw["total_rows"]),
        function_class_aliases=aliases,
        empty_markers=tuple(label(m) for m in empty_markers),
        fund_parts=Phrasebook.of(raw["fund_columns"]["parts"]),
        fund_measures=frozenset(raw["fund_columns"]["fund_measures"]),
        fund_split_measures=frozenset(raw["fund_columns"]["split_measures"]),
        economic_side_groups=Phrasebook.of(raw["economic_side"]["groups"]),
        economic_side_uses=Phrasebook.of(raw["economic_side"]["uses"]),
    )


@cache
def load_specs() -> Specs:
    tables_raw = _read_yaml("tables.yaml")
    return Specs(
        tables=_table_specs(tables_raw),
        vocabulary=_vocabulary(_read_yaml("vocabulary.yaml"), tables_raw.get("empty_markers", [])),
        layouts=_read_yaml("layouts.yaml").get("layouts", {}),
    )

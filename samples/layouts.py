"""extract/specs/layouts.yaml as typed specs: one Layout per published document set."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True, slots=True)
class HeaderNode:
    label: str
    children: tuple[HeaderNode, ...] = ()
    rows: int = 1
    col: str | None = None  # what a leaf column holds (code, name, in_label, econ_amount, …)
    measure: str | None = None
    scope: str | None = None
    item: str | None = None
    panel: int | None = None
    w: float | None = None

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def leaves(self) -> list[HeaderNode]:
        if self.is_leaf:
            return [self]
        return [leaf for child in self.children for leaf in child.leaves()]


@dataclass(frozen=True, slots=True)
class LineSpec:
    """A printed line of a two-sided summary table."""

    label: str
    key: str | None = None
    scope: str | None = None
    fact: bool = True  # false: the line is printed but is not a CONTRACT fact (广州's 行政经费)


@dataclass(frozen=True, slots=True)
class PanelSpec:
    classes: tuple[str, ...]
    total_label: str
    total_key: str


@dataclass(frozen=True, slots=True)
class TableSpec:
    kind: str
    shape: str
    titles: tuple[str, ...]
    orientation: str
    header: tuple[HeaderNode, ...]
    total_row: str = "top"
    rows: str = "present"
    empty_rows: int = 0
    empty_marker: str | None = None
    notes: tuple[str, ...] = ()
    empty_note: str = "注：本表无数据。"
    unit: str | None = None
    zero_cell: tuple[str, ...] | None = None
    income_lines: tuple[LineSpec, ...] = ()
    footer: tuple[tuple[LineSpec, LineSpec], ...] = ()
    panels: tuple[PanelSpec, ...] = ()
    row_codes: dict[str, tuple[str, ...]] | None = None  # econ_panels: class → the 款 it prints
    numbering: str | None = None  # a column-numbering row under the header ("栏次" 1 2 3 / "**" 1 2 3)
    expense_lines: str = "classes"  # summary expense side: classes (一、…) | subjects (every level, names only)
    item_lines: tuple[LineSpec, ...] = ()  # three_public_rows: printed lines, key = a CONTRACT item
    expense_head: tuple[LineSpec, ...] = ()  # summary lines printed above the expense side's subjects

    def leaves(self) -> list[HeaderNode]:
        return [leaf for node in self.header for leaf in node.leaves()]


@dataclass(frozen=True, slots=True)
class Layout:
    name: str
    report_kind: str
    family: str
    levels: dict[str, dict[str, str]]
    unit: str
    choices: dict[str, tuple[Any, ...]]
    code_style: str
    cover: tuple[str, ...]
    parts: tuple[str, ...]
    info_line: dict[str, str]
    class_list: tuple[tuple[str, str], ...] | None  # None: print the classes present
    table_heading: str | None
    form_label: str | None
    variant: bool  # generated only when asked (generate_corpus(variants=True) or by name)
    ruling: str  # rects (every cell a rectangle) | lines (cell edges drawn as single lines)
    repeat_header: bool  # title, info line and header printed again on every continuation page
    _tables: tuple[tuple[dict[str, Any], dict[str, Any]], ...]  # (merged template, by_level overrides)
    _doc: dict[str, Any]

    def tables(self, level: str) -> list[TableSpec]:
        """The table specs in printed order, for one report level."""
        specs = []
        for merged, by_level in self._tables:
            raw = {**merged, **by_level.get(level, {})}
            specs.append(_table_spec(raw, self.code_style, self._doc))
        return specs

    def table_kinds(self) -> tuple[str, ...]:
        """The kinds of the tables it prints, in printed order."""
        return tuple(merged["kind"] for merged, _ in self._tables)

    def narrowed(self, kinds: Collection[str], name_width: float | None = None) -> Layout:
        """The same layout printing only its cover and the tables of `kinds`: a document of a page or three
        (property tests render hundreds). Given `name_width`, its subject-name columns are that wide (in
        the relative units of `w`), so long names wrap."""
        unknown = set(kinds) - set(self.table_kinds())
        if unknown:
            raise ValueError(f"{self.name} prints no {sorted(unknown)} table")
        width = {} if name_width is None else {"name_w": name_width}
        tables = tuple(
            ({**merged, **width}, {level: {**overrides, **width} for level, overrides in by_level.items()})
            for merged, by_level in self._tables
            if merged["kind"] in kinds
        )
        return dataclasses.replace(self, parts=("cover", "tables"), _tables=tables)


def _node(raw: dict[str, Any]) -> HeaderNode:
    children = tuple(_node(child) for child in raw.get("children") or ())
    return HeaderNode(
        label=str(raw.get("label", "")),
        children=children,
        rows=int(raw.get("rows", 1)),
        col=raw.get("col"),
        measure=raw.get("measure"),
        scope=raw.get("scope"),
        item=raw.get("item"),
        panel=raw.get("panel"),
        w=raw.get("w"),
    )


def _line(raw: dict[str, Any]) -> LineSpec:
    return LineSpec(
        label=str(raw.get("label", "")), key=raw.get("key"), scope=raw.get("scope"), fact=bool(raw.get("fact", True))
    )


def _as_tuple(value: Any) -> tuple[Any, ...] | None:
    if value is None:
        return None
    return tuple(value) if isinstance(value, list) else (value,)


def _matrix_header(raw: dict[str, Any], code_style: str, stubs: dict[str, Any]) -> list[dict[str, Any]]:
    """Stub (code and name columns, by code style) + the amount columns."""
    key = "economic" if raw["shape"] == "econ_matrix" else "function"
    stub = copy.deepcopy(stubs[key][code_style])
    if "name_w" in raw:
        for node in _walk(stub):
            if node.get("col") in {"name", "econ_name"}:
                node["w"] = raw["name_w"]
    return stub + list(raw["columns"])


def _walk(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for node in nodes:
        found.append(node)
        found.extend(_walk(node.get("children") or []))
    return found


def _table_spec(raw: dict[str, Any], code_style: str, doc: dict[str, Any]) -> TableSpec:
    shape = raw["shape"]
    code_style = raw.get("code_style", code_style)
    header_raw = _matrix_header(raw, code_style, doc["stubs"]) if shape in {"matrix", "econ_matrix"} else raw["header"]
    empty = raw.get("empty") or {}
    rows = raw.get("rows", "present")
    row_codes = None
    if rows != "present":
        row_codes = {str(k): tuple(str(c) for c in v) for k, v in doc["econ_lists"][rows].items()}
    return TableSpec(
        kind=raw["kind"],
        shape=shape,
        titles=tuple(raw["titles"]),
        orientation=raw.get("orientation", "landscape"),
        header=tuple(_node(node) for node in header_raw),
        total_row=raw.get("total_row", "top"),
        rows=rows,
        empty_rows=int(empty.get("rows", 0)),
        empty_marker=empty.get("marker_row"),
        notes=tuple(raw.get("notes") or ()),
        empty_note=raw.get("empty_note", "注：本表无数据。"),
        unit=raw.get("unit"),
        zero_cell=_as_tuple(raw.get("zero_cell")),
        income_lines=tuple(_line(line) for line in raw.get("income_lines") or ()),
        footer=tuple((_line(left), _line(right)) for left, right in raw.get("footer") or ()),
        panels=tuple(
            PanelSpec(tuple(str(c) for c in p["classes"]), p["total_label"], p["total_key"])
            for p in raw.get("panels") or ()
        ),
        row_codes=row_codes,
        numbering=raw.get("numbering"),
        expense_lines=raw.get("expense_lines", "classes"),
        item_lines=tuple(_line(line) for line in raw.get("item_lines") or ()),
        expense_head=tuple(_line(line) for line in raw.get("expense_head") or ()),
    )


def _layout(name: str, raw: dict[str, Any], doc: dict[str, Any]) -> Layout:
    templates = doc["templates"]
    tables = []
    for entry in raw["tables"]:
        overrides = dict(entry)
        merged = copy.deepcopy(templates[overrides.pop("template")])
        by_level = merged.pop("by_level", {})
        merged.update(copy.deepcopy(raw.get("table_defaults") or {}))
        merged.update(overrides)
        tables.append((merged, by_level))
    class_list_name = raw.get("class_list", "present")
    class_list = None
    if class_list_name != "present":
        class_list = tuple((str(code), label) for code, label in doc["class_lists"][class_list_name])
    return Layout(
        name=name,
        report_kind=raw["report_kind"],
        family=raw["family"],
        levels={level: dict(words or {}) for level, words in raw["levels"].items()},
        unit=raw["unit"],
        choices={key: tuple(values) for key, values in (raw.get("choices") or {}).items()},
        code_style=raw["code_style"],
        cover=tuple(raw["cover"]),
        parts=tuple(raw["parts"]),
        info_line=dict(raw.get("info_line") or {}),
        class_list=class_list,
        table_heading=raw.get("table_heading"),
        form_label=raw.get("form_label"),
        variant=bool(raw.get("variant", False)),
        ruling=raw.get("ruling", "rects"),
        repeat_header=bool(raw.get("repeat_header", False)),
        _tables=tuple(tables),
        _doc=doc,
    )


def default_layouts() -> set[str]:
    """The layouts of the default corpus (`caijue demo`): every layout but the variants."""
    return {name for name, layout in load_layouts().items() if not layout.variant}


@cache
def load_layouts() -> dict[str, Layout]:
    text = resources.files("extract").joinpath("specs").joinpath("layouts.yaml").read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    return {name: _layout(name, raw, doc) for name, raw in doc["layouts"].items()}

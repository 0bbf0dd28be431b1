"""The sample corpus: departments × years × (budget + final) PDFs, each with its expected/ truth,
plus the seed's own department (中共乐山市金口河区委办公室, 2024 final account)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from samples.accounts import Accounts
from samples.department import Department, budget_accounts, final_accounts, make_department
from samples.document import Document, DocumentSource, build_tables, render
from samples.layouts import Layout, load_layouts
from samples.narrative import (
    DocumentText,
    Figures,
    budget_narrative,
    budget_other_notes,
    final_narrative,
    glossary,
    overview,
    texts,
    toc,
)
from samples.seed import SEED_KEY, write_seed_document
from samples.tables import TableContent
from samples.truth import save_document

FAMILIES = ("shanghai", "sichuan", "guangdong", "zhejiang")  # the last two: variant layouts only
KINDS = ("budget", "final")


@dataclass(frozen=True, slots=True)
class Planned:
    """One document to generate."""

    department: Department
    layout: Layout
    year: int
    level: str

    @property
    def stem(self) -> str:
        level = "dept" if self.level == "department" else "unit"
        return f"{self.department.key}-{self.year}-{self.layout.report_kind}-{level}"


def generate_corpus(
    out_dir: Path,
    departments: int = 12,
    years: Sequence[int] = (2023, 2024),
    seed: int = 20240101,
    layouts: Iterable[str] | None = None,
    variants: bool = False,
) -> list[Path]:
    """Write the corpus into out_dir (PDFs, and `<stem>/expected/` beside each); returns the PDF paths.

    Departments alternate between the layout families, so with departments >= 2 every default layout
    appears; the same arguments always give byte-identical files. The variant layouts (other
    provinces' sets, `variant: true` in layouts.yaml) join the rotation with `variants=True`, or when
    `layouts` names one of them."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    available = load_layouts()
    allowed = set(layouts) if layouts is not None else set(available)
    unknown = allowed - set(available)
    if unknown:
        raise ValueError(f"unknown layouts: {sorted(unknown)}")
    if layouts is not None and any(available[name].variant for name in allowed):
        variants = True
    planned_documents = plan_corpus(departments, years, seed, allowed, variants)
    paths = [write_document(out_dir, planned) for planned in planned_documents]
    if "sichuan_final" in allowed:
        paths.append(write_seed_document(out_dir))
    return paths


def plan_corpus(
    departments: int, years: Sequence[int], seed: int, allowed: set[str], variants: bool = False
) -> list[Planned]:
    layouts = load_layouts()
    allowed = {name for name in allowed if variants or not layouts[name].variant}
    by_family = {
        family: {
            kind: name
            for name, layout in layouts.items()
            if layout.family == family and name in allowed
            for kind in [layout.report_kind]
        }
        for family in FAMILIES
    }
    families = [family for family in FAMILIES if by_family[family]]
    taken: set[str] = {SEED_KEY}
    planned = []
    for index in range(departments if families else 0):
        family = families[index % len(families)]
        department = make_department(f"{seed}:{index}", family, taken)
        for year in years:
            for kind in KINDS:
                name = by_family[family].get(kind)
                if name is None:
                    continue
                layout = layouts[name]
                level = department.budget_level if kind == "budget" else "department"
                if level not in layout.levels:
                    level = "department"
                planned.append(Planned(department, layout, year, level))
    return planned


def _budget_unit(family: str) -> str:
    for layout in load_layouts().values():
        if layout.family == family and layout.report_kind == "budget":
            return layout.unit
    return "元"


def _accounts(department: Department, kind: str, year: int, unit: str) -> Accounts:
    builder = final_accounts if kind == "final" else budget_accounts
    return builder(department, year, unit)


DocumentEdit = Callable[[DocumentSource, list[TableContent], DocumentText], None]


def build_document(planned: Planned, edit: DocumentEdit | None = None) -> Document:
    """The document's tables and text, rendered; `edit` may change them first (samples.inject)."""
    department, layout, year = planned.department, planned.layout, planned.year
    kind, unit = layout.report_kind, layout.unit
    rng = random.Random(f"{planned.stem}:choices")
    zero_cell = rng.choice(layout.choices.get("zero_cell", ("",)))
    thousands = rng.choice(layout.choices.get("thousands", (False,)))
    accounts = _accounts(department, kind, year, unit)
    source = DocumentSource(
        stem=planned.stem,
        layout=layout,
        level=planned.level,
        year=year,
        department_name=department.name,
        heading_name=department.heading_name,
        region_name=department.region.name,
        accounts=accounts,
        zero_cell=zero_cell,
        thousands=thousands,
    )
    tables = build_tables(source)
    words = source.words()
    figures = Figures(space=texts()[layout.name]["number_space"], thousands=thousands and unit == "元")
    previous = _accounts(department, kind, year - 1, unit)
    text = DocumentText()
    text.parts["toc"] = toc(layout.name, list(layout.parts), [t.title for t in tables], words)
    text.parts["overview"] = overview(department, layout.name, words)
    text.parts["glossary"] = glossary(layout.name, kind, words)
    if kind == "final":
        budget = _accounts(department, "budget", year, _budget_unit(layout.family))
        text.parts["narrative"] = final_narrative(layout.name, words, accounts, previous, budget, figures)
    else:
        text.parts["narrative"] = budget_narrative(layout.name, words, accounts, previous, figures)
        notes = budget_other_notes(layout.name, words, accounts, previous, figures)
        if "other_notes" in layout.parts:
            text.parts["other_notes"] = notes
        else:
            text.parts["narrative"] += notes[1:]
    if edit is not None:
        edit(source, tables, text)
    return Document(source, tables, render(source, tables, text))


def write_document(out_dir: Path, planned: Planned, extra_meta: dict[str, object] | None = None) -> Path:
    return save_document(out_dir, build_document(planned), extra_meta=extra_meta)

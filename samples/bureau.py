"""The bureau corpus: what a district finance bureau holds, planned from samples/data/bureau_*.yaml.

    pdfs = generate_bureau_corpus(Path("out"))

One district's departments over three years of budgets and final accounts (the seed's own district:
its real 2024 final account is one of them), some with units publishing their own 单位预算, a renamed
department, a name printed short, a few publisher's errors (samples/inject.py) and two departments of a
neighbouring district. Every document's expected/meta.json says which department it is
(`department_key`, and a unit's own `entity_key`), whatever name it prints that year.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from samples.corpus import KINDS, Planned, write_document
from samples.department import (
    Agency,
    Department,
    Region,
    ThreePublicPlan,
    agency_of,
    department_name,
    department_profile,
    known_agencies,
)
from samples.inject import write_injected_document
from samples.layouts import Layout, load_layouts
from samples.seed import SEED_KEY, seed_accounts, seed_data, write_seed_document

BUREAU = "jinkouhe"
FAMILY = "sichuan"  # the district's layouts: sichuan_budget, sichuan_final
OWN_UNIT = "（本级）"  # the department's own organ, as a budget unit


@dataclass(frozen=True, slots=True)
class BureauDocument:
    """One document of the bureau: what to render, which department it is, the errors it prints."""

    planned: Planned
    department_key: str  # the department, the same over years and names
    entity_key: str  # who publishes it: the department, or one of its units
    errors: tuple[str, ...] = ()  # samples/inject.py kinds

    @property
    def truth(self) -> dict[str, object]:
        """What expected/meta.json adds to the document's own meta: the region, the keys, and the name
        as read (a 本级 unit's document is its department's: the （本级） tail names the part it covers)."""
        department = self.planned.department
        return {
            "department_name": department.name.removesuffix(OWN_UNIT),
            "region": department.region.name,
            "department_key": self.department_key,
            "entity_key": self.entity_key,
        }


@cache
def bureau_data(name: str = BUREAU) -> dict[str, Any]:
    path = resources.files("samples").joinpath("data").joinpath(f"bureau_{name}.yaml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def bureau_names() -> list[str]:
    """The bureaus samples/data describes (bureau_<name>.yaml)."""
    folder = resources.files("samples").joinpath("data")
    return sorted(p.name[len("bureau_") : -len(".yaml")] for p in folder.iterdir() if p.name.startswith("bureau_"))


def plan_bureau(name: str = BUREAU, departments: int | None = None) -> list[BureauDocument]:
    """Every document of the bureau, in a stable order; `departments` keeps the district's first N."""
    data = bureau_data(name)
    agencies = {**known_agencies(), **{raw["code"]: agency_of(raw) for raw in data.get("agencies") or ()}}
    years = tuple(data["years"])
    seed = data["seed"]
    layouts = _layouts()
    errors = {(e["department"], e["year"], e["kind"]): tuple(e["inject"]) for e in data.get("errors") or ()}
    entries = data["departments"][:departments] if departments is not None else data["departments"]
    documents: list[BureauDocument] = []
    home = _region(data["region"])
    for entry in entries:
        department = _with_the_seed(_department(entry, home, agencies[entry["agency"]], seed))
        for document in _documents(department, entry, years, layouts):
            key = (entry["agency"], document.planned.year, document.planned.layout.report_kind)
            if document.planned.level == "department" and key in errors:
                document = dataclasses.replace(document, errors=errors.pop(key))
            documents.append(document)
    if errors and departments is None:
        raise ValueError(f"bureau_{name}.yaml: errors for documents the district does not publish: {sorted(errors)}")
    for neighbour in data.get("neighbours") or ():
        region = _region(neighbour["region"])
        for entry in neighbour["departments"]:
            department = _department(entry, region, agencies[entry["agency"]], seed)
            documents.extend(_documents(department, entry, years, layouts))
    return documents


def generate_bureau_corpus(out_dir: Path, name: str = BUREAU, departments: int | None = None) -> list[Path]:
    """Write the bureau's PDFs into out_dir (each with `<stem>/expected/`); returns the PDF paths.
    The same arguments always give byte-identical files."""
    return [write_bureau_document(out_dir, document) for document in plan_bureau(name, departments)]


def write_bureau_document(out_dir: Path, document: BureauDocument) -> Path:
    """`<stem>.pdf` and `<stem>/expected/` in out_dir: the seed's real document in its slot, the
    publisher's errors printed where the plan puts them."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    planned, truth = document.planned, document.truth
    if _is_seed_slot(planned):
        return write_seed_document(out_dir, truth)
    if document.errors:
        return write_injected_document(out_dir, planned, document.errors, truth)  # type: ignore[arg-type]
    return write_document(out_dir, planned, truth)


# --- the plan ----------------------------------------------------------------------------------------


def _layouts() -> dict[str, Layout]:
    return {
        layout.report_kind: layout
        for layout in load_layouts().values()
        if layout.family == FAMILY and not layout.variant
    }


def _region(raw: dict[str, str]) -> Region:
    return Region(FAMILY, raw["province"], raw["city"], raw["district"], raw["code"])


def _key(region: Region, agency: Agency) -> str:
    return f"sc-{region.code}-{agency.code}"


def _department(entry: dict[str, Any], region: Region, agency: Agency, seed: int) -> Department:
    """The department as its key's documents print it by default (names by year: `_named`)."""
    if entry.get("name"):
        agency = dataclasses.replace(agency, name=entry["name"])
    key = _key(region, agency)
    name = department_name(region, agency)
    rng = random.Random(f"bureau:{seed}:{key}")
    published = entry.get("units") or ()
    if not published:
        units: tuple[str, ...] = (name,)
        if agency.unit_names:
            count = rng.randint(1, len(agency.unit_names))
            units = (name, *(f"{region.name}{unit}" for unit in agency.unit_names[:count]))
        return department_profile(rng, key, name, name, region, agency, units)
    parts = tuple(_unit(raw, key, name, region, agency, seed) for raw in published)
    department = department_profile(rng, key, name, name, region, agency, tuple(p.name for p in parts))
    return dataclasses.replace(department, parts=parts)


def _unit(raw: dict[str, Any], department_key: str, name: str, region: Region, agency: Agency, seed: int) -> Department:
    """A unit publishing its own budget: the 本级 (the department's own organ, without its 事业单位) or
    a 事业单位 whose payroll is its `admin` 项."""
    base = agency.base * Decimal(str(raw["share"]))
    if raw.get("own"):
        unit_agency = dataclasses.replace(agency, base=base, business=None, unit_names=())
        key, unit_name = f"{department_key}-bj", f"{name}{OWN_UNIT}"
    else:
        unit_agency = dataclasses.replace(
            agency, base=base, admin=raw["admin"], business=None, projects=tuple(raw["projects"]),
            gov_fund=(), unit_names=(),
        )  # fmt: skip
        key, unit_name = f"{department_key}-{raw['code']}", f"{region.name}{raw['name']}"
    rng = random.Random(f"bureau:{seed}:{key}")
    return department_profile(rng, key, unit_name, unit_name, region, unit_agency, (unit_name,))


def _named(department: Department, entry: dict[str, Any], year: int) -> Department:
    """The department under the name it prints in `year` (a rename, or a short name)."""
    name = (entry.get("names") or {}).get(year)
    if not name:
        return department
    units = tuple(name + OWN_UNIT if unit == department.name + OWN_UNIT else unit for unit in department.units[1:])
    parts = tuple(
        dataclasses.replace(part, name=name + OWN_UNIT, heading_name=name + OWN_UNIT, units=(name + OWN_UNIT,))
        if part.name == department.name + OWN_UNIT
        else part
        for part in department.parts
    )
    return dataclasses.replace(department, name=name, heading_name=name, units=(name, *units), parts=parts)


def _documents(
    department: Department, entry: dict[str, Any], years: Sequence[int], layouts: dict[str, Layout]
) -> list[BureauDocument]:
    documents = []
    for year in years:
        named = _named(department, entry, year)
        for kind in KINDS:
            planned = Planned(named, layouts[kind], year, "department")
            documents.append(BureauDocument(planned, department.key, department.key))
        if "unit" in layouts["budget"].levels:
            for part in named.parts:
                planned = Planned(part, layouts["budget"], year, "unit")
                documents.append(BureauDocument(planned, department.key, part.key))
    return documents


def _with_the_seed(department: Department) -> Department:
    """The seed's department budgets, in the seed's year, the 三公 its real final account states as 预算数
    (a final account prints its year's budget beside the actual: the two documents agree)."""
    if department.key != SEED_KEY:
        return department
    budgets = {item: budget for item, (budget, _) in seed_accounts().three_public.items()}
    stated = ThreePublicPlan(
        overseas_travel=budgets.get("overseas_travel", 0),
        vehicle_purchase=budgets.get("vehicle_purchase", 0),
        vehicle_operation=budgets.get("vehicle_operation", 0),
        reception=budgets.get("reception", 0),
    )
    return dataclasses.replace(department, stated_three_public={seed_data()["department"]["year"]: stated})


def _is_seed_slot(planned: Planned) -> bool:
    """The seed department's year and kind: its real document stands where a generated one would."""
    seed = seed_data()["department"]
    return (planned.department.key, planned.year, planned.layout.name, planned.level) == (
        SEED_KEY, seed["year"], seed["layout"], "department",
    )  # fmt: skip

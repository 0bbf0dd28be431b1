"""A deterministic department from a seed: who it is, what it plans to spend each year (the budget)
and what it actually spent (the final account), rounded into the unit each document prints.

Plans are Decimal yuan; documents round each 项-level leaf once to the quantum of their unit, and derive
everything else by addition (see accounts.py).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import yaml

from samples.accounts import Accounts, Item, consolidate
from samples.money import FEN_PER_YUAN, QUANTUM, ratio, round_to, split

# Where a 项 of personnel spending goes in the economic classification (GPB basic expenditure).
ECON_TIES = {
    "2080501": "30302",
    "2080502": "30302",
    "2080505": "30108",
    "2080506": "30109",
    "2080599": "30305",
    "2101101": "30110",
    "2101102": "30110",
    "2101103": "30111",
    "2210201": "30113",
    "2210203": "30199",
}
# The rest of the payroll (salaries of the 行政运行 / 事业运行 items) and the 公用经费, by weight.
PAYROLL_WEIGHTS = {"30101": 22, "30102": 30, "30103": 5, "30106": 2, "30107": 25, "30112": 2, "30199": 10}
PUBLIC_USE_WEIGHTS = {
    "30201": 12,
    "30202": 2,
    "30205": 2,
    "30206": 6,
    "30207": 5,
    "30209": 12,
    "30211": 4,
    "30213": 8,
    "30215": 1,
    "30216": 2,
    "30217": 1,
    "30226": 5,
    "30227": 8,
    "30228": 12,
    "30229": 6,
    "30231": 4,
    "30239": 8,
    "30299": 5,
    "31002": 3,
}
ZERO = Decimal(0)
ALWAYS_PRESENT = {"30101", "30102", "30201", "30228"}
FIRST_YEAR = 2019


@dataclass(frozen=True, slots=True)
class Agency:
    name: str
    code: str
    kind: str  # bureau | party
    domain: str
    base: Decimal  # 万元, a Shanghai district's typical yearly budget
    admin: str  # 行政运行
    business: str | None  # 事业运行 (when it has a 事业单位)
    projects: tuple[str, ...]
    gov_fund: tuple[str, ...]
    unit_names: tuple[str, ...]
    families: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Region:
    family: str
    province: str
    city: str  # empty for Shanghai (a district of the municipality)
    district: str
    code: str

    @property
    def name(self) -> str:
        return f"{self.province}{self.district}" if not self.city else f"{self.city}{self.district}"

    @property
    def local(self) -> str:
        """What the region calls itself in prose: 区 or 县."""
        return self.district[-1]


@dataclass(frozen=True, slots=True)
class Department:
    key: str  # file-name stem prefix: family-region-agency
    name: str
    heading_name: str  # the name printed above the tables (a variant may drop the district)
    region: Region
    agency: Agency
    units: tuple[str, ...]  # 本级 first
    budget_level: str  # department | unit
    seed: int
    scale: Decimal  # yuan per year, order of magnitude of the whole budget
    personnel_ratios: dict[str, Decimal]  # 项 → share of the payroll
    business_ratios: dict[str, Decimal]
    projects: dict[str, Decimal]  # 项 → share of scale
    gov_fund: dict[str, Decimal]
    business_income_share: Decimal  # part of the 事业运行 paid from 事业收入
    interest_income: bool
    vehicles: int
    overseas: bool
    parts: tuple[Department, ...] = ()  # units publishing their own budgets: the accounts are their sum
    # year → the three-public budget another document already states (the seed's final account's 预算数)
    stated_three_public: dict[int, ThreePublicPlan] = field(default_factory=dict)

    @property
    def has_business(self) -> bool:
        return self.agency.business is not None and len(self.units) > 1

    def rng(self, *labels: object) -> random.Random:
        # A string seed is hashed with SHA-512 by random.Random: stable across runs and processes.
        return random.Random(":".join(str(x) for x in (self.seed, *labels)))


@dataclass(slots=True)
class PlanItem:
    code: str
    personnel: Decimal = ZERO
    public: Decimal = ZERO
    project: Decimal = ZERO
    gf_project: Decimal = ZERO
    nf_personnel: Decimal = ZERO
    nf_public: Decimal = ZERO
    nf_source: str = "other"


@dataclass(frozen=True, slots=True)
class ThreePublicPlan:
    overseas_travel: int
    vehicle_purchase: int
    vehicle_operation: int
    reception: int


# ---------------------------------------------------------------------------------------------- data


@cache
def _data() -> dict[str, Any]:
    text = resources.files("samples").joinpath("data").joinpath("agencies.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _agencies(family: str) -> list[Agency]:
    return [agency for agency in map(agency_of, _data()["agencies"]) if family in agency.families]


def agency_of(raw: dict[str, Any]) -> Agency:
    """An agency profile as agencies.yaml writes it."""
    return Agency(
        name=raw["name"],
        code=raw["code"],
        kind=raw.get("kind", "bureau"),
        domain=raw["domain"],
        base=Decimal(str(raw["base"])),
        admin=raw["admin"],
        business=raw.get("business"),
        projects=tuple(raw["projects"]),
        gov_fund=tuple(raw.get("gov_fund") or ()),
        unit_names=tuple(raw.get("unit_names") or ()),
        families=tuple(raw.get("families") or _data()["families"]),
    )


def known_agencies() -> dict[str, Agency]:
    """Every agency profile of agencies.yaml, by code, whatever its families."""
    return {raw["code"]: agency_of(raw) for raw in _data()["agencies"]}


def _regions(family: str) -> list[Region]:
    raw = _data()["families"][family]
    return [
        Region(family, raw["province"], region.get("city", ""), region["district"], region["code"])
        for region in raw["regions"]
    ]


def duties(department: Department) -> list[str]:
    templates = _data()["duties"][department.agency.kind]
    words = {
        "province": department.region.province if department.region.family == "shanghai" else "省、市",
        "domain": department.agency.domain,
        "local": department.region.local,
    }
    return [f"{i}.{line.format(**words)}" for i, line in enumerate(templates, 1)]


# ---------------------------------------------------------------------------------------------- who


def department_name(region: Region, agency: Agency, agency_name: str | None = None) -> str:
    """The full name: 乐山市金口河区民政局; Sichuan county party organs are named after the committee
    (中共乐山市金口河区委办公室)."""
    agency_name = agency_name or agency.name
    return f"中共{region.name}委{agency_name}" if agency.kind == "party" else f"{region.name}{agency_name}"


def make_department(seed: int | str, family: str, taken: set[str]) -> Department:
    """A department of `family` not yet in `taken` (file-name keys), drawn from `seed`."""
    rng = random.Random(f"department:{seed}:{family}")
    family_data = _data()["families"][family]
    for _ in range(200):
        region = rng.choice(_regions(family))
        agency = rng.choice(_agencies(family))
        prefix = family_data.get("prefix") or ("sh" if family == "shanghai" else "sc")
        key = f"{prefix}-{region.code}-{agency.code}"
        if key not in taken:
            break
    else:  # pragma: no cover - 12 regions × 20 agencies per family
        raise ValueError(f"no free department left in {family}")
    taken.add(key)
    name = department_name(region, agency)
    heading = name
    if family == "shanghai" and rng.random() < 0.35:
        heading = f"{region.province}{agency.name}"  # the district dropped, as publishers do
    unit_level = rng.random() < family_data["unit_level_share"]
    units: tuple[str, ...] = (name,)
    if not unit_level and agency.unit_names:
        count = rng.randint(1, len(agency.unit_names))
        units = (name, *(f"{region.name}{unit}" for unit in agency.unit_names[:count]))
    return department_profile(rng, key, name, heading, region, agency, units, unit_level)


def department_profile(
    rng: random.Random,
    key: str,
    name: str,
    heading: str,
    region: Region,
    agency: Agency,
    units: tuple[str, ...],
    unit_level: bool = False,
) -> Department:
    """A department of a known region and agency (name and units given), its money drawn from `rng`."""
    family_data = _data()["families"][region.family]
    scale = agency.base * Decimal(str(family_data["scale"])) * ratio(rng, "0.6", "1.6") * 10000
    chosen = rng.sample(agency.projects, k=min(len(agency.projects), rng.randint(2, 5)))
    weights = [ratio(rng, "0.3", "1.0") for _ in chosen]
    project_share = ratio(rng, "0.25", "0.6")
    projects = {code: project_share * w / sum(weights) for code, w in zip(chosen, weights, strict=True)}
    gov_fund = {}
    if agency.gov_fund and rng.random() < 0.5:
        funded = agency.gov_fund[: rng.randint(1, len(agency.gov_fund))]
        gov_fund = {code: ratio(rng, "0.05", "0.25") for code in funded}
    return Department(
        key=key,
        name=name,
        heading_name=heading,
        region=region,
        agency=agency,
        units=units,
        budget_level="unit" if unit_level else "department",
        seed=rng.randrange(2**31),
        scale=scale,
        personnel_ratios={code: Decimal(str(r)) for code, r in family_data["personnel_items"].items()},
        business_ratios={code: Decimal(str(r)) for code, r in family_data["business_items"].items()},
        projects=projects,
        gov_fund=gov_fund,
        business_income_share=rng.choice([ZERO, ZERO, ratio(rng, "0.1", "0.4")]),
        interest_income=rng.random() < 0.5,
        vehicles=rng.choice([0, 0, 1, 2, 3, 5]),
        overseas=rng.random() < 0.15,
    )


# ---------------------------------------------------------------------------------------------- plans


def _growth(department: Department, year: int) -> Decimal:
    factor = Decimal(1)
    for y in range(FIRST_YEAR, year + 1):
        factor *= ratio(department.rng("growth", y), "0.95", "1.08")
    return factor


def plan(department: Department, year: int) -> dict[str, PlanItem]:
    """What the department budgets for `year`, 项 by 项, in yuan."""
    rng = department.rng("plan", year)
    scale = department.scale * _growth(department, year)
    payroll = scale * ratio(rng, "0.28", "0.4")
    business_payroll = payroll * ratio(rng, "0.2", "0.45") if department.has_business else ZERO
    admin_payroll = payroll - business_payroll
    items: dict[str, PlanItem] = {}

    admin = items.setdefault(department.agency.admin, PlanItem(department.agency.admin))
    admin.personnel = admin_payroll
    admin.public = admin_payroll * ratio(rng, "0.1", "0.2")
    if department.interest_income:
        admin.nf_public = scale * ratio(rng, "0.0001", "0.0006")
    if department.has_business and department.agency.business:
        business = items.setdefault(department.agency.business, PlanItem(department.agency.business))
        paid_by_income = department.business_income_share
        business.personnel = business_payroll * (1 - paid_by_income)
        business.nf_personnel = business_payroll * paid_by_income
        business.public = business_payroll * ratio(rng, "0.08", "0.16")
        business.nf_source = "business"
        for code, share in department.business_ratios.items():
            items[code] = PlanItem(code, personnel=business_payroll * share * ratio(rng, "0.9", "1.1"))
    for code, share in department.personnel_ratios.items():
        base = payroll if code not in {"2101101"} else admin_payroll
        if code == "2080501" and rng.random() < 0.2:
            continue
        items[code] = PlanItem(code, personnel=base * share * ratio(rng, "0.9", "1.1"))
    for index, (code, share) in enumerate(department.projects.items()):
        if index > 0 and rng.random() < 0.12:
            continue  # a project not funded this year
        item = items.setdefault(code, PlanItem(code))
        item.project += scale * share * ratio(rng, "0.8", "1.2")
    if rng.random() < 0.2:
        admin.project = scale * ratio(rng, "0.002", "0.01")  # a small project booked on 行政运行
    for code, share in department.gov_fund.items():
        items.setdefault(code, PlanItem(code)).gf_project = scale * share * ratio(rng, "0.7", "1.3")
    return items


def three_public_plan(department: Department, year: int) -> ThreePublicPlan:
    """The year's three-public budget, in fen (multiples of 0.01 万元: the tables print 万元)."""
    if year in department.stated_three_public:
        return department.stated_three_public[year]
    rng = department.rng("three-public", year)
    wan = QUANTUM["万元"]
    size = max(department.scale / 30_000_000, Decimal("0.2"))
    fen_per_wan = 1_000_000
    reception = round_to(ratio(rng, "0.3", "3.0") * size * fen_per_wan, wan)
    operation = round_to(department.vehicles * ratio(rng, "1.2", "2.6") * fen_per_wan, wan)
    purchase = round_to(ratio(rng, "15", "30") * fen_per_wan, wan) if department.vehicles and rng.random() < 0.15 else 0
    overseas = round_to(ratio(rng, "2", "12") * fen_per_wan, wan) if department.overseas and rng.random() < 0.7 else 0
    return ThreePublicPlan(overseas, purchase, operation, reception)


# ---------------------------------------------------------------------------------------------- documents


def budget_accounts(department: Department, year: int, unit: str) -> Accounts:
    """The budget document's accounts: the plan, each leaf rounded to what `unit` prints (a department
    whose units publish their own budgets: the sum of theirs)."""
    if department.parts:
        return consolidate([budget_accounts(part, year, unit) for part in department.parts])
    rng = department.rng("budget-doc", year)
    cents = unit == "元" and rng.random() < 0.4  # some budgets carry fen on a few items
    items: dict[str, Item] = {}
    for code, p in sorted(plan(department, year).items()):
        q = _leaf_quantum(unit, cents, rng)
        item = Item(
            code,
            gpb_personnel=round_to(p.personnel * FEN_PER_YUAN, q),
            gpb_public=round_to(p.public * FEN_PER_YUAN, q),
            gpb_project=round_to(p.project * FEN_PER_YUAN, QUANTUM[unit] if unit == "万元" else 100),
            gf_project=round_to(p.gf_project * FEN_PER_YUAN, QUANTUM[unit] if unit == "万元" else 100),
            nf_personnel=round_to(p.nf_personnel * FEN_PER_YUAN, q),
            nf_public=round_to(p.nf_public * FEN_PER_YUAN, q),
        )
        item.gpb_income = item.gpb_total
        item.gf_income = item.gf_project
        nf = item.nf_personnel + item.nf_public
        if nf:
            item.nf_income = {p.nf_source: nf}
        if item.total:
            items[code] = item
    tp = three_public_plan(department, year)
    accounts = Accounts(
        year=year,
        report_kind="budget",
        items=items,
        econ=_economic_split(department, year, "budget", items, unit),
        three_public={
            "overseas_travel": (tp.overseas_travel, 0),
            "vehicle_purchase": (tp.vehicle_purchase, 0),
            "vehicle_operation": (tp.vehicle_operation, 0),
            "reception": (tp.reception, 0),
        },
        office_operation=round_to(
            sum(i.gpb_public for i in items.values()) * ratio(rng, "0.85", "1.0"), QUANTUM["万元"]
        ),
    )
    _assert_printable(accounts)
    return accounts


def final_accounts(department: Department, year: int, unit: str) -> Accounts:
    """The final account: the plan as executed (≈ budget ± a few %), with carry-overs."""
    if department.parts:
        return consolidate([final_accounts(part, year, unit) for part in department.parts])
    rng = department.rng("final-doc", year)
    q = QUANTUM[unit] if unit == "万元" else 100
    items: dict[str, Item] = {}
    for code, p in sorted(plan(department, year).items()):
        item = Item(
            code,
            gpb_personnel=round_to(p.personnel * ratio(rng, "0.97", "1.05") * FEN_PER_YUAN, q),
            gpb_public=round_to(p.public * ratio(rng, "0.82", "1.02") * FEN_PER_YUAN, q),
            gpb_project=round_to(p.project * ratio(rng, "0.75", "1.01") * FEN_PER_YUAN, q),
            gf_project=round_to(p.gf_project * ratio(rng, "0.6", "1.0") * FEN_PER_YUAN, q),
            nf_personnel=round_to(p.nf_personnel * ratio(rng, "0.95", "1.05") * FEN_PER_YUAN, q),
            nf_public=round_to(p.nf_public * ratio(rng, "0.8", "1.2") * FEN_PER_YUAN, q),
        )
        # Unspent project money stays as a fiscal balance carried to next year.
        unspent = round_to(item.gpb_project * ratio(rng, "0.02", "0.1"), q) if rng.random() < 0.25 else 0
        item.gpb_income = item.gpb_total + unspent
        item.gf_income = item.gf_project + (round_to(item.gf_project * 0.1, q) if rng.random() < 0.5 else 0)
        nf = item.nf_personnel + item.nf_public
        if nf:
            item.nf_income = {p.nf_source: round_to(nf * ratio(rng, "0.9", "1.15"), q)}
        if item.total or item.income_total:
            items[code] = item
    tp = three_public_plan(department, year)

    def spent(budget: int) -> int:
        return round_to(budget * ratio(rng, "0.35", "1.0"), QUANTUM["万元"])

    nf_begin = round_to(department.scale * ratio(rng, "0.0", "0.03") * FEN_PER_YUAN, q) if rng.random() < 0.6 else 0
    accounts = Accounts(
        year=year,
        report_kind="final",
        items=items,
        econ=_economic_split(department, year, "final", items, unit),
        three_public={
            "overseas_travel": (tp.overseas_travel, spent(tp.overseas_travel)),
            "vehicle_purchase": (tp.vehicle_purchase, tp.vehicle_purchase),
            "vehicle_operation": (tp.vehicle_operation, spent(tp.vehicle_operation)),
            "reception": (tp.reception, spent(tp.reception)),
        },
        nf_carryover_begin=nf_begin,
    )
    if accounts.nf_carryover_end < 0:
        accounts.nf_carryover_begin -= accounts.nf_carryover_end
    _assert_printable(accounts)
    return accounts


def _leaf_quantum(unit: str, cents: bool, rng: random.Random) -> int:
    if unit == "万元":
        return QUANTUM["万元"]
    return 1 if cents and rng.random() < 0.15 else 100


def _economic_split(
    department: Department, year: int, kind: str, items: dict[str, Item], unit: str
) -> dict[str, tuple[int, int]]:
    """The GPB basic expenditure by economic 款: tied 项 map one to one, the rest is spread."""
    rng = department.rng("econ", kind, year)
    personnel: dict[str, int] = {}
    payroll = 0
    for code, item in items.items():
        econ = ECON_TIES.get(code)
        if econ:
            personnel[econ] = personnel.get(econ, 0) + item.gpb_personnel
        else:
            payroll += item.gpb_personnel
    _spread(payroll, PAYROLL_WEIGHTS, personnel, unit, rng)
    public: dict[str, int] = {}
    weights = {
        code: w
        for code, w in PUBLIC_USE_WEIGHTS.items()
        if code in ALWAYS_PRESENT or (rng.random() < 0.75 and (code != "30231" or department.vehicles))
    }
    _spread(sum(item.gpb_public for item in items.values()), weights, public, unit, rng)
    codes = sorted(set(personnel) | set(public))
    split_ = {code: (personnel.get(code, 0), public.get(code, 0)) for code in codes}
    return {code: pair for code, pair in split_.items() if pair[0] or pair[1]}


def _spread(total: int, weights: dict[str, int], into: dict[str, int], unit: str, rng: random.Random) -> None:
    if total == 0:
        return
    quantum = QUANTUM["万元"] if unit == "万元" else (100 if total % 100 == 0 else 1)
    jittered = [w * ratio(rng, "0.6", "1.4") for w in weights.values()]
    for code, part in zip(weights, split(total, jittered, quantum), strict=True):
        into[code] = into.get(code, 0) + part


def _assert_printable(accounts: Accounts) -> None:
    problems = accounts.check()
    if problems:
        raise ValueError(f"generated accounts are inconsistent: {problems}")

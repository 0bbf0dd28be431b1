"""One document's money: the 项-level amounts it is built from, and every figure derived from them.

Only the 项-level leaves, the economic 款 split of the general-public-budget basic expenditure, the
three-public items and the non-fiscal opening balance are stored; every printed total (款, 类, 合计,
summary lines, carry-overs) is a sum of those leaves, so each identity of DOMAIN.md holds exactly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, fields

# Non-fiscal income sources, as CONTRACT measures.
NONFISCAL_SOURCES = ("higher_subsidy", "business", "operating", "subordinate_remit", "other")
THREE_PUBLIC_ITEMS = (
    "total",
    "overseas_travel",
    "vehicle_total",
    "vehicle_purchase",
    "vehicle_operation",
    "reception",
    "office_operation",
)


@dataclass(slots=True)
class Item:
    """One 项 subject's amounts (fen). gpb = 一般公共预算财政拨款, gf = 政府性基金, nf = non-fiscal."""

    code: str
    gpb_personnel: int = 0
    gpb_public: int = 0
    gpb_project: int = 0
    gf_project: int = 0
    nf_personnel: int = 0
    nf_public: int = 0
    nf_project: int = 0
    gpb_income: int = 0
    gf_income: int = 0
    nf_income: dict[str, int] = field(default_factory=dict)

    @property
    def gpb_basic(self) -> int:
        return self.gpb_personnel + self.gpb_public

    @property
    def gpb_total(self) -> int:
        return self.gpb_basic + self.gpb_project

    @property
    def personnel(self) -> int:
        return self.gpb_personnel + self.nf_personnel

    @property
    def public_use(self) -> int:
        return self.gpb_public + self.nf_public

    @property
    def basic(self) -> int:
        return self.personnel + self.public_use

    @property
    def project(self) -> int:
        return self.gpb_project + self.gf_project + self.nf_project

    @property
    def total(self) -> int:
        return self.basic + self.project

    @property
    def fiscal_total(self) -> int:
        return self.gpb_total + self.gf_project

    @property
    def fiscal_income(self) -> int:
        return self.gpb_income + self.gf_income

    @property
    def income_total(self) -> int:
        return self.fiscal_income + sum(self.nf_income.values())

    def measures(self, table_kind: str, report_kind: str) -> dict[str, int]:
        """This item's row in a function-keyed table, by measure."""
        if table_kind == "income":
            values = {"total": self.income_total, "fiscal_appropriation": self.fiscal_income}
            values.update({source: self.nf_income.get(source, 0) for source in NONFISCAL_SOURCES})
            return values
        if table_kind == "expenditure":
            return {
                "total": self.total,
                "basic": self.basic,
                "project": self.project,
                "personnel": self.personnel,
                "public_use": self.public_use,
            }
        if table_kind == "fiscal_expenditure_detail":
            return {
                "total": self.fiscal_total,
                "personnel": self.gpb_personnel,
                "public_use": self.gpb_public,
                "project": self.gpb_project + self.gf_project,
            }
        if table_kind == "gpb_expenditure":
            return {
                "total": self.gpb_total,
                "basic": self.gpb_basic,
                "project": self.gpb_project,
                "personnel": self.gpb_personnel,
                "public_use": self.gpb_public,
            }
        if table_kind == "gpb_expenditure_detail":
            return {
                "total": self.gpb_total,
                "personnel": self.gpb_personnel,
                "public_use": self.gpb_public,
                "project": self.gpb_project,
            }
        if table_kind == "gpb_project_expenditure":
            return {"total": self.gpb_project}
        if table_kind == "gov_fund":
            if report_kind == "budget":
                return {"total": self.gf_project, "project": self.gf_project}
            return {
                "income": self.gf_income,
                "total": self.gf_project,
                "project": self.gf_project,
                "carryover_end": self.gf_income - self.gf_project,
            }
        # soe_capital, soe_capital_expenditure: never generated (the districts publish them empty)
        return {}


@dataclass(slots=True)
class Accounts:
    year: int
    report_kind: str  # final | budget
    items: dict[str, Item]
    econ: dict[str, tuple[int, int]]  # economic 款 → (personnel, public_use), GPB basic expenditure
    three_public: dict[str, tuple[int, int]]  # item → (budget, actual); totals derived
    office_operation: int = 0
    nf_carryover_begin: int = 0

    # ------------------------------------------------------------------ function subjects
    def function_rows(self, table_kind: str) -> dict[str, dict[str, int]]:
        """类, 款 and 项 rows of a function-keyed table: code → measure → fen (the rows of non-zero 项 and their
        parents)."""
        rows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for code, item in self.items.items():
            for measure, value in item.measures(table_kind, self.report_kind).items():
                if value:
                    for prefix in (code[:3], code[:5], code):
                        rows[prefix][measure] += value
        # every row a leaf adds to: a 类 or 款 whose figures add up to zero (+x and -x below it) is printed too
        return {code: dict(values) for code, values in rows.items()}

    def class_totals(self, measure_of: str) -> dict[str, int]:
        """Per 类, one derived quantity of the items (an Item attribute name)."""
        totals: dict[str, int] = defaultdict(int)
        for code, item in self.items.items():
            totals[code[:3]] += getattr(item, measure_of)
        return {code: value for code, value in totals.items() if value}

    def _sum(self, attribute: str) -> int:
        return sum(getattr(item, attribute) for item in self.items.values())

    # ------------------------------------------------------------------ summary lines
    @property
    def nf_income_total(self) -> int:
        return sum(sum(item.nf_income.values()) for item in self.items.values())

    @property
    def fiscal_carryover_end(self) -> dict[str, int]:
        gpb = self._sum("gpb_income") - self._sum("gpb_total")
        gf = self._sum("gf_income") - self._sum("gf_project")
        return {"fiscal": gpb + gf, "general_public_budget": gpb, "government_fund": gf, "soe_capital": 0}

    @property
    def nf_carryover_end(self) -> int:
        nf_spent = self._sum("nf_personnel") + self._sum("nf_public") + self._sum("nf_project")
        return self.nf_income_total + self.nf_carryover_begin - nf_spent

    def summary_line(self, key: str, scope: str) -> int:
        """A non-subject line of a summary table, for the fund scope of its column."""
        if scope == "all":
            return self._all_funds_line(key)
        return self._fiscal_line(key, scope)

    def _all_funds_line(self, key: str) -> int:
        source = key.split(".", 1)[1]
        if source in NONFISCAL_SOURCES:
            return sum(item.nf_income.get(source, 0) for item in self.items.values())
        income_total = self._sum("income_total")
        begin = self.nf_carryover_begin
        end = self.nf_carryover_end + self.fiscal_carryover_end["fiscal"]
        lines = {
            "income.general_public_budget": self._sum("gpb_income"),
            "income.government_fund": self._sum("gf_income"),
            "income.soe_capital": 0,
            "income.fiscal_appropriation": self._sum("fiscal_income"),
            "income.total": income_total,
            "income.use_nonfiscal_balance": 0,
            "income.carryover_begin": begin,
            "income.grand_total": income_total + begin,
            "expense.total": self._sum("total"),
            "expense.balance_distribution": 0,
            "expense.carryover_end": end,
            "expense.grand_total": self._sum("total") + end,
        }
        return lines[key]

    def _fiscal_line(self, key: str, scope: str) -> int:
        spent = {
            "fiscal": self._sum("fiscal_total"),
            "general_public_budget": self._sum("gpb_total"),
            "government_fund": self._sum("gf_project"),
            "soe_capital": 0,
        }
        income = {
            "general_public_budget": self._sum("gpb_income"),
            "government_fund": self._sum("gf_income"),
            "soe_capital": 0,
        }
        end = self.fiscal_carryover_end
        lines = {
            "income.general_public_budget": income["general_public_budget"],
            "income.government_fund": income["government_fund"],
            "income.soe_capital": 0,
            "income.fiscal_appropriation": sum(income.values()),
            "income.total": sum(income.values()),
            "income.carryover_begin": 0,  # fiscal balances are never carried in (see department.py)
            "income.grand_total": sum(income.values()),
            "expense.total": spent[scope],
            "expense.carryover_end": end[scope],
            "expense.grand_total": spent[scope] + end[scope],
        }
        return lines[key]

    def summary_class(self, class_code: str, scope: str, measure: str) -> int:
        """A function-subject line of a summary table (a 类, or any level where the layout prints every
        subject), for the column's fund scope and measure."""
        attribute = {
            ("all", "total"): "total",
            ("all", "personnel"): "personnel",
            ("all", "public_use"): "public_use",
            ("all", "project"): "project",
            ("all", "basic"): "basic",
            ("fiscal", "total"): "fiscal_total",
            ("general_public_budget", "total"): "gpb_total",
            ("government_fund", "total"): "gf_project",
        }.get((scope, measure))
        if attribute is None:
            return 0
        return sum(getattr(item, attribute) for code, item in self.items.items() if code.startswith(class_code))

    # ------------------------------------------------------------------ economic, three-public
    def econ_rows(self) -> dict[str, dict[str, int]]:
        """Economic 类 and 款 rows of the basic-expenditure table: code → measure → fen."""
        rows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for code, (personnel, public_use) in self.econ.items():
            for prefix in (code[:3], code):
                rows[prefix]["total"] += personnel + public_use
                rows[prefix]["personnel"] += personnel
                rows[prefix]["public_use"] += public_use
        return {code: dict(values) for code, values in rows.items() if values["total"]}

    def three_public_values(self) -> dict[tuple[str, str], int]:
        """(item, measure) → fen, with the totals derived: 合计 = 出国 + 用车 + 接待, 用车 = 购置 + 运行."""
        values: dict[tuple[str, str], int] = {}
        for index, measure in enumerate(("budget", "actual")):
            part = {item: pair[index] for item, pair in self.three_public.items()}
            vehicle = part.get("vehicle_purchase", 0) + part.get("vehicle_operation", 0)
            total = part.get("overseas_travel", 0) + vehicle + part.get("reception", 0)
            values[("total", measure)] = total
            values[("overseas_travel", measure)] = part.get("overseas_travel", 0)
            values[("vehicle_total", measure)] = vehicle
            values[("vehicle_purchase", measure)] = part.get("vehicle_purchase", 0)
            values[("vehicle_operation", measure)] = part.get("vehicle_operation", 0)
            values[("reception", measure)] = part.get("reception", 0)
        values[("office_operation", "budget")] = self.office_operation
        return values

    # ------------------------------------------------------------------ self-check
    def check(self) -> list[str]:
        """What is wrong with these accounts (empty when they can be printed)."""
        problems = []
        for code, item in self.items.items():
            amounts = [
                item.gpb_personnel,
                item.gpb_public,
                item.gpb_project,
                item.gf_project,
                item.nf_personnel,
                item.nf_public,
                item.nf_project,
                item.gpb_income,
                item.gf_income,
                *item.nf_income.values(),
            ]
            if any(a < 0 for a in amounts):
                problems.append(f"{code}: negative amount")
            if item.gf_income < item.gf_project:
                problems.append(f"{code}: government fund spends more than it received")
        personnel = sum(p for p, _ in self.econ.values())
        public_use = sum(u for _, u in self.econ.values())
        if personnel != self._sum("gpb_personnel") or public_use != self._sum("gpb_public"):
            problems.append("economic split does not add up to the GPB basic expenditure")
        if self.nf_carryover_end < 0 or min(self.fiscal_carryover_end.values()) < 0:
            problems.append("negative carry-over")
        return problems


def consolidate(parts: Sequence[Accounts]) -> Accounts:
    """A department's accounts from its units' (部门预算/决算 = Σ 单位预算/决算): every stored amount
    added, so each derived figure is the sum of the units' too."""
    first = parts[0]
    items: dict[str, Item] = {}
    econ: dict[str, tuple[int, int]] = {}
    three_public: dict[str, tuple[int, int]] = {}
    amounts = [f.name for f in fields(Item) if f.name not in ("code", "nf_income")]
    for accounts in parts:
        for code, item in accounts.items.items():
            total = items.setdefault(code, Item(code))
            for name in amounts:
                setattr(total, name, getattr(total, name) + getattr(item, name))
            for source, value in item.nf_income.items():
                total.nf_income[source] = total.nf_income.get(source, 0) + value
        for code, (personnel, public_use) in accounts.econ.items():
            before = econ.get(code, (0, 0))
            econ[code] = (before[0] + personnel, before[1] + public_use)
        for name, (budget, actual) in accounts.three_public.items():
            before = three_public.get(name, (0, 0))
            three_public[name] = (before[0] + budget, before[1] + actual)
    return Accounts(
        year=first.year,
        report_kind=first.report_kind,
        items=dict(sorted(items.items())),
        econ=dict(sorted(econ.items())),
        three_public=three_public,
        office_operation=sum(accounts.office_operation for accounts in parts),
        nf_carryover_begin=sum(accounts.nf_carryover_begin for accounts in parts),
    )

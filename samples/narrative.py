"""The prose of a generated document (概况, 情况说明, 名词解释, 目录), repeating its key figures as a
publisher would: totals, shares, class lines, 项 lines against the budget, three-public figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from extract.classification import load_classification
from samples.accounts import Accounts
from samples.department import Department, duties
from samples.money import percent, wan_text
from samples.tables import numeral

Block = tuple[str, Any]  # ("h1" | "h2" | "p", text) or ("units", [unit names])


@dataclass(slots=True)
class DocumentText:
    parts: dict[str, list[Block]] = field(default_factory=dict)


@cache
def texts() -> dict[str, Any]:
    text = resources.files("samples").joinpath("data").joinpath("texts.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@dataclass(frozen=True, slots=True)
class Figures:
    """Formats amounts for prose the way a layout does (spacing, separators)."""

    space: str
    thousands: bool

    def wan(self, fen: int) -> str:
        if fen == 0:
            return f"{self.space}0{self.space}"
        text = wan_text(fen)
        if self.thousands:
            whole, _, frac = text.partition(".")
            text = f"{int(whole):,}.{frac}"
        return f"{self.space}{text}{self.space}"

    def pct(self, part: int, whole: int) -> str:
        return f"{self.space}{percent(part, whole)}%"

    def change(self, now: int, before: int, year: int) -> str:
        """比2025年预算增加 12.00 万元 / 与2025年预算持平."""
        diff = now - before
        if diff == 0:
            return f"与{year}年预算持平"
        verb = "增加" if diff > 0 else "减少"
        return f"比{year}年预算{verb}{self.wan(abs(diff))}万元"


def subject_path(code: str) -> str:
    """一般公共服务（类）党委办公厅（室）及相关机构事务（款）行政运行（项）."""
    names = load_classification()
    class_name = (names.function_name(code[:3]) or "").removesuffix("支出")
    return f"{class_name}（类）{names.function_name(code[:5])}（款）{names.function_name(code)}（项）"


def overview(department: Department, layout_name: str, words: dict[str, str]) -> list[Block]:
    spec = texts()[layout_name]
    subordinate = list(department.units[1:])
    blocks: list[Block] = [("h1", spec["overview_part"].format(**words))]
    if spec["duties_heading"]:
        blocks.append(("h2", spec["duties_heading"]))
    blocks.extend(("p", line) for line in duties(department))
    blocks.append(("h2", spec["units_heading"].format(**words)))
    if not subordinate:
        kind = words["kind_word"]
        blocks.append(("p", f"{department.name}{words['level_word']}{kind}仅包括本级{kind}。"))
        return blocks
    blocks.append(("p", spec["units_text"].format(n_sub=len(subordinate), **words)))
    blocks.append(("p", spec["units_lead"].format(**words)))
    if spec["units_table"]:
        blocks.append(("units", [f"{department.name}（本级）", *(f"{u}（下属事业单位）" for u in subordinate)]))
    else:
        blocks.extend(("p", f"{i}. {unit}") for i, unit in enumerate(subordinate, 1))
    return blocks


def glossary(layout_name: str, report_kind: str, words: dict[str, str]) -> list[Block]:
    spec = texts()[layout_name]
    entries = texts()["common"][f"glossary_{report_kind}"]
    return [("h1", spec["glossary_part"].format(**words))] + [
        ("p", f"{i}. {entry}") for i, entry in enumerate(entries, 1)
    ]


def toc(layout_name: str, parts: list[str], table_titles: list[str], words: dict[str, str]) -> list[Block]:
    spec = texts()[layout_name]
    keys = {
        "overview": "overview_part",
        "narrative": "narrative_part",
        "glossary": "glossary_part",
        "tables": "tables_part",
        "other_notes": "other_part",
    }
    blocks: list[Block] = [("h1", "目 录")]
    for part in parts:
        key = keys.get(part)
        if key is None or key not in spec:
            continue
        blocks.append(("p", spec[key].format(**words)))
        if part == "tables":
            blocks.extend(("p", f"{numeral(i)}、{title}") for i, title in enumerate(table_titles, 1))
    return blocks


# ---------------------------------------------------------------------------------------------- final


def final_narrative(
    layout_name: str,
    words: dict[str, str],
    acc: Accounts,
    previous: Accounts,
    budget: Accounts,
    fig: Figures,
) -> list[Block]:
    spec = texts()[layout_name]
    common = texts()["common"]
    year, prev = acc.year, acc.year - 1

    def total(a: Accounts, key: str, scope: str = "all") -> int:
        return a.summary_line(key, scope)

    def trend(now: int, before: int) -> str:
        diff = now - before
        if diff == 0:
            return "与上年持平"
        word, rate = ("增加", "增长") if diff > 0 else ("减少", "下降")
        reason = common["reasons_up" if diff > 0 else "reasons_down"][abs(diff) % 3]
        return (
            f"与{fig.space}{prev}{fig.space}年度相比，{word}{fig.wan(abs(diff))}万元，"
            f"{rate}{fig.pct(abs(diff), before)}。主要变动原因是{reason}"
        )

    grand, grand_prev = total(acc, "income.grand_total"), total(previous, "income.grand_total")
    income_total = total(acc, "income.total")
    sources = [
        ("一般公共预算财政拨款收入", total(acc, "income.general_public_budget")),
        ("政府性基金预算财政拨款收入", total(acc, "income.government_fund")),
        ("事业收入", total(acc, "income.business")),
        ("其他收入", total(acc, "income.other")),
    ]
    spent = total(acc, "expense.total")
    basic = sum(item.basic for item in acc.items.values())
    project = sum(item.project for item in acc.items.values())
    fiscal_grand = total(acc, "income.grand_total", "fiscal")
    fiscal_prev = total(previous, "income.grand_total", "fiscal")
    gpb = acc.summary_line("expense.total", "general_public_budget")
    gpb_prev = previous.summary_line("expense.total", "general_public_budget")
    n = fig.wan
    blocks: list[Block] = [("h1", spec["narrative_part"].format(**words))]
    blocks += [
        ("h2", "一、收入支出决算总体情况说明"),
        ("p", f"{year}{fig.space}年度收、支总计均为{n(grand)}万元。{trend(grand, grand_prev)}。"),
        ("h2", "二、收入决算情况说明"),
        (
            "p",
            f"{year}{fig.space}年度本年收入合计{n(income_total)}万元，其中："
            + "；".join(f"{name}{n(v)}万元，占{fig.pct(v, income_total)}" for name, v in sources if v)
            + "。",
        ),
        ("h2", "三、支出决算情况说明"),
        (
            "p",
            f"{year}{fig.space}年度本年支出合计{n(spent)}万元，其中：基本支出{n(basic)}万元，"
            f"占{fig.pct(basic, spent)}；项目支出{n(project)}万元，占{fig.pct(project, spent)}。",
        ),
        ("h2", "四、财政拨款收入支出决算总体情况说明"),
        (
            "p",
            f"{year}{fig.space}年度财政拨款收、支总计均为{n(fiscal_grand)}万元。{trend(fiscal_grand, fiscal_prev)}。",
        ),
        ("h2", "五、一般公共预算财政拨款支出决算情况说明"),
        ("p", "（一）一般公共预算财政拨款支出决算总体情况"),
        (
            "p",
            f"{year}{fig.space}年度一般公共预算财政拨款支出{n(gpb)}万元，占本年支出合计的{fig.pct(gpb, spent)}。"
            f"{trend(gpb, gpb_prev)}。",
        ),
        ("p", "（二）一般公共预算财政拨款支出决算结构情况"),
    ]
    classes = acc.class_totals("gpb_total")
    names = load_classification()
    blocks.append(
        (
            "p",
            f"{year}{fig.space}年度一般公共预算财政拨款支出{n(gpb)}万元，主要用于以下方面："
            + "；".join(f"{names.function_name(c)}{n(v)}万元，占{fig.pct(v, gpb)}" for c, v in sorted(classes.items()))
            + "。",
        )
    )
    gpb_budget = budget.summary_line("expense.total", "general_public_budget")
    blocks.append(("p", "（三）一般公共预算财政拨款支出决算具体情况"))
    blocks.append(
        (
            "p",
            f"{year}{fig.space}年度一般公共预算支出决算数为{n(gpb)}万元，"
            f"完成年初预算的{fig.pct(gpb, gpb_budget)}。其中：",
        )
    )
    for i, (code, item) in enumerate(sorted((c, it) for c, it in acc.items.items() if it.gpb_total), 1):
        planned = budget.items[code].gpb_total if code in budget.items else 0
        actual = item.gpb_total
        text = f"{i}. {subject_path(code)}：年初预算为{n(planned)}万元，支出决算为{n(actual)}万元"
        if planned:
            text += f"，完成年初预算的{fig.pct(actual, planned)}"
        if actual < planned:
            text += "。决算数小于年初预算数的主要原因是严格控制支出、厉行节约。"
        elif actual > planned:
            text += "。决算数大于年初预算数的主要原因是年中追加了相关经费。"
        else:
            text += "。"
        blocks.append(("p", text))
    personnel = sum(p for p, _ in acc.econ.values())
    public_use = sum(u for _, u in acc.econ.values())
    econ_names = [names.economic_name(c) for c, (p, _) in sorted(acc.econ.items()) if p]
    public_names = [names.economic_name(c) for c, (_, u) in sorted(acc.econ.items()) if u]
    blocks += [
        ("h2", "六、一般公共预算财政拨款基本支出决算情况说明"),
        ("p", f"{year}{fig.space}年度一般公共预算财政拨款基本支出{n(personnel + public_use)}万元，其中："),
        ("p", f"人员经费{n(personnel)}万元，主要包括：{'、'.join(econ_names)}。"),
        ("p", f"公用经费{n(public_use)}万元，主要包括：{'、'.join(public_names)}。"),
    ]
    blocks += _three_public_final(acc, fig)
    gf = acc.summary_line("expense.total", "government_fund")
    gf_text = (
        f"{year}{fig.space}年度政府性基金预算财政拨款支出{n(gf)}万元。"
        if gf
        else f"{year}{fig.space}年度{words['dept']}无政府性基金预算财政拨款收入和支出。"
    )
    blocks += [
        ("h2", "八、政府性基金预算支出决算情况说明"),
        ("p", gf_text),
        ("h2", "九、国有资本经营预算支出决算情况说明"),
        ("p", f"{year}{fig.space}年度国有资本经营预算财政拨款支出 0 万元。"),
        ("h2", "十、其他重要事项的情况说明"),
        (
            "p",
            f"（一）机关运行经费支出情况：{year}{fig.space}年度，{words['dept']}机关运行经费支出{n(public_use)}万元。",
        ),
    ]
    return blocks


def _three_public_final(acc: Accounts, fig: Figures) -> list[Block]:
    v = acc.three_public_values()
    year, n = acc.year, fig.wan
    budget, actual = v[("total", "budget")], v[("total", "actual")]
    overall = f"{year}{fig.space}年度“三公”经费财政拨款支出决算为{n(actual)}万元"
    overall += f"，完成预算{fig.pct(actual, budget)}。" if budget else "。"
    return [
        ("h2", "七、财政拨款“三公”经费支出决算情况说明"),
        ("p", overall),
        (
            "p",
            f"其中：因公出国（境）费支出决算{n(v[('overseas_travel', 'actual')])}万元；"
            f"公务用车购置及运行维护费支出决算{n(v[('vehicle_total', 'actual')])}万元，"
            f"其中：公务用车购置支出{n(v[('vehicle_purchase', 'actual')])}万元，"
            f"公务用车运行维护费支出{n(v[('vehicle_operation', 'actual')])}万元；"
            f"公务接待费支出决算{n(v[('reception', 'actual')])}万元。",
        ),
    ]


# ---------------------------------------------------------------------------------------------- budget


def budget_narrative(
    layout_name: str, words: dict[str, str], acc: Accounts, previous: Accounts, fig: Figures
) -> list[Block]:
    spec = texts()[layout_name]
    purposes = texts()["common"]["purposes"]
    year, prev = acc.year, acc.year - 1
    n = fig.wan
    total = acc.summary_line("income.grand_total", "all")
    fiscal = acc.summary_line("income.fiscal_appropriation", "all")
    fiscal_prev = previous.summary_line("income.fiscal_appropriation", "all")
    gpb = acc.summary_line("expense.total", "general_public_budget")
    gpb_prev = previous.summary_line("expense.total", "general_public_budget")
    gf = acc.summary_line("expense.total", "government_fund")
    gf_prev = previous.summary_line("expense.total", "government_fund")
    blocks: list[Block] = [("h1", spec["narrative_part"].format(**words))]
    blocks.append(
        (
            "p",
            f"{year}年，{words['dept']}收入预算{n(total)}万元，其中：财政拨款收入{n(fiscal)}万元，"
            f"{fig.change(fiscal, fiscal_prev, prev)}；"
            f"事业收入{n(acc.summary_line('income.business', 'all'))}万元；事业单位经营收入 0 万元；"
            f"其他收入{n(acc.summary_line('income.other', 'all'))}万元。",
        )
    )
    blocks.append(
        (
            "p",
            f"支出预算{n(total)}万元，其中：财政拨款支出预算{n(fiscal)}万元，"
            f"{fig.change(fiscal, fiscal_prev, prev)}。"
            f"财政拨款支出预算中，一般公共预算拨款支出预算{n(gpb)}万元，{fig.change(gpb, gpb_prev, prev)}；"
            f"政府性基金拨款支出预算{n(gf)}万元，{fig.change(gf, gf_prev, prev)}；"
            f"国有资本经营预算拨款支出预算 0 万元，与{prev}年预算持平。",
        )
    )
    blocks.append(("p", "财政拨款支出主要内容如下："))
    fiscal_items = sorted((c, it) for c, it in acc.items.items() if it.fiscal_total)
    for i, (code, item) in enumerate(fiscal_items, 1):
        if item.project and not item.gpb_basic:
            purpose = purposes["project"].format(item=load_classification().function_name(code))
        elif code.endswith("50"):
            purpose = purposes["business"]
        elif code.endswith("01") and code[:3] not in {"208", "210", "221"}:
            purpose = purposes["admin"]
        else:
            purpose = purposes["personnel"]
        blocks.append(("p", f"{i}. “{subject_path(code)}”{n(item.fiscal_total)}万元，主要用于{purpose}。"))
    return blocks


def budget_other_notes(
    layout_name: str, words: dict[str, str], acc: Accounts, previous: Accounts, fig: Figures
) -> list[Block]:
    spec = texts()[layout_name]
    v = acc.three_public_values()
    before = previous.three_public_values()
    year, n = acc.year, fig.wan
    total = v[("total", "budget")]
    return [
        ("h1", spec.get("other_part", "其他相关情况说明")),
        ("h2", f"一、{year}年“三公”经费预算情况说明"),
        (
            "p",
            f"{year}年“三公”经费预算数为{n(total)}万元，"
            f"{fig.change(total, before[('total', 'budget')], year - 1)}。其中：",
        ),
        ("p", f"（一）因公出国（境）费{n(v[('overseas_travel', 'budget')])}万元。"),
        (
            "p",
            f"（二）公务用车购置及运行费{n(v[('vehicle_total', 'budget')])}万元。其中：公务用车购置费"
            f"{n(v[('vehicle_purchase', 'budget')])}万元；"
            f"公务用车运行费{n(v[('vehicle_operation', 'budget')])}万元。",
        ),
        ("p", f"（三）公务接待费{n(v[('reception', 'budget')])}万元。"),
        ("h2", "二、机关运行经费预算"),
        ("p", f"{year}年{words['dept']}财政拨款的机关运行经费预算为{n(v[('office_operation', 'budget')])}万元。"),
    ]

"""Whether a document prints the tables its report kind requires, in the unit and column order it says.

- missing_table: a table the report kind requires (tables.yaml `required`) is not printed: the
  publisher's (a table printed empty is printed).
- unit.slip: a table's figures are 10 000 times those the other tables (or the narrative) print for the
  same thing: its unit line (单位：万元 / 单位：元) does not match its figures, whether printed or read
  so. Loading it would load every figure 10 000 times off: an error, the document is quarantined.
- column.swapped: a table's 基本支出 and 项目支出 columns hold each other's figures (its 项目支出 total is
  the basic expenditure the economic table prints, its 基本支出 total is not): printed or read swapped,
  an error for the same reason.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

import yaml

from expectations.document_checks import DocumentCheck
from expectations.facts import printed
from expectations.identities import Identity
from expectations.vocabulary import SPECS_DIR
from extract.model import ExtractedDocument, Fact, TableRead

UNIT_FACTOR = Decimal(10000)
RATIO_SLACK = Decimal("0.001")
GPB = "general_public_budget"
KIND_WORD = {"final": "部门决算", "budget": "部门预算"}


@functools.cache
def table_requirements() -> dict[str, tuple[tuple[str, ...], dict[str, str]]]:
    """table_kind → (the `required` entries of tables.yaml, its first title per report kind)."""
    with (SPECS_DIR / "tables.yaml").open(encoding="utf-8") as handle:
        tables = yaml.safe_load(handle)["tables"]
    return {
        kind: (tuple(spec.get("required", ())), {rk: titles[0] for rk, titles in spec["titles"].items()})
        for kind, spec in tables.items()
    }


def required_tables(report_kind: str | None, printed_kinds: Iterable[str]) -> list[str]:
    """The table kinds a document of this report kind must print. "final:detailed" entries are required
    once the document prints any table of that set (it follows the detailed layout)."""
    if report_kind is None:
        return []
    printed_kinds = set(printed_kinds)
    requirements = table_requirements()
    sets_followed = {entry for kind in printed_kinds for entry in requirements.get(kind, ((), {}))[0] if ":" in entry}
    return [
        kind
        for kind, (entries, _) in requirements.items()
        if report_kind in entries or any(e in sets_followed and e.startswith(f"{report_kind}:") for e in entries)
    ]


def missing_table_checks(doc: ExtractedDocument) -> list[DocumentCheck]:
    printed_kinds = {t.table_kind for t in doc.tables}
    kind = doc.meta.report_kind
    checks = []
    for table_kind in required_tables(kind, printed_kinds):
        title = table_requirements()[table_kind][1].get(kind or "", table_kind)
        message = f"缺少{title}：{KIND_WORD.get(kind or '', '')}应公开此表"
        checks.append(DocumentCheck("missing_table", "warning", table_kind in printed_kinds, message, table_kind))
    return checks


# --- unit slips -----------------------------------------------------------------------------------------


def unit_slip_checks(
    doc: ExtractedDocument, identities: Sequence[Identity], narrative: Sequence[DocumentCheck] = ()
) -> list[DocumentCheck]:
    """One check per table compared with another table: holds unless its figures are 10 000 times off."""
    slips: Counter[str] = Counter()
    partners: dict[str, set[str]] = defaultdict(set)
    compared: set[str] = set()
    for x in identities:
        if x.family != "cross_table" or not x.actual_terms or not x.expected_terms:
            continue
        a, b = x.actual_terms[0].cell[0], x.expected_terms[0].cell[0]
        compared |= {a, b}
        if _ten_thousand_times(x.actual, x.expected):
            slips.update([a, b])
            partners[a].add(b)
            partners[b].add(a)
    for check in narrative:
        amounts = (check.expected, check.actual)
        if check.table_kind and None not in amounts and _ten_thousand_times(*amounts):  # type: ignore[arg-type]
            slips[check.table_kind] += 1
            partners[check.table_kind].add("情况说明")
    common_unit = Counter(t.unit for t in doc.tables).most_common(1)
    odd_units = {t.table_kind for t in doc.tables if common_unit and t.unit != common_unit[0][0]}
    blamed = _blamed(slips, partners, odd_units)
    tables = {t.table_kind: t for t in doc.tables}
    named = {k: {tables[p].title if p in tables else p for p in ps} for k, ps in partners.items()}
    return [_unit_check(tables[k], k in blamed, named.get(k, set())) for k in sorted(compared) if k in tables]


def _ten_thousand_times(a: Decimal, b: Decimal) -> bool:
    if a == 0 or b == 0:
        return False
    ratio = abs(a / b)
    return any(abs(r - UNIT_FACTOR) <= UNIT_FACTOR * RATIO_SLACK for r in (ratio, 1 / ratio))


def _blamed(slips: Counter[str], partners: dict[str, set[str]], odd_units: set[str]) -> set[str]:
    """Of each disagreeing pair, the table disagreeing with more sources (its unit unlike the others'
    counting as one more)."""
    score = {k: len(partners[k]) + (k in odd_units) for k in slips}
    return {k for k in slips if all(score[k] > score.get(p, 0) or p == "情况说明" for p in partners[k])}


def _unit_check(table: TableRead, slipped: bool, partners: set[str]) -> DocumentCheck:
    kind, title, unit, page = table.table_kind, table.title, table.unit, table.first_page
    others = "、".join(sorted(partners)) or "其他表"
    message = (
        f"{title}（第{page}页，单位：{unit}）的金额与{others}所列相差 10000 倍：单位行与金额不符"
        f"（单位印错或读错），本表数据未载入"
    )
    return DocumentCheck("unit.slip", "error", not slipped, message, kind, page)


# --- swapped columns --------------------------------------------------------------------------------------


def swapped_column_checks(doc: ExtractedDocument) -> list[DocumentCheck]:
    """一般公共预算财政拨款支出表's 基本支出 / 项目支出 totals against the basic-expenditure economic table."""
    totals = _printed_totals(doc.facts)
    table_kind = "gpb_expenditure"
    basic, project = totals.get((table_kind, "basic")), totals.get((table_kind, "project"))
    reference = _basic_reference(doc.facts)
    if basic is None or project is None or reference is None:
        return []
    step = Decimal(100) if _unit(doc, table_kind) == "万元" else Decimal("0.01")
    swapped = abs(project.amount_yuan - reference) <= 2 * step and abs(basic.amount_yuan - reference) > 2 * step
    unit = _unit(doc, table_kind)
    page = next((t.first_page for t in doc.tables if t.table_kind == table_kind), basic.page)
    message = (
        f"{_title(doc, table_kind)}（第{page}页）的项目支出合计 {printed(project.amount_yuan, unit)} "
        f"等于基本支出决算（预算）表的基本支出 {printed(reference, unit)}，而基本支出合计为 "
        f"{printed(basic.amount_yuan, unit)}：基本支出与项目支出两列互换（印错或读错），本表数据未载入"
    )
    return [
        DocumentCheck(
            "column.swapped", "error", not swapped, message, table_kind, page, None, reference, basic.amount_yuan
        )
    ]


def _printed_totals(facts: Iterable[Fact]) -> dict[tuple[str, str], Fact]:
    found: dict[tuple[str, str], Fact] = {}
    for fact in facts:
        if fact.fact_kind == "table_total" and fact.key == "table_total":
            found.setdefault((fact.table_kind, fact.measure), fact)
    return found


def _basic_reference(facts: Iterable[Fact]) -> Decimal | None:
    """The economic table's 合计, else its 人员经费合计 + 公用经费合计 (two panels)."""
    rows = [f for f in facts if f.table_kind == "gpb_basic_economic" and f.fact_kind == "table_total"]
    total = [f for f in rows if f.key == "table_total" and f.measure == "total"]
    if total:
        return total[0].amount_yuan
    panels = {f.key: f.amount_yuan for f in rows if f.key in ("personnel_total", "public_use_total")}
    return sum(panels.values(), Decimal(0)) if len(panels) == 2 else None


def _unit(doc: ExtractedDocument, table_kind: str) -> str:
    return next((t.unit for t in doc.tables if t.table_kind == table_kind), "万元")


def _title(doc: ExtractedDocument, table_kind: str) -> str:
    return next((t.title for t in doc.tables if t.table_kind == table_kind), table_kind)

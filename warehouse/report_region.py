"""One region's year on one page: what a finance bureau reads first, offline.

    caijue report --region 金口河区 --year 2024 --out reports/

One self-contained HTML file (inline CSS, charts as inline SVG drawn by warehouse/charts.py: no script,
no network): spending by functional class (类) over the years, the largest departments, budget execution
(budget against final by department), the 三公 trend, and the year's quality issues. Amounts in 万元.
It reads the answer marts (marts.mart_function_rollup, mart_department_year, mart_budget_execution,
mart_three_public_trend) and marts.fct_quality_issue, read-only. A region is (part of) a department's
region name (marts.dim_department.region); a part matching several regions (乐山市) sums them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import yaml

import extract.specs
from extract.model import YUAN_PER_WAN
from warehouse.charts import amount_words, horizontal_bars, lines, stacked_columns
from warehouse.report import KIND_WORDS, select_documents
from warehouse.report_department import IssueRow, issue_rows, subject_names

TOP_DEPARTMENTS = 12
TOP_CLASSES = 8  # classes drawn by name in the stacked columns; the rest are summed as 其他
THREE_PUBLIC_SHOWN = ("total", "overseas_travel", "vehicle_total", "reception")
ANSWER_MARTS = ("mart_function_rollup", "mart_department_year", "mart_budget_execution", "mart_three_public_trend")


class RegionReportError(Exception):
    """A region page that cannot be made (no such region or year, a warehouse without the answer marts)."""


@dataclass(frozen=True, slots=True)
class ClassYear:
    fiscal_year: int
    report_kind: str
    class_code: str
    class_name: str
    amount_yuan: Decimal


@dataclass(frozen=True, slots=True)
class DepartmentYear:
    department: str
    budget_yuan: Decimal | None
    final_yuan: Decimal | None
    change_rate: Decimal | None  # the final's (else the budget's) change over the year before


@dataclass(frozen=True, slots=True)
class Execution:
    department: str
    budget_yuan: Decimal
    final_yuan: Decimal
    not_comparable: int  # subjects left out: budget and final not comparable

    @property
    def rate(self) -> Decimal | None:
        return self.final_yuan / self.budget_yuan if self.budget_yuan else None


@dataclass(slots=True)
class RegionReport:
    selector: str
    regions: list[str]
    year: int
    classes: list[ClassYear]
    departments: list[DepartmentYear]
    execution: list[Execution]
    three_public: dict[str, dict[int, Decimal]]  # item → year → actual
    issues: list[IssueRow]
    document_count: int

    @property
    def name(self) -> str:
        return "、".join(self.regions)

    @property
    def file_stem(self) -> str:
        return re.sub(r"[\\/:*?\"<>|\s]+", "_", f"{self.selector}_{self.year}_区域报告").strip("_")


# --- reading ---------------------------------------------------------------------------------------------


# A document's region is its department's (dim_department): a document printing its department's short name
# prints its region short too (金口河区 for 乐山市金口河区), and the answer marts file it under the department's.
DOCUMENTS = (
    "(select d.document_id, d.fiscal_year, d.department_name, d.report_kind,"
    " coalesce(p.region, d.region) as region"
    " from marts.dim_document d left join marts.dim_department p on p.department_id = d.department_id)"
)


def matching_regions(con: duckdb.DuckDBPyConnection, selector: str) -> list[str]:
    """Every department region whose name contains the selector: 金口河区 is 乐山市金口河区."""
    rows = con.execute(
        f"select distinct region from {DOCUMENTS} where contains(region, ?) order by region", [selector.strip()]
    ).fetchall()
    return [region for (region,) in rows]


def region_report(con: duckdb.DuckDBPyConnection, selector: str, year: int) -> RegionReport:
    missing = [m for m in ANSWER_MARTS if not _has_relation(con, "marts", m)]
    if missing:
        raise RegionReportError(
            f"the warehouse has no {', '.join(missing)}: rebuild it with this caijue (caijue ingest)"
        )
    regions = matching_regions(con, selector)
    if not regions:
        known = [
            r for (r,) in con.execute(f"select distinct region from {DOCUMENTS} where region is not null").fetchall()
        ]
        raise RegionReportError(f"no region matches {selector!r} (regions: {'、'.join(sorted(known)) or 'none'})")
    documents = _documents_of(con, regions, year)
    if not documents:
        years = _years_of(con, regions)
        raise RegionReportError(f"{'、'.join(regions)} has no document of {year} (years: {years or 'none'})")
    return RegionReport(
        selector=selector,
        regions=regions,
        year=year,
        classes=_classes(con, regions, year),
        departments=_departments(con, regions, year),
        execution=_execution(con, regions, year),
        three_public=_three_public(con, regions, year),
        issues=_issues(con, documents),
        document_count=len(documents),
    )


def _years_of(con: duckdb.DuckDBPyConnection, regions: list[str]) -> list[int]:
    rows = con.execute(
        f"select distinct fiscal_year from {DOCUMENTS} where list_contains(?, region) and fiscal_year is not null"
        " order by fiscal_year",
        [regions],
    ).fetchall()
    return [year for (year,) in rows]


def _has_relation(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, name]
    ).fetchone()
    return bool(found and found[0])


def _documents_of(con: duckdb.DuckDBPyConnection, regions: list[str], year: int) -> list[str]:
    rows = con.execute(
        f"select document_id from {DOCUMENTS} where list_contains(?, region) and fiscal_year = ?"
        " order by department_name, report_kind, document_id",
        [regions, year],
    ).fetchall()
    return [document_id for (document_id,) in rows]


def _classes(con: duckdb.DuckDBPyConnection, regions: list[str], year: int) -> list[ClassYear]:
    rows = con.execute(
        """select fiscal_year, report_kind, coalesce(class_code, left(subject_code, 3)) as class,
                  coalesce(max(class_name), class), sum(amount_yuan)
           from marts.mart_function_rollup
           where list_contains(?, region) and fiscal_year <= ?
           group by fiscal_year, report_kind, class order by fiscal_year, report_kind, class""",
        [regions, year],
    ).fetchall()
    return [ClassYear(*row) for row in rows]


def _departments(con: duckdb.DuckDBPyConnection, regions: list[str], year: int) -> list[DepartmentYear]:
    rows = con.execute(
        """select department_name,
                  sum(expenditure_yuan) filter (where report_kind = 'budget'),
                  sum(expenditure_yuan) filter (where report_kind = 'final'),
                  coalesce(max(expenditure_change_rate) filter (where report_kind = 'final'),
                           max(expenditure_change_rate) filter (where report_kind = 'budget'))
           from marts.mart_department_year
           where list_contains(?, region) and fiscal_year = ?
           group by department_name""",
        [regions, year],
    ).fetchall()
    departments = [DepartmentYear(*row) for row in rows]
    return sorted(departments, key=lambda d: (-(d.final_yuan or d.budget_yuan or 0), d.department))


def _execution(con: duckdb.DuckDBPyConnection, regions: list[str], year: int) -> list[Execution]:
    rows = con.execute(
        """select department_name,
                  coalesce(sum(budget_yuan) filter (where is_comparable), 0),
                  coalesce(sum(final_yuan) filter (where is_comparable), 0),
                  count(*) filter (where not is_comparable)
           from marts.mart_budget_execution
           where list_contains(?, region) and fiscal_year = ? and subject_level = '类'
           group by department_name""",
        [regions, year],
    ).fetchall()
    execution = [Execution(*row) for row in rows]
    return sorted(execution, key=lambda e: (-e.budget_yuan, e.department))


def _three_public(con: duckdb.DuckDBPyConnection, regions: list[str], year: int) -> dict[str, dict[int, Decimal]]:
    rows = con.execute(
        """select item, fiscal_year, sum(actual_yuan)
           from marts.mart_three_public_trend
           where list_contains(?, region) and fiscal_year <= ? and actual_yuan is not null
           group by item, fiscal_year""",
        [regions, year],
    ).fetchall()
    trend: dict[str, dict[int, Decimal]] = {}
    for item, fiscal_year, actual in rows:
        trend.setdefault(item, {})[fiscal_year] = actual
    return trend


def _issues(con: duckdb.DuckDBPyConnection, document_ids: Sequence[str]) -> list[IssueRow]:
    names = subject_names(con)
    rows: list[IssueRow] = []
    for document_id in document_ids:
        for doc in select_documents(con, document_id):
            department = doc.department_name or doc.file_name
            attributed = [i for i in doc.issues if i.attributed_to]
            doc.issues = attributed
            rows += issue_rows(con, doc, department, names, crops=False)
    return rows


def three_public_labels() -> dict[str, str]:
    """item → the words a table prints for it (the first of the specs' vocabulary)."""
    path = Path(extract.specs.__file__).with_name("vocabulary.yaml")
    items = yaml.safe_load(path.read_text(encoding="utf-8"))["three_public_items"]
    labels = {item: words[0] for item, words in items.items()}
    labels["total"] = "“三公”经费合计"
    return labels


# --- rendering ------------------------------------------------------------------------------------------

CSS = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       margin: 2em auto; max-width: 1100px; color: #222; padding: 0 1em; }
h1 { font-size: 1.6em; }
h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 2px solid #4e79a7; padding-bottom: 4px; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; margin-top: 0.8em; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.summary { display: flex; gap: 1em; flex-wrap: wrap; }
.summary div { background: #f5f8fb; padding: 0.6em 1em; border-radius: 4px; }
.summary b { display: block; font-size: 1.4em; }
.note { color: #666; font-size: 0.85em; }
svg { max-width: 100%; height: auto; }
.publisher { color: #a33; }
"""


def wan(value: Decimal | None) -> Decimal | None:
    return None if value is None else value / YUAN_PER_WAN


def render_html(report: RegionReport) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{e(report.name)} {report.year} 年度 部门预决算概览</title><style>{CSS}</style></head><body>",
        f"<h1>{e(report.name)} {report.year} 年度 部门预决算概览</h1>",
        _summary(report),
        "<h2>一、支出按功能分类（类）</h2>",
        *_class_charts(report),
        "<h2>二、支出最多的部门</h2>",
        _largest_departments(report),
        "<h2>三、预算执行（决算与预算）</h2>",
        _execution_section(report),
        "<h2>四、“三公”经费</h2>",
        _three_public_section(report),
        "<h2>五、数据质量问题</h2>",
        _issues_section(report),
        '<p class="note">金额单位：万元（问题表按文件所用单位）。数据来自 caijue 仓库的 marts 层：'
        "mart_function_rollup、mart_department_year、mart_budget_execution、mart_three_public_trend、"
        "fct_quality_issue。</p>",
        "</body></html>",
    ]
    return "\n".join(parts)


def _summary(report: RegionReport) -> str:
    finals = [d.final_yuan for d in report.departments if d.final_yuan is not None]
    budgets = [d.budget_yuan for d in report.departments if d.budget_yuan is not None]
    publisher = sum(1 for i in report.issues if i.whose.startswith("发布方"))
    boxes = [
        ("部门", f"{len(report.departments)}"),
        ("文件", f"{report.document_count}"),
        ("预算支出（万元）", amount_words(wan(sum(budgets, Decimal(0))) or Decimal(0)) if budgets else "—"),
        ("决算支出（万元）", amount_words(wan(sum(finals, Decimal(0))) or Decimal(0)) if finals else "—"),
        ("数据问题（其中发布方）", f"{len(report.issues)}（{publisher}）"),
    ]
    cells = "".join(f"<div>{html.escape(label)}<b>{html.escape(value)}</b></div>" for label, value in boxes)
    return f'<div class="summary">{cells}</div>'


def _class_charts(report: RegionReport) -> list[str]:
    parts = []
    years = sorted({c.fiscal_year for c in report.classes})
    for kind in ("final", "budget"):
        rows = [c for c in report.classes if c.report_kind == kind]
        if not rows:
            continue
        totals: dict[tuple[str, str], Decimal] = {}
        for row in rows:
            key = (row.class_code, row.class_name)
            totals[key] = totals.get(key, Decimal(0)) + row.amount_yuan
        ranked = sorted(totals, key=lambda k: (-totals[k], k[0]))
        named, rest = ranked[:TOP_CLASSES], set(ranked[TOP_CLASSES:])
        series: dict[str, list[Decimal]] = {}
        for code, name in named:
            series[name] = [_sum_of(rows, year, {code}) for year in years]
        if rest:
            series["其他"] = [_sum_of(rows, year, {code for code, _ in rest}) for year in years]
        title = f"{KIND_WORDS[kind].removeprefix('部门')}支出（按功能分类 类）"
        parts.append(stacked_columns(title, [f"{y} 年" for y in years], series))
    return parts or ['<p class="note">没有可汇总的功能分类支出。</p>']


def _sum_of(rows: Sequence[ClassYear], year: int, codes: set[str]) -> Decimal:
    total = sum((r.amount_yuan for r in rows if r.fiscal_year == year and r.class_code in codes), Decimal(0))
    return total / YUAN_PER_WAN


def _largest_departments(report: RegionReport) -> str:
    top = report.departments[:TOP_DEPARTMENTS]
    if not top:
        return '<p class="note">本年度没有部门级文件。</p>'
    chart = horizontal_bars(
        f"{report.year} 年部门支出（前 {len(top)} 个）",
        [d.department for d in top],
        {"预算": [wan(d.budget_yuan) for d in top], "决算": [wan(d.final_yuan) for d in top]},
    )
    rows = [
        [d.department, _money(d.budget_yuan), _money(d.final_yuan), _rate(d.change_rate, signed=True)]
        for d in report.departments
    ]
    return chart + _table(("部门", "预算支出", "决算支出", "比上年增减"), rows, numeric=(1, 2, 3))


def _execution_section(report: RegionReport) -> str:
    compared = [x for x in report.execution if x.budget_yuan or x.final_yuan]
    alone = [x.department for x in report.execution if not (x.budget_yuan or x.final_yuan)]
    note = (
        f'<p class="note">没有可比的预算和决算（只发布了其中之一，或科目不可比）：{html.escape("、".join(alone))}。</p>'
        if alone
        else ""
    )
    if not compared:
        return note or '<p class="note">本年度没有同时发布预算和决算的部门。</p>'
    chart = horizontal_bars(
        f"{report.year} 年预算与决算（按功能分类 类 合计）",
        [x.department for x in compared],
        {"预算": [wan(x.budget_yuan) for x in compared], "决算": [wan(x.final_yuan) for x in compared]},
    )
    rows = [
        [x.department, _money(x.budget_yuan), _money(x.final_yuan), _money(x.final_yuan - x.budget_yuan),
         _rate(x.rate), str(x.not_comparable) if x.not_comparable else ""]
        for x in compared
    ]  # fmt: skip
    headers = ("部门", "预算", "决算", "决算−预算", "执行率", "不可比的类")
    return chart + _table(headers, rows, numeric=(1, 2, 3, 4, 5)) + note


def _three_public_section(report: RegionReport) -> str:
    labels = three_public_labels()
    items = [item for item in THREE_PUBLIC_SHOWN if item in report.three_public]
    if not items:
        return '<p class="note">没有“三公”经费决算数。</p>'
    years = sorted({y for item in items for y in report.three_public[item]})
    series = {labels.get(item, item): [wan(report.three_public[item].get(y)) for y in years] for item in items}
    chart = lines("“三公”经费决算数", [f"{y} 年" for y in years], series)
    rows = [[labels.get(item, item), *(_money(report.three_public[item].get(y)) for y in years)] for item in items]
    return chart + _table(("项目", *(f"{y} 年" for y in years)), rows, numeric=tuple(range(1, len(years) + 1)))


def _issues_section(report: RegionReport) -> str:
    if not report.issues:
        return "<p>本年度各文件的核对均相符。</p>"
    rows = []
    for issue in report.issues:
        table = f"{issue.table_title}（第{issue.table_page}页）" if issue.table_page else issue.table_title
        subject = " ".join(p for p in (issue.subject_code, issue.subject_name) if p)
        rows.append([
            issue.department, f"{issue.fiscal_year or ''}{'' if not issue.report_kind else ' ' + issue.report_kind}",
            table, str(issue.page or "—"), subject, _figure(issue.expected, issue.unit),
            _figure(issue.printed, issue.unit), issue.whose,
        ])  # fmt: skip
    headers = ("部门", "年度", "报表（页码）", "所在页", "科目", "应为", "所列", "归属")
    return _table(headers, rows, numeric=(5, 6))


def _figure(value: Decimal | None, unit: str) -> str:
    if value is None:
        return ""
    if unit == "年":
        return str(int(value))
    if unit == "%":
        return f"{value}%"
    return f"{value:,.2f} {unit}"


def _money(value: Decimal | None) -> str:
    return "—" if value is None else amount_words(value / YUAN_PER_WAN)


def _rate(value: Decimal | None, signed: bool = False) -> str:
    if value is None:
        return "—"
    percent = value * 100
    return f"{percent:+.2f}%" if signed else f"{percent:.2f}%"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    e = html.escape
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            css = ' class="num"' if index in numeric else ""
            whose = ' class="publisher"' if value.startswith("发布方") else ""
            cells.append(f"<td{css or whose}>{e(value)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def write_region_report(warehouse: Path, selector: str, year: int, out_dir: Path) -> Path:
    """The region's page for the year in out_dir; the warehouse is opened read-only."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        report = region_report(con, selector, year)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{report.file_stem}.html"
    path.write_text(render_html(report), encoding="utf-8")
    return path

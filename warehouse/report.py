"""One page per document listing its quality issues in the publisher's own terms, ready to send back.

    caijue report 中共乐山市金口河区委办公室 --out reports/

Reads the warehouse read-only: marts.dim_document (which documents), marts.fct_quality_issue (what is
wrong) and, where present, staging.stg_document_tables (each table's title as printed, pages and unit).
A selector is a document_id prefix (hex, 6+ characters) or (part of) a department name. Figures are
shown in the unit the document prints them in: 万元 for the narrative and 万元 tables, 元 otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb

from extract.model import YUAN_PER_WAN

HEX_PREFIX = re.compile(r"^[0-9a-f]{6,64}$")
KIND_WORDS = {"final": "部门决算", "budget": "部门预算"}
LEVEL_WORDS = {"department": "部门", "unit": "单位"}
STATUS_WORDS = {"loaded": "已入库", "quarantined": "暂缓入库（数据未发布，待核实）", "failed": "无法读取"}


@dataclass(frozen=True, slots=True)
class TableInfo:
    title: str
    first_page: int | None
    unit: str


@dataclass(frozen=True, slots=True)
class Issue:
    check_name: str
    severity: str
    table_kind: str | None
    page: int | None
    subject_code: str | None
    expected: Decimal | None
    actual: Decimal | None
    message: str


@dataclass(slots=True)
class DocumentReport:
    document_id: str
    file_name: str
    department_name: str | None
    fiscal_year: int | None
    report_kind: str | None
    report_level: str | None
    page_count: int | None
    status: str
    tables: dict[str, TableInfo] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    @property
    def heading(self) -> str:
        year = f"{self.fiscal_year} 年度" if self.fiscal_year else ""
        kind = KIND_WORDS.get(self.report_kind or "", "")
        if self.report_level == "unit":
            kind = kind.replace("部门", "单位")
        return f"{self.department_name or self.file_name} {year}{kind}"

    @property
    def file_stem(self) -> str:
        name = re.sub(r"[\\/:*?\"<>|\s]+", "_", self.heading).strip("_")
        return f"{name}_{self.document_id[:8]}"


# --- reading the warehouse -------------------------------------------------------------------------------


def select_documents(con: duckdb.DuckDBPyConnection, selector: str) -> list[DocumentReport]:
    """The documents a selector names: a document_id prefix, else department names containing it."""
    columns = ("document_id, file_name, department_name, fiscal_year, report_kind, report_level, page_count, "
               "status")  # fmt: skip
    query = f"select {columns} from marts.dim_document where {{}} order by department_name, fiscal_year, report_kind"
    key = selector.strip()
    rows: list[tuple] = []
    if HEX_PREFIX.match(key.lower()):
        rows = con.execute(query.format("document_id like ?"), [key.lower() + "%"]).fetchall()
    if not rows:
        rows = con.execute(query.format("department_name = ?"), [key]).fetchall()
    if not rows:
        rows = con.execute(query.format("department_name like ?"), [f"%{key}%"]).fetchall()
    reports = [DocumentReport(*row) for row in rows]
    for report in reports:
        report.tables = _tables(con, report.document_id)
        report.issues = _issues(con, report.document_id)
    return reports


def _tables(con: duckdb.DuckDBPyConnection, document_id: str) -> dict[str, TableInfo]:
    try:
        rows = con.execute(
            "select table_kind, table_title, first_page, unit from staging.stg_document_tables where document_id = ?",
            [document_id],
        ).fetchall()
    except duckdb.Error:  # a warehouse built without the staging views: titles fall back to the kinds
        return {}
    return {kind: TableInfo(title or kind, page, unit or "元") for kind, title, page, unit in rows}


def _issues(con: duckdb.DuckDBPyConnection, document_id: str) -> list[Issue]:
    rows = con.execute(
        "select check_name, severity, table_kind, page, subject_code, expected, actual, message "
        "from marts.fct_quality_issue where document_id = ? "
        "order by severity, page nulls last, check_name, subject_code",
        [document_id],
    ).fetchall()
    return [Issue(*row) for row in rows]


# --- rendering ------------------------------------------------------------------------------------------

SECTIONS: tuple[tuple[str, str], ...] = (
    ("quarantine", "一、暂缓入库的原因（请核实：可能为印制错误，也可能为我方读取错误）"),
    ("narrative", "二、情况说明所列数字与报表不一致"),
    ("year", "三、年度表述有误"),
    ("missing", "四、缺少应公开的报表"),
    ("cross", "五、报表之间数字不一致"),
    ("arithmetic", "六、报表内部勾稽不平"),
    ("other", "七、其他"),
)


FOOTNOTE = "金额单位：情况说明为万元，报表按其单位行（万元或元）。“应为”取自报表或勾稽关系，“所列”为文件印出的数字。"


def section_of(issue: Issue) -> str:
    if issue.severity == "error":
        return "quarantine"
    if issue.check_name == "narrative.year":
        return "year"
    if issue.check_name.startswith("narrative."):
        return "narrative"
    if issue.check_name == "missing_table":
        return "missing"
    if issue.check_name.startswith("cross_table."):
        return "cross"
    if issue.check_name.split(".")[0] in ("hierarchy", "column", "summary", "three_public"):
        return "arithmetic"
    return "other"


def render_markdown(report: DocumentReport) -> str:
    lines = [f"# {report.heading} — 数据核对意见", ""]
    lines += [
        f"- 文件：{report.file_name}（{report.page_count or '?'} 页）",
        f"- 文件标识：`{report.document_id}`",
        f"- 入库状态：{STATUS_WORDS.get(report.status, report.status)}",
        f"- 发现问题：{len(report.issues)} 处" if report.issues else "- 未发现问题：各项核对均相符。",
        "",
    ]
    by_section: dict[str, list[Issue]] = {}
    for issue in report.issues:
        by_section.setdefault(section_of(issue), []).append(issue)
    for key, title in SECTIONS:
        issues = by_section.get(key)
        if issues:
            lines += [f"## {title}", "", *_issue_table(report, issues), ""]
    lines += ["---", FOOTNOTE, ""]
    return "\n".join(lines)


def _issue_table(report: DocumentReport, issues: Sequence[Issue]) -> list[str]:
    rows = ["| 页码 | 报表 | 科目 | 应为 | 所列 | 说明 |", "|---|---|---|---|---|---|"]
    for issue in issues:
        table = report.tables.get(issue.table_kind or "")
        title = table.title if table else (issue.table_kind or "")
        unit = _unit_of(issue, table)
        cells = [
            str(issue.page) if issue.page is not None else "—",
            title,
            issue.subject_code or "",
            _amount(issue.expected, unit),
            _amount(issue.actual, unit),
            issue.message.replace("|", "｜"),
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def _unit_of(issue: Issue, table: TableInfo | None) -> str:
    if issue.check_name == "narrative.year":
        return "年"
    if issue.check_name == "narrative.share":
        return "%"
    if issue.check_name.startswith("narrative."):
        return "万元"
    return table.unit if table else "元"


def _amount(value: Decimal | None, unit: str) -> str:
    if value is None:
        return ""
    if unit == "年":
        return f"{int(value)}"
    if unit == "%":
        return f"{value}%"
    if unit == "万元":
        return f"{value / YUAN_PER_WAN:,.2f} 万元"
    return f"{value:,.2f} 元"


def write_reports(warehouse: Path, selector: str, out_dir: Path) -> list[Path]:
    """One Markdown page per selected document in out_dir; the warehouse is opened read-only."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        reports = select_documents(con, selector)
    out_dir.mkdir(parents=True, exist_ok=True)
    return [_write(out_dir, report) for report in reports]


def _write(out_dir: Path, report: DocumentReport) -> Path:
    path = out_dir / f"{report.file_stem}.md"
    path.write_text(render_markdown(report), encoding="utf-8")
    return path


def describe(paths: Iterable[Path]) -> str:
    paths = list(paths)
    return "\n".join(str(p) for p in paths) if paths else "no document matches"

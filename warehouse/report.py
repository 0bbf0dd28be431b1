"""One page per document listing its quality issues in the publisher's own terms, ready to send back.

    caijue report 中共乐山市金口河区委办公室 --out reports/

Reads the warehouse read-only: marts.dim_document (which documents), marts.fct_quality_issue (what is
wrong, whose error it is and what that rests on) and, where present, staging.stg_document_tables (each
table's title as printed, pages, unit and why the gate withheld it). A selector is a document_id prefix
(hex, 6+ characters) or (part of) a department name. Figures are shown in the unit the document prints
them in: 万元 for the narrative and 万元 tables, 元 otherwise. A warehouse built by an earlier version,
without the newer columns, still reports: what it lacks is left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

import duckdb

from extract.model import YUAN_PER_WAN

HEX_PREFIX = re.compile(r"^[0-9a-f]{6,64}$")
KIND_WORDS = {"final": "部门决算", "budget": "部门预算"}
LEVEL_WORDS = {"department": "部门", "unit": "单位"}
STATUS_WORDS = {"loaded": "已入库", "quarantined": "暂缓入库（数据未发布，待核实）", "failed": "无法读取"}
FILE_KIND_WORDS = {
    "budget": "部门预算",
    "final account": "部门决算",
    "explanation only": "仅有情况说明（无报表）",
    "scanned": "扫描件（无文字层）",
    "not a budget document": "非预决算文件",
    "web page": "网页",
    "not a PDF": "非 PDF 文件",
    "unreadable PDF": "无法打开的 PDF",
}
WHOSE_WORDS = {"publisher": "发布方（按所印数字）", "extraction": "我方读取（待核实）"}


@dataclass(frozen=True, slots=True)
class TableInfo:
    title: str
    first_page: int | None
    unit: str
    withheld_reason: str | None = None  # why the gate kept the table's figures out of the marts


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
    attributed_to: str | None = None  # 'publisher' | 'extraction'
    evidence: str | None = None
    printed: str | None = None
    subject_name: str | None = None  # newer warehouses name the subject and the table beside the issue
    table_title: str | None = None
    table_page: int | None = None
    value_kind: str | None = None  # 'money' | 'year' | 'percent': what expected and actual count
    expected_value: str | None = None  # a year's or a share's figures, as a reader reads them ('2023', '12.50%')
    actual_value: str | None = None


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
    file_kind: str | None = None
    file_path: str | None = None
    region: str | None = None
    department_id: str | None = None  # one department over the years and its name variants
    tables: dict[str, TableInfo] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    @property
    def withheld(self) -> dict[str, TableInfo]:
        return {kind: table for kind, table in self.tables.items() if table.withheld_reason}

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
    columns = _select_list(con, "marts", "dim_document", DOCUMENT_COLUMNS)
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
    departments = sorted({r.department_id for r in reports if r.department_id})
    if departments and not HEX_PREFIX.match(key.lower()):  # the department under its other names too
        rows = con.execute(query.format("list_contains(?, department_id)"), [departments]).fetchall()
        known = {r.document_id for r in reports}
        reports += [DocumentReport(*row) for row in rows if row[0] not in known]
    for report in reports:
        report.tables = _tables(con, report.document_id)
        report.issues = _issues(con, report.document_id)
    return reports


DOCUMENT_COLUMNS = (
    "document_id",
    "file_name",
    "department_name",
    "fiscal_year",
    "report_kind",
    "report_level",
    "page_count",
    "status",
    "file_kind",
    "file_path",
    "region",
    "department_id",
)
TABLE_COLUMNS = ("table_kind", "table_title", "first_page", "unit", "withheld_reason")
ISSUE_COLUMNS = (
    "check_name",
    "severity",
    "table_kind",
    "page",
    "subject_code",
    "expected",
    "actual",
    "message",
    "attributed_to",
    "evidence",
    "printed",
    "subject_name",
    "table_title",
    "table_page",
    "value_kind",
    "expected_value",
    "actual_value",
)


def _select_list(con: duckdb.DuckDBPyConnection, schema: str, table: str, wanted: Sequence[str]) -> str:
    """The wanted columns, a column the relation lacks (built by an earlier version) as null."""
    rows = con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()
    present = {name for (name,) in rows}
    return ", ".join(column if column in present else f"null as {column}" for column in wanted)


def _tables(con: duckdb.DuckDBPyConnection, document_id: str) -> dict[str, TableInfo]:
    columns = _select_list(con, "staging", "stg_document_tables", TABLE_COLUMNS)
    try:
        rows = con.execute(
            f"select {columns} from staging.stg_document_tables where document_id = ? order by first_page nulls last",
            [document_id],
        ).fetchall()
    except duckdb.Error:  # a warehouse built without the staging views: titles fall back to the kinds
        return {}
    tables: dict[str, TableInfo] = {}
    for kind, title, page, unit, withheld_reason in rows:
        tables.setdefault(kind, TableInfo(title or kind, page, unit or "元", withheld_reason))
    return tables


def _issues(con: duckdb.DuckDBPyConnection, document_id: str) -> list[Issue]:
    columns = _select_list(con, "marts", "fct_quality_issue", ISSUE_COLUMNS)
    rows = con.execute(
        f"select {columns} from marts.fct_quality_issue where document_id = ? "
        "order by severity, page nulls last, check_name, subject_code",
        [document_id],
    ).fetchall()
    return [_with_figures(Issue(*row)) for row in rows]


def _with_figures(issue: Issue) -> Issue:
    """A year or a share that the mart gives as words only (expected_value '2023', '12.50%') as its figure."""
    if issue.value_kind not in ("year", "percent"):
        return issue
    return replace(
        issue,
        expected=issue.expected if issue.expected is not None else _figure_of(issue.expected_value),
        actual=issue.actual if issue.actual is not None else _figure_of(issue.actual_value),
    )


def _figure_of(words: str | None) -> Decimal | None:
    if not words:
        return None
    try:
        return Decimal(words.strip().rstrip("%").strip())
    except ArithmeticError:
        return None


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


FOOTNOTE = (
    "金额单位：情况说明为万元，报表按其单位行（万元或元）。“应为”取自报表或勾稽关系，“所列”为文件印出的数字。"
    "“归属”：发布方＝按文件所印数字即不相符；我方读取＝我方对该数字的读取存疑（其报表暂缓入库，待核实）。"
    "“依据”为判断所据的事实，可在原页核对。"
)


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
        *([f"- 文件类型：{FILE_KIND_WORDS.get(report.file_kind, report.file_kind)}"] if report.file_kind else []),
        f"- 入库状态：{status_words(report)}",
        f"- 发现问题：{len(report.issues)} 处" if report.issues else "- 未发现问题：各项核对均相符。",
        "",
    ]
    if report.withheld:
        lines += ["## 暂缓入库的报表（数字存疑，未发布，待核实）", "", *_withheld_table(report), ""]
    by_section: dict[str, list[Issue]] = {}
    for issue in report.issues:
        by_section.setdefault(section_of(issue), []).append(issue)
    for key, title in SECTIONS:
        issues = by_section.get(key)
        if issues:
            lines += [f"## {title}", "", *_issue_table(report, issues), ""]
    lines += ["---", FOOTNOTE, ""]
    return "\n".join(lines)


def status_words(report: DocumentReport) -> str:
    words = STATUS_WORDS.get(report.status, report.status)
    if report.status == "loaded" and report.withheld:
        words += f"（其中 {len(report.withheld)} 张报表暂缓入库，见下）"
    return words


def _withheld_table(report: DocumentReport) -> list[str]:
    rows = ["| 报表 | 页码 | 暂缓原因 |", "|---|---|---|"]
    for table in report.withheld.values():
        page = str(table.first_page) if table.first_page is not None else "—"
        rows.append(f"| {table.title} | {page} | {_cell(table.withheld_reason)} |")
    return rows


def _issue_table(report: DocumentReport, issues: Sequence[Issue]) -> list[str]:
    rows = ["| 页码 | 报表 | 科目 | 应为 | 所列 | 说明 | 归属 | 依据 |", "|---|---|---|---|---|---|---|---|"]
    for issue in issues:
        table = report.tables.get(issue.table_kind or "")
        title = table.title if table else (issue.table_kind or "")
        unit = unit_of(issue, table)
        cells = [
            str(issue.page) if issue.page is not None else "—",
            title,
            issue.subject_code or "",
            _amount(issue.expected, unit),
            _amount(issue.actual, unit),
            _cell(explanation(issue)),
            WHOSE_WORDS.get(issue.attributed_to or "", "—"),
            _cell(issue.evidence) or "—",
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def explanation(issue: Issue) -> str:
    if issue.printed and issue.printed not in issue.message:
        return f"{issue.message}（原文：“{issue.printed}”）"
    return issue.message


def _cell(text: str | None) -> str:
    """Text inside a Markdown table cell: no pipe, no line break."""
    return " ".join((text or "").replace("|", "｜").split())


def unit_of(issue: Issue, table: TableInfo | None) -> str:
    """The unit the document prints the issue's figures in: 年, %, 万元 (the narrative) or the table's unit."""
    if issue.check_name == "narrative.year" or issue.value_kind == "year":
        return "年"
    if issue.check_name == "narrative.share" or issue.value_kind in ("share", "percent"):
        return "%"
    if issue.check_name.startswith("narrative."):
        return "万元"
    return table.unit if table else "元"


def _amount(value: Decimal | None, unit: str) -> str:
    if value is None or unit in ("年", "%"):
        return figure_words(value, unit)
    if unit == "万元":
        return f"{figure_words(value / YUAN_PER_WAN, unit)} 万元"
    return f"{figure_words(value, unit)} 元"


def figure_words(value: Decimal | None, unit: str) -> str:
    """A figure already in `unit` as the document prints it: a year bare, a share with %, money with separators."""
    if value is None:
        return ""
    if unit == "年":
        return f"{int(value)}"
    if unit == "%":
        return f"{value}%"
    return f"{value:,.2f}"


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

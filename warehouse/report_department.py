"""One department's issues, to send back: an HTML page and an Excel workbook, each issue with the printed
figure cut out of its page.

    caijue report 中共乐山市金口河区委办公室 --out reports/

Per issue: department, year, report kind, the table (title as printed, its page), the page the figure is
printed on, subject code and name, the expected and printed figures in the document's own unit, whose
error it is (the publisher's, or our reading) with its evidence, and the crop (warehouse/crops.py). The
HTML is one self-contained file (inline CSS, images as data: URLs); the workbook has the same rows, the
crops as images beside them, and a sheet of the department's documents. Reads the warehouse read-only.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import duckdb
from openpyxl import Workbook
from openpyxl.drawing.image import Image as SheetImage
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from extract.model import YUAN_PER_WAN, CellBox
from warehouse.crops import Crop, PrintedPages, Wanted, figure_pattern, printed_pages, quoted_words
from warehouse.report import (
    FILE_KIND_WORDS,
    KIND_WORDS,
    LEVEL_WORDS,
    WHOSE_WORDS,
    DocumentReport,
    Issue,
    explanation,
    figure_words,
    select_documents,
    status_words,
    unit_of,
)

NO_CROP = Crop(None)
IMAGE_WIDTH = 520  # pixels a crop is shown at, at most (the rendered crop is about twice as wide)
STATUS_COLUMNS = ("文件", "年度", "报表类型", "入库状态", "文件类型", "暂缓入库的报表", "文件标识")


@dataclass(frozen=True, slots=True)
class IssueRow:
    """One issue as the department reads it; figures in the document's unit."""

    department: str
    fiscal_year: int | None
    report_kind: str
    table_title: str
    table_page: int | None
    page: int | None
    subject_code: str
    subject_name: str
    expected: Decimal | None
    printed: Decimal | None
    unit: str
    explanation: str
    whose: str
    evidence: str
    crop: Crop
    document_id: str
    compared: Crop = NO_CROP  # the table's figure a 情况说明 figure was checked against, when one cell prints it


@dataclass(slots=True)
class DepartmentReport:
    department: str
    region: str | None
    documents: list[DocumentReport]
    rows: list[IssueRow]

    @property
    def file_stem(self) -> str:
        return re.sub(r"[\\/:*?\"<>|\s]+", "_", f"{self.department}_数据核对意见").strip("_")


# --- reading ---------------------------------------------------------------------------------------------


def department_reports(con: duckdb.DuckDBPyConnection, selector: str) -> list[DepartmentReport]:
    """The selected documents (document_id prefix or department name), grouped by department, each issue
    with its crop."""
    documents = select_documents(con, selector)
    names = subject_names(con)
    grouped: dict[str, list[DocumentReport]] = {}
    for document in documents:
        key = document.department_id or document.department_name or document.file_name
        grouped.setdefault(key, []).append(document)
    reports = []
    for docs in grouped.values():
        docs.sort(key=lambda d: (d.fiscal_year or 0, d.report_kind or "", d.report_level or "", d.document_id))
        department = next((d.department_name for d in reversed(docs) if d.department_name), docs[-1].file_name)
        rows = [row for doc in docs for row in issue_rows(con, doc, department, names)]
        reports.append(DepartmentReport(department, docs[-1].region, docs, rows))
    return reports


def subject_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    names: dict[str, str] = {}
    for query in (
        "select econ_code, econ_name from marts.dim_economic_subject",
        "select subject_code, subject_name from marts.dim_function_subject",
    ):
        try:
            names.update({code: name for code, name in con.execute(query).fetchall() if name})
        except duckdb.Error:  # a warehouse without the dimension: names come from the printed rows
            continue
    return names


@dataclass(frozen=True, slots=True)
class _Cell:
    amount: Decimal
    box: CellBox | None
    row_label: str


def _printed_cells(con: duckdb.DuckDBPyConnection, document_id: str) -> dict[tuple[int, str, str], list[_Cell]]:
    """(page, table_kind, key) → the document's printed amounts there, with their cell boxes when recorded."""
    columns = {
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns where table_schema = 'staging'"
            " and table_name = 'stg_facts'"
        ).fetchall()
    }
    if not columns:
        return {}
    box = "box_x0, box_top, box_x1, box_bottom" if "box_x0" in columns else "null, null, null, null"
    try:
        rows = con.execute(
            f"select page, table_kind, fact_key, amount_yuan, row_label, {box} from staging.stg_facts"
            " where document_id = ? and page is not null",
            [document_id],
        ).fetchall()
    except duckdb.Error:  # a view that no longer resolves (a copied warehouse of an earlier version): no boxes
        return {}
    cells: dict[tuple[int, str, str], list[_Cell]] = {}
    for page, table_kind, key, amount, label, *edges in rows:
        boxed = tuple(edges) if None not in edges else None
        cells.setdefault((page, table_kind, key), []).append(_Cell(amount, boxed, label or ""))  # type: ignore[arg-type]
    return cells


def issue_rows(
    con: duckdb.DuckDBPyConnection, doc: DocumentReport, department: str, names: dict[str, str], crops: bool = True
) -> list[IssueRow]:
    """The document's issues as rows, with their crops (crops=False: no image, the file is not opened)."""
    cells = _printed_cells(con, doc.document_id)
    with printed_pages(doc.file_path) if crops else nullcontext(None) as pages:
        rows = []
        for issue in doc.issues:
            table = doc.tables.get(issue.table_kind or "")
            unit = unit_of(issue, table)
            here = _cells_of(cells, issue)
            row = _row(doc, department, issue, unit, here, names, _crop(pages, issue, unit, here))
            rows.append(replace(row, compared=_compared(pages, issue, cells, row.table_title)))
        return rows


def _compared(
    pages: PrintedPages | str | None, issue: Issue, cells: dict[tuple[int, str, str], list[_Cell]], title: str
) -> Crop:
    """For a 情况说明 figure: the table cell printing the figure it should be (the first such cell of the
    table, of the issue's subject when it names one), cut out too, so both sides are on the page."""
    if not isinstance(pages, PrintedPages) or not issue.check_name.startswith("narrative.") or issue.expected is None:
        return Crop(None)
    for (page, table_kind, key), printed in sorted(cells.items()):
        if table_kind != issue.table_kind or (issue.subject_code and key != issue.subject_code):
            continue
        for cell in printed:
            if cell.box is not None and cell.amount == issue.expected:
                crop = pages.crop(Wanted(page, cells=[cell.box]))
                return replace(crop, note=f"对照：{title} 第{page}页")
    return Crop(None)


def _cells_of(cells: dict[tuple[int, str, str], list[_Cell]], issue: Issue) -> list[_Cell]:
    """The printed cells an issue is about on its page: its subject's row in its table, else (a three-public item,
    a summary line: keyed by other words) the table's cells on the page that print the figure."""
    if issue.page is None or issue.table_kind is None:
        return []
    if issue.subject_code:
        return cells.get((issue.page, issue.table_kind, issue.subject_code), [])
    return [cell for (page, table_kind, _), printed in sorted(cells.items()) if page == issue.page
            and table_kind == issue.table_kind for cell in printed if cell.amount == issue.actual][:1]  # fmt: skip


def _crop(pages: PrintedPages | str | None, issue: Issue, unit: str, here: Sequence[_Cell]) -> Crop:
    if pages is None or issue.page is None:  # a missing table, a document-wide doubt: nothing printed to show
        return Crop(None)
    if isinstance(pages, str):  # the file is gone or no longer opens: the note says so
        return Crop(None, pages)
    return pages.crop(_wanted(issue, unit, here))


def _wanted(issue: Issue, unit: str, here: Sequence[_Cell]) -> Wanted:
    """Where the issue's figure is: its cell(s) in the table when recorded (the subject's row otherwise),
    else the printed words the issue quotes on its page, else the figure itself."""
    boxed = [c for c in here if c.box is not None]
    cells = [c.box for c in boxed if issue.actual is not None and c.amount == issue.actual]
    figure = None
    if issue.actual is not None:
        figure = figure_pattern(issue.actual / YUAN_PER_WAN if unit == "万元" else issue.actual, unit)
    quoted = quoted_words(issue.printed or issue.message)
    if quoted and figure and not re.search(figure, "".join(quoted.split())):
        quoted = None  # the quote is other words (“三公”经费), not the printed figure's
    return Wanted(
        issue.page,
        cells=cells,  # type: ignore[arg-type]
        row=[c.box for c in boxed],  # type: ignore[misc]
        figure=figure,
        quoted=quoted,
    )


def _row(
    doc: DocumentReport,
    department: str,
    issue: Issue,
    unit: str,
    here: Sequence[_Cell],
    names: dict[str, str],
    crop: Crop,
) -> IssueRow:
    table = doc.tables.get(issue.table_kind or "")
    code = issue.subject_code or ""
    label = next((c.row_label for c in here if c.row_label), "")
    return IssueRow(
        department=department,
        fiscal_year=doc.fiscal_year,
        report_kind=_kind_words(doc),
        table_title=issue.table_title or (table.title if table else (issue.table_kind or "")),
        table_page=issue.table_page if issue.table_page is not None else (table.first_page if table else None),
        page=issue.page,
        subject_code=code,
        subject_name=issue.subject_name or names.get(code) or label,
        expected=_in_unit(issue.expected, unit),
        printed=_in_unit(issue.actual, unit),
        unit=unit,
        explanation=explanation(issue),
        whose=WHOSE_WORDS.get(issue.attributed_to or "", "—"),
        evidence=issue.evidence or "",
        crop=crop,
        document_id=doc.document_id,
    )


def _kind_words(doc: DocumentReport) -> str:
    words = KIND_WORDS.get(doc.report_kind or "", doc.report_kind or "")
    return words.replace("部门", LEVEL_WORDS["unit"]) if doc.report_level == "unit" else words


def _in_unit(value: Decimal | None, unit: str) -> Decimal | None:
    if value is None:
        return None
    return value / YUAN_PER_WAN if unit == "万元" else value


# --- HTML ------------------------------------------------------------------------------------------------

CSS = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { border: 1px solid #bbb; padding: 4px 6px; vertical-align: top; text-align: left; }
th { background: #f0f0f0; white-space: nowrap; } td.num { text-align: right; white-space: nowrap; }
td.title { min-width: 9em; } td.evidence { min-width: 10em; } td.publisher, td.extraction { min-width: 6em; }
td.crop { width: 38%; } td.crop img { max-width: 100%; display: block; } .note { color: #777; font-size: 0.85em; }
.publisher { color: #a33; } .extraction { color: #36a; } footer { margin-top: 2em; color: #555; font-size: 0.85em; }
"""
# The year and report kind head each document's section, the department the page.
ISSUE_HEADERS = (
    "报表（页码）",
    "所在页",
    "科目",
    "应为",
    "所列",
    "说明",
    "归属",
    "依据",
    "原文截图",
)
FOOTNOTE = (
    "“应为”取自报表或勾稽关系，“所列”为文件印出的数字，金额按文件所用单位（情况说明为万元，报表按其单位行）。"
    "“归属”：发布方＝按文件所印数字即不相符；我方读取＝我方对该数字的读取存疑（其报表暂缓入库，待核实）。"
    "截图取自原文件该页，红框为所列数字。"
)


def render_html(report: DepartmentReport) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{e(report.department)} 数据核对意见</title><style>{CSS}</style></head><body>",
        f"<h1>{e(report.department)} — 数据核对意见</h1>",
        f"<p>{e(report.region or '')} 共 {len(report.documents)} 份文件，发现问题 {len(report.rows)} 处。</p>",
        _documents_table(report.documents),
    ]
    for doc in report.documents:
        rows = [r for r in report.rows if r.document_id == doc.document_id]
        parts.append(f"<h2>{e(doc.heading)}</h2>")
        parts.append(_issues_table(rows) if rows else "<p>未发现问题：各项核对均相符。</p>")
    parts += [f"<footer>{e(FOOTNOTE)}</footer>", "</body></html>"]
    return "\n".join(parts)


def _documents_table(documents: Iterable[DocumentReport]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in STATUS_COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in _document_cells(doc)) + "</tr>" for doc in documents
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _document_cells(doc: DocumentReport) -> list[object]:
    withheld = "；".join(
        f"{t.title}（第{t.first_page}页）：{t.withheld_reason}" if t.first_page else f"{t.title}：{t.withheld_reason}"
        for t in doc.withheld.values()
    )
    return [
        doc.file_name,
        doc.fiscal_year or "",
        _kind_words(doc),
        status_words(doc),
        FILE_KIND_WORDS.get(doc.file_kind or "", doc.file_kind or ""),
        withheld or "—",
        doc.document_id,
    ]


def _issues_table(rows: Sequence[IssueRow]) -> str:
    e = html.escape
    head = "".join(f"<th>{e(h)}</th>" for h in ISSUE_HEADERS)
    lines = []
    for row in rows:
        whose_class = "publisher" if row.whose == WHOSE_WORDS["publisher"] else "extraction"
        cells = [
            f'<td class="title">{e(_table_words(row))}</td>',
            f"<td>{row.page if row.page is not None else '—'}</td>",
            f"<td>{e(' '.join(p for p in (row.subject_code, row.subject_name) if p))}</td>",
            f'<td class="num">{e(_with_unit(row.expected, row.unit))}</td>',
            f'<td class="num">{e(_with_unit(row.printed, row.unit))}</td>',
            f"<td>{e(row.explanation)}</td>",
            f'<td class="{whose_class}">{e(row.whose)}</td>',
            f'<td class="evidence">{e(row.evidence) or "—"}</td>',
            f'<td class="crop">{_image_html(row)}</td>',
        ]
        lines.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(lines)}</tbody></table>"


def _table_words(row: IssueRow) -> str:
    return f"{row.table_title}（第{row.table_page}页）" if row.table_page is not None else row.table_title


def _with_unit(value: Decimal | None, unit: str) -> str:
    words = figure_words(value, unit)
    return f"{words} {unit}" if words and unit in ("万元", "元") else words


def _image_html(row: IssueRow) -> str:
    printed = _crop_html(row.crop, f"第{row.page}页所列 {figure_words(row.printed, row.unit)}")
    compared = _crop_html(row.compared, f"报表所印 {figure_words(row.expected, row.unit)}")
    return printed + compared


def _crop_html(crop: Crop, alt: str) -> str:
    note = f'<div class="note">{html.escape(crop.note)}</div>' if crop.note else ""
    if crop.png is None:
        return note
    data = base64.b64encode(crop.png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">{note}'


# --- Excel -----------------------------------------------------------------------------------------------

SHEET_COLUMNS: tuple[tuple[str, int], ...] = (  # header, width in characters
    ("部门", 26),
    ("年度", 7),
    ("报表类型", 10),
    ("报表", 30),
    ("报表页码", 8),
    ("所在页", 7),
    ("科目编码", 10),
    ("科目名称", 22),
    ("应为", 14),
    ("所列", 14),
    ("单位", 6),
    ("说明", 50),
    ("归属", 16),
    ("依据", 40),
    ("原文截图", 75),
    ("对照截图", 75),
)
HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")


def write_workbook(report: DepartmentReport, path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "问题清单"
    _write_issues(sheet, report.rows)
    documents = book.create_sheet("文件")
    _header(documents, [(h, 24) for h in STATUS_COLUMNS])
    for doc in report.documents:
        documents.append([str(v) if not isinstance(v, int) else v for v in _document_cells(doc)])
    book.save(path)


def _header(sheet: Worksheet, columns: Sequence[tuple[str, int]]) -> None:
    sheet.append([h for h, _ in columns])
    for index, (_, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    sheet.freeze_panes = "A2"


def _write_issues(sheet: Worksheet, rows: Sequence[IssueRow]) -> None:
    _header(sheet, SHEET_COLUMNS)
    printed_column = get_column_letter(len(SHEET_COLUMNS) - 1)
    compared_column = get_column_letter(len(SHEET_COLUMNS))
    for number, row in enumerate(rows, start=2):
        sheet.append(_sheet_cells(row))
        for column in (9, 10):
            sheet.cell(row=number, column=column).number_format = _number_format(row.unit)
        for cell in sheet[number]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        heights = [_add_image(sheet, crop, f"{column}{number}")
                   for crop, column in ((row.crop, printed_column), (row.compared, compared_column))]  # fmt: skip
        sheet.row_dimensions[number].height = max(30.0, *(h * 0.75 + 6 for h in heights))


def _add_image(sheet: Worksheet, crop: Crop, anchor: str) -> int:
    """The crop as an image over the cell, at most IMAGE_WIDTH pixels wide; its height in pixels (0: none)."""
    if crop.png is None:
        return 0
    image = SheetImage(io.BytesIO(crop.png))
    width, height = crop.size
    shown = min(IMAGE_WIDTH, width) / width
    image.width, image.height = round(width * shown), round(height * shown)
    sheet.add_image(image, anchor)
    return image.height


def _sheet_cells(row: IssueRow) -> list[object]:
    return [
        row.department,
        row.fiscal_year,
        row.report_kind,
        row.table_title,
        row.table_page,
        row.page,
        row.subject_code,
        row.subject_name,
        _sheet_number(row.expected, row.unit),
        _sheet_number(row.printed, row.unit),
        row.unit,
        row.explanation,
        row.whose,
        row.evidence,
        row.crop.note or None,
        row.compared.note or None,
    ]


def _sheet_number(value: Decimal | None, unit: str) -> Decimal | int | None:
    if value is None:
        return None
    return int(value) if unit == "年" else value


def _number_format(unit: str) -> str:
    return "0" if unit == "年" else "#,##0.00"


# --- writing ---------------------------------------------------------------------------------------------


def write_department_reports(warehouse: Path, selector: str, out_dir: Path) -> list[Path]:
    """Per selected department an HTML page and an Excel workbook in out_dir (warehouse read-only)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        reports = department_reports(con, selector)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for report in reports:
        page = out_dir / f"{report.file_stem}.html"
        page.write_text(render_html(report), encoding="utf-8")
        book = out_dir / f"{report.file_stem}.xlsx"
        write_workbook(report, book)
        paths += [page, book]
    return paths

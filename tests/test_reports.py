"""Pages people read: the department's issues (HTML and Excel, each figure cropped from its page) and the
region page (one offline HTML file, rendered in headless Chromium).

One small warehouse for the module, built as `caijue ingest` builds it (extract, gate, raw, dbt) from the
Sichuan seed (中共乐山市金口河区委办公室 2024 final: its published inconsistencies, tests/test_quality.py)
and a few generated Sichuan departments over two years, one with a changed table cell (a figure in a
table, cropped by its recorded cell box).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook
from PIL import Image

from flows.extraction import process_file
from flows.summary import DocumentOutcome
from flows.version import READING_VERSION
from samples.corpus import plan_corpus, write_document
from samples.inject import write_injected_document
from samples.seed import write_seed_document
from tests.machine import apt_install
from warehouse.dbt import build_warehouse
from warehouse.raw import load_document
from warehouse.report_department import write_department_reports
from warehouse.report_region import RegionReportError, matching_regions, write_region_report

SEED_DEPARTMENT = "中共乐山市金口河区委办公室"
SICHUAN_LAYOUTS = {"sichuan_final", "sichuan_budget"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    write_seed_document(root)
    plans = plan_corpus(2, (2023, 2024), 20240101, SICHUAN_LAYOUTS)
    for plan in plans[1:]:
        write_document(root, plan)
    write_injected_document(root, plans[0], ["changed_cell"])
    return root


@pytest.fixture(scope="module")
def warehouse(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus read, gated and loaded as an ingest run does it, then the dbt build."""
    root = tmp_path_factory.mktemp("warehouse")
    path = root / "warehouse.duckdb"
    pdfs = sorted(str(p) for p in corpus.rglob("*.pdf"))
    with ProcessPoolExecutor(max_workers=2) as pool:
        outcomes: list[DocumentOutcome] = list(pool.map(process_file, pdfs))
    with duckdb.connect(str(path)) as con:
        for outcome in outcomes:
            load_document(
                con,
                outcome.document,
                status=outcome.status,
                status_reason=outcome.reason,
                issues=outcome.issues,
                file_path=outcome.path,
                extractor_version=READING_VERSION,
                ingested_at=datetime(2026, 1, 1),
                withheld=outcome.withheld,
            )
    outcome = build_warehouse(path, work_dir=root / "dbt")
    assert outcome.success, outcome
    return path


@pytest.fixture(scope="module")
def department_files(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("reports")
    paths = write_department_reports(warehouse, SEED_DEPARTMENT, out)
    return {p.suffix: p for p in paths}


def _issue_rows(book_path: Path) -> tuple[list[str], list[dict[str, object]], dict[int, Image.Image]]:
    """The issue sheet's header, its rows, and the printed figures' crops by row (the 原文截图 column)."""
    book = load_workbook(book_path)
    sheet = book["问题清单"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    for row in rows:  # a spreadsheet number is a double: read back as the decimal it was written from
        row.update({k: Decimal(str(row[k])) for k in ("应为", "所列") if isinstance(row[k], float)})
    images = _images(sheet, header.index("原文截图"))
    return header, rows, images


def _images(sheet: object, column: int) -> dict[int, Image.Image]:
    """Row number → the image anchored in that column (0-based) of the row."""
    anchored = [(image.anchor._from, image) for image in sheet._images]  # type: ignore[attr-defined]
    return {at.row + 1: Image.open(BytesIO(image._data())) for at, image in anchored if at.col == column}


def test_the_department_workbook_lists_the_seed_inconsistencies_with_pages_and_crops(
    department_files: dict[str, Path],
) -> None:
    header, rows, images = _issue_rows(department_files[".xlsx"])
    assert header[:11] == [
        "部门",
        "年度",
        "报表类型",
        "报表",
        "报表页码",
        "所在页",
        "科目编码",
        "科目名称",
        "应为",
        "所列",
        "单位",
    ]
    listed = {(r["所在页"], r["科目编码"], r["应为"], r["所列"]) for r in rows}
    # tests/test_quality.py: the seed's narrative (p4, p7) against its tables
    assert {
        (4, None, Decimal("863.43"), Decimal("863.44")),
        (4, "208", Decimal("67.48"), Decimal("67.49")),
        (4, "213", Decimal("0.51"), Decimal("0.52")),
        (4, None, Decimal("535.62"), Decimal("535.68")),
        (4, None, Decimal("327.63"), Decimal("327.57")),
        (4, None, Decimal("863.18"), Decimal("863.19")),
        (7, None, 2023, 2022),
    } <= listed
    social = next(r for r in rows if r["科目编码"] == "208")
    assert social["部门"] == SEED_DEPARTMENT and social["年度"] == 2024 and social["报表类型"] == "部门决算"
    assert social["报表"] == "一般公共预算财政拨款支出决算表" and social["报表页码"] == 18
    assert social["科目名称"] == "社会保障和就业支出" and social["单位"] == "万元"
    assert social["归属"].startswith("发布方")
    # every issue has its crop, in its row, a band of one printed line (wider than tall)
    for number in range(2, len(rows) + 2):
        assert number in images, rows[number - 2]
        width, height = images[number].size
        assert width > 3 * height > 0
    # and the table's figure each 情况说明 figure was checked against, beside it
    compared = _images(load_workbook(department_files[".xlsx"])["问题清单"], header.index("对照截图"))
    social_row = rows.index(social) + 2
    assert social["对照截图"] == "对照：一般公共预算财政拨款支出决算表 第18页" and social_row in compared
    year_row = next(n for n, r in enumerate(rows, start=2) if r["所在页"] == 7)
    assert year_row not in compared  # a year is no table's figure


def test_a_figure_in_a_table_is_cropped_by_its_recorded_cell(warehouse: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        boxed, facts = con.execute("select count(box_x0), count(*) from staging.stg_facts").fetchone()
        [(department,)] = con.execute(
            "select distinct d.department_name from marts.fct_quality_issue q join marts.dim_document d"
            " using (document_id) where q.check_name like 'hierarchy.%'"
        ).fetchall()
    assert boxed > 0.95 * facts  # only sums of repeated rows have no one cell
    paths = write_department_reports(warehouse, department, tmp_path)
    _, rows, images = _issue_rows(next(p for p in paths if p.suffix == ".xlsx"))
    in_tables = [n for n, r in enumerate(rows, start=2) if not str(r["说明"]).startswith("情况说明")]
    assert in_tables  # the changed cell breaks its row and its 款
    for number in in_tables:
        crop = images[number].convert("RGB")
        width, height = crop.size
        assert width > 5 * height  # the subject's row
        assert (220, 30, 30) in {crop.getpixel((x, y)) for x in range(width) for y in range(height)}  # the cell


def test_a_document_whose_file_has_moved_is_still_reported_with_a_note(
    warehouse: Path, corpus: Path, tmp_path: Path
) -> None:
    [seed_pdf] = corpus.glob("sc-leshan-jkh-qwb-2024-final-dept*.pdf")
    moved = seed_pdf.rename(tmp_path / seed_pdf.name)
    try:
        paths = write_department_reports(warehouse, SEED_DEPARTMENT, tmp_path / "out")
    finally:
        moved.rename(seed_pdf)
    _, rows, images = _issue_rows(next(p for p in paths if p.suffix == ".xlsx"))
    assert len(rows) == 7 and images == {}
    assert {r["原文截图"] for r in rows} == {f"原文件已不在 {seed_pdf}，无法截取"}


def test_a_region_is_matched_by_part_of_its_name(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert matching_regions(con, "金口河区") == ["乐山市金口河区"]
        assert len(matching_regions(con, "乐山市")) == 3
    with pytest.raises(RegionReportError, match="no region matches"):
        write_region_report(warehouse, "成都", 2024, Path("/nonexistent"))
    with pytest.raises(RegionReportError, match="no document of 2019"):
        write_region_report(warehouse, "金口河区", 2019, Path("/nonexistent"))


# --- headless Chromium -----------------------------------------------------------------------------------


def _chromium() -> str:
    """Debian's Chromium. A clean CI machine (root, Debian, apt reachable) installs it here; anywhere else a
    missing Chromium fails the test with what to do: the page's rendering is never silently left unchecked."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if apt_install("chromium"):
        found = shutil.which("chromium")
    if not found:
        pytest.fail("headless Chromium is needed to render the report pages: apt-get install -y chromium")
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # root needs --no-sandbox; a container's small /dev/shm, --disable-dev-shm-usage
        flags = ["--no-sandbox", "--disable-dev-shm-usage"]
        chromium = playwright.chromium.launch(executable_path=_chromium(), args=flags)
        yield chromium
        chromium.close()


def render(browser: object, page_path: Path) -> tuple[object, list[str], list[str]]:
    """The page opened from its file: (page, errors: script errors, console errors and failed requests,
    requests: every URL the page asked for)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    errors: list[str] = []
    requests: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on("console", lambda message: message.type == "error" and errors.append(f"console: {message.text}"))
    page.on("requestfailed", lambda request: errors.append(f"failed: {request.url} {request.failure}"))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page_path.as_uri(), wait_until="load")
    return page, errors, requests


def test_the_region_page_renders_offline_in_headless_chromium(warehouse: Path, tmp_path: Path, browser: object) -> None:
    path = write_region_report(warehouse, "乐山市", 2024, tmp_path)
    page, errors, requests = render(browser, path)
    assert errors == []
    assert requests == [path.as_uri()]  # self-contained: nothing fetched, no network
    headings = page.locator("h2").all_inner_texts()
    assert [h.split("、")[0] for h in headings] == ["一", "二", "三", "四", "五"]
    assert page.locator("svg").count() >= 4  # 类 by year (final, budget), departments, execution, 三公
    for svg in page.locator("svg").all():
        box = svg.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 100
    issues = page.locator("h2:has-text('数据质量问题') + table tbody tr").all_inner_texts()
    seed_issues = [row for row in issues if row.startswith(SEED_DEPARTMENT)]
    assert len(seed_issues) == 7 and any("67.49" in row and "67.48" in row for row in seed_issues)
    page.close()


def test_the_department_page_renders_with_its_crops(department_files: dict[str, Path], browser: object) -> None:
    page, errors, _ = render(browser, department_files[".html"])
    assert errors == []
    widths = page.locator("td.crop img").evaluate_all("images => images.map(i => i.naturalWidth)")
    assert len(widths) >= 7 and min(widths) > 100  # every data: PNG decoded (printed figures and compared cells)
    page.close()

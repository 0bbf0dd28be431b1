"""How a ruled table's rows become facts, in the layouts the regions print: tables drawn here cell by cell, as a
page's grid reaches the readers.

Each table is a list of rows of printed texts (the header rows first); every cell is drawn on its own, except
that "<" extends the cell on its left over one more column (a header over several columns).
"""

from __future__ import annotations

from decimal import Decimal

from extract.classification import load_classification
from extract.locate import TableBlock, TitleMatch
from extract.model import Fact
from extract.pages import Cell, Grid
from extract.readers import TableContext, TableResult, read_table
from extract.specs import load_specs

ROW_HEIGHT, COLUMN_WIDTH = 20.0, 80.0


def grid(rows: list[list[str]], page: int = 5) -> Grid:
    cells: list[list[Cell | None]] = []
    for r, row in enumerate(rows):
        spans: list[list] = []  # [first column, last column, text]
        for c, text in enumerate(row):
            if text == "<":
                spans[-1][1] = c
            else:
                spans.append([c, c, text])
        drawn: list[Cell | None] = []
        for first, last, text in spans:
            cell = Cell(text, first * COLUMN_WIDTH, r * ROW_HEIGHT, (last + 1) * COLUMN_WIDTH, (r + 1) * ROW_HEIGHT)
            drawn += [cell] * (last - first + 1)
        cells.append(drawn)
    width = len(rows[0]) * COLUMN_WIDTH
    return Grid(page, 0.0, len(rows) * ROW_HEIGHT, 0.0, width, cells, [c * COLUMN_WIDTH for c in range(len(rows[0]))])


def read(table_kind: str, *grids: Grid, unit: str = "万元", year: int = 2026) -> TableResult:
    specs = load_specs()
    block = TableBlock(TitleMatch(table_kind, "budget", table_kind), grids[0].page, unit, list(grids))  # type: ignore[arg-type]
    context = TableContext(specs.tables[table_kind], block, unit, specs, load_classification(), year)  # type: ignore[arg-type]
    return read_table(context)


def amounts(result: TableResult, measure: str = "total") -> dict[str, Decimal]:
    return {f.key: f.amount_yuan / 10000 for f in result.facts if f.fact_kind == "function" and f.measure == measure}


def checks(result: TableResult) -> set[str]:
    return {p.check_name for p in result.problems}


def test_codes_split_into_columns_with_the_class_printed_once_read_under_the_rows_above() -> None:
    result = read("expenditure", grid([
        ["科目编码", "", "", "科目名称", "合计"],
        ["类", "款", "项", "", ""],
        ["205", "", "", "教育支出", "6.20"],
        ["", "08", "", "进修及培训", "6.20"],
        ["", "", "03", "培训支出", "6.20"],
        ["212", "", "", "城乡社区支出", "25.22"],
        ["", "08", "", "国有土地使用权出让收入安排的支出", "25.22"],
        ["", "", "04", "农村基础设施建设支出", "25.22"],
    ]))  # fmt: skip
    assert amounts(result) == {
        "205": Decimal("6.20"), "20508": Decimal("6.20"), "2050803": Decimal("6.20"),
        "212": Decimal("25.22"), "21208": Decimal("25.22"), "2120804": Decimal("25.22"),
    }  # fmt: skip


def test_a_section_printed_without_its_leading_zero_is_read_padded_and_reported() -> None:
    result = read("gpb_basic_economic", grid([
        ["科目编码", "", "科目名称", "合计"],
        ["类", "款", "", ""],
        ["301", "", "工资福利支出", "10.00"],
        ["301", "2", "津贴补贴", "10.00"],
    ]))  # fmt: skip
    economic = {f.key for f in result.facts if f.fact_kind == "economic"}
    assert economic == {"301", "30102"}
    (mended,) = [p for p in result.problems if p.check_name == "code.printed_short"]
    assert (mended.page, mended.subject_code, mended.attributed_to) == (5, "30102", "publisher")


def test_an_unknown_code_printed_with_a_sibling_s_name_is_read_by_the_name_and_reported() -> None:
    result = read("expenditure", grid([
        ["科目编码", "科目名称", "合计"],
        ["201", "一般公共服务支出", "10.00"],
        ["20101", "人大事务", "10.00"],
        ["2010198", "行政运行", "10.00"],  # 98 is no 项 of 20101; its name is 2010101's
    ]))  # fmt: skip
    assert set(amounts(result)) == {"201", "20101", "2010101"}
    (issue,) = [p for p in result.problems if p.check_name == "code.name_disagrees"]
    assert "2010198" in issue.message and issue.subject_code == "2010101"


def test_a_two_digit_section_under_a_class_is_read_relative_to_it() -> None:
    result = read("gpb_expenditure", grid([
        ["功能科目编码", "功能科目名称", "合计"],
        ["208", "社会保障和就业支出", "113.28"],
        ["05", "行政事业单位养老支出", "113.28"],
        ["2080505", "机关事业单位基本养老保险缴费支出", "113.28"],
    ]))  # fmt: skip
    assert set(amounts(result)) == {"208", "20805", "2080505"}


def test_subjects_printed_once_per_unrevealed_budget_unit_are_summed_when_the_total_says_so() -> None:
    result = read("gpb_expenditure", grid([
        ["科目编码", "科目名称", "合计"],
        ["2010801", "行政运行", "10.00"],
        ["2080505", "机关事业单位基本养老保险缴费支出", "4.00"],
        ["2010801", "行政运行", "6.00"],  # the second unit's block: the codes start again
        ["2080505", "机关事业单位基本养老保险缴费支出", "1.00"],
        ["", "合计", "21.00"],
    ]))  # fmt: skip
    assert amounts(result) == {"2010801": Decimal("16.00"), "2080505": Decimal("5.00")}
    assert "rows.repeated_subjects_summed" in checks(result)


def test_a_subject_printed_twice_with_two_amounts_and_no_structure_to_sum_them_stays_a_conflict() -> None:
    result = read("gpb_expenditure", grid([
        ["科目编码", "科目名称", "合计"],
        ["2010801", "行政运行", "10.00"],
        ["2010801", "行政运行", "6.00"],
        ["", "合计", "10.00"],
    ]))  # fmt: skip
    assert "rows.repeated_subjects_summed" not in checks(result)
    assert [f.amount_yuan for f in result.facts if f.key == "2010801"] == [Decimal("100000.00"), Decimal("60000.00")]


def test_a_measure_printed_only_as_its_funds_shares_is_their_sum() -> None:
    result = read("income", grid([
        ["科目编码", "科目名称", "合计", "本年收入", "<", "上年结转结余", "<"],
        ["", "", "", "一般公共预算资金", "政府性基金预算资金", "一般公共预算资金", "单位资金"],
        ["201", "一般公共服务支出", "16.00", "10.00", "2.00", "3.00", "1.00"],
    ]))  # fmt: skip
    assert amounts(result, "carryover_begin") == {"201": Decimal("4.00")}
    assert amounts(result, "general_public_budget") == {"201": Decimal("10.00")}
    assert amounts(result, "government_fund") == {"201": Decimal("2.00")}


def test_an_amount_cell_with_a_name_run_over_into_it_keeps_its_figure() -> None:
    result = read("expenditure", grid([
        ["科目编码", "科目名称", "合计"],
        ["2080505", "机关事业单位基本养老保险", "缴费支出43.61"],
    ]))  # fmt: skip
    assert amounts(result) == {"2080505": Decimal("43.61")}
    assert "cell.words_spilled" in checks(result) and "unreadable_cell" not in checks(result)


def test_every_fact_read_from_a_cell_carries_the_cell_s_box_for_the_second_reading() -> None:
    result = read("expenditure", grid([["科目编码", "科目名称", "合计"], ["201", "一般公共服务支出", "1.00"]]))
    (fact,) = result.facts
    assert isinstance(fact, Fact) and fact.box == (2 * COLUMN_WIDTH, ROW_HEIGHT, 3 * COLUMN_WIDTH, 2 * ROW_HEIGHT)

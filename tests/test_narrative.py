"""What the 情况说明 compares, what it says of the funds' tables, and whose name is printed over the tables.

1. Comparisons: a direction word against the sign of the change, a stated change against the difference
   of the stated figures, a percentage against change ÷ base; 持平 means equal; 决算数大于/小于/等于预算数
   against the figures printed before it. Only what the sentence makes unambiguous.
2. The 政府性基金 / 国有资本经营 tables printed empty while the narrative states their figures, or printed
   with figures while the narrative says there are none.
3. The department named over the tables against the cover's.
4. Two real documents: their publishers' comparison slips (notes.md) reported, nothing else.

Small hand-written narratives and documents; the real files are read from ../shared when it is there.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from expectations import Gate
from expectations.document_checks import DocumentCheck
from expectations.heading_names import heading_name_checks, same_department
from expectations.narrative import narrative_checks
from expectations.narrative_comparison import comparison_checks
from expectations.narrative_funds import fund_checks
from extract import extract_document
from extract.model import CENT, DocumentMeta, ExtractedDocument, Fact, TableRead
from extract.preamble import name_in
from extract.text import fold
from tests.shared_data import REAL as REAL_CORPUS

PAGE = 9
MINE = ("narrative.change_", "narrative.empty_table", "heading.")


def wan(text: str) -> Decimal:
    return (Decimal(text) * 10000).quantize(CENT)


def compared(text: str) -> list[DocumentCheck]:
    """Every comparison check of a narrative printed on one page."""
    return comparison_checks(fold(text), lambda offset: PAGE)


def reported(text: str) -> list[DocumentCheck]:
    return [c for c in compared(text) if not c.holds]


# --- 1. comparisons --------------------------------------------------------------------------------------


def test_a_narrative_that_says_增加_where_the_figure_fell_is_reported_with_its_page() -> None:
    # sh-putuo-sfj p9: 43269.3 is a typo for 3269.3 (which gives the stated +17.62%).
    [wrong] = reported(
        "6、其他司法支出（99项）3845.49万元。2025年当年预算执行数为43269.3万元，"
        "2026年预算安排3845.49万元，比2025年预算执行数增加17.62%。"
    )
    assert (wrong.check_name, wrong.page, wrong.attributed_to) == ("narrative.change_direction", PAGE, "publisher")
    assert "应为减少，而非增加" in wrong.message and "43269.3万元" in wrong.evidence


def test_a_stated_change_that_is_not_the_difference_of_the_stated_figures_is_reported() -> None:
    [wrong] = reported("2026年支出预算29956.27万元，比2025年年初预算数28479.84万元增加1476.73万元，增长5.18%。")
    assert (wrong.check_name, wrong.expected, wrong.actual) == (
        "narrative.change_amount",
        wan("1476.43"),
        wan("1476.73"),
    )
    assert reported("2026年支出预算29956.27万元，比2025年年初预算数28479.84万元增加1476.43万元，增长5.18%。") == []


def test_a_percentage_that_is_not_the_change_over_the_earlier_figure_is_reported() -> None:
    [wrong] = reported("2025年当年预算执行数为198.34万元，2026年预算安排201.50万元，比2025年预算执行数增加5.27%。")
    assert wrong.check_name == "narrative.change_rate" and "应为 1.59%，而非 5.27%" in wrong.message


def test_the_base_of_a_stated_increase_is_the_figure_less_the_increase() -> None:
    # 101.48 ÷ (6106.99 − 101.48) = 1.69%; the publisher divided by the new figure (1.66%).
    [wrong] = reported("行政运行（项）支出6106.99万元，与上年相比增加101.48万元，增长1.66%。")
    assert "101.48万元 ÷（6106.99万元 − 101.48万元）" in wrong.message and "应为 1.69%" in wrong.message
    # and plus a decrease: 134 ÷ (1,895 + 134) = 6.60%, printed 0.66%
    [slip] = reported("检察监督支出（项）1,895万元，与上年相比减少134万元，降幅0.66%。")
    assert "应为 6.60%" in slip.message


def test_percentages_rounded_or_truncated_from_unrounded_figures_hold() -> None:
    text = (
        "行政运行（项）支出10,883.36万元，与上年相比增加2,915.22万元，增长36.58%。"  # 36.586% truncated
        "部门预算收入5,417.80万元，较2025年年初预算增加206.09万元，增长4.0%。"
        "2025年当年预算执行数为0.50万元，2026年预算安排0.64万元，比2025年预算执行数增加28%。"
        "2026年度收入预算9626.78万元，比2025年年初预算数9819.98万元减少193.20万元，下降1.97%。"
    )
    checks = compared(text)
    assert checks and all(c.holds for c in checks)
    assert {c.check_name for c in checks} == {
        "narrative.change_rate",
        "narrative.change_direction",
        "narrative.change_amount",
    }


def test_持平_means_the_two_figures_are_equal() -> None:
    assert reported("2022年当年预算执行数为15.00万元，2023年预算安排15.00万元，比2022年预算执行数持平。") == []
    [wrong] = reported("2022年当年预算执行数为15.00万元，2023年预算安排16.00万元，比2022年预算执行数持平。")
    assert wrong.check_name == "narrative.change_direction" and "应为增加，而非持平" in wrong.message


def test_an_increase_larger_than_the_figure_itself_is_reported() -> None:
    # wild-more 普陀区万里街道 2023: a line copied from the row above.
    [wrong] = reported("政府性基金拨款支出预算0万元，比2022年预算增加1421.25万元。")
    assert (wrong.check_name, wrong.expected, wrong.actual) == ("narrative.change_amount", wan("0"), wan("1421.25"))


def test_a_change_and_its_percentage_in_opposite_directions_are_reported() -> None:
    [wrong] = reported("公务接待费12.00万元，比上年增加3.00万元，下降20.00%。")
    assert wrong.check_name == "narrative.change_direction" and "既称增加又称减少" in wrong.message


def test_a_comparison_opening_its_sentence_speaks_of_the_previous_sentences_only_figure() -> None:
    good = "2024年度收、支总计均为863.44万元。与2023年度相比，收、支总计各减少214.57万元，下降19.90%。"
    assert [c.holds for c in compared(good)] == [True]
    [wrong] = reported(good.replace("19.90%", "25.00%"))
    assert "863.44万元" in wrong.evidence and "应为 19.90%" in wrong.message


def test_what_the_sentence_leaves_ambiguous_is_not_checked() -> None:
    text = (
        "机关运行经费支出XXX万元，比2023年度增加（减少）XXX万元，增长（下降）XX%。"  # a template not filled in
        "因公出国（境）支出决算比2023年度增加/减少0万元，增长/下降0%。"
        "收入预算100.00万元，其中：一般公共预算80.00万元、政府性基金20.00万元，比上年增加10.00万元，增长50.00%。"
        "因公出国（境）费0万元，与上年基本持平。"
        "2022年当年预算执行数为0万元，2023年预算安排60.13万元，比2022年预算执行数增加100.00%。"  # no base: no rate
        "公务接待费1668.14万元，比上年决算数相比变化0万元，增长0%。"
        "收入比2025年减少86,685.29万元，主要是一般公共预算拨款减少7,885.67万元。"
    )
    assert reported(text) == []


def test_a_final_figure_against_its_budget_must_go_the_way_the_narrative_says() -> None:
    text = (
        "3、机关事业单位基本养老保险缴费支出（项）。年初预算为452.40万元，支出决算为446.11万元，"
        "完成年初预算的98.61%。决算数小于预算数的主要原因：机构改革人员变动。"
        "4、行政单位离退休（项）。年初预算为54.53万元，支出决算为54.53万元，完成年初预算的100.00%。"
        "决算数同预算数持平。"
        "5、行政运行（项）：支出决算数为367.89万元，完成预算100%，决算数等于预算数的主要原因是严格执行。"
    )
    assert [c.holds for c in compared(text)] == [True, True, True]
    [wrong] = reported(text.replace("决算数小于预算数", "决算数大于预算数"))
    assert "年初预算452.40万元、决算446.11万元" in wrong.message and wrong.page == PAGE
    [equal] = reported("支出决算数为58.64万元，完成预算99.50%，决算数等于预算数的主要原因是严格执行。")
    assert "决算数应小于预算数" in equal.message


# --- 2. the funds' tables -----------------------------------------------------------------------------------


def document(
    tables: list[TableRead],
    facts: list[Fact],
    narrative: dict[int, str],
    cover: str = "测试区测试局",
    preambles: dict[int, str] | None = None,
) -> ExtractedDocument:
    meta = DocumentMeta("ab" * 32, "test.pdf", cover, 2024, None, "department", "测试区", 30)
    return ExtractedDocument(
        meta=meta, tables=tables, facts=facts, narrative=narrative, table_preambles=preambles or {}
    )


def gov_fund_table(empty: bool) -> TableRead:
    return TableRead("gov_fund", "政府性基金预算财政拨款收入支出决算表", 18, 18, "万元", empty)


def fund_report(doc: ExtractedDocument) -> list[DocumentCheck]:
    text = fold("".join(doc.narrative.values()))
    return fund_checks(doc, text, lambda offset: min(doc.narrative))


def test_a_fund_figure_stated_for_a_table_printed_empty_is_reported_with_both_pages() -> None:
    doc = document([gov_fund_table(empty=True)], [], {12: "2024年度政府性基金预算财政拨款支出25.22万元。"})
    [wrong] = fund_report(doc)
    assert (wrong.check_name, wrong.holds, wrong.page, wrong.table_kind) == (
        "narrative.empty_table",
        False,
        12,
        "gov_fund",
    )
    assert "第12页" in wrong.message and "第18页" in wrong.message and wrong.actual == wan("25.22")


def test_a_fund_the_narrative_says_is_nil_while_its_table_prints_figures_is_reported() -> None:
    facts = [
        Fact("gov_fund", "government_fund", "function", "2120801", "total", wan("30.00"), 18),
        Fact("fiscal_summary", "government_fund", "summary", "expense.total", "amount", wan("30.00"), 6),
    ]
    said = {
        12: "（八）政府性基金预算财政拨款支出决算情况说明。本单位2024年度没有使用政府性基金预算拨款安排的支出，"
        "故本表为空表。"
    }
    [wrong] = fund_report(document([gov_fund_table(empty=False)], facts, said))
    assert not wrong.holds and "30.00 万元" in wrong.message and "第6页" in wrong.evidence
    # the fund's figures printed in its own table only (perhaps another table read under its title): not certain
    assert fund_report(document([gov_fund_table(empty=False)], facts[:1], said)) == []


def test_a_carry_over_an_income_or_a_city_named_无锡_is_not_the_fund_said_nil() -> None:
    facts = [
        Fact("gov_fund", "government_fund", "function", "2120801", "total", wan("30.00"), 18),
        Fact("fiscal_summary", "government_fund", "summary", "expense.total", "amount", wan("30.00"), 6),
    ]
    for words in (
        "本部门无2023年结转的政府性基金预算拨款支出。",
        "2018年本部门无政府性基金预算收入。",
        "无锡市应急管理局2026年政府性基金支出预算支出30万元。",
    ):
        assert all(c.holds for c in fund_report(document([gov_fund_table(empty=False)], facts, {12: words}))), words


def test_a_fund_said_nil_with_its_table_printed_empty_holds() -> None:
    doc = document([gov_fund_table(empty=True)], [], {12: "本部门无当年政府性基金预算收支，并已公开空表。"})
    assert [c.holds for c in fund_report(doc)] == [True]


# --- 3. the department over the tables -------------------------------------------------------------------------


def test_a_table_headed_with_another_departments_name_is_reported_with_its_pages() -> None:
    doc = document(
        [],
        [],
        {},
        cover="上海市普陀区司法局",
        preambles={10: "上海市普陀区司法局", 11: "上海市普陀区民政局", 12: "上海市普陀区民政局"},
    )
    checks = heading_name_checks(doc)
    [wrong] = [c for c in checks if not c.holds]
    assert (wrong.check_name, wrong.page) == ("heading.department_name", 11)
    assert "第11页、第12页" in wrong.message and "上海市普陀区司法局" in wrong.evidence


def test_the_same_department_written_another_way_is_not_reported() -> None:
    cover = "上海市普陀区规划和自然资源局"
    for printed in ("上海市规划和自然资源局", "普陀区规划和自然资源局", "上海市普陀区规划和自然资源局（本级）"):
        assert same_department(cover, printed), printed
    assert same_department("中共江苏省委办公厅", "江苏省委办公厅")
    assert same_department("中国共产党广州市委员会宣传部", "广州市委宣传部")
    assert same_department("深圳市人民政府办公厅", "深圳市政府办公厅")
    assert same_department("市交通运输局", "西安市交通运输局")  # a cover read short
    assert not same_department(cover, "上海市普陀区民政局")
    assert not same_department("深圳市人力资源和社会保障局", "深圳市社会保险基金管理局")


def test_a_unit_the_narrative_names_is_not_another_department() -> None:
    doc = document(
        [],
        [],
        {3: "本部门下属单位包括：上海市普陀区法律援助中心。"},
        cover="上海市普陀区司法局",
        preambles={15: "上海市普陀区法律援助中心"},
    )
    assert [c.holds for c in heading_name_checks(doc)] == [True]


def test_the_name_over_a_table_is_read_from_its_label_or_its_heading() -> None:
    assert name_in("部门（单位）：烟台市信访局 单位：万元") == "烟台市信访局"
    assert name_in("编制单位：上海市医疗保险事业管理中心 单位：元") == "上海市医疗保险事业管理中心"
    assert name_in("单位名称重庆市商务委员会单位万元") == "重庆市商务委员会"
    assert name_in("部门名称：深圳市统计局（本级） 单位：万元") == "深圳市统计局(本级)"
    assert name_in("苏州市数据局2026年度部门预算公开") == "苏州市数据局"
    assert name_in("上海市规划和自然资源局 2024 年度部门决算表") == "上海市规划和自然资源局"
    for line in ("单位：万元", "金额单位：元", "经营收入上级补助收入附属单位上缴收入其他收入", "2026年部门预算"):
        assert name_in(line) is None, line


# --- the gate reports them ---------------------------------------------------------------------------------------


def test_the_gate_reports_a_comparison_slip_as_the_publishers_warning_with_its_evidence() -> None:
    doc = document([], [], {8: "行政运行（项）支出6106.99万元，与上年相比增加101.48万元，增长1.66%。"})
    result = Gate().check(doc)
    [issue] = [p for p in result.issues if p.check_name == "narrative.change_rate"]
    assert (issue.severity, issue.page, issue.attributed_to) == ("warning", 8, "publisher")
    assert "6106.99万元" in (issue.evidence or "") and result.status == "loaded"


# --- 4. real documents ------------------------------------------------------------------------------------------


def _real(folder: str) -> ExtractedDocument:
    pdf = next((REAL_CORPUS / folder).glob("*.pdf"))
    return extract_document(pdf.read_bytes(), pdf.name)


@pytest.mark.skipif(not (REAL_CORPUS / "sh-putuo-sfj-2026-budget-dept").is_dir(), reason="the real corpus is not here")
def test_the_real_budgets_comparison_slips_are_reported_and_nothing_else() -> None:
    # notes.md p9: 43269.3 (a typo for 3269.3), 住房公积金 +5.27% (201.50 vs 198.34 is +1.59%), 职业年金 77.99→91.97
    # stated +17.66% (17.93%).
    doc = _real("sh-putuo-sfj-2026-budget-dept")
    mine = [c for c in narrative_checks(doc) if c.check_name.startswith(MINE)]
    wrong = sorted((c.page, c.check_name, c.message.split("“")[1].split("”")[0]) for c in mine if not c.holds)
    assert wrong == [
        (9, "narrative.change_direction", "43269.3万元,2026年预算安排3845.49万元,比2025年预算执行数增加17.62%"),
        (9, "narrative.change_rate", "198.34万元,2026年预算安排201.50万元,比2025年预算执行数增加5.27%"),
        (9, "narrative.change_rate", "77.99万元,2026年预算安排91.97万元,比2025年预算执行数增加17.66%"),
    ]
    assert sum(c.holds for c in mine) >= 20  # the other eleven items' comparisons, the funds, the name


@pytest.mark.skipif(not (REAL_CORPUS / "sh-putuo-ghzy-2024-final-dept").is_dir(), reason="the real corpus is not here")
def test_the_real_final_accounts_comparisons_and_name_without_its_district_hold() -> None:
    # p7 prints 上海市规划和自然资源局 over the tables (the district left out); 决算数小于/同预算数 on p21–p25
    # agree with the figures; "下降（增长）27.78%" is a template alternative, not checked.
    doc = _real("sh-putuo-ghzy-2024-final-dept")
    mine = [c for c in narrative_checks(doc) if c.check_name.startswith(MINE)]
    assert [c for c in mine if not c.holds] == []
    assert doc.table_preambles.get(7) == "上海市规划和自然资源局"
    names = {c.check_name for c in mine}
    assert {"heading.department_name", "narrative.change_direction", "narrative.change_rate"} <= names

"""Reference data a bureau trusts: subjects with their 类/款/项 path names and every name a code has carried.

A warehouse holding the seed's department (中共乐山市金口河区委办公室, 2024 部门决算, extracted from its PDF) and
the same department's tables as a 2018 report would print them: 210 under its name of the time
(医疗卫生与计划生育支出), one 项 and one economic 款 printed with a name that is none of theirs.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

import pytest

from extract import extract_document
from extract.model import ExtractedDocument
from samples.seed import build_seed_document
from tests.test_warehouse import connect
from warehouse import raw
from warehouse.dbt import build_warehouse

# A 2018 report of the same department: what it prints instead of the seed's labels.
PRINTED_IN_2018 = {
    ("function", "210"): "九、医疗卫生与计划生育支出",  # the class's name until 2018: no issue
    ("function", "2013150"): "行政运行",  # 事业运行's sibling's name: contradicts the list
    ("economic", "30113"): "提租补贴",  # a former 30312's name: contradicts the list
    ("function", "2080505"): "机关事业单位基本养老保险缴费",  # cut short by its cell: no issue
}


def as_printed_in_2018(seed: ExtractedDocument) -> ExtractedDocument:
    meta = dataclasses.replace(
        seed.meta, document_id="0" * 64, file_name="sc-leshan-jkh-qwb-2018-final-dept.pdf", fiscal_year=2018
    )
    facts = [
        dataclasses.replace(fact, row_label=PRINTED_IN_2018.get((fact.fact_kind, fact.key), fact.row_label))
        for fact in seed.facts
    ]
    return dataclasses.replace(seed, meta=meta, facts=facts)


@dataclasses.dataclass(frozen=True)
class Built:
    path: Path
    seed: ExtractedDocument
    earlier: ExtractedDocument


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("subjects")
    path = root / "warehouse.duckdb"
    seed = extract_document(build_seed_document().rendered.pdf, "sc-leshan-jkh-qwb-2024-final-dept.pdf")
    earlier = as_printed_in_2018(seed)
    with connect(path) as con:
        raw.ensure_schema(con)
        for doc in (seed, earlier):
            raw.load_document(
                con,
                doc,
                status="loaded",
                status_reason=None,
                issues=[],
                file_path=f"/corpus/{doc.meta.file_name}",
                extractor_version="test",
                ingested_at=datetime(2025, 10, 1, 9, 0),
            )
    outcome = build_warehouse(path, work_dir=root / "dbt")
    assert outcome.success, outcome
    return Built(path, seed, earlier)


def test_every_function_subject_row_carries_its_path_names(built: Built) -> None:
    with connect(built.path) as con:
        rows = con.execute(
            "select subject_code, class_name, section_name, path_name from marts.dim_function_subject"
            " where subject_code in ('201', '20131', '2013101', '2101101') order by 1"
        ).fetchall()
        missing = con.execute("select count(*) from marts.dim_function_subject where path_name is null").fetchone()
    assert rows == [
        ("201", "一般公共服务支出", None, "一般公共服务支出"),
        (
            "20131",
            "一般公共服务支出",
            "党委办公厅（室）及相关机构事务",
            "一般公共服务支出 / 党委办公厅（室）及相关机构事务",
        ),
        (
            "2013101",
            "一般公共服务支出",
            "党委办公厅（室）及相关机构事务",
            "一般公共服务支出 / 党委办公厅（室）及相关机构事务 / 行政运行",
        ),
        ("2101101", "卫生健康支出", "行政事业单位医疗", "卫生健康支出 / 行政事业单位医疗 / 行政单位医疗"),
    ]
    assert missing == (0,)


def test_every_economic_subject_row_carries_its_path_names(built: Built) -> None:
    with connect(built.path) as con:
        rows = con.execute(
            "select econ_code, class_name, path_name, valid_from, valid_to from marts.dim_economic_subject"
            " where econ_code in ('301', '30101', '30312') order by 1"
        ).fetchall()
    assert rows == [
        ("301", "工资福利支出", "工资福利支出", 2018, None),
        ("30101", "工资福利支出", "工资福利支出 / 基本工资", 2018, None),
        ("30312", "对个人和家庭的补助", "对个人和家庭的补助 / 提租补贴", None, 2017),  # ended by the 2018 reform
    ]


def test_a_renamed_class_keeps_both_names_with_their_years_and_documents(built: Built) -> None:
    with connect(built.path) as con:
        rows = con.execute(
            "select subject_name, valid_from, valid_to, source, document_count, first_document_id, first_seen_year"
            " from marts.dim_function_subject_name where subject_code = '210' order by valid_to nulls last"
        ).fetchall()
    assert rows == [
        ("医疗卫生与计划生育支出", None, 2018, "code list", 1, built.earlier.meta.document_id, 2018),
        ("卫生健康支出", 2019, None, "code list", 1, built.seed.meta.document_id, 2024),
    ]


def test_a_name_only_documents_print_is_kept_as_their_evidence(built: Built) -> None:
    with connect(built.path) as con:
        rows = con.execute(
            "select subject_code, subject_name, valid_from, valid_to, source, document_count"
            " from marts.dim_function_subject_name where source = 'documents' order by 1"
        ).fetchall()
        economic = con.execute(
            "select econ_code, econ_name, source, document_count, first_seen_year"
            " from marts.dim_economic_subject_name where econ_code = '30113' order by 2"
        ).fetchall()
    assert rows == [
        ("2013150", "行政运行", 2018, 2018, "documents", 1),
        ("2080505", "机关事业单位基本养老保险缴费", 2018, 2018, "documents", 1),
    ]
    assert economic == [("30113", "住房公积金", "code list", 1, 2024), ("30113", "提租补贴", "documents", 1, 2018)]


def test_only_a_name_that_contradicts_the_list_is_a_quality_issue(built: Built) -> None:
    with connect(built.path) as con:
        issues = con.execute(
            "select document_id, check_name, severity, attributed_to, subject_code, printed, message, table_kind, page"
            " from intermediate.int_subject_name_conflicts order by subject_code"
        ).fetchall()
    earlier = built.earlier.meta.document_id
    assert [issue[:7] for issue in issues] == [
        (
            earlier,
            "subject.name_contradicts_list",
            "warning",
            "publisher",
            "2013150",
            "行政运行",
            f"科目 2013150 印为“行政运行”（第{first_page(built.earlier, '2013150')}页），"
            "而支出功能分类科目 2018 年的名称为“事业运行”",
        ),
        (
            earlier,
            "economic_subject.name_contradicts_list",
            "warning",
            "publisher",
            "30113",
            "提租补贴",
            f"科目 30113 印为“提租补贴”（第{first_page(built.earlier, '30113')}页），"
            "而部门预算支出经济分类科目 2018 年的名称为“住房公积金”",
        ),
    ]
    for *_, table_kind, page in issues:
        assert any(f.table_kind == table_kind and f.page == page for f in built.earlier.facts)


def first_page(doc: ExtractedDocument, code: str) -> int:
    return min(f.page for f in doc.facts if f.key == code)

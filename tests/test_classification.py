"""The classification code lists: real facts of 《政府收支分类科目》 and the lists' own consistency."""

from __future__ import annotations

import pytest

from extract.classification import Classification, load_classification


@pytest.fixture(scope="module")
def cls() -> Classification:
    return load_classification()


def test_loader_is_cached() -> None:
    assert load_classification() is load_classification()


def test_pension_item_hierarchy(cls: Classification) -> None:
    item = cls.function["2080505"]
    assert item.name == "机关事业单位基本养老保险缴费支出"
    assert item.level == "项"
    assert item.class_code == "208"
    assert item.section_code == "20805"
    assert item.parent_code == "20805"
    assert cls.parent("2080505") == "20805"
    assert cls.function["20805"].name == "行政事业单位养老支出"
    assert cls.function["208"].name == "社会保障和就业支出"
    assert cls.function["208"].parent_code is None
    assert cls.function["208"].section_code is None


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("201", "一般公共服务支出"),
        ("207", "文化旅游体育与传媒支出"),
        ("210", "卫生健康支出"),
        ("220", "自然资源海洋气象等支出"),
        ("224", "灾害防治及应急管理支出"),
        ("234", "抗疫特别国债安排的支出"),
        ("20131", "党委办公厅（室）及相关机构事务"),
        ("2013101", "行政运行"),
        ("21305", "巩固脱贫攻坚成果衔接乡村振兴"),
        ("2130599", "其他巩固脱贫攻坚成果衔接乡村振兴支出"),
        ("2101101", "行政单位医疗"),
        ("2210201", "住房公积金"),
    ],
)
def test_current_names(cls: Classification, code: str, name: str) -> None:
    assert cls.function[code].name == name


def test_level_and_parent_from_code_shape(cls: Classification) -> None:
    # Works for codes that are not in the list too.
    assert cls.function_level("201") == "类"
    assert cls.function_level("20131") == "款"
    assert cls.function_level("9999901") == "项"
    assert cls.parent("9999901") == "99999"
    assert cls.parent("99999") == "999"
    assert cls.parent("999") is None
    assert cls.function_level("2013") is None
    assert cls.function_level("abc") is None
    assert not cls.is_known_function("9999901")
    assert cls.is_known_function("2013101")


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("卫生健康支出", "210"),
        ("医疗卫生与计划生育支出", "210"),
        ("卫生健康（类）", "210"),
        ("一般公共服务（类）", "201"),
        ("一般公共服务支出(类)", "201"),
        ("社会保障和就业", "208"),
        ("住 房 保 障 支 出", "221"),
        ("文化体育与传媒支出", "207"),
        ("国土海洋气象等支出", "220"),
        ("农林水", "213"),
    ],
)
def test_class_code_for_name(cls: Classification, name: str, code: str) -> None:
    assert cls.class_code_for_name(name) == code


@pytest.mark.parametrize("name", ["行政运行", "本年支出合计", "结余分配", "其他", ""])
def test_class_code_for_name_rejects_non_classes(cls: Classification, name: str) -> None:
    assert cls.class_code_for_name(name) is None


def test_economic_codes(cls: Classification) -> None:
    basic_wage = cls.economic["30101"]
    assert basic_wage.name == "基本工资"
    assert basic_wage.level == "款"
    assert basic_wage.class_code == "301"
    assert cls.economic["301"].name == "工资福利支出"
    assert cls.economic["302"].name == "商品和服务支出"
    assert cls.economic["30299"].name == "其他商品和服务支出"
    assert cls.economic["310"].name == "资本性支出"
    assert cls.economic_level("30101") == "款"
    assert cls.economic_parent("30101") == "301"
    assert cls.is_known_economic("30217")
    assert not cls.is_known_economic("30100")


def test_every_section_has_its_class(cls: Classification) -> None:
    missing = [c for c, s in cls.function.items() if s.level == "款" and s.class_code not in cls.function]
    assert not missing


def test_every_item_has_its_section(cls: Classification) -> None:
    missing = [c for c, s in cls.function.items() if s.level == "项" and s.parent_code not in cls.function]
    assert not missing


def test_every_economic_section_has_its_class(cls: Classification) -> None:
    missing = [c for c, e in cls.economic.items() if e.level == "款" and e.class_code not in cls.economic]
    assert not missing


def test_names_non_empty_and_years_sane(cls: Classification) -> None:
    for subject in cls.function.values():
        assert subject.name.strip(), subject.code
        assert 2000 <= subject.valid_from <= 2100
        assert subject.valid_to is None or subject.valid_to >= subject.valid_from
    for econ in cls.economic.values():
        assert econ.name.strip(), econ.code
        assert econ.valid_from is None or 2000 <= econ.valid_from <= 2100
        assert econ.valid_to is None or econ.valid_from is None or econ.valid_to >= econ.valid_from


def test_csv_names_of_one_code_do_not_overlap_in_years() -> None:
    import csv
    from importlib import resources

    for name in ("function_subjects.csv", "economic_subjects.csv"):
        text = resources.files("extract.classification").joinpath(name).read_text(encoding="utf-8")
        rows = list(csv.reader(text.splitlines()[1:]))
        assert len({(r[0], r[1]) for r in rows}) == len(rows), f"{name}: a code lists one name twice"
        current = [r[0] for r in rows if not r[3]]
        assert len(current) == len(set(current)), f"{name}: a code has two current names"


@pytest.mark.parametrize(
    ("code", "year", "name"),
    [
        ("210", 2018, "医疗卫生与计划生育支出"),
        ("210", 2019, "卫生健康支出"),
        ("207", 2018, "文化体育与传媒支出"),
        ("220", 2019, "自然资源海洋气象等支出"),
        ("20805", 2019, "行政事业单位离退休"),  # printed so by Jiangsu's 2017-2019 budgets
        ("20805", 2020, "行政事业单位养老支出"),
        ("2040405", 2017, "公诉和审判监督"),
        ("2040405", 2018, "公诉、审判、侦查、执行等检察监督支出"),
        ("2013101", 2016, "行政运行"),  # before the list's records: its earliest name
    ],
)
def test_function_name_in_year(cls: Classification, code: str, year: int, name: str) -> None:
    assert cls.function_name_in(code, year) == name


def test_a_renamed_code_resolves_by_every_name(cls: Classification) -> None:
    assert cls.function["210"].name == "卫生健康支出"
    assert [n.name for n in cls.function["210"].names] == ["医疗卫生与计划生育支出", "卫生健康支出"]
    assert cls.child_code_for_name("208", "行政事业单位离退休") == "20805"
    assert cls.child_code_for_name("208", "行政事业单位养老支出") == "20805"
    assert cls.child_code_for_name("20404", "公诉和审判监督") == "2040405"


@pytest.mark.parametrize(
    ("code", "year", "name"),
    [
        ("30311", 2017, "住房公积金"),  # the 2018 reform moved it to 30113
        ("30311", 2018, "代缴社会保险费"),
        ("30307", 2017, "医疗费"),
        ("30307", 2018, "医疗费补助"),
        ("310", 2017, "其他资本性支出"),
        ("310", 2018, "资本性支出"),
        ("30113", 2018, "住房公积金"),
        ("30312", 2017, "提租补贴"),
        ("30312", 2018, None),  # ended with the reform
    ],
)
def test_economic_name_in_year(cls: Classification, code: str, year: int, name: str | None) -> None:
    assert cls.economic_name_in(code, year) == name


def test_economic_name_lookup_prefers_current_names(cls: Classification) -> None:
    assert cls.economic_code_for_name("其他资本性支出", "310") == "31099"
    assert cls.economic_code_for_name("其他资本性支出", None) == "310"
    assert cls.economic_code_for_name("住房公积金", "301") == "30113"


def test_class_names_are_unique(cls: Classification) -> None:
    names = [s.name for s in cls.function.values() if s.level == "类"]
    assert len(names) == len(set(names))


def test_a_name_printed_without_its_code_means_the_code_still_in_use() -> None:
    # 30104 其他社会保障缴费 ended in 2017; the name is 30112's since 2018.
    classification = load_classification()
    assert classification.economic_code_for_name("其他社会保障缴费", "301") == "30112"
    assert classification.economic_name_in("30104", 2017) == "其他社会保障缴费"

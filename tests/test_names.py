"""What reads as an organisation's name, on a cover, over a table or in a file name (extract/names.py)."""

from __future__ import annotations

import pytest

from extract.names import is_organisation


@pytest.mark.parametrize(
    "name",
    [
        "乐山市金口河区教育局",
        "中共乐山市金口河区委办公室",
        "乐山市金口河区疾病预防控制中心",
        "乐山市金口河区实验小学",  # schools publish their own 单位预算
        "金口河区第一中学",
        "四川大学",
        "乐山市金口河区幼儿园",
        "乐山市金口河区卫生健康局（本级）",
    ],
)
def test_a_budget_unit_s_name_reads_as_an_organisation(name: str) -> None:
    assert is_organisation(name)


@pytest.mark.parametrize("words", ["教学", "科学技术", "部门预算说明中学", "一般公共预算支出表", "合计", "局"])
def test_heading_and_table_words_do_not(words: str) -> None:
    assert not is_organisation(words)

"""The budget units a department's document says it consolidates, as its 部门概况 lists them:

    纳入乐山市金口河区教育局2022年部门预算编制范围的单位包括：1. 乐山市金口河区实验小学 2. …
    编制范围的二级预算单位包括：1.烟台市应急管理局 2.烟台市应急管理综合行政执法支队 …
    下属单位具体包括：珠海市贸易服务中心、珠海市会议展览局。
    下属 5 个二级预算单位，分别是：北京市司法局本级，属全额拨款行政单位；北京市法律援助中心，…

A unit's own 单位预算 prints nothing of its department; its department's document naming it is the
structural link between them (dbt: dim_department.parent_department_id). A pure function of the narrative
pages' text: the list after such an opening, up to the sentence's end or the next heading, split at its
numbering and separators, each piece kept when it reads as an organisation's name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

from extract.names import ORGANISATION_ENDS

_OPENING = re.compile(
    r"(?:编制范围的(?:二级)?(?:预算)?单位(?:包括|有)"
    r"|(?:下属|所属)(?:单位|预算单位|二级预算单位)?具体包括"
    r"|(?:下属|所属)\s*\d*\s*(?:个|家)?(?:二级)?(?:预算)?单位[^。：:]{0,12}?(?:分别是|分别为|包括|具体包括)"
    r"|预算单位\s*\d+\s*个[，,]?具体包括"
    r"|具体包括)[:：]?"
)
_ITEM_MARK = re.compile(r"(?:\d+\s*[.、．]|[（(][一二三四五六七八九十\d]+[)）])")
# where the list ends: a full stop no numbered item follows, or a heading (二、 / 第二部分) opening a line
_END = re.compile(
    r"。(?!\s*" + _ITEM_MARK.pattern + r")|\n\s*(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十]+部分)"
)
_PAGE_NUMBER = re.compile(r"[-—–]\s*\d+\s*[-—–]")  # "- 2 -", "— 5 —": a page's footer inside the list
_SEPARATORS = re.compile(r"[、；;，,]|(?<=[局委院心站队馆所团会校])(?:和|及)(?=[\u4e00-\u9fff])")
# what a list says of a unit beside its name: its kind, its funding, that it is the department's own organ
_REMARK = re.compile(
    r"[（(][^）)]*(?:单位|本级|机关|本部|行政|事业)[^）)]*[)）]$|[，,]?属.{0,12}单位$|本级(?:行政|事业)?$|机关$"
)
_NAME = re.compile(r"[\u4e00-\u9fff（）()A-Za-z]{4,40}")
_UNIT_ENDS = ORGANISATION_ENDS | frozenset("学村")
_NOT_A_NAME = re.compile(r"预算|决算|合计|科目|收入|支出|经费|拨款|单位$|部门$")


class ListedUnit(NamedTuple):
    page: int
    name: str


def units_listed(narrative: Mapping[int, str]) -> list[ListedUnit]:
    """Every unit the narrative pages list as consolidated by the document, each name once (first page)."""
    found: dict[str, ListedUnit] = {}
    for page, text in sorted(narrative.items()):
        for opening in _OPENING.finditer(text):
            rest = text[opening.end() :]
            end = _END.search(rest)
            for name in _names(rest[: end.start()] if end else rest[:600]):
                found.setdefault(name, ListedUnit(page, name))
    return list(found.values())


def _names(listing: str) -> list[str]:
    joined = re.sub(r"\s+", "", _PAGE_NUMBER.sub("", listing))  # names wrap over lines
    names = []
    for piece in _SEPARATORS.split(_ITEM_MARK.sub("、", joined)):
        name = _REMARK.sub("", piece.strip("：:。.—-")).strip()
        if _NAME.fullmatch(name) and name[-1] in _UNIT_ENDS and not _NOT_A_NAME.search(name):
            names.append(name)
    return names

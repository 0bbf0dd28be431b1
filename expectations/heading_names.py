"""The department named over the tables against the one on the cover.

Publishers print the department over each table ("部门（单位）：XX局", "编制单位：…", "单位名称：…", or the
heading "XX局2026年度部门预算公开"); extract.preamble reads them into `doc.table_preambles`. A table headed
with another department's name is a copy of someone else's table, or a template not filled in: the
bureau sends it back. The same department printed another way is not reported: a 简称 or 全称 (one name
ends with the other), the district or city left out ("上海市规划和自然资源局" for "上海市普陀区规划和自然资源局"),
（本级）/（汇总）, 中共 / 中国共产党, 人民政府 / 政府; nor a unit of the department (its name contains the
department's, or the narrative names it, as the 部门概况 lists the units).
"""

from __future__ import annotations

import re

from expectations.document_checks import DocumentCheck
from extract.model import ExtractedDocument
from extract.names import NAME_TAILS
from extract.text import fold

_PARTY = re.compile(r"^(?:中共|中国共产党)")
_TAIL = re.compile(r"[(（]?(?:" + "|".join((*NAME_TAILS, "机关")) + r")[)）]?$")  # brackets or none, 机关 too
_REGION = re.compile(r"^[^省市区县州旗盟]{2,7}?(?:省|自治区|市|自治州|州|地区|盟|区|县|旗)")


def heading_name_checks(doc: ExtractedDocument) -> list[DocumentCheck]:
    """One check per department name printed over the tables: the cover's department, or another."""
    cover = doc.meta.department_name
    if not cover or not doc.table_preambles:
        return []
    pages: dict[str, list[int]] = {}
    for page, name in sorted(doc.table_preambles.items()):
        pages.setdefault(name, []).append(page)
    narrative = fold("".join(doc.narrative.values()))
    checks = []
    for name, printed_on in pages.items():
        holds = same_department(cover, name) or _named_in(name, narrative)
        shown = "、".join(f"第{p}页" for p in printed_on)
        message = f"报表上方所印单位“{name}”（{shown}）与封面单位“{cover}”不是同一单位"
        evidence = f"封面印“{cover}”；{shown}报表上方印“{name}”"
        checks.append(
            DocumentCheck(
                "heading.department_name",
                "warning",
                holds,
                message,
                None,
                printed_on[0],
                attributed_to="publisher",
                evidence=evidence,
            )
        )
    return checks


def same_department(cover: str, printed: str) -> bool:
    """The printed name is the cover's department (or a unit of it), written in full or short."""
    a, b = _normal(cover), _normal(printed)
    if a in b or b in a:  # 简称 / 全称, or a unit whose name carries the department's
        return True
    core_a, core_b = _without_regions(a), _without_regions(b)
    if core_a in core_b or core_b in core_a:
        return True
    return sorted(core_a) == sorted(core_b)  # the same words in another order: 自然资源和规划局 / 规划和自然资源局


def _normal(name: str) -> str:
    name = fold(name).translate(str.maketrans("", "", '“”"‘’'))
    name = _PARTY.sub("", name)
    while (stripped := _TAIL.sub("", name)) != name:
        name = stripped
    return name.replace("人民政府", "政府").replace("委员会", "委").replace("（", "(").replace("）", ")")


def _without_regions(name: str) -> str:
    """The name without the province, city, district or county it starts with."""
    while (found := _REGION.match(name)) and len(name) - found.end() >= 2:
        name = name[found.end() :]
    return name


def _named_in(name: str, narrative: str) -> bool:
    """The narrative names the printed unit (its full name or the name without its region)."""
    normal = _normal(name)
    return normal in narrative or (len(core := _without_regions(normal)) >= 4 and core in narrative)

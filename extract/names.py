"""What a department's name looks like, wherever it is read: on the cover, over the tables, in the file name, in
the narrative. It ends like an organisation's (局, 委员会, 办公室, 中心 …), perhaps followed by （本级）/（汇总）,
and holds no heading or table words (预算, 目录, 合计 …)."""

from __future__ import annotations

import re

ORGANISATION_ENDS = frozenset("局委办厅院会心室所站馆处队社校府部团行库园台署司场厂")
ORGANISATION_END_WORDS = ("小学", "中学", "大学")  # schools are budget units too; 学 alone ends 教学, 科学 …
NAME_TAILS = ("本级", "汇总", "部门汇总", "机关本级", "本部")  # the part of the department a document covers
NAME_TAIL = re.compile(r"[(（](?:" + "|".join(NAME_TAILS) + r")[)）]$")
_NOT_A_NAME = re.compile(r"预算|决算|[表款项]$|合计|科目|收入|支出|经费|拨款|单位$|部门$|第.+部分|目录|说明")


def is_organisation(name: str | None) -> bool:
    if not name:
        return False
    core = NAME_TAIL.sub("", name)  # "(本级)" alone leaves nothing
    if len(core) < 3:
        return False
    ends_like_one = core[-1] in ORGANISATION_ENDS or core.endswith(ORGANISATION_END_WORDS)
    return ends_like_one and not _NOT_A_NAME.search(core)

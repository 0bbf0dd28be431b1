"""The department named over each table: "部门（单位）：XX局", "编制单位：…", "单位名称：…", or a heading that
opens with the name ("苏州市数据局2026年度部门预算公开", "上海市规划和自然资源局2024年度部门决算表").

Read from the lines just above each table's grid and from the grid's first rows (some publishers draw
them inside the frame), and from the table's title line. A pure function of the pages and the located
tables; a name is kept only when it reads as an organisation's (it ends like one: 局, 委员会, 办公室, 中心
…, perhaps followed by （本级）/（汇总）), so header words and unit lines never pass for a name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from extract.locate import TableBlock
from extract.names import is_organisation
from extract.pages import Grid, Page
from extract.specs import load_specs
from extract.text import fold, label

_END = r"(?=(?:金额)?单位[:：]?(?:万元|元|亿元)|单位[:：]|金额单位|填报日期|日期|20\d{2}年|\d|$)"
_NAME = r"(?P<name>[^\s:：,，。;；\d]{3,40}?)"
_LABELLED = re.compile(
    r"(?:(?:部门\(单位\)|单位\(部门\)|编制单位|编制部门|填报单位|预算单位|主管部门|部门|单位)[:：]"
    r"|(?:单位名称|部门名称)[:：]?)" + _NAME + _END
)
_HEADING = re.compile(r"^" + _NAME + r"20\d{2}年度?(?:部门|单位)?(?:综合)?(?:预算|决算)")
_LINES_ABOVE = 6  # the lines just above a grid that may carry its heading
_GRID_ROWS = 3


def table_preambles(pages: Sequence[Page], blocks: Sequence[TableBlock]) -> dict[int, str]:
    """page → the department name printed over the table on that page (the first one found there)."""
    by_number = {page.number: page for page in pages}
    names: dict[int, str] = {}
    for block in blocks:
        title_name = _title_name(block.title.title)
        if title_name and block.first_page not in names:
            names[block.first_page] = title_name
        for grid in block.grids:
            page = by_number.get(grid.page)
            if page is None or grid.page in names:
                continue
            found = next((n for text in _texts_over(page, grid) if (n := name_in(text))), None)
            if found:
                names[grid.page] = found
    return dict(sorted(names.items()))


def _texts_over(page: Page, grid: Grid) -> Iterator[str]:
    above = [line.text for line in page.lines if line.bottom <= grid.top + 2]
    yield from above[-_LINES_ABOVE:]
    for r in range(min(_GRID_ROWS, len(grid.cells))):
        yield "".join(t for t in grid.row_texts(r) if t)


def name_in(text: str) -> str | None:
    """The organisation a preamble or heading line names, or None."""
    key = fold(text).translate(str.maketrans("", "", '“”"‘’'))
    for pattern in (_LABELLED, _HEADING):
        for match in pattern.finditer(key):
            name = match["name"]
            if is_organisation(name):
                return name
    return None


def _title_name(title: str) -> str | None:
    """A department name printed before the table's title on its title line ("XX局2026年收支预算总表")."""
    key = label(title)
    for spec_title, _, _ in load_specs().titles:
        if key.endswith(spec_title) and len(key) > len(spec_title):
            prefix = key[: len(key) - len(spec_title)]
            prefix = re.sub(r"(?:20\d{2}年度?|表[一二三四五六七八九十\d]*[:.、]?|部门|单位|综合)+$", "", prefix)
            return prefix if is_organisation(prefix) else None
    return None

"""The narrative's own arithmetic: the shares it states ("基本支出 535.68 万元，占 62.05%", "完成年初预算的
95.46%") against the figures it divides, and the 政府采购 total against its parts.

A share is checked only when its whole is unambiguous: the figure the sentence opens its breakdown with
("本年收入合计 863.22 万元，其中：…", "…支出 863.19 万元，主要用于以下方面：…"), or a whole it names ("占本年支出
合计的") stated in the same sentence or, once and with one figure, anywhere in the narrative. Publishers round,
truncate, or nudge one share so that the list adds up to 100%: a share within one unit of its last printed
digit of the exact quotient holds. The parts of 政府采购 are printed figures: their sum may differ from the
printed total by 0.01 万元 per part (DOMAIN.md's tolerance).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import Decimal

from expectations.document_checks import DocumentCheck
from expectations.printed_rules import PERCENT, half_unit, last_digit_unit
from extract.model import YUAN_PER_WAN

NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"  # a figure as printed: 1,234.56 or 1234.56
AMOUNT = r"(?P<n>" + NUMBER + r")万元"  # a 万元 figure in folded narrative text
LINK = r"(?:决算数?|预算数?)?(?:为|是|共计)?"  # words between a figure's name and the figure
_SHARE = re.compile(AMOUNT + r",?(?P<verb>占|完成)(?:(?P<whole>[^,;；。%\d]{2,16}?)的)?(?P<p>\d+(?:\.\d+)?)%")
_BREAKDOWN = re.compile(AMOUNT + r"[,:]?(?:其中|主要用于以下方面)")
_PROCUREMENT = re.compile(r"政府采购支出总额" + AMOUNT.replace("?P<n>", "?P<total>") + r",?其中:?(?P<parts>[^。]*)")
_PROCUREMENT_PART = re.compile(r"政府采购(?P<what>货物|工程|服务)支出" + AMOUNT)
PageAt = Callable[[int], int]
HUNDRED = Decimal(100)
WAN_STEP = Decimal("0.01")


def arithmetic_checks(text: str, page_at: PageAt) -> list[DocumentCheck]:
    """`text` is the folded narrative, `page_at(offset)` its page."""
    return [*_share_checks(text, page_at), *_procurement_checks(text, page_at)]


def _number(printed: str) -> Decimal:
    return Decimal(printed.replace(",", ""))


def pieces(text: str, separators: str) -> Iterator[tuple[int, str]]:
    """`text` split at any of `separators` (one character each), with each piece's offset in `text`."""
    offset = 0
    for piece in re.split(f"[{separators}]", text):
        yield offset, piece
        offset += len(piece) + 1


def _sentences(text: str) -> Iterator[tuple[int, str]]:
    return pieces(text, "。")


def printed_wan(amount_yuan: Decimal) -> str:
    return f"{amount_yuan / YUAN_PER_WAN:,.2f}"


def _share_checks(text: str, page_at: PageAt) -> Iterator[DocumentCheck]:
    named = _named_figures(text)
    for start, sentence in _sentences(text):
        for match in _SHARE.finditer(sentence):
            whole = _whole(sentence, match, named)
            part = _number(match["n"])
            if whole is None or whole[1] == 0:
                continue
            yield _share_check(match, part, whole, page_at(start + match.start()))


def _named_figures(text: str) -> dict[str, set[str]]:
    """Every '<words> N 万元' the narrative states, by its last few words: a whole named by a share is looked
    up here when the share's own sentence does not state it."""
    found: dict[str, set[str]] = {}
    for match in re.finditer(r"(?P<w>[^\d,.;；:。%()]{2,16}?)" + LINK + AMOUNT, text):
        found.setdefault(match["w"], set()).add(match["n"])
    return found


def _whole(sentence: str, match: re.Match[str], named: dict[str, set[str]]) -> tuple[str, Decimal] | None:
    """(words, figure) of what the share divides by, or None when it cannot be told for certain."""
    words = match["whole"]
    if words:
        before = sentence[: match.start()]
        stated = [m["n"] for m in re.finditer(re.escape(words) + LINK + AMOUNT, before)]
        if stated:
            return words, _number(stated[-1])
        figures = {n for w, ns in named.items() if w.endswith(words) for n in ns}
        return (words, _number(figures.pop())) if len(figures) == 1 else None
    if match["verb"] != "占":
        return None
    opening = None
    for found in _BREAKDOWN.finditer(sentence[: match.start()]):
        opening = found
    if opening is None:
        return None
    return _label_before(sentence, opening.start()), _number(opening["n"])


def _label_before(sentence: str, end: int) -> str:
    words = re.search(r"([^\d,.;；:%()、]{1,16})" + LINK + r"$", sentence[:end])
    return re.sub(r"^.*(?:说明|情况)|^年度?", "", words.group(1)) if words else "合计"


def _share_check(match: re.Match[str], part: Decimal, whole: tuple[str, Decimal], page: int) -> DocumentCheck:
    printed = Decimal(match["p"])
    exact = part / whole[1] * HUNDRED
    step = last_digit_unit(printed)
    computed = exact.quantize(step if step < 1 else Decimal(1))
    # The publisher divides unrounded figures: the share may lie anywhere their rounding allows (the percentage
    # rule, expectations.printed_rules, allows one unit of its last digit beyond).
    part_slack, whole_slack = half_unit(part), half_unit(whole[1])
    low = max(part - part_slack, Decimal(0)) / (whole[1] + whole_slack) * HUNDRED
    high = (part + part_slack) / max(whole[1] - whole_slack, whole_slack) * HUNDRED
    message = (
        f"情况说明称“{match['n']} 万元，{match['verb']}{match['whole'] or ''}{'的' if match['whole'] else ''}"
        f"{match['p']}%”，按 {match['n']} ÷ {whole[1]}（{whole[0]}）应为 {computed}%"
    )
    return DocumentCheck("narrative.share", "warning", None, message, None, page, None, computed, printed,
                         printed=match["p"], printed_unit=PERCENT, allowed_percent=((low, high),))  # fmt: skip


def _procurement_checks(text: str, page_at: PageAt) -> Iterator[DocumentCheck]:
    for match in _PROCUREMENT.finditer(text):
        parts = {p["what"]: _number(p["n"]) for p in _PROCUREMENT_PART.finditer(match["parts"])}
        if not parts:
            continue
        total = _number(match["total"])
        summed = sum(parts.values(), Decimal(0))
        listed = "、".join(f"{what} {amount} 万元" for what, amount in parts.items())
        message = f"情况说明称政府采购支出总额 {total} 万元，而其所列{listed}合计 {summed} 万元"
        yield DocumentCheck(
            "narrative.government_procurement",
            "warning",
            None,
            message,
            None,
            page_at(match.start()),
            None,
            summed * YUAN_PER_WAN,
            total * YUAN_PER_WAN,
            tolerance_yuan=WAN_STEP * len(parts) * YUAN_PER_WAN,  # one printed 0.01 万元 per part
        )

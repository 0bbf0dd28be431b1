"""The narrative's comparisons: "2026年收入预算1,234.56万元，比2025年预算增加100.00万元，增长8.8%",
"2025年当年预算执行数为77.99万元，2026年预算安排91.97万元，比2025年预算执行数增加17.66%",
"年初预算为54.53万元，支出决算为54.53万元……决算数同预算数持平".

A comparison names a figure (the one it speaks of: the last figure before 比/较/与), what it is compared
with (上年, a year, the budget; sometimes with its figure), a direction word (增加/增长/上升 …, 减少/下降/降低,
持平; 大于/小于/等于 for a final figure against its budget), and perhaps the change and its percentage.
Only what the sentence makes unambiguous is checked:

- the direction word against the sign of the difference of the two stated figures (and 持平 / 等于: equal);
  a 完成预算 percentage above or below 100 tells the sign too;
- a stated change against the difference of the two stated figures, and a change that would make the
  earlier figure negative ("0万元，比上年增加1421.25万元");
- a stated percentage against change ÷ base, the base being the earlier figure: stated, or the figure
  less (plus) the stated increase (decrease). As for shares (narrative_arithmetic), the figures are
  printed rounded: the percentage may lie anywhere their rounding allows, and one unit of its last digit
  beyond;
- the direction of the change and of its percentage ("增加…，下降…%").

A figure in a list ("其中：A万元、B万元，比上年…"), an alternative left in from a template ("增加（减少）",
"增长/下降"), 基本持平, or a base of zero (no percentage exists) is not checked. The figures are the
narrative's own, so every failure is the publisher's (a warning); the evidence quotes the sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from expectations.document_checks import DocumentCheck
from expectations.narrative_arithmetic import HUNDRED, NUMBER, PageAt, pieces
from expectations.printed_rules import PERCENT, half_unit, last_digit_unit

UNIT_YUAN = {"亿元": Decimal(100_000_000), "万元": Decimal(10_000), "元": Decimal(1)}
FIGURE = r"(?<![\d.,])(?P<n>" + NUMBER + r")(?P<u>亿元|万元|元)"
_FIGURE = re.compile(FIGURE)
UP, DOWN, FLAT = 1, -1, 0
_DIRECTION = {"增加": UP, "增长": UP, "上升": UP, "提高": UP, "增幅": UP, "减少": DOWN, "下降": DOWN, "降低": DOWN,
              "减幅": DOWN, "降幅": DOWN, "持平": FLAT}  # fmt: skip
_VERB = r"(?P<verb>增加|增长|上升|提高|减少|下降|降低|持平)"
# What a figure is compared with: last year, a year, the year's budget.
_REFERENCE = r"(?P<ref>上一?年度?|去年|同期|(?P<year>20\d{2})年度?|(?:年初|全年)?预算数?)"
_COMPARISON = re.compile(
    r"(?:(?:比|较|与|同)"
    + _REFERENCE
    + r"|同比)(?P<words>[^,;:%。\d]{0,25}?)"
    + "(?:"
    + FIGURE.replace("?P<n>", "?P<base>").replace("?P<u>", "?P<base_unit>")
    + ")?"
    + r"(?:相比|相较|对比|比较)?(?P<comma>,)?(?P<subject>[^,;:%。\d]{0,16}?)"
    + _VERB
)
_ALTERNATIVE = re.compile(r"^\s*(?:[(（/][^)）]{0,6}?(?:增|减|升|降|持平|大于|小于)|[(（]?XX)")
_AFTER_VERB = re.compile(
    r"^了?(?:"
    + FIGURE.replace("?P<n>", "?P<change>").replace("?P<u>", "?P<change_unit>")
    + ")?"
    + r"(?:,?(?P<verb2>增加|增长|上升|提高|增幅|减少|下降|降低|减幅|降幅)?(?:了|为)?(?P<p>\d+(?:\.\d+)?)%)?"
)
# A final figure against its budget: "决算数小于预算数", "决算数同预算数持平", "决算数与年初预算数持平".
_AGAINST_BUDGET = re.compile(
    r"决算数?(?:(?P<rel>大于|小于|等于|高于|低于)(?:年初|全年)?预算数?"
    r"|(?:同|与)(?:年初|全年)?预算数?(?P<flat>基本)?(?:持平|相等|相同|一致))"
)
_BUDGET_FIGURE = re.compile(r"(?<![共金营])(?:(?:年初|全年)预算数?(?:为|是)?|预算数(?:为|是)?|预算(?:为|是))" + FIGURE)
_FINAL_FIGURE = re.compile(r"决算(?:数)?(?:为|是)?" + FIGURE)
_COMPLETION = re.compile(r"完成(?:年初|全年)?预算(?:数)?(?:的)?(?P<p>\d+(?:\.\d+)?)%")
_RELATION = {"大于": UP, "高于": UP, "小于": DOWN, "低于": DOWN, "等于": FLAT}
_WORDS = {UP: "增加", DOWN: "减少", FLAT: "持平"}


@dataclass(frozen=True, slots=True)
class Printed:
    """A figure as printed: its text, its value in yuan, and half a unit of its last digit in yuan."""

    text: str
    yuan: Decimal
    slack: Decimal

    @classmethod
    def of(cls, number: str, unit: str) -> Printed:
        value = Decimal(number.replace(",", ""))
        factor = UNIT_YUAN[unit]
        return cls(number + unit, value * factor, half_unit(value) * factor)

    @property
    def step(self) -> Decimal:
        return self.slack * 2


def _sentences(text: str) -> Iterator[tuple[int, str]]:
    return pieces(text, "。;；!！?？")


def comparison_checks(text: str, page_at: PageAt) -> list[DocumentCheck]:
    """`text` is the folded narrative, `page_at(offset)` its page."""
    checks: list[DocumentCheck] = []
    previous = ""
    for start, sentence in _sentences(text):
        checks += _year_on_year(sentence, previous, start, page_at)
        checks += _against_budget(sentence, previous, start, page_at)
        previous = sentence
    return checks


# --- 比上年 / 较2025年 / 与上年相比 ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Comparison:
    """What one comparison states; None where the sentence does not say."""

    clause: str  # the printed words, for the message and the evidence
    page: int
    direction: int
    figure: Printed | None  # what is compared
    base: Printed | None  # what it is compared with, when printed
    change: Printed | None
    percent: str | None
    percent_direction: int | None


def _year_on_year(sentence: str, previous: str, start: int, page_at: PageAt) -> list[DocumentCheck]:
    checks: list[DocumentCheck] = []
    consumed = 0  # figures up to here belong to an earlier comparison of the sentence
    for match in _COMPARISON.finditer(sentence):
        after = sentence[match.end() :]
        if _ALTERNATIVE.match(after) or "基本" in match["subject"] or re.search(r"增减|变化|变动", match.group(0)):
            consumed = match.end()
            continue
        tail = _AFTER_VERB.match(after)
        assert tail is not None  # every part of it is optional
        end = match.end() + tail.end()
        figure, base = _compared(sentence, previous, match, consumed)
        before, consumed = sentence[consumed : match.start()], end
        comparison = Comparison(
            clause=_lead(previous, before, figure) + _clause(sentence, match.start(), end, figure, base),
            page=page_at(start + match.start()),
            direction=_DIRECTION[match["verb"]],
            figure=figure,
            base=base,
            change=Printed.of(tail["change"], tail["change_unit"]) if tail["change"] else None,
            percent=tail["p"],
            percent_direction=_DIRECTION[tail["verb2"]] if tail["verb2"] else None,
        )
        checks += _check(comparison)
    return checks


def _compared(
    sentence: str, previous: str, match: re.Match[str], consumed: int
) -> tuple[Printed | None, Printed | None]:
    """(the figure compared, the figure it is compared with) as the sentence states them."""
    # "比2025年年初预算数9819.98万元减少…": a figure in the reference is its base when the verb follows it.
    stated = match["base"] and not match["comma"] and not match["subject"]
    base = Printed.of(match["base"], match["base_unit"]) if stated else None
    before = sentence[consumed : match.start()]
    figures = list(_FIGURE.finditer(before))
    if not figures:
        if consumed or base is not None:
            return None, base
        return _from_previous(previous, sentence[: match.start()], match), None
    last = figures[-1]
    if _listed(before, figures):
        return None, base
    figure = Printed.of(last["n"], last["u"])
    if base is None and len(figures) >= 2:
        base = _labelled_base(before, figures, match)
    return figure, base


def _listed(before: str, figures: list[re.Match[str]]) -> bool:
    """The last figure is one of a list ("其中：A万元、B万元", "A万元，B万元" after 其中): it is not clear
    which one the comparison speaks of."""
    last = figures[-1]
    if len(figures) >= 2 and "、" in before[figures[-2].end() : last.start()]:
        return True
    of_which = before.rfind("其中")
    return of_which >= 0 and sum(1 for f in figures if f.start() > of_which) >= 2 and not _two_years(before, figures)


def _two_years(before: str, figures: list[re.Match[str]]) -> bool:
    """ "2025年…为A万元，2026年…B万元": the last two figures are labelled by two different years."""
    years = [re.findall(r"20\d{2}年", _label(before, figures, i)) for i in (-2, -1)]
    return all(len(y) == 1 for y in years) and years[0] != years[1]


def _label(before: str, figures: list[re.Match[str]], index: int) -> str:
    """The words printed before figures[index], since the figure before it (or the sentence's start)."""
    position = len(figures) + index if index < 0 else index
    start = figures[position - 1].end() if position > 0 else 0
    return before[start : figures[position].start()]


def _labelled_base(before: str, figures: list[re.Match[str]], match: re.Match[str]) -> Printed | None:
    """ "2025年当年预算执行数为A万元，2026年预算安排B万元，比2025年…": A is the base when its words name the
    year (or 上年) the comparison names and B's words do not, and the two are in adjacent clauses."""
    reference = match["year"] + "年" if match["year"] else ("上年" if match["ref"] and "上" in match["ref"] else None)
    if reference is None:
        return None
    earlier, later = _label(before, figures, -2), _label(before, figures, -1)
    between = before[figures[-2].end() : figures[-1].start()]
    if reference in earlier and reference not in later and between.count(",") <= 1 and "其中" not in between:
        found = figures[-2]
        return Printed.of(found["n"], found["u"])
    return None


def _from_previous(previous: str, opening: str, match: re.Match[str]) -> Printed | None:
    """ "收、支总计均为863.44万元。与2023年度相比，收、支总计各减少…": a sentence that opens with its comparison
    speaks of the previous sentence's figure when that sentence states one figure only, of what the
    comparison names (if it names anything)."""
    if opening.strip(","):
        return None
    figures = list(_FIGURE.finditer(previous))
    if len(figures) != 1:
        return None
    subject = re.sub(r"^(?:本年|当年)|(?:各|均|分别|共)$", "", match["subject"])
    if subject and subject not in previous[: figures[0].start()]:
        return None
    return Printed.of(figures[0]["n"], figures[0]["u"])


def _lead(previous: str, before: str, figure: Printed | None) -> str:
    """The previous sentence's words up to its figure, when the comparison speaks of that figure."""
    if figure is None or _FIGURE.search(before):
        return ""
    at = previous.rfind(figure.text)
    return previous[max(at - 24, 0) : at + len(figure.text)] + "。" if at >= 0 else ""


def _clause(sentence: str, start: int, end: int, *figures: Printed | None) -> str:
    """The printed words of a comparison, from its first figure (or its clause's start) to its end."""
    found = [at for f in figures if f is not None and (at := sentence.rfind(f.text, 0, start)) >= 0]
    opening = min(found) if found else max(sentence.rfind(",", 0, start) + 1, 0)
    words = sentence[opening:end]
    return words if len(words) <= 160 else words[:70] + "……" + words[-80:]


def _check(c: Comparison) -> list[DocumentCheck]:
    checks: list[DocumentCheck] = []
    if c.percent_direction is not None and c.direction != FLAT and c.percent_direction != c.direction:
        checks.append(_warning(
            "narrative.change_direction", False, c,
            f"情况说明（第{c.page}页）称“{c.clause}”：同一变动既称{_WORDS[c.direction]}又称"
            f"{_WORDS[c.percent_direction]}",
        ))  # fmt: skip
        return checks  # which way it went is not known: nothing else can be compared
    if c.figure is not None and c.base is not None:
        direction = _direction_check(c, c.figure, c.base)
        checks.append(direction)
        if not direction.holds:
            return checks  # a change the wrong way: its amount and rate cannot be compared
        if c.change is not None:
            checks.append(_change_check(c, c.figure, c.base, c.change))
    elif _below_zero(c):
        assert c.figure is not None and c.change is not None
        checks.append(_warning(
            "narrative.change_amount", False, c,
            f"情况说明（第{c.page}页）称“{c.clause}”：{c.figure.text}比上期增加{c.change.text}，"
            f"上期应为负数，不可能",
            expected=c.figure.yuan, actual=c.change.yuan,
        ))  # fmt: skip
    if c.percent is not None:
        rate = _rate_check(c)
        if rate is not None:
            checks.append(rate)
    return checks


def _below_zero(c: Comparison) -> bool:
    """An increase larger than the figure: the earlier figure (the figure less the increase) below zero."""
    if c.figure is None or c.change is None or c.direction != UP:
        return False
    return c.change.yuan - c.change.slack > c.figure.yuan + c.figure.slack


def _direction_check(c: Comparison, figure: Printed, base: Printed) -> DocumentCheck:
    difference = figure.yuan - base.yuan
    slack = figure.slack + base.slack
    actual = UP if difference > slack else DOWN if difference < -slack else FLAT
    holds = actual == c.direction or (actual == FLAT and c.direction != FLAT)
    message = (
        f"情况说明（第{c.page}页）称“{c.clause}”：{figure.text}与{base.text}相比应为"
        f"{_WORDS[actual]}，而非{_WORDS[c.direction]}"
    )
    return _warning("narrative.change_direction", holds, c, message)


def _change_check(c: Comparison, figure: Printed, base: Printed, change: Printed) -> DocumentCheck:
    """The stated change = |figure − base|: two printed terms, one unit of the coarser's last digit each."""
    difference = abs(figure.yuan - base.yuan)
    tolerance = 2 * max(figure.step, base.step, change.step)
    message = (
        f"情况说明（第{c.page}页）称“{c.clause}”：{figure.text}与{base.text}相差"
        f"{_printed_like(difference, change)}，而非{change.text}"
    )
    return _warning(
        "narrative.change_amount", None, c, message, expected=difference, actual=change.yuan, tolerance_yuan=tolerance
    )


def _printed_like(amount_yuan: Decimal, like: Printed) -> str:
    unit = next(u for u in UNIT_YUAN if like.text.endswith(u))
    return f"{amount_yuan / UNIT_YUAN[unit]:,.2f}{unit}"


def _rate_check(c: Comparison) -> DocumentCheck | None:
    """The stated percentage against change ÷ base, in every way the sentence gives them."""
    assert c.percent is not None
    step = last_digit_unit(Decimal(c.percent))
    ranges: list[tuple[Decimal, Decimal, str]] = []
    if c.figure is not None and c.base is not None:
        ranges += _relative(c.figure, c.base)
    if c.change is not None and c.base is not None:
        ranges += _quotient(c.change, c.base)
    if c.figure is not None and c.change is not None and c.base is None and c.direction != FLAT:
        ranges += _from_change(c.figure, c.change, c.direction)
    if not ranges:
        if c.direction == FLAT or (c.change is not None and c.change.yuan == 0):
            ranges = [(Decimal(0), Decimal(0), "0")]  # no change: no percentage but 0
        else:
            return None
    low, high, how = ranges[0]
    computed = ((low + high) / 2).quantize(step if step < 1 else Decimal(1))
    message = f"情况说明（第{c.page}页）称“{c.clause}”：按 {how} 计，变动率应为 {computed}%，而非 {c.percent}%"
    allowed = tuple((low, high) for low, high, _ in ranges)  # the percentage rule decides (printed_rules)
    return _warning("narrative.change_rate", None, c, message, printed=c.percent, allowed_percent=allowed)


def _relative(figure: Printed, base: Printed) -> list[tuple[Decimal, Decimal, str]]:
    """|figure − base| ÷ base over every value the printed figures may round from."""
    if base.yuan - base.slack <= 0:
        return []
    low_base, high_base = base.yuan - base.slack, base.yuan + base.slack
    ratios = [(figure.yuan + f) / b - 1 for f in (-figure.slack, figure.slack) for b in (low_base, high_base)]
    low, high = min(ratios), max(ratios)
    if low <= 0 <= high:
        magnitudes = (Decimal(0), max(-low, high))
    else:
        magnitudes = (min(abs(low), abs(high)), max(abs(low), abs(high)))
    return [(magnitudes[0] * HUNDRED, magnitudes[1] * HUNDRED,
             f"（{figure.text} − {base.text}）÷ {base.text}")]  # fmt: skip


def _quotient(part: Printed, whole: Printed) -> list[tuple[Decimal, Decimal, str]]:
    if whole.yuan - whole.slack <= 0:
        return []
    low = max(part.yuan - part.slack, Decimal(0)) / (whole.yuan + whole.slack)
    high = (part.yuan + part.slack) / (whole.yuan - whole.slack)
    return [(low * HUNDRED, high * HUNDRED, f"{part.text} ÷ {whole.text}")]


def _from_change(figure: Printed, change: Printed, direction: int) -> list[tuple[Decimal, Decimal, str]]:
    """change ÷ (figure ∓ change): the base is the figure less an increase, plus a decrease."""
    sign = -1 if direction == UP else 1
    base = figure.yuan + sign * change.yuan
    if base <= 0:
        return []
    low_part, high_part = max(change.yuan - change.slack, Decimal(0)), change.yuan + change.slack
    # The quotient grows with the change (in the base too when it is an increase) and falls with the figure.
    low_base = figure.yuan + figure.slack + sign * low_part
    high_base = figure.yuan - figure.slack + sign * high_part
    if high_base <= 0 or low_base <= 0:
        return []
    low, high = low_part / max(low_base, high_base), high_part / min(low_base, high_base)
    word = "−" if direction == UP else "+"
    return [(low * HUNDRED, high * HUNDRED, f"{change.text} ÷（{figure.text} {word} {change.text}）")]


# --- 决算数大于/小于/等于预算数 --------------------------------------------------------------------------------


def _against_budget(sentence: str, previous: str, start: int, page_at: PageAt) -> list[DocumentCheck]:
    """ "年初预算为A万元，支出决算为B万元，完成年初预算的P%。决算数小于预算数的主要原因…": the relation
    against B − A (or P against 100), the figures taken from the words before it in its sentence, or from
    the sentence before when its own sentence prints none."""
    checks: list[DocumentCheck] = []
    for match in _AGAINST_BUDGET.finditer(sentence):
        if match["flat"]:
            continue
        stated = _RELATION[match["rel"]] if match["rel"] else FLAT
        relation = _budget_relation(sentence[: match.start()]) or _budget_relation(previous)
        if relation is None:
            continue
        actual, shown = relation
        holds = actual == stated or (actual == FLAT and stated != FLAT)
        page = page_at(start + match.start())
        message = (
            f"情况说明（第{page}页）称“{match.group(0)}”，而其所列{shown}：决算数应{_RELATION_WORDS[actual]}预算数"
        )
        checks.append(
            DocumentCheck(
                "narrative.change_direction",
                "warning",
                holds,
                message,
                None,
                page,
                attributed_to="publisher",
                evidence=f"第{page}页印有：{shown}；“{match.group(0)}”",
            )
        )
    return checks


_RELATION_WORDS = {UP: "大于", DOWN: "小于", FLAT: "等于"}


def _budget_relation(words: str) -> tuple[int, str] | None:
    """The sign of final − budget the words print (one budget and one final figure, or one 完成 percentage),
    and those words; None when they print neither unambiguously."""
    budgets, finals = list(_BUDGET_FIGURE.finditer(words)), list(_FINAL_FIGURE.finditer(words))
    completions = list(_COMPLETION.finditer(words))
    if len(budgets) == 1 and len(finals) == 1:
        budget = Printed.of(budgets[0]["n"], budgets[0]["u"])
        final = Printed.of(finals[0]["n"], finals[0]["u"])
        difference, slack = final.yuan - budget.yuan, final.slack + budget.slack
        actual = UP if difference > slack else DOWN if difference < -slack else FLAT
        return actual, f"年初预算{budget.text}、决算{final.text}"
    if len(completions) == 1 and not budgets:
        percent = Decimal(completions[0]["p"])
        step = Decimal(1).scaleb(percent.as_tuple().exponent)  # type: ignore[arg-type]
        actual = UP if percent - HUNDRED >= step else DOWN if HUNDRED - percent >= step else FLAT
        return actual, f"完成预算{completions[0]['p']}%"
    return None


def _warning(
    check_name: str,
    stated: bool | None,
    c: Comparison,
    message: str,
    expected: Decimal | None = None,
    actual: Decimal | None = None,
    *,
    tolerance_yuan: Decimal | None = None,
    printed: str | None = None,
    allowed_percent: tuple[tuple[Decimal, Decimal], ...] | None = None,
) -> DocumentCheck:
    """A comparison's check: `stated`, or decided by a rule on the figures given (tolerance or percentage)."""
    return DocumentCheck(
        check_name,
        "warning",
        stated,
        message,
        None,
        c.page,
        None,
        expected,
        actual,
        attributed_to="publisher",
        evidence=f"第{c.page}页印有：“{c.clause}”",
        printed=printed,
        printed_unit=PERCENT if printed is not None else None,
        allowed_percent=allowed_percent,
        tolerance_yuan=tolerance_yuan,
    )

"""Printed amounts → exact yuan."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation, localcontext

from extract.model import CENT, LARGEST_YUAN, YUAN_PER_WAN, Unit
from extract.text import fold

ZERO_TEXTS = frozenset({"", "-", "—", "--", "——", "/", "…", "-—", "—-"})
_AMOUNT = re.compile(r"^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


class CellError(ValueError):
    """A cell in an amount column that is not an amount."""


def looks_like_amount(text: str | None) -> bool:
    cleaned = _clean(text)
    return bool(cleaned) and bool(_AMOUNT.match(cleaned))


def parse_amount(text: str | None, unit: Unit) -> Decimal:
    """The yuan value of a printed amount; blank, "-" and "—" are zero. Raises CellError."""
    cleaned = _clean(text)
    if cleaned in ZERO_TEXTS:
        return Decimal("0.00")
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    if negative:
        cleaned = cleaned[1:-1]
    if not _AMOUNT.match(cleaned):
        raise CellError(f"not an amount: {text!r}")
    try:
        value = Decimal(cleaned.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards
        raise CellError(f"not an amount: {text!r}") from exc
    if negative:
        value = -value
    with localcontext() as exact:
        exact.prec = len(cleaned) + 8  # every digit printed, and 万元's four more
        yuan = to_yuan(value, unit)
    if abs(yuan) > LARGEST_YUAN:
        raise CellError(f"not an amount a budget prints (more than 18 digits of yuan): {text!r}")
    return yuan


_WORDS = re.compile(r"[\u4e00-\u9fff()（）、]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_RUN_OVER_CLOSER = re.compile(r"^\)+(?=[-\d])")  # a wrapped name's "（室）" whose "）" was drawn past its cell's edge


def spilled_words(text: str | None) -> tuple[str, str] | None:
    """(words, amount) of an amount cell whose row's name ran over into it ("缴费支出43608.96", or its characters
    drawn among the digits, "0设.0)0"): the words belong to the name beside it, the rest is the cell's figure."""
    cell = fold(text)
    words = "".join(_WORDS.findall(cell))
    figure = _WORDS.sub("", cell)
    # brackets alone are no words: "(1,234.50)" is a negative amount, not a name's "()" run over into it — but a
    # closing bracket before the figure closes no negative: ")0.01" is a name's bracket run over
    is_name = _HAN.search(words) or _RUN_OVER_CLOSER.match(cell)
    return (words, figure) if is_name and figure and looks_like_amount(figure) else None


def figure_of(text: str | None, unit: Unit) -> Decimal | None:
    """The cell's figure in yuan, a name's characters run over into it set aside; None when it holds no amount."""
    spilled = spilled_words(text)
    try:
        return parse_amount(spilled[1] if spilled else text, unit)
    except CellError:
        return None


def decimals_of(text: str | None) -> int:
    """How many decimals a printed amount shows ("1,234.5" → 1, "12" → 0)."""
    cleaned = _clean(text)
    return len(cleaned.rsplit(".", 1)[1].rstrip(")")) if "." in cleaned else 0


def to_yuan(value: Decimal, unit: Unit) -> Decimal:
    factor = YUAN_PER_WAN if unit == "万元" else Decimal(1)
    return (value * factor).quantize(CENT)


def tolerance_yuan(n_terms: int, unit: Unit) -> Decimal:
    """A sum of n printed terms may miss its printed total by 0.01 × n in the printed unit."""
    return to_yuan(Decimal("0.01") * max(n_terms, 1), unit)


def _clean(text: str | None) -> str:
    return fold(text).replace("，", ",")

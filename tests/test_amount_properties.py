"""Property-based tests of the amount parser (extract/money.py): every way a publisher prints an amount
reads back exactly, and no text whatever makes it fail otherwise than by saying it is not an amount."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from extract.money import CellError, figure_of, parse_amount, to_yuan

FULL_WIDTH = str.maketrans("0123456789.,-()", "０１２３４５６７８９．，－（）")
amounts = st.decimals(min_value=Decimal("-99999999999.99"), max_value=Decimal("99999999999.99"), places=2)
units = st.sampled_from(["元", "万元"])


@st.composite
def printed(draw: st.DrawFn) -> tuple[Decimal, str]:
    """An amount and one way of printing it: thousands separators or not, a minus sign or brackets for a
    negative, full-width characters, spaces and line breaks inside the cell."""
    value = draw(amounts)
    text = f"{abs(value):,.2f}" if draw(st.booleans()) else f"{abs(value):.2f}"
    if value < 0:
        text = f"({text})" if draw(st.booleans()) else f"-{text}"
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    if draw(st.booleans()):
        cut = draw(st.integers(min_value=0, max_value=len(text)))
        text = text[:cut] + draw(st.sampled_from([" ", "\n", "\u3000"])) + text[cut:]
    return value, text


@given(printed(), units)
@example((Decimal("-1234.50"), "（1,234.50）"), "万元")
def test_a_printed_amount_reads_back_exactly_in_yuan(amount: tuple[Decimal, str], unit: str) -> None:
    value, text = amount
    assert parse_amount(text, unit) == to_yuan(value, unit)
    assert figure_of(text, unit) == to_yuan(value, unit)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=30), units)
@example("100000000000000000000000000", "元")  # more digits than Decimal's default 28 after quantizing
@example("99999999999999.99", "万元")
def test_any_text_is_an_amount_or_says_it_is_not(text: str, unit: str) -> None:
    try:
        value = parse_amount(text, unit)
    except CellError:
        value = None
    if value is not None:
        assert value == value.quantize(Decimal("0.01"))
    figure_of(text, unit)  # never raises: a cell that holds no amount is None


def test_an_amount_too_large_for_the_warehouse_is_not_an_amount() -> None:
    assert parse_amount("999,999,999,999,999,999.99", "元") == Decimal("999999999999999999.99")
    with pytest.raises(CellError, match="more than 18 digits"):
        parse_amount("1,000,000,000,000,000,000", "元")
    with pytest.raises(CellError, match="more than 18 digits"):
        parse_amount("100000000000000", "万元")
    assert figure_of("1" * 40, "元") is None

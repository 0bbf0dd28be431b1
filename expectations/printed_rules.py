"""The rules a printed figure is held to, stated once: the document checks' custom GX expectations
(expectations.printed_figures, expectations.sum_of_parts) compute their verdicts with these functions, and a
DocumentCheck's `holds` is the same function of the same fields. Pure Python, exact Decimal: no float, no GX.

- Rounding: a figure the narrative copies from a table ("本年支出合计 863.25 万元") equals the table's figure
  within the larger of the table's own allowance (nil for a 万元 table, 50 yuan when a 元 figure is rounded to
  0.01 万元) and half a unit of the printed figure's last digit (a narrative that rounds further, "19,302 万元"
  for 19,301.80). The unit is 万元, 亿元 or 元; the digits printed give the precision.
- Percentage: a printed share or rate ("占 62.05%", "增长 8.8%") lies within one unit of its last printed digit
  of the range the rounded figures it divides allow (publishers round, truncate, or nudge one share so a list
  adds up to 100%); the range is open, and there may be more than one way the sentence gives it.
- Tolerance: a stated figure equals the figure computed from others within a tolerance (expectations.sum_of_parts
  `within_tolerance`, the identities' rule).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from extract.model import CENT, YUAN_PER_WAN

PERCENT = "%"
# What one printed unit is worth: yuan for the amount units, percentage points for a percentage.
UNIT_VALUE: dict[str, Decimal] = {
    "亿元": Decimal(100_000_000),
    "万元": YUAN_PER_WAN,
    "元": Decimal(1),
    PERCENT: Decimal(1),
}
_DIGITS = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
PercentRange = tuple[Decimal, Decimal]


def half_unit(printed: Decimal) -> Decimal:
    """Half a unit of a printed figure's last digit: how far its unrounded value may be."""
    return Decimal(5).scaleb(printed.as_tuple().exponent - 1)  # type: ignore[operator]


def last_digit_unit(printed: Decimal) -> Decimal:
    """One unit of a printed figure's last digit (0.01 for 62.05, 1 for 62)."""
    return Decimal(1).scaleb(printed.as_tuple().exponent)  # type: ignore[arg-type]


def printed_number(printed: str) -> Decimal | None:
    """The number a figure prints ("1,234.5" → 1234.5), its digits kept; None when it is not one."""
    if not isinstance(printed, str) or not _DIGITS.match(printed.strip()):
        return None
    try:
        return Decimal(printed.strip().replace(",", ""))
    except InvalidOperation:
        return None


def printed_value(printed: str, unit: str) -> Decimal | None:
    """A printed figure in yuan (to the cent) or, for a percentage, in percentage points; None when the figure or
    its unit is not one."""
    number, value = printed_number(printed), UNIT_VALUE.get(unit) if isinstance(unit, str) else None
    if number is None or value is None:
        return None
    return number * value if unit == PERCENT else (number * value).quantize(CENT)


def rounding_allowance(printed: str, unit: str) -> Decimal | None:
    """Half a unit of the printed figure's last digit, in the unit's yuan (or percentage points)."""
    number, value = printed_number(printed), UNIT_VALUE.get(unit) if isinstance(unit, str) else None
    return half_unit(number) * value if number is not None and value is not None else None


def _exact(value: object) -> bool:
    return isinstance(value, Decimal | int) and not isinstance(value, bool)


def copies_within_rounding(printed: object, unit: object, source_yuan: object, source_tolerance_yuan: object) -> bool:
    """The rounding rule: the printed figure equals its source within max(the source's allowance, half a unit of
    the printed figure's last digit); False when any of them is not an exact amount or a printed figure."""
    if not (isinstance(printed, str) and isinstance(unit, str) and unit != PERCENT):
        return False
    if not (_exact(source_yuan) and _exact(source_tolerance_yuan)):
        return False
    value, rounding = printed_value(printed, unit), rounding_allowance(printed, unit)
    if value is None or rounding is None:
        return False
    return abs(value - Decimal(source_yuan)) <= max(Decimal(source_tolerance_yuan), rounding)  # type: ignore[arg-type]


def percentage_within(printed: object, unit: object, allowed: object) -> bool:
    """The percentage rule: low − step < printed < high + step for one of the allowed (low, high) ranges, step one
    unit of the printed percentage's last digit; False when it is not a printed percentage or no range is given."""
    number = printed_number(printed) if isinstance(printed, str) and unit == PERCENT else None
    ranges = _ranges(allowed)
    if number is None or not ranges:
        return False
    step = last_digit_unit(number)
    return any(low - step < number < high + step for low, high in ranges)


def _ranges(allowed: object) -> list[PercentRange]:
    if not isinstance(allowed, Iterable) or isinstance(allowed, str):
        return []
    found = [tuple(r) for r in allowed if isinstance(r, tuple | list) and len(r) == 2]
    return [(low, high) for low, high in found if _exact(low) and _exact(high)]  # type: ignore[misc]


def within_tolerance(total: object, parts: object, tolerance: object) -> bool:
    """|total − parts| ≤ tolerance, in exact arithmetic; False when any of them is not an exact amount."""
    if not all(_exact(a) for a in (total, parts, tolerance)):
        return False
    return abs(Decimal(total) - Decimal(parts)) <= Decimal(tolerance)  # type: ignore[arg-type]

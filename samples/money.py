"""Money as integer fen (0.01 yuan): every generated amount is a whole multiple of the quantum of
the unit it is printed in, so sums printed in that unit add up exactly."""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import Decimal

FEN_PER_YUAN = 100
FEN_PER_WAN = 1_000_000
CENT = Decimal("0.01")

# The smallest printable step of each unit, in fen.
QUANTUM = {"万元": 10_000, "元": 1}


def to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / FEN_PER_YUAN).quantize(CENT)


def in_unit(fen: int, unit: str) -> Decimal:
    """The value as printed in `unit`, exact (fen is a multiple of the unit's quantum)."""
    if fen % QUANTUM[unit]:
        raise ValueError(f"{fen} fen is not printable exactly in {unit}")
    divisor = FEN_PER_WAN if unit == "万元" else FEN_PER_YUAN
    return (Decimal(fen) / divisor).quantize(CENT)


def fen_of(text: str, unit: str) -> int:
    """Fen of an amount written in `unit` ("863.19" 万元 → 8631900 fen)."""
    value = Decimal(text.replace(",", ""))
    factor = FEN_PER_WAN if unit == "万元" else FEN_PER_YUAN
    fen = value * factor
    if fen != fen.to_integral_value():
        raise ValueError(f"{text} {unit} is not a whole number of fen")
    return int(fen)


def format_amount(fen: int, unit: str, *, thousands: bool, zero: str) -> str:
    if fen == 0:
        return zero
    value = in_unit(fen, unit)
    return f"{value:,.2f}" if thousands else f"{value:.2f}"


def wan_text(fen: int) -> str:
    """An amount in 万元 for prose, rounded half-up to 0.01 (prose rounds budget yuan figures)."""
    value = (Decimal(fen) / FEN_PER_WAN).quantize(CENT, rounding="ROUND_HALF_UP")
    return f"{value:.2f}"


def percent(part: int, whole: int) -> str:
    if whole == 0:
        return "0.00"
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(CENT, rounding="ROUND_HALF_UP")
    return f"{value:.2f}"


def ratio(rng: random.Random, low: str, high: str) -> Decimal:
    """A uniform random factor in [low, high], with four decimals (drawn as an integer: no floats)."""
    step = Decimal("0.0001")
    return Decimal(rng.randint(int(Decimal(low) / step), int(Decimal(high) / step))) * step


def round_to(fen: Decimal | int, quantum: int) -> int:
    """Nearest multiple of quantum (half up), never negative."""
    steps = int(Decimal(fen) / quantum + Decimal("0.5"))
    return max(steps, 0) * quantum


def split(total: int, weights: Sequence[Decimal | int], quantum: int, rng: random.Random | None = None) -> list[int]:
    """Split `total` (a multiple of quantum) into parts proportional to weights, each a multiple of
    quantum, summing exactly to total. The remainder goes to the largest part (or a random one)."""
    if total % quantum:
        raise ValueError("total is not a multiple of the quantum")
    steps = total // quantum
    weight_sum = Decimal(sum(weights))
    if weight_sum <= 0 or not weights:
        raise ValueError("weights must be positive")
    parts = [int(steps * Decimal(w) / weight_sum) for w in weights]
    remainder = steps - sum(parts)
    target = max(range(len(parts)), key=lambda i: weights[i]) if rng is None else rng.randrange(len(parts))
    parts[target] += remainder
    return [p * quantum for p in parts]

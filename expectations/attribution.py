"""Ours or theirs: whether a failed identity is most likely a misread (extraction) or the publisher's.

The rules, tried in this order on every failed identity (its delta = actual − expected):

1. cross_table → publisher. Each table is checked by its own identities; when two tables that each
   add up disagree, the document disagrees with itself.
2. rounding slip: |delta| ≤ 2 × tolerance → publisher. A structural misread (wrong column, lost
   row, split number) never lands within a few cents; a publisher rounding 元 to 万元 does.
3. row not read: the identity's total row is missing while its children are printed → extraction.
4. value moved: another failed identity of the same table, sharing no cell, has −delta →
   extraction (a value read into the neighbouring column, or a row attached to the wrong parent:
   one place is short by what the other has too much).
5. omitted line: n ≥ 2 terms, a non-zero printed total smaller than Σ terms by one printed term
   → publisher (a spreadsheet range that skips a line). A misread does not produce a
   sibling's exact amount. (Larger by one term is not taken as theirs: a row we failed to read
   shows the same way when a sibling happens to have the same amount.)
6. one bad figure: a cell whose implied error (delta, with its sign in the identity) is the same
   in another failed identity, cross-table ones included → extraction. One wrong cell breaks every
   identity it is in. (A publisher's typo does too; tables come out of the finance system with
   their sums computed, so a single figure contradicting two identities is more often ours, and
   quarantine is the safe side of the doubt.)
   ("Equal" in rules 4–6 means within the two identities' tolerances: figures are rounded.)
7. every figure confirmed: each cell of the identity also takes part in another identity that
   holds. A misread cell breaks every identity it is in, so cells that add up in the other
   direction were read as printed: the printed table itself does not add up → publisher. Except
   when a hierarchy or column identity's terms fall short of the printed total (delta > 0): a row
   or column we did not read leaves every figure we did read confirmed → extraction.
8. otherwise by family: hierarchy and column → extraction (a figure nothing else confirms);
   summary and three-public → publisher (small tables filled in by hand).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from expectations.facts import Cell, printed
from expectations.identities import Identity

Attribution = Literal["extraction", "publisher"]
Membership = dict[Cell, list[tuple[int, int]]]  # cell → (identity index, its sign in that identity's delta)


@dataclass(frozen=True, slots=True)
class Verdict:
    attributed_to: Attribution
    reason: str


def attribute(identities: Sequence[Identity]) -> list[Verdict | None]:
    """A verdict for every failed identity (None for those that hold)."""
    membership: Membership = defaultdict(list)
    for i, identity in enumerate(identities):
        for cell, sign in identity.roles():
            membership[cell].append((i, sign))
    failed = [i for i, x in enumerate(identities) if not x.holds]
    verdicts: list[Verdict | None] = [None] * len(identities)
    for i in failed:
        verdicts[i] = _judge(i, identities, failed, membership)
    return verdicts


def _judge(i: int, identities: Sequence[Identity], failed: Sequence[int], membership: Membership) -> Verdict:
    x = identities[i]
    if x.family == "cross_table":
        return Verdict("publisher", "the two tables each add up but disagree with each other")
    if abs(x.delta) <= 2 * x.tolerance_yuan:
        return Verdict("publisher", "a rounding slip just beyond the tolerance")
    if any(not t.row_printed for t in x.actual_terms):
        return Verdict("extraction", "the total row was not read although its rows are")
    moved = _moved_value(i, identities, failed)
    if moved is not None:
        return Verdict("extraction", f"the same amount is missing from {moved}: a value read into the wrong place")
    omitted = _omitted_term(x)
    if omitted is not None:
        return Verdict("publisher", omitted)
    bad = _one_bad_figure(i, identities, membership)
    if bad is not None:
        return Verdict("extraction", bad)
    if _all_confirmed(i, identities, membership):
        if x.family in ("hierarchy", "column") and x.delta > 0:
            return Verdict("extraction", "every figure read checks out elsewhere, yet the terms fall short: "
                           "a row or column not read")  # fmt: skip
        return Verdict("publisher", "every figure adds up in its other identities: the printed table does not add up")
    if x.family in ("hierarchy", "column"):
        return Verdict("extraction", "a figure no other identity confirms: most likely misread")
    return Verdict("publisher", "the summary figures are inconsistent as printed")


def _moved_value(i: int, identities: Sequence[Identity], failed: Sequence[int]) -> str | None:
    x = identities[i]
    cells = {c for c, _ in x.roles()}
    for j in failed:
        y = identities[j]
        if (
            j != i
            and y.family != "cross_table"
            and y.table_kind == x.table_kind
            and _same(y.delta, -x.delta, x, y)
            and not cells & {c for c, _ in y.roles()}
        ):
            return f"{y.subject_code} [{y.measure}]"
    return None


def _omitted_term(x: Identity) -> str | None:
    if x.n_terms < 2 or x.actual == 0 or x.delta >= 0:
        return None
    for term in x.expected_terms:
        # Within a cent or two of the printed unit: a rounded total over the other lines.
        if term.printed and term.amount != 0 and abs(term.amount + x.delta) <= 2 * x.step_yuan:
            return f"the printed total leaves out one line ({term.cell[3]}, {printed(term.amount, x.unit)} {x.unit})"
    return None


def _one_bad_figure(i: int, identities: Sequence[Identity], membership: Membership) -> str | None:
    x = identities[i]
    for cell, sign in x.roles():
        implied = sign * x.delta
        for j, other_sign in membership[cell]:
            y = identities[j]
            if j != i and not y.holds and _same(other_sign * y.delta, implied, x, y):
                return f"figure {cell[3]} [{cell[4]}] contradicts two identities by the same amount: a misread cell"
    return None


def _all_confirmed(i: int, identities: Sequence[Identity], membership: Membership) -> bool:
    return all(
        any(j != i and identities[j].holds for j, _ in membership[cell]) for cell, _ in identities[i].roles()
    )


def _same(a: Decimal, b: Decimal, x: Identity, y: Identity) -> bool:
    """Equal amounts, as far as the rounding of the two identities lets us tell."""
    return abs(a - b) <= x.tolerance_yuan + y.tolerance_yuan

"""Subjects a table prints on more than one row, and economic codes finer than the classification.

Some layouts print a subject once per budget unit (Beijing's 一般公共预算支出表 lists each unit's rows, codes
restarting, under one 合计), or once per second classification (a 支出总表 crossing each function with each
economic subject; a 基本支出表 crossing the department's economic codes with the government's). Each row is
then part of the subject's figure, and the figure is their sum. Elsewhere a subject printed twice with two
amounts is a misread, or a table we do not understand. The table tells which: the reading — first row per
subject, or the rows summed — under which more of its own identities hold (its 合计 = Σ its top rows, a parent
row = Σ its child rows) is the table's; a tie keeps the first rows, and the conflict stays an error.

Economic codes printed with seven digits (3021101 差旅费 under 30211) are a province's subdivision of a 款: they
are added into their 款 where the 款 itself is not printed, and left out (its detail) where it is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal

from extract.model import SUBJECT_FACT_KINDS, Fact, FactIdentity, Problem, Unit, printed_step

FINE_ECONOMIC = 7


def settle_repeated_rows(
    facts: list[Fact], unit: Unit, decimals: int, title: str, keyed_beyond: str | None = None
) -> tuple[list[Fact], list[Problem]]:
    """The table's facts with repeated subjects summed where that is the reading under which it adds up — or
    where the table itself says its rows are finer than its subjects (`keyed_beyond`: the second key it prints
    beside the subject, a budget unit or another classification)."""
    facts, problems = _fold_fine_economic(facts, title)
    groups: dict[FactIdentity, list[Fact]] = defaultdict(list)
    for fact in facts:
        groups[fact.identity].append(fact)
    repeated = {k: g for k, g in groups.items() if len(g) > 1 and k[2] in SUBJECT_FACT_KINDS}
    if not any(len({f.amount_yuan for f in g}) > 1 for g in repeated.values()):
        return facts, problems
    first = {k: g[0].amount_yuan for k, g in groups.items()}
    summed = {
        k: (sum((f.amount_yuan for f in g), Decimal(0)) if k in repeated else first[k]) for k, g in groups.items()
    }
    step = printed_step(unit, decimals)
    held_first, held_summed = _identities_held(first, step), _identities_held(summed, step)
    keyed_beyond = keyed_beyond or _blocks(facts)
    if held_summed <= held_first and keyed_beyond is None:
        return facts, problems
    rows = sum(len(g) for g in repeated.values())
    if held_summed > held_first:
        why = (f"the reading under which {held_summed} of the table's own identities hold, against {held_first} "
               "taking each subject's first row")  # fmt: skip
    else:
        why = f"each row is one {keyed_beyond} of its subject (the table prints that key beside the subject's)"
    problems.append(
        Problem(
            "rows.repeated_subjects_summed",
            "warning",
            f"{title}: {len(repeated)} subjects are printed on {rows} rows (per budget unit or per second "
            f"classification); each subject's figure is the sum of its rows — {why}",
            table_kind=next(iter(repeated))[0],
            page=min(f.page for g in repeated.values() for f in g),
            evidence=f"{held_summed} identities hold with the rows summed, {held_first} with the first rows",
        )
    )
    merged: list[Fact] = []
    for key, group in groups.items():
        if key in repeated:
            merged.append(replace(group[0], amount_yuan=summed[key], box=None))  # a sum is no one cell
        else:
            merged.extend(group)
    return merged, problems


def _blocks(facts: list[Fact]) -> str | None:
    """Rows printed in blocks whose codes each run in order and start again (one block per budget unit, the
    units' names left out): each subject at most once a block."""
    keys = [f.key for f in facts if f.fact_kind in SUBJECT_FACT_KINDS and f.measure == facts[0].measure]
    blocks: list[list[str]] = [[]]
    for key in keys:
        if blocks[-1] and key < blocks[-1][-1]:
            blocks.append([])
        blocks[-1].append(key)
    if len(blocks) > 1 and all(len(set(b)) == len(b) for b in blocks):
        return f"block of rows (the codes run in order and start again {len(blocks) - 1} times)"
    return None


def _identities_held(reading: dict[FactIdentity, Decimal], step: Decimal) -> int:
    """How many of 合计 = Σ top rows and parent = Σ children hold, per measure, in this reading."""
    held = 0
    by_measure: dict[tuple[str, str, str], dict[str, Decimal]] = defaultdict(dict)
    totals: dict[tuple[str, str], Decimal] = {}
    for (_, scope, kind, key, measure), amount in reading.items():
        if kind in SUBJECT_FACT_KINDS and key.isdigit():
            by_measure[scope, kind, measure][key] = amount
        elif kind == "table_total" and key == "table_total":
            totals[scope, measure] = amount
    for (scope, _, measure), rows in by_measure.items():
        top = min(len(k) for k in rows)
        tops = [a for k, a in rows.items() if len(k) == top]
        if (total := totals.get((scope, measure))) is not None:
            held += abs(sum(tops, Decimal(0)) - total) <= step * len(tops)
        children: dict[str, list[Decimal]] = defaultdict(list)
        for key, amount in rows.items():
            parent = _parent(key)
            if parent in rows:
                children[parent].append(amount)
        for parent, amounts in children.items():
            held += abs(sum(amounts, Decimal(0)) - rows[parent]) <= step * len(amounts)
    return held


def _parent(code: str) -> str | None:
    return code[:-2] if len(code) in (5, 7) else None


def _fold_fine_economic(facts: Iterable[Fact], title: str) -> tuple[list[Fact], list[Problem]]:
    facts = list(facts)
    printed = {(f.fund_scope, f.key) for f in facts if f.fact_kind == "economic"}
    kept: list[Fact] = []
    folded: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        if fact.fact_kind != "economic" or len(fact.key) != FINE_ECONOMIC or not fact.key.isdigit():
            kept.append(fact)
            continue
        section = fact.key[:5]
        folded[section].append(fact)
        if (fact.fund_scope, section) not in printed:
            kept.append(replace(fact, key=section, box=None))
    problems = [_fine_economic(title, section, group, printed) for section, group in sorted(folded.items())]
    return kept, problems


def _fine_economic(title: str, section: str, group: list[Fact], printed: set[tuple[str, str]]) -> Problem:
    codes = ", ".join(sorted({f.key for f in group})[:4])
    own_row = any((f.fund_scope, section) in printed for f in group)
    what = "its own row is printed, so they are its detail and are not loaded" if own_row else "they are added into it"
    return Problem(
        "code.fine_economic",
        "warning",
        f"{title}: economic codes of seven digits ({codes}) subdivide 款 {section}: {what}",
        table_kind=group[0].table_kind,
        page=group[0].page,
        subject_code=section,
    )

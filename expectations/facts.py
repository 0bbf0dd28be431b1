"""Looking facts up by where they were printed: the index the identity checks are computed on."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from extract.model import CENT, YUAN_PER_WAN, ExtractedDocument, Fact, Unit

Cell = tuple[str, str, str, str, str]  # Fact.identity: table_kind, fund_scope, fact_kind, key, measure
Row = dict[str, Fact]  # measure → fact
ZERO = Decimal(0)
MATRIX_KINDS = ("function", "economic", "table_total")


def usable_amount(value: object) -> Decimal | None:
    """The amount as exact yuan, or None when it is not a finite Decimal of whole cents."""
    if not isinstance(value, Decimal) or not value.is_finite():
        return None
    return value if value == value.quantize(CENT) else None


@dataclass(frozen=True, slots=True)
class Term:
    """One printed cell taking part in an identity. A cell with no fact is blank (zero)."""

    cell: Cell
    amount: Decimal
    printed: bool  # a fact exists for this cell
    row_printed: bool  # a fact exists for this row (any measure)
    page: int | None


class FactIndex:
    """Facts of one document keyed by cell and by row. The first of duplicated cells wins (the
    duplicate itself is a structural failure reported by the gate); unreadable amounts are left out."""

    def __init__(self, facts: Iterable[Fact]):
        self._cells: dict[Cell, Fact] = {}
        self._rows: dict[tuple[str, str, str], dict[str, Row]] = defaultdict(dict)
        self._measures: dict[str, set[str]] = defaultdict(set)
        for fact in facts:
            if usable_amount(fact.amount_yuan) is None or fact.identity in self._cells:
                continue
            self._cells[fact.identity] = fact
            self._rows[fact.table_kind, fact.fund_scope, fact.fact_kind].setdefault(fact.key, {})[fact.measure] = fact
            if fact.fact_kind in MATRIX_KINDS and fact.key not in ("personnel_total", "public_use_total"):
                self._measures[fact.table_kind].add(fact.measure)

    def rows(self, table_kind: str, fund_scope: str, fact_kind: str) -> dict[str, Row]:
        return self._rows.get((table_kind, fund_scope, fact_kind), {})

    def groups(self, fact_kinds: Iterable[str]) -> Iterator[tuple[str, str, str, dict[str, Row]]]:
        """(table_kind, fund_scope, fact_kind, rows) for every group of the given kinds."""
        wanted = set(fact_kinds)
        for (table_kind, fund_scope, fact_kind), rows in sorted(self._rows.items()):
            if fact_kind in wanted:
                yield table_kind, fund_scope, fact_kind, rows

    def scopes(self, table_kind: str, fact_kind: str) -> list[str]:
        return sorted({s for (t, s, k) in self._rows if t == table_kind and k == fact_kind})

    def has_table(self, table_kind: str) -> bool:
        return any(t == table_kind for (t, _, _) in self._rows)

    def table_measures(self, table_kind: str) -> set[str]:
        """Measures (columns) the table prints in any of its coded or total rows."""
        return self._measures.get(table_kind, set())

    def term(self, cell: Cell) -> Term:
        fact = self._cells.get(cell)
        if fact is not None:
            return Term(cell, fact.amount_yuan, True, True, fact.page)
        row = self.rows(*cell[:3]).get(cell[3])
        page = min(f.page for f in row.values()) if row else None
        return Term(cell, ZERO, False, row is not None, page)


class Units:
    """The printed unit of each table, which sets the rounding tolerance of its identities."""

    def __init__(self, doc: ExtractedDocument):
        self._units: dict[str, Unit] = {t.table_kind: t.unit for t in doc.tables}
        self._steps: dict[str, Decimal] = {t.table_kind: t.step_yuan for t in doc.tables}
        common = Counter(t.unit for t in doc.tables).most_common(1)
        self._default: Unit | None = common[0][0] if common else None
        self._inferred: dict[str, Unit] = {}
        by_table: dict[str, list[Decimal]] = defaultdict(list)
        for fact in doc.facts:
            amount = usable_amount(fact.amount_yuan)
            if amount is not None:
                by_table[fact.table_kind].append(amount)
        for table_kind, amounts in by_table.items():
            on_wan_grid = all(a % STEP["万元"] == 0 for a in amounts)
            self._inferred[table_kind] = "万元" if on_wan_grid else "元"

    def unit(self, table_kind: str) -> Unit:
        return self._units.get(table_kind) or self._default or self._inferred.get(table_kind, "元")

    def step(self, *table_kinds: str) -> Decimal:
        """Yuan per unit of the last printed decimal (0.01 of the printed unit, 1 元 where a table prints whole
        元); the coarser one when figures come from several tables."""
        return max(self._steps.get(t) or STEP[self.unit(t)] for t in table_kinds)

    def coarser_unit(self, *table_kinds: str) -> Unit:
        return max((self.unit(t) for t in table_kinds), key=lambda u: STEP[u])


STEP: dict[str, Decimal] = {"万元": YUAN_PER_WAN * CENT, "元": CENT}


def printed(amount_yuan: Decimal, unit: str) -> str:
    """An amount as the document prints it, in its unit."""
    value = amount_yuan / YUAN_PER_WAN if unit == "万元" else amount_yuan
    return f"{value:,.2f}"

"""Ours or theirs, by evidence: whose a failed identity is.

A figure that breaks an identity is the publisher's unless there is positive evidence that we misread
it. The evidence, tried in this order on every failed identity:

1. The two readings of one of its cells disagree (extract.reread: the other engine's characters in the cell's
   box against the cell text; the gate asks for the second reading of the pages a failed identity contests,
   expectations.second_reading) → ours, and the table is withheld: we may have misread the figure.
2. Its table's structure is in doubt (a unit slip, swapped columns, an unreadable cell, a subject printed
   twice with two amounts: any error the extractor or the document checks raised on that table) → ours,
   and the table is withheld.
3. Its table prints a column (for a column identity) or a row or line (for a hierarchy or summary identity)
   that the specs could not place → ours: the difference may be in what we left unread. The figures we
   placed were read as printed, so the table loads; the warning names what was not placed.
4. Otherwise the publisher's, loaded with the issue. The evidence it is printed so: both readings agree
   on every figure of the identity, and — where it is — the same figure printed the same way in another
   table. A cross-table identity is the publisher's by construction: each table adds up on its own.

Each verdict says its evidence in words a person can check on the page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from expectations.facts import printed
from expectations.identities import Identity
from extract.model import UNPLACED_CHECKS, Attribution, ExtractedDocument, Fact, FactIdentity


@dataclass(frozen=True, slots=True)
class Verdict:
    attributed_to: Attribution
    reason: str  # the evidence, in words
    withhold: bool = False  # the table's figures are in doubt: it stays out of the marts


@dataclass(slots=True)
class Evidence:
    """What a document tells about its own reading: cells whose readings disagree, tables in doubt."""

    disputed: Mapping[FactIdentity, str]
    doubts: Mapping[str, str]  # table_kind → why its structure is in doubt
    facts: Mapping[FactIdentity, Fact]
    titles: Mapping[str, str] = field(default_factory=dict)
    unplaced: Mapping[tuple[str, str], list[str]] = field(default_factory=dict)  # (table_kind, what) → words
    second_read: frozenset[int] = frozenset()  # pages whose figures were read a second time
    _printed_at: dict[tuple[str, str, Decimal], list[Fact]] = field(default_factory=dict)

    @classmethod
    def of(cls, doc: ExtractedDocument, doubts: Mapping[str, str]) -> Evidence:
        facts = {f.identity: f for f in doc.facts}
        unplaced: dict[tuple[str, str], list[str]] = {}
        for problem in doc.problems:
            what = UNPLACED_CHECKS.get(problem.check_name)
            if what and problem.table_kind:
                unplaced.setdefault((problem.table_kind, what), []).append(f"{problem.printed!r} p{problem.page}")
        titles = {t.table_kind: t.title for t in doc.tables}
        evidence = cls(doc.disputed, doubts, facts, titles, unplaced, frozenset(doc.second_read))
        for fact in facts.values():
            evidence._printed_at.setdefault((fact.key, fact.measure, fact.amount_yuan), []).append(fact)
        return evidence

    def printed_elsewhere(self, cell: FactIdentity) -> Fact | None:
        """The same figure for the same subject and measure, printed in another table."""
        fact = self.facts.get(cell)
        if fact is None or fact.amount_yuan == 0:
            return None
        twins = self._printed_at.get((fact.key, fact.measure, fact.amount_yuan), [])
        return next((f for f in twins if f.table_kind != fact.table_kind), None)


def attribute(identities: Sequence[Identity], evidence: Evidence) -> list[Verdict | None]:
    """A verdict for every failed identity (None for those that hold)."""
    return [None if x.holds else _judge(x, evidence) for x in identities]


def _judge(x: Identity, evidence: Evidence) -> Verdict:
    cells = [c for c, _ in x.roles()]
    # A cross-table identity's doubt is about one of its tables, which its own errors already withhold: the other
    # table, read as printed, is not held back for it.
    withhold = x.family != "cross_table"
    disputed = [evidence.disputed[c] for c in cells if c in evidence.disputed]
    if disputed:
        return Verdict("extraction", f"the two readings of a figure disagree: {disputed[0]}", withhold=withhold)
    tables = sorted({c[0] for c in cells})
    doubt = next((f"{t}: {evidence.doubts[t]}" for t in tables if t in evidence.doubts), None)
    if doubt is not None:
        return Verdict("extraction", f"the table's structure is in doubt ({doubt})", withhold=withhold)
    what = "column" if x.family == "column" else "row"
    unplaced = [u for t in tables for u in evidence.unplaced.get((t, what), [])]
    if unplaced and x.family != "cross_table":
        shown = ", ".join(unplaced[:3]) + (f" and {len(unplaced) - 3} more" if len(unplaced) > 3 else "")
        return Verdict("extraction", f"the table prints {what}s caijue could not place ({shown}): the difference "
                       "may be in what was not read")  # fmt: skip
    return Verdict("publisher", _printed_so(x, evidence))


def _omitted_line(x: Identity) -> str | None:
    """A printed total short of its terms by exactly one of them (a spreadsheet range that skips a line)."""
    if x.family == "cross_table" or x.n_terms < 2 or x.actual == 0 or x.delta >= 0:
        return None
    for term in x.expected_terms:
        if term.printed and term.amount != 0 and abs(term.amount + x.delta) <= 2 * x.step_yuan:
            return f"the printed total leaves out one line ({term.cell[3]}, {printed(term.amount, x.unit)} {x.unit})"
    return None


def _printed_so(x: Identity, evidence: Evidence) -> str:
    """Why the figures are as printed: both readings agree, and the same figure elsewhere."""
    terms = (*x.actual_terms, *x.expected_terms)
    read = [evidence.facts[t.cell] for t in terms if t.printed and t.cell in evidence.facts]
    boxed = [f for f in read if f.box is not None and f.page in evidence.second_read]
    pages = sorted({f.page for f in read})
    where = f"p{', p'.join(map(str, pages))}" if pages else "the page"
    if read and len(boxed) == len(read):
        said = f"both readings (PDFium, pdfplumber) agree on all {len(read)} figures ({where})"
    elif boxed:
        said = f"both readings agree on the {len(boxed)} of {len(read)} figures read from cells ({where})"
    elif any(f.box is not None for f in read):
        said = "read once (no second reading was made: the gate was not given the PDF)"
    else:
        said = "no evidence of a misreading"
    if x.family == "cross_table":
        said = f"each table adds up on its own and they print different figures; {said}"
    omitted = _omitted_line(x)
    if omitted:
        said += f"; {omitted}"
    total = next((t for t in x.actual_terms if t.printed), None)
    twin = evidence.printed_elsewhere(total.cell) if total is not None else None
    if twin is not None:
        title = evidence.titles.get(twin.table_kind, twin.table_kind)
        said += f"; {printed(twin.amount_yuan, x.unit)} {x.unit} is printed the same in {title} p{twin.page}"
    return said

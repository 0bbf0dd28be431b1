"""Score the marts against hand-checked expected facts (corpus/*/expected/).

A fact is (kind, table_kind, fund_scope, key, measure, amount_yuan); the marts' facts of one
document are compared with the expected ones as sets. A wrong amount is one missing fact plus one
unexpected fact in the counts, and is also listed as a `wrong` pair for reading.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb

from extract.expected import (
    COVER_FIELDS,
    EXPECTED_FILE_NAMES,
    META_FILE,
    Expected,
    ExpectedFormatError,
    ExpectedMeta,
    parse_expected,
)
from extract.model import CENT, Fact

FactKey = tuple[str, str, str, str, str]  # kind, table_kind, fund_scope, key, measure
META_FIELDS = COVER_FIELDS
# kind, table_kind, fund_scope of a three-public fact: the marts' fct_three_public has no fund scope
THREE_PUBLIC = ("three_public", "three_public", "")


@dataclass(frozen=True, slots=True, order=True)
class ScoredFact:
    kind: str
    table_kind: str
    fund_scope: str
    key: str
    measure: str
    amount_yuan: Decimal

    @property
    def fact_key(self) -> FactKey:
        return (self.kind, self.table_kind, self.fund_scope, self.key, self.measure)


@dataclass(frozen=True, slots=True)
class WrongFact:
    fact_key: FactKey
    expected: Decimal
    actual: Decimal


@dataclass(frozen=True, slots=True)
class Counts:
    expected: int
    actual: int
    matched: int

    @property
    def precision(self) -> float:
        return self.matched / self.actual if self.actual else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


class _ScoredByCounts:
    """Precision, recall and F1 read from the `counts` a score has."""

    __slots__ = ()
    counts: Counts

    @property
    def precision(self) -> float:
        return self.counts.precision

    @property
    def recall(self) -> float:
        return self.counts.recall

    @property
    def f1(self) -> float:
        return self.counts.f1


@dataclass(slots=True)
class DocumentScore(_ScoredByCounts):
    name: str
    document_id: str
    status: str | None  # dim_document.status; None when the document is not in the warehouse
    counts: Counts
    missing: list[ScoredFact] = field(default_factory=list)
    unexpected: list[ScoredFact] = field(default_factory=list)
    wrong: list[WrongFact] = field(default_factory=list)
    meta_mismatches: dict[str, tuple[object, object]] = field(default_factory=dict)  # field → (expected, actual)

    def describe_errors(self) -> list[str]:
        """Each wrong, missing and unexpected fact, and each meta field that differs, one line each."""
        lines = [f"wrong {'/'.join(w.fact_key)}: expected {w.expected}, got {w.actual}" for w in self.wrong]
        lines += [f"missing {'/'.join(f.fact_key)} = {f.amount_yuan}" for f in self.missing]
        lines += [f"unexpected {'/'.join(f.fact_key)} = {f.amount_yuan}" for f in self.unexpected]
        lines += [f"meta {name}: expected {e!r}, got {a!r}" for name, (e, a) in self.meta_mismatches.items()]
        return lines


@dataclass(slots=True)
class AccuracyReport(_ScoredByCounts):
    documents: list[DocumentScore]

    @property
    def counts(self) -> Counts:
        """Micro-averaged over every fact of every document."""
        return Counts(
            expected=sum(d.counts.expected for d in self.documents),
            actual=sum(d.counts.actual for d in self.documents),
            matched=sum(d.counts.matched for d in self.documents),
        )

    def format(self) -> str:
        lines = [f"{'document':40} {'P':>6} {'R':>6} {'F1':>6}  missing unexpected wrong  meta"]
        for d in self.documents:
            meta = ", ".join(sorted(d.meta_mismatches)) or "ok"
            lines.append(
                f"{d.name[:40]:40} {d.precision:6.3f} {d.recall:6.3f} {d.f1:6.3f}"
                f"  {len(d.missing):7} {len(d.unexpected):10} {len(d.wrong):5}  {meta}"
            )
        lines.append(f"{'overall':40} {self.precision:6.3f} {self.recall:6.3f} {self.f1:6.3f}")
        return "\n".join(lines)


def score(con: duckdb.DuckDBPyConnection, expected_dirs: Iterable[Path]) -> AccuracyReport:
    return AccuracyReport([score_document(con, Path(d)) for d in expected_dirs])


def score_document(con: duckdb.DuckDBPyConnection, expected_dir: Path) -> DocumentScore:
    """Compare the marts' facts of the document named by expected_dir/meta.json's sha256.

    `expected_dir` is an expected/ folder, or a corpus document folder that holds one."""
    expected_dir = expected_folder(expected_dir)
    folder = read_expected_folder(expected_dir)
    document_id = folder.meta.sha256.lower()
    expected = scored_facts(folder.facts())
    actual = read_marts(con, document_id)
    document = _dim_document(con, document_id)
    missing, unexpected, wrong = compare(expected, actual)
    return DocumentScore(
        name=_name(expected_dir, folder.meta),
        document_id=document_id,
        status=document.get("status"),
        counts=Counts(expected=len(expected), actual=len(actual), matched=len(expected & actual)),
        missing=missing,
        unexpected=unexpected,
        wrong=wrong,
        meta_mismatches=_meta_mismatches(folder.meta, document),
    )


def compare(
    expected: set[ScoredFact], actual: set[ScoredFact]
) -> tuple[list[ScoredFact], list[ScoredFact], list[WrongFact]]:
    """Missing and unexpected facts, with the pairs sharing a key taken out as `wrong`."""
    missing = expected - actual
    unexpected = actual - expected
    unexpected_by_key = {f.fact_key: f for f in unexpected}
    wrong = [
        WrongFact(f.fact_key, f.amount_yuan, unexpected_by_key[f.fact_key].amount_yuan)
        for f in sorted(missing)
        if f.fact_key in unexpected_by_key
    ]
    paired = {w.fact_key for w in wrong}
    return (
        sorted(f for f in missing if f.fact_key not in paired),
        sorted(f for f in unexpected if f.fact_key not in paired),
        wrong,
    )


def expected_folder(folder: Path) -> Path:
    """The expected/ folder `folder` is, or holds (a corpus document's folder)."""
    if not (folder / META_FILE).exists() and (folder / "expected" / META_FILE).exists():
        return folder / "expected"
    return folder


def read_expected_folder(folder: Path) -> Expected:
    """An expected/ folder (or a document folder holding one), read; a file off the format (extract/expected.py)
    is an ExpectedFormatError naming the folder."""
    folder = expected_folder(Path(folder))
    present = [name for name in EXPECTED_FILE_NAMES if (folder / name).is_file()]
    files = {name: (folder / name).read_text(encoding="utf-8-sig") for name in present}
    try:
        return parse_expected(files)
    except ExpectedFormatError as error:
        raise ExpectedFormatError(f"{folder}: {error}") from None


def read_expected(expected_dir: Path) -> set[ScoredFact]:
    """The contract facts of an expected/ folder: non-zero function/economic/summary facts, every
    three-public fact; printed 合计 rows (`table_total:*`, personnel_total, public_use_total) left out."""
    return scored_facts(read_expected_folder(expected_dir).facts())


def scored_facts(facts: Iterable[Fact]) -> set[ScoredFact]:
    """Facts of the extractor's model in the benchmark's terms: the contract's facts (no printed 合计 rows),
    non-zero but in the three-public table, amounts to the fen; three-public facts without a fund scope."""
    scored: set[ScoredFact] = set()
    for f in facts:
        amount = f.amount_yuan.quantize(CENT)
        if f.fact_kind == "three_public":
            scored.add(ScoredFact(*THREE_PUBLIC, f.key, f.measure, amount))
        elif f.fact_kind != "table_total" and amount != 0:
            scored.add(ScoredFact(f.fact_kind, f.table_kind, f.fund_scope, f.key, f.measure, amount))
    return scored


def read_marts(con: duckdb.DuckDBPyConnection, document_id: str) -> set[ScoredFact]:
    """The same shape of facts, from the marts."""
    queries = (
        "select 'function', table_kind, fund_scope, subject_code, measure, amount_yuan"
        " from marts.fct_function_amount where document_id = ? and amount_yuan <> 0",
        "select 'economic', table_kind, fund_scope, econ_code, measure, amount_yuan"
        " from marts.fct_economic_amount where document_id = ? and amount_yuan <> 0",
        "select 'summary', table_kind, fund_scope, line_key, 'amount', amount_yuan"
        " from marts.fct_summary_line where document_id = ? and amount_yuan <> 0",
        f"select '{THREE_PUBLIC[0]}', '{THREE_PUBLIC[1]}', '{THREE_PUBLIC[2]}', item, measure, amount_yuan"
        " from marts.fct_three_public where document_id = ?",
    )
    facts: set[ScoredFact] = set()
    for query in queries:
        for row in con.execute(query, [document_id]).fetchall():
            facts.add(ScoredFact(*row[:5], amount_yuan=Decimal(row[5]).quantize(CENT)))
    return facts


def _dim_document(con: duckdb.DuckDBPyConnection, document_id: str) -> dict[str, object]:
    columns = (*META_FIELDS, "status")
    row = con.execute(
        f"select {', '.join(columns)} from marts.dim_document where document_id = ?", [document_id]
    ).fetchone()
    return dict(zip(columns, row, strict=True)) if row else {}


def _meta_mismatches(meta: ExpectedMeta, document: dict[str, object]) -> dict[str, tuple[object, object]]:
    said = {name: getattr(meta, name) for name in META_FIELDS}
    return {name: (said[name], document.get(name)) for name in META_FIELDS if said[name] != document.get(name)}


def _name(expected_dir: Path, meta: ExpectedMeta) -> str:
    folder = expected_dir.parent.name if expected_dir.name == "expected" else expected_dir.name
    return folder or meta.file

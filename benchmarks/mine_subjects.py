"""Subject codes the published documents print that caijue's code lists lack, with the names printed beside them.

    caijue ingest FOLDER --warehouse w.duckdb
    python benchmarks/mine_subjects.py w.duckdb [--write]

The Ministry of Finance revises 《政府收支分类科目》 every year; the lists caijue ships
(extract/classification/*.csv) are what name-only lines are placed by (a summary table's 款 and 项 printed
without codes). Every published table that prints a code beside its name is evidence of that code's name in
that year. This reads a warehouse's raw facts of loaded documents (what the gate let through: withheld tables are
not evidence), collects each code the lists lack with the names printed for it, and prints them; `--write` adds to
the lists the codes whose name every document printing it agrees on (whitespace aside), with the earliest
fiscal year seen as `valid_from`. A code printed with two names is listed, never written.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extract.cells import code_prefix
from extract.classification import Classification, load_classification, normalise_name
from extract.text import has_cjk, label

LISTS = Path(__file__).resolve().parents[1] / "extract" / "classification"


@dataclass(slots=True)
class Printed:
    names: Counter[str] = field(default_factory=Counter)  # name → documents printing it
    years: set[int] = field(default_factory=set)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--write", action="store_true", help="add the agreed codes to the shipped lists")
    parser.add_argument("--kind", choices=["function", "economic"], action="append",
                        help="only these code lists (default: both)")  # fmt: skip
    args = parser.parse_args()
    found = mine(args.warehouse)
    classification = load_classification()
    missing = {
        kind: {c: p for c, p in codes.items() if not _known(classification, kind, c)} for kind, codes in found.items()
    }
    for kind, codes in missing.items():
        print(f"\n{kind} codes printed but not in the list: {len(codes)}")
        for code, printed in sorted(codes.items()):
            agreed = "" if len(printed.names) == 1 else "   (names disagree: not written)"
            print(f"  {code}  {' | '.join(f'{n} ×{k}' for n, k in printed.names.most_common())}"
                  f"  {sorted(printed.years)}{agreed}")  # fmt: skip
    if args.write:
        for kind, codes in missing.items():
            if args.kind and kind not in args.kind:
                continue
            written = write(kind, {c: p for c, p in codes.items() if len(p.names) == 1})
            print(f"\n{kind}: {written} codes added to {LISTS / FILES[kind]}")
    return 0


EVIDENCE = """
select f.document_id, d.fiscal_year, f.fact_kind, f.key, f.row_label
from raw.facts f
join raw.documents d using (document_id)
left join raw.document_tables t on t.document_id = f.document_id and t.table_kind = f.table_kind
where d.status = 'loaded' and t.withheld_reason is null and f.fact_kind in ('function', 'economic')
  and coalesce(f.row_label, '') <> ''
"""


def mine(warehouse: Path) -> dict[str, dict[str, Printed]]:
    found: dict[str, dict[str, Printed]] = {"function": defaultdict(Printed), "economic": defaultdict(Printed)}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(EVIDENCE).fetchall()
    pairs: dict[tuple[str, str, str], tuple[str, int | None]] = {}
    for document_id, year, kind, code, row_label in rows:
        if name := _name(row_label, code):
            pairs[document_id, kind, code] = (name, year)
    for (_, kind, code), (name, year) in pairs.items():
        found[kind][code].names[name] += 1
        if year:
            found[kind][code].years.add(year)
    return found


FILES = {"function": "function_subjects.csv", "economic": "economic_subjects.csv"}


def write(kind: str, codes: dict[str, Printed]) -> int:
    path = LISTS / FILES[kind]
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
        fields = list(rows[0].keys())
    for code, printed in codes.items():
        name = printed.names.most_common(1)[0][0]
        code_column, name_column = fields[:2]
        row = {
            code_column: code,
            name_column: name,
            "valid_from": str(min(printed.years, default=2018)),
            "valid_to": "",
        }
        rows.append(row)
    key = fields[0]
    rows.sort(key=lambda r: (r[key][:3], len(r[key]) > 3, r[key][:5], len(r[key]) > 5, r[key]))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(codes)


def _known(classification: Classification, kind: str, code: str) -> bool:
    if kind == "function":
        return classification.function_level(code) is None or classification.is_known_function(code)
    return classification.economic_level(code) is None or classification.is_known_economic(code)


def _name(row_label: str, code: str) -> str:
    """The printed name: a code printed in the same cell and a class line's ordinal taken off; nothing when the
    cell prints another code than the fact's (a finer code added into it)."""
    embedded = code_prefix(label(row_label))
    if embedded and embedded[0] != code:
        return ""
    name = normalise_name(embedded[1] if embedded else label(row_label))
    return name if has_cjk(name) else ""


if __name__ == "__main__":
    sys.exit(main())

"""The wild corpora, measured: `caijue survey` over a folder of real files, set against its `files.tsv`.

    python benchmarks/wild_survey.py ../shared/corpus/wild-more [--json out.json] [--workers 2]

Prints what the survey prints (per file: verdict, reason, tables, identities and whose; totals by kind of file
and region; the printed words caijue could not place), then the issue's measures:

- budgets and final accounts (as caijue reads them) loaded with at least three function or economic tables;
- every other file failed with a reason and no facts;
- 类 = Σ款 and 款 = Σ项 on the loaded documents' function tables;
- the same totals by province, as files.tsv places each file;
- the files whose kind caijue judges differently from the folder's `files.tsv` (a first reading by hand), each
  with what caijue found.

`--from-json` re-reads a survey written earlier instead of reading the PDFs again.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flows.survey import TOTAL_COLUMNS, FileSurvey, format_survey, hierarchy_rate, read_json, survey, totals, write_json

ACCOUNT_KINDS = ("budget", "final account")
# files.tsv's words → caijue's file kinds
TSV_KINDS = {
    "budget": ACCOUNT_KINDS,
    "final": ACCOUNT_KINDS,
    "explanation-only": ("explanation only",),
    "scanned": ("scanned",),
    "not a budget document": ("not a budget document",),
    "html page, not a PDF": ("web page", "not a PDF"),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", type=Path, help="write the survey records here")
    parser.add_argument("--from-json", type=Path, help="read the survey records from here instead of the PDFs")
    args = parser.parse_args()

    started = time.perf_counter()
    if args.from_json:
        records = read_json(args.from_json)
    else:
        records = survey([args.folder], args.workers)
        if args.json:
            write_json(records, args.json)
    seconds = time.perf_counter() - started
    print(format_survey(records, unplaced_limit=40))
    print()
    rows = read_tsv(args.folder / "files.tsv")
    if rows:
        print(by_province(records, rows))
        print()
    print(measures(records, rows))
    if not args.from_json:
        print(f"\n{len(records)} files surveyed in {seconds:.0f} s on {args.workers} workers")
    return 0


def read_tsv(path: Path) -> dict[str, dict[str, str]]:
    """files.tsv's row of each file (what_it_is, region …)."""
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8") as handle:
        return {row["file"]: row for row in csv.DictReader(handle, delimiter="\t")}


def province(row: dict[str, str] | None) -> str:
    """files.tsv's region ("广东省 深圳", "江苏省(省级) 江苏省委办公厅") as its province."""
    words = (row or {}).get("region", "").split()
    return words[0].split("(")[0] if words else ""


def by_province(records: list[FileSurvey], tsv: dict[str, dict[str, str]]) -> str:
    """The survey's totals by the province files.tsv gives each file (the PDFs' own naming of their region varies)."""
    lines = [f"| province (files.tsv) | {' | '.join(TOTAL_COLUMNS)} |", "|---" * (len(TOTAL_COLUMNS) + 1) + "|"]
    for name, counts in totals(records, lambda r: province(tsv.get(r.file))):
        lines.append(f"| {name} | {' | '.join(str(counts[k]) for k in TOTAL_COLUMNS)} |")
    return "\n".join(lines)


def measures(records: list[FileSurvey], rows: dict[str, dict[str, str]]) -> str:
    tsv = {file: row["what_it_is"] for file, row in rows.items()}
    accounts = [r for r in records if r.file_kind in ACCOUNT_KINDS]
    others = [r for r in records if r.file_kind not in ACCOUNT_KINDS]
    loaded = [r for r in accounts if r.loads_with_tables]
    silent = [r for r in others if r.status != "failed" or not r.reason or r.facts]
    held, checked = hierarchy_rate(records)
    lines = [
        "| measure | figure |",
        "|---|---|",
        f"| budgets and final accounts loaded with ≥3 function or economic tables | {len(loaded)} of {len(accounts)} "
        f"({_share(len(loaded), len(accounts))}) |",
        f"| other files failed with a reason and no facts | {len(others) - len(silent)} of {len(others)} |",
        f"| 类 = Σ款, 款 = Σ项 on the loaded function tables | {held} of {checked} ({_share(held, checked, 2)}) |",
        f"| tables withheld in loaded documents | {sum(len(r.withheld) for r in records if r.status == 'loaded')} |",
    ]
    short = [r for r in accounts if not r.loads_with_tables]
    if short:
        lines += ["", "budgets and final accounts without three loaded function or economic tables:"]
        lines += [f"  {r.file}: {r.status}, {r.subject_tables} loaded; {r.reason or ''}" for r in short]
    differ = [r for r in records if r.file in tsv and r.file_kind not in TSV_KINDS.get(tsv[r.file], (tsv[r.file],))]
    if differ:
        lines += ["", "files caijue judges differently from files.tsv:"]
        lines += [f"  {r.file}: files.tsv says {tsv[r.file]!r}; caijue: {r.file_kind} — {_found(r)}" for r in differ]
    return "\n".join(lines)


def _found(record: FileSurvey) -> str:
    if record.tables:
        return f"{len(record.tables)} tables found ({', '.join(record.tables)})"
    return record.reason or "no tables"


def _share(part: int, whole: int, digits: int = 1) -> str:
    return f"{100 * part / whole:.{digits}f}%" if whole else "—"


if __name__ == "__main__":
    sys.exit(main())

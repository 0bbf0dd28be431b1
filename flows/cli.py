"""The `caijue` command line."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from flows.settings import prepare_prefect, warehouse_path

EXAMPLE_QUERY = """select d.department_name, f.fiscal_year, f.report_kind, s.subject_name,
       sum(f.amount_yuan) as amount_yuan
from marts.fct_function_amount f
join marts.dim_document d using (document_id)
join marts.dim_function_subject s using (subject_code)
where f.table_kind = 'expenditure' and f.measure = 'total' and f.subject_level = '类'
group by all order by amount_yuan desc limit 10;"""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return int(args.run(args) or 0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="caijue", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser("ingest", help="extract, check, load and publish PDFs (files or folders)")
    ingest.add_argument("paths", nargs="+", type=Path)
    _common(ingest)
    ingest.set_defaults(run=_ingest)

    demo = commands.add_parser("demo", help="generate the sample corpus and ingest it")
    demo.add_argument("--departments", type=int, default=12)
    demo.add_argument("--corpus", type=Path, default=Path("data/sample_corpus"),
                      help="where the generated PDFs are written (default data/sample_corpus)")
    _common(demo)
    demo.set_defaults(run=_demo)

    accuracy = commands.add_parser("accuracy", help="precision/recall/F1 of the warehouse against expected/")
    accuracy.add_argument("expected", nargs="+", type=Path, help="document folders holding expected/")
    accuracy.add_argument("--warehouse")
    accuracy.set_defaults(run=_accuracy)
    return parser


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--warehouse", help="DuckDB file (default $CAIJUE_WAREHOUSE or data/warehouse.duckdb)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="extraction processes (default: all cores)")


def _ingest(args: argparse.Namespace) -> int:
    warehouse = warehouse_path(args.warehouse)
    summary = _run(args.paths, warehouse, args.workers)
    return 0 if summary.completed else 1


def _run(paths: list[Path], warehouse: Path, workers: int):
    missing = [p for p in paths if not p.exists()]
    if missing:
        print(f"caijue: no such file or folder: {', '.join(map(str, missing))}", file=sys.stderr)
        raise SystemExit(2)
    prepare_prefect(warehouse.parent / ".caijue")
    from flows.ingest import run_ingest
    from flows.report import print_summary

    summary = run_ingest(paths, warehouse, workers)
    print_summary(summary)
    return summary


def _demo(args: argparse.Namespace) -> int:
    from flows.report import say
    from samples import generate_corpus

    warehouse = warehouse_path(args.warehouse)
    say(f"demo: generating {args.departments} departments' budgets and final accounts into {args.corpus}")
    pdfs = generate_corpus(args.corpus, departments=args.departments)
    say(f"demo: {len(pdfs)} PDFs generated")
    summary = _run([args.corpus], warehouse, args.workers)
    print(f"\nThe warehouse is {warehouse}. Query it, for example:\n"
          f"  duckdb -readonly {warehouse}\n\n{EXAMPLE_QUERY}\n"
          f"\nor from Python: duckdb.connect('{warehouse}', read_only=True).sql(\"...\").show()")
    return 0 if summary.completed else 1


def _accuracy(args: argparse.Namespace) -> int:
    import duckdb

    from warehouse.accuracy import score

    warehouse = warehouse_path(args.warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        report = score(con, args.expected)
    print(report.format())
    for document in report.documents:
        for line in document.describe_errors():
            print(f"  {document.name}: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The `caijue` command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from flows.errors import UserError, check_input, check_warehouse_writable, explain_database_error
from flows.limits import DEFAULT_MEMORY_LIMIT_MIB, DEFAULT_PAGE_LIMIT, DocumentLimits
from flows.settings import prepare_prefect, warehouse_path
from flows.stopping import EXIT_STOPPED, STOPPED, exit_without_teardown, stop_cleanly

EXAMPLE_QUERY = """select d.department_name, f.fiscal_year, f.report_kind, s.subject_name,
       sum(f.amount_yuan) as amount_yuan
from marts.fct_function_amount f
join marts.dim_document d using (document_id)
join marts.dim_function_subject s using (subject_code)
where f.table_kind = 'expenditure' and f.measure = 'total' and f.subject_level = '类'
group by all order by amount_yuan desc limit 10;"""


# The commands that run the ingest flow: as the command itself, the process ends at once after one (see main).
RUN_COMMANDS = frozenset({"ingest", "demo"})


def main(argv: list[str] | None = None) -> int:
    """Run a subcommand. An error the user caused (flows/errors.py) is one line on stderr and exit 2;
    `--debug` shows its traceback instead. Called as the command (`caijue`, `python -m flows.cli`: no `argv`),
    a run ends the process as soon as it is done (exit_without_teardown)."""
    args = _parser().parse_args(argv)
    code = _run_command(args)
    if argv is None and args.command in RUN_COMMANDS:
        exit_without_teardown(code)
    return code


def _run_command(args: argparse.Namespace) -> int:
    try:
        _check_page_reader()
        return int(args.run(args) or 0)
    except UserError as error:
        if args.debug:
            raise
        print(f"caijue: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # outside a run (a run stops itself: flows/stopping.py)
        if args.debug:
            raise
        print(STOPPED, file=sys.stderr)
        return EXIT_STOPPED
    except Exception as error:
        explained = explain_database_error(error, _given_warehouse(args)) if _is_database_error(error) else None
        if explained is None or args.debug:
            raise
        print(f"caijue: {explained}", file=sys.stderr)
        return 2


def _is_database_error(error: Exception) -> bool:
    """A DuckDB error. DuckDB is not imported for this (~0.2 s before a run can begin its server): an error of a
    module never imported was not raised."""
    duckdb = sys.modules.get("duckdb")
    return duckdb is not None and isinstance(error, duckdb.Error)


def _check_page_reader() -> None:
    """CAIJUE_PAGE_READER, when set, names a reader extraction knows (extract.pages.page_reader). Unset, there
    is nothing to check, and extraction is not imported (half a second) before a run can start its server."""
    if not os.environ.get("CAIJUE_PAGE_READER", "").strip():
        return
    from extract.pages import page_reader

    try:
        page_reader()
    except ValueError as error:
        raise UserError(str(error), "unset it, or set it to pdfium or pdfplumber") from None


def _given_warehouse(args: argparse.Namespace) -> Path | None:
    try:
        return warehouse_path(getattr(args, "warehouse", None))
    except (SystemExit, UserError):
        return None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="caijue", description=__doc__)
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error, not one line")
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser("ingest", help="extract, check, load and publish PDFs (files or folders)")
    ingest.add_argument("paths", nargs="+", type=Path)
    _common(ingest)
    _data_docs_flag(ingest)
    _departments_file_flag(ingest)
    ingest.add_argument(
        "--summary-json", type=Path, metavar="FILE", help="also write the run's summary (counts, stage seconds) to FILE"
    )
    ingest.set_defaults(run=_ingest)

    demo = commands.add_parser(
        "demo", help="generate the sample corpus (a district bureau's three years) and ingest it"
    )
    demo.add_argument(
        "--provinces",
        action="store_true",
        help="instead of one district's bureau: departments spread over the provinces' layouts, one district each",
    )
    demo.add_argument(
        "--departments",
        type=int,
        metavar="N",
        help="the district's first N departments (default: all); with --provinces, N departments (default 12)",
    )
    demo.add_argument(
        "--corpus",
        type=Path,
        default=Path("data/sample_corpus"),
        help="where the generated PDFs are written (default data/sample_corpus)",
    )
    _common(demo)
    _data_docs_flag(demo)
    _departments_file_flag(demo)
    demo.set_defaults(run=_demo)

    serve = commands.add_parser("serve", help="a Prefect deployment of the ingest flow, on a schedule, over an inbox")
    serve.add_argument("--inbox", type=Path, default=Path("data/inbox"), help="folder watched (default data/inbox)")
    when = serve.add_mutually_exclusive_group()
    when.add_argument("--cron", default="0 2 * * *", help='cron schedule (default "0 2 * * *": nightly at 02:00)')
    when.add_argument("--interval", type=float, help="run every this many seconds instead of on a cron schedule")
    serve.add_argument("--name", default="nightly", help="deployment name (default nightly)")
    serve.add_argument(
        "--port",
        type=int,
        help="port of the Prefect server started when PREFECT_API_URL is unset (default 4200, or a free one)",
    )
    serve.add_argument(
        "--no-warm-spare",
        dest="warm_spare",
        action="store_false",
        help="run each flow run in a cold process of Prefect's, not one begun and warmed while serve idles",
    )
    _common(serve)
    serve.set_defaults(run=_serve)

    report = commands.add_parser(
        "report",
        help="a department's issues to send back (HTML + Excel, figures cropped from the pages), or a region's page",
    )
    report.add_argument(
        "selector",
        nargs="?",
        metavar="DOCUMENT_OR_DEPARTMENT",
        help="a document_id prefix (6+ hex characters) or (part of) a department name",
    )
    report.add_argument("--region", help="instead: one offline HTML page for (part of) a region name")
    report.add_argument("--year", type=int, help="the region page's fiscal year (with --region)")
    report.add_argument("--warehouse")
    report.add_argument("--out", type=Path, default=Path("reports"), help="folder for the pages (default reports)")
    report.set_defaults(run=_report)

    survey = commands.add_parser("survey", help="what caijue makes of every file in a folder (nothing is loaded)")
    survey.add_argument("paths", nargs="+", type=Path)
    survey.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="files read at once (default: cores)")
    survey.add_argument("--timeout", type=float, default=300.0, help="seconds per file before it is failed (0: none)")
    _memory_and_page_limits(survey)
    survey.add_argument("--json", type=Path, metavar="FILE", help="write every file's survey record to FILE")
    survey.add_argument(
        "--words", type=int, default=60, metavar="N", help="how many unplaced printed words to list (default 60)"
    )
    survey.set_defaults(run=_survey)

    departments = commands.add_parser(
        "departments",
        help="the departments as matched over the years (name variants, evidence, unmerged candidates); "
        "--apply loads the override file and rebuilds",
    )
    departments.add_argument("--warehouse")
    departments.add_argument(
        "--apply",
        nargs="?",
        const="",
        metavar="FILE",
        help="load the override file (FILE, else $CAIJUE_DEPARTMENTS, else departments.csv beside the warehouse) "
        "and publish the rebuilt marts",
    )
    departments.set_defaults(run=_departments)

    accuracy = commands.add_parser("accuracy", help="precision/recall/F1 of the warehouse against expected/")
    accuracy.add_argument("expected", nargs="+", type=Path, help="document folders holding expected/")
    accuracy.add_argument("--warehouse")
    accuracy.set_defaults(run=_accuracy)
    _bench_parser(commands)
    return parser


def _bench_parser(commands: argparse._SubParsersAction) -> None:
    bench = commands.add_parser(
        "bench",
        help="time the whole ingest stage by stage on generated departments (and real PDFs), "
        "beside the naive baseline on the same files",
    )
    bench.add_argument(
        "--departments", type=int, default=25, metavar="N", help="generated departments (default 25: 100 documents)"
    )
    bench.add_argument(
        "--add",
        type=Path,
        action="append",
        default=[],
        metavar="FOLDER",
        help="also every PDF under FOLDER (repeatable)",
    )
    bench.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="extraction processes (default: all cores)"
    )
    bench.add_argument("--then-new", type=int, default=0, metavar="K", help="then a run adding K new documents")
    bench.add_argument(
        "--then-changed", type=int, default=0, metavar="K", help="then a run adding K re-published documents"
    )
    bench.add_argument("--no-baseline", action="store_true", help="skip the naive baseline and the bare extraction")
    bench.add_argument(
        "--served",
        action="store_true",
        help="the then-new and then-changed runs through a `caijue serve` of the bench's inbox, each triggered"
        " through Prefect's API once serve's warm process waits (the nightly path)",
    )
    bench.add_argument(
        "--side-by-side-repeat",
        type=int,
        default=1,
        metavar="N",
        help="on each --add folder, extraction alone beside the naive baseline: best of N passes (default 1)",
    )
    bench.add_argument(
        "--scale",
        metavar="SIZES",
        help="instead: first runs of these many documents (e.g. 100,400,1600), each then beside bare extraction"
        " + gate on its files (no naive baseline)",
    )
    bench.add_argument("--work", type=Path, help="folder for the corpus and the runs (default: <tmp>/caijue-bench)")
    bench.add_argument("--json", type=Path, metavar="FILE", help="write the figures to FILE")
    bench.set_defaults(run=_bench)


def _data_docs_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-docs",
        type=Path,
        metavar="DIR",
        help="render GX Data Docs of the run's validations into DIR (default: off)",
    )


def _departments_file_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--departments-file",
        type=Path,
        metavar="FILE",
        help="the department override file (default $CAIJUE_DEPARTMENTS, else departments.csv beside the warehouse)",
    )


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--warehouse", help="DuckDB file (default $CAIJUE_WAREHOUSE or data/warehouse.duckdb)")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="extraction processes; with --dask-address, documents in flight (default: all cores)",
    )
    parser.add_argument("--dask-address", help="run extraction on this Dask scheduler (tcp://host:8786)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        help="seconds one document may take to extract before it is failed (default 300; 0: none)",
    )
    _memory_and_page_limits(parser)


def _memory_and_page_limits(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--memory-limit-mib",
        type=_at_least_zero,
        default=DEFAULT_MEMORY_LIMIT_MIB,
        metavar="MIB",
        help="resident memory the process reading one document may reach before the document is failed "
        f"(default {DEFAULT_MEMORY_LIMIT_MIB}; 0: none)",
    )
    parser.add_argument(
        "--page-limit",
        type=_at_least_zero,
        default=DEFAULT_PAGE_LIMIT,
        metavar="PAGES",
        help=f"a document with more pages is failed before any page is read (default {DEFAULT_PAGE_LIMIT}; 0: none)",
    )


def _at_least_zero(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is below 0 (0: no limit)")
    return value


def _limits(args: argparse.Namespace) -> DocumentLimits:
    """The per-document limits the command line gives (0: none)."""
    return DocumentLimits(args.timeout or None, args.memory_limit_mib or None, args.page_limit or None)


def _ingest(args: argparse.Namespace) -> int:
    warehouse = warehouse_path(args.warehouse)
    summary = _run(args.paths, warehouse, args)
    if args.summary_json:
        args.summary_json.write_text(json.dumps(summary.record(), ensure_ascii=False, indent=2))
    if not summary.completed:
        print(f"caijue: not published: {summary.failure}", file=sys.stderr)
    return 0 if summary.completed else 1


def _run(paths: list[Path], warehouse: Path, args: argparse.Namespace):
    for path in paths:
        check_input(path)
    check_warehouse_writable(warehouse)
    prepare_prefect(warehouse.parent / ".caijue")
    from flows.server import run_server_begun

    # The run's Prefect server first, before anything else is imported: it boots (~4 s) while this process
    # imports Prefect (which must not come before the server's address is set: flows/server.py
    # begin_run_server), plans the run and warms its reading children. A run with nothing to do stops it
    # before it has finished importing.
    with stop_cleanly(), run_server_begun() as server:
        summary = _up_to_date(paths, warehouse, args)
        if summary is None:
            from flows.warmup import import_in_background

            # GX (~3-4 s of a core) and dbt for the stages after the documents, begun beside Prefect's import (and
            # the server's boot): begun after it, GX was still importing when a small run's first gate came.
            import_in_background()
            from flows.collector import freeze_survivors
            from flows.ingest import run_ingest

            freeze_survivors()  # Prefect and the flow, imported for the run: out of its collections (again after GX)

            summary = run_ingest(
                paths,
                warehouse,
                args.workers,
                dask_address=args.dask_address,
                timeout_seconds=args.timeout or None,
                data_docs=getattr(args, "data_docs", None),
                departments_file=getattr(args, "departments_file", None),
                memory_limit_mib=args.memory_limit_mib or None,
                page_limit=args.page_limit or None,
                server=server,
            )
    from flows.report import print_summary

    print_summary(summary)
    return summary


def _up_to_date(paths: list[Path], warehouse: Path, args: argparse.Namespace):
    """The summary of a run with nothing new to do, answered from the fingerprints alone (no Prefect, no dbt);
    None when there is work."""
    from flows.plan import up_to_date_summary
    from warehouse.departments import OverrideFileError

    try:
        return up_to_date_summary(paths, warehouse, getattr(args, "departments_file", None))
    except OverrideFileError as error:
        print(f"caijue: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def _serve(args: argparse.Namespace) -> int:
    from flows.serve import serve

    warehouse = warehouse_path(args.warehouse)
    prepare_prefect(warehouse.parent / ".caijue")
    return serve(
        args.inbox.resolve(),
        warehouse,
        cron=None if args.interval else args.cron,
        interval=args.interval,
        name=args.name,
        workers=args.workers,
        dask_address=args.dask_address,
        timeout_seconds=args.timeout or None,
        port=args.port,
        memory_limit_mib=args.memory_limit_mib or None,
        page_limit=args.page_limit or None,
        warm_spare=args.warm_spare,
    )


def _demo(args: argparse.Namespace) -> int:
    from flows.report import say
    from samples import generate_bureau_corpus, generate_corpus

    if args.departments is not None and args.departments < 1:
        print("caijue: --departments must be at least 1", file=sys.stderr)
        return 2
    warehouse = warehouse_path(args.warehouse)
    if args.provinces:
        departments = args.departments or 12
        say(f"demo: generating {departments} departments' budgets and final accounts into {args.corpus}")
        pdfs = generate_corpus(args.corpus, departments=departments)
    else:
        say(f"demo: generating a district bureau's budgets and final accounts, 2022–2024, into {args.corpus}")
        pdfs = generate_bureau_corpus(args.corpus, departments=args.departments)
    say(f"demo: {len(pdfs)} PDFs generated")
    summary = _run(pdfs, warehouse, args)  # what was generated, not whatever else the folder holds
    print(
        f"\nThe warehouse is {warehouse}. Query it, for example:\n"
        f"  duckdb -readonly {warehouse}\n\n{EXAMPLE_QUERY}\n"
        f"\nor from Python: duckdb.connect('{warehouse}', read_only=True).sql(\"...\").show()"
        "\nThe same marts in Chinese (column names, codes in words, 元 and 万元): schema marts_zh,"
        " e.g. select * from marts_zh.mart_department_year"
    )
    return 0 if summary.completed else 1


def _report(args: argparse.Namespace) -> int:
    from warehouse.report import describe, write_reports
    from warehouse.report_department import write_department_reports
    from warehouse.report_region import RegionReportError, write_region_report

    if (args.selector is None) == (args.region is None) or (args.region is not None) != (args.year is not None):
        print("caijue report: give a DOCUMENT_OR_DEPARTMENT, or --region R --year Y", file=sys.stderr)
        return 2
    warehouse = warehouse_path(args.warehouse)
    if not warehouse.exists():
        print(f"caijue: no warehouse at {warehouse}", file=sys.stderr)
        return 2
    if args.region is not None:
        try:
            print(write_region_report(warehouse, args.region, args.year, args.out))
        except RegionReportError as error:
            print(f"caijue report: {error}", file=sys.stderr)
            return 1
        return 0
    paths = write_department_reports(warehouse, args.selector, args.out)
    paths += write_reports(warehouse, args.selector, args.out)  # and one Markdown page per document
    if not paths:
        raise UserError(
            f"no department or document in {warehouse} matches {args.selector!r}",
            "`caijue departments` lists the departments; a document_id prefix needs 6+ hex characters",
        )
    print(describe(paths))
    return 0


def _departments(args: argparse.Namespace) -> int:
    from warehouse.departments import OverrideFileError

    warehouse = warehouse_path(args.warehouse)
    if args.apply is None:
        if not warehouse.exists():
            print(f"caijue: no warehouse at {warehouse}", file=sys.stderr)
            return 2
        from flows.departments import list_departments

        print(list_departments(warehouse))
        return 0
    prepare_prefect(warehouse.parent / ".caijue")
    from flows.departments import apply_overrides

    try:
        summary = apply_overrides(warehouse, args.apply or None)
    except OverrideFileError as error:
        print(f"caijue: {error}", file=sys.stderr)
        return 2
    if not summary.published:
        print(f"caijue: not published: {summary.failure or summary.dbt_message}", file=sys.stderr)
        return 1
    from flows.departments import list_departments

    print(list_departments(warehouse, args.apply or None))
    return 0


def _survey(args: argparse.Namespace) -> int:
    for path in args.paths:
        check_input(path)
    from flows.survey import file_line, format_survey, survey, write_json

    def progress(record, done: int, total: int) -> None:
        print(f"[{done}/{total}] {file_line(record)}", flush=True)

    records = survey(args.paths, args.workers, _limits(args), progress)
    print()
    print(format_survey(records, unplaced_limit=args.words))
    if args.json:
        write_json(records, args.json)
        print(f"\nsurvey records: {args.json}")
    return 0


def _bench(args: argparse.Namespace) -> int:
    from flows.bench import BenchOptions, default_work_folder, format_bench, format_scale, run_bench, run_scale

    if args.departments < 1 or args.workers < 1 or args.then_new < 0 or args.then_changed < 0:
        raise UserError("--departments and --workers must be at least 1", "and --then-new/--then-changed at least 0")
    if args.side_by_side_repeat < 1:
        raise UserError(f"--side-by-side-repeat {args.side_by_side_repeat}: give at least 1", "e.g. 3: the best of 3")
    work = (args.work or default_work_folder()).resolve()
    options = BenchOptions(
        args.departments,
        args.add,
        args.workers,
        work,
        args.then_new,
        args.then_changed,
        not args.no_baseline,
        side_by_side_repeat=args.side_by_side_repeat,
        served=args.served,
    )
    if args.scale:
        record = run_scale(_sizes(args.scale), options)
        text = format_scale(record)
    else:
        record = run_bench(options)
        text = format_bench(record)
    print(f"\n{text}")
    if args.json:
        args.json.write_text(json.dumps(record, ensure_ascii=False, indent=2))
        print(f"\nfigures: {args.json}")
    return 0


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        sizes = []
    if len(sizes) < 2 or any(s < 1 for s in sizes) or sizes != sorted(set(sizes)):
        raise UserError(f"--scale {text}: give two or more growing document counts", "e.g. --scale 100,400,1600")
    return sizes


def _accuracy(args: argparse.Namespace) -> int:
    import duckdb

    from extract.expected import ExpectedFormatError
    from warehouse.accuracy import score

    warehouse = warehouse_path(args.warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        try:
            report = score(con, args.expected)
        except ExpectedFormatError as error:
            raise UserError(str(error), "give folders holding expected/ in the format of extract/expected.py") from None
    print(report.format())
    for document in report.documents:
        for line in document.describe_errors():
            print(f"  {document.name}: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

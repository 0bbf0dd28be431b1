"""The `raw` schema: what the gate let through, one document at a time, exactly as extracted.

Python owns this schema (dbt only reads it as a source). Every document is written in one
transaction, so a reader never sees half a document; re-loading a known file is a no-op unless
the extractor changed, in which case the document's rows are replaced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple, get_args

import duckdb
import pandas as pd

from extract.model import (
    CENT,
    Attribution,
    DocumentStatus,
    ExtractedDocument,
    Fact,
    FileKind,
    Problem,
    TableRead,
)
from extract.units import ListedUnit, units_listed

SCHEMA = "raw"
STATUSES: tuple[DocumentStatus, ...] = ("loaded", "quarantined", "failed")
ATTRIBUTIONS: tuple[Attribution, ...] = get_args(Attribution)
FILE_KINDS: tuple[FileKind, ...] = get_args(FileKind)
# A withheld table always has a reason: a null reason would let its facts into the marts.
UNSTATED_REASON = "withheld by the gate (no reason given)"
MONEY = "decimal(20,2)"
# DECIMAL(18,2) holds every amount below 10^16 yuan (a national budget is ~10^13) in 64 bits; DuckDB casts text to
# it ~100x faster than to MONEY, whose 128-bit parse divides (34,000 amounts: 0.51 -> 0.004 s, most of a load).
_NARROW_MONEY = "decimal(18,2)"
BOX_COLUMNS = ("box_x0", "box_top", "box_x1", "box_bottom")  # a fact's cell, as extract.model.CellBox orders it
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

DDL: tuple[str, ...] = (
    f"create schema if not exists {SCHEMA}",
    f"""create table if not exists {SCHEMA}.documents (
        document_id varchar primary key,
        file_name varchar not null,
        file_path varchar,
        department_name varchar,
        fiscal_year integer,
        report_kind varchar,
        report_level varchar,
        region varchar,
        page_count integer,
        status varchar not null check (status in ('loaded', 'quarantined', 'failed')),
        status_reason varchar,
        extractor_version varchar not null,
        ingested_at timestamp not null,
        file_kind varchar,
        attempts integer
    )""",
    f"""create table if not exists {SCHEMA}.document_tables (
        document_id varchar not null,
        table_kind varchar not null,
        title varchar,
        first_page integer,
        last_page integer,
        unit varchar,
        is_empty boolean,
        withheld_reason varchar
    )""",
    f"""create table if not exists {SCHEMA}.facts (
        document_id varchar not null,
        table_kind varchar not null,
        fund_scope varchar not null,
        fact_kind varchar not null,
        key varchar not null,
        measure varchar not null,
        amount_yuan {MONEY} not null,
        page integer,
        row_label varchar,
        box_x0 double,
        box_top double,
        box_x1 double,
        box_bottom double
    )""",
    f"""create table if not exists {SCHEMA}.quality_issues (
        document_id varchar not null,
        check_name varchar not null,
        severity varchar not null,
        table_kind varchar,
        page integer,
        subject_code varchar,
        expected {MONEY},
        actual {MONEY},
        message varchar,
        attributed_to varchar,
        evidence varchar,
        printed varchar
    )""",
    # The budget units a department's document lists as consolidated in it (extract/units.py).
    f"""create table if not exists {SCHEMA}.document_units (
        document_id varchar not null,
        unit_name varchar not null,
        page integer
    )""",
    # The bureau's department override file, replaced whole at every load (warehouse/departments.py).
    f"""create table if not exists {SCHEMA}.department_overrides (
        printed_name varchar not null,
        region varchar,
        department_name varchar not null,
        line_number integer not null,
        source_file varchar not null,
        loaded_at timestamp not null
    )""",
    # What the mart checks found in the marts built beside it, replaced at every build (warehouse/mart_checks.py).
    f"""create table if not exists {SCHEMA}.mart_check_results (
        mart varchar not null,
        check_name varchar not null,
        severity varchar not null check (severity in ('error', 'warning')),
        document_id varchar,
        table_kind varchar,
        message varchar not null,
        checked_at timestamp not null
    )""",
)

# Columns added since the first release, (table, column, type): ensure_schema adds the ones an older
# warehouse lacks, at the end, where DDL has them too. Inserts name their columns, never rely on order.
ADDED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("documents", "file_kind", "varchar"),
    # How many runs have read the document under its extractor_version (a failure a retry could fix is read
    # again, up to flows/plan.py MAX_ATTEMPTS times); null in rows written before the count: one.
    ("documents", "attempts", "integer"),
    ("document_tables", "withheld_reason", "varchar"),
    ("quality_issues", "attributed_to", "varchar"),
    ("quality_issues", "evidence", "varchar"),
    ("quality_issues", "printed", "varchar"),
    # The printed cell of a fact (points from the page's top-left; null for a sum of cells): reports crop it.
    ("facts", "box_x0", "double"),
    ("facts", "box_top", "double"),
    ("facts", "box_x1", "double"),
    ("facts", "box_bottom", "double"),
)

# Child tables first: a replacement deletes them before the document row.
CHILD_TABLES: tuple[str, ...] = ("facts", "document_tables", "quality_issues", "document_units")


@dataclass(frozen=True, slots=True)
class _Frame:
    """Rows for one raw table: a DataFrame of text/Int64/boolean columns, the raw columns they fill (in
    order) and the typed select over the DataFrame."""

    table: str
    frame: pd.DataFrame
    columns: str
    select: str


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schema and its tables if they do not exist, and add the columns a warehouse made
    by an earlier version lacks (safe to call on every run; existing rows get nulls in new columns)."""
    for statement in DDL:
        con.execute(statement)
    present = _raw_columns(con)
    for table, column, data_type in ADDED_COLUMNS:
        if (table, column) not in present:
            con.execute(f"alter table {SCHEMA}.{table} add column if not exists {column} {data_type}")


def close_without_checkpoint(con: duckdb.DuckDBPyConnection) -> None:
    """Close a connection to a warehouse the dbt build opens next (a run's working copy) without DuckDB's checkpoint:
    what it wrote stays in the WAL, which the next opener replays, and the build's connection, the last to write,
    checkpoints it all as it closes. One checkpoint on the run's critical path instead of one at each close before it
    (the load's, on one DuckDB thread: 0.2 s of a 1-new run, 0.5 s beside serve's other processes; the build's own
    look at raw, ~0.4 s of its stage). A WAL left by a build that could not run is replayed by whoever opens the file
    next. Nothing is published unchecked: publish checkpoints the copy and refuses one that keeps a WAL, and a copy
    not published is discarded with its WAL (flows/publish.py)."""
    con.execute("pragma disable_checkpoint_on_shutdown")
    con.close()


def _raw_columns(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    rows = con.execute(
        "select table_name, column_name from information_schema.columns where table_schema = ?", [SCHEMA]
    ).fetchall()
    return {(table, column) for table, column in rows}


def known_documents(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """document_id → extractor_version of every document already in raw (any status).

    Read-only: a warehouse without the raw tables yet has no known documents."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = 'documents'",
        [SCHEMA],
    ).fetchone()[0]
    if not exists:
        return {}
    rows = con.execute(f"select document_id, extractor_version from {SCHEMA}.documents").fetchall()
    return dict(rows)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One transaction: committed when the block ends, rolled back (and the error raised) when it fails."""
    con.begin()
    try:
        yield
        con.commit()
    except BaseException:
        with suppress(duckdb.Error):  # keep the original error if the connection itself is gone
            con.rollback()
        raise


def load_document(
    con: duckdb.DuckDBPyConnection,
    doc: ExtractedDocument,
    *,
    status: DocumentStatus,
    status_reason: str | None,
    issues: list[Problem],
    file_path: str,
    extractor_version: str,
    ingested_at: datetime,
    withheld: Mapping[str, str] | None = None,
) -> bool:
    """Write one document (its meta, tables, facts and issues) in a single transaction.

    `issues` are the gate's findings; the document's own `problems` (extraction problems) are
    stored with them, each distinct problem once. `withheld` (table_kind → why the gate doubts
    its figures) is stored as each table's withheld_reason. Facts of quarantined documents and of
    withheld tables are kept in raw for diagnosis; the marts only expose loaded, unwithheld ones.

    Returns False, changing nothing, when the document is already present with the same
    extractor_version, unless it failed then (a run retries a failure a retry could fix). Otherwise
    the document's rows are replaced and its original ingested_at kept. On any error the transaction
    is rolled back and the error raised.
    """
    document = DocumentRows(doc, status, status_reason, issues, file_path, withheld or {})
    [written] = load_documents(con, [document], extractor_version=extractor_version, ingested_at=ingested_at)
    return written


@dataclass(frozen=True, slots=True)
class DocumentRows:
    """A document to write to raw, with the gate's verdict (see `load_document` for each part)."""

    doc: ExtractedDocument
    status: DocumentStatus
    status_reason: str | None
    issues: Sequence[Problem]
    file_path: str
    withheld: Mapping[str, str] = field(default_factory=dict)


def load_documents(
    con: duckdb.DuckDBPyConnection,
    documents: Sequence[DocumentRows],
    *,
    extractor_version: str,
    ingested_at: datetime,
) -> list[bool]:
    """Write several documents as `load_document` writes each (whether each was written, in order), all in one
    transaction: one insert per raw table for all of them, where a document at a time cost ~10 statements and
    four DataFrames each (~100 ms a document on a loaded machine). A document given twice is written once."""
    checked = [(d, _distinct([*d.doc.problems, *d.issues])) for d in documents]
    for document, all_issues in checked:
        _validate(document.doc, document.status, all_issues)
    ensure_schema(con)
    with transaction(con):
        previous = _previous_loads(con, [d.doc.meta.document_id for d in documents])
        written: list[bool] = []
        chosen: dict[str, tuple[DocumentRows, list[Problem]]] = {}
        for document, all_issues in checked:
            document_id = document.doc.meta.document_id
            before = previous.get(document_id)
            write = document_id not in chosen and (
                before is None or before[0] != extractor_version or before[2] == "failed"
            )
            written.append(write)
            if write:
                chosen[document_id] = (document, all_issues)
        if not chosen:
            return written
        _delete_documents(con, [i for i in chosen if i in previous])
        _insert_frame(con, _documents_frame([d for d, _ in chosen.values()], previous, extractor_version, ingested_at))
        for frame in _child_frames(list(chosen.values())):
            _insert_frame(con, frame)
    return written


def _child_frames(documents: Sequence[tuple[DocumentRows, list[Problem]]]) -> list[_Frame]:
    """The documents' tables, facts, issues and listed units: one frame per raw table."""
    return [
        _tables_frame([(d.doc.meta.document_id, d.doc.tables, d.withheld) for d, _ in documents]),
        _facts_frame([(d.doc.meta.document_id, d.doc.facts) for d, _ in documents]),
        _issues_frame([(d.doc.meta.document_id, issues) for d, issues in documents]),
        _units_frame([(d.doc.meta.document_id, units_listed(d.doc.narrative)) for d, _ in documents]),
    ]


def _validate(doc: ExtractedDocument, status: str, issues: Sequence[Problem]) -> None:
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}, not {status!r}")
    if not _SHA256.match(doc.meta.document_id):
        raise ValueError(f"document_id must be a lowercase hex sha256, not {doc.meta.document_id!r}")
    if doc.file_kind is not None and doc.file_kind not in FILE_KINDS:
        raise ValueError(f"file_kind must be one of {FILE_KINDS} or None, not {doc.file_kind!r}")
    for fact in doc.facts:
        if fact.amount_yuan != fact.amount_yuan.quantize(CENT):
            raise ValueError(f"amount with more than two decimals: {fact}")
    for issue in issues:
        if issue.attributed_to is not None and issue.attributed_to not in ATTRIBUTIONS:
            raise ValueError(f"attributed_to must be one of {ATTRIBUTIONS} or None, not {issue.attributed_to!r}")


def _previous_loads(
    con: duckdb.DuckDBPyConnection, document_ids: Sequence[str]
) -> dict[str, tuple[str, datetime, str, int]]:
    """document_id → its extractor_version, ingested_at, status and attempts, of those in raw."""
    rows = con.execute(
        f"select document_id, extractor_version, ingested_at, status, coalesce(attempts, 1) from {SCHEMA}.documents"
        " where document_id in (select unnest(?::varchar[]))",
        [list(document_ids)],
    ).fetchall()
    return {row[0]: (row[1], row[2], row[3], row[4]) for row in rows}


def _delete_documents(con: duckdb.DuckDBPyConnection, document_ids: Sequence[str]) -> None:
    if not document_ids:
        return
    for table in (*CHILD_TABLES, "documents"):
        con.execute(f"delete from {SCHEMA}.{table} where document_id in (select unnest(?::varchar[]))", [document_ids])


def _documents_frame(
    documents: Sequence[DocumentRows],
    previous: Mapping[str, tuple[str, datetime, str, int]],
    extractor_version: str,
    ingested_at: datetime,
) -> _Frame:
    """One raw.documents row per document: a replaced one keeps its first ingested_at, and counts its attempts
    under the same extractor_version."""

    def earlier(document: DocumentRows) -> tuple[str, datetime, str, int] | None:
        return previous.get(document.doc.meta.document_id)

    def attempts(document: DocumentRows) -> int:
        before = earlier(document)
        return before[3] + 1 if before is not None and before[0] == extractor_version else 1

    metas = [d.doc.meta for d in documents]
    frame = pd.DataFrame(
        {
            "document_id": _text(m.document_id for m in metas),
            "file_name": _text(m.file_name for m in metas),
            "file_path": _text(d.file_path for d in documents),
            "department_name": _text(m.department_name for m in metas),
            "fiscal_year": _ints(m.fiscal_year for m in metas),
            "report_kind": _text(m.report_kind for m in metas),
            "report_level": _text(m.report_level for m in metas),
            "region": _text(m.region for m in metas),
            "page_count": _ints(m.page_count for m in metas),
            "status": _text(d.status for d in documents),
            "status_reason": _text(d.status_reason for d in documents),
            "extractor_version": _text([extractor_version] * len(documents)),
            "ingested_at": _text(
                (before[1] if (before := earlier(d)) is not None else ingested_at).isoformat() for d in documents
            ),
            "file_kind": _text(d.doc.file_kind for d in documents),
            "attempts": _ints(attempts(d) for d in documents),
        }
    )
    columns = (
        "document_id, file_name, file_path, department_name, fiscal_year, report_kind, report_level, region,"
        " page_count, status, status_reason, extractor_version, ingested_at, file_kind, attempts"
    )
    select = (
        "select document_id, file_name, file_path, department_name, cast(fiscal_year as integer), report_kind,"
        " report_level, region, cast(page_count as integer), status, status_reason, extractor_version,"
        " cast(ingested_at as timestamp), file_kind, cast(attempts as integer)"
    )
    return _Frame("documents", frame, columns, select)


def _insert_frame(con: duckdb.DuckDBPyConnection, frame: _Frame) -> None:
    if frame.frame.empty:
        return
    con.register("_caijue_rows", frame.frame)
    try:
        con.execute(f"insert into {SCHEMA}.{frame.table} ({frame.columns}) {frame.select} from _caijue_rows")
    finally:
        con.unregister("_caijue_rows")


class _TableRow(NamedTuple):
    table_kind: str
    title: str | None = None
    first_page: int | None = None
    last_page: int | None = None
    unit: str | None = None
    is_empty: bool | None = None


def _tables_frame(documents: Sequence[tuple[str, Sequence[TableRead], Mapping[str, str]]]) -> _Frame:
    """(document_id, its tables, its withheld table kinds) → the document_tables rows of all of them."""
    ids: list[str] = []
    rows: list[_TableRow] = []
    reasons: list[str | None] = []
    for document_id, tables, withheld in documents:
        found = [_TableRow(t.table_kind, t.title, t.first_page, t.last_page, t.unit, t.is_empty) for t in tables]
        # A withheld kind with no located table gets a row of its own (no title, pages or unit), so that its
        # facts, if it has any, are still kept out of the marts.
        found += [_TableRow(kind) for kind in sorted(set(withheld) - {t.table_kind for t in tables})]
        ids += [document_id] * len(found)
        rows += found
        reasons += [_withheld_reason(withheld, r.table_kind) for r in found]
    frame = pd.DataFrame(
        {
            "document_id": _text(ids),
            "table_kind": _text(r.table_kind for r in rows),
            "title": _text(r.title for r in rows),
            "first_page": _ints(r.first_page for r in rows),
            "last_page": _ints(r.last_page for r in rows),
            "unit": _text(r.unit for r in rows),
            "is_empty": pd.Series([r.is_empty for r in rows], dtype="boolean"),
            "withheld_reason": _text(reasons),
        }
    )
    columns = "document_id, table_kind, title, first_page, last_page, unit, is_empty, withheld_reason"
    select = (
        "select document_id, table_kind, title, cast(first_page as integer), cast(last_page as integer), unit,"
        " is_empty, withheld_reason"
    )
    return _Frame("document_tables", frame, columns, select)


def _withheld_reason(withheld: Mapping[str, str], table_kind: str) -> str | None:
    if table_kind not in withheld:
        return None
    return withheld[table_kind].strip() or UNSTATED_REASON


def _facts_frame(documents: Sequence[tuple[str, Sequence[Fact]]]) -> _Frame:
    facts = [fact for _, found in documents for fact in found]
    frame = pd.DataFrame(
        {
            "document_id": _text(document_id for document_id, found in documents for _ in found),
            "table_kind": _text(f.table_kind for f in facts),
            "fund_scope": _text(f.fund_scope for f in facts),
            "fact_kind": _text(f.fact_kind for f in facts),
            "key": _text(f.key for f in facts),
            "measure": _text(f.measure for f in facts),
            "amount_yuan": _money(f.amount_yuan for f in facts),
            "page": _ints(f.page for f in facts),
            "row_label": _text(f.row_label for f in facts),
            **{name: _floats(f.box[i] if f.box else None for f in facts) for i, name in enumerate(BOX_COLUMNS)},
        }
    )
    boxes = ", ".join(BOX_COLUMNS)
    columns = f"document_id, table_kind, fund_scope, fact_kind, key, measure, amount_yuan, page, row_label, {boxes}"
    select = (
        "select document_id, table_kind, fund_scope, fact_kind, key, measure,"
        f" {_money_of_text('amount_yuan')}, cast(page as integer), row_label, {boxes}"
    )
    return _Frame("facts", frame, columns, select)


def _issues_frame(documents: Sequence[tuple[str, Sequence[Problem]]]) -> _Frame:
    issues = [issue for _, found in documents for issue in found]
    frame = pd.DataFrame(
        {
            "document_id": _text(document_id for document_id, found in documents for _ in found),
            "check_name": _text(i.check_name for i in issues),
            "severity": _text(i.severity for i in issues),
            "table_kind": _text(i.table_kind for i in issues),
            "page": _ints(i.page for i in issues),
            "subject_code": _text(i.subject_code for i in issues),
            "expected": _money(i.expected for i in issues),
            "actual": _money(i.actual for i in issues),
            "message": _text(i.message for i in issues),
            "attributed_to": _text(i.attributed_to for i in issues),
            "evidence": _text(i.evidence for i in issues),
            "printed": _text(i.printed for i in issues),
        }
    )
    columns = (
        "document_id, check_name, severity, table_kind, page, subject_code, expected, actual, message,"
        " attributed_to, evidence, printed"
    )
    select = (
        "select document_id, check_name, severity, table_kind, cast(page as integer), subject_code,"
        f" {_money_of_text('expected')}, {_money_of_text('actual')}, message, attributed_to, evidence, printed"
    )
    return _Frame("quality_issues", frame, columns, select)


def _units_frame(documents: Sequence[tuple[str, Sequence[ListedUnit]]]) -> _Frame:
    units = [unit for _, found in documents for unit in found]
    frame = pd.DataFrame(
        {
            "document_id": _text(document_id for document_id, found in documents for _ in found),
            "unit_name": _text(u.name for u in units),
            "page": _ints(u.page for u in units),
        }
    )
    return _Frame(
        "document_units", frame, "document_id, unit_name, page", "select document_id, unit_name, cast(page as integer)"
    )


def _distinct(problems: Iterable[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def _text(values: Iterable[str | None]) -> pd.Series:
    return pd.Series(list(values), dtype="str")


def _ints(values: Iterable[int | None]) -> pd.Series:
    return pd.Series(list(values), dtype="Int64")


def _floats(values: Iterable[float | None]) -> pd.Series:
    return pd.Series(list(values), dtype="Float64")


def _money(values: Iterable[Decimal | None]) -> pd.Series:
    # Exact decimal text, cast to DECIMAL(20,2) by DuckDB (`_money_of_text`): a float never touches an amount.
    return _text(None if v is None else format(v, "f") for v in values)


def _money_of_text(column: str) -> str:
    """SQL: the exact decimal text in `column` as MONEY: through the narrow type, and only an amount it cannot hold
    (null from try_cast) the slow way; text that is no amount fails the cast, as it would with MONEY alone."""
    return f"coalesce(try_cast({column} as {_NARROW_MONEY}), cast({column} as {MONEY}))"

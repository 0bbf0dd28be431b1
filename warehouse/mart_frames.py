"""The built marts as data frames for the mart checks (expectations/gate.py `validate_marts`), amounts exact.

DuckDB's `.df()` turns a DECIMAL column into float64: 98765432109876.54 would reach the checks as
98765432109876.55. Here a DECIMAL column is read as its exact text and becomes `decimal.Decimal` values, so a
check compares amounts as printed, never as floats; every other column is read as `.df()` reads it."""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd

SCHEMA = "marts"


def mart_frames(
    database: Path,
    schema: str = SCHEMA,
    tables: Collection[str] | None = None,
    *,
    documents: Collection[str] | None = None,
    by_document: Collection[str] = (),
) -> dict[str, pd.DataFrame]:
    """Every table and view of `schema` (only those named in `tables`, when given): name → frame, DECIMAL columns
    as Decimal (None where null). With `documents`, the tables named in `by_document` hold only those documents'
    rows (their `document_id` in it)."""
    with duckdb.connect(str(database), read_only=True) as con:
        columns: dict[str, list[tuple[str, str]]] = {}
        for table, column, data_type in con.execute(
            "select table_name, column_name, data_type from information_schema.columns"
            " where table_schema = ? order by table_name, ordinal_position",
            [schema],
        ).fetchall():
            if tables is None or table in tables:
                columns.setdefault(table, []).append((column, data_type))
        return {
            table: _exact_frame(con, schema, table, described, documents if table in by_document else None)
            for table, described in columns.items()
        }


def _exact_frame(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    described: list[tuple[str, str]],
    documents: Collection[str] | None,
) -> pd.DataFrame:
    decimals = [column for column, data_type in described if data_type.upper().startswith("DECIMAL")]
    select = ", ".join(
        f'cast("{column}" as varchar) as "{column}"' if column in decimals else f'"{column}"' for column, _ in described
    )
    query = f'select {select} from {schema}."{table}"'
    if documents is None:
        frame = con.execute(query).df()
    else:
        frame = con.execute(
            f"{query} where document_id in (select unnest(cast(? as varchar[])))", [sorted(documents)]
        ).df()
    for column in decimals:
        frame[column] = pd.Series([None if pd.isna(v) else Decimal(v) for v in frame[column]], dtype=object)
    return frame

"""The mart checks read amounts exactly: a DECIMAL(20,2) amount reaches the GX mart suite as the Decimal
printed, never as a float (DuckDB's `.df()` would round 98765432109876.54 to a float64 that is not it).
Cost: a DuckDB file of two rows and one mart suite (~2 s with GX imported)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb

from warehouse.mart_frames import mart_frames

HUGE = Decimal("98765432109876.54")  # 16 significant digits: a float64 does not keep them
DOC_ID = "ef" * 32


def _marts(path: Path) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_three_public (document_id varchar, department_id varchar, fiscal_year integer,"
            " report_kind varchar, item varchar, measure varchar, amount_yuan decimal(20, 2))"
        )
        con.execute(
            "insert into marts.fct_three_public values (?, 'd', 2024, 'budget', 'total', 'budget', ?),"
            " (?, 'd', 2024, 'budget', 'reception', 'budget', null)",
            [DOC_ID, HUGE, DOC_ID],
        )
        con.execute("create view marts.amounts as select amount_yuan from marts.fct_three_public")
        float_read = con.execute("select amount_yuan from marts.fct_three_public").df().amount_yuan[0]
    assert Decimal(float_read) != HUGE  # why .df() will not do
    return path


def test_decimal_amounts_reach_the_mart_checks_exactly(tmp_path: Path) -> None:
    frames = mart_frames(_marts(tmp_path / "w.duckdb"))

    assert sorted(frames) == ["amounts", "fct_three_public"]
    assert list(frames["fct_three_public"].amount_yuan) == [HUGE, None]
    assert list(frames["amounts"].amount_yuan) == [HUGE, None]
    assert list(frames["fct_three_public"].fiscal_year) == [2024, 2024]


def test_only_the_marts_asked_for_are_read(tmp_path: Path) -> None:
    """The run reads the marts the checks specify, not every table of the schema (~40 % of the reading)."""
    frames = mart_frames(_marts(tmp_path / "w.duckdb"), tables={"fct_three_public", "dim_document"})

    assert sorted(frames) == ["fct_three_public"]
    assert list(frames["fct_three_public"].amount_yuan) == [HUGE, None]


def test_the_mart_suite_checks_exact_amounts(tmp_path: Path) -> None:
    from expectations import validate_marts

    frames = mart_frames(_marts(tmp_path / "w.duckdb"))
    problems = validate_marts({"fct_three_public": frames["fct_three_public"]})

    assert [(p.check_name, p.document_id) for p in problems] == [("marts.fct_three_public.not_null", DOC_ID)]


def test_a_mart_made_document_by_document_is_read_for_the_documents_asked_for(tmp_path: Path) -> None:
    """The run checks of a fact mart only the rows of the documents its build remade; other marts whole."""
    other = "ab" * 32
    path = _marts(tmp_path / "w.duckdb")
    with duckdb.connect(str(path)) as con:
        con.execute("insert into marts.fct_three_public values (?, 'd', 2023, 'final', 'total', 'actual', 1)", [other])

    frames = mart_frames(path, documents={other}, by_document={"fct_three_public"})
    nothing = mart_frames(path, documents=set(), by_document={"fct_three_public"})

    assert list(frames["fct_three_public"].document_id) == [other]
    assert list(frames["fct_three_public"].amount_yuan) == [Decimal("1.00")]
    assert list(frames["amounts"].amount_yuan) == [HUGE, None, Decimal("1.00")]  # not made document by document
    assert nothing["fct_three_public"].empty and list(nothing["fct_three_public"].columns) == list(
        frames["fct_three_public"].columns
    )

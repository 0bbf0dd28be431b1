"""A published warehouse is one portable file: ingested into a file called main.duckdb (DuckDB names its
catalog main_db), copied under another name and opened read-only, it answers every view and table of
staging, marts and marts_zh, `caijue report` works on it, and the marts carry their descriptions.

One small generated corpus (two final accounts, one with a figure changed, so the report has an issue to
print with its table's title, and one printed across a rule, so a table is withheld) is ingested once for
the module.
"""

from __future__ import annotations

import csv
import hashlib
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml

from warehouse.dbt import DBT_PROJECT

LAYOUT = "shanghai_final"
BI_SCHEMAS = ("staging", "intermediate", "marts", "marts_zh")
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True, slots=True)
class Published:
    copy: Path
    document_with_an_issue: str  # its sha256


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, prefect_harness: str) -> Published:
    from flows.ingest import run_ingest
    from samples import plan_corpus
    from samples.corpus import write_document
    from samples.inject import write_injected_document

    corpus = tmp_path_factory.mktemp("corpus")
    clean, misprinted = plan_corpus(2, (2024,), 20240101, {LAYOUT}, False)
    write_document(corpus, clean)
    # A publisher's changed figure (an issue with its table's title) and a figure printed across a rule
    # (its two readings disagree: the table is withheld, named in dim_document.withheld_tables).
    misprinted_pdf = write_injected_document(corpus, misprinted, ["changed_cell", "figure_across_rule"])  # type: ignore[list-item]
    warehouse = tmp_path_factory.mktemp("warehouse") / "main.duckdb"
    summary = run_ingest([corpus], warehouse, workers=1)
    assert warehouse.exists(), summary
    copy = tmp_path_factory.mktemp("elsewhere") / "bi copy.duckdb"
    shutil.copyfile(warehouse, copy)
    return Published(copy, hashlib.sha256(misprinted_pdf.read_bytes()).hexdigest())


@pytest.fixture
def con(published: Published) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(published.copy), read_only=True) as connection:
        yield connection


def relations(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = ?"
            " union all select view_name from duckdb_views() where schema_name = ? and not internal order by 1",
            [schema, schema],
        ).fetchall()
    ]


def test_the_copy_answers_every_view_and_table(con: duckdb.DuckDBPyConnection) -> None:
    assert con.execute("select current_database()").fetchone() == ("bi copy",)
    counts = {
        f"{schema}.{name}": con.execute(f'select count(*) from {schema}."{name}"').fetchone()[0]
        for schema in BI_SCHEMAS
        for name in relations(con, schema)
    }
    assert {"staging.stg_document_tables", "marts.fct_function_amount", "marts_zh.fct_function_amount"} <= set(counts)
    assert counts["marts.fct_function_amount"] > 0
    assert {name: n for name, n in counts.items() if name.startswith("marts_zh.")} == {
        f"marts_zh.{name.removeprefix('marts.')}": n for name, n in counts.items() if name.startswith("marts.")
    }


def test_no_view_names_a_catalog(con: duckdb.DuckDBPyConnection) -> None:
    bound = con.execute(
        "select schema_name || '.' || view_name from duckdb_views()"
        " where not internal and (sql ilike '%main_db.%' or sql ilike '%\"main_db\"%' or sql ilike '%warehouse.%'"
        " or sql ilike '%\"warehouse\"%')"
    ).fetchall()
    assert bound == []


def test_marts_holds_only_the_public_marts(con: duckdb.DuckDBPyConnection) -> None:
    assert "fct_table_total" not in relations(con, "marts")
    assert "int_table_totals" in relations(con, "intermediate")


def test_every_mart_column_has_a_chinese_name_in_marts_zh(con: duckdb.DuckDBPyConnection) -> None:
    assert relations(con, "marts_zh") == relations(con, "marts")
    english = con.execute(
        "select table_name, column_name from duckdb_columns() where schema_name = 'marts_zh'"
        " and not regexp_matches(column_name, '[\\x{4e00}-\\x{9fff}]')"
    ).fetchall()
    assert english == []


def test_marts_zh_shows_codes_in_chinese_and_money_in_both_units(con: duckdb.DuckDBPyConnection) -> None:
    words = {(row["vocabulary"], row["value"], row["report_kind"]): row["label"] for row in _seed("display_values_zh")}

    def shown(kind: str, table: str, measure: str, yuan: Decimal) -> tuple[str, str, str, Decimal, Decimal]:
        title = words.get(("table_kind", table, kind), words[("table_kind", table, "")])
        wan = yuan / 10000  # exact in Decimal
        return words[("report_kind", kind, "")], title, words[("measure", measure, "")], yuan, wan

    expected = Counter(
        shown(*row)
        for row in con.execute(
            "select report_kind, table_kind, measure, amount_yuan from marts.fct_function_amount"
        ).fetchall()
    )
    actual = Counter(
        con.execute(
            'select "报告类型", "报表", "指标", "金额（元）", "金额（万元）" from marts_zh.fct_function_amount'
        ).fetchall()
    )
    assert actual == expected
    assert {title for _, title, *_ in actual} & {"支出决算表", "一般公共预算财政拨款支出决算表"}


def test_every_vocabulary_column_of_marts_zh_shows_only_words(con: duckdb.DuckDBPyConnection) -> None:
    words: dict[str, set[str]] = {}
    for row in _seed("display_values_zh"):
        words.setdefault(row["vocabulary"], set()).add(row["label"])
    labels = {(row["model"], row["column"]): row for row in _seed("display_columns_zh")}
    unworded = []
    for mart, column in con.execute(
        "select table_name, column_name from duckdb_columns() where schema_name = 'marts' order by all"
    ).fetchall():
        label = labels.get((mart, column)) or labels.get(("*", column))
        if not label or not label["vocabulary"]:
            continue
        shown = {v for (v,) in con.execute(f'select distinct "{label["label"]}" from marts_zh."{mart}"').fetchall()}
        if label["vocabulary"].endswith("[]"):  # a list of codes, shown 、-separated
            shown = {word for value in shown - {None} for word in value.split("、")}
        unworded += [(mart, column, value) for value in shown - words[label["vocabulary"].removesuffix("[]")] - {None}]
    assert unworded == []


def test_a_withheld_table_is_named_by_its_title(con: duckdb.DuckDBPyConnection, published: Published) -> None:
    row = con.execute(
        'select withheld_tables, z."暂缓入库的报表" from marts.dim_document d'
        ' join marts_zh.dim_document z on z."文件标识" = d.document_id where d.document_id = ?',
        [published.document_with_an_issue],
    ).fetchone()
    assert row == ("expenditure", "支出决算表")


def test_the_marts_carry_their_descriptions(con: duckdb.DuckDBPyConnection) -> None:
    models = yaml.safe_load((DBT_PROJECT / "models" / "marts" / "_models.yml").read_text(encoding="utf-8"))["models"]
    described = {m["name"]: m for m in models if m.get("config", {}).get("schema", "marts") == "marts"}
    tables = dict(con.execute("select table_name, comment from duckdb_tables() where schema_name = 'marts'").fetchall())
    columns = {
        (table, column): comment
        for table, column, comment in con.execute(
            "select table_name, column_name, comment from duckdb_columns() where schema_name = 'marts'"
        ).fetchall()
    }
    checked = 0
    for name, model in described.items():
        if name not in tables:
            continue
        assert _words(tables[name]) == _words(model["description"]), name
        for column in model["columns"]:
            if column.get("description"):
                assert _words(columns[(name, column["name"])]) == _words(column["description"]), (name, column)
                checked += 1
    assert checked > 50
    zh_comments = con.execute(
        "select count(*), count(comment) from duckdb_columns() where schema_name = 'marts_zh'"
        " and table_name = 'fct_function_amount'"
    ).fetchone()
    assert zh_comments[0] == zh_comments[1]


def test_caijue_report_reads_the_copy(published: Published, tmp_path: Path) -> None:
    from flows.cli import main

    assert (
        main(["report", published.document_with_an_issue, "--warehouse", str(published.copy), "--out", str(tmp_path)])
        == 0
    )
    pages = sorted(tmp_path.rglob("*.md"))
    assert pages
    text = "\n".join(page.read_text(encoding="utf-8") for page in pages)
    assert "一般公共预算财政拨款支出决算表" in text  # the changed cell's table, titled from staging.stg_document_tables


def _seed(name: str) -> list[dict[str, str]]:
    with (DBT_PROJECT / "seeds" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _words(text: str | None) -> str:
    return " ".join((text or "").split())


def test_a_warehouse_may_have_any_name_but_a_schema_s(tmp_path: Path) -> None:
    from flows.settings import warehouse_path

    assert warehouse_path(str(tmp_path / "main.duckdb")) == tmp_path / "main.duckdb"
    for name in ("marts.duckdb", "Staging.duckdb", "raw.2024.duckdb"):
        with pytest.raises(SystemExit, match="cannot be called"):
            warehouse_path(str(tmp_path / name))

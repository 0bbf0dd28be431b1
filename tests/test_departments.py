"""One department over the years: printed names matched to one department_id with their evidence, units linked
to their department, the bureau's override file (a split, a merge, a malformed file) and `caijue departments`.

The matching is SQL (dbt_project/models/intermediate/int_department_*.sql): its tests write raw rows by hand
and build only the department models, as the loader's output would be. The demo bureau's own names (samples/
bureau.py) are matched against the generator's truth of which documents are one department.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from extract import extract_document
from extract.units import units_listed
from flows.cli import main
from flows.departments import list_departments
from flows.plan import plan_run
from samples.bureau import OWN_UNIT, BureauDocument, plan_bureau
from samples.corpus import write_document
from warehouse import raw
from warehouse.dbt import build_warehouse
from warehouse.departments import (
    OverrideFile,
    OverrideFileError,
    describe_departments,
    load_overrides,
    parse_overrides,
    read_overrides,
)

# the seeds the marts_zh views are generated from (dbt_project.yml on-run-end) are built with them
DEPARTMENT_MODELS = (
    "+dim_department_name +dim_department +int_department_candidates display_columns_zh display_values_zh"
)

HEALTH_OLD = "乐山市金口河区卫生和计划生育局"
HEALTH = "乐山市金口河区卫生健康局"
EDUCATION = "乐山市金口河区教育局"
EDUCATION_SHORT = "金口河区教育局"
NEIGHBOUR_EDUCATION = "乐山市沙湾区教育局"
PARTY_OFFICE = "中共乐山市金口河区委办公室"
FINANCE = "乐山市金口河区财政局"
SCHOOL = "乐山市金口河区实验小学"  # listed by the education bureau's document
REVIEW_CENTRE = "乐山市金口河区财政局投资评审中心"  # named after its department
ORPHAN = "乐山市金口河区社会福利院"  # listed by no document

# (printed name, year, kind, level)
DOCUMENTS: tuple[tuple[str, int, str, str], ...] = (
    (HEALTH_OLD, 2022, "budget", "department"),
    (HEALTH_OLD, 2022, "final", "department"),
    (HEALTH, 2023, "budget", "department"),
    (HEALTH, 2024, "final", "department"),
    (EDUCATION, 2022, "budget", "department"),
    (EDUCATION_SHORT, 2023, "budget", "department"),
    (EDUCATION, 2024, "budget", "department"),
    (NEIGHBOUR_EDUCATION, 2023, "budget", "department"),
    (PARTY_OFFICE, 2024, "final", "department"),
    ("金口河区委办公室", 2023, "final", "department"),
    ("区委办公室", 2022, "final", "department"),
    (FINANCE, 2023, "final", "department"),
    (f"{FINANCE}", 2023, "budget", "unit"),  # its 本级's 单位预算 (extract drops the （本级） tail)
    (SCHOOL, 2023, "budget", "unit"),
    (REVIEW_CENTRE, 2023, "budget", "unit"),
    (ORPHAN, 2023, "budget", "unit"),
    ("上海市普陀区教育局", 2023, "budget", "department"),
    ("浙江省舟山市普陀区教育局", 2023, "budget", "department"),
    ("普陀区教育局", 2022, "budget", "department"),  # two departments fit: not merged
    ("乐山市金口河区环境保护局", 2019, "budget", "department"),  # both print the 2019 budget: not one
    ("乐山市金口河区生态环境局", 2019, "budget", "department"),
)
LISTED_UNITS = {(EDUCATION, 2024, "budget"): [SCHOOL, f"{EDUCATION}"]}  # a list names its own organ too


def document_id(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def write_raw(
    path: Path,
    documents: Sequence[tuple[str, int, str, str]],
    listed: dict[tuple[str, int, str], list[str]] | None = None,
) -> None:
    """raw.documents rows (and raw.document_units) as the loader writes them."""
    with duckdb.connect(str(path)) as con:
        raw.ensure_schema(con)
        for index, (name, year, kind, level) in enumerate(documents):
            con.execute(
                "insert into raw.documents (document_id, file_name, department_name, fiscal_year, report_kind,"
                " report_level, status, extractor_version, ingested_at) values (?, ?, ?, ?, ?, ?, 'loaded', '1', ?)",
                [document_id(name, year, kind, level), f"{index}.pdf", name, year, kind, level, datetime(2025, 1, 1)],
            )
        for (name, year, kind), units in (listed or {}).items():
            for unit in units:
                con.execute(
                    "insert into raw.document_units values (?, ?, 3)",
                    [document_id(name, year, kind, "department"), unit],
                )


@contextmanager
def _cautious_selection() -> Iterator[None]:
    """Build only the department models and the tests all of whose models are built."""
    previous = os.environ.get("DBT_INDIRECT_SELECTION")
    os.environ["DBT_INDIRECT_SELECTION"] = "cautious"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("DBT_INDIRECT_SELECTION")
        else:
            os.environ["DBT_INDIRECT_SELECTION"] = previous


def build_departments(path: Path, work_dir: Path) -> None:
    with _cautious_selection():
        outcome = build_warehouse(path, select=DEPARTMENT_MODELS, work_dir=work_dir)
    assert outcome.success, [(n.unique_id, n.message) for n in outcome.failed] or outcome.error


@dataclass(frozen=True)
class Matched:
    path: Path
    work_dir: Path

    def department_of(self, name: str, year: int, kind: str, level: str = "department") -> str:
        with duckdb.connect(str(self.path), read_only=True) as con:
            row = con.execute(
                "select department_id from intermediate.int_department_names where document_id = ?",
                [document_id(name, year, kind, level)],
            ).fetchone()
        assert row is not None, name
        return row[0]

    def rows(self, sql: str, parameters: Sequence[object] = ()) -> list[tuple]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(sql, list(parameters)).fetchall()


@pytest.fixture(scope="module")
def matched(tmp_path_factory: pytest.TempPathFactory) -> Matched:
    root = tmp_path_factory.mktemp("departments")
    path = root / "warehouse.duckdb"
    write_raw(path, DOCUMENTS, LISTED_UNITS)
    build_departments(path, root / "dbt")
    return Matched(path, root / "dbt")


def name_row(matched: Matched, printed: str, level: str = "department") -> tuple[str, str, str]:
    rows = matched.rows(
        "select match_rule, matched_name, match_evidence from marts.dim_department_name"
        " where printed_name = ? and report_level = ?",
        [printed, level],
    )
    assert len(rows) == 1, rows
    return rows[0]


def test_a_renamed_department_keeps_its_id_over_the_years(matched: Matched) -> None:
    old = matched.department_of(HEALTH_OLD, 2022, "budget")
    assert old == matched.department_of(HEALTH, 2023, "budget") == matched.department_of(HEALTH, 2024, "final")
    rule, name, evidence = name_row(matched, HEALTH_OLD)
    assert (rule, name) == ("rename", HEALTH)
    assert evidence == "卫生和计划生育局 → 卫生健康局 (rename, 2018)"
    filed = "select department_name, first_year, last_year from marts.dim_department where department_id = ?"
    assert matched.rows(filed, [old]) == [(HEALTH, 2022, 2024)]


def test_a_name_printed_without_its_city_is_its_department_and_never_another_districts(matched: Matched) -> None:
    education = matched.department_of(EDUCATION, 2022, "budget")
    assert matched.department_of(EDUCATION_SHORT, 2023, "budget") == education
    assert matched.department_of(NEIGHBOUR_EDUCATION, 2023, "budget") != education
    assert name_row(matched, EDUCATION_SHORT) == (
        "prefix dropped",
        EDUCATION,
        "printed without 乐山市: the one department of that name in its region",
    )


def test_the_party_office_under_its_full_short_and_bare_names_is_one_department(matched: Matched) -> None:
    office = matched.department_of(PARTY_OFFICE, 2024, "final")
    assert matched.department_of("金口河区委办公室", 2023, "final") == office
    assert matched.department_of("区委办公室", 2022, "final") == office
    assert name_row(matched, PARTY_OFFICE)[0] == "exact"
    assert name_row(matched, "区委办公室")[:2] == ("prefix dropped", "乐山市金口河区委办公室")


def test_what_is_not_merged_is_a_candidate_with_its_reason(matched: Matched) -> None:
    putuo = matched.department_of("普陀区教育局", 2022, "budget")
    shanghai = matched.department_of("上海市普陀区教育局", 2023, "budget")
    assert putuo != shanghai
    assert name_row(matched, "普陀区教育局")[2] == "2 departments fit this name: filed on its own (see the candidates)"
    environment = matched.department_of("乐山市金口河区环境保护局", 2019, "budget")
    assert environment != matched.department_of("乐山市金口河区生态环境局", 2019, "budget")
    candidates = {
        (one, other): kind
        for one, other, kind in matched.rows(
            "select department_name, other_department_name, candidate_kind from intermediate.int_department_candidates"
        )
    }
    assert candidates[("普陀区教育局", "上海市普陀区教育局")] == "several fit"
    assert candidates[("普陀区教育局", "浙江省舟山市普陀区教育局")] == "several fit"
    assert candidates[("乐山市金口河区环境保护局", "乐山市金口河区生态环境局")] == "rename blocked"
    assert not any(NEIGHBOUR_EDUCATION in pair for pair in candidates)  # another district: never a candidate


def test_units_are_linked_to_their_department_by_structure_or_said_unknown(matched: Matched) -> None:
    departments = {
        name: (level, parent, evidence)
        for name, level, parent, evidence in matched.rows(
            "select d.department_name, d.level, p.department_name, d.parent_evidence from marts.dim_department d"
            " left join marts.dim_department p on p.department_id = d.parent_department_id"
        )
    }
    assert departments[SCHOOL] == ("unit", EDUCATION, f"listed among its units by {EDUCATION}'s 2024 budget (page 3)")
    assert departments[REVIEW_CENTRE] == ("unit", FINANCE, f"its name begins with its department's: {FINANCE}")
    assert departments[ORPHAN][:2] == ("unit", None)
    assert departments[ORPHAN][2].startswith("unknown: ")
    # the finance bureau's own 单位预算 is the bureau's: one department, at both levels
    assert departments[FINANCE] == ("department", None, None)
    assert matched.department_of(FINANCE, 2023, "budget", "unit") == matched.department_of(FINANCE, 2023, "final")


def test_an_override_file_splits_and_merges_and_the_next_build_follows_it(matched: Matched, tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(matched.path, path)
    overrides = parse_overrides(
        "printed_name,region,department_name,note\n"
        f"{HEALTH_OLD},,{HEALTH_OLD},not the same bureau\n"
        "普陀区教育局,,上海市普陀区教育局,\n",
        "departments.csv",
    )
    with duckdb.connect(str(path)) as con:
        assert load_overrides(con, overrides, Path("departments.csv"))
    build_departments(path, matched.work_dir)
    after = Matched(path, matched.work_dir)
    assert after.department_of(HEALTH_OLD, 2022, "final") != after.department_of(HEALTH, 2023, "budget")
    assert after.department_of("普陀区教育局", 2022, "budget") == after.department_of(
        "上海市普陀区教育局", 2023, "budget"
    )
    assert name_row(after, "普陀区教育局") == (
        "override",
        "上海市普陀区教育局",
        "departments.csv line 3: 普陀区教育局 → 上海市普陀区教育局",
    )
    assert name_row(after, HEALTH_OLD) == (
        "override",
        HEALTH_OLD,
        f"departments.csv line 2: {HEALTH_OLD} is a department of its own",
    )
    kinds = {kind for (kind,) in after.rows("select candidate_kind from intermediate.int_department_candidates")}
    assert "several fit" not in kinds  # the override decided it


def test_caijue_departments_apply_publishes_the_rebuilt_marts(
    matched: Matched, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The whole build, through ingest's publish path: the published file follows the override file."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(matched.path, path)
    (tmp_path / "departments.csv").write_text(
        f"printed_name,region,department_name\n{EDUCATION_SHORT},金口河区,{EDUCATION_SHORT}\n", encoding="utf-8"
    )
    published = Matched(path, matched.work_dir)
    assert published.department_of(EDUCATION_SHORT, 2023, "budget") == published.department_of(
        EDUCATION, 2022, "budget"
    )
    assert main(["departments", "--warehouse", str(path), "--apply"]) == 0
    out = capsys.readouterr().out
    assert "departments: 1 overrides from" in out and "publish: " in out
    assert published.department_of(EDUCATION_SHORT, 2023, "budget") != published.department_of(
        EDUCATION, 2022, "budget"
    )
    assert name_row(published, EDUCATION_SHORT)[0] == "override"
    assert not (tmp_path / ".caijue-building" / path.name).exists()


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("name,department_name\nx,y\n", "departments.csv line 1: the header must name printed_name,region,"),
        ("printed_name,region,department_name\na,b\n", "departments.csv line 2: 2 fields where the header has 3"),
        ("printed_name,region,department_name\n,,y\n", "departments.csv line 2: printed_name is empty"),
        ("printed_name,region,department_name\na,,\n", "departments.csv line 2: department_name is empty"),
        (
            "printed_name,region,department_name\na,,b\n\na,,c\n",
            "departments.csv line 4: a is filed under b on line 2 already",
        ),
        ('printed_name,region,department_name\n"a,,b\n', "departments.csv line 2: 1 fields where"),
    ],
)
def test_a_malformed_override_file_is_one_clear_line(text: str, fault: str) -> None:
    with pytest.raises(OverrideFileError) as raised:
        parse_overrides(text, "departments.csv")
    assert str(raised.value).startswith(fault)
    assert "\n" not in str(raised.value)


def test_the_override_file_is_read_as_excel_writes_it_and_a_missing_default_is_no_overrides(tmp_path: Path) -> None:
    path = tmp_path / "departments.csv"
    path.write_bytes(
        "\ufeffprinted_name,region,department_name\r\n区委办公室,乐山市金口河区,中共乐山市金口河区委办公室\r\n".encode()
    )
    overrides = read_overrides(OverrideFile(path, explicit=True))
    assert [(o.printed_name, o.region, o.department_name, o.line_number) for o in overrides] == [
        ("区委办公室", "乐山市金口河区", "中共乐山市金口河区委办公室", 2)
    ]
    assert read_overrides(OverrideFile(tmp_path / "absent.csv", explicit=False)) == []
    with pytest.raises(OverrideFileError, match="no such department override file"):
        read_overrides(OverrideFile(tmp_path / "absent.csv", explicit=True))
    path.write_bytes("printed_name,region,department_name\n区委办公室,,x\n".encode("gbk"))
    with pytest.raises(OverrideFileError, match="not UTF-8 text"):
        read_overrides(OverrideFile(path, True))


def test_commands_refuse_a_malformed_override_file_in_one_line(
    matched: Matched, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "departments.csv"
    bad.write_text("printed_name,department_name\nx,y\n", encoding="utf-8")
    assert main(["departments", "--warehouse", str(matched.path), "--apply", str(bad)]) == 2
    assert capsys.readouterr().err == (
        f"caijue: {bad} line 1: the header must name printed_name,region,department_name (and optionally note),"
        " not printed_name,department_name\n"
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with pytest.raises(SystemExit) as exited:
        main(["ingest", str(inbox), "--warehouse", str(tmp_path / "w.duckdb"), "--departments-file", str(bad)])
    assert exited.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_an_edited_override_file_makes_the_next_run_rebuild(matched: Matched, tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(matched.path, path)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    assert plan_run([inbox], path).up_to_date
    (tmp_path / "departments.csv").write_text(
        "printed_name,region,department_name\n金口河区教育局,,金口河区教育局\n", encoding="utf-8"
    )
    plan = plan_run([inbox], path)
    assert not plan.up_to_date and plan.overrides_pending and not plan.todo
    assert list_departments(path).endswith(
        f"{tmp_path / 'departments.csv'} is not what this warehouse was built with: caijue departments --apply"
    )
    with duckdb.connect(str(path)) as con:
        load_overrides(con, plan.overrides, tmp_path / "departments.csv")
    assert plan_run([inbox], path).up_to_date
    assert "caijue departments --apply" not in list_departments(path)


def test_caijue_departments_lists_variants_evidence_and_candidates(
    matched: Matched, capsys: pytest.CaptureFixture[str]
) -> None:
    with duckdb.connect(str(matched.path), read_only=True) as con:
        listing = describe_departments(con)
    assert main(["departments", "--warehouse", str(matched.path)]) == 0
    assert capsys.readouterr().out == listing + "\n"
    lines = listing.splitlines()
    assert lines[0] == "13 departments, 18 printed names"  # a name printed at two levels counts twice
    health = lines.index(
        next(line for line in lines if line.startswith(f"{HEALTH}  [乐山市金口河区; 2022–2024; 4 documents;"))
    )
    assert lines[health + 1 : health + 3] == [
        f"    {HEALTH_OLD}  2022 department  rename → {HEALTH}: 卫生和计划生育局 → 卫生健康局 (rename, 2018)",
        f"    {HEALTH}  2023–2024 department  exact: the name as printed",
    ]  # fmt: skip
    assert any(line.startswith(f"{SCHOOL}  [乐山市金口河区; unit of {EDUCATION}; 2023;") for line in lines)
    assert "Not merged, to check (3; departments.csv decides):" in lines


def test_the_demo_bureaus_documents_are_matched_as_its_generator_knows_them(tmp_path: Path) -> None:
    """Every document the demo bureau prints (a rename, a short name, units) under one department_id per
    department of the generator's truth, and each unit linked to its department. A 本级's 单位预算 prints its
    department's name (extract drops the （本级） tail): it is its department's."""
    documents = plan_bureau()
    rows = [
        (d.truth["department_name"], d.planned.year, d.planned.layout.report_kind, d.planned.level) for d in documents
    ]
    listed = {  # what each department's 部门概况 lists (samples/narrative.py: the units after its own)
        (d.truth["department_name"], d.planned.year, d.planned.layout.report_kind): list(d.planned.department.units[1:])
        for d in documents
        if d.planned.level == "department" and len(d.planned.department.units) > 1
    }
    path = tmp_path / "warehouse.duckdb"
    write_raw(path, rows, listed)
    build_departments(path, tmp_path / "dbt")
    found = Matched(path, tmp_path / "dbt")

    def entity(document: BureauDocument) -> str:
        own = document.planned.department.name.endswith(OWN_UNIT)
        return document.department_key if own else document.entity_key

    by_truth: dict[str, set[str]] = {}
    for document, (name, year, kind, level) in zip(documents, rows, strict=True):
        by_truth.setdefault(entity(document), set()).add(found.department_of(name, year, kind, level))
    assert all(len(ids) == 1 for ids in by_truth.values()), {k: v for k, v in by_truth.items() if len(v) > 1}
    department_ids = {key: next(iter(ids)) for key, ids in by_truth.items()}
    assert len(set(department_ids.values())) == len(department_ids)
    parents = dict(
        found.rows("select department_id, parent_department_id from marts.dim_department where level = 'unit'")
    )
    units = {entity(d): d.department_key for d in documents if entity(d) != d.department_key}
    assert len(units) == 5
    assert {department_ids[unit]: department_ids[department] for unit, department in units.items()} == parents


def test_a_demo_department_document_lists_its_units_as_extracted(tmp_path: Path) -> None:
    (document,) = [
        d
        for d in plan_bureau()
        if d.planned.level == "department" and d.truth["department_name"] == EDUCATION and d.planned.year == 2022
        and d.planned.layout.report_kind == "budget"
    ]  # fmt: skip
    pdf = write_document(tmp_path, document.planned, document.truth)
    extracted = extract_document(pdf.read_bytes(), pdf.name)
    listed = list(document.planned.department.units[1:])  # what its 部门概况 prints, after its own organ
    assert len(listed) >= 2
    assert [unit.name for unit in units_listed(extracted.narrative)] == listed


def test_units_are_read_from_the_lists_departments_print() -> None:
    narrative = {
        3: "纳入乐山市金口河区教育局 2022 年部门预算编制范围的单位包括：\n1. 乐山市金口河区实验小学\n"
        "2. 乐山市金口河区初级中学\n- 2 -",
        4: "下属单位具体包括：珠海市贸易服务中\n心、珠海市会议展览局。\n- 3 -单位名称：珠海市商务局",
        5: "下属 5 个二级预算单位，分别是：北京市\n司法局本级，属全额拨款行政单位；北京市法律援助中心，\n"
        "属全额拨款事业单位。",
        6: "乐山市金口河区实验小学单位预算仅包括本级预算。",
    }
    assert [(u.page, u.name) for u in units_listed(narrative)] == [
        (3, "乐山市金口河区实验小学"),
        (3, "乐山市金口河区初级中学"),
        (4, "珠海市贸易服务中心"),
        (4, "珠海市会议展览局"),
        (5, "北京市司法局"),
        (5, "北京市法律援助中心"),
    ]

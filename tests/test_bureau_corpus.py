"""The demo's bureau corpus (samples/bureau.py, samples/data/bureau_jinkouhe.yaml): one district's
departments over three years, units, a rename, a short name, publisher's errors, a neighbour district,
the seed's real document in its slot; deterministic, and what it prints extracts exactly to its truth."""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest

from extract import ExtractedDocument, extract_document
from samples import build_seed_document, plan_bureau
from samples.bureau import BureauDocument, write_bureau_document
from samples.inject import INJECTION_KINDS
from warehouse.accuracy import read_expected, read_expected_folder, scored_facts

DISTRICT = "乐山市金口河区"
NEIGHBOUR = "乐山市沙湾区"
YEARS = {2022, 2023, 2024}
SEED_STEM = "sc-leshan-jkh-qwb-2024-final-dept"
HEALTH = "sc-leshan-jkh-wsjkj"
EDUCATION = "sc-leshan-jkh-jyj"


@pytest.fixture(scope="module")
def plan() -> list[BureauDocument]:
    return plan_bureau()


def _by_stem(plan: list[BureauDocument]) -> dict[str, BureauDocument]:
    return {document.planned.stem: document for document in plan}


def _names(plan: list[BureauDocument], department_key: str) -> dict[int, str]:
    return {
        d.planned.year: d.planned.department.name
        for d in plan
        if d.department_key == department_key and d.planned.level == "department"
    }


# --- the plan ----------------------------------------------------------------------------------------------


def test_the_plan_is_one_district_and_a_neighbour(plan: list[BureauDocument]) -> None:
    regions = defaultdict(set)
    for document in plan:
        regions[document.planned.department.region.name].add(document.department_key)
    assert set(regions) == {DISTRICT, NEIGHBOUR}
    assert len(regions[DISTRICT]) >= 12
    assert 1 <= len(regions[NEIGHBOUR]) <= 3
    assert len({d.planned.stem for d in plan}) == len(plan)


def test_every_department_has_three_years_of_budgets_and_final_accounts(plan: list[BureauDocument]) -> None:
    held = defaultdict(set)
    for document in plan:
        if document.planned.level == "department":
            held[document.department_key].add((document.planned.year, document.planned.layout.report_kind))
    assert all(kinds == {(y, k) for y in YEARS for k in ("budget", "final")} for kinds in held.values()), held
    assert {d.planned.layout.name for d in plan} == {"sichuan_budget", "sichuan_final"}


def test_units_publish_their_budgets_under_their_department(plan: list[BureauDocument]) -> None:
    units = [d for d in plan if d.planned.level == "unit"]
    departments = {d.department_key for d in plan if d.planned.level == "department"}
    assert len({d.department_key for d in units}) >= 2
    assert all(d.planned.layout.report_kind == "budget" for d in units)
    assert all(d.department_key in departments and d.entity_key.startswith(d.department_key + "-") for d in units)
    per_year = defaultdict(set)
    for unit in units:
        per_year[unit.entity_key].add(unit.planned.year)
    assert all(years == YEARS for years in per_year.values())


def test_a_renamed_department_and_a_short_name_keep_their_department_key(plan: list[BureauDocument]) -> None:
    health = _names(plan, HEALTH)
    assert health[2022] == "乐山市金口河区卫生和计划生育局"
    assert health[2023] == health[2024] == "乐山市金口河区卫生健康局"
    education = _names(plan, EDUCATION)
    assert education[2023] == "金口河区教育局" and education[2022] == education[2024] == "乐山市金口河区教育局"


def test_publisher_errors_are_planned_in_a_few_district_documents(plan: list[BureauDocument]) -> None:
    with_errors = [d for d in plan if d.errors]
    assert 2 <= len(with_errors) <= 4
    assert all(set(d.errors) <= set(INJECTION_KINDS) for d in with_errors)
    assert all(d.planned.department.region.name == DISTRICT for d in with_errors)


def test_the_seed_stands_in_its_own_slot(plan: list[BureauDocument], tmp_path: Path) -> None:
    seed_slot = _by_stem(plan)[SEED_STEM]
    assert sum(d.department_key == seed_slot.department_key for d in plan) == 6  # 3 years × 2 kinds
    pdf = write_bureau_document(tmp_path, seed_slot)
    assert pdf.read_bytes() == build_seed_document().rendered.pdf  # the real one, never a generated second
    meta = read_expected_folder(tmp_path / SEED_STEM).meta
    assert (meta.extra["department_key"], meta.extra["region"]) == ("sc-leshan-jkh-qwb", DISTRICT)


def _three_public_budget(folder: Path) -> dict[str, Decimal]:
    rows = read_expected_folder(folder).rows
    return {row.key: row.amount_yuan for row in rows if row.file == "three_public" and row.measure == "budget"}


def test_the_seed_year_budget_states_the_three_public_budget_the_seed_prints(
    plan: list[BureauDocument], tmp_path: Path
) -> None:
    documents = _by_stem(plan)
    final = write_bureau_document(tmp_path, documents[SEED_STEM]).with_suffix("")
    budget = write_bureau_document(tmp_path, documents[SEED_STEM.replace("final", "budget")]).with_suffix("")
    printed = _three_public_budget(final)
    assert printed["total"] > 0
    assert {item: amount for item, amount in _three_public_budget(budget).items() if item in printed} == printed


def test_a_limited_plan_keeps_the_district_first_departments() -> None:
    two = plan_bureau(departments=2)
    district = {d.department_key for d in two if d.planned.department.region.name == DISTRICT}
    assert district == {"sc-leshan-jkh-qwb", "sc-leshan-jkh-zzb"}


# --- the documents -----------------------------------------------------------------------------------------

CHOSEN = (
    "sc-leshan-jkh-wsjkj-2022-final-dept",  # the name before the rename
    "sc-leshan-jkh-jyj-2023-budget-dept",  # the short name
    "sc-leshan-jkh-jyj-bj-2023-budget-unit",  # the 本级 unit, under the short name
    "sc-leshan-jkh-wsjkj-jkzx-2024-budget-unit",  # a 事业单位
    "sc-leshan-swq-czj-2024-final-dept",  # the neighbour
)


def _extract(pdf: Path) -> ExtractedDocument:
    return extract_document(pdf.read_bytes(), pdf.name)


@pytest.fixture(scope="module")
def written(plan: list[BureauDocument], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bureau")
    documents = _by_stem(plan)
    return {stem: write_bureau_document(folder, documents[stem]) for stem in CHOSEN}


@pytest.fixture(scope="module")
def extracted(written: dict[str, Path]) -> dict[str, ExtractedDocument]:
    with ProcessPoolExecutor(max_workers=2) as pool:
        return dict(zip(written, pool.map(_extract, written.values()), strict=True))


def test_bureau_documents_extract_exactly_to_their_truth(
    written: dict[str, Path], extracted: dict[str, ExtractedDocument]
) -> None:
    for stem, pdf in written.items():
        expected = read_expected(pdf.parent / stem / "expected")
        got = scored_facts(extracted[stem].facts)
        assert (sorted(expected - got)[:3], sorted(got - expected)[:3]) == ([], []), stem
        assert len(expected) > 100, stem


def test_bureau_documents_read_as_their_meta_says(
    written: dict[str, Path], extracted: dict[str, ExtractedDocument]
) -> None:
    for stem, pdf in written.items():
        meta = read_expected_folder(pdf.parent / stem).meta
        read = extracted[stem].meta
        assert (read.department_name, read.fiscal_year, read.report_kind, read.report_level, read.page_count) == (
            meta.department_name, meta.fiscal_year, meta.report_kind, meta.report_level, meta.page_count,
        ), stem  # fmt: skip


def test_same_plan_gives_byte_identical_files(
    plan: list[BureauDocument], written: dict[str, Path], tmp_path: Path
) -> None:
    stem = CHOSEN[2]
    again = write_bureau_document(tmp_path, _by_stem(plan)[stem])
    assert again.read_bytes() == written[stem].read_bytes()
    first, second = written[stem].parent / stem / "expected", tmp_path / stem / "expected"
    assert sorted(f.name for f in first.iterdir()) == sorted(f.name for f in second.iterdir())
    for file in first.iterdir():
        assert (second / file.name).read_bytes() == file.read_bytes(), file.name


def _class_totals(folder: Path) -> dict[str, Decimal]:
    rows = read_expected_folder(folder).rows
    return {
        row.key: row.amount_yuan
        for row in rows
        if row.file == "function" and row.table_kind == "expenditure" and row.measure == "total"
    }


def test_a_department_budget_consolidates_its_units(plan: list[BureauDocument], tmp_path: Path) -> None:
    year = [d for d in plan if d.department_key == HEALTH and d.planned.year == 2024]
    department = next(d for d in year if d.planned.level == "department" and d.planned.layout.report_kind == "budget")
    units = [d for d in year if d.planned.level == "unit"]
    assert len(units) == 3
    total = _class_totals(write_bureau_document(tmp_path, department).with_suffix(""))
    summed: dict[str, Decimal] = defaultdict(Decimal)
    for unit in units:
        for code, amount in _class_totals(write_bureau_document(tmp_path, unit).with_suffix("")).items():
            summed[code] += amount
    assert total == dict(summed)

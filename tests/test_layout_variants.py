"""The variant layouts (other provinces' sets, corpus/wild): each generated document reads back exactly.

One document per variant layout, rendered in memory and extracted without its truth: every expected
fact is extracted with its amount and nothing else is (F1 = 1.0), the document passes the gate, and
the default corpus does not include the variants."""

from __future__ import annotations

import io
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytest

from expectations import Gate
from extract import ExtractedDocument, extract_document
from samples import generate_corpus, load_layouts, plan_corpus
from samples.corpus import Planned, build_document
from samples.layouts import default_layouts
from samples.truth import save_document
from tests.test_extract_real import contract_facts
from warehouse.accuracy import read_expected

VARIANTS = sorted(name for name, layout in load_layouts().items() if layout.variant)


def _plan(layout: str) -> Planned:
    return plan_corpus(1, (2024,), 20240101, {layout}, variants=True)[0]


def _generate_and_extract(args: tuple[str, Path]) -> tuple[Path, ExtractedDocument]:
    layout, out_dir = args
    pdf = save_document(out_dir, build_document(_plan(layout)))
    return pdf, extract_document(pdf.read_bytes(), pdf.name)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, ExtractedDocument]]:
    out_dir = tmp_path_factory.mktemp("variants")
    with ProcessPoolExecutor(max_workers=len(VARIANTS)) as pool:
        results = pool.map(_generate_and_extract, [(layout, out_dir) for layout in VARIANTS])
        return dict(zip(VARIANTS, results, strict=True))


def test_there_are_variants_and_the_default_corpus_leaves_them_out() -> None:
    assert {"guangdong_final", "guangdong_budget", "zhejiang_budget"} <= set(VARIANTS)
    assert not set(VARIANTS) & default_layouts()
    planned = plan_corpus(8, (2024,), 20240101, set(load_layouts()))
    assert {p.layout.name for p in planned} == default_layouts()
    with_variants = plan_corpus(8, (2024,), 20240101, set(load_layouts()), variants=True)
    assert {p.layout.name for p in with_variants} == set(load_layouts())


def test_naming_a_variant_generates_it(tmp_path: Path) -> None:
    paths = generate_corpus(tmp_path, departments=1, years=(2024,), layouts=["zhejiang_budget"])
    assert [p.name for p in paths] == [f"{_plan('zhejiang_budget').stem}.pdf"]


@pytest.mark.parametrize("layout", VARIANTS)
def test_every_fact_is_read_back_and_nothing_else(
    layout: str, extracted: dict[str, tuple[Path, ExtractedDocument]]
) -> None:
    pdf, document = extracted[layout]
    expected = read_expected(pdf.parent / pdf.stem / "expected")
    got = contract_facts(document)
    assert len(expected) > 40
    assert sorted(expected - got) == [] and sorted(got - expected) == []
    assert [p for p in document.problems if p.severity == "error"] == []


@pytest.mark.parametrize("layout", VARIANTS)
def test_the_document_passes_the_gate(layout: str, extracted: dict[str, tuple[Path, ExtractedDocument]]) -> None:
    result = Gate().check(extracted[layout][1])
    assert result.errors == [], [(p.check_name, p.table_kind, p.page, p.message) for p in result.errors]


def _ruled(pdf: Path) -> tuple[int, int]:
    """Rectangles and lines of the whole document (only the tables draw any)."""
    with pdfplumber.open(io.BytesIO(pdf.read_bytes())) as document:
        return sum(len(page.rects) for page in document.pages), sum(len(page.lines) for page in document.pages)


def _page_texts(pdf: Path) -> list[str]:
    document = pdfium.PdfDocument(pdf.read_bytes())
    try:
        return [page.get_textpage().get_text_range().replace("\r\n", "\n") for page in document]
    finally:
        document.close()


def test_what_each_variant_exercises(extracted: dict[str, tuple[Path, ExtractedDocument]]) -> None:
    layouts = load_layouts()
    for layout in VARIANTS:
        rects, lines = _ruled(extracted[layout][0])
        if layouts[layout].ruling == "lines":
            assert rects == 0 and lines > 0, layout  # lines but no rectangles
        else:
            assert rects > 0, layout
    pages = _page_texts(extracted["guangdong_final"][0])
    summary = [t for t in pages if "收入支出决算总表" in t and "行次" in t]
    assert len(summary) == 2 and all("栏次" in t and "表1" in t for t in summary)  # title and header repeated
    text = "\n".join(_page_texts(extracted["zhejiang_budget"][0]))
    assert re.search(r"表\d+：2024年区级部门一般公共预算支出预算表", text)
    assert re.search(r"\*\*\s+1\s+2\s+3\s+4\s+5", text)  # the numbering row
    text = "\n".join(_page_texts(extracted["guangdong_budget"][0]))
    assert re.search(r"\[2\d{6}\]", text) and "其中：（一）因公出国（境）支出" in text
    assert re.search(r"\[30101\]基本工资", text)  # economic codes in brackets too
    assert re.search(r"\s[-—]\s", text)  # zeros printed as dashes

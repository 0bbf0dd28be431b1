"""The rules a printed figure is held to (expectations.printed_rules), and the custom GX expectations of the
document checks computing the same verdicts from the frame's columns. Cost: pure arithmetic, then one Checkpoint
run on the process's default gate (~0.3 s; building the gate, if this worker has none yet, ~4 s)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from expectations.document_checks import DocumentCheck, document_checks_frame
from expectations.frames import facts_frame, identity_frame
from expectations.gate import GateFrames
from expectations.printed_rules import copies_within_rounding, percentage_within, printed_value, within_tolerance
from extract.model import DocumentMeta, ExtractedDocument

D = Decimal


@pytest.mark.parametrize(
    ("printed", "unit", "source", "allowance", "holds"),
    [
        ("863.25", "万元", D("8632500.00"), D(0), True),  # a 万元 table's figure copied: equal
        ("863.25", "万元", D("8632550.00"), D(0), True),  # half of 0.01 万元 is 50 yuan
        ("863.25", "万元", D("8632550.01"), D(0), False),
        ("863.2", "万元", D("8632499.99"), D(0), True),  # one decimal: half of 0.1 万元
        ("863.2", "万元", D("8632500.01"), D(0), False),
        ("19,302", "万元", D("193018000.00"), D(0), True),  # rounds further than the table
        ("1.23", "亿元", D("123400000.00"), D(0), True),  # half of 0.01 亿元 is 500 000 yuan
        ("1.23", "亿元", D("123500000.01"), D(0), False),
        ("12.00", "元", D("12.50"), D(50), True),  # the source's own allowance is the larger
        ("863.25", "万元", 8632500.0, D(0), False),  # a float is never an exact amount
        ("八百", "万元", D("8000000"), D(0), False),  # not a printed figure
        ("863.25", "%", D("8632500"), D(0), False),  # a percentage is not an amount
    ],
)
def test_a_copied_figure_holds_within_the_larger_of_its_source_s_allowance_and_its_own_rounding(
    printed: str, unit: str, source: object, allowance: Decimal, holds: bool
) -> None:
    assert copies_within_rounding(printed, unit, source, allowance) is holds


@pytest.mark.parametrize(
    ("printed", "ranges", "holds"),
    [
        ("62.05", ((D("62.046"), D("62.052")),), True),
        ("62.06", ((D("62.046"), D("62.052")),), True),  # one unit of the last digit beyond: a nudged share
        ("62.07", ((D("62.046"), D("62.052")),), False),
        ("62.03", ((D("62.046"), D("62.052")),), False),
        ("62", ((D("62.9"), D("63.1")),), True),  # printed whole: one whole percent
        ("8.8", ((D(1), D(2)), (D("8.75"), D("8.85"))), True),  # any of the ways the sentence gives it
        ("8.8", (), False),
    ],
)
def test_a_printed_percentage_holds_within_one_unit_of_its_last_digit_of_a_range(
    printed: str, ranges: tuple, holds: bool
) -> None:
    assert percentage_within(printed, "%", ranges) is holds
    assert percentage_within(printed, "万元", ranges) is False


def test_printed_values_are_exact() -> None:
    assert printed_value("1,234.56", "万元") == D("12345600.00")
    assert printed_value("0.01", "亿元") == D("1000000.00")
    assert printed_value("62.05", "%") == D("62.05")
    assert within_tolerance(D("100.00"), D("100.01"), D("0.01")) and not within_tolerance(1.0, D(1), D(1))


def _checks() -> list[DocumentCheck]:
    rounding = {"printed_unit": "万元", "source_tolerance_yuan": D(0)}
    return [
        DocumentCheck("narrative.expense_total", "warning", None, "copied", printed="863.25", source_yuan=D("8632500"),
                      **rounding),
        DocumentCheck("narrative.expense_total", "warning", None, "copied wrong", page=3, printed="863.25",
                      source_yuan=D("8633500"), **rounding),
        DocumentCheck("narrative.share", "warning", None, "share", printed="62.05", printed_unit="%",
                      allowed_percent=((D("62.046"), D("62.052")),)),
        DocumentCheck("narrative.share", "warning", None, "share wrong", printed="61.05", printed_unit="%",
                      allowed_percent=((D("62.046"), D("62.052")),)),
        DocumentCheck("narrative.change_amount", "warning", None, "change", expected=D(100), actual=D(300),
                      tolerance_yuan=D(200)),
        DocumentCheck("narrative.change_amount", "warning", None, "change wrong", expected=D(100), actual=D(301),
                      tolerance_yuan=D(200)),
        DocumentCheck("narrative.year", "warning", True, "year"),
        DocumentCheck("unit.slip", "error", False, "slipped", table_kind="income"),
    ]  # fmt: skip


def test_the_document_checks_expectations_compute_the_verdicts_the_rules_state() -> None:
    from expectations.gate import default_gate

    checks = _checks()
    meta = DocumentMeta("ab" * 32, "rules.pdf", None, None, None, None, None, 1)
    doc = ExtractedDocument(meta=meta)
    frames = GateFrames(facts_frame(doc), identity_frame(doc, [], []), document_checks_frame(checks, meta.document_id))
    assert "holds" not in frames.document_checks.columns  # GX decides

    [result] = default_gate().judge([(doc, frames)]).results

    assert list(result.document_checks["holds"]) == [c.holds for c in checks]
    assert [c.holds for c in checks] == [True, False, True, False, True, False, True, False]
    found = {(p.message, p.severity) for p in result.issues}
    assert found == {("copied wrong", "warning"), ("share wrong", "warning"), ("change wrong", "warning"),
                     ("slipped", "error")}  # fmt: skip


def test_a_check_gives_one_way_to_decide_it() -> None:
    with pytest.raises(ValueError, match="one rule"):
        DocumentCheck("narrative.share", "warning", True, "both", printed="1", printed_unit="%", allowed_percent=())
    with pytest.raises(ValueError, match="is a warning"):
        DocumentCheck("narrative.share", "error", None, "ours?", printed="1", printed_unit="%", allowed_percent=())

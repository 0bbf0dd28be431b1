"""Extraction alone beside the naive baseline (flows/reading_speed.py, what `caijue bench` prints for each
`--add` folder): both sides timed on the same files and pages, the ratio theirs, a file neither reads counted
without pages, and the figures in the bench's JSON, ratios and printed table.

Cost: ~2 s (the smallest real document, 1 pass of each side plus its warm-up, and a file that is not a PDF).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.bench import BenchOptions, RunFigures, bench_record, format_bench
from flows.reading_speed import SideBySide, Timing, side_by_side
from tests.shared_data import REAL, needs


@needs(REAL)
def test_both_sides_read_the_same_files_and_their_ratio_is_theirs(tmp_path: Path) -> None:
    smallest = min(REAL.glob("*/*.pdf"), key=lambda p: p.stat().st_size)
    not_a_pdf = tmp_path / "notes.pdf"
    not_a_pdf.write_text("not a PDF at all")

    timed = side_by_side(REAL, [smallest, not_a_pdf], repeat=1)
    record = timed.record()

    assert (timed.documents, record["method"]) == (2, "one core, in one process, warm, best of 1")
    assert timed.pages > 1  # the real document's pages; the text file has none
    for side in (timed.naive, timed.caijue):
        assert side.cpu_seconds > 0 and side.wall_seconds > 0
    assert record["times_naive_by_cpu"] == round(timed.naive.cpu_seconds / timed.caijue.cpu_seconds, 2)
    assert record["caijue"]["pages_per_second_by_cpu"] == round(timed.pages / timed.caijue.cpu_seconds, 1)


def test_the_bench_reports_each_added_folders_ratio() -> None:
    folder = SideBySide("/data/corpus/real", 4, 98, 3, Timing(4.0, 3.9), Timing(0.4, 0.39)).record()
    first = RunFigures("first", 4, 98, 20.0, 900.0, {"extract": 2.0, "gate": 1.0, "other": 17.0})
    options = BenchOptions(1, [Path("/data/corpus/real")], 2, Path("/tmp/unused"))

    record = bench_record(options, [first], [], [folder])

    assert record["extraction_side_by_side"] == [folder]
    assert record["ratios"]["extraction alone pages/s over naive pages/s, real, one core (CPU time)"] == 10.0
    printed = format_bench(record)
    assert "best of 3" in printed
    assert "| real | 4 | 98 | 4.00 (3.90) | 24.5 | 0.40 (0.39) | 245.0 | 10.00x (10.00x) |" in printed


@pytest.mark.parametrize("repeat", [0, -2])
def test_a_repeat_below_one_is_one_clear_line(repeat: int, capsys: pytest.CaptureFixture[str]) -> None:
    from flows.cli import main

    assert main(["bench", "--side-by-side-repeat", str(repeat)]) != 0
    assert (
        capsys.readouterr().err.strip()
        == f"caijue: --side-by-side-repeat {repeat}: give at least 1 — e.g. 3: the best of 3"
    )

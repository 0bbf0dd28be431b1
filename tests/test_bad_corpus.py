"""Issue 12, acceptance 1: the whole bad-input corpus (samples/bad_pdfs.py), the inbox's hostile entries (links,
a pipe, a second name, names not in UTF-8 or full of shell and SQL) and two good generated documents in ONE
`caijue ingest` run. The run exits 0; every bad case is recorded with its status and a reason a person
understands; nothing wrong is loaded from a bad case (every figure the marts hold from one is a figure of the
budget it was made from); the good documents load fully.

Cost: one run of the command line over 22 documents (the bombs are refused after one bounded inflate), about
60 s on the shared two cores, printed by the test (`-s`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from extract.damage import outside_the_syntax
from flows.inbox import LINK_DANGLING, LINK_LOOP, LINK_OUTSIDE
from samples.bad_pdfs import LOADS_IN_FULL, BadCase, base_budget, good_plans, write_bad_corpus
from samples.corpus import write_document
from samples.truth import save_document
from warehouse.accuracy import read_expected, read_marts, score_document

REPOSITORY = Path(__file__).resolve().parents[1]
TIMEOUT_SECONDS = 120  # per document; a budget takes under 15 s here


@dataclass(frozen=True, slots=True)
class BadRun:
    warehouse: Path
    cases: list[BadCase]
    boundary: dict[str, str]  # file name → the reason an inbox entry is refused with (failed)
    good: list[Path]  # the good documents' expected/ folders
    base: Path  # the expected/ folder of the budget the bad cases mutate
    returncode: int
    output: str
    seconds: float


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory: pytest.TempPathFactory, prefect_harness: str) -> BadRun:
    root = tmp_path_factory.mktemp("bad-corpus")
    inbox, truth = root / "inbox", root / "truth"
    cases = write_bad_corpus(inbox)
    truth.mkdir()
    good = [write_document(truth, planned) for planned in good_plans()]
    for pdf in good:
        shutil.copy(pdf, inbox / pdf.name)  # the PDF only: the extractor never sees the truth
    save_document(truth, base_budget())
    boundary = with_boundary_cases(inbox, root, good[0])
    warehouse = root / "warehouse.duckdb"
    command = [sys.executable, "-m", "flows.cli", "ingest", str(inbox), "--warehouse", str(warehouse)]
    command += ["--workers", "2", "--timeout", str(TIMEOUT_SECONDS)]
    clock = time.perf_counter()
    run = subprocess.run(
        command,
        cwd=REPOSITORY,
        env={**os.environ, "PREFECT_API_URL": prefect_harness},
        capture_output=True,
        text=True,
        timeout=900,
    )
    seconds = time.perf_counter() - clock
    print(f"\nbad corpus: {len(cases)} cases + {len(good)} good documents, one `caijue ingest`: {seconds:.1f} s")
    return BadRun(
        warehouse,
        cases,
        boundary,
        [truth / pdf.stem / "expected" for pdf in good],
        truth / base_budget().source.stem / "expected",
        run.returncode,
        run.stdout + run.stderr,
        seconds,
    )


def with_boundary_cases(inbox: Path, root: Path, good: Path) -> dict[str, str]:
    """The inbox's own hostile entries beside the files (tests/test_bad_inputs.py has one test for each): links
    out of it, to itself and to nothing, a named pipe, a second name of a good document, and names that are not
    UTF-8 or that a shell or SQL would read. The failed ones by file name, with their reason."""
    (root / "secrets.pdf").write_bytes(b"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")
    (inbox / "out.pdf").symlink_to(root / "secrets.pdf")
    (inbox / "loop.pdf").symlink_to(inbox / "loop.pdf")
    (inbox / "dangling.pdf").symlink_to(root / "nowhere.pdf")
    os.mkfifo(inbox / "pipe.pdf")
    os.link(inbox / good.name, inbox / "second-name.pdf")  # read once, under its first name
    gbk = os.fsdecode("财政局预算".encode("gbk") + b".pdf")  # as Python lists a GBK name from an unzipped archive
    (inbox / gbk).write_bytes("财政局预算\n".encode("gbk"))
    hostile = "预算 'a'; drop table raw.documents; -- $(touch pwned).pdf"
    (inbox / hostile).write_bytes(b"<html><body>moved</body></html>")
    return {
        "out.pdf": LINK_OUTSIDE,
        "loop.pdf": LINK_LOOP,
        "dangling.pdf": LINK_DANGLING,
        "pipe.pdf": "a named pipe (FIFO), not a file: not read",
        "财政局预算.pdf": "not a PDF file: plain text",
        hostile: "not a PDF file: a web page (HTML) saved under a .pdf name",
    }


def document_id(case: BadCase) -> str:
    return hashlib.sha256(case.data).hexdigest()


def test_the_run_over_the_bad_corpus_exits_0(bad_run: BadRun) -> None:
    assert bad_run.returncode == 0, bad_run.output[-3000:]


def test_every_bad_case_has_its_status_and_reason(bad_run: BadRun) -> None:
    with duckdb.connect(str(bad_run.warehouse), read_only=True) as con:
        recorded = {
            row[0]: (row[1], row[2])
            for row in con.execute("select document_id, status, status_reason from raw.documents").fetchall()
        }
        unexplained = con.execute(
            "select file_name from raw.documents where coalesce(trim(status_reason), '') = ''"
        ).fetchall()
    wrong = {}
    for case in bad_run.cases:
        status, reason = recorded.get(document_id(case), (None, None))
        if status != case.status or not case.reason_matches(reason):
            wrong[case.name] = (status, reason, "expected", case.status, case.reason)
    assert wrong == {}
    # Every file of the run, the good documents and the inbox's hostile entries too, has a reason a person reads.
    assert unexplained == []


def test_every_hostile_inbox_entry_is_refused_or_read_once(bad_run: BadRun) -> None:
    with duckdb.connect(str(bad_run.warehouse), read_only=True) as con:
        failed = dict(
            con.execute("select file_name, status_reason from raw.documents where status = 'failed'").fetchall()
        )
        names = [row[0] for row in con.execute("select file_name from raw.documents").fetchall()]
    assert {name: failed.get(name) for name in bad_run.boundary} == bad_run.boundary
    assert "second-name.pdf" not in names and "is another name of" in bad_run.output
    assert not (REPOSITORY / "pwned").exists()


RAW_FACTS_SQL = (
    "select table_kind, fund_scope, fact_kind, key, measure, amount_yuan from raw.facts where document_id = ?"
)


def test_nothing_wrong_is_loaded_from_a_bad_case(bad_run: BadRun) -> None:
    """Every figure loaded from a bad case (raw.facts) is one of the budget it was made from, as its copies that
    every reader repairs (LOADS_IN_FULL) read it; one of those is the current reading, and its figures in the
    marts are the budget's truth, all of them: damage never wins."""
    cases = {case.name: case for case in bad_run.cases}
    with duckdb.connect(str(bad_run.warehouse), read_only=True) as con:
        raw = {name: set(con.execute(RAW_FACTS_SQL, [document_id(case)]).fetchall()) for name, case in cases.items()}
        current = [
            name
            for name, case in cases.items()
            if con.execute(
                "select is_current from marts.dim_document where document_id = ?", [document_id(case)]
            ).fetchone()
            == (True,)
        ]
        marts = read_marts(con, document_id(cases[current[0]])) if len(current) == 1 else set()
    complete = raw[min(LOADS_IN_FULL)]
    assert complete and all(raw[name] == complete for name in LOADS_IN_FULL)
    assert {name: sorted(facts - complete)[:3] for name, facts in raw.items() if facts - complete} == {}
    assert len(current) == 1 and current[0] in LOADS_IN_FULL, current
    assert marts == read_expected(bad_run.base)


def test_the_good_documents_load_fully(bad_run: BadRun) -> None:
    with duckdb.connect(str(bad_run.warehouse), read_only=True) as con:
        scores = [score_document(con, folder) for folder in bad_run.good]
    assert [(s.status, s.f1, s.describe_errors()[:3]) for s in scores] == [("loaded", 1.0, [])] * len(scores)


@pytest.mark.parametrize(
    ("content", "outside"),
    [
        (b"BT /F1 12 Tf 72 720 Td <4C74> Tj ET q 1 0 0 1 0 0 cm Q", 0),  # printable ASCII: passed at once
        (b"BT (\xff\xfe\x80 \\) (a) \\( \xb5) Tj (\x81(\x82)\x83) Tj ET", 0),  # any bytes in strings
        (b"/\xcb\xce\xcc\xe5 12 Tf % \xff\xfe comment\nBI /W 2 /H 1 ID \xff\x00\x80 EI", 0),  # names, images
        (b"q\x00\x00\x00\x00 Q", 0),  # NUL is white space (a real budget pads its content with it)
        (b"q 0 0 1 1 re f \xff\xfe\x80\x81\x82\x83\x84\x85\x86 Q", 9),  # garbage among the operators: damaged
    ],
)
def test_a_damaged_content_stream_is_told_by_its_bytes_outside_the_syntax(content: bytes, outside: int) -> None:
    assert outside_the_syntax(content) == outside

"""What keeps a run's fixed cost down holds (flows/server.py, flows/timeout.py, flows/plan.py, flows/summary.py):
the CLI reaches its server's start without importing Prefect, what a run imported is frozen out of its garbage
collections, Prefect imported first still sees the run's server, idle reading children stop when told, a file is
hashed again when it changes, a written outcome lets its facts go.
Cheap: two fresh interpreters (~1 s each) and one reading child (~1 s), no Prefect server."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

from extract import ExtractedDocument
from extract.model import DocumentMeta, Problem
from flows.plan import _remembered_fingerprint, fingerprint
from flows.server import WARM_UP_REQUESTS, free_port, warm_api
from flows.settings import REPOSITORY
from flows.summary import DocumentOutcome
from flows.timeout import _idle, call_with_deadline, stop_idle_children


def test_the_cli_reaches_its_server_start_without_importing_prefect() -> None:
    """Prefect reads PREFECT_API_URL when it is imported: imported before the run's server is begun, a run's flow
    would go to a second, temporary server Prefect starts itself."""
    code = (
        "import sys, flows.cli, flows.server, flows.settings, flows.stopping\n"
        "assert 'prefect' not in sys.modules, sorted(m for m in sys.modules if m.startswith('prefect'))\n"
    )
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    done = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_what_a_run_imported_is_frozen_out_of_its_collections_and_its_garbage_is_not() -> None:
    """A full collection walks every object tracked: once the run's process has imported what its later stages need,
    all it holds is frozen out of later collections (flows/collector.py), and a reference cycle no longer reachable
    is collected first, not kept."""
    code = (
        "import gc, weakref\n"
        "from flows.warmup import _import_all\n"
        "class Node: pass\n"
        "a, b = Node(), Node(); a.other, b.other = b, a; garbage = weakref.ref(a); del a, b\n"
        "_import_all(('json',))\n"
        "assert garbage() is None, 'the garbage was frozen with the survivors'\n"
        "assert gc.get_freeze_count() > 1000, gc.get_freeze_count()\n"
    )
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    done = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_prefect_imported_first_sees_the_run_s_server() -> None:
    from prefect.settings import get_current_settings

    from flows.server import _seen_by_prefect

    address = "http://127.0.0.1:9/api"
    before = get_current_settings().api.url
    with _seen_by_prefect(address):
        assert get_current_settings().api.url == address
    assert get_current_settings().api.url == before


def test_the_server_s_first_request_work_is_asked_for_by_reads_only() -> None:
    """The warm-up after the server answers: its read-only requests, each sent; a server that does not answer them
    is let be (the flow run's own calls say what is wrong)."""
    asked: list[tuple[str, str, bytes]] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer()

        def _answer(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            asked.append((self.command, self.path, body))
            self.send_response(200 if len(asked) == 1 else 500)  # a failing request stops nothing
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        warm_api(f"http://127.0.0.1:{server.server_address[1]}/api").join(timeout=30)
        server.shutdown()
    expected = [("POST" if body else "GET", f"/api{path}", body or b"") for path, body in WARM_UP_REQUESTS]
    assert asked == expected
    assert all(path.endswith(("/version", "/filter")) for _, path, _ in asked)  # reads: nothing is written
    warm_api(f"http://127.0.0.1:{free_port(0)}/api").join(timeout=30)  # nothing listening: no error


def test_idle_reading_children_stop_when_told() -> None:
    assert call_with_deadline(os.getpid, seconds=60) != os.getpid()  # a child of its own answered
    children = [caller._process for caller in _idle if caller._process is not None]
    assert children and all(child.poll() is None for child in children)
    stop_idle_children()
    assert all(child.wait(10) == 0 for child in children), "each exits by itself (not killed), without delay"
    assert call_with_deadline(os.getpid, seconds=60) != os.getpid()  # the next call starts one again
    stop_idle_children()


def test_a_file_is_hashed_again_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4 first")
    assert _remembered_fingerprint(path) == fingerprint(path)
    path.write_bytes(b"%PDF-1.4 second, longer")
    assert _remembered_fingerprint(path) == fingerprint(path)


def test_a_written_outcome_keeps_its_verdict_and_lets_its_facts_go() -> None:
    meta = DocumentMeta("ab" * 32, "report.pdf", None, None, None, None, None, 3)
    problem = Problem("no_text_layer", "warning", "page 2 has no text layer", page=2)
    document = ExtractedDocument(meta=meta, problems=[problem], narrative={1: "说明"})
    outcome = DocumentOutcome("report.pdf", document, "loaded", "loaded: 0 tables, 0 facts")
    outcome.written()
    assert outcome.document.meta == meta and outcome.document.problems == [problem]
    assert outcome.document.narrative == {} and outcome.document.facts == [] and outcome.document.tables == []
    assert (outcome.status, outcome.reason) == ("loaded", "loaded: 0 tables, 0 facts")

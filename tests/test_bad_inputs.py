"""Hostile and broken input at the inbox's boundary: names that are not UTF-8, files that cannot be read,
links that lead out of the inbox or nowhere, named pipes, one file under two names, non-PDFs (whose bytes
must never reach the warehouse), encrypted PDFs and PDFs with nothing on their pages. Every bad input is
made by the test itself in tmp_path."""

from __future__ import annotations

import io
import os
from pathlib import Path

import duckdb
import pytest
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen import canvas

from extract import ExtractionError, extract_document
from flows import plan as plan_module
from flows.extraction import process_file, refused_outcome
from flows.gate_and_load import load_outcomes
from flows.inbox import LINK_DANGLING, LINK_LOOP, LINK_OUTSIDE, readable_path, survey
from flows.limits import DocumentLimits
from flows.plan import plan_run

SECRET = "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
GBK_NAME = os.fsdecode("财政局预算".encode("gbk") + b".pdf")  # as Python lists a GBK name from an unzipped archive
UNDECODABLE_NAME = os.fsdecode(b"report\xff\xfe.pdf")  # neither UTF-8 nor GBK


FAILED_SQL = "select file_name, status_reason from raw.documents where status = 'failed'"


def pdf_bytes(*, text: str | None = "hello", pages: int = 1, user_password: str | None = None) -> bytes:
    buffer = io.BytesIO()
    encrypt = StandardEncryption(user_password, "owner") if user_password is not None else None
    page = canvas.Canvas(buffer, encrypt=encrypt)
    for _ in range(pages):
        if text:
            page.drawString(100, 700, text)
        page.showPage()
    page.save()
    return buffer.getvalue()


def extraction_error(data: bytes) -> ExtractionError:
    with pytest.raises(ExtractionError) as raised:
        extract_document(data, "x.pdf")
    return raised.value


# -- what a file is: described by what it looks like, never by what it says ---------------------------------


@pytest.mark.parametrize(
    ("data", "looks_like", "file_kind"),
    [
        (SECRET.encode() + b"\n", "plain text", "not a PDF"),
        (f"<html><body>{SECRET}</body></html>".encode(), "a web page (HTML)", "web page"),
        (b"\x89PNG\r\n\x1a\n" + SECRET.encode(), "an image (PNG)", "not a PDF"),
        (b"\xff\xd8\xff\xe0" + SECRET.encode(), "an image (JPEG)", "not a PDF"),
        (b"GIF89a" + SECRET.encode(), "an image (GIF)", "not a PDF"),
        (b"PK\x03\x04" + SECRET.encode(), "a ZIP archive or an Office file", "not a PDF"),
        (b"", "an empty file", "not a PDF"),
        (bytes(range(256)) + SECRET.encode(), "binary data of an unknown kind", "not a PDF"),
    ],
)
def test_a_non_pdf_is_described_never_quoted(data: bytes, looks_like: str, file_kind: str) -> None:
    error = extraction_error(data)
    assert error.reason.startswith(f"not a PDF file: {looks_like}")
    assert error.file_kind == file_kind
    assert "AWS" not in error.reason and "EXAMPLE" not in error.reason


def test_a_damaged_pdf_does_not_echo_its_tokens() -> None:
    error = extraction_error(b"%PDF-1.4\n" + SECRET.encode() + b"\ntrailer << /Root (" + SECRET.encode() + b") >>")
    assert error.reason.startswith("unreadable PDF: ")
    assert "AWS" not in error.reason


def test_an_encrypted_pdf_says_a_password_is_needed() -> None:
    error = extraction_error(pdf_bytes(user_password="secret"))
    assert error.reason == "encrypted PDF (a password is needed to open it)"


def test_pages_with_neither_text_nor_images_are_not_called_scanned() -> None:
    document = extract_document(pdf_bytes(text=None, pages=2), "blank.pdf")
    assert document.file_kind != "scanned"
    assert not [p for p in document.problems if p.check_name == "needs_ocr"]
    (no_tables,) = [p.message for p in document.problems if p.check_name == "no_tables_found"]
    assert no_tables.startswith("no text and no images on any page")


# -- names that are not UTF-8 --------------------------------------------------------------------------------


def test_a_gbk_name_is_shown_in_its_gbk_reading() -> None:
    assert readable_path(f"/inbox/{GBK_NAME}") == "/inbox/财政局预算.pdf"


def test_a_name_of_no_known_encoding_keeps_its_bytes_as_escapes() -> None:
    shown = readable_path(f"/inbox/{UNDECODABLE_NAME}")
    assert shown == "/inbox/report\\xff\\xfe.pdf"
    shown.encode("utf-8")  # storable and printable


def test_a_utf8_name_is_left_as_it_is() -> None:
    assert readable_path("/收件箱/预算 'a' $(x).pdf") == "/收件箱/预算 'a' $(x).pdf"


@pytest.mark.parametrize("name", [GBK_NAME, UNDECODABLE_NAME])
def test_a_file_named_in_no_utf8_loads_under_a_readable_name(tmp_path: Path, name: str) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / name).write_bytes(b"not a pdf at all\n")
    (file,) = plan_run([inbox], tmp_path / "w.duckdb").todo
    outcome = process_file(str(file), DocumentLimits(timeout=None, memory_limit_mib=None))
    load_outcomes(tmp_path / "w.duckdb", [outcome])  # crashed here: "Unable to cast Python instance of type str"
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        row = con.execute("select file_name, file_path, status, status_reason from raw.documents").fetchone()
    assert row == (
        readable_path(name),
        readable_path(file),
        "failed",
        "not a PDF file: plain text",
    )


# -- files that cannot be read -------------------------------------------------------------------------------


def test_a_file_that_cannot_be_read_is_failed_and_the_others_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.pdf").write_bytes(pdf_bytes(text="a"))
    (inbox / "locked.pdf").write_bytes(pdf_bytes(text="b"))
    (inbox / "z.pdf").write_bytes(pdf_bytes(text="c"))
    fingerprint = plan_module.fingerprint

    def forbidden(path: Path) -> str:  # tests run as root: chmod 000 would not stop them
        if path.name == "locked.pdf":
            raise PermissionError(13, "Permission denied", str(path))
        return fingerprint(path)

    monkeypatch.setattr(plan_module, "fingerprint", forbidden)
    warehouse = tmp_path / "w.duckdb"
    plan = plan_run([inbox], warehouse)
    assert [p.name for p in plan.todo] == ["a.pdf", "z.pdf"]
    (refusal,) = plan.refused
    assert (refusal.path.name, refusal.reason) == ("locked.pdf", "cannot be read: permission denied")
    assert not plan.up_to_date
    load_outcomes(warehouse, [refused_outcome(refusal)])
    again = plan_run([inbox], warehouse)
    assert again.refused == [refusal], "a file that could not be read is tried again by the next run"


def test_a_file_that_vanishes_before_it_is_read_is_failed(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    gone = inbox / "gone.pdf"
    gone.write_bytes(pdf_bytes())
    (file,) = plan_run([inbox], tmp_path / "w.duckdb").todo
    gone.unlink()
    outcome = process_file(str(file), DocumentLimits(timeout=None, memory_limit_mib=None))
    assert outcome.status == "failed"
    assert outcome.reason == "cannot be read: it vanished (deleted or moved after it was found)"


# -- links, loops, pipes and second names -------------------------------------------------------------------


@pytest.fixture
def linked_inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    outside = tmp_path / "secrets.pdf"
    outside.write_bytes(SECRET.encode())
    (inbox / "good.pdf").write_bytes(pdf_bytes(text="good"))
    (inbox / "copy.pdf").write_bytes((inbox / "good.pdf").read_bytes())
    (inbox / "out.pdf").symlink_to(outside)
    (inbox / "loop.pdf").symlink_to(inbox / "loop.pdf")
    (inbox / "dangling.pdf").symlink_to(tmp_path / "nowhere.pdf")
    (inbox / "sub" / "again.pdf").symlink_to(inbox / "good.pdf")
    os.link(inbox / "good.pdf", inbox / "hard.pdf")
    os.mkfifo(inbox / "pipe.pdf")
    return inbox


def test_links_pipes_and_second_names_are_refused_or_noted(linked_inbox: Path) -> None:
    found = survey([linked_inbox])  # a FIFO opened for reading would hang here
    assert [p.name for p in found.files] == ["copy.pdf", "good.pdf"]
    refused = {r.path.name: r.reason for r in found.refused}
    assert refused == {
        "out.pdf": LINK_OUTSIDE,
        "loop.pdf": LINK_LOOP,
        "dangling.pdf": LINK_DANGLING,
        "pipe.pdf": "a named pipe (FIFO), not a file: not read",
    }
    assert sorted(note.split(" is another name of ")[0].rsplit("/", 1)[1] for note in found.notes) == [
        "again.pdf",
        "hard.pdf",
    ]


def test_the_same_bytes_under_two_names_are_read_once_and_noted(linked_inbox: Path, tmp_path: Path) -> None:
    plan = plan_run([linked_inbox], tmp_path / "w.duckdb")
    assert [p.name for p in plan.todo] == ["copy.pdf"]
    assert any(note.endswith("copy.pdf: read once") and "good.pdf has the same bytes" in note for note in plan.notes)


def test_refused_files_are_recorded_failed_once_without_their_bytes(linked_inbox: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    plan = plan_run([linked_inbox], warehouse)
    load_outcomes(warehouse, [refused_outcome(r) for r in plan.refused])
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = dict(con.execute(FAILED_SQL).fetchall())
    assert rows["out.pdf"] == LINK_OUTSIDE
    assert len(rows) == 4
    assert not plan_run([linked_inbox], warehouse).refused, "a refused link is recorded once, not every run"

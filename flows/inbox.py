"""The inbox is a boundary: what `caijue ingest` reads under the folders it is given, what it refuses
and why, and how a file's name is shown.

Only regular files named *.pdf are read, each once however many names it has. A link that leads outside
the folder it was found in, a link loop, a link to nothing, a named pipe and a file that cannot be read are
refused, each with one line saying why; they become failed documents, so a person sees them where every
other file is reported, and nothing is opened that could hang the run or leak a file from elsewhere.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

LINK_OUTSIDE = "a link leading outside the inbox: not read"
LINK_LOOP = "a link that leads to itself (a link loop): not read"
LINK_DANGLING = "a link to nothing (its target does not exist): not read"
CANNOT_BE_READ = "cannot be read"  # every reason of a file that could not be read starts with these words
# What a file that is not a regular file is, by its stat mode.
_NOT_A_FILE: tuple[tuple[int, str], ...] = (
    (stat.S_IFIFO, "a named pipe (FIFO), not a file: not read"),
    (stat.S_IFSOCK, "a socket, not a file: not read"),
    (stat.S_IFCHR, "a device, not a file: not read"),
    (stat.S_IFBLK, "a device, not a file: not read"),
)
# Why a file could not be read, by errno; any other error is named by its strerror.
_CANNOT_READ: dict[int, str] = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOENT: "it vanished (deleted or moved after it was found)",
    errno.ENOTDIR: "it vanished (deleted or moved after it was found)",
}


@dataclass(frozen=True, slots=True)
class Refusal:
    """A file caijue does not read, and why (one line a person understands)."""

    path: Path  # as found in the inbox, not resolved: resolving it is what went wrong
    reason: str

    @property
    def document_id(self) -> str:
        """The id its failed document is recorded under. There are no bytes to hash: the SHA-256 of the
        reason and the path, so a file refused for the same reason is one document, run after run."""
        return hashlib.sha256(b"refused\0" + self.reason.encode() + b"\0" + os.fsencode(self.path)).hexdigest()

    @property
    def retry(self) -> bool:
        """A file that could not be read is tried again by every run; a refused link is as it stays."""
        return self.reason.startswith(CANNOT_BE_READ)


@dataclass(slots=True)
class Inbox:
    files: list[Path] = field(default_factory=list)  # regular *.pdf files, resolved, each once
    refused: list[Refusal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # a file found again under another name


def survey(paths: Iterable[Path]) -> Inbox:
    """Every *.pdf under the given folders (recursive, in a stable order) and every file given itself.
    Raises FileNotFoundError for a given path that does not exist."""
    inbox = Inbox()
    seen: dict[tuple[int, int], Path] = {}  # (device, inode) → the first name it was found under
    for path in paths:
        if path.is_dir():
            root = path.resolve()
            # The PDFs sorted, not every entry: an inbox's other files (a generated corpus's expected/ folders: 8
            # entries a document) made the sort most of a 1,600-document run's discover (1.2 s).
            found = [entry for entry in path.rglob("*") if entry.suffix.lower() == ".pdf"]
            for entry in sorted(found, key=lambda entry: entry.parts):
                if not _is_plain_dir(entry):
                    _admit(inbox, seen, entry, root)
        elif path.is_symlink() or path.exists():
            _admit(inbox, seen, path, None)
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
    return inbox


def cannot_read(error: OSError) -> str:
    """Why a file could not be read, in one line."""
    why = _CANNOT_READ.get(error.errno or 0) or (error.strerror or type(error).__name__).lower()
    return f"{CANNOT_BE_READ}: {why}"


def readable_path(path: str | Path) -> str:
    """A path as a person reads it and a database stores it. A name that is not UTF-8 (GBK bytes from an
    unzipped archive, kept by Python as surrogate escapes) is shown in its GBK reading when it has one, else
    with its odd bytes as backslash escapes: every part visible, none lost."""
    text = str(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return "/".join(_readable_part(part) for part in os.fsencode(text).split(b"/"))


def _readable_part(raw: bytes) -> str:
    for encoding in ("utf-8", "gbk"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="backslashreplace")


def _is_plain_dir(entry: Path) -> bool:
    return entry.is_dir() and not entry.is_symlink()


def _admit(inbox: Inbox, seen: dict[tuple[int, int], Path], entry: Path, root: Path | None) -> None:
    """Add one inbox entry to the files to read, or to the refused; `root`: the folder it was found under
    (None: a file named on the command line, read wherever it is)."""
    target = _target(entry, root)
    if isinstance(target, str):
        inbox.refused.append(Refusal(entry.absolute(), target))
        return
    try:
        status = target.stat()
    except OSError as error:
        inbox.refused.append(Refusal(entry.absolute(), cannot_read(error)))
        return
    kind = stat.S_IFMT(status.st_mode)
    if kind == stat.S_IFDIR:  # a folder named *.pdf, or a link to one: its files are not the inbox's
        return
    if kind != stat.S_IFREG:
        reason = next((words for mode, words in _NOT_A_FILE if mode == kind), "not a regular file: not read")
        inbox.refused.append(Refusal(entry.absolute(), reason))
        return
    key, name = (status.st_dev, status.st_ino), entry.absolute()
    if key in seen:  # a hard link, or a link inside the inbox: the same file again
        if seen[key] != name:
            inbox.notes.append(f"{readable_path(name)} is another name of {readable_path(seen[key])}: read once")
        return
    seen[key] = name
    inbox.files.append(target)


def _target(entry: Path, root: Path | None) -> Path | str:
    """Where the entry leads, or why it is refused."""
    try:
        target = entry.resolve(strict=True)
    except RuntimeError:  # Python 3.11 reports a link loop so
        return LINK_LOOP
    except FileNotFoundError as error:
        return LINK_DANGLING if entry.is_symlink() else cannot_read(error)
    except OSError as error:
        return LINK_LOOP if error.errno == errno.ELOOP else cannot_read(error)
    if root is not None and not target.is_relative_to(root):
        return LINK_OUTSIDE
    return target

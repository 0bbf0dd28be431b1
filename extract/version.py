"""Which extractor read a document: the release plus a fingerprint of extract/'s own code and specs, so
any change to what the extractor is — a reader, a layout, a vocabulary word — re-extracts the documents
it read, without anyone having to remember to bump a number."""

from __future__ import annotations

import hashlib
from pathlib import Path

RELEASE = "0.1.0"
SOURCE_SUFFIXES = frozenset({".py", ".yaml", ".csv"})
PACKAGE = Path(__file__).resolve().parent


def source_fingerprint(root: Path) -> str:
    """12 hex digits of SHA-256 over the package's code and spec files (relative path and bytes, in
    path order): the same on every machine for the same checkout."""
    digest = hashlib.sha256()
    for path in sorted(
        p for p in root.rglob("*") if p.is_file() and p.suffix in SOURCE_SUFFIXES and "__pycache__" not in p.parts
    ):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def extractor_version(root: Path = PACKAGE) -> str:
    return f"{RELEASE}+{source_fingerprint(root)}"

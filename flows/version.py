"""What read a document: the extractor and the gate. The gate decides what loads (a table withheld, a document
quarantined), so a change to either — a reader, a vocabulary word, an attribution rule — reads the documents
again at the next run."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from extract import EXTRACTOR_VERSION
from extract.version import source_fingerprint


def _package(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin is not None, name
    return Path(spec.origin).parent


READING_VERSION = f"{EXTRACTOR_VERSION}.gate-{source_fingerprint(_package('expectations'))}"

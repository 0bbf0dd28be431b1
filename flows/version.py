"""What read a document: the extractor and the gate. The gate decides what loads (a table withheld, a document
quarantined), so a change to either — a reader, a vocabulary word, an attribution rule, the Great Expectations
release its checks run on — reads the documents again at the next run. Every document read again is remade by the
next build, so its mart rows are checked again too (expectations/marts.py `MartSpec.per_document`)."""

from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path

from extract import EXTRACTOR_VERSION
from extract.version import source_fingerprint


def _package(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin is not None, name
    return Path(spec.origin).parent


_GX = f"gx-{importlib.metadata.version('great-expectations')}"
READING_VERSION = f"{EXTRACTOR_VERSION}.{_GX}.gate-{source_fingerprint(_package('expectations'))}"

"""The data the tests read from beside the checkout: ../shared (the hand-checked real documents, the wild
corpora), or the folder CAIJUE_SHARED names. Never copied into the project. A test that reads a folder of it
skips, never passes, when the folder is absent: mark it `@needs(REAL)`, or skip on what it found in it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

FOLDER_NAME = "shared"  # beside the checkout
SHARED = Path(os.environ.get("CAIJUE_SHARED") or Path(__file__).resolve().parents[2] / FOLDER_NAME)
REAL = SHARED / "corpus" / "real"  # one folder per document: its PDF and expected/ (hand-checked facts)
WILD = SHARED / "corpus" / "wild"  # documents of other provinces, an impostor, a scan
WILD_MORE = SHARED / "corpus" / "wild-more"  # real files of other regions, files.tsv


def absent(folder: Path) -> str:
    """The reason a test of `folder` is skipped."""
    return f"{folder} is not here (../shared beside the checkout, or CAIJUE_SHARED)"


def needs(folder: Path) -> pytest.MarkDecorator:
    """Skip the test when `folder` of the shared data is absent."""
    return pytest.mark.skipif(not folder.is_dir(), reason=absent(folder))

"""GX Data Docs for a run: every document's validations (facts, identities, document checks) stored in
a file context under one folder and rendered as HTML. Gates run in worker processes with ephemeral
contexts; the run's main process re-validates the extracted documents here, once, when asked."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from expectations.gate import Gate
from extract.model import ExtractedDocument


def render_data_docs(documents: Iterable[ExtractedDocument], folder: Path) -> Path | None:
    """Validate each document into `folder`'s GX store and render the site; returns its index.html."""
    documents = list(documents)
    if not documents:
        return None
    gate = Gate(data_docs_dir=folder)
    for document in documents:
        gate.check(document)
    return gate.build_data_docs()

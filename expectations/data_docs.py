"""GX Data Docs of a run: the results of the run's own Checkpoint (expectations.gate), rendered by its action.

A gate built on a folder keeps a file context there (DIR/gx): its Checkpoint stores each run's suite results
and renders the site (DIR/gx/uncommitted/data_docs/local_site/index.html) as the run's last step. Nothing is
validated twice: the pages are the verdicts the run loaded by.
"""

from __future__ import annotations

from pathlib import Path

from expectations.gate import Gate


def data_docs_gate(folder: Path) -> Gate:
    """A gate whose Checkpoint runs keep their results in `folder` and render them as Data Docs there."""
    return Gate(data_docs_dir=folder)

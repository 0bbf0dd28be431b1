"""GX Data Docs for a run, from the run's own validations: each document's suite results (facts, identity
checks, document checks) as its gate returned them (GateResult.validations, in whatever worker process it
ran) are kept in a file context's validation results store under one folder and rendered as HTML. The gate
does not run again: the folder's context only holds the suites and the stored results."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from expectations.gate import Gate

if TYPE_CHECKING:
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult


def render_data_docs(validations: Iterable[ExpectationSuiteValidationResult], folder: Path) -> Path | None:
    """Store the suite results in `folder`'s GX store and render the site; returns its index.html (None when
    there is nothing to show)."""
    validations = list(validations)
    if not validations:
        return None
    gate = Gate(data_docs_dir=folder)
    gate.store_validations(validations)
    return gate.build_data_docs()

"""A GX Checkpoint over named frames: one ValidationDefinition per suite, each validating its own frame.

A Checkpoint hands one set of batch parameters to all its ValidationDefinitions, so in-memory dataframe assets
would all get the same frame. Each suite's data is therefore a pickle file asset in a folder of the
checkpoint's: a run makes the folder, writes a file per suite there, runs the Checkpoint once (every suite, then
its actions: the Data Docs when they are asked for) and removes the folder. A file holds a reference to the run's
frame in this process (`live_frame`), not the frame's rows: GX's pandas.read_pickle gets the frame itself, Decimal
amounts and nullable integers as they are, without a trip through the disk (pickling a run's frames and reading
them back was half the CPU of a 128-document Checkpoint run; pandas' copy-on-write keeps the caller's frame as it was).
Not thread-safe by itself: the Gate runs one Checkpoint at a time.

What a run's results hold depends on who reads them. With Data Docs the Checkpoint's result_format is COMPLETE:
the Docs show every failed expectation's rows, from the run's own results. Without, it is BOOLEAN_ONLY (half the
CPU: most expectations hold, and GX then builds no metric for rows it would not list), and only the expectations
that failed are validated again, with COMPLETE, on the same batch: their outcomes replace the bare ones in the
suite's result, so a caller reads the same rows either way.

GX fingerprints every pandas batch under 1 GB (an md5 of `pd.util.hash_pandas_object` over all its rows) for a
marker in the result's batch markers; nothing reads it, and a frame handed over by reference identifies nothing
a reader could fetch. `skip_batch_fingerprints` turns it off for the process: it was a fifth of a Checkpoint
run's CPU (64 documents), and it hashed every public mart again at each run's mart checks.
"""

from __future__ import annotations

import datetime
import os
import pickle
import shutil
import tempfile
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from great_expectations.checkpoint.checkpoint import Checkpoint, CheckpointResult
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult
    from great_expectations.data_context import AbstractDataContext
    from great_expectations.datasource.fluent import PandasDatasource

# Failed expectations list their rows (unexpected_index_list), no sample values.
COMPLETE = {"result_format": "COMPLETE", "partial_unexpected_count": 0}
# Whether each expectation held, nothing more: half the CPU of COMPLETE (GX builds fewer metrics per expectation).
BOOLEAN_ONLY = {"result_format": "BOOLEAN_ONLY"}

# The frames of the Checkpoint runs under way in this process, by the file that refers to each.
_LIVE_FRAMES: dict[str, pd.DataFrame] = {}


def skip_batch_fingerprints() -> None:
    """No `pandas_data_fingerprint` among this process's GX batch markers (see the module's docstring): GX hashes
    a batch whose memory use is under its threshold, so a threshold of 0 hashes none. What is validated, and
    every outcome, stay the same."""
    from great_expectations.execution_engine import pandas_execution_engine

    pandas_execution_engine.HASH_THRESHOLD = 0


def live_frame(path: str) -> pd.DataFrame:
    """The frame a Checkpoint run of this process handed GX through the file `path` (what unpickling the
    file's `FrameReference` returns)."""
    return _LIVE_FRAMES[path]


class FrameReference:
    """Pickled, the name of a frame of this process: unpickled, the frame itself (`live_frame`)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return live_frame, (self.path,)


class FrameCheckpoint:
    """The Checkpoint `name` of `suites` (suite name → suite; each suite's frame has the same name), with the
    Data Docs updated by each run when `data_docs` is set."""

    def __init__(
        self,
        context: AbstractDataContext,
        datasource: PandasDatasource,
        name: str,
        suites: Sequence[ExpectationSuite],
        *,
        data_docs: bool = False,
    ) -> None:
        import great_expectations as gx
        from great_expectations.checkpoint import UpdateDataDocsAction

        self._context, self._stores_results = context, data_docs
        self._pid = os.getpid()  # the frames' folder is this process's (see run)
        # Named now, made by each run and removed at its end: a process killed between runs (an idle reading child,
        # serve's warm process stopped with serve) leaves nothing in the temporary folder.
        self._folder = Path(tempfile.gettempdir()) / f"caijue-{name}-{self._pid}-{uuid.uuid4().hex[:12]}"
        definitions = []
        for suite in suites:
            asset = datasource.add_pickle_asset(suite.name, filepath_or_buffer=self._path(suite.name))
            batch_definition = asset.add_batch_definition_whole_dataframe("whole run")
            definition = gx.ValidationDefinition(name=f"{name}: {suite.name}", data=batch_definition, suite=suite)
            definitions.append(context.validation_definitions.add_or_update(definition))
        actions = [UpdateDataDocsAction(name="data docs")] if data_docs else []
        self.result_format = COMPLETE if data_docs else BOOLEAN_ONLY
        checkpoint = gx.Checkpoint(
            name=name, validation_definitions=definitions, actions=actions, result_format=self.result_format
        )
        self._checkpoint: Checkpoint = context.checkpoints.add_or_update(checkpoint)
        self._definitions = {s.name: d for s, d in zip(suites, definitions, strict=True)}
        self.suite_names = tuple(s.name for s in suites)

    def run(self, frames: Mapping[str, pd.DataFrame], run_name: str) -> dict[str, ExpectationSuiteValidationResult]:
        """Validate each suite's frame (every suite must have one) in one Checkpoint run named `run_name`;
        the suites' results by suite name."""
        from great_expectations.core.run_identifier import RunIdentifier

        if os.getpid() != self._pid:
            raise RuntimeError("a Checkpoint built in another process (before a fork): build one in this process")
        missing = set(self.suite_names) - set(frames)
        if missing:
            raise ValueError(f"no frame for the suites {sorted(missing)}")
        try:
            self._folder.mkdir(mode=0o700, exist_ok=True)
            for name in self.suite_names:
                path = self._path(name)
                _LIVE_FRAMES[str(path)] = frames[name]
                path.write_bytes(pickle.dumps(FrameReference(str(path))))
            run_id = RunIdentifier(run_name=run_name, run_time=datetime.datetime.now(datetime.UTC))
            result = self._checkpoint.run(run_id=run_id)
            by_suite = {r.suite_name: r for r in result.run_results.values()}
            if self.result_format is not COMPLETE:
                for suite_result in by_suite.values():
                    self._with_failed_rows(suite_result)
        finally:
            for name in self.suite_names:
                _LIVE_FRAMES.pop(str(self._path(name)), None)
            shutil.rmtree(self._folder, ignore_errors=True)
        if not self._stores_results:
            self._forget(result)
        return by_suite

    def _with_failed_rows(self, suite_result: ExpectationSuiteValidationResult) -> None:
        """The suite's failed expectations validated again with COMPLETE on the run's batch (its file is still
        there): their outcomes, rows and all, replace the bare ones."""
        failed = [i for i, outcome in enumerate(suite_result.results) if not outcome.success]
        if not failed:
            return
        batch = self._definitions[suite_result.suite_name].batch_definition.get_batch()
        for index in failed:
            expectation = suite_result.results[index].expectation_config.to_domain_obj()
            suite_result.results[index] = batch.validate(expectation, result_format=COMPLETE)

    def _path(self, suite_name: str) -> Path:
        return self._folder / f"{suite_name}.pkl"

    def _forget(self, result: CheckpointResult) -> None:
        """An ephemeral context keeps every result in memory: a long-lived process (caijue serve, a test
        session) would grow with each run. The caller has them."""
        store: Any = self._context.validation_results_store
        for key in result.run_results:
            store.remove_key(key)

"""The quality gate: a document's facts and arithmetic checked before it is loaded — assessed in Python where
it is read (expectations.assessment), validated by GX in one Checkpoint per run (expectations.gate) — and the
public marts checked after dbt build. Importing this package is cheap; great_expectations is imported when
the first `Gate` is built."""

from expectations.assessment import GateFrames, gate_frames, identity_checks
from expectations.frames import facts_frame
from expectations.gate import Gate, GateResult, RunVerdicts, default_gate, judge, validate_marts

__all__ = [
    "Gate",
    "GateFrames",
    "GateResult",
    "RunVerdicts",
    "default_gate",
    "facts_frame",
    "gate_frames",
    "identity_checks",
    "judge",
    "validate_marts",
]

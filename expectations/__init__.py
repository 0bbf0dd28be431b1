"""The quality gate: a document's facts and arithmetic checked before it is loaded, and the public
marts checked after dbt build. Importing this package is cheap; great_expectations is imported when
the first `Gate` is built."""

from expectations.assessment import identity_checks
from expectations.frames import facts_frame
from expectations.gate import Gate, GateResult, default_gate, validate_marts

__all__ = ["Gate", "GateResult", "default_gate", "facts_frame", "identity_checks", "validate_marts"]

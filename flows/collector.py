"""The garbage collector's share of a long-lived process.

A full collection walks every object the collector tracks. A run's process holds some 400,000 of its own before any
document comes (Prefect, Great Expectations, pandas, the gate), and Python collects in full each time the objects
that outlived younger collections have grown by a quarter: in a 400-document first run, 11 full collections took
5.0 s of the run process's 31 s of CPU (0.45 s each), time the reading children wanted on the same cores; a reading
child's after each document, 175 ms, as long as reading a small one. So what lives for the process is collected
once, when it is all there, and frozen out of every later collection (gc.freeze): those walk only what came since.
Nothing frozen is kept past its last reference (that frees it, as always); only a reference cycle among frozen
objects outlives it, so the garbage is collected first.
"""

from __future__ import annotations

import gc


def freeze_survivors() -> None:
    """Collect the garbage, then leave everything still alive out of later collections."""
    gc.collect()
    gc.freeze()

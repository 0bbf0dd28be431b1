"""caijue's folder in the user's cache ($XDG_CACHE_HOME, else ~/.cache): what a machine keeps between runs and between
warehouses, never in the source tree and never needed (each thing kept is made again when it is missing): dbt's
parse (warehouse/dbt.py), the project's empty warehouse (warehouse/dbt.py), the Prefect server's migrated database
(flows/server.py)."""

from __future__ import annotations

import os
from pathlib import Path


def caijue_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "caijue"

"""Group plans: many business units' packs run in parallel on dask, then one consolidated plan.

``run_many`` packs the units (``planlib pack a.yaml b.yaml ...``); ``write_group_pack``
consolidates whole unit packs; ``consolidate`` holds the numbers, free of I/O.
"""

from planlib.group.consolidate import consolidate, couple_paths, error_correlation, summarize_unit
from planlib.group.pack import write_group_pack
from planlib.group.runner import ManyResult, UnitResult, check_units, consolidate_units, find_params, run_many

__all__ = [
    "ManyResult", "UnitResult", "check_units", "consolidate", "consolidate_units", "couple_paths", "error_correlation", "find_params",
    "run_many", "summarize_unit", "write_group_pack",
]

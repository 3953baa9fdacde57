"""The error every allocation routine raises when its inputs admit no split."""

from __future__ import annotations

from planlib.errors import PlanlibError


class AllocationError(PlanlibError):
    """No split satisfies the inputs (inconsistent margins, negative totals, ...).

    ``parameter`` names the offending argument when there is one.
    """

    def __init__(self, message: str, *, parameter: str | None = None):
        self.parameter = parameter
        super().__init__(message)

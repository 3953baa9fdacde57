"""Data intake, kept importable as ``planlib.data``; the code lives in ``planlib.intake``."""

from planlib.intake import *  # noqa: F401,F403
from planlib.intake import __all__  # noqa: F401

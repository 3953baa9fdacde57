"""planlib: a sales department's yearly planning cycle, done with statistics.

The stages (data intake, review, forecast, targets, actions, tracking) are plain
functions on tidy pandas frames; the notebooks in ``notebooks/`` only call them.
"""

__version__ = "0.1.0"

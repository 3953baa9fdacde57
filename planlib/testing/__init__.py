"""Test tooling shipped with planlib: the nbval plugin that compares printed figures within tolerance."""

"""Framework-free customer analytics for Thrive (numpy/scipy, no Django).

The public API is re-exported here; see each module for formulas and citations.
"""

__all__: list[str] = []

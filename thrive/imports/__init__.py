"""Bringing data in: CSV and Excel imports with column mapping, dry runs, undo."""

"""Thrive: a self-hosted growth platform for small businesses."""

__version__ = "0.1.0"

"""Razem: offline-first attendance and progress for integration activities."""

__version__ = "0.1.0"

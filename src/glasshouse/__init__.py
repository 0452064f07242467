"""Glasshouse: a security quality gate for the delivery pipeline."""

__version__ = "0.1.0"

"""Reporting: plots and files built from result tables (never from a live model)."""

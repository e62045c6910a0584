"""Calibration of womsim to an observed series (``womsim-calibrate``; docs/calibration.md)."""

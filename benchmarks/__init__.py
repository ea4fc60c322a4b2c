"""Benchmarks: plain scripts run with `python -m benchmarks.<name>`, never collected by pytest."""

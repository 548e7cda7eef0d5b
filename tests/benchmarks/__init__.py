"""Benchmarks: run on demand (`python -m tests.benchmarks.<name>`), never part of CI's
pass/fail; they print figures for the issue notes and docs/performance.md."""

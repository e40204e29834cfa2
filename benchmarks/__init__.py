"""Mulin's performance suite: ``make bench`` (``python -m benchmarks``).

Figures are measured at street scale (ten Dongting-sized communities) next to references
measured in the same run — a bare Textual app, plain ``sqlite3`` — and checked against the
targets of issue 8. See RESULTS.md for the latest run.
"""

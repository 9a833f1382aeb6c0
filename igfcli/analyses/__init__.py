"""Analyses: a selection of the evidence -> typed result rows (rank, halted, benchmark, listings)."""

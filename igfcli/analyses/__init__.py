"""Analyses: a selection of the evidence -> typed result rows (ranking, halted programs, benchmark, listings)."""

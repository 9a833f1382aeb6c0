"""igfcli: evidence summaries for clinical trials of IGF-1R inhibitors."""

__version__ = "0.1.0"

"""Run the command line as `python -m igfcli`."""

from igfcli.cli import main

main()

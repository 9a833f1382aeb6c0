"""Run the command line as `python -m igfcli`."""

from igfcli.commands import main

main()

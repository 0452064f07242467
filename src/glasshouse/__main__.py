"""``python -m glasshouse`` runs the command line."""

from glasshouse.cli.main import main

main()

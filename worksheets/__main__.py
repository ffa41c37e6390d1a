"""``python -m worksheets`` runs the command line."""

from .cli import cli

cli(prog_name="worksheets")

"""Command-line interface ``rpiq`` (argparse; dcmtk/pynetdicom-style flags)."""

from rpiq.cli.main import main

__all__ = ["main"]

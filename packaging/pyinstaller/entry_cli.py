"""Frozen entry point of the console ``rpiq`` executable (the CLI)."""

from rpiq.cli import main

raise SystemExit(main())

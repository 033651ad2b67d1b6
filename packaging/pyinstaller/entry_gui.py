"""Frozen entry point of the windowed ``rpiq-gui`` executable."""

from rpiq.gui.app import main

raise SystemExit(main())

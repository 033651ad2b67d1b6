"""What counts as a leftover in an archive's temp folder, for the tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rpiq.core.archive.temppool import PREFIX

if TYPE_CHECKING:
    from pathlib import Path


def unfinished(folder: Path) -> list[Path]:
    """Files in ``folder`` other than the empty ones a temp pool made ahead.

    A live archive keeps a few empty ``pool.*.tmp`` files ready
    (rpiq.core.archive.temppool); anything else, or a pool file with bytes in
    it, would be a half-written instance.
    """
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file()
        and not (path.name.startswith(PREFIX) and not path.stat().st_size)
    )

"""A pydicom-style dump of an identifier, with the lines of every content item.

Each element is one line (``str(DataElement)``), sequence items are indented
under an ``Item n`` line, and every Content Sequence (0040,A730) item is
recorded with its line range, keyed by the same node path the content tree
uses (``(2, 1)`` = second item of the root's Content Sequence, its first
child). Qt-free, so it is cheap to test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydicom.dataelem import DataElement
    from pydicom.dataset import Dataset

    from rpiq.core.sr.model import Path

__all__ = ["RawDump", "dump_with_paths"]

_CONTENT_SEQUENCE = "ContentSequence"
_INDENT = "  "


@dataclass
class RawDump:
    """The dump's lines and, per node path, its first and last line (0-based)."""

    lines: list[str] = field(default_factory=list)
    spans: dict[Path, tuple[int, int]] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """All lines joined."""
        return "\n".join(self.lines)


def _element_line(elem: DataElement) -> str:
    try:
        return str(elem)
    except Exception as exc:  # noqa: BLE001 — a malformed value must still show
        return f"{elem.tag} {elem.keyword or 'Unknown'}  <cannot display: {exc}>"


def _walk(dump: RawDump, ds: Dataset, path: Path | None, depth: int) -> None:
    indent = _INDENT * depth
    for elem in ds:
        if elem.VR != "SQ":
            dump.lines.append(indent + _element_line(elem))
            continue
        items = list(elem.value or [])
        dump.lines.append(f"{indent}{elem.tag} {elem.name}  SQ: {len(items)} item(s)")
        is_content = elem.keyword == _CONTENT_SEQUENCE and path is not None
        for number, item in enumerate(items, 1):
            start = len(dump.lines)
            dump.lines.append(f"{indent}{_INDENT}Item {number}")
            child = (*path, number) if is_content and path is not None else None
            _walk(dump, item, child, depth + 2)
            if child is not None:
                dump.spans[child] = (start, len(dump.lines) - 1)


def dump_with_paths(ds: Dataset) -> RawDump:
    """Dump ``ds`` (the identifier; its top level is the root item ``()``)."""
    dump = RawDump()
    try:
        _walk(dump, ds, (), 0)
    except Exception as exc:  # noqa: BLE001 — show what was read, then why not more
        dump.lines.append(f"<dump stopped: {exc}>")
    dump.spans[()] = (0, max(len(dump.lines) - 1, 0))
    return dump

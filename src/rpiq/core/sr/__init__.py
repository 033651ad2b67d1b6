"""Structured-report content tree: model, parsing, encoding, rendering.

The SR Document Content Module (PS3.3 C.17.3) as frozen dataclasses
(:mod:`~rpiq.core.sr.model`), parsed from an RPI response identifier by a
Value Type dispatch table (:mod:`~rpiq.core.sr.parse`), encoded back
(:mod:`~rpiq.core.sr.encode`) and rendered as text or JSON
(:mod:`~rpiq.core.sr.render`). Synthetic trees live in
:mod:`~rpiq.core.sr.samples` (not re-exported here).

The names below load on first use (PEP 562): importing one light submodule,
such as :mod:`~rpiq.core.sr.charset` for request validation, must not load
the model, which loads pydicom's SR code dictionary (~100 ms in all).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rpiq.core.sr.encode import encode_item, encode_root
    from rpiq.core.sr.model import (
        BY_REFERENCE,
        UNREADABLE,
        CodedConcept,
        ContentNode,
        NodeValue,
        Path,
        Reference,
        RelationshipType,
        SpatialCoordinates,
        TableValue,
        TemporalCoordinates,
        ValueType,
        format_path,
        parse_path,
    )
    from rpiq.core.sr.parse import parse_content, parse_item
    from rpiq.core.sr.render import node_text, node_to_json, render_lines, render_text

__all__ = [
    "BY_REFERENCE",
    "UNREADABLE",
    "CodedConcept",
    "ContentNode",
    "NodeValue",
    "Path",
    "Reference",
    "RelationshipType",
    "SpatialCoordinates",
    "TableValue",
    "TemporalCoordinates",
    "ValueType",
    "encode_item",
    "encode_root",
    "format_path",
    "node_text",
    "node_to_json",
    "parse_content",
    "parse_item",
    "parse_path",
    "render_lines",
    "render_text",
]

# The submodule of every re-exported name, loaded on first use.
_LAZY: dict[str, str] = {
    **dict.fromkeys(("encode_item", "encode_root"), "encode"),
    **dict.fromkeys(
        (
            "BY_REFERENCE",
            "UNREADABLE",
            "CodedConcept",
            "ContentNode",
            "NodeValue",
            "Path",
            "Reference",
            "RelationshipType",
            "SpatialCoordinates",
            "TableValue",
            "TemporalCoordinates",
            "ValueType",
            "format_path",
            "parse_path",
        ),
        "model",
    ),
    **dict.fromkeys(("parse_content", "parse_item"), "parse"),
    **dict.fromkeys(
        ("node_text", "node_to_json", "render_lines", "render_text"), "render"
    ),
}


def __getattr__(name: str) -> Any:
    """Load a re-exported name's submodule on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    """The module's names, the lazily loaded ones included."""
    return sorted(set(globals()) | set(__all__))

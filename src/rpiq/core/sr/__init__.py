"""Structured-report content tree: model, parsing, encoding, rendering.

The SR Document Content Module (PS3.3 C.17.3) as frozen dataclasses
(:mod:`~rpiq.core.sr.model`), parsed from an RPI response identifier by a
Value Type dispatch table (:mod:`~rpiq.core.sr.parse`), encoded back
(:mod:`~rpiq.core.sr.encode`) and rendered as text or JSON
(:mod:`~rpiq.core.sr.render`). Synthetic trees live in
:mod:`~rpiq.core.sr.samples` (not re-exported here).
"""

from __future__ import annotations

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

"""Render a :class:`ContentNode` tree as indented text or JSON-ready dicts.

One line per content item (PS3.3 C.17.3): relationship, Value Type, concept
name meaning, ``=`` value. The CLI prints :func:`render_text`; the GUI shows
:func:`node_text` / :func:`value_text` per tree row; ``--json`` output uses
:func:`node_to_json`.

JSON schema (:func:`node_to_json`)
----------------------------------
``NODE = {"relationship": str|null, "value_type": str, "concept": CONCEPT|null,
"value": VALUE, "units": CONCEPT|null, "children": [NODE]}``, plus
``"qualifier": CONCEPT`` and ``"problem": str`` only when not null, where
``CONCEPT = {"value": str, "scheme": str, "meaning": str}`` and VALUE is

* TEXT, DATE, TIME, DATETIME, PNAME, UIDREF: the DICOM string
  (DA ``YYYYMMDD``, TM ``HHMMSS.FFFFFF``, DT ``YYYYMMDDHHMMSS.FFFFFF&ZZXX``);
* CODE: a CONCEPT; NUM: a number (int or float) or null when empty;
* COMPOSITE, IMAGE, WAVEFORM: ``{"sop_class_uid": str, "sop_instance_uid":
  str, "frames": [int], "segments": [int], "channels": [int]}``;
* SCOORD, SCOORD3D: ``{"graphic_type": str, "points": [number],
  "frame_of_reference_uid": str|null, "pixel_origin": str|null}``;
* TCOORD: ``{"range_type": str, "sample_positions": [int],
  "time_offsets": [number], "datetimes": [str]}``;
* TABLE: ``{"rows": int|null, "columns": int|null}`` or null;
* BY-REFERENCE: the referenced content item identifier, e.g. ``"1.2.3"``;
* CONTAINER, UNREADABLE: null.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pydicom.uid import UID

from rpiq.core.sr.model import (
    UNREADABLE,
    CodedConcept,
    ContentNode,
    Path,
    Reference,
    SpatialCoordinates,
    TableValue,
    TemporalCoordinates,
    ValueType,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "concept_to_json",
    "node_text",
    "node_to_json",
    "render_lines",
    "render_text",
    "value_text",
    "value_to_json",
]

_MAX_POINTS_SHOWN = 6
_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_TIME = re.compile(r"(\d{2})(\d{2})?(\d{2})?(\.\d+)?")
_DATETIME = re.compile(r"(\d{8})(\d{2,6}(?:\.\d+)?)?([+-]\d{4})?")


# ------------------------------------------------------------ text


def _format_number(number: float) -> str:
    """A number without a spurious ``.0`` and without float noise."""
    if isinstance(number, int):
        return str(number)
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return f"{number:.10g}"


def _format_date(text: str) -> str:
    """DA ``20240301`` as ``2024-03-01`` (other forms unchanged)."""
    match = _DATE.fullmatch(text.strip())
    return "-".join(match.groups()) if match else text


def _format_time(text: str) -> str:
    """TM ``093000.5`` as ``09:30:00.5`` (other forms unchanged)."""
    match = _TIME.fullmatch(text.strip())
    if not match:
        return text
    hours, minutes, seconds, fraction = match.groups()
    parts = [part for part in (hours, minutes, seconds) if part]
    return ":".join(parts) + (fraction or "")


def _format_datetime(text: str) -> str:
    """DT ``20240315093000+0100`` as ``2024-03-15 09:30:00 +0100``."""
    match = _DATETIME.fullmatch(text.strip())
    if not match:
        return text
    date, time, offset = match.groups()
    pieces = [_format_date(date)]
    if time:
        pieces.append(_format_time(time))
    if offset:
        pieces.append(offset)
    return " ".join(pieces)


def _one_line(text: str) -> str:
    """Quote free text on one line: each line break becomes a backslash-n."""
    flat = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return f'"{flat}"'


def _reference_text(ref: Reference) -> str:
    """SOP class name (or UID) and instance UID, plus frames/segments/channels."""
    text = f"{UID(ref.sop_class_uid).name} {ref.sop_instance_uid}"
    for label, numbers in (
        ("frames", ref.frames),
        ("segments", ref.segments),
        ("channels", ref.channels),
    ):
        if numbers:
            text += f" {label} " + ",".join(str(n) for n in numbers)
    return text


def _spatial_text(coords: SpatialCoordinates) -> str:
    """Graphic type and points as tuples (pairs, or triplets for SCOORD3D)."""
    size = 3 if coords.frame_of_reference_uid is not None else 2
    points = [coords.points[i : i + size] for i in range(0, len(coords.points), size)]
    shown = " ".join(
        "(" + ", ".join(_format_number(v) for v in p) + ")"
        for p in points[:_MAX_POINTS_SHOWN]
    )
    if len(points) > _MAX_POINTS_SHOWN:
        shown += f" … {len(points) - _MAX_POINTS_SHOWN} more"
    text = f"{coords.graphic_type} {shown}"
    if coords.frame_of_reference_uid is not None:
        text += f" in frame of reference {coords.frame_of_reference_uid}"
    if coords.pixel_origin is not None:
        text += f" ({coords.pixel_origin})"
    return text


def _temporal_text(coords: TemporalCoordinates) -> str:
    """Range type and whichever reference form is used."""
    parts = [coords.range_type]
    if coords.sample_positions:
        parts.append("samples " + ", ".join(map(str, coords.sample_positions)))
    if coords.time_offsets:
        offsets = ", ".join(_format_number(v) for v in coords.time_offsets)
        parts.append(f"offsets {offsets} s")
    if coords.datetimes:
        parts.append(", ".join(_format_datetime(v) for v in coords.datetimes))
    return " ".join(parts)


def _num_text(node: ContentNode) -> str:
    """Number and units, or ``no value``; the qualifier in parentheses."""
    value = node.value
    if isinstance(value, int | float):
        text = _format_number(value)
        if node.units is not None:
            text += f" {node.units.meaning}"
    else:
        text = "no value"
    if node.qualifier is not None:
        text += f" ({node.qualifier.meaning})"
    return text


def _string_text(value_type: str, text: str) -> str:
    """TEXT quoted on one line; dates and times in ISO-like form."""
    if value_type == ValueType.TEXT:
        return _one_line(text)
    if value_type == ValueType.DATE:
        return _format_date(text)
    if value_type == ValueType.TIME:
        return _format_time(text)
    if value_type == ValueType.DATETIME:
        return _format_datetime(text)
    return text


def value_text(node: ContentNode) -> str:
    """Human-readable value of one item (``""`` for containers/unreadables)."""
    value = node.value
    if node.value_type == ValueType.NUM:
        return _num_text(node)
    if isinstance(value, str):
        return _string_text(node.value_type, value)
    if isinstance(value, CodedConcept):
        return value.meaning
    if isinstance(value, Reference):
        return _reference_text(value)
    if isinstance(value, SpatialCoordinates):
        return _spatial_text(value)
    if isinstance(value, TemporalCoordinates):
        return _temporal_text(value)
    if isinstance(value, TableValue):
        rows = "?" if value.rows is None else value.rows
        columns = "?" if value.columns is None else value.columns
        return f"table {rows} × {columns}"
    return ""


def _template_text(template: tuple[str, str]) -> str:
    """``TID 9007`` for DICOM templates, ``<resource> <id>`` otherwise."""
    resource, identifier = template
    return f"TID {identifier}" if resource == "DCMR" else f"{resource} {identifier}"


def node_text(node: ContentNode) -> str:
    """One line describing ``node`` (no indentation, no children).

    ``[relationship] value-type [concept meaning] [= value] [(TID n)]
    [(observed ...)] [[unreadable: problem]]``, e.g.
    ``CONTAINS NUM Para = 2 no units``.
    """
    words = [node.relationship, node.value_type]
    if node.concept is not None:
        words.append(node.concept.meaning or node.concept.triple())
    text = " ".join(word for word in words if word)
    value = value_text(node)
    if value:
        text += f" = {value}"
    if node.template is not None:
        text += f" ({_template_text(node.template)})"
    if node.observation_datetime is not None:
        text += f" (observed {_format_datetime(node.observation_datetime)})"
    if node.problem is not None:
        label = "unreadable" if node.value_type == UNREADABLE else "problem"
        text += f" [{label}: {node.problem}]"
    return text


def render_lines(node: ContentNode) -> Iterator[tuple[int, Path, str]]:
    """Yield ``(depth, path, text)`` for every item, pre-order (root depth 0)."""
    for path, item in node.walk():
        yield len(path), path, node_text(item)


def render_text(node: ContentNode, *, indent: str = "  ") -> str:
    """The tree as indented text, one line per item, no trailing newline."""
    return "\n".join(indent * depth + text for depth, _path, text in render_lines(node))


# ------------------------------------------------------------ JSON


def concept_to_json(concept: CodedConcept | None) -> dict[str, str] | None:
    """``{"value", "scheme", "meaning"}`` or None."""
    if concept is None:
        return None
    return {
        "value": concept.value,
        "scheme": concept.scheme,
        "meaning": concept.meaning,
    }


def _reference_json(ref: Reference) -> dict[str, Any]:
    return {
        "sop_class_uid": ref.sop_class_uid,
        "sop_instance_uid": ref.sop_instance_uid,
        "frames": list(ref.frames),
        "segments": list(ref.segments),
        "channels": list(ref.channels),
    }


def _spatial_json(coords: SpatialCoordinates) -> dict[str, Any]:
    return {
        "graphic_type": coords.graphic_type,
        "points": list(coords.points),
        "frame_of_reference_uid": coords.frame_of_reference_uid,
        "pixel_origin": coords.pixel_origin,
    }


def _temporal_json(coords: TemporalCoordinates) -> dict[str, Any]:
    return {
        "range_type": coords.range_type,
        "sample_positions": list(coords.sample_positions),
        "time_offsets": list(coords.time_offsets),
        "datetimes": list(coords.datetimes),
    }


def value_to_json(value: object) -> Any:
    """JSON-ready form of a ``ContentNode.value`` (see the module schema)."""
    if isinstance(value, CodedConcept):
        return concept_to_json(value)
    if isinstance(value, Reference):
        return _reference_json(value)
    if isinstance(value, SpatialCoordinates):
        return _spatial_json(value)
    if isinstance(value, TemporalCoordinates):
        return _temporal_json(value)
    if isinstance(value, TableValue):
        return {"rows": value.rows, "columns": value.columns}
    if value is None or isinstance(value, str | int | float):
        return value
    raise TypeError(f"unexpected content value {type(value).__name__}")


def node_to_json(node: ContentNode) -> dict[str, Any]:
    """The subtree as nested dicts/lists that ``json.dumps`` accepts.

    See the module docstring for the exact schema.
    """
    result: dict[str, Any] = {
        "relationship": node.relationship,
        "value_type": node.value_type,
        "concept": concept_to_json(node.concept),
        "value": value_to_json(node.value),
        "units": concept_to_json(node.units),
        "children": [node_to_json(child) for child in node.children],
    }
    if node.qualifier is not None:
        result["qualifier"] = concept_to_json(node.qualifier)
    if node.problem is not None:
        result["problem"] = node.problem
    return result

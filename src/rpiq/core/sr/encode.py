"""Encode a :class:`ContentNode` tree as DICOM content items (inverse of parse).

:func:`encode_root` writes the top level of an RPI response identifier (the
root content item, PS3.4 Q.4.3.1.2.1); :func:`encode_item` writes one Content
Sequence item (PS3.3 C.17.3, Table C.17-6). For every tree the parser can
produce, ``parse_content(encode_root(tree)) == tree``, with these limits of the
DICOM encodings themselves:

* NUM: integers are written as their decimal string; floats as a DS of at most
  16 characters (PS3.5 6.2), plus Floating Point Value (FD) when the DS
  loses precision, which the parser then prefers (PS3.3 C.18.1). Units of a
  NUM without a value are not written (there is no Measured Value item).
* SCOORD/SCOORD3D: Graphic Data is FL (float32), so coordinates round trip
  when they have at most about 7 significant digits.
* TCOORD: Referenced Time Offsets are DS (16 characters).
* UNREADABLE nodes cannot be encoded (``ValueError``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final, TypeVar

from pydicom.dataset import Dataset
from pydicom.valuerep import DSfloat

from rpiq.core.sr.model import (
    BY_REFERENCE,
    CodedConcept,
    ContentNode,
    Reference,
    SpatialCoordinates,
    TableValue,
    TemporalCoordinates,
    ValueType,
)
from rpiq.core.sr.parse import STRING_VALUE_KEYWORDS

__all__ = ["VALUE_ENCODERS", "ValueEncoder", "encode_item", "encode_root"]

#: Writes the value attributes of one Value Type into a content item Dataset.
ValueEncoder = Callable[[Dataset, ContentNode], None]

_DS_MAX = 16
_T = TypeVar("_T")


def _expect(node: ContentNode, kind: type[_T]) -> _T:
    """``node.value`` checked to be a ``kind``."""
    value = node.value
    if not isinstance(value, kind):
        raise TypeError(
            f"{node.value_type} value must be {kind.__name__}, "
            f"not {type(value).__name__}"
        )
    return value


def _encode_container(ds: Dataset, node: ContentNode) -> None:
    """CONTAINER: Continuity Of Content when set (PS3.3 C.18.8)."""
    if node.continuity is not None:
        ds.ContinuityOfContent = node.continuity


def _string_encoder(keyword: str) -> ValueEncoder:
    """Encoder for the single-string Value Types (PS3.3 C.17.3.2.3)."""

    def encode(ds: Dataset, node: ContentNode) -> None:
        setattr(ds, keyword, _expect(node, str))

    return encode


def _encode_code(ds: Dataset, node: ContentNode) -> None:
    """CODE: Concept Code Sequence with one item (PS3.3 C.17.3.2.3)."""
    ds.ConceptCodeSequence = [_expect(node, CodedConcept).to_item()]


def _write_number(measured: Dataset, value: int | float) -> None:
    """Numeric Value (DS), plus Floating Point Value when DS is not exact."""
    if not math.isfinite(value):
        raise ValueError(f"NUM value {value!r} cannot be encoded")
    if isinstance(value, int) and len(str(value)) <= _DS_MAX:
        measured.NumericValue = str(value)
        return
    decimal = DSfloat(float(value), auto_format=True)
    measured.NumericValue = decimal
    if float(str(decimal)) != value:
        measured.FloatingPointValue = float(value)


def _encode_num(ds: Dataset, node: ContentNode) -> None:
    """NUM: Measured Value Sequence and qualifier (PS3.3 C.18.1)."""
    if node.qualifier is not None:
        ds.NumericValueQualifierCodeSequence = [node.qualifier.to_item()]
    if node.value is None:
        ds.MeasuredValueSequence = []
        return
    value = node.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"NUM value must be int or float, not {type(value).__name__}")
    if node.units is None:
        raise ValueError("a NUM with a value needs units (PS3.3 C.18.1)")
    measured = Dataset()
    _write_number(measured, value)
    measured.MeasurementUnitsCodeSequence = [node.units.to_item()]
    ds.MeasuredValueSequence = [measured]


def _encode_reference(ds: Dataset, node: ContentNode) -> None:
    """COMPOSITE/IMAGE/WAVEFORM: Referenced SOP Sequence (PS3.3 C.18.3-C.18.5)."""
    value = _expect(node, Reference)
    ref = Dataset()
    ref.ReferencedSOPClassUID = value.sop_class_uid
    ref.ReferencedSOPInstanceUID = value.sop_instance_uid
    if value.frames:
        ref.ReferencedFrameNumber = list(value.frames)
    if value.segments:
        ref.ReferencedSegmentNumber = list(value.segments)
    if value.channels:
        ref.ReferencedWaveformChannels = list(value.channels)
    ds.ReferencedSOPSequence = [ref]


def _encode_spatial(ds: Dataset, node: ContentNode) -> None:
    """SCOORD/SCOORD3D: graphic attributes (PS3.3 C.18.6, C.18.9)."""
    value = _expect(node, SpatialCoordinates)
    ds.GraphicType = value.graphic_type
    ds.GraphicData = list(value.points)
    if value.pixel_origin is not None:
        ds.PixelOriginInterpretation = value.pixel_origin
    if value.frame_of_reference_uid is not None:
        ds.ReferencedFrameOfReferenceUID = value.frame_of_reference_uid


def _encode_temporal(ds: Dataset, node: ContentNode) -> None:
    """TCOORD: range type and referenced positions (PS3.3 C.18.7)."""
    value = _expect(node, TemporalCoordinates)
    ds.TemporalRangeType = value.range_type
    if value.sample_positions:
        ds.ReferencedSamplePositions = list(value.sample_positions)
    if value.time_offsets:
        ds.ReferencedTimeOffsets = [
            DSfloat(offset, auto_format=True) for offset in value.time_offsets
        ]
    if value.datetimes:
        ds.ReferencedDateTime = list(value.datetimes)


def _encode_table(ds: Dataset, node: ContentNode) -> None:
    """TABLE: table size in Tabulated Values Sequence (PS3.3 C.18.10)."""
    if node.value is None:
        return
    value = _expect(node, TableValue)
    tabulated = Dataset()
    if value.rows is not None:
        tabulated.NumberOfTableRows = value.rows
    if value.columns is not None:
        tabulated.NumberOfTableColumns = value.columns
    ds.TabulatedValuesSequence = [tabulated]


#: Value Type → value encoder (inverse of ``parse.VALUE_PARSERS``).
VALUE_ENCODERS: Final[Mapping[ValueType, ValueEncoder]] = MappingProxyType(
    {
        ValueType.CONTAINER: _encode_container,
        **{vt: _string_encoder(kw) for vt, kw in STRING_VALUE_KEYWORDS.items()},
        ValueType.CODE: _encode_code,
        ValueType.NUM: _encode_num,
        ValueType.COMPOSITE: _encode_reference,
        ValueType.IMAGE: _encode_reference,
        ValueType.WAVEFORM: _encode_reference,
        ValueType.SCOORD: _encode_spatial,
        ValueType.SCOORD3D: _encode_spatial,
        ValueType.TCOORD: _encode_temporal,
        ValueType.TABLE: _encode_table,
    }
)


def _encode_by_reference(ds: Dataset, node: ContentNode) -> None:
    """Referenced Content Item Identifier from a dotted value (PS3.3 C.17.3.2.5)."""
    text = _expect(node, str)
    ds.ReferencedContentItemIdentifier = [int(part) for part in text.split(".")]


def _value_type(node: ContentNode) -> ValueType:
    """The node's Value Type, rejecting UNREADABLE and unknown values."""
    try:
        return ValueType(node.value_type)
    except ValueError:
        reason = node.problem or "not a DICOM Value Type"
        raise ValueError(f"cannot encode a {node.value_type} item: {reason}") from None


def _encode_into(ds: Dataset, node: ContentNode) -> None:
    """Write the Document Content and Relationship macros of ``node`` into ``ds``."""
    if node.value_type == BY_REFERENCE:
        _encode_by_reference(ds, node)
    else:
        value_type = _value_type(node)
        ds.ValueType = value_type.value
        if node.concept is not None:
            ds.ConceptNameCodeSequence = [node.concept.to_item()]
        if node.template is not None:
            template = Dataset()
            template.MappingResource, template.TemplateIdentifier = node.template
            ds.ContentTemplateSequence = [template]
        if node.observation_datetime is not None:
            ds.ObservationDateTime = node.observation_datetime
        VALUE_ENCODERS[value_type](ds, node)
    if node.children:
        ds.ContentSequence = [encode_item(child) for child in node.children]


def encode_root(node: ContentNode) -> Dataset:
    """Encode the root content item as an RPI identifier top level.

    Parameters
    ----------
    node : ContentNode
        Root of the tree; its ``relationship`` is ignored.

    Returns
    -------
    Dataset
        Value Type, Concept Name Code Sequence, Continuity Of Content (if set),
        Observation DateTime (if set), Content Template Sequence (if set) and
        Content Sequence (PS3.4 Q.4.3.1.2.1). Patient attributes are the
        caller's business.

    Raises
    ------
    ValueError, TypeError
        If a node is UNREADABLE or its value does not fit its Value Type.
    """
    ds = Dataset()
    _encode_into(ds, node)
    return ds


def encode_item(node: ContentNode) -> Dataset:
    """Encode one Content Sequence item with its Relationship Type (C.17.3.2.4).

    Raises
    ------
    ValueError, TypeError
        As :func:`encode_root`.
    """
    ds = Dataset()
    if node.relationship is not None:
        ds.RelationshipType = node.relationship
    _encode_into(ds, node)
    return ds

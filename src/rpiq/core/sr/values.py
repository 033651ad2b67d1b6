"""Value parsers: one function per PS3.3 Value Type, in a dispatch table (C.18)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from rpiq.core.sr.access import (
    Item,
    _as_float,
    _as_text,
    _code,
    _get,
    _ints,
    _label,
    _number,
    _optional_item,
    _optional_text,
    _Problem,
    _required_item,
    _required_text,
    _sequence,
    _shortest_float32,
    _values,
)
from rpiq.core.sr.model import (
    CodedConcept,
    NodeValue,
    Reference,
    SpatialCoordinates,
    TableValue,
    TemporalCoordinates,
    ValueType,
)

#: Value Types whose value is one string attribute (PS3.3 C.18.2, C.18.8).
STRING_VALUE_KEYWORDS: Final[Mapping[ValueType, str]] = MappingProxyType(
    {
        ValueType.TEXT: "TextValue",
        ValueType.DATE: "Date",
        ValueType.TIME: "Time",
        ValueType.DATETIME: "DateTime",
        ValueType.PNAME: "PersonName",
        ValueType.UIDREF: "UID",
    }
)


@dataclass(frozen=True, slots=True)
class Payload:
    """What a value parser reads from one content item (PS3.3 C.18).

    Parameters
    ----------
    value : NodeValue
        The item's value (see :class:`~rpiq.core.sr.model.ContentNode`).
    units, qualifier : CodedConcept or None
        NUM only: Measurement Units and Numeric Value Qualifier codes.
    continuity : str or None
        CONTAINER only: Continuity Of Content.
    """

    value: NodeValue = None
    units: CodedConcept | None = None
    qualifier: CodedConcept | None = None
    continuity: str | None = None


#: Reads the value attributes of one Value Type; raises on bad input.


#: Reads the value attributes of one Value Type; raises on bad input.
ValueParser = Callable[[Item], Payload]

# ------------------------------------------------------------ value parsers


def _parse_container(item: Item) -> Payload:
    """CONTAINER: Continuity Of Content (PS3.3 C.18.8 Container Macro)."""
    return Payload(continuity=_optional_text(item, "ContinuityOfContent"))


def _string_parser(keyword: str) -> ValueParser:
    """Parser for the single-string Value Types (PS3.3 C.17.3.2.3, C.18.2)."""

    def parse(item: Item) -> Payload:
        return Payload(value=_required_text(item, keyword))

    parse.__doc__ = f"Value is {_label(keyword)}."
    return parse


def _parse_code(item: Item) -> Payload:
    """CODE: Concept Code Sequence, exactly one item (PS3.3 C.17.3.2.3)."""
    return Payload(value=_code(item, "ConceptCodeSequence", required=True))


def _measured_value(measured: Item) -> int | float:
    """The number of a Measured Value Sequence item (PS3.3 C.18.1, Table C.18-1).

    Floating Point Value is preferred when present (it carries the precision
    DS cannot), then the rational form, then Numeric Value.
    """
    floating = _values(_get(measured, "FloatingPointValue"))
    if floating:
        return _as_float(floating[0], "FloatingPointValue")
    numerators = _ints(measured, "RationalNumeratorValue")
    if numerators:
        denominators = _ints(measured, "RationalDenominatorValue")
        if not denominators or denominators[0] == 0:
            raise _Problem(f"{_label('RationalDenominatorValue')} missing or zero")
        return numerators[0] / denominators[0]
    numeric = _values(_get(measured, "NumericValue"))
    if len(numeric) != 1:
        raise _Problem(
            f"{_label('NumericValue')} has {len(numeric)} values; one expected"
        )
    value = numeric[0]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number(str(value), "NumericValue")
    if isinstance(value, str):
        return _number(value, "NumericValue")
    raise _Problem(f"{_label('NumericValue')} is not a decimal string")


def _parse_num(item: Item) -> Payload:
    """NUM: Measured Value Sequence, units and qualifier (PS3.3 C.18.1).

    The Measured Value Sequence is Type 2: it must be present, and an empty
    one gives ``value=None``.
    """
    qualifier = _code(item, "NumericValueQualifierCodeSequence", required=False)
    if _sequence(item, "MeasuredValueSequence") is None:
        raise _Problem(f"{_label('MeasuredValueSequence')} is missing")
    measured = _optional_item(item, "MeasuredValueSequence")
    if measured is None:
        return Payload(qualifier=qualifier)
    units = _code(measured, "MeasurementUnitsCodeSequence", required=True)
    return Payload(value=_measured_value(measured), units=units, qualifier=qualifier)


def _parse_reference(item: Item) -> Payload:
    """COMPOSITE, IMAGE, WAVEFORM: Referenced SOP Sequence (PS3.3 C.18.3-C.18.5)."""
    ref = _required_item(item, "ReferencedSOPSequence")
    return Payload(
        value=Reference(
            sop_class_uid=_required_text(ref, "ReferencedSOPClassUID"),
            sop_instance_uid=_required_text(ref, "ReferencedSOPInstanceUID"),
            frames=_ints(ref, "ReferencedFrameNumber"),
            segments=_ints(ref, "ReferencedSegmentNumber"),
            channels=_ints(ref, "ReferencedWaveformChannels"),
        )
    )


def _points(item: Item) -> tuple[float, ...]:
    """Graphic Data (0070,0022), FL values rounded back to their shortest form."""
    values = _values(_get(item, "GraphicData"))
    if not values:
        raise _Problem(f"{_label('GraphicData')} is missing or empty")
    return tuple(_shortest_float32(_as_float(v, "GraphicData")) for v in values)


def _parse_scoord(item: Item) -> Payload:
    """SCOORD: Graphic Type, Graphic Data, Pixel Origin (PS3.3 C.18.6)."""
    return Payload(
        value=SpatialCoordinates(
            graphic_type=_required_text(item, "GraphicType"),
            points=_points(item),
            pixel_origin=_optional_text(item, "PixelOriginInterpretation"),
        )
    )


def _parse_scoord3d(item: Item) -> Payload:
    """SCOORD3D: as SCOORD plus Referenced Frame of Reference UID (PS3.3 C.18.9)."""
    return Payload(
        value=SpatialCoordinates(
            graphic_type=_required_text(item, "GraphicType"),
            points=_points(item),
            frame_of_reference_uid=_required_text(
                item, "ReferencedFrameOfReferenceUID"
            ),
            pixel_origin=_optional_text(item, "PixelOriginInterpretation"),
        )
    )


def _parse_tcoord(item: Item) -> Payload:
    """TCOORD: range type and one of three reference forms (PS3.3 C.18.7)."""
    offsets = _values(_get(item, "ReferencedTimeOffsets"))
    datetimes = _values(_get(item, "ReferencedDateTime"))
    value = TemporalCoordinates(
        range_type=_required_text(item, "TemporalRangeType"),
        sample_positions=_ints(item, "ReferencedSamplePositions"),
        time_offsets=tuple(_as_float(v, "ReferencedTimeOffsets") for v in offsets),
        datetimes=tuple(_as_text(v, "ReferencedDateTime") for v in datetimes),
    )
    if not (value.sample_positions or value.time_offsets or value.datetimes):
        raise _Problem(
            f"none of {_label('ReferencedSamplePositions')}, "
            f"{_label('ReferencedTimeOffsets')} or {_label('ReferencedDateTime')}"
        )
    return Payload(value=value)


def _parse_table(item: Item) -> Payload:
    """TABLE, best effort: table size only (PS3.3 C.18.10, newer editions).

    The size is read from the Tabulated Values Sequence (0040,A801) item, or
    from the content item itself; with neither, the value is None.
    """
    tabulated = _optional_item(item, "TabulatedValuesSequence")
    source = tabulated if tabulated is not None else item
    rows = _ints(source, "NumberOfTableRows")
    columns = _ints(source, "NumberOfTableColumns")
    if tabulated is None and not rows and not columns:
        return Payload()
    return Payload(
        value=TableValue(rows[0] if rows else None, columns[0] if columns else None)
    )


#: Value Type → value parser (PS3.3 C.17.3.2.1 and C.18).
VALUE_PARSERS: Final[Mapping[ValueType, ValueParser]] = MappingProxyType(
    {
        ValueType.CONTAINER: _parse_container,
        **{vt: _string_parser(kw) for vt, kw in STRING_VALUE_KEYWORDS.items()},
        ValueType.CODE: _parse_code,
        ValueType.NUM: _parse_num,
        ValueType.COMPOSITE: _parse_reference,
        ValueType.IMAGE: _parse_reference,
        ValueType.WAVEFORM: _parse_reference,
        ValueType.SCOORD: _parse_scoord,
        ValueType.SCOORD3D: _parse_scoord3d,
        ValueType.TCOORD: _parse_tcoord,
        ValueType.TABLE: _parse_table,
    }
)

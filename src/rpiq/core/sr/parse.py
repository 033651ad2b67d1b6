"""Parse an RPI response identifier into a :class:`ContentNode` tree.

The top level of a Relevant Patient Information C-FIND response identifier IS
the root content item (PS3.4 Q.4.3.1.2.1): Value Type, Concept Name Code
Sequence, Observation DateTime, Content Template Sequence, Content Sequence.
Each Content Sequence item is a content item of the SR Document Content Module
(PS3.3 C.17.3, Tables C.17-5 / C.17-6) whose value attributes are read by a
Value Type dispatch table (:data:`VALUE_PARSERS`, PS3.3 C.18).

Robustness contract
-------------------
:func:`parse_content` and :func:`parse_item` never raise. An item becomes a
visible :data:`~rpiq.core.sr.model.UNREADABLE` node, with ``problem`` naming
what failed, when

* it is not a Dataset, or its Value Type is missing or unknown;
* the attributes that state the item are missing, multi-valued, of the wrong
  VR or cannot be decoded: the Concept Name where PS3.3 C.17.3.2.2 requires
  it (TEXT, NUM, CODE, DATE, TIME, DATETIME, PNAME, UIDREF, TABLE and the
  root), the value attributes of C.18, the Content Template Sequence item;
* anything else raises while reading it (pydicom decodes raw elements lazily).

Attributes that do not change what an item states (Relationship Type,
Continuity Of Content, Observation DateTime) are taken as found, None when
absent; judging them is the conformance checker's job. The relationship and
concept of an unreadable item are still filled in when they can be read, and
its children are always parsed. Content nested more than :data:`MAX_DEPTH`
levels below the root is replaced by one unreadable node.

By-reference items (Referenced Content Item Identifier, PS3.3 C.17.3.2.5) are
not allowed in RPI (PS3.4 Q.2.1.1.3.3); they become
:data:`~rpiq.core.sr.model.BY_REFERENCE` nodes whose value is the identifier
(``"1.2.3"``) and whose ``problem`` says so.
"""

from __future__ import annotations

import functools
import math
import re
import struct
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, TypeVar

from pydicom.charset import convert_encodings
from pydicom.datadict import dictionary_description, dictionary_VR, tag_for_keyword
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence as DicomSequence
from pydicom.tag import Tag
from pydicom.valuerep import PersonName

from rpiq.core.sr.model import (
    BY_REFERENCE,
    UNREADABLE,
    CodedConcept,
    ContentNode,
    NodeValue,
    Reference,
    SpatialCoordinates,
    TableValue,
    TemporalCoordinates,
    ValueType,
)
from rpiq.core.sr.rawread import RawItem, RawSequence, read_sequence

__all__ = [
    "CONCEPT_REQUIRED",
    "MAX_DEPTH",
    "STRING_VALUE_KEYWORDS",
    "VALUE_PARSERS",
    "Payload",
    "ValueParser",
    "parse_content",
    "parse_item",
]

#: Deepest nesting level (root = 0) whose items are parsed.
MAX_DEPTH: Final = 64

#: Value Types whose Concept Name Code Sequence is required (PS3.3 C.17.3.2.2).
CONCEPT_REQUIRED: Final = frozenset(
    {
        ValueType.TEXT,
        ValueType.NUM,
        ValueType.CODE,
        ValueType.DATETIME,
        ValueType.DATE,
        ValueType.TIME,
        ValueType.UIDREF,
        ValueType.PNAME,
        ValueType.TABLE,
    }
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

_PROBLEM_MAX = 240
_DS_PATTERN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_INT_PATTERN = re.compile(r"[+-]?\d+")
_T = TypeVar("_T")
_VALUE_TYPES = frozenset(vt.value for vt in ValueType)


class _Problem(Exception):
    """An attribute is missing or malformed; the message is shown to the user."""


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
Item = Dataset | RawItem
"""A content item: a pydicom Dataset or a fast-read :class:`RawItem`."""

ValueParser = Callable[[Item], Payload]


# ------------------------------------------------------------ attribute access


@functools.cache
def _label(keyword: str) -> str:
    """``"Concept Code Sequence (0040,A168)"`` for a data dictionary keyword."""
    number = tag_for_keyword(keyword)
    if number is None:
        return keyword
    tag = Tag(number)
    return f"{dictionary_description(tag)} {tag}"


def _describe(exc: BaseException) -> str:
    """Short one-line description of an exception for ``problem`` texts."""
    text = str(exc) if isinstance(exc, _Problem) else f"{type(exc).__name__}: {exc}"
    text = " ".join(text.split())
    if len(text) > _PROBLEM_MAX:
        text = text[: _PROBLEM_MAX - 1] + "…"
    return text


# Text VRs whose raw bytes can be read directly when they are plain ASCII
# (PS3.5 6.2): every DICOM character set encodes ASCII bytes identically unless
# an ISO 2022 escape (ESC) switches sets. Decoding through pydicom costs ~0.1 ms
# per element, which dominated the parse of a 1000-item answer.
_FAST_TEXT_VRS: Final = frozenset(
    {"AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "PN", "SH", "TM", "UI"}
)
_FAST_SINGLE_VRS: Final = frozenset({"LT", "ST", "UT"})
_CONTENT_SEQUENCE: Final = 0x0040A730


@functools.lru_cache(maxsize=256)
def _tag_and_vr(keyword: str) -> tuple[int, str] | None:
    tag = tag_for_keyword(keyword)
    return None if tag is None else (tag, dictionary_VR(tag))


def _fast_text(raw: RawDataElement, vr: str) -> object:
    """Decode an ASCII text element as pydicom would (trailing padding removed)."""
    text = raw.value.decode("ascii") if raw.value is not None else ""
    if vr in _FAST_SINGLE_VRS:
        return text.rstrip(" \x00")
    values = [
        v.strip(" \x00") if vr != "UI" else v.rstrip(" \x00") for v in text.split("\\")
    ]
    return values[0] if len(values) == 1 else values


def _fast_get(item: Dataset, keyword: str) -> tuple[bool, object]:
    """(True, value) when the fast path applies, else (False, None)."""
    spec = _tag_and_vr(keyword)
    if spec is None:
        return False, None
    tag, dict_vr = spec
    raw: object = item.get_item(tag)  # None when absent, despite the overloads
    if raw is None:
        return True, None
    if not isinstance(raw, RawDataElement) or not raw.value:
        return False, None
    vr = raw.VR or dict_vr
    if vr not in _FAST_TEXT_VRS and vr not in _FAST_SINGLE_VRS:
        return False, None
    if not raw.value.isascii() or b"\x1b" in raw.value:
        return False, None
    return True, _fast_text(raw, vr)


def _get(item: Item, keyword: str) -> object:
    """Value of ``keyword`` in ``item`` (None if absent), decoding it now."""
    try:
        if isinstance(item, RawItem):
            return item.get(keyword)
        done, value = _fast_get(item, keyword)
        if done:
            return value
        return item.get(keyword)
    except Exception as exc:  # pydicom decodes lazily: anything may fail here
        raise _Problem(
            f"{_label(keyword)} cannot be decoded: {_describe(exc)}"
        ) from exc


def _as_text(raw: object, keyword: str) -> str:
    """One value of a string VR as ``str`` (PN, DA/DT/TM objects included)."""
    if isinstance(raw, str | PersonName):
        return str(raw)  # plain str, also for UID and other str subclasses
    original = getattr(raw, "original_string", None)
    if isinstance(original, str):
        return original
    if isinstance(raw, Sequence) and not isinstance(raw, bytes | bytearray):
        raise _Problem(f"{_label(keyword)} has {len(raw)} values; one expected")
    raise _Problem(f"{_label(keyword)} is not text ({type(raw).__name__})")


def _optional_text(item: Item, keyword: str) -> str | None:
    """Single-valued text attribute, None when absent or empty."""
    raw = _get(item, keyword)
    if raw is None:
        return None
    text = _as_text(raw, keyword)
    return text if text.strip() else None


def _required_text(item: Item, keyword: str) -> str:
    """Single-valued text attribute that must be present with a value."""
    text = _optional_text(item, keyword)
    if text is None:
        raise _Problem(f"{_label(keyword)} is missing or empty")
    return text


def _values(raw: object) -> tuple[object, ...]:
    """The values of a possibly multi-valued attribute as a tuple."""
    if raw is None:
        return ()
    if isinstance(raw, str | bytes | bytearray) or not isinstance(raw, Sequence):
        return (raw,)
    return tuple(raw)


def _as_int(value: object, keyword: str) -> int:
    """One integer value (IS, US, UL, SL), rejecting anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and _INT_PATTERN.fullmatch(value.strip()):
        return int(value)
    raise _Problem(f"{_label(keyword)} value {value!r} is not an integer")


def _ints(item: Item, keyword: str) -> tuple[int, ...]:
    """All values of an integer attribute (empty tuple when absent)."""
    return tuple(_as_int(value, keyword) for value in _values(_get(item, keyword)))


def _number(text: str, keyword: str) -> int | float:
    """A decimal string (DS, PS3.5 6.2) as int when integral in form, else float."""
    text = text.strip()
    if _INT_PATTERN.fullmatch(text):
        return int(text)
    if not _DS_PATTERN.fullmatch(text):
        raise _Problem(f"{_label(keyword)} {text!r} is not a decimal number")
    number = float(text)
    if not math.isfinite(number):
        raise _Problem(f"{_label(keyword)} {text!r} is out of range")
    return number


def _as_float(value: object, keyword: str) -> float:
    """One finite floating point value (FL, FD or DS)."""
    if isinstance(value, str):
        number = float(_number(value, keyword))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        raise _Problem(f"{_label(keyword)} value {value!r} is not a number")
    if not math.isfinite(number):
        raise _Problem(f"{_label(keyword)} value {value!r} is not finite")
    return number


def _shortest_float32(value: float) -> float:
    """The shortest decimal that encodes to the same FL (float32) as ``value``.

    FL values decode to doubles such as 12.300000190734863; this turns them
    back into 12.3 so that display and round trips see what was written.
    """
    packed = struct.pack("<f", value)
    for digits in range(6, 10):
        candidate = float(f"{value:.{digits}g}")
        if struct.pack("<f", candidate) == packed:
            return candidate
    return value


def _sequence(item: Item, keyword: str) -> DicomSequence | RawSequence | None:
    """A sequence attribute, None when absent; wrong VRs are a problem."""
    raw = _get(item, keyword)
    if raw is None:
        return None
    if not isinstance(raw, DicomSequence | RawSequence):
        raise _Problem(f"{_label(keyword)} is not a sequence ({type(raw).__name__})")
    return raw


def _optional_item(item: Item, keyword: str) -> Item | None:
    """The one item of a sequence holding zero or one item (None if empty)."""
    seq = _sequence(item, keyword)
    if not seq:
        return None
    if len(seq) != 1:
        raise _Problem(f"{_label(keyword)} has {len(seq)} items; one expected")
    return seq[0]


def _required_item(item: Item, keyword: str) -> Item:
    """The one item of a sequence that must hold exactly one item."""
    found = _optional_item(item, keyword)
    if found is None:
        raise _Problem(f"{_label(keyword)} is missing or empty")
    return found


def _code(item: Item, keyword: str, *, required: bool) -> CodedConcept | None:
    """A one-item code sequence (PS3.3 8.8) as a :class:`CodedConcept`."""
    if required:
        code_item: Item | None = _required_item(item, keyword)
    else:
        code_item = _optional_item(item, keyword)
    if code_item is None:
        return None
    try:
        return CodedConcept.from_item(code_item)
    except ValueError as exc:
        raise _Problem(f"{_label(keyword)}: {exc}") from exc


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


# ------------------------------------------------------------ items and tree


def _unreadable(problem: str) -> ContentNode:
    """A placeholder node for something that is not an item at all."""
    return ContentNode(None, UNREADABLE, None, None, problem=problem)


def _attempt(read: Callable[[], _T]) -> _T | None:
    """Result of ``read()``, or None if it raises anything."""
    try:
        return read()
    except Exception:  # noqa: BLE001 - best effort on an already broken item
        return None


def _template(item: Item) -> tuple[str, str] | None:
    """(Mapping Resource, Template Identifier) of Content Template Sequence."""
    entry = _optional_item(item, "ContentTemplateSequence")
    if entry is None:
        return None
    return (
        _required_text(entry, "MappingResource"),
        _required_text(entry, "TemplateIdentifier"),
    )


def _by_reference(
    item: Item, relationship: str | None, children: tuple[ContentNode, ...]
) -> ContentNode:
    """A by-reference item (PS3.3 C.17.3.2.5), flagged as not allowed in RPI."""
    identifier = _ints(item, "ReferencedContentItemIdentifier")
    if not identifier:
        raise _Problem(f"{_label('ReferencedContentItemIdentifier')} is empty")
    dotted = ".".join(str(part) for part in identifier)
    return ContentNode(
        relationship,
        BY_REFERENCE,
        None,
        dotted,
        children=children,
        problem=(
            f"by-reference relationship to content item {dotted} "
            "(not allowed in RPI, PS3.4 Q.2.1.1.3.3)"
        ),
    )


def _value_type(item: Item) -> ValueType | None:
    """Value Type of the item; None when absent, a problem when unknown."""
    text = _optional_text(item, "ValueType")
    if text is None:
        return None
    try:
        return ValueType(text.strip())
    except ValueError:
        raise _Problem(f"unknown Value Type {text!r}") from None


def _parse_readable(
    item: Item, children: tuple[ContentNode, ...], *, is_root: bool
) -> ContentNode:
    """Parse one item whose children are already parsed; raises on bad input."""
    relationship = None if is_root else _optional_text(item, "RelationshipType")
    value_type = _value_type(item)
    if value_type is None:
        if not is_root and "ReferencedContentItemIdentifier" in item:
            return _by_reference(item, relationship, children)
        raise _Problem(f"{_label('ValueType')} is missing or empty")
    payload = VALUE_PARSERS[value_type](item)
    required = is_root or value_type in CONCEPT_REQUIRED
    return ContentNode(
        relationship=relationship,
        value_type=value_type.value,
        concept=_code(item, "ConceptNameCodeSequence", required=required),
        value=payload.value,
        units=payload.units,
        qualifier=payload.qualifier,
        children=children,
        continuity=payload.continuity,
        template=_template(item),
        observation_datetime=_optional_text(item, "ObservationDateTime"),
    )


def _salvage(
    item: Item,
    children: tuple[ContentNode, ...],
    exc: Exception,
    *,
    is_root: bool,
) -> ContentNode:
    """An UNREADABLE node keeping whatever of the item can still be read."""
    declared = _attempt(lambda: _optional_text(item, "ValueType"))
    prefix = f"{declared}: " if declared in _VALUE_TYPES else ""
    relationship = None
    if not is_root:
        relationship = _attempt(lambda: _optional_text(item, "RelationshipType"))
    concept = _attempt(lambda: _code(item, "ConceptNameCodeSequence", required=False))
    return ContentNode(
        relationship,
        UNREADABLE,
        concept,
        None,
        children=children,
        problem=prefix + _describe(exc),
    )


def _fast_children(item: Item) -> RawSequence | None:
    """Read a still-raw little-endian Content Sequence with :mod:`.rawread`.

    None when the fast path does not apply; the caller then lets pydicom
    decode the element (and report whatever is malformed in it).
    """
    if isinstance(item, RawItem):
        return None
    raw: object = item.get_item(_CONTENT_SEQUENCE)
    if not isinstance(raw, RawDataElement) or not raw.value:
        return None
    if not raw.is_little_endian or (raw.VR or "SQ") != "SQ":
        return None
    try:
        encodings = convert_encodings(item.get("SpecificCharacterSet"))
        return read_sequence(bytes(raw.value), raw.is_implicit_VR, encodings)
    except Exception:  # noqa: BLE001 - anything unusual: pydicom's reader decides
        return None


def _parse_children(item: Item, depth: int) -> tuple[ContentNode, ...]:
    """Parse the Content Sequence (0040,A730) of an item at ``depth``."""
    label = _label("ContentSequence")
    try:
        raw: object = _fast_children(item)
        if raw is None:
            raw = item.get("ContentSequence")
    except Exception as exc:  # noqa: BLE001 - pydicom decodes lazily
        return (_unreadable(f"{label} cannot be decoded: {_describe(exc)}"),)
    if raw is None:
        return ()
    if isinstance(raw, str | bytes | bytearray) or not isinstance(raw, Sequence):
        return (_unreadable(f"{label} is not a sequence ({type(raw).__name__})"),)
    if not raw:
        return ()
    if depth >= MAX_DEPTH:
        return (
            _unreadable(
                f"content nested more than {MAX_DEPTH} levels deep; "
                f"{len(raw)} item(s) not parsed"
            ),
        )
    return tuple(_parse_node(child, depth + 1, is_root=False) for child in raw)


def _parse_node(item: object, depth: int, *, is_root: bool) -> ContentNode:
    """Parse one item and its subtree; never raises."""
    if not isinstance(item, Dataset | RawItem):
        what = "identifier" if is_root else "Content Sequence item"
        return _unreadable(f"{what} is a {type(item).__name__}, not a Dataset")
    children = _parse_children(item, depth)
    try:
        return _parse_readable(item, children, is_root=is_root)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a visible node
        return _salvage(item, children, exc, is_root=is_root)


def parse_content(identifier: Dataset) -> ContentNode:
    """Parse an RPI C-FIND response identifier into its content tree.

    Parameters
    ----------
    identifier : Dataset
        The identifier of a Pending response; its top level is the root
        content item (PS3.4 Q.4.3.1.2.1, PS3.3 C.17.3).

    Returns
    -------
    ContentNode
        The root node (``relationship`` None). Never raises: unusable input,
        an empty Dataset included, gives an UNREADABLE root with a ``problem``.
    """
    try:
        return _parse_node(identifier, 0, is_root=True)
    except Exception as exc:  # noqa: BLE001 - contract: never raise
        return _unreadable(f"identifier cannot be parsed: {_describe(exc)}")


def parse_item(item: object) -> ContentNode:
    """Parse one Content Sequence item (PS3.3 Table C.17-6) and its subtree.

    Parameters
    ----------
    item : object
        Normally a Dataset; anything else gives an UNREADABLE node.

    Returns
    -------
    ContentNode
        The item; never raises (see the module notes).
    """
    try:
        return _parse_node(item, 1, is_root=False)
    except Exception as exc:  # noqa: BLE001 - contract: never raise
        return _unreadable(f"item cannot be parsed: {_describe(exc)}")

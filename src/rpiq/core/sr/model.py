"""Immutable SR content tree: coded concepts, value payloads, content nodes.

The tree mirrors the SR Document Content Module (PS3.3 C.17.3): every
:class:`ContentNode` is one content item (Table C.17-5 / C.17-6), its value is
typed by Value Type (PS3.3 C.17.3.2.1, value attributes in C.18), and code
items follow the Code Sequence Macro (PS3.3 8.8, Table 8.8-1).

Paths
-----
A node is addressed by its *path*: a tuple of 1-based child positions from the
root, the root itself being ``()``. ``format_path((1, 3, 2))`` gives
``"1.3.2"`` and ``format_path(())`` gives ``"root"``; :func:`parse_path` is the
inverse. The GUI and the conformance checker use paths to point at items.

Special value types
-------------------
Besides the DICOM Value Types of :class:`ValueType`, ``ContentNode.value_type``
may hold :data:`UNREADABLE` (the item could not be parsed; ``problem`` says
why) or :data:`BY_REFERENCE` (a by-reference relationship, PS3.3 C.17.3.2.5,
which RPI forbids, PS3.4 Q.2.1.1.3.3; ``value`` is the Referenced Content Item
Identifier as a dotted string and ``problem`` says it is not allowed).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, TypeAlias

from pydicom.dataset import Dataset
from pydicom.sr.coding import Code

#: ``value_type`` of an item that could not be parsed (``problem`` says why).
UNREADABLE = "UNREADABLE"

#: ``value_type`` of a by-reference item (Referenced Content Item Identifier).
BY_REFERENCE = "BY-REFERENCE"

#: Code Value (SH) holds at most 16 characters (PS3.3 Table 8.8-1).
_SHORT_CODE_MAX = 16


class ValueType(StrEnum):
    """Value Type (0040,A040) of a content item (PS3.3 C.17.3.2.1)."""

    CONTAINER = "CONTAINER"
    TEXT = "TEXT"
    CODE = "CODE"
    NUM = "NUM"
    DATE = "DATE"
    TIME = "TIME"
    DATETIME = "DATETIME"
    PNAME = "PNAME"
    UIDREF = "UIDREF"
    COMPOSITE = "COMPOSITE"
    IMAGE = "IMAGE"
    WAVEFORM = "WAVEFORM"
    SCOORD = "SCOORD"
    SCOORD3D = "SCOORD3D"
    TCOORD = "TCOORD"
    TABLE = "TABLE"


class RelationshipType(StrEnum):
    """Relationship Type (0040,A010) of a content item (PS3.3 C.17.3.2.4)."""

    CONTAINS = "CONTAINS"
    HAS_PROPERTIES = "HAS PROPERTIES"
    HAS_OBS_CONTEXT = "HAS OBS CONTEXT"
    HAS_ACQ_CONTEXT = "HAS ACQ CONTEXT"
    INFERRED_FROM = "INFERRED FROM"
    SELECTED_FROM = "SELECTED FROM"
    HAS_CONCEPT_MOD = "HAS CONCEPT MOD"


class ItemLike(Protocol):
    """What reading a code needs of an item: pydicom ``Dataset`` or ``RawItem``."""

    def get(self, key: str, default: Any = None, /) -> Any:
        """Decoded value of the attribute named by keyword ``key``."""


@dataclass(frozen=True, slots=True)
class CodedConcept:
    """A coded entry (PS3.3 8.8 Code Sequence Macro).

    Parameters
    ----------
    value : str
        Code Value, Long Code Value or URN Code Value, whichever was used.
    scheme : str
        Coding Scheme Designator (``""`` for a URN code without one).
    meaning : str
        Code Meaning.
    scheme_version : str or None
        Coding Scheme Version, only when the designator is ambiguous.

    Notes
    -----
    ``==`` compares every field; use :meth:`same_code` to match codes
    (value and scheme only), as templates and value sets do.
    """

    value: str
    scheme: str
    meaning: str
    scheme_version: str | None = None

    @classmethod
    def from_code(cls, code: Code) -> CodedConcept:
        """Build from a :class:`pydicom.sr.coding.Code`."""
        return cls(
            str(code.value),
            str(code.scheme_designator),
            str(code.meaning),
            code.scheme_version,
        )

    def to_code(self) -> Code:
        """Return the equivalent :class:`pydicom.sr.coding.Code`."""
        return Code(self.value, self.scheme, self.meaning, self.scheme_version)

    @classmethod
    def from_item(cls, item: ItemLike) -> CodedConcept:
        """Read one Code Sequence item (PS3.3 Table 8.8-1).

        Parameters
        ----------
        item : Dataset or RawItem
            An item of e.g. Concept Name Code Sequence (0040,A043).

        Returns
        -------
        CodedConcept
            The code; Code Value, Long Code Value (0008,0119) or URN Code
            Value (0008,0120) become ``value``.

        Raises
        ------
        ValueError
            If no code value, no Coding Scheme Designator (for a non-URN code)
            or no Code Meaning is present.
        """
        value, is_urn = _code_value(item)
        scheme = _text_or_none(item.get("CodingSchemeDesignator"))
        if scheme is None and not is_urn:
            raise ValueError("Coding Scheme Designator (0008,0102) is missing")
        meaning = _single_text(item.get("CodeMeaning"))
        if meaning is None:
            raise ValueError(f"Code Meaning (0008,0104) is missing for code {value}")
        version = _text_or_none(item.get("CodingSchemeVersion"))
        return cls(value, scheme or "", meaning, version)

    def to_item(self) -> Dataset:
        """Write one Code Sequence item (PS3.3 Table 8.8-1).

        URNs/URLs go to URN Code Value, values longer than 16 characters to
        Long Code Value, everything else to Code Value.
        """
        item = Dataset()
        if _looks_like_urn(self.value):
            item.URNCodeValue = self.value
        elif len(self.value) > _SHORT_CODE_MAX:
            item.LongCodeValue = self.value
        else:
            item.CodeValue = self.value
        if self.scheme:
            item.CodingSchemeDesignator = self.scheme
        if self.scheme_version is not None:
            item.CodingSchemeVersion = self.scheme_version
        item.CodeMeaning = self.meaning
        return item

    def same_code(self, other: CodedConcept | Code) -> bool:
        """True if ``other`` has the same code value and coding scheme.

        Meaning and scheme version are ignored. No scheme translation is done
        (an ``SRT`` code does not match its ``SCT`` successor).
        """
        if isinstance(other, CodedConcept):
            return (self.value, self.scheme) == (other.value, other.scheme)
        return (self.value, self.scheme) == (
            str(other.value),
            str(other.scheme_designator),
        )

    def triple(self) -> str:
        """The usual ``(value, scheme, "meaning")`` notation of PS3.16."""
        return f'({self.value}, {self.scheme}, "{self.meaning}")'


def _single_text(raw: object) -> str | None:
    """Return a single-valued text attribute value as ``str`` (None if absent).

    Raises
    ------
    ValueError
        If the value is multi-valued or not text (e.g. undecoded bytes).
    """
    if raw is None:
        return None
    if isinstance(raw, str):
        return str(raw)  # plain str, also for str subclasses such as UID
    if isinstance(raw, bytes | bytearray | Sequence):
        raise ValueError(f"expected one text value, got {raw!r}")
    return str(raw)


def _text_or_none(raw: object) -> str | None:
    """Return ``raw`` as a stripped string, or None when absent or empty."""
    text = _single_text(raw)
    if text is None:
        return None
    return text.strip() or None


def _looks_like_urn(value: str) -> bool:
    """True for URN/URL code values (PS3.3 8.8, URN Code Value)."""
    lowered = value.lower()
    return lowered.startswith("urn:") or "://" in lowered


def _code_value(item: ItemLike) -> tuple[str, bool]:
    """Return (code value, is_urn) from whichever code value attribute is set."""
    for keyword in ("CodeValue", "LongCodeValue", "URNCodeValue"):
        value = _text_or_none(item.get(keyword))
        if value is not None:
            return value, keyword == "URNCodeValue"
    raise ValueError(
        "no Code Value (0008,0100), Long Code Value (0008,0119) "
        "or URN Code Value (0008,0120)"
    )


@dataclass(frozen=True, slots=True)
class Reference:
    """Value of a COMPOSITE, IMAGE or WAVEFORM item (PS3.3 C.18.3-C.18.5).

    Parameters
    ----------
    sop_class_uid, sop_instance_uid : str
        From the single Referenced SOP Sequence (0008,1199) item.
    frames : tuple of int
        Referenced Frame Number (0008,1160) (IMAGE).
    segments : tuple of int
        Referenced Segment Number (0062,000B) (IMAGE).
    channels : tuple of int
        Referenced Waveform Channels (0040,A0B0), flat (group, channel) pairs
        (WAVEFORM).
    """

    sop_class_uid: str
    sop_instance_uid: str
    frames: tuple[int, ...] = ()
    segments: tuple[int, ...] = ()
    channels: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class SpatialCoordinates:
    """Value of a SCOORD or SCOORD3D item (PS3.3 C.18.6, C.18.9).

    Parameters
    ----------
    graphic_type : str
        Graphic Type (0070,0023), e.g. ``POINT`` or ``POLYLINE``.
    points : tuple of float
        Graphic Data (0070,0022), flat: (column, row) pairs for SCOORD,
        (x, y, z) triplets for SCOORD3D.
    frame_of_reference_uid : str or None
        Referenced Frame of Reference UID (3006,0024) (SCOORD3D only).
    pixel_origin : str or None
        Pixel Origin Interpretation (0048,0301) (SCOORD, optional).
    """

    graphic_type: str
    points: tuple[float, ...]
    frame_of_reference_uid: str | None = None
    pixel_origin: str | None = None


@dataclass(frozen=True, slots=True)
class TemporalCoordinates:
    """Value of a TCOORD item (PS3.3 C.18.7).

    Parameters
    ----------
    range_type : str
        Temporal Range Type (0040,A130), e.g. ``POINT`` or ``SEGMENT``.
    sample_positions : tuple of int
        Referenced Sample Positions (0040,A132).
    time_offsets : tuple of float
        Referenced Time Offsets (0040,A138), seconds.
    datetimes : tuple of str
        Referenced DateTime (0040,A13A), DICOM DT strings.
    """

    range_type: str
    sample_positions: tuple[int, ...] = ()
    time_offsets: tuple[float, ...] = ()
    datetimes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TableValue:
    """Minimal value of a TABLE item (PS3.3 C.18.10, newer editions).

    Only the table size is kept: Number of Table Rows (0040,A802) and Number
    of Table Columns (0040,A803); either may be unknown.
    """

    rows: int | None = None
    columns: int | None = None


#: Every type ``ContentNode.value`` can hold.
NodeValue: TypeAlias = (
    str
    | CodedConcept
    | float
    | int
    | Reference
    | SpatialCoordinates
    | TemporalCoordinates
    | TableValue
    | None
)

#: A node address: 1-based child positions from the root; ``()`` is the root.
Path: TypeAlias = tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ContentNode:
    """One SR content item and its children (PS3.3 C.17.3, Table C.17-5).

    Parameters
    ----------
    relationship : str or None
        Relationship Type (0040,A010) to the parent; None for the root.
    value_type : str
        A :class:`ValueType` value, :data:`UNREADABLE` or :data:`BY_REFERENCE`.
    concept : CodedConcept or None
        Concept Name Code Sequence (0040,A043).
    value : NodeValue
        TEXT/DATE/TIME/DATETIME/PNAME/UIDREF: ``str`` (the DICOM string);
        CODE: :class:`CodedConcept`; NUM: ``int``/``float`` or None when the
        Measured Value Sequence is empty; COMPOSITE/IMAGE/WAVEFORM:
        :class:`Reference`; SCOORD/SCOORD3D: :class:`SpatialCoordinates`;
        TCOORD: :class:`TemporalCoordinates`; TABLE: :class:`TableValue` or
        None; BY-REFERENCE: dotted identifier ``str``; CONTAINER and
        UNREADABLE: None.
    units : CodedConcept or None
        Measurement Units Code Sequence (0040,08EA) (NUM).
    qualifier : CodedConcept or None
        Numeric Value Qualifier Code Sequence (0040,A301) (NUM).
    children : tuple of ContentNode
        Content Sequence (0040,A730) items, in order.
    continuity : str or None
        Continuity Of Content (0040,A050) (CONTAINER).
    template : tuple of (str, str) or None
        (Mapping Resource, Template Identifier) from Content Template
        Sequence (0040,A504).
    observation_datetime : str or None
        Observation DateTime (0040,A032), DICOM DT string.
    problem : str or None
        Why the item is UNREADABLE (or why a BY-REFERENCE item is not allowed).
    """

    relationship: str | None
    value_type: str
    concept: CodedConcept | None
    value: NodeValue
    units: CodedConcept | None = None
    qualifier: CodedConcept | None = None
    children: tuple[ContentNode, ...] = ()
    continuity: str | None = None
    template: tuple[str, str] | None = None
    observation_datetime: str | None = None
    problem: str | None = None

    @property
    def is_readable(self) -> bool:
        """False for UNREADABLE items (their ``problem`` says why)."""
        return self.value_type != UNREADABLE

    def walk(self) -> Iterator[tuple[Path, ContentNode]]:
        """Yield ``(path, node)`` for this node and every descendant, pre-order.

        The path of this node is ``()``; children are numbered from 1. The walk
        is iterative, so arbitrarily deep trees do not hit the recursion limit.
        """
        stack: list[tuple[Path, ContentNode]] = [((), self)]
        while stack:
            path, node = stack.pop()
            yield path, node
            for index in range(len(node.children), 0, -1):
                stack.append(((*path, index), node.children[index - 1]))

    def find(self, path: Path) -> ContentNode | None:
        """Return the node at ``path`` (``()`` = this node), or None if absent."""
        node = self
        for index in path:
            if index < 1 or index > len(node.children):
                return None
            node = node.children[index - 1]
        return node

    def count(self) -> int:
        """Number of nodes in this subtree, this node included."""
        return sum(1 for _ in self.walk())


def format_path(path: Path) -> str:
    """Format a path as ``"1.3.2"``; the root ``()`` is ``"root"``."""
    if not path:
        return "root"
    return ".".join(str(index) for index in path)


def parse_path(text: str) -> Path:
    """Inverse of :func:`format_path` (``""`` and ``"root"`` give ``()``).

    Raises
    ------
    ValueError
        If a component is not a positive integer.
    """
    text = text.strip()
    if text in ("", "root"):
        return ()
    path = tuple(int(part) for part in text.split("."))
    if any(index < 1 for index in path):
        raise ValueError(f"path components must be >= 1: {text!r}")
    return path

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

from collections.abc import Callable, Sequence
from typing import Final, TypeVar

from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset

from rpiq.core.sr.access import (
    Item,
    _code,
    _describe,
    _fast_sequence,
    _ints,
    _label,
    _optional_item,
    _optional_text,
    _Problem,
    _required_text,
)
from rpiq.core.sr.model import (
    BY_REFERENCE,
    UNREADABLE,
    ContentNode,
    ValueType,
)
from rpiq.core.sr.rawread import RawItem, RawSequence
from rpiq.core.sr.values import (
    STRING_VALUE_KEYWORDS,
    VALUE_PARSERS,
    Payload,
    ValueParser,
)

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

_CONTENT_SEQUENCE: Final = 0x0040A730
_VALUE_TYPES = frozenset(vt.value for vt in ValueType)
_T = TypeVar("_T")


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
    if (raw.VR or "SQ") != "SQ":
        return None
    done, value = _fast_sequence(item, raw)
    return value if done and isinstance(value, RawSequence) else None


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

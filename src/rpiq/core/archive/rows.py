"""Content items built from template rows of the catalogue (PS3.16, PS3.3 C.17.3).

Every item the archive creates - synthesized answers and the demo SR documents
- takes its relationship, value type, concept name and units from a row of
:mod:`rpiq.core.templates`, and coded values are checked against the row's
context group, so no code is typed twice. Included templates become a
CONTAINER with its Content Template Sequence (DCMR, TID), and the TID 1204
language item is built from TID 1204 row 1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rpiq.core.sr.model import CodedConcept, ContentNode, RelationshipType, ValueType
from rpiq.core.templates import ContextGroup, FixedCode, get_template

if TYPE_CHECKING:
    from collections.abc import Iterable

    from pydicom.sr.coding import Code

    from rpiq.core.sr.model import NodeValue

#: TID 1204 value used when we must state the language (RFC 5646 "en").
LANGUAGE = CodedConcept("en", "RFC5646", "English")
LANGUAGE_TID = 1204
SEPARATE = "SEPARATE"
_CONTAINS = RelationshipType.CONTAINS.value


def row_concept(tid: int, row: int) -> CodedConcept:
    """The fixed concept name of a catalogue row, with the template's meaning.

    Raises
    ------
    LookupError
        If the row's concept is a context group or parameter.
    """
    code = get_template(tid).row(row).concept_code
    if code is None:
        raise LookupError(f"TID {tid} row {row} has no fixed concept name")
    return CodedConcept.from_code(code)


def _group_member(group: object, code: Code) -> CodedConcept:
    """``code`` as a member of context group ``group`` (checked)."""
    if not isinstance(group, ContextGroup):
        raise LookupError(f"{group!r} is not a context group")
    for member in group.members() or ():
        if (member.value, member.scheme_designator) == (
            code.value,
            code.scheme_designator,
        ):
            return CodedConcept.from_code(member)
    raise LookupError(f"{code} is not in CID {group.cid}")


def value_of(tid: int, row: int, code: Code) -> CodedConcept:
    """A coded value from the row's value-set context group (checked)."""
    return _group_member(get_template(tid).row(row).value_set, code)


def concept_of(tid: int, row: int, code: Code) -> CodedConcept:
    """A concept name from the row's concept-name context group (checked)."""
    return _group_member(get_template(tid).row(row).concept, code)


def relationship(tid: int, row: int) -> str:
    """Relationship with parent of the row (CONTAINS when the cell is empty)."""
    return get_template(tid).row(row).relationship or _CONTAINS


def include_relationship(parent_tid: int, child_tid: int) -> str:
    """Relationship of the INCLUDE row of ``child_tid`` in ``parent_tid``.

    CONTAINS when ``parent_tid`` does not include it (an extension).
    """
    for row in get_template(parent_tid).top_level_rows():
        if row.include == child_tid and row.relationship:
            return row.relationship
    return _CONTAINS


def _units(tid: int, row: int) -> CodedConcept | None:
    units = get_template(tid).row(row).units
    return CodedConcept.from_code(units.code) if isinstance(units, FixedCode) else None


def row_item(
    tid: int,
    row: int,
    value: NodeValue,
    *,
    concept: CodedConcept | None = None,
    children: Iterable[ContentNode] = (),
) -> ContentNode:
    """One content item of row ``row`` of ``tid``.

    Parameters
    ----------
    tid, row : int
        The template row; its relationship, value type, concept name and (NUM)
        fixed units are used.
    value : NodeValue
        The item's value (``None`` for a CONTAINER).
    concept : CodedConcept, optional
        Concept name for rows whose concept is a context group.
    children : iterable of ContentNode
        Child items.
    """
    spec = get_template(tid).row(row)
    container = spec.value_type == ValueType.CONTAINER.value
    return ContentNode(
        relationship(tid, row),
        spec.value_type,
        concept or row_concept(tid, row),
        value,
        units=_units(tid, row) if spec.value_type == ValueType.NUM.value else None,
        children=tuple(children),
        continuity=SEPARATE if container else None,
    )


def section(
    concept: CodedConcept, rel: str, children: Iterable[ContentNode]
) -> ContentNode:
    """A SEPARATE CONTAINER without template identification."""
    return ContentNode(
        rel,
        ValueType.CONTAINER.value,
        concept,
        None,
        children=tuple(children),
        continuity=SEPARATE,
    )


def included(
    parent_tid: int, child_tid: int, children: Iterable[ContentNode]
) -> ContentNode:
    """The root CONTAINER of ``child_tid`` included by ``parent_tid``.

    It carries Content Template Sequence (DCMR, ``child_tid``), PS3.3 C.18.8.
    """
    concept = CodedConcept.from_code(get_template(child_tid).root_concept_for_rpi())
    return ContentNode(
        include_relationship(parent_tid, child_tid),
        ValueType.CONTAINER.value,
        concept,
        None,
        children=tuple(children),
        continuity=SEPARATE,
        template=("DCMR", str(child_tid)),
    )


def language_item(parent_tid: int) -> ContentNode:
    """TID 1204 row 1 (language English) as included by ``parent_tid``."""
    return ContentNode(
        include_relationship(parent_tid, LANGUAGE_TID),
        get_template(LANGUAGE_TID).root_value_type,
        row_concept(LANGUAGE_TID, 1),
        LANGUAGE,
    )


def needs_language(tid: int) -> bool:
    """True when ``tid`` as RPI root includes TID 1204 (9007 MC as root, 9000 M)."""
    return any(
        row.include == LANGUAGE_TID for row in get_template(tid).top_level_rows()
    )


def has_language(children: Iterable[ContentNode]) -> bool:
    """True when one of ``children`` is the TID 1204 language item."""
    language = row_concept(LANGUAGE_TID, 1)
    return any(
        c.concept is not None and c.concept.same_code(language) for c in children
    )

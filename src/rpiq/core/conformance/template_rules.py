"""Template-row matching: each content item against the rows allowed there.

Starting at row 1 of the requested template, the children of every matched
item are matched against the child rows of its row (PS3.16 Section 6.1).
INCLUDE rows are expanded into the root row of the included template, with the
INCLUDE row's relationship, VM, requirement and parameter bindings
(``$ContainerConcept`` of TID 9002 is bound by TID 9007 row 4, and so on).
An item matches a row when relationship, value type and concept name fit;
when several rows fit (e.g. the seven TID 3829 inclusions of TID 3802), the
row whose subtree gives the fewest FAILs wins, then the one that keeps VM and
row order, then the first. Matched items are checked for their value set and
units; the children of each item for mandatory rows (M, and MC when the
condition holds), VM, row order and items no row allows.

TID 300, 1700 and 4207 are not in the catalogue: their root item is matched
(TID 300: NUM with the bound ``$Measurement`` and ``$Units``) and what lies
below is reported as not checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from pydicom.sr.codedict import codes

from rpiq.core.conformance.report import Finding, Level, item_label
from rpiq.core.conformance.value_rules import (
    Strength,
    code_value_findings,
    concept_findings,
    concept_strength,
    describe_cells,
    resolve,
    row_section,
    units_findings,
)
from rpiq.core.sr.model import BY_REFERENCE, UNREADABLE, CodedConcept, format_path
from rpiq.core.templates import (
    RELATIONSHIP_TYPES,
    TID_9002_RPI_ROOT_CONCEPT,
    UNENCODED_TEMPLATE_TITLES,
    ContextGroup,
    FixedCode,
    Parameter,
    Row,
    Template,
    get_template,
    included_template,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from rpiq.core.conformance.value_rules import Env
    from rpiq.core.sr.model import ContentNode, Path


def _opaque(tid: int, value_type: str, concept: FixedCode | Parameter) -> Template:
    """A one-row stand-in for a template the catalogue does not encode."""
    parameters = (concept.name,) if isinstance(concept, Parameter) else ()
    root = Row(1, 0, None, value_type, concept, "1", "M")
    return Template(
        tid, UNENCODED_TEMPLATE_TITLES[tid], True, True, parameters, (root,)
    )


#: Root rows of the included templates the catalogue does not encode.
OPAQUE: Mapping[int, Template] = MappingProxyType(
    {
        300: _opaque(300, "NUM", Parameter("$Measurement")),
        1700: _opaque(
            1700, "CONTAINER", FixedCode(codes.DCM.BloodLabMeasurements, "EV")
        ),
        4207: _opaque(4207, "CONTAINER", FixedCode(codes.DCM.PathologyResults, "EV")),
    }
)

_ROW_REF = re.compile(r"Row (\d+)")
_TID_9002 = 9002  # row 1 is $ContainerConcept; see TID_9002_RPI_ROOT_CONCEPT


@dataclass(frozen=True, slots=True)
class Slot:
    """A place where an item may appear: a row, or the root of an included TID.

    Attributes
    ----------
    owner : Template
        The template whose table lists ``origin``.
    origin : Row
        The row of ``owner``: an ordinary row or an INCLUDE row. Its number
        orders the item; its VM and requirement apply.
    template : Template
        The template whose ``row`` describes the item (``owner`` itself, or the
        included template).
    row : Row
        The row giving relationship, value type, concept and value set.
    env : Env
        Parameter bindings visible inside ``template``.
    """

    owner: Template
    origin: Row
    template: Template
    row: Row
    env: Env = field(default_factory=dict)

    @property
    def relationship(self) -> str | None:
        """Relationship required of the item."""
        return self.origin.relationship or self.row.relationship

    @property
    def opaque(self) -> bool:
        """True for the root of a template the catalogue does not encode."""
        return self.template.tid in OPAQUE

    @property
    def label(self) -> str:
        """``TID 3802 row 5 (TID 3829)`` style name of the slot."""
        text = f"TID {self.owner.tid} row {self.origin.number}"
        if self.origin.is_include:
            text += f" (TID {self.template.tid} {self.template.title})"
        return text


def _bind(row: Row, outer: Env) -> dict[str, tuple[FixedCode | ContextGroup, ...]]:
    """The bindings an INCLUDE row gives the included template."""
    env: dict[str, tuple[FixedCode | ContextGroup, ...]] = {}
    for binding in row.bindings:
        values: list[FixedCode | ContextGroup] = []
        for value in binding.values:
            if isinstance(value, Parameter):
                values += outer.get(value.name, ())
            else:
                values.append(value)
        default = binding.default
        if not values and isinstance(default, FixedCode | ContextGroup):
            values.append(default)
        if values:
            env[binding.parameter] = tuple(values)
    return env


def _child_slots(slot: Slot) -> tuple[Slot, ...]:
    if slot.opaque:
        return ()
    template = slot.template
    slots = []
    for row in template.children_of(slot.row):
        if not row.is_include:
            slots.append(Slot(template, row, template, row, slot.env))
            continue
        included = included_template(row)
        if included is None:
            assert row.include is not None  # an INCLUDE row names its TID
            included = OPAQUE[row.include]
        env = _bind(row, slot.env)
        slots.append(Slot(template, row, included, included.root, env))
    return tuple(slots)


def root_slot(tid: int) -> Slot:
    """The slot of the identifier root when ``tid`` is the RPI root template."""
    template = get_template(tid)
    env: Env = {}
    if tid == _TID_9002:
        env = {"$ContainerConcept": (FixedCode(TID_9002_RPI_ROOT_CONCEPT, "EV"),)}
    return Slot(template, template.root, template, template.root, env)


def check_template(root: ContentNode, tid: int) -> list[Finding]:
    """Match the whole content tree against template ``tid``.

    Parameters
    ----------
    root : ContentNode
        The parsed identifier; its own concept is checked by the identifier
        rules, its children and their subtrees here.
    tid : int
        A catalogued template (the requested RPI root template).

    Returns
    -------
    list of Finding
        ``content.*`` findings of the template rules.
    """
    return _check_children(root, root_slot(tid), (), is_root=True)


# ------------------------------------------------------------ matching


def _matchable(node: ContentNode) -> bool:
    """Readable items with a valid relationship (the rest is reported elsewhere)."""
    if node.value_type in (UNREADABLE, BY_REFERENCE):
        return False
    return node.relationship in RELATIONSHIP_TYPES


def _basic(node: ContentNode, slot: Slot) -> Strength | None:
    """Strength of the match on relationship, value type and concept."""
    wanted = slot.relationship
    if wanted is not None and node.relationship != wanted:
        return None
    if node.value_type != slot.row.value_type:
        return None
    return concept_strength(node.concept, slot.row.concept, slot.env)


def check_item(
    node: ContentNode, slot: Slot, path: Path, strength: Strength
) -> list[Finding]:
    """Findings of one matched item: concept, value, units, then its children."""
    findings: list[Finding] = []
    args = (node, slot.template, slot.row, path, slot.env)
    if strength is Strength.BASELINE:
        findings += concept_findings(*args)
    if node.value_type == "CODE":
        findings += code_value_findings(*args)
    elif node.value_type == "NUM":
        findings += units_findings(*args)
    findings += _check_children(node, slot, path)
    return findings


@dataclass
class _Children:
    """Book-keeping while the children of one item are matched."""

    slots: tuple[Slot, ...]
    counts: list[int]
    last: int = 0
    findings: list[Finding] = field(default_factory=list)
    repeats: dict[int, Path] = field(default_factory=dict)

    def score(
        self, index: int, strength: Strength, sub: list[Finding]
    ) -> tuple[int, ...]:
        slot = self.slots[index]
        fails = sum(f.level is Level.FAIL for f in sub)
        warns = sum(f.level is Level.WARN for f in sub)
        full = slot.origin.vm == "1" and self.counts[index] > 0
        backwards = slot.origin.number < self.last
        return (strength, fails, full, backwards, warns, index)


def _choose(
    node: ContentNode, state: _Children, path: Path
) -> tuple[int, list[Finding]] | None:
    """Index of the best slot for ``node`` and the findings of that match."""
    candidates = []
    for index, slot in enumerate(state.slots):
        strength = _basic(node, slot)
        if strength is not None:
            candidates.append((index, strength))
    if not candidates:
        return None
    if len(candidates) == 1:
        index, strength = candidates[0]
        return index, check_item(node, state.slots[index], path, strength)
    scored = []
    for index, strength in candidates:
        sub = check_item(node, state.slots[index], path, strength)
        scored.append((state.score(index, strength, sub), index, sub))
    _, index, sub = min(scored, key=lambda entry: entry[0])
    return index, sub


def _check_children(
    node: ContentNode, slot: Slot, path: Path, *, is_root: bool = False
) -> list[Finding]:
    if slot.opaque:
        return _opaque_children(node, slot, path)
    slots = _child_slots(slot)
    state = _Children(slots, [0] * len(slots))
    for position, child in enumerate(node.children, 1):
        if _matchable(child):
            _place(child, (*path, position), slot, state)
    state.findings += _requirements(node, slot, state, path, is_root=is_root)
    return state.findings


def _place(child: ContentNode, path: Path, parent: Slot, state: _Children) -> None:
    choice = _choose(child, state, path)
    if choice is None:
        state.findings.append(_extension(child, parent, state.slots, path))
        return
    index, sub = choice
    slot = state.slots[index]
    state.findings += sub
    if slot.origin.vm == "1" and state.counts[index] > 0:
        state.repeats.setdefault(index, path)
    if slot.owner.order_significant and slot.origin.number < state.last:
        state.findings.append(_out_of_order(slot, state.last, path))
    state.counts[index] += 1
    state.last = max(state.last, slot.origin.number)


def _opaque_children(node: ContentNode, slot: Slot, path: Path) -> list[Finding]:
    if not node.children:
        return []
    where = format_path(path)
    return [
        Finding(
            Level.INFO,
            "content.not-checked",
            f"The items below {item_label(path).lower()} follow TID "
            f'{slot.template.tid} "{slot.template.title}", which this checker does '
            "not encode; they were not checked against it.",
            f"PS3.16 TID {slot.template.tid}",
            where,
        )
    ]


# ------------------------------------------------------------ findings


def _describe(node: ContentNode) -> str:
    concept = node.concept.triple() if node.concept else "without concept name"
    relation = node.relationship or "no relationship"
    return f"{relation} {node.value_type} {concept}"


def _near_miss(node: ContentNode, slots: tuple[Slot, ...]) -> str:
    for slot in slots:
        fixed = slot.row.concept
        if not (isinstance(fixed, FixedCode) and node.concept is not None):
            continue
        if not node.concept.same_code(fixed.code):
            continue
        wanted = f"{slot.relationship or 'any relationship'} {slot.row.value_type}"
        return f" It looks like {slot.label}, which is {wanted}."
    return ""


def _extension(
    node: ContentNode, parent: Slot, slots: tuple[Slot, ...], path: Path
) -> Finding:
    template = parent.template
    where = format_path(path)
    hint = _near_miss(node, slots)
    if template.extensible:
        return Finding(
            Level.WARN,
            "content.extension",
            f"{item_label(path)} ({_describe(node)}) is not a row of TID "
            f'{template.tid} "{template.title}" at this place. The template is '
            f"extensible, so this is an extension a receiver may not understand."
            f"{hint}",
            f"PS3.16 TID {template.tid}; PS3.16 6.1 (extensible templates)",
            where,
        )
    return Finding(
        Level.FAIL,
        "content.not-in-template",
        f"{item_label(path)} ({_describe(node)}) is not allowed here: TID "
        f'{template.tid} "{template.title}" is not extensible.{hint}',
        f"PS3.16 TID {template.tid}",
        where,
    )


def _repeated(slot: Slot, count: int, path: Path) -> Finding:
    where = format_path(path)
    return Finding(
        Level.FAIL,
        "content.vm",
        f"{item_label(path)} repeats {slot.label} ({_expected(slot)}): it appears "
        f"{count} times here, but may appear only once (VM 1).",
        row_section(slot.owner, slot.origin),
        where,
    )


def _out_of_order(slot: Slot, last: int, path: Path) -> Finding:
    where = format_path(path)
    return Finding(
        Level.WARN,
        "content.order",
        f"{item_label(path)} ({slot.label}) comes after an item of row {last}; TID "
        f"{slot.owner.tid} lists its items in a significant order.",
        f"PS3.16 TID {slot.owner.tid} (Order: Significant)",
        where,
    )


def _condition(
    origin: Row, node: ContentNode, parent: Slot, is_root: bool
) -> bool | None:
    """Whether an MC/UC condition holds (None when it cannot be evaluated)."""
    text = origin.condition
    if text is None:
        return None
    if "Root Template" in text:
        return is_root
    reference = _ROW_REF.search(text)
    if reference is None or not origin.condition_codes or "value" not in text:
        return None
    if int(reference.group(1)) != parent.row.number:
        return None
    value = node.value
    if not isinstance(value, CodedConcept):
        return False
    return any(value.same_code(code) for code in origin.condition_codes)


def _requirements(
    node: ContentNode, parent: Slot, state: _Children, path: Path, *, is_root: bool
) -> list[Finding]:
    findings: list[Finding] = []
    for index, slot in enumerate(state.slots):
        origin = slot.origin
        holds = _condition(origin, node, parent, is_root)
        present = state.counts[index] > 0
        if not present and (
            origin.requirement == "M" or (origin.requirement == "MC" and holds)
        ):
            findings.append(_missing(slot, holds, path))
        elif present and holds is False and "IFF" in (origin.condition or ""):
            findings.append(_unwanted(slot, path))
        findings += _xor(slot, state, index, path)
        if index in state.repeats:
            findings.append(_repeated(slot, state.counts[index], state.repeats[index]))
    return findings


def _missing(slot: Slot, holds: bool | None, path: Path) -> Finding:
    where = format_path(path)
    why = f" (condition: {slot.origin.condition})" if holds else ""
    return Finding(
        Level.FAIL,
        "content.mandatory-missing",
        f"{item_label(path)} lacks {slot.label}: {_expected(slot)} is required "
        f"here{why}.",
        row_section(slot.owner, slot.origin),
        where,
    )


def _expected(slot: Slot) -> str:
    cells = resolve(slot.row.concept, slot.env)
    if not cells:
        return f"a {slot.row.value_type} item"
    return f"{slot.row.value_type} {describe_cells(cells)}"


def _unwanted(slot: Slot, path: Path) -> Finding:
    where = format_path(path)
    return Finding(
        Level.WARN,
        "content.condition",
        f"{item_label(path)} has {slot.label} although its condition "
        f'("{slot.origin.condition}") does not hold.',
        row_section(slot.owner, slot.origin),
        where,
    )


def _xor(slot: Slot, state: _Children, index: int, path: Path) -> list[Finding]:
    text = slot.origin.condition or ""
    reference = _ROW_REF.search(text)
    if not text.startswith("XOR") or reference is None or not state.counts[index]:
        return []
    other = int(reference.group(1))
    if other < slot.origin.number:
        return []  # reported once, from the lower row
    partners = [
        i
        for i, s in enumerate(state.slots)
        if s.origin.number == other and state.counts[i]
    ]
    if not partners:
        return []
    where = format_path(path)
    return [
        Finding(
            Level.FAIL,
            "content.xor",
            f"{item_label(path)} has both TID {slot.owner.tid} row "
            f"{slot.origin.number} and row {other}; the template allows only one "
            "of them (XOR).",
            row_section(slot.owner, slot.origin),
            where,
        )
    ]

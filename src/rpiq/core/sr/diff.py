"""Differences between two content trees (replaying one query against two peers).

The trees are aligned from the root down. Under each pair of aligned parents,
children are matched by their *key* — Value Type and Concept Name code (value
and scheme, PS3.3 C.17.3.2.2) — so an item inserted by one peer does not shift
every later sibling: items with equal subtrees pair first, the rest pair in
order of appearance. Every aligned pair whose own attributes differ is one
``changed`` difference (all reasons in one sentence); an unmatched item is
``removed`` (only on the left) or ``added`` (only on the right), once, for
its whole subtree. Sibling order is not compared.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from rpiq.core.sr.model import CodedConcept, ContentNode, format_path
from rpiq.core.sr.render import value_text

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rpiq.core.sr.model import Path

__all__ = ["ChangeKind", "Difference", "TreeDiff", "diff_trees"]

_Key = tuple[str, str, str]


class ChangeKind(StrEnum):
    """How an item differs between the left and the right tree."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True, slots=True)
class Difference:
    """One difference, with the item's path in each tree where it exists.

    Attributes
    ----------
    kind : ChangeKind
        Added (right only), removed (left only) or changed (both).
    left, right : Path or None
        The item's path in the left and in the right tree.
    reason : str
        A sentence for the user, e.g. ``value: "NO" → "YES"``.
    """

    kind: ChangeKind
    left: Path | None
    right: Path | None
    reason: str

    @property
    def where(self) -> str:
        """The path(s) as text: ``"1.2"`` or ``"1.2 → 1.3"`` when they differ."""
        left = format_path(self.left) if self.left is not None else None
        right = format_path(self.right) if self.right is not None else None
        if left is None or right is None or left == right:
            return left or right or ""
        return f"{left} → {right}"


@dataclass(frozen=True, slots=True)
class TreeDiff:
    """All differences between two trees, in pre-order of the left tree."""

    differences: tuple[Difference, ...]

    def __len__(self) -> int:
        return len(self.differences)

    def __iter__(self) -> Iterator[Difference]:
        return iter(self.differences)

    @property
    def same(self) -> bool:
        """True when the trees do not differ."""
        return not self.differences

    def summary(self) -> str:
        """``"No differences"``, ``"1 difference"`` or ``"N differences"``."""
        count = len(self.differences)
        if count == 0:
            return "No differences"
        return f"{count} difference" + ("" if count == 1 else "s")

    def left_marks(self) -> dict[Path, Difference]:
        """Differences by their path in the left tree."""
        return {d.left: d for d in self.differences if d.left is not None}

    def right_marks(self) -> dict[Path, Difference]:
        """Differences by their path in the right tree."""
        return {d.right: d for d in self.differences if d.right is not None}


def _key(node: ContentNode) -> _Key:
    concept = node.concept
    if concept is None:
        return (node.value_type, "", "")
    return (node.value_type, concept.value, concept.scheme)


def _label(node: ContentNode) -> str:
    if node.concept is not None:
        return f'{node.value_type} "{node.concept.meaning}"'
    return node.value_type


def _quote(text: str | None) -> str:
    return "(none)" if text is None or text == "" else f'"{text}"'


def _concept_text(concept: CodedConcept | None) -> str | None:
    return None if concept is None else concept.triple()


def _code_reason(
    name: str, left: CodedConcept | None, right: CodedConcept | None
) -> str | None:
    if left is None or right is None:
        if left == right:
            return None
        return f"{name}: {_quote(_concept_text(left))} → {_quote(_concept_text(right))}"
    if not left.same_code(right):
        return f"{name}: {left.triple()} → {right.triple()}"
    if left.meaning != right.meaning:
        return f"{name} meaning: {_quote(left.meaning)} → {_quote(right.meaning)}"
    return None


def _value_reason(left: ContentNode, right: ContentNode) -> str | None:
    if isinstance(left.value, CodedConcept) and isinstance(right.value, CodedConcept):
        return _code_reason("value", left.value, right.value)
    if left.value == right.value:
        return None
    return f"value: {_shown(left)} → {_shown(right)}"


def _shown(node: ContentNode) -> str:
    # value_text already quotes text values; numbers and codes stay bare.
    return value_text(node) or "(none)"


def _reasons(left: ContentNode, right: ContentNode) -> list[str]:
    found = [
        _code_reason("concept", left.concept, right.concept),
        _value_reason(left, right),
        _code_reason("units", left.units, right.units),
        _code_reason("qualifier", left.qualifier, right.qualifier),
    ]
    plain = (
        ("relationship", left.relationship, right.relationship),
        ("continuity", left.continuity, right.continuity),
        ("template", _template(left), _template(right)),
        ("observed", left.observation_datetime, right.observation_datetime),
        ("problem", left.problem, right.problem),
    )
    for name, a, b in plain:
        if a != b:
            found.append(f"{name}: {_quote(a)} → {_quote(b)}")
    return [reason for reason in found if reason]


def _template(node: ContentNode) -> str | None:
    return None if node.template is None else " ".join(node.template)


def _pair_children(
    left: tuple[ContentNode, ...], right: tuple[ContentNode, ...]
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pairs of 0-based positions, unmatched left and unmatched right positions."""
    groups: dict[_Key, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for index, node in enumerate(left):
        groups[_key(node)][0].append(index)
    for index, node in enumerate(right):
        groups[_key(node)][1].append(index)
    pairs: list[tuple[int, int]] = []
    removed: list[int] = []
    added: list[int] = []
    for lefts, rights in groups.values():
        free = list(rights)
        equal: dict[ContentNode, list[int]] = defaultdict(list)
        for index in rights:
            equal[right[index]].append(index)
        unmatched: list[int] = []
        for index in lefts:
            twins = equal.get(left[index])
            if twins:
                twin = twins.pop(0)
                free.remove(twin)
                pairs.append((index, twin))
            else:
                unmatched.append(index)
        pairs.extend(zip(unmatched, free, strict=False))
        removed.extend(unmatched[len(free) :])
        added.extend(free[len(unmatched) :])
    pairs.sort()
    return pairs, sorted(removed), sorted(added)


def _size(node: ContentNode) -> str:
    count = node.count()
    return "" if count == 1 else f" ({count} items)"


def _compare(
    left: ContentNode,
    right: ContentNode,
    lpath: Path,
    rpath: Path,
    out: list[Difference],
) -> None:
    stack = [(left, right, lpath, rpath)]
    while stack:
        a, b, pa, pb = stack.pop()
        reasons = _reasons(a, b)
        if reasons:
            out.append(Difference(ChangeKind.CHANGED, pa, pb, "; ".join(reasons)))
        pairs, removed, added = _pair_children(a.children, b.children)
        for index in removed:
            child = a.children[index]
            reason = f"only on the left: {_label(child)}{_size(child)}"
            out.append(Difference(ChangeKind.REMOVED, (*pa, index + 1), None, reason))
        for index in added:
            child = b.children[index]
            reason = f"only on the right: {_label(child)}{_size(child)}"
            out.append(Difference(ChangeKind.ADDED, None, (*pb, index + 1), reason))
        for i, j in reversed(pairs):
            stack.append((a.children[i], b.children[j], (*pa, i + 1), (*pb, j + 1)))


def _order(difference: Difference) -> tuple[Path, int, Path]:
    # Pre-order of the left tree; an added item sorts by its right path.
    anchor = difference.left if difference.left is not None else difference.right
    assert anchor is not None
    return (anchor, 0 if difference.left is not None else 1, difference.right or ())


def diff_trees(left: ContentNode, right: ContentNode) -> TreeDiff:
    """Compare two content trees (see the module notes).

    Parameters
    ----------
    left, right : ContentNode
        The roots; they are always aligned with each other.

    Returns
    -------
    TreeDiff
        The differences, ordered by path.
    """
    found: list[Difference] = []
    _compare(left, right, (), (), found)
    return TreeDiff(tuple(sorted(found, key=_order)))

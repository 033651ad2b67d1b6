"""Coded-value rules: concept names, CODE values and NUM units against a row.

A template cell is a fixed code (``EV``/``DT``), a context group
(``DCID``/``BCID``), an explicit code list, a parameter resolved through the
INCLUDE bindings of the including templates, or prose (PS3.16 Section 6.1).
Enumerated values (EV) and defined context groups (DCID) are strict: a code
outside them is a FAIL. Defined terms (DT) and baseline groups (BCID) may be
replaced, so a code outside them is a WARN. Groups pydicom cannot enumerate
(CID 5000 "Language", CID 5001 "Country") are not checked.
"""

from __future__ import annotations

import functools
from enum import IntEnum
from typing import TYPE_CHECKING, TypeAlias

from rpiq.core.conformance.report import Finding, Level, item_label
from rpiq.core.sr.model import CodedConcept, format_path
from rpiq.core.templates import CodeSet, ContextGroup, FixedCode, FreeText, Parameter

if TYPE_CHECKING:
    from collections.abc import Mapping

    from rpiq.core.sr.model import ContentNode, Path
    from rpiq.core.templates import Row, Template

Cell: TypeAlias = FixedCode | ContextGroup | CodeSet
"""A resolved constraint cell (no parameter, no prose)."""

Env: TypeAlias = "Mapping[str, tuple[FixedCode | ContextGroup, ...]]"
"""Parameter bindings visible inside one template invocation."""


class Strength(IntEnum):
    """How well an item's concept name matches a row (lower is better)."""

    EXACT = 0
    UNCHECKED = 1
    BASELINE = 2


@functools.cache
def _group_keys(group: ContextGroup) -> frozenset[tuple[str, str]] | None:
    """(value, scheme) of every member, cached; ``None`` if not enumerable."""
    members = group.members()
    if members is None:
        return None
    return frozenset((str(m.value), str(m.scheme_designator)) for m in members)


def _key(code: FixedCode) -> tuple[str, str]:
    return str(code.code.value), str(code.code.scheme_designator)


def resolve(cell: object, env: Env) -> tuple[Cell, ...] | None:
    """The constraint cells of a table cell; ``None`` for an unbound parameter.

    Prose and empty cells give ``()`` (nothing to check).
    """
    if isinstance(cell, Parameter):
        return env.get(cell.name) or None
    if isinstance(cell, FixedCode | ContextGroup | CodeSet):
        return (cell,)
    return ()


def membership(cells: tuple[Cell, ...], concept: CodedConcept) -> bool | None:
    """True if a cell contains the code, None if only unknowable cells remain."""
    key = (concept.value, concept.scheme)
    unknown = False
    for cell in cells:
        if isinstance(cell, FixedCode):
            if _key(cell) == key:
                return True
        elif isinstance(cell, CodeSet):
            if any(_key(item) == key for item in cell.items):
                return True
        else:
            keys = _group_keys(cell)
            if keys is None:
                unknown = True
            elif key in keys:
                return True
    return None if unknown else False


def is_strict(cells: tuple[Cell, ...]) -> bool:
    """True when an EV code, EV code list or DCID is among the cells."""
    for cell in cells:
        if isinstance(cell, FixedCode) and cell.constraint == "EV":
            return True
        if isinstance(cell, ContextGroup) and cell.strength == "DCID":
            return True
        if isinstance(cell, CodeSet) and any(i.constraint == "EV" for i in cell.items):
            return True
    return False


def describe_cells(cells: tuple[Cell, ...]) -> str:
    """E.g. ``CID 6096 "Pregnancy Status"`` or ``(a, UCUM, "Year")``."""
    parts: list[str] = []
    for cell in cells:
        if isinstance(cell, FixedCode):
            parts.append(CodedConcept.from_code(cell.code).triple())
        elif isinstance(cell, CodeSet):
            parts += [CodedConcept.from_code(i.code).triple() for i in cell.items]
        else:
            parts.append(f'CID {cell.cid} "{cell.name}"')
    return " or ".join(parts)


def concept_strength(
    concept: CodedConcept | None, cell: object, env: Env
) -> Strength | None:
    """How an item's concept name fits a row's concept cell (None = not at all)."""
    if cell is None:
        return Strength.UNCHECKED
    cells = resolve(cell, env)
    if cells is None or not cells:
        return Strength.UNCHECKED
    if concept is None:
        return None
    verdict = membership(cells, concept)
    if verdict is True:
        return Strength.EXACT
    if verdict is None:
        return Strength.UNCHECKED
    baseline = any(isinstance(c, ContextGroup) and c.strength == "BCID" for c in cells)
    return Strength.BASELINE if baseline else None


def row_section(template: Template, row: Row, cells: tuple[Cell, ...] = ()) -> str:
    """``PS3.16 TID 9001 row 21`` plus the context groups involved."""
    section = f"PS3.16 TID {template.tid} row {row.number}"
    groups = [f"CID {c.cid}" for c in cells if isinstance(c, ContextGroup)]
    return "; ".join([section, *groups])


def _outside(
    what: str,
    code: CodedConcept,
    cells: tuple[Cell, ...],
    where: tuple[Template, Row, Path],
    rules: tuple[str, str],
) -> list[Finding]:
    """A finding for a code outside ``cells`` (none when membership is unknown)."""
    verdict = membership(cells, code)
    if verdict is not False:
        return []
    template, row, path = where
    strict = is_strict(cells)
    level, rule = (Level.FAIL, rules[0]) if strict else (Level.WARN, rules[1])
    allowed = "must" if strict else "should"
    return [
        Finding(
            level,
            rule,
            f"{item_label(path)}: {what} {code.triple()} is not "
            f"{describe_cells(cells)}, which it {allowed} be "
            f"(TID {template.tid} row {row.number}).",
            row_section(template, row, cells),
            format_path(path),
        )
    ]


def concept_findings(
    node: ContentNode, template: Template, row: Row, path: Path, env: Env
) -> list[Finding]:
    """WARN for a concept name outside a baseline (BCID) concept-name group."""
    cells = resolve(row.concept, env)
    concept = node.concept
    if not cells or concept is None or membership(cells, concept) is not False:
        return []
    return [
        Finding(
            Level.WARN,
            "content.concept-baseline",
            f"{item_label(path)}: concept name {concept.triple()} is not "
            f"in {describe_cells(cells)}, the baseline group of TID {template.tid} "
            f"row {row.number}; baseline groups may be extended, but check that "
            "the receiver understands it.",
            row_section(template, row, cells),
            format_path(path),
        )
    ]


def code_value_findings(
    node: ContentNode, template: Template, row: Row, path: Path, env: Env
) -> list[Finding]:
    """Check a CODE item's value against the row's value set."""
    cells = resolve(row.value_set, env)
    if not cells or not isinstance(node.value, CodedConcept):
        return []
    return _outside(
        "value",
        node.value,
        cells,
        (template, row, path),
        ("content.value-set", "content.value-baseline"),
    )


def units_findings(
    node: ContentNode, template: Template, row: Row, path: Path, env: Env
) -> list[Finding]:
    """Check a NUM item's units against the row's units constraint.

    TID 300 "Measurement" (not encoded) takes its units from ``$Units``.
    """
    if node.units is None:
        return []
    cell: object = row.units
    if cell is None and "$Units" in env:
        cell = Parameter("$Units")
    if isinstance(cell, FreeText):
        return []
    cells = resolve(cell, env)
    if not cells:
        return []
    return _outside(
        "units",
        node.units,
        cells,
        (template, row, path),
        ("content.units", "content.units-baseline"),
    )

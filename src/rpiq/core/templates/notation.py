"""Short constructors mirroring the PS3.16 table notation, for the table modules.

``ev(code, "meaning")`` reads like the cell ``EV (value, scheme, "meaning")``,
``dcid(6096, "Pregnancy Status")`` like ``DCID 6096 "Pregnancy Status"``, and so
on, so that each table module can be compared with the published table line by
line.

Code meanings
-------------
Code value and coding scheme designator come from the first argument, normally
a :data:`pydicom.sr.codedict.codes` attribute (or a constant of
:mod:`rpiq.core.templates.extra_codes` where pydicom lacks the code). The code
meaning always comes from the second argument, i.e. from the template table:
pydicom sometimes returns another meaning for the same code, e.g. the SNOMED CT
fully specified name "Gynecological history (observable entity)" where TID 9001
prints "Gynecological History", so content built from this catalogue carries the
template's wording. Matching never depends on meaning: ``Code.__eq__`` and
:func:`rpiq.core.templates.model.same_code` compare value and scheme only.
"""

from __future__ import annotations

from pydicom.sr.coding import Code

from rpiq.core.templates.model import Requirement, Row, Template, Vm
from rpiq.core.templates.terms import (
    Binding,
    BindingValue,
    CodeSet,
    ConceptName,
    ContextGroup,
    FixedCode,
    FreeText,
    Parameter,
    UnitsConstraint,
    ValueSet,
)


def tc(source: Code, meaning: str) -> Code:
    """Template code: value and scheme of ``source``, the table's ``meaning``."""
    return Code(source.value, source.scheme_designator, meaning)


def ev(source: Code, meaning: str) -> FixedCode:
    """``EV (value, scheme, "meaning")``: an Enumerated Value."""
    return FixedCode(tc(source, meaning), "EV")


def dt(source: Code, meaning: str) -> FixedCode:
    """``DT (value, scheme, "meaning")``: a Defined Term."""
    return FixedCode(tc(source, meaning), "DT")


def dcid(cid: int, name: str) -> ContextGroup:
    """``DCID n "name"``: a Defined Context Group."""
    return ContextGroup(cid, "DCID", name)


def bcid(cid: int, name: str) -> ContextGroup:
    """``BCID n "name"``: a Baseline Context Group."""
    return ContextGroup(cid, "BCID", name)


def param(name: str) -> Parameter:
    """``$Name``: a template parameter."""
    return Parameter(name)


def text(cell: str) -> FreeText:
    """A prose cell."""
    return FreeText(cell)


def codeset(*items: FixedCode) -> CodeSet:
    """``EV (...); EV (...)``: an explicit list of codes."""
    return CodeSet(items)


def bind(
    parameter: str, *values: BindingValue, default: BindingValue | None = None
) -> Binding:
    """``$Parameter = value[, value]`` of an INCLUDE row."""
    return Binding(parameter, values, default)


def row(
    number: int,
    nl: int,
    relationship: str | None,
    value_type: str,
    concept: ConceptName | None,
    vm: Vm,
    requirement: Requirement,
    *,
    condition: str | None = None,
    condition_codes: tuple[Code, ...] = (),
    value_set: ValueSet | None = None,
    units: UnitsConstraint | None = None,
) -> Row:
    """A content-item row: Row, NL, Rel, VT, Concept, VM, Req, then the rest."""
    return Row(
        number,
        nl,
        relationship,
        value_type,
        concept,
        vm,
        requirement,
        condition=condition,
        condition_codes=condition_codes,
        value_set=value_set,
        units=units,
    )


def inc(
    number: int,
    nl: int,
    relationship: str | None,
    tid: int,
    vm: Vm,
    requirement: Requirement,
    *bindings: Binding,
    condition: str | None = None,
    condition_codes: tuple[Code, ...] = (),
) -> Row:
    """An INCLUDE row: ``DTID tid`` with its parameter bindings."""
    return Row(
        number,
        nl,
        relationship,
        "INCLUDE",
        None,
        vm,
        requirement,
        condition=condition,
        condition_codes=condition_codes,
        include=tid,
        bindings=bindings,
    )


def template(
    tid: int,
    title: str,
    *rows: Row,
    parameters: tuple[str, ...] = (),
    extensible: bool = True,
) -> Template:
    """A template whose order is significant (true of all 16 encoded tables)."""
    return Template(tid, title, extensible, True, parameters, rows)

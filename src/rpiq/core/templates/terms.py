"""Coded terms and value-set constraints of PS3.16 template table cells.

A concept-name, value-set, units or binding cell of a template table holds one
of: a coded term ``EV``/``DT`` (:class:`FixedCode`), a context group
``DCID``/``BCID`` (:class:`ContextGroup`), a template parameter ``$Name``
(:class:`Parameter`), an explicit list of codes (:class:`CodeSet`) or prose
(:class:`FreeText`); INCLUDE rows carry :class:`Binding` objects (PS3.16
Section 6.1).

Codes are :class:`pydicom.sr.coding.Code` objects. ``Code.__eq__`` compares code
value and coding scheme designator (and scheme version, which these tables never
set), never the meaning; :func:`same_code` compares value and scheme only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeAlias

from pydicom.sr.codedict import codes

if TYPE_CHECKING:
    from pydicom.sr.coding import Code

CodeConstraint: TypeAlias = Literal["EV", "DT"]
"""``EV`` (Enumerated Value) or ``DT`` (Defined Term), PS3.16 Section 6.1."""

CidStrength: TypeAlias = Literal["DCID", "BCID"]
"""``DCID`` (Defined Context ID) or ``BCID`` (Baseline Context ID)."""


def same_code(a: Code, b: Code) -> bool:
    """Whether two codes have the same code value and coding scheme designator.

    Parameters
    ----------
    a, b : pydicom.sr.coding.Code
        Codes to compare; meanings are ignored.

    Returns
    -------
    bool
        ``True`` when value and scheme designator are equal.
    """
    return a.value == b.value and a.scheme_designator == b.scheme_designator


@dataclass(frozen=True, slots=True)
class FixedCode:
    """One coded term written in a table cell as ``EV (...)`` or ``DT (...)``.

    Attributes
    ----------
    code : pydicom.sr.coding.Code
        The code, with the meaning as printed in the template table.
    constraint : {"EV", "DT"}
        ``EV``: this code only; ``DT``: this code or another code with the same
        meaning (PS3.16 Section 6.1).
    """

    code: Code
    constraint: CodeConstraint

    def matches(self, code: Code) -> bool:
        """Whether ``code`` has this code's value and scheme designator."""
        return same_code(self.code, code)


@dataclass(frozen=True, slots=True)
class ContextGroup:
    """A context group reference written as ``DCID n "name"`` or ``BCID n "name"``.

    Attributes
    ----------
    cid : int
        Context group identifier (PS3.16 Annex B).
    strength : {"DCID", "BCID"}
        ``DCID``: codes should come from the group; ``BCID``: the group is a
        baseline and other codes may be used (PS3.16 Section 6.1).
    name : str
        Context group name as printed in the table.
    """

    cid: int
    strength: CidStrength
    name: str

    @property
    def in_pydicom(self) -> bool:
        """Whether pydicom exposes this group as ``codes.cidNNNN``."""
        return hasattr(codes, f"cid{self.cid}")

    def members(self) -> tuple[Code, ...] | None:
        """Member codes (included groups expanded) as pydicom knows them.

        Returns
        -------
        tuple of pydicom.sr.coding.Code or None
            ``None`` for groups that pydicom does not enumerate (CID 5000
            "Language" and CID 5001 "Country" use external code systems).
        """
        if not self.in_pydicom:
            return None
        group = getattr(codes, f"cid{self.cid}")
        return tuple(getattr(group, keyword) for keyword in group.dir())

    def contains(self, code: Code) -> bool | None:
        """Whether ``code`` is a member (``None`` when not enumerable)."""
        members = self.members()
        if members is None:
            return None
        return any(same_code(member, code) for member in members)


@dataclass(frozen=True, slots=True)
class Parameter:
    """A template parameter such as ``$ContainerConcept`` (PS3.16 Section 6.1).

    Attributes
    ----------
    name : str
        Parameter name including the leading ``$``.
    """

    name: str


@dataclass(frozen=True, slots=True)
class CodeSet:
    """An explicit list of codes, e.g. ``EV (255594003, SCT, "Complete"); ...``.

    Attributes
    ----------
    items : tuple of FixedCode
        The allowed codes, in table order.
    """

    items: tuple[FixedCode, ...]

    def contains(self, code: Code) -> bool:
        """Whether ``code`` matches one of the listed codes (value + scheme)."""
        return any(item.matches(code) for item in self.items)


@dataclass(frozen=True, slots=True)
class FreeText:
    """A value-set or units cell that is prose, not a machine-checkable set.

    Attributes
    ----------
    text : str
        The cell text as published.
    """

    text: str


ConceptName: TypeAlias = FixedCode | ContextGroup | Parameter
"""What the concept-name cell of a non-INCLUDE row can hold."""

ValueSet: TypeAlias = ContextGroup | CodeSet | Parameter | FreeText
"""What the value-set-constraint cell of a non-NUM row can hold."""

UnitsConstraint: TypeAlias = FixedCode | ContextGroup | FreeText
"""What constrains the measurement units of a NUM row."""

BindingValue: TypeAlias = FixedCode | ContextGroup | Parameter
"""What a parameter of an included template can be bound to."""


@dataclass(frozen=True, slots=True)
class Binding:
    """One ``$Parameter = value`` binding of an INCLUDE row.

    Attributes
    ----------
    parameter : str
        Parameter of the included template, with its ``$``.
    values : tuple of BindingValue
        Bound value(s); more than one only where the table lists several
        (TID 9000 row 7 ``$LocationValue = DCID 6018, DCID 6020``).
    default : BindingValue or None
        Value stated as "Defaults to ..." (TID 9007 row 9), else ``None``.
    """

    parameter: str
    values: tuple[BindingValue, ...]
    default: BindingValue | None = None

    @property
    def value(self) -> BindingValue:
        """The single bound value.

        Raises
        ------
        ValueError
            If the binding lists more than one value.
        """
        if len(self.values) != 1:
            raise ValueError(f"{self.parameter} is bound to {len(self.values)} values")
        return self.values[0]

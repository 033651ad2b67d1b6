"""Findings and reports of the conformance checker.

A :class:`Finding` is one observation about an RPI answer: its
:class:`Level` (FAIL, WARN or INFO), a stable rule id (listed in
``docs/conformance-checker.md``), a sentence a clinical engineer can act on,
the section of the standard it rests on, and the path of the content item it
concerns (``"root"``, ``"1.3.2"``; ``None`` for statuses and top-level
attributes), so that the GUI can select the item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from rpiq.core.sr.model import format_path

if TYPE_CHECKING:
    from collections.abc import Iterable

    from rpiq.core.sr.model import Path


class Level(StrEnum):
    """How serious a finding is."""

    FAIL = "FAIL"
    WARN = "WARN"
    INFO = "INFO"

    @property
    def rank(self) -> int:
        """2 for FAIL, 1 for WARN, 0 for INFO (higher is worse)."""
        return _RANKS[self]


_RANKS = {Level.FAIL: 2, Level.WARN: 1, Level.INFO: 0}


def item_label(path: Path) -> str:
    """``"Item 1.3"`` for a content item, ``"The root item"`` for the root."""
    return f"Item {format_path(path)}" if path else "The root item"


#: Exit codes of ``rpiq check`` (2 = unreadable input is decided by the CLI).
EXIT_CLEAN = 0
EXIT_WARNINGS = 1
EXIT_FAILURES = 3


@dataclass(frozen=True, slots=True)
class Finding:
    """One observation about an answer.

    Attributes
    ----------
    level : Level
        FAIL (not conformant), WARN (questionable or extended) or INFO.
    rule : str
        Stable rule id, e.g. ``"identity.patient-id-mismatch"``.
    message : str
        What is wrong, in plain language.
    section : str
        Where the rule comes from, e.g. ``"PS3.16 TID 9001 row 21"``.
    path : str or None
        Content item path (``"root"``, ``"1.3"``) or ``None``.
    """

    level: Level
    rule: str
    message: str
    section: str
    path: str | None = None

    def to_json(self) -> dict[str, str | None]:
        """``{"level", "rule", "message", "section", "path"}``."""
        return {
            "level": self.level.value,
            "rule": self.rule,
            "message": self.message,
            "section": self.section,
            "path": self.path,
        }

    def describe(self) -> str:
        """One line: level, path, message and section."""
        where = f"[{self.path}] " if self.path else ""
        return f"{self.level.value} {where}{self.message} ({self.section}; {self.rule})"


@dataclass(frozen=True, slots=True)
class Report:
    """Every finding about one answer, in the order the rules ran.

    Attributes
    ----------
    findings : tuple of Finding
        Status rules first, then identity, identifier and content rules.
    template : int or None
        The TID the content was checked against (``None`` if none could be).
    """

    findings: tuple[Finding, ...] = ()
    template: int | None = field(default=None)

    @classmethod
    def of(cls, findings: Iterable[Finding], template: int | None = None) -> Report:
        """Build a report from any iterable of findings."""
        return cls(tuple(findings), template)

    @property
    def worst(self) -> Level | None:
        """The most serious level present, ``None`` without findings."""
        if not self.findings:
            return None
        return max((f.level for f in self.findings), key=lambda level: level.rank)

    def at(self, level: Level) -> tuple[Finding, ...]:
        """The findings of exactly this level."""
        return tuple(f for f in self.findings if f.level is level)

    @property
    def fails(self) -> tuple[Finding, ...]:
        """The FAIL findings."""
        return self.at(Level.FAIL)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """The WARN findings."""
        return self.at(Level.WARN)

    @property
    def ok(self) -> bool:
        """True when nothing is above INFO."""
        return self.worst in (None, Level.INFO)

    def rules(self) -> frozenset[str]:
        """The ids of every rule that produced a finding."""
        return frozenset(f.rule for f in self.findings)

    def for_path(self, path: str) -> tuple[Finding, ...]:
        """The findings about the content item at ``path``."""
        return tuple(f for f in self.findings if f.path == path)

    def problems(self) -> list[str]:
        """Messages of the FAIL and WARN findings, prefixed with their level."""
        return [
            f"{f.level.value}: {f.message}"
            for f in self.findings
            if f.level is not Level.INFO
        ]

    def exit_code(self) -> int:
        """0 nothing above INFO, 1 warnings only, 3 at least one FAIL."""
        worst = self.worst
        if worst is Level.FAIL:
            return EXIT_FAILURES
        if worst is Level.WARN:
            return EXIT_WARNINGS
        return EXIT_CLEAN

    def summary(self) -> str:
        """E.g. ``"2 FAIL, 1 WARN, 0 INFO"``."""
        return ", ".join(f"{len(self.at(level))} {level.value}" for level in Level)

    def to_json(self) -> list[dict[str, str | None]]:
        """The findings as JSON objects, in order."""
        return [f.to_json() for f in self.findings]

    def lines(self, limit: int | None = None) -> list[str]:
        """A heading and one line per finding, worst first, for text output.

        Parameters
        ----------
        limit : int, optional
            Show at most this many findings, then say how many were left out.
        """
        heading = f"Conformance (PS3.4 Annex Q, PS3.16): {self.summary()}"
        if self.template is not None:
            heading += f" - checked against TID {self.template}"
        ordered = sorted(self.findings, key=lambda f: -f.level.rank)
        shown = ordered if limit is None else ordered[:limit]
        lines = [heading, *(f"  {f.describe()}" for f in shown)]
        if len(shown) < len(ordered):
            lines.append(f"  ... and {len(ordered) - len(shown)} more findings")
        return lines

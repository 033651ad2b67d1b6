"""RPI content synthesized from stored patient attributes (PS3.16, PS3.3 C.2.4).

When no SR document of the requested template is stored for a patient, the
answer's Content Sequence is built from the Patient Medical Module attributes
the archive keeps, placed along the template paths of ``rpi-templates.md``
Section 6. Concepts and value sets come from the template catalogue
(:mod:`rpiq.core.templates`); values are checked against the row's context
group. Mapping decisions (documented in ``docs/conformance.md``):

* Pregnancy Status (0010,21C0) 1-4 → TID 9001 row 21, CID 6096 (all four
  values, "unknown" included, since CID 6096 has (261665006, SCT, "Unknown")).
* Last Menstrual Date (0010,21D0) → TID 9001 row 3 (DATE).
* Smoking Status (0010,21A0): YES → TID 3802 row 15 (77176002, SCT, "Current
  Smoker"); NO → TID 3802 row 14 TEXT (365981007, SCT, "Tobacco Smoking
  Behavior") saying the patient does not smoke, because the attribute does not
  tell "never" (266919005) from "former" (8517006) smoker and a coded row 15
  value would claim one of them; UNKNOWN → omitted (CID 3724 has no "unknown").
* Additional Patient History (0010,21B0) → TID 3802 row 2 (TEXT "History").
* Allergies (0010,2110) and Medical Alerts (0010,2000) → TID 3802 row 3
  Problem List → row 4 TEXT items, one per value, concepts from CID 3769
  ((418799008, SCT, "Finding reported by patient/informant") for allergies,
  (55607006, SCT, "Problem") for alerts), the text prefixed ``Allergy:`` or
  ``Medical alert:`` so the kind of entry is never lost.
* TID 9000 has no slot for history, allergies, alerts or smoking: they are
  added as an extension, one TID 3802 container after the defined rows.
* Patient State (0038,0500) is not mapped (no template row fits in general).
* TID 1204 language (en, RFC5646) where TID 9007 (MC, as RPI root) and
  TID 9000 (M) require it.
* TID 9002-9005 have mandatory rows no attribute can fill: no synthesis (C200).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydicom.sr.codedict import codes

from rpiq.core.archive.rows import (
    LANGUAGE_TID,
    concept_of,
    included,
    language_item,
    relationship,
    row_concept,
    row_item,
    section,
    value_of,
)
from rpiq.core.templates import get_template

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from pydicom.sr.coding import Code

    from rpiq.core.archive.model import AttributeValue
    from rpiq.core.sr.model import ContentNode

_DATE = re.compile(r"^\d{8}$")

#: Pregnancy Status (US) → CID 6096 "Pregnancy Status" (PS3.3 C.2.4).
PREGNANCY_CODES: dict[int, Code] = {
    1: codes.cid6096.NotPregnant,
    2: codes.cid6096.PossiblePregnancy,
    3: codes.cid6096.PatientCurrentlyPregnant,
    4: codes.cid6096.Unknown,
}
SMOKER_CODE: Code = codes.cid3724.CurrentSmoker
NON_SMOKER_TEXT = (
    "Does not smoke (Smoking Status NO; never or former smoker not recorded)"
)
ALLERGY_CONCEPT: Code = codes.cid3769.FindingReportedByPatientInformant
ALERT_CONCEPT: Code = codes.cid3769.Problem
TOBACCO_CONCEPT: Code = codes.cid3774.TobaccoSmokingBehavior

# Row numbers along the template paths of rpi-templates.md Section 6.
_GYN, _LMP_ROW, _PREGNANCY_ROW = 9001, 3, 21
_HISTORY, _HISTORY_TEXT_ROW, _PROBLEMS_ROW, _PROBLEM_TEXT_ROW = 3802, 2, 3, 4
_SOCIAL_ROW, _SOCIAL_TEXT_ROW, _SMOKING_ROW = 12, 14, 15


@dataclass(frozen=True, slots=True)
class Synthesized:
    """Content built from patient attributes.

    Attributes
    ----------
    children : tuple of ContentNode
        The root's Content Sequence items.
    sources : tuple of AttributeValue
        The attributes that went into them (for Observation DateTime).
    """

    children: tuple[ContentNode, ...]
    sources: tuple[AttributeValue, ...]


def can_synthesize(tid: int) -> bool:
    """False when the template has a mandatory row no attribute can fill."""
    return not any(
        row.requirement == "M" and row.include != LANGUAGE_TID
        for row in get_template(tid).top_level_rows()
    )


class _Builder:
    """Collects nodes and remembers which attributes were used."""

    def __init__(self, attributes: Mapping[str, AttributeValue]) -> None:
        self.attributes = attributes
        self.used: list[AttributeValue] = []

    def take(self, keyword: str) -> AttributeValue | None:
        found = self.attributes.get(keyword)
        if found is not None:
            self.used.append(found)
        return found

    def gynecological_items(self) -> list[ContentNode]:
        """TID 9001 rows 3 (LMP) and 21 (pregnancy), in row order."""
        items: list[ContentNode] = []
        lmp = self.attributes.get("LastMenstrualDate")
        if lmp is not None and _DATE.match(str(lmp.value)):
            self.take("LastMenstrualDate")
            items.append(row_item(_GYN, _LMP_ROW, str(lmp.value)))
        pregnancy = self.attributes.get("PregnancyStatus")
        value = pregnancy.value if pregnancy is not None else None
        code = PREGNANCY_CODES.get(value) if isinstance(value, int) else None
        if code is not None:
            self.take("PregnancyStatus")
            concept = value_of(_GYN, _PREGNANCY_ROW, code)
            items.append(row_item(_GYN, _PREGNANCY_ROW, concept))
        return items

    def history_items(self) -> list[ContentNode]:
        """TID 3802 rows 2 (history), 3-4 (problem list), 12-15 (smoking)."""
        items: list[ContentNode] = []
        history = self.take("AdditionalPatientHistory")
        if history is not None:
            items.append(row_item(_HISTORY, _HISTORY_TEXT_ROW, history.as_text()))
        problems = self._problem_items()
        if problems:
            concept = row_concept(_HISTORY, _PROBLEMS_ROW)
            rel = relationship(_HISTORY, _PROBLEMS_ROW)
            items.append(section(concept, rel, problems))
        smoking = self._smoking_item()
        if smoking is not None:
            concept = row_concept(_HISTORY, _SOCIAL_ROW)
            rel = relationship(_HISTORY, _SOCIAL_ROW)
            items.append(section(concept, rel, [smoking]))
        return items

    def _problem_items(self) -> list[ContentNode]:
        items: list[ContentNode] = []
        for keyword, code, label in (
            ("Allergies", ALLERGY_CONCEPT, "Allergy"),
            ("MedicalAlerts", ALERT_CONCEPT, "Medical alert"),
        ):
            found = self.take(keyword)
            if found is None:
                continue
            concept = concept_of(_HISTORY, _PROBLEM_TEXT_ROW, code)
            values = (
                found.value if isinstance(found.value, tuple) else (str(found.value),)
            )
            items.extend(
                row_item(
                    _HISTORY, _PROBLEM_TEXT_ROW, f"{label}: {text}", concept=concept
                )
                for text in values
            )
        return items

    def _smoking_item(self) -> ContentNode | None:
        smoking = self.attributes.get("SmokingStatus")
        status = str(smoking.value).upper() if smoking is not None else ""
        if status == "YES":
            self.take("SmokingStatus")
            value = value_of(_HISTORY, _SMOKING_ROW, SMOKER_CODE)
            return row_item(_HISTORY, _SMOKING_ROW, value)
        if status == "NO":
            self.take("SmokingStatus")
            concept = concept_of(_HISTORY, _SOCIAL_TEXT_ROW, TOBACCO_CONCEPT)
            return row_item(
                _HISTORY, _SOCIAL_TEXT_ROW, NON_SMOKER_TEXT, concept=concept
            )
        return None

    def template_container(self, parent_tid: int, child_tid: int) -> list[ContentNode]:
        """The container of an included TID 9001/3802, if it has content."""
        items = (
            self.gynecological_items() if child_tid == _GYN else self.history_items()
        )
        if not items:
            return []
        return [included(parent_tid, child_tid, items)]


def _general(b: _Builder) -> list[ContentNode]:
    """TID 9007: row 2 language, row 10 TID 9001, row 12 TID 3802."""
    return [
        language_item(9007),
        *b.template_container(9007, _GYN),
        *b.template_container(9007, _HISTORY),
    ]


def _breast(b: _Builder) -> list[ContentNode]:
    """TID 9000: row 2 language, row 4 TID 9001, then TID 3802 (extension)."""
    return [
        language_item(9000),
        *b.template_container(9000, _GYN),
        *b.template_container(9000, _HISTORY),
    ]


_BUILDERS: dict[int, Callable[[_Builder], list[ContentNode]]] = {
    9007: _general,
    9000: _breast,
    3802: _Builder.history_items,
    9001: _Builder.gynecological_items,
}


def synthesize(
    tid: int, attributes: Mapping[str, AttributeValue]
) -> Synthesized | None:
    """Content of RPI root ``tid`` built from the patient's attributes.

    Parameters
    ----------
    tid : int
        A PS3.16 Annex K root template.
    attributes : mapping of str to AttributeValue
        The patient's latest attribute values, by keyword.

    Returns
    -------
    Synthesized or None
        ``None`` when the template has mandatory content that attributes
        cannot supply (TID 9002-9005). Templates without a mapping (TID 9006)
        get an empty Content Sequence, which all their rows allow.
    """
    if not can_synthesize(tid):
        return None
    builder = _Builder(attributes)
    build = _BUILDERS.get(tid)
    children = build(builder) if build is not None else []
    return Synthesized(tuple(children), tuple(builder.used))

"""A hand-built corpus of good and bad RPI answers, with the expected verdicts.

Every bad case is one deliberate defect applied to a good example of
:mod:`rpiq.core.conformance.examples`, grouped by rule family (status,
identity, identifier, content). Each case names the rule ids that must be
reported and the exit code ``rpiq check`` must give. The tests run the
checker over all of it; the GUI can offer it as a demo of what the checker
catches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes
from pydicom.sr.coding import Code

from rpiq.core.conformance.examples import (
    Example,
    annex_ee,
    good_3802,
    good_9000,
    good_9007,
)
from rpiq.core.conformance.report import EXIT_CLEAN, EXIT_FAILURES, EXIT_WARNINGS
from rpiq.core.conformance.responses import SimpleResponse, pending, success
from rpiq.core.status import RpiqStatus, describe
from rpiq.core.templates import RpiSopClass

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Case", "cases"]

_PENDING_AND_SUCCESS = 2
_NOT_PREGNANCY = Code("73211009", "SCT", "Diabetes mellitus")
_NOT_A_SUBSTANCE = Code("229819007", "SCT", "Tobacco use and exposure")


@dataclass(frozen=True, slots=True)
class Case:
    """One exchange and what the checker must say about it.

    Attributes
    ----------
    name : str
        Stable name, e.g. ``"identity-wrong-id"``.
    family : str
        ``good``, ``status``, ``identity``, ``identifier`` or ``content``.
    description : str
        The defect, in one line.
    sop_class : RpiSopClass
        SOP class of the exchange.
    request : Dataset
        The request identifier.
    responses : tuple of SimpleResponse
        The responses as received.
    rules : frozenset of str
        Rule ids that must be among the findings.
    exit_code : int
        Expected :meth:`Report.exit_code` (0, 1 or 3).
    """

    name: str
    family: str
    description: str
    sop_class: RpiSopClass
    request: Dataset
    responses: tuple[SimpleResponse, ...]
    rules: frozenset[str]
    exit_code: int

    @property
    def identifier(self) -> Dataset | None:
        """The answer as one file, when the exchange is one Pending + Success."""
        if len(self.responses) != _PENDING_AND_SUCCESS:
            return None
        first, last = self.responses
        if first.status.code != RpiqStatus.PENDING or last.identifier is not None:
            return None
        if last.status.code != RpiqStatus.SUCCESS:
            return None
        return first.identifier


def _at(ds: Dataset, path: str) -> Dataset:
    """The content item at a dotted path (``"4.3"``) of an identifier."""
    item = ds
    for part in path.split("."):
        item = item.ContentSequence[int(part) - 1]
    return item


def _code(code: Code) -> Dataset:
    item = Dataset()
    item.CodeValue = code.value
    item.CodingSchemeDesignator = code.scheme_designator
    item.CodeMeaning = code.meaning
    return item


def _case(
    example: Example,
    name: str,
    description: str,
    rules: tuple[str, ...],
    exit_code: int,
    responses: tuple[SimpleResponse, ...] | None = None,
) -> Case:
    family = name.split("-", 1)[0]
    if responses is None:
        responses = (pending(example.response), success())
    return Case(
        name,
        family,
        description,
        example.sop_class,
        example.request,
        responses,
        frozenset(rules),
        exit_code,
    )


def _good() -> list[Case]:
    return [
        _case(good_9007(), "good-9007", "Conformant TID 9007 answer", (), EXIT_CLEAN),
        _case(good_9000(), "good-9000", "Conformant TID 9000 answer", (), EXIT_CLEAN),
        _case(good_3802(), "good-3802", "Conformant TID 3802 answer", (), EXIT_CLEAN),
        _case(
            annex_ee(),
            "good-annex-ee",
            "PS3.17 Annex EE example (Subject Age is an extension)",
            ("content.extension",),
            EXIT_WARNINGS,
        ),
    ]


def _status() -> list[Case]:
    ex = good_9007()
    answer = ex.response
    final = describe(RpiqStatus.SUCCESS)
    table: list[tuple[str, str, tuple[SimpleResponse, ...], str, int]] = [
        (
            "status-two-pendings",
            "Two Pending responses",
            (pending(answer), pending(answer), success()),
            "status.multiple-pending",
            EXIT_FAILURES,
        ),
        (
            "status-no-final",
            "A Pending and no final status",
            (pending(answer),),
            "status.no-final",
            EXIT_FAILURES,
        ),
        (
            "status-response-after-final",
            "A second Success after the final Success",
            (pending(answer), success(), success()),
            "status.order",
            EXIT_FAILURES,
        ),
        (
            "status-success-with-identifier",
            "Success repeats the identifier (pynetdicom's RPI SCP)",
            (pending(answer), SimpleResponse(final, answer)),
            "status.final-identifier",
            EXIT_WARNINGS,
        ),
        (
            "status-pending-without-identifier",
            "A Pending without identifier",
            (pending(None), success()),
            "status.pending-no-identifier",
            EXIT_FAILURES,
        ),
        (
            "status-no-response",
            "The association was lost before the final status",
            (pending(answer), SimpleResponse(describe(None))),
            "status.no-response",
            EXIT_FAILURES,
        ),
    ]
    return [
        _case(ex, name, text, (rule,), code, responses)
        for name, text, responses, rule, code in table
    ]


def _identity() -> list[Case]:
    cases = []
    ex = good_9007()
    ex.response.PatientID = "SOMEONE-ELSE"
    cases.append(
        _case(
            ex,
            "identity-wrong-id",
            "Answer for another Patient ID",
            ("identity.patient-id-mismatch",),
            EXIT_FAILURES,
        )
    )
    ex = good_9007()
    del ex.response.PatientID
    cases.append(
        _case(
            ex,
            "identity-no-id",
            "Answer without Patient ID",
            ("identity.patient-id-missing",),
            EXIT_FAILURES,
        )
    )
    ex = good_9007()
    ex.request.IssuerOfPatientID = "HOSP-A"
    ex.response.IssuerOfPatientID = "HOSP-B"
    cases.append(
        _case(
            ex,
            "identity-issuer-mismatch",
            "Answer from another issuer",
            ("identity.issuer-mismatch",),
            EXIT_FAILURES,
        )
    )
    ex = good_9007()
    ex.request.IssuerOfPatientID = "HOSP-A"
    del ex.response.IssuerOfPatientID
    cases.append(
        _case(
            ex,
            "identity-issuer-dropped",
            "Issuer asked for, none returned",
            ("identity.issuer-mismatch",),
            EXIT_FAILURES,
        )
    )
    return cases


def _identifier() -> list[Case]:
    cases = []
    ex = good_9007()
    ex.response.ConceptNameCodeSequence = [_code(Code("999999", "99X", "Not a root"))]
    cases.append(
        _case(
            ex,
            "identifier-wrong-root",
            "Root concept is not TID 9007 row 1",
            ("identifier.root-concept",),
            EXIT_FAILURES,
        )
    )
    ex = good_9007()
    ex.response.ValueType = "TEXT"
    ex.response.TextValue = "Relevant patient information"
    cases.append(
        _case(
            ex,
            "identifier-root-not-container",
            "Root Value Type is TEXT",
            ("identifier.root-value-type",),
            EXIT_FAILURES,
        )
    )
    ex = good_9007()
    ex.response.ContentTemplateSequence[0].TemplateIdentifier = "9000"
    cases.append(
        _case(
            ex,
            "identifier-template-echo",
            "Content Template Sequence says 9000",
            ("identifier.template-sequence",),
            EXIT_FAILURES,
        )
    )
    ex = good_9007()
    del ex.response.ContentTemplateSequence
    cases.append(
        _case(
            ex,
            "identifier-no-template",
            "No Content Template Sequence",
            ("identifier.template-sequence",),
            EXIT_FAILURES,
        )
    )
    ex = good_9007()
    ex.response.Allergies = ["Penicillin"]
    cases.append(
        _case(
            ex,
            "identifier-extra-attribute",
            "Allergies (0010,2110) at top level",
            ("identifier.unexpected-attribute",),
            EXIT_WARNINGS,
        )
    )
    ex = good_9007()
    ex.response.PatientAge = "054Y"
    cases.append(
        _case(
            ex,
            "identifier-not-requested",
            "Patient's Age returned unasked",
            ("identifier.not-requested",),
            EXIT_WARNINGS,
        )
    )
    ex = good_9000()
    ex = Example(ex.name, ex.title, RpiSopClass.CARDIAC, ex.request, ex.response)
    cases.append(
        _case(
            ex,
            "identifier-template-not-allowed",
            "TID 9000 on the Cardiac class",
            ("identifier.template-not-allowed",),
            EXIT_FAILURES,
        )
    )
    return cases


def _mutated(
    build: Callable[[], Example], change: Callable[[Dataset], None]
) -> Example:
    example = build()
    change(example.response)
    return example


def _by_reference(ds: Dataset) -> None:
    item = Dataset()
    item.RelationshipType = "CONTAINS"
    item.ReferencedContentItemIdentifier = [1, 4]
    ds.ContentSequence.append(item)


def _no_units(ds: Dataset) -> None:
    del _at(ds, "4.3").MeasuredValueSequence[0].MeasurementUnitsCodeSequence


def _wrong_units(ds: Dataset) -> None:
    measured = _at(ds, "4.3").MeasuredValueSequence[0]
    measured.MeasurementUnitsCodeSequence = [_code(codes.UCUM.Year)]


def _repeat(ds: Dataset) -> None:
    gynecological = _at(ds, "4")
    gynecological.ContentSequence.append(gynecological.ContentSequence[3])


def _swap(ds: Dataset) -> None:
    items = list(ds.ContentSequence)
    items[2], items[3] = items[3], items[2]
    ds.ContentSequence = items


def _subject_age(ds: Dataset) -> None:
    source = annex_ee().response.ContentSequence[1]
    ds.ContentSequence.append(source)


def _country_text(ds: Dataset) -> None:
    comment = Dataset()
    comment.RelationshipType = "HAS CONCEPT MOD"
    comment.ValueType = "TEXT"
    comment.ConceptNameCodeSequence = [_code(codes.DCM.Comment)]
    comment.TextValue = "English, as spoken in Canada"
    _at(ds, "1").ContentSequence = [comment]


def _substance(ds: Dataset) -> None:
    used = Dataset()
    used.RelationshipType = "CONTAINS"
    used.ValueType = "CODE"
    used.ConceptNameCodeSequence = [_code(codes.DCM.UsedSubstanceType)]
    used.ConceptCodeSequence = [_code(_NOT_A_SUBSTANCE)]
    history = Dataset()
    history.RelationshipType = "CONTAINS"
    history.ValueType = "CONTAINER"
    history.ConceptNameCodeSequence = [_code(codes.DCM.SubstanceUseHistory)]
    history.ContinuityOfContent = "SEPARATE"
    history.ContentSequence = [used]
    items = list(ds.ContentSequence)
    items.insert(2, history)
    ds.ContentSequence = items


def _xor(ds: Dataset) -> None:
    timeframe = Dataset()
    timeframe.RelationshipType = "HAS PROPERTIES"
    timeframe.ValueType = "CODE"
    timeframe.ConceptNameCodeSequence = [_code(codes.DCM.EstimatedTimeframe)]
    timeframe.ConceptCodeSequence = [_code(codes.cid6164.GreaterThan1YearAgo)]
    _at(ds, "4.1").ContentSequence.append(timeframe)


def _content_table() -> list[tuple[str, str, Example, str, int]]:
    return [
        (
            "content-by-reference",
            "A by-reference item",
            _mutated(good_9007, _by_reference),
            "content.by-reference",
            EXIT_FAILURES,
        ),
        (
            "content-value-outside-dcid",
            "Pregnancy status outside DCID 6096",
            _mutated(
                good_9007,
                lambda ds: setattr(
                    _at(ds, "4.4"), "ConceptCodeSequence", [_code(_NOT_PREGNANCY)]
                ),
            ),
            "content.value-set",
            EXIT_FAILURES,
        ),
        (
            "content-missing-language",
            "TID 9007 root without its TID 1204 language",
            _mutated(good_9007, lambda ds: ds.ContentSequence.pop(0)),
            "content.mandatory-missing",
            EXIT_FAILURES,
        ),
        (
            "content-num-without-units",
            "Para has a value but no units",
            _mutated(good_9007, _no_units),
            "content.num-units",
            EXIT_FAILURES,
        ),
        (
            "content-wrong-units",
            "Para in years instead of no units",
            _mutated(good_9007, _wrong_units),
            "content.units",
            EXIT_FAILURES,
        ),
        (
            "content-repeated-row",
            "Two pregnancy status items",
            _mutated(good_9007, _repeat),
            "content.vm",
            EXIT_FAILURES,
        ),
        (
            "content-out-of-order",
            "Gynecological history before risk factors",
            _mutated(good_9007, _swap),
            "content.order",
            EXIT_WARNINGS,
        ),
        (
            "content-extension",
            "Subject Age NUM under the TID 9007 root",
            _mutated(good_9007, _subject_age),
            "content.extension",
            EXIT_WARNINGS,
        ),
        (
            "content-not-in-template",
            "A TEXT under the TID 1204 language item",
            _mutated(good_9007, _country_text),
            "content.not-in-template",
            EXIT_FAILURES,
        ),
        (
            "content-charset",
            "Non-ASCII name without Specific Character Set",
            _mutated(good_9007, lambda ds: setattr(ds, "PatientName", "Müller^Anna")),
            "content.charset",
            EXIT_FAILURES,
        ),
        (
            "content-value-baseline",
            "Used substance outside BCID 6089",
            _mutated(good_9007, _substance),
            "content.value-baseline",
            EXIT_WARNINGS,
        ),
        (
            "content-xor",
            "Procedure DateTime and Estimated Timeframe together",
            _mutated(good_9000, _xor),
            "content.xor",
            EXIT_FAILURES,
        ),
        (
            "content-family-member-missing",
            "Family history without the relative",
            _mutated(good_3802, lambda ds: delattr(_at(ds, "7.1"), "ContentSequence")),
            "content.mandatory-missing",
            EXIT_FAILURES,
        ),
        (
            "content-unreadable",
            "A CODE item without its value",
            _mutated(
                good_9007, lambda ds: delattr(_at(ds, "4.4"), "ConceptCodeSequence")
            ),
            "content.unreadable",
            EXIT_FAILURES,
        ),
        (
            "content-no-relationship",
            "An item without Relationship Type",
            _mutated(good_9007, lambda ds: delattr(_at(ds, "2"), "RelationshipType")),
            "content.relationship",
            EXIT_FAILURES,
        ),
    ]


def _content() -> list[Case]:
    return [
        _case(example, name, text, (rule,), code)
        for name, text, example, rule, code in _content_table()
    ]


def cases() -> tuple[Case, ...]:
    """Every case of the corpus (fresh datasets on each call)."""
    return (*_good(), *_status(), *_identity(), *_identifier(), *_content())

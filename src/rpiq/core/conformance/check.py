"""Entry points of the checker: :func:`check_answer` and :func:`check_identifier`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rpiq.core.conformance.content_rules import check_charset, check_items
from rpiq.core.conformance.identifier_rules import (
    check_attributes,
    check_root,
    check_template_allowed,
    check_template_sequence,
    template_identifier,
    template_number,
)
from rpiq.core.conformance.identity_rules import check_identity
from rpiq.core.conformance.report import Finding, Level, Report
from rpiq.core.conformance.responses import first_pending, pending, success
from rpiq.core.conformance.status_rules import check_status
from rpiq.core.conformance.template_rules import check_template
from rpiq.core.sr.parse import parse_content
from rpiq.core.templates import ANNEX_K_ROOTS, RpiSopClass

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pydicom.dataset import Dataset

    from rpiq.core.conformance.responses import ResponseLike
    from rpiq.core.sr.model import ContentNode


def check_answer(
    request: Dataset | None,
    responses: Sequence[ResponseLike],
    sop_class: RpiSopClass,
    template: int | None = None,
    *,
    root: ContentNode | None = None,
) -> Report:
    """Check one RPI answer against PS3.4 Annex Q and the PS3.16 template.

    Parameters
    ----------
    request : Dataset or None
        The request identifier (e.g. ``QueryRequest.to_identifier()``);
        ``None`` when unknown: identity is then not compared and the template
        comes from the answer's own Content Template Sequence.
    responses : sequence of ResponseLike
        Every response in order (``status`` and ``identifier``).
    sop_class : RpiSopClass
        The SOP class queried.
    template : int, optional
        The TID to check against; default the request's, else the answer's,
        else the SOP class's own.
    root : ContentNode, optional
        The already parsed first Pending identifier, to avoid parsing twice.

    Returns
    -------
    Report
        Every finding. Never raises: an internal error becomes a WARN finding.
    """
    try:
        return _check(request, responses, sop_class, template, root)
    except Exception as exc:  # noqa: BLE001 - a checker bug must not break a query
        return Report.of(
            [
                Finding(
                    Level.WARN,
                    "checker.internal-error",
                    "The conformance check could not finish "
                    f"({type(exc).__name__}: {exc}); the answer was not fully "
                    "checked.",
                    "rpiq",
                )
            ]
        )


def check_identifier(
    identifier: Dataset,
    request: Dataset | None = None,
    sop_class: RpiSopClass = RpiSopClass.GENERAL,
    template: int | None = None,
) -> Report:
    """Check a saved answer identifier (as ``rpiq query --output`` writes it).

    The identifier is treated as the Pending response of a normal exchange
    (one Pending, then Success), so only identity, identifier and content
    rules can report anything.

    Parameters
    ----------
    identifier : Dataset
        The answer identifier.
    request : Dataset, optional
        The request identifier, if known.
    sop_class : RpiSopClass
        The SOP class the answer was for (default General).
    template : int, optional
        The TID to check against (see :func:`check_answer`).

    Returns
    -------
    Report
        Every finding.
    """
    return check_answer(request, (pending(identifier), success()), sop_class, template)


def resolve_template(
    template: int | None,
    request: Dataset | None,
    answer: Dataset | None,
    sop_class: RpiSopClass,
) -> int:
    """The TID to check against: explicit, else request's, answer's, SOP class's."""
    if template is not None:
        return template
    for ds in (request, answer):
        if ds is not None:
            number = template_number(template_identifier(ds)[1])
            if number is not None:
                return number
    return sop_class.default_tid


def _check(
    request: Dataset | None,
    responses: Sequence[ResponseLike],
    sop_class: RpiSopClass,
    template: int | None,
    root: ContentNode | None,
) -> Report:
    findings = check_status(responses)
    match = first_pending(responses)
    if match is None or match.identifier is None:
        return Report.of(findings)
    answer = match.identifier
    tree = root if root is not None else parse_content(answer)
    tid = resolve_template(template, request, answer, sop_class)
    requested = None
    if template is None and request is not None:
        requested = template_identifier(request)[1]
    findings += check_identity(request, answer)
    findings += check_template_allowed(sop_class, tid)
    findings += check_template_sequence(answer, tid, requested)
    findings += check_attributes(request, answer)
    findings += check_items(tree)
    findings += check_charset(tree, answer)
    if tid in ANNEX_K_ROOTS:
        findings += check_root(tree, answer, tid)
        findings += check_template(tree, tid)
    else:
        findings.append(
            Finding(
                Level.INFO,
                "content.not-checked",
                f"TID {tid} is not a PS3.16 Annex K root template, so the content "
                "was not checked against a template.",
                "PS3.16 Annex K",
                "root",
            )
        )
    return Report.of(findings, tid)

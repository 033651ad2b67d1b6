"""``rpiq query``: one RPI C-FIND (or N, timed), printed as tree, JSON or dump."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rpiq.cli.common import (
    Exit,
    add_peer_arguments,
    error,
    print_json,
    profile_from_args,
)
from rpiq.core.errors import ConnectionFailed
from rpiq.core.query.engine import QuerySession, run_query
from rpiq.core.query.events import Done, Failed, Match, QueryEvent
from rpiq.core.query.export import write_identifier
from rpiq.core.query.request import QueryRequest
from rpiq.core.sr.render import node_to_json, render_text
from rpiq.core.status import Category
from rpiq.core.templates import RpiSopClass

if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterable, Iterator

    from rpiq.core.profiles import AEProfile


@dataclass
class Outcome:
    """What one query produced, folded from its events."""

    match: Match | None = None
    done: Done | None = None
    failed: Failed | None = None
    timings: list[float] = field(default_factory=list)

    def absorb(self, events: Iterable[QueryEvent]) -> None:
        """Fold the events of one query into this outcome."""
        self.match, self.done, self.failed = None, None, None
        for event in events:
            if isinstance(event, Match):
                self.match = event
            elif isinstance(event, Done):
                self.done = event
                self.timings.append(event.elapsed_ms)
            elif isinstance(event, Failed):
                self.failed = event

    def exit_code(self) -> Exit:
        """Exit code as documented in the README."""
        if self.failed is not None:
            cancelled = self.failed.kind == "cancelled"
            return Exit.PEER_FAILURE if cancelled else Exit.NO_ASSOCIATION
        assert self.done is not None
        if self.done.status.category in (Category.SUCCESS, Category.PENDING):
            return Exit.OK if self.match is not None else Exit.NO_MATCH
        return Exit.PEER_FAILURE


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``query``."""
    p = sub.add_parser(
        "query",
        help="query a patient's relevant information (C-FIND)",
        description="Send one Relevant Patient Information C-FIND (PS3.4 Annex Q) "
        "and print the answer. Exit codes: 0 a match was returned; 1 success, no "
        "match; 2 usage or invalid input; 3 the peer answered with a failure or "
        "cancel status; 4 no association (refused, rejected, aborted, timed out).",
    )
    add_peer_arguments(p)
    p.add_argument(
        "--patient-id",
        "-k",
        required=True,
        metavar="ID",
        help="Patient ID (single value, no wildcards)",
    )
    p.add_argument("--issuer", metavar="ISSUER", help="Issuer of Patient ID")
    p.add_argument(
        "--sop",
        choices=[s.keyword for s in RpiSopClass],
        default="general",
        help="RPI SOP class (default general)",
    )
    p.add_argument(
        "--template",
        type=int,
        metavar="TID",
        help="template to request; default the SOP class's own "
        "(9007/9000/3802); general accepts any PS3.16 Annex K root",
    )
    p.add_argument("--format", choices=("tree", "json", "dump"), default="tree")
    p.add_argument(
        "--output",
        "-o",
        type=Path,
        metavar="FILE",
        help="save the answer identifier as .dcm (Part 10) or .json",
    )
    p.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="run N queries and report median and p95 timing",
    )
    p.add_argument(
        "--keep-association",
        action="store_true",
        help="with --repeat, run all queries on one association",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run ``rpiq query``."""
    request = QueryRequest(
        args.patient_id, args.issuer, RpiSopClass.from_keyword(args.sop), args.template
    )
    profile = profile_from_args(args)
    request = request.preferring(profile.character_set)
    if args.repeat < 1:
        error("--repeat must be at least 1.")
        return Exit.USAGE
    outcome = Outcome()
    runs = (
        _keep(profile, request, args.repeat)
        if args.keep_association
        else (run_query(profile, request) for _ in range(args.repeat))
    )
    try:
        for events in runs:
            outcome.absorb(events)
            if outcome.failed is not None:
                break
    except ConnectionFailed as exc:
        outcome.failed = Failed(exc.kind, str(exc))
    if args.output is not None and outcome.match is not None:
        write_identifier(args.output, outcome.match.identifier, request.sop_class.uid)
    _print(args.format, request, outcome)
    return outcome.exit_code()


def _keep(
    profile: AEProfile, request: QueryRequest, repeat: int
) -> Iterator[Iterator[QueryEvent]]:
    with QuerySession(profile, (request.sop_class,)) as session:
        for _ in range(repeat):
            yield session.query(request)


def _timing(timings: list[float]) -> dict[str, float | int] | None:
    if not timings:
        return None
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median": round(statistics.median(ordered), 3),
        "p95": round(p95, 3),
        "runs": len(ordered),
    }


def _print(fmt: str, request: QueryRequest, outcome: Outcome) -> None:
    if fmt == "json":
        print_json(to_json(request, outcome))
    elif fmt == "dump":
        print(_dump(outcome))
    else:
        print(_tree(request, outcome))


def _status_json(outcome: Outcome) -> dict[str, object]:
    if outcome.failed is not None:
        return {
            "code": None,
            "category": Category.NO_RESPONSE.value,
            "meaning": outcome.failed.message,
        }
    assert outcome.done is not None
    status = outcome.done.status
    return {
        "code": status.code,
        "category": status.category.value,
        "meaning": status.meaning,
    }


def to_json(request: QueryRequest, outcome: Outcome) -> dict[str, object]:
    """The ``--format json`` object (schema in the README)."""
    matches = []
    if outcome.match is not None:
        p = outcome.match.patient
        matches.append(
            {
                "patient": {
                    "PatientID": p.patient_id,
                    "IssuerOfPatientID": p.issuer,
                    "PatientName": p.name,
                    "PatientBirthDate": p.birth_date,
                    "PatientSex": p.sex,
                },
                "template": _answered_template(outcome.match, request),
                "root": node_to_json(outcome.match.root),
            }
        )
    problems = list(outcome.done.problems) if outcome.done else []
    report = outcome.done.report if outcome.done else None
    if report is not None:
        problems += report.problems()
    failure = outcome.failed
    return {
        "status": _status_json(outcome),
        "failure": (
            None
            if failure is None
            else {"kind": failure.kind, "message": failure.message}
        ),
        "matches": matches,
        "problems": problems,
        "findings": report.to_json() if report is not None else [],
        "timing_ms": _timing(outcome.timings),
    }


def _answered_template(match: Match, request: QueryRequest) -> str:
    template = match.root.template
    return template[1] if template else str(request.tid)


def _dump(outcome: Outcome) -> str:
    lines = []
    if outcome.match is not None:
        lines.append(str(outcome.match.identifier))
    lines.append(_status_line(outcome))
    return "\n".join(lines)


def _status_line(outcome: Outcome) -> str:
    if outcome.failed is not None:
        return f"Failed ({outcome.failed.kind}): {outcome.failed.message}"
    assert outcome.done is not None
    timing = _timing(outcome.timings)
    extra = ""
    if timing and timing["runs"] > 1:
        extra = (
            f" — {timing['runs']} runs, median {timing['median']:.1f} ms, "
            f"p95 {timing['p95']:.1f} ms"
        )
    else:
        extra = f" — {outcome.done.elapsed_ms:.1f} ms"
    return f"Status: {outcome.done.status.describe()}{extra}"


_FINDINGS_SHOWN = 40  # under the tree; --format json lists them all


def _tree(request: QueryRequest, outcome: Outcome) -> str:
    lines = [f"Query: {request.describe()}"]
    if outcome.match is not None:
        p = outcome.match.patient
        lines += [
            f"Patient: {p.name or '(no name)'}  ID {p.patient_id}"
            f"{'  issuer ' + p.issuer if p.issuer else ''}",
            f"Born: {p.birth_date or '-'}  Sex: {p.sex or '-'}",
            f"Template: TID {_answered_template(outcome.match, request)}",
            "",
            render_text(outcome.match.root),
            "",
        ]
    elif outcome.done is not None and outcome.done.status.category is Category.SUCCESS:
        lines.append("No patient matched.")
    if outcome.done is not None:
        lines += [f"Problem: {text}" for text in outcome.done.problems]
        if outcome.done.report is not None:
            lines += outcome.done.report.lines(limit=_FINDINGS_SHOWN)
    lines.append(_status_line(outcome))
    return "\n".join(lines)


__all__ = ["add_parser", "run", "to_json"]

"""``rpiq check``: conformance report for a saved RPI answer (.dcm or DICOM JSON)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rpiq.cli.common import print_json
from rpiq.core.conformance import check_identifier
from rpiq.core.errors import RpiqError
from rpiq.core.query.export import read_identifier
from rpiq.core.templates import RpiSopClass

if TYPE_CHECKING:
    import argparse

    from pydicom.dataset import Dataset

    from rpiq.core.conformance import Report


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``check``."""
    p = sub.add_parser(
        "check",
        help="check a saved answer against PS3.4 Annex Q and its PS3.16 template",
        description="Check an RPI answer identifier (as written by 'rpiq query "
        "--output', Part 10 .dcm or DICOM JSON) against PS3.4 Annex Q and the rows "
        "of its PS3.16 template. Exit codes: 0 no findings above INFO; 1 warnings "
        "only; 3 at least one FAIL; 2 unreadable input or usage error.",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="the answer (.dcm or .json)")
    p.add_argument(
        "--request",
        type=Path,
        metavar="FILE",
        help="the request identifier, to compare Patient ID, issuer and template",
    )
    p.add_argument(
        "--sop",
        choices=[s.keyword for s in RpiSopClass],
        help="SOP class of the answer (default: from the file meta, else general)",
    )
    p.add_argument(
        "--template",
        type=int,
        metavar="TID",
        help="template to check against (default: the request's, else the "
        "answer's Content Template Sequence, else the SOP class's own)",
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=run)


def _read(path: Path) -> Dataset:
    """Read a .dcm or DICOM JSON identifier; anything unreadable is an RpiqError."""
    try:
        return read_identifier(path)
    except RpiqError:
        raise
    except Exception as exc:  # noqa: BLE001 - any unreadable input is exit code 2
        raise RpiqError(
            f"{path} is not a readable DICOM or DICOM JSON file: {exc}"
        ) from None


def _sop_class(keyword: str | None, answer: Dataset) -> RpiSopClass:
    """The ``--sop`` choice, else the Media Storage SOP Class of a Part 10 file."""
    if keyword is not None:
        return RpiSopClass.from_keyword(keyword)
    meta = getattr(answer, "file_meta", None)
    uid = None if meta is None else meta.get("MediaStorageSOPClassUID")
    try:
        return RpiSopClass.from_uid(str(uid)) if uid else RpiSopClass.GENERAL
    except ValueError:
        return RpiSopClass.GENERAL


def run(args: argparse.Namespace) -> int:
    """Run ``rpiq check``."""
    answer = _read(args.file)
    request = _read(args.request) if args.request is not None else None
    sop = _sop_class(args.sop, answer)
    report = check_identifier(answer, request, sop, args.template)
    if args.format == "json":
        print_json(to_json(args.file, sop, report))
    else:
        print(f"Checked {args.file} as {sop.label} RPI answer")
        print("\n".join(report.lines()))
    return report.exit_code()


def to_json(path: Path, sop: RpiSopClass, report: Report) -> dict[str, object]:
    """The ``--format json`` object of ``rpiq check``."""
    return {
        "file": str(path),
        "sop_class": sop.keyword,
        "template": report.template,
        "summary": {
            "FAIL": len(report.fails),
            "WARN": len(report.warnings),
            "INFO": len(report.findings) - len(report.fails) - len(report.warnings),
        },
        "exit_code": report.exit_code(),
        "findings": report.to_json(),
    }


__all__ = ["add_parser", "run", "to_json"]

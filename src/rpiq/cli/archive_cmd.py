"""``rpiq archive``: import, list, show and seed the local archive.

Every action takes ``--archive DIR`` (default: the app data dir, which
``RPIQ_HOME`` overrides). Exit codes: 0 done; 1 ``import`` skipped some
DICOM files (reported by name) or ``show`` found no patient; 2 usage error or
unusable archive.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from rpiq.cli.common import Exit, warn
from rpiq.core.archive import Archive
from rpiq.core.archive.demo import seed_demo

if TYPE_CHECKING:
    from rpiq.core.archive import (
        ImportSummary,
        InstanceSummary,
        PatientDetails,
        PatientSummary,
        Progress,
    )

_PROGRESS_EVERY_S = 2.0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``archive`` and its actions."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--archive",
        type=Path,
        metavar="DIR",
        help="archive folder (default: the app data dir; RPIQ_HOME overrides it)",
    )
    p = sub.add_parser(
        "archive",
        help="the local archive the embedded SCP answers from",
        description="Import DICOM files into the local archive, list and show "
        "its patients, or seed a synthetic demo archive. Exit codes: 0 done, "
        "1 some files were not imported or no such patient, 2 usage error or "
        "unusable archive.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    imp = actions.add_parser(
        "import", parents=[common], help="import files and folders (recursive)"
    )
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    imp.set_defaults(handler=run_import)
    lst = actions.add_parser("list", parents=[common], help="list patients")
    lst.add_argument(
        "--instances", action="store_true", help="also list every stored instance"
    )
    _format_option(lst)
    lst.set_defaults(handler=run_list)
    show = actions.add_parser("show", parents=[common], help="show one patient")
    show.add_argument("--patient-id", required=True, metavar="ID")
    show.add_argument("--issuer", metavar="ISSUER", help="Issuer of Patient ID")
    _format_option(show)
    show.set_defaults(handler=run_show)
    seed = actions.add_parser(
        "seed-demo", parents=[common], help="store synthetic demo patients"
    )
    seed.set_defaults(handler=run_seed_demo)


def _format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format"
    )


def _archive(args: argparse.Namespace) -> Archive:
    if args.archive is not None:
        return Archive(args.archive)
    return Archive.default()


def _printer() -> Progress:
    """A progress callback printing to stderr at most every two seconds."""
    last = [time.monotonic()]

    def progress(done: int, total: int, path: Path) -> None:
        now = time.monotonic()
        if now - last[0] >= _PROGRESS_EVERY_S or (done == total and done > 500):
            last[0] = now
            sys.stderr.write(f"rpiq: imported {done}/{total} files ({path.name})\n")

    return progress


def run_import(args: argparse.Namespace) -> int:
    """Import files and folders; print problems by name and a summary."""
    archive = _archive(args)
    summary: ImportSummary = archive.import_paths(
        args.paths,
        progress=_printer(),
    )
    for problem in summary.problems:
        warn(f"{problem.path}: {problem.message}")
    print(f"Imported into {archive.root}: {summary.text()}")
    return Exit.OK if summary.ok else Exit.NO_MATCH


def _patient_json(p: PatientSummary) -> dict[str, object]:
    return {
        "patient_id": p.patient_id,
        "issuer": p.issuer,
        "name": p.name,
        "birth_date": p.birth_date,
        "sex": p.sex,
        "instances": p.instances,
        "templates": list(p.templates),
    }


def _instance_json(i: InstanceSummary) -> dict[str, object]:
    return {
        "sop_instance_uid": i.sop_instance_uid,
        "sop_class_uid": i.sop_class_uid,
        "patient_id": i.patient_id,
        "issuer": i.issuer,
        "datetime": i.datetime,
        "rpi_template": i.rpi_template,
        "path": str(i.path),
    }


def _templates(templates: tuple[int, ...]) -> str:
    return ", ".join(f"TID {t}" for t in templates) or "-"


def _print_patients(patients: list[PatientSummary]) -> None:
    if not patients:
        print("The archive is empty. Add files with: rpiq archive import PATH")
        return
    print(f"{'Patient ID':<16} {'Issuer':<10} {'Name':<24} {'Inst':>4}  RPI SR")
    for p in patients:
        print(
            f"{p.patient_id:<16} {p.issuer or '-':<10} {p.name:<24} "
            f"{p.instances:>4}  {_templates(p.templates)}"
        )


def _print_instances(instances: list[InstanceSummary]) -> None:
    print(f"\n{len(instances)} instance(s):")
    for i in instances:
        tid = f" TID {i.rpi_template}" if i.rpi_template else ""
        issuer = f" [{i.issuer}]" if i.issuer else ""
        print(f"  {i.sop_instance_uid}  {i.patient_id}{issuer}  {i.datetime}{tid}")


def run_list(args: argparse.Namespace) -> int:
    """List patients (and with --instances every instance)."""
    archive = _archive(args)
    patients = archive.patients()
    instances = archive.instances() if args.instances else None
    if args.format == "json":
        out: dict[str, object] = {
            "archive": str(archive.root),
            "patients": [_patient_json(p) for p in patients],
        }
        if instances is not None:
            out["instances"] = [_instance_json(i) for i in instances]
        print(json.dumps(out, indent=2))
        return Exit.OK
    _print_patients(patients)
    if instances is not None:
        _print_instances(instances)
    return Exit.OK


def _details_json(d: PatientDetails) -> dict[str, object]:
    return {
        "patient_id": d.patient_id,
        "issuer": d.issuer,
        "attributes": {
            a.keyword: {
                "value": list(a.value) if isinstance(a.value, tuple) else a.value,
                "source_uid": a.source_uid,
                "source_datetime": a.source_datetime,
            }
            for a in d.attributes
        },
        "instances": [_instance_json(i) for i in d.instances],
    }


def _print_details(d: PatientDetails) -> None:
    issuer = f" (issuer {d.issuer})" if d.issuer else " (no issuer)"
    print(f"Patient {d.patient_id}{issuer}")
    for a in d.attributes:
        print(f"  {a.keyword}: {a.as_text()}  [{a.source_datetime} {a.source_uid}]")
    print(f"  {len(d.instances)} instance(s), newest first:")
    for i in d.instances:
        tid = f"  RPI TID {i.rpi_template}" if i.rpi_template else ""
        print(f"    {i.datetime}  {i.sop_instance_uid}{tid}")


def run_show(args: argparse.Namespace) -> int:
    """Show what the archive knows about one patient (all issuers if none given)."""
    details = _archive(args).patient_details(args.patient_id, args.issuer)
    if args.format == "json":
        print(json.dumps([_details_json(d) for d in details], indent=2))
    else:
        for number, d in enumerate(details):
            if number:
                print()
            _print_details(d)
        if not details:
            print(f"No patient with Patient ID {args.patient_id!r} in the archive.")
    return Exit.OK if details else Exit.NO_MATCH


def run_seed_demo(args: argparse.Namespace) -> int:
    """Store the synthetic demo patients."""
    archive = _archive(args)
    results = seed_demo(archive)
    replaced = sum(r.replaced for r in results)
    patients = len({(r.patient_id, r.issuer) for r in results})
    print(
        f"Stored {len(results)} demo instance(s) for {patients} patients in "
        f"{archive.root} ({replaced} replaced). Try: rpiq archive list"
    )
    return Exit.OK

"""``rpiq profiles``: list, show, add, remove, import and export AE profiles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from rpiq.cli.common import Exit, warn
from rpiq.core.profiles import AEProfile, ProfileStore, TlsSettings

if TYPE_CHECKING:
    import argparse


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``profiles`` and its actions."""
    p = sub.add_parser(
        "profiles",
        help="manage stored AE profiles",
        description="Manage the AE profiles stored in the user's "
        "config directory (RPIQ_HOME overrides it).",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="list profiles").set_defaults(handler=run_list)
    show = actions.add_parser("show", help="show one profile as JSON")
    show.add_argument("name")
    show.set_defaults(handler=run_show)
    add = actions.add_parser("add", help="add (or with --replace, update) a profile")
    add.add_argument("name")
    add.add_argument("host")
    add.add_argument("port", type=int)
    add.add_argument("-aec", "--called-aet", default="ANY-SCP", metavar="AET")
    add.add_argument("-aet", "--calling-aet", default="RPIQ", metavar="AET")
    add.add_argument("--tls-ca", metavar="FILE", help="CA certificate(s) to trust")
    add.add_argument("--tls-cert", metavar="FILE", help="our client certificate")
    add.add_argument("--tls-key", metavar="FILE", help="our client private key")
    add.add_argument("--replace", action="store_true", help="overwrite a profile")
    add.set_defaults(handler=run_add)
    remove = actions.add_parser("remove", help="remove a profile")
    remove.add_argument("name")
    remove.set_defaults(handler=run_remove)
    imp = actions.add_parser("import", help="import profiles from a JSON file")
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--replace", action="store_true", help="overwrite profiles with the same name"
    )
    imp.set_defaults(handler=run_import)
    exp = actions.add_parser("export", help="export profiles to a JSON file")
    exp.add_argument("file", type=Path)
    exp.add_argument("names", nargs="*", help="only these profiles (default all)")
    exp.set_defaults(handler=run_export)


def _store() -> ProfileStore:
    store = ProfileStore.default()
    for message in store.load().warnings:
        warn(message)
    return store


def run_list(args: argparse.Namespace) -> int:
    """Print one line per profile."""
    profiles = _store().list()
    if not profiles:
        print("No profiles. Add one with: rpiq profiles add NAME HOST PORT")
    for prof in profiles:
        tls = " TLS" if prof.tls else ""
        print(
            f"{prof.name}: {prof.called_ae}@{prof.host}:{prof.port} "
            f"(calling {prof.calling_ae}){tls}"
        )
    return Exit.OK


def run_show(args: argparse.Namespace) -> int:
    """Print a profile as JSON."""
    print(json.dumps(_store().get(args.name).to_dict(), indent=2))
    return Exit.OK


def run_add(args: argparse.Namespace) -> int:
    """Add a validated profile and save."""
    tls = None
    if args.tls_ca or args.tls_cert or args.tls_key:
        tls = TlsSettings(args.tls_ca, args.tls_cert, args.tls_key)
    profile = AEProfile(
        name=args.name,
        called_ae=args.called_aet,
        host=args.host,
        port=args.port,
        calling_ae=args.calling_aet,
        tls=tls,
    )
    store = _store()
    store.add(profile.validate(), replace=args.replace)
    store.save()
    print(f"Saved profile '{profile.name}' in {store.path}")
    return Exit.OK


def run_remove(args: argparse.Namespace) -> int:
    """Remove a profile and save."""
    store = _store()
    store.remove(args.name)
    store.save()
    print(f"Removed profile '{args.name}'")
    return Exit.OK


def run_import(args: argparse.Namespace) -> int:
    """Import profiles (all or nothing) and save."""
    store = _store()
    names = store.import_file(args.file, replace=args.replace)
    store.save()
    print(f"Imported {len(names)} profile(s): {', '.join(names)}")
    return Exit.OK


def run_export(args: argparse.Namespace) -> int:
    """Export profiles to a file."""
    store = _store()
    store.export_file(args.file, args.names or None)
    print(f"Exported to {args.file}")
    return Exit.OK

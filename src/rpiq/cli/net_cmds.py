"""``rpiq echo`` and ``rpiq probe``: is the peer there, and what does it accept."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from rpiq.cli.common import Exit, add_peer_arguments, error, profile_from_args
from rpiq.core.errors import ConnectionFailed
from rpiq.core.net.echo import probe, verify
from rpiq.core.status import Category

if TYPE_CHECKING:
    import argparse


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``echo`` and ``probe``."""
    echo = sub.add_parser(
        "echo",
        help="verify a peer with C-ECHO",
        description="Send a C-ECHO (Verification, PS3.4 Annex A) "
        "and print the status and round-trip time.",
    )
    add_peer_arguments(echo)
    echo.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="send N echoes, one association each",
    )
    echo.set_defaults(handler=run_echo)
    prb = sub.add_parser(
        "probe",
        help="which RPI SOP classes the peer accepts",
        description="Propose Verification and the General, Breast "
        "Imaging and Cardiac RPI SOP classes on one association and "
        "report which the peer accepts.",
    )
    add_peer_arguments(prb)
    prb.add_argument("--format", choices=("text", "json"), default="text")
    prb.set_defaults(handler=run_probe)


def run_echo(args: argparse.Namespace) -> int:
    """Run ``rpiq echo``."""
    profile = profile_from_args(args)
    code = Exit.OK
    for _ in range(max(1, args.repeat)):
        try:
            result = verify(profile)
        except ConnectionFailed as exc:
            error(str(exc))
            return Exit.NO_ASSOCIATION
        print(
            f"C-ECHO {profile.called_ae}@{profile.host}:{profile.port}: "
            f"{result.status.describe()} ({result.elapsed_ms:.1f} ms)"
        )
        if result.status.category is not Category.SUCCESS:
            code = Exit.PEER_FAILURE
    return code


def run_probe(args: argparse.Namespace) -> int:
    """Run ``rpiq probe``."""
    profile = profile_from_args(args)
    try:
        result = probe(profile)
    except ConnectionFailed as exc:
        error(str(exc))
        return Exit.NO_ASSOCIATION
    if args.format == "json":
        print(
            json.dumps(
                {"peer_ae": result.peer_ae, "accepted": result.accepted}, indent=2
            )
        )
    else:
        print(f"Peer AE title: {result.peer_ae}")
        for label, ok in result.accepted.items():
            print(f"  {label:<16} {'accepted' if ok else 'rejected'}")
    rpi = [ok for label, ok in result.accepted.items() if label != "Verification"]
    return Exit.OK if any(rpi) else Exit.PEER_FAILURE

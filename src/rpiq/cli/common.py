"""Shared CLI pieces: exit codes, peer arguments, and error reporting."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from enum import IntEnum
from typing import TYPE_CHECKING

from rpiq.core.errors import ValidationError
from rpiq.core.profiles import AEProfile, ProfileStore

if TYPE_CHECKING:
    import argparse


class Exit(IntEnum):
    """Exit codes of every ``rpiq`` command (documented in the README)."""

    OK = 0
    NO_MATCH = 1
    USAGE = 2
    PEER_FAILURE = 3
    NO_ASSOCIATION = 4


def error(message: str) -> None:
    """Print ``rpiq: error: message`` on stderr."""
    sys.stderr.write(f"rpiq: error: {message}\n")


def warn(message: str) -> None:
    """Print ``rpiq: warning: message`` on stderr."""
    sys.stderr.write(f"rpiq: warning: {message}\n")


def print_json(document: object) -> None:
    """Print ``document`` as indented JSON in UTF-8 (RFC 8259 8.1).

    Bytes go straight to stdout's buffer: through the text layer a Latin-1 or
    cp1252 console would give non-UTF-8 JSON, or fail on a Japanese name.
    """
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # replaced by a text-only stream (tests, embedding)
        sys.stdout.write(text)
        return
    sys.stdout.flush()
    buffer.write(text.encode("utf-8"))
    buffer.flush()


def add_peer_arguments(parser: argparse.ArgumentParser) -> None:
    """``(--profile NAME | HOST PORT) [-aet] [-aec] [--timeout S]`` (dcmtk style)."""
    parser.add_argument(
        "peer",
        nargs="*",
        metavar="HOST PORT",
        help="peer host and port (instead of --profile)",
    )
    parser.add_argument(
        "--profile",
        "-P",
        metavar="NAME",
        help="use a stored AE profile (see 'rpiq profiles')",
    )
    parser.add_argument(
        "-aet",
        "--calling-aet",
        metavar="AET",
        help="our (calling) AE title; default RPIQ or the profile's",
    )
    parser.add_argument(
        "-aec",
        "--called-aet",
        metavar="AET",
        help="the peer's (called) AE title; default ANY-SCP or the profile's",
    )
    parser.add_argument(
        "--timeout",
        "-to",
        type=float,
        metavar="S",
        help="connect, association and DIMSE timeout in seconds",
    )


def profile_from_args(args: argparse.Namespace) -> AEProfile:
    """Build the AE profile for this command from ``--profile`` or HOST PORT.

    Raises
    ------
    ValidationError
        For a missing/extra peer, a bad port, AE title or timeout.
    """
    if args.profile and args.peer:
        raise ValidationError(
            "Peer", "give either --profile NAME or HOST PORT, not both."
        )
    if args.profile:
        store = ProfileStore.default()
        for message in store.load().warnings:
            warn(message)
        profile = store.get(args.profile)
    elif len(args.peer) == 2:
        host, port = args.peer
        profile = AEProfile(name="command line", host=host, port=_port(port))
    else:
        raise ValidationError("Peer", "give HOST PORT or --profile NAME.")
    return _overrides(profile, args).validate()


def _port(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValidationError("Port", f"'{text}' is not a number (1-65535).") from None


def _overrides(profile: AEProfile, args: argparse.Namespace) -> AEProfile:
    changes: dict[str, object] = {}
    if args.calling_aet is not None:
        changes["calling_ae"] = args.calling_aet
    if args.called_aet is not None:
        changes["called_ae"] = args.called_aet
    if args.timeout is not None:
        changes.update(
            connect_timeout=args.timeout,
            acse_timeout=args.timeout,
            dimse_timeout=args.timeout,
            network_timeout=args.timeout,
        )
    return replace(profile, **changes)  # type: ignore[arg-type]

"""``rpiq scp serve``: run the local RPI SCP until SIGINT or SIGTERM.

Prints exactly one line on stdout when ready (``listening on HOST:PORT as
AET``), logs association, query and storage events on stderr (patient IDs
masked unless ``-vv``), and exits 0 on SIGINT/SIGTERM after closing the
listening socket and the open associations.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rpiq.cli.common import Exit
from rpiq.core.errors import ValidationError
from rpiq.core.logmask import LogSetup, configure_logging
from rpiq.core.paths import AppPaths
from rpiq.core.scp import FaultInjection, ScpService, ScpSettings, ScpTlsSettings
from rpiq.core.scp.settings import DEFAULT_PORT, STATUS_MAX

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import FrameType

_HEX_PREFIXES = ("0x", "0X")
_WAIT_S = 0.5


def status_code(text: str) -> int:
    """Parse a status code given in hex, e.g. ``C100`` (a ``0x`` prefix is allowed)."""
    digits = text.strip()
    for prefix in _HEX_PREFIXES:
        digits = digits.removeprefix(prefix)
    try:
        value = int(digits, 16)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a hexadecimal status code (e.g. C100)"
        ) from None
    if not 0 <= value <= STATUS_MAX or not digits:
        raise argparse.ArgumentTypeError(f"{text!r} is not a status from 0000 to FFFF")
    return value


def _add_network_arguments(serve: argparse.ArgumentParser) -> None:
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help="TCP port (0 = any free port; the bound one is printed)",
    )
    serve.add_argument("--aet", default="RPIQ", help="our AE title")
    serve.add_argument(
        "--archive",
        metavar="DIR",
        help="archive directory (default: the user's archive)",
    )
    serve.add_argument(
        "--allow-aet",
        nargs="+",
        action="extend",
        default=[],
        metavar="AET",
        help="accept only these calling AE titles (default: any)",
    )
    serve.add_argument(
        "--require-called-aet",
        action="store_true",
        help="reject associations not addressed to --aet",
    )
    serve.add_argument(
        "--max-associations",
        type=int,
        default=10,
        metavar="N",
        help="concurrent associations (default 10)",
    )


def _add_tls_arguments(serve: argparse.ArgumentParser) -> None:
    tls = serve.add_argument_group("TLS (1.2 or later)")
    tls.add_argument("--tls-cert", metavar="F", help="server certificate (PEM)")
    tls.add_argument("--tls-key", metavar="F", help="server private key (PEM)")
    tls.add_argument(
        "--tls-ca",
        metavar="F",
        help="CA certificates (PEM): require client certificates signed by them",
    )


def _add_fault_arguments(serve: argparse.ArgumentParser) -> None:
    faults = serve.add_argument_group(
        "fault injection (C-FIND only; for testing SCUs, logged as a WARNING)"
    )
    faults.add_argument(
        "--inject-status",
        type=status_code,
        metavar="CODE",
        help="answer every query with this status (hex, e.g. C100; 0x prefix allowed)",
    )
    faults.add_argument(
        "--delay-ms",
        type=int,
        default=0,
        metavar="N",
        help="wait N ms before answering (C-CANCEL ends the wait with FE00)",
    )
    faults.add_argument(
        "--double-pending",
        action="store_true",
        help="send the match in two Pending responses",
    )
    faults.add_argument(
        "--abort", action="store_true", help="abort the association instead"
    )


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``scp`` with its ``serve`` subcommand."""
    scp = sub.add_parser(
        "scp",
        help="run the local RPI SCP",
        description="The local SCP: C-ECHO, C-STORE of any storage SOP class into "
        "the archive, and Relevant Patient Information C-FIND (PS3.4 Annex Q).",
    )
    scp_sub = scp.add_subparsers(dest="scp_command", metavar="SUBCOMMAND")
    scp_sub.required = True
    serve = scp_sub.add_parser(
        "serve",
        help="serve the archive until SIGINT/SIGTERM",
        description="Serve the archive. Prints 'listening on HOST:PORT as AET' "
        "on stdout when ready; events go to stderr (patient IDs masked unless "
        "-vv). Stops cleanly with exit code 0 on SIGINT or SIGTERM.",
    )
    _add_network_arguments(serve)
    _add_tls_arguments(serve)
    _add_fault_arguments(serve)
    serve.set_defaults(handler=run_serve)


def _tls_from_args(args: argparse.Namespace) -> ScpTlsSettings | None:
    cert, key, ca = args.tls_cert, args.tls_key, args.tls_ca
    if not (cert or key or ca):
        return None
    if not (cert and key):
        raise ValidationError("TLS", "give both --tls-cert and --tls-key.")
    return ScpTlsSettings(cert_file=cert, key_file=key, ca_file=ca)


def settings_from_args(args: argparse.Namespace) -> ScpSettings:
    """Build validated :class:`ScpSettings` from the ``serve`` arguments.

    Raises
    ------
    ValidationError
        A value is invalid (the field is named).
    """
    faults = FaultInjection(
        status=args.inject_status,
        delay_ms=args.delay_ms,
        double_pending=args.double_pending,
        abort=args.abort,
    )
    return ScpSettings(
        ae_title=args.aet,
        host=args.host,
        port=args.port,
        allowed_calling_aets=tuple(args.allow_aet),
        require_called_aet=args.require_called_aet,
        max_associations=args.max_associations,
        tls=_tls_from_args(args),
        faults=faults,
    ).validate()


def _configure_logging(verbosity: int) -> None:
    """Events to stderr at INFO (patient IDs masked); -vv shows them in full.

    The log file (always masked) gets the same events; see core.logmask.
    """
    console = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    configure_logging(
        LogSetup(
            console_level=console,
            console_format="%(asctime)s %(levelname)s %(name)s: %(message)s",
            reveal=verbosity > 1,
            log_file=AppPaths.default().log_file,
            levels={"rpiq.core.scp": min(console, logging.INFO)},
        )
    )


class _StopSignals:
    """SIGINT/SIGTERM set an event instead of raising, restored on exit."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.stop = threading.Event()
        self._previous: dict[int, Any] = {}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.stop.set()

    def __enter__(self) -> _StopSignals:
        for sig in self.SIGNALS:
            self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)

    def wait(self) -> Iterator[None]:
        """Yield every half second until a stop signal arrived."""
        while not self.stop.wait(_WAIT_S):
            yield


def run_serve(args: argparse.Namespace) -> int:
    """Run ``rpiq scp serve``."""
    # Imported here: the archive is only needed by this command.
    from rpiq.core.archive import Archive

    settings = settings_from_args(args)
    _configure_logging(args.verbose)
    archive = Archive(Path(args.archive)) if args.archive else Archive.default()
    service = ScpService(settings, archive)
    with _StopSignals() as signals:
        host, port = service.start()
        try:
            sys.stdout.write(f"listening on {host}:{port} as {settings.ae_title}\n")
            sys.stdout.flush()
            for _ in signals.wait():
                pass
        finally:
            service.stop()
    return Exit.OK

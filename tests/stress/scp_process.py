"""The embedded SCP as a fuzz target: a separate process with short timeouts.

Run as ``python tests/stress/scp_process.py --archive DIR``. Like ``rpiq scp
serve`` it serves a (demo-seeded) archive with :class:`ScpService`, logs the
SCP's events at INFO and leaves Python's warning filters alone, so the fuzzer
measures what the product does; unlike it, ACSE/DIMSE/network timeouts are
short (``--timeout``), so broken connections are dropped quickly, and the
association limit is 64 (the fuzzer keeps up to 8 stalled connections open
while it goes on).

Protocol: one line ``listening on HOST:PORT`` on stdout when ready; then each
``stats`` line on stdin is answered by one JSON line on stdout (see
:class:`Monitor`); end of stdin stops the service and exits 0.

What counts as a finding (``findings`` in the stats): a HandlerError event, an
ERROR record of an ``rpiq`` logger, pynetdicom's "Exception in handler",
any logged exception raised in an ``rpiq`` module, and an exception
that escaped a thread. pynetdicom's own ERROR records about malformed PDUs are
expected and only counted (``pynetdicom_errors``).

One handler report is expected, not a finding: a C-STORE whose data set is
missing or undecodable gets C000 *and* a HandlerError with an ERROR line, by
design (``tests/core/test_scp_handlers.py``). The fuzzer never sends a
decodable C-STORE, so every C-STORE report here is that path; they are
counted as ``store_decode_reports``.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import sys
import threading
import traceback
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

from rpiq.core.archive import Archive
from rpiq.core.archive.demo import seed_demo
from rpiq.core.scp import HandlerError, ScpEvent, ScpService, ScpSettings

_SAMPLES = 20
_MESSAGE_KEY = 90
_STORE_REPORT = "C-STORE handler failed: "
_KINDS = 100  # distinct messages counted; the rest as "(other)", so we stay bounded


def _count(counter: Counter[str], text: str) -> None:
    key = text[:_MESSAGE_KEY]
    if key not in counter and len(counter) >= _KINDS:
        key = "(other)"
    counter[key] += 1


def _raised_in_rpiq(exc_info: Any) -> bool:
    """True when a logged exception was raised by code of an ``rpiq`` module.

    Tracebacks that merely pass through rpiq (e.g. pynetdicom's read timeout
    under the socket tuning's ``recv`` wrapper) are pynetdicom's to report.
    """
    if not exc_info or exc_info[2] is None:
        return False
    frames = traceback.extract_tb(exc_info[2])
    return bool(frames) and "/rpiq/" in frames[-1].filename


class Monitor(logging.Handler):
    """Counts what the SCP process logs, warns and fails at; reports as JSON."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self._mutex = threading.Lock()
        self.findings: list[str] = []
        self.finding_count = 0
        self.store_decode_reports = 0
        self.pynetdicom_errors: Counter[str] = Counter()
        self.warnings: Counter[str] = Counter()
        self.rpiq_warnings: Counter[str] = Counter()
        self.events: Counter[str] = Counter()

    def _finding(self, text: str) -> None:
        with self._mutex:
            self.finding_count += 1
            if len(self.findings) < _SAMPLES:
                self.findings.append(text[:2000])

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if text.startswith(_STORE_REPORT) and not record.exc_info:
            return  # counted through its HandlerError event
        ours = record.name.startswith("rpiq") and record.levelno >= logging.ERROR
        if ours or "Exception in handler" in text or _raised_in_rpiq(record.exc_info):
            detail = ""
            if record.exc_info and record.exc_info[1] is not None:
                detail = "".join(traceback.format_exception(*record.exc_info))
            self._finding(f"{record.name}: {text}\n{detail}")
        elif record.levelno >= logging.ERROR:
            with self._mutex:
                _count(self.pynetdicom_errors, text)
        elif record.name.startswith("rpiq"):
            with self._mutex:
                _count(self.rpiq_warnings, text)

    def on_event(self, event: ScpEvent) -> None:
        with self._mutex:
            self.events[type(event).__name__] += 1
        if isinstance(event, HandlerError) and event.operation == "C-STORE":
            with self._mutex:
                self.store_decode_reports += 1
        elif isinstance(event, HandlerError):
            self._finding(f"HandlerError {event.operation}: {event.message}")

    def thread_exception(self, args: threading.ExceptHookArgs) -> None:
        name = args.thread.name if args.thread is not None else "?"
        text = "".join(
            traceback.format_exception(
                args.exc_type, args.exc_value, args.exc_traceback
            )
        )
        self._finding(f"exception escaped thread {name}:\n{text}")

    def show_warning(
        self,
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: Any = None,
        line: str | None = None,
    ) -> None:
        # Count instead of printing; the filters (and their registry) stay as
        # in the product, so a leak through them would show in RSS.
        with self._mutex:
            _count(self.warnings, f"{category.__name__} {filename.rsplit('/', 1)[-1]}")

    def snapshot(self) -> dict[str, Any]:
        with self._mutex:
            return {
                "finding_count": self.finding_count,
                "store_decode_reports": self.store_decode_reports,
                "findings": list(self.findings),
                "pynetdicom_errors": dict(self.pynetdicom_errors.most_common(15)),
                "pynetdicom_error_count": sum(self.pynetdicom_errors.values()),
                "rpiq_warnings": dict(self.rpiq_warnings.most_common(10)),
                "warnings": dict(self.warnings.most_common(10)),
                "warning_count": sum(self.warnings.values()),
                "events": dict(self.events),
                "threads": threading.active_count(),
                "warning_registry_chars": warning_registry_chars(),
                "python_blocks": sys.getallocatedblocks(),
                "gc_objects": len(gc.get_objects()),
            }


def warning_registry_chars() -> int:
    """Characters of warning text held by every module's ``__warningregistry__``.

    Python remembers each distinct (message, category, line) it has shown, so
    warnings that quote peer-supplied values grow this without bound.
    """
    total = 0
    for module in list(sys.modules.values()):
        registry = getattr(module, "__warningregistry__", None)
        if isinstance(registry, dict):
            total += sum(
                len(key[0]) for key in list(registry) if isinstance(key, tuple)
            )
    return total


def fuzz_settings(timeout: float, max_associations: int) -> ScpSettings:
    """Product defaults except the timeouts and the association limit."""
    return ScpSettings(
        port=0,
        acse_timeout=timeout,
        dimse_timeout=timeout,
        network_timeout=timeout,
        max_associations=max_associations,
    )


def main(argv: list[str] | None = None) -> int:
    """Serve until stdin closes; answer ``stats`` lines with JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", required=True, type=Path)
    parser.add_argument("--timeout", type=float, default=2.0)
    parser.add_argument("--max-associations", type=int, default=64)
    args = parser.parse_args(argv)

    monitor = Monitor()
    logging.basicConfig(level=logging.WARNING, handlers=[monitor])
    logging.getLogger("rpiq.core.scp").setLevel(logging.INFO)
    threading.excepthook = monitor.thread_exception
    warnings.showwarning = monitor.show_warning

    archive = Archive(args.archive)
    seed_demo(archive)
    settings = fuzz_settings(args.timeout, args.max_associations)
    service = ScpService(settings, archive, monitor.on_event)
    host, port = service.start()
    sys.stdout.write(f"listening on {host}:{port}\n")
    sys.stdout.flush()
    try:
        for line in sys.stdin:
            command = line.strip()
            if command == "stats":
                sys.stdout.write(json.dumps(monitor.snapshot()) + "\n")
            sys.stdout.flush()
    finally:
        service.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

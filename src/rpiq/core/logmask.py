"""Patient names and IDs out of the logs, unless debug logging is on.

Names, IDs and birth dates are what PS3.15 Annex E (Table E.1-1, Basic
Application Level Confidentiality Profile) removes first, so they are what an
INFO log, a log file or a support bundle must not carry. Three layers:

1. Call sites mask what they know is an identifier (:func:`mask_id`,
   :func:`mask_name`), e.g. the SCP's event lines.
2. :func:`mask_text` is a safety net over finished log lines: it blanks the
   values of identifying attributes in DICOM dumps (pynetdicom's
   ``pretty_dataset`` and pydicom's ``str(Dataset)`` formats), any value that
   looks like a DICOM person name (``FAMILY^GIVEN``, PS3.5 6.2 PN), and the
   token after ``patient`` / ``Patient ID`` when it looks like an identifier.
3. :class:`MaskingFormatter` applies it to every handler we install unless
   that handler shows debug output (``rpiq -vv``, the GUI's debug log).
   The log file (:func:`configure_logging`) never reveals: it is what a
   support bundle ships.

Masking is a formatter, not a filter: a filter that rewrote the record would
also hide identities from a debug handler on the same logger.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
from dataclasses import dataclass, field
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import IO, TYPE_CHECKING

from pydicom.datadict import tag_for_keyword

from rpiq.core.paths import ensure_dir

if TYPE_CHECKING:
    import io
    from collections.abc import Mapping

__all__ = [
    "FILE_FORMAT",
    "LOGGERS",
    "MASK",
    "LogSetup",
    "MaskingFormatter",
    "PrivateRotatingFileHandler",
    "configure_logging",
    "flush_logging",
    "logging_configured",
    "mask_id",
    "mask_name",
    "mask_text",
    "reset_logging",
]

#: The loggers the app turns up: ours and pynetdicom's (association, DIMSE).
LOGGERS = ("rpiq", "pynetdicom")
MASK = "***"
CONSOLE_FORMAT = "%(levelname)s %(name)s: %(message)s"
FILE_FORMAT = "%(asctime)s %(levelname)s [%(threadName)s] %(name)s: %(message)s"
#: Rotation of the log file: 4 files of at most 1 MiB bound the disk use.
FILE_MAX_BYTES = 1024 * 1024
FILE_BACKUPS = 3

# ------------------------------------------------------------------ helpers


def mask_id(value: object) -> str:
    """Hide a patient identifier: ``"DEMO-100"`` → ``"***00"``.

    The last two characters stay, so two lines about the same patient can be
    told apart from lines about another one; short values are hidden whole.
    The result matches :func:`rpiq.core.scp.events.mask`. Masking an already
    masked value returns it unchanged.
    """
    text = "" if value is None else str(value).strip()
    if not text or text == "-":
        return "-"  # no identifier (the SCP's lines write "-" for none)
    if text.startswith(MASK):
        return text
    return f"{MASK}{text[-2:]}" if len(text) > 4 else MASK


def mask_name(value: object) -> str:
    """Hide a person name completely (initials can identify in a small list)."""
    text = "" if value is None else str(value).strip()
    return MASK if text else "-"


#: Attributes whose values identify the patient (PS3.15 Table E.1-1, the
#: names and identifiers of the patient and of the visit). The whole Patient
#: group 0010 (name, ID, issuer, birth date, other IDs, address...) is masked;
#: so is every PN (person name) value, see ``_masks``.
_IDENTIFYING_TAGS = frozenset(
    int(tag_for_keyword(keyword) or 0)
    for keyword in (
        "AccessionNumber",
        "AdmissionID",
        "PatientInstitutionResidence",
        "PlacerOrderNumberImagingServiceRequest",
        "FillerOrderNumberImagingServiceRequest",
    )
)
_PATIENT_GROUP = int(tag_for_keyword("PatientID") or 0) >> 16

#: pynetdicom ``pretty_element``: ``(0010,0010) PN [DEMO^ALICE]   # 1 PatientName``
#: (searched, not anchored: the line may carry a log prefix).
_PRETTY = re.compile(
    r"\((?P<group>[0-9A-Fa-f]{4}),(?P<element>[0-9A-Fa-f]{4})\)"
    r" (?P<vr>[A-Z]{2}) (?P<value>\[.*\])(?=\s+#)"
)
#: pydicom ``str(Dataset)``: ``(0010,0010) Patient's Name   PN: 'DEMO^ALICE'``
_PYDICOM = re.compile(
    r"\((?P<group>[0-9A-Fa-f]{4}), ?(?P<element>[0-9A-Fa-f]{4})\)"
    r"[^\n]*? (?P<vr>[A-Z]{2}): (?P<value>.+)$",
    re.MULTILINE,
)
#: A DICOM person name in free text: components joined by ``^`` (PS3.5 6.2).
_PERSON_NAME = re.compile(r"[^\s^=\\'\"\[\](),;:]+(?:\^[^\s^=\\'\"\[\](),;:]*)+")
#: ``patient DEMO-001``, ``Patient ID: 123``, ``PatientID=X`` (our SCP's and
#: typical messages). Only tokens with a digit or in upper case are masked
#: (see ``_mask_patient_token``), so prose such as "patient information" or
#: "Patient Root" stays readable.
_PATIENT_TOKEN = re.compile(
    r"(?P<label>\b(?:patient[ _]?id|patient)\b)(?P<sep>\s*[:=]\s*|\s+)"
    # not a VR in pydicom's dump ("Patient ID   LO: '...'"), not masked yet
    r"(?![A-Z]{2}: )(?P<value>(?!\*\*\*)[^\s,;()\[\]'\"]+)",
    re.IGNORECASE,
)


def _masks(group: int, element: int, vr: str) -> bool:
    return (
        vr == "PN"
        or group == _PATIENT_GROUP
        or (group << 16 | element) in _IDENTIFYING_TAGS
    )


def _mask_dump_value(found: re.Match[str]) -> str:
    """A dump line's value masked when its attribute identifies the patient."""
    if not _masks(int(found["group"], 16), int(found["element"], 16), found["vr"]):
        return found[0]
    value = found["value"]
    blank = f"[{MASK}]" if value.startswith("[") else f"'{MASK}'"
    start, end = found.span("value")
    offset = found.start()
    return found[0][: start - offset] + blank + found[0][end - offset :]


def _mask_patient_token(found: re.Match[str]) -> str:
    value = found["value"]
    identifier_like = any(c.isdigit() for c in value) or (
        value.isupper() and len(value) > 1
    )
    if not identifier_like or value.lower() in {"id", "ids"}:
        return found[0]
    return f"{found['label']}{found['sep']}{mask_id(value)}"


def mask_text(text: str) -> str:
    """``text`` (one or more log lines) with patient names and IDs masked.

    A safety net for lines that did not mask at their call site; a value that
    does not look like an identifier (e.g. an ID in lower case letters only,
    in prose) can escape it, which is why call sites mask first.
    """
    if not text:
        return text
    if "(" in text:
        text = _PRETTY.sub(_mask_dump_value, text)
        text = _PYDICOM.sub(_mask_dump_value, text)
    if "^" in text:
        text = _PERSON_NAME.sub(MASK, text)
    if "atient" in text or "ATIENT" in text:
        text = _PATIENT_TOKEN.sub(_mask_patient_token, text)
    return text


class MaskingFormatter(logging.Formatter):
    """A formatter whose output has patient identity masked unless ``reveal``.

    Parameters
    ----------
    fmt, datefmt : str, optional
        As for :class:`logging.Formatter`.
    reveal : bool
        Show identities (debug output the user asked for).
    """

    def __init__(
        self, fmt: str | None = None, datefmt: str | None = None, *, reveal: bool
    ) -> None:
        super().__init__(fmt, datefmt)
        self.reveal = reveal

    def format(self, record: logging.LogRecord) -> str:
        """Format ``record``, then mask (exception text included)."""
        text = super().format(record)
        return text if self.reveal else mask_text(text)


# ------------------------------------------------------------ the log file


class PrivateRotatingFileHandler(RotatingFileHandler):
    """A rotating log file that only its owner can read (0600 on POSIX).

    The folder is created (0700) on the first record, so commands that log
    nothing leave no file. If the file cannot be opened or written (read-only
    home, full disk) the handler says so once on stderr and goes quiet: a
    log file must never break a query.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(
            path,
            maxBytes=FILE_MAX_BYTES,
            backupCount=FILE_BACKUPS,
            encoding="utf-8",
            delay=True,
        )
        self.setFormatter(MaskingFormatter(FILE_FORMAT, reveal=False))
        self._failed = False
        self._formatted: tuple[logging.LogRecord, str] | None = None

    def _open(self) -> io.TextIOWrapper:
        path = Path(self.baseFilename)
        ensure_dir(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        if hasattr(os, "fchmod"):
            # A file made by an older version (or by hand) may be wider.
            os.fchmod(fd, 0o600)
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)

    def format(self, record: logging.LogRecord) -> str:
        """Format (and mask) ``record`` once for both uses in :meth:`emit`.

        The size check before writing (``shouldRollover``) formats the record
        too; masking it twice cost ~20 us per line, and the SCP writes one or
        two lines per stored instance. Runs under the handler's lock.
        """
        held = self._formatted
        if held is not None and held[0] is record:
            return held[1]
        text = super().format(record)
        self._formatted = (record, text)
        return text

    def emit(self, record: logging.LogRecord) -> None:
        """Write ``record`` unless the file already failed."""
        if not self._failed:
            try:
                super().emit(record)
            finally:
                self._formatted = None  # keep no record (and its arguments) alive

    def handleError(self, record: logging.LogRecord) -> None:
        """Disable the file on an OS error; anything else as the stdlib does."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, OSError):
            super().handleError(record)
            return
        self._failed = True
        reason = exc.strerror or str(exc)
        with contextlib.suppress(Exception):
            sys.stderr.write(
                f"rpiq: warning: not logging to {self.baseFilename}: {reason}\n"
            )


# ---------------------------------------------------------------- set-up


@dataclass(frozen=True, slots=True)
class LogSetup:
    """Where log records go.

    Attributes
    ----------
    console_level : int
        Records of :data:`LOGGERS` at this level or above go to the console.
    console_format : str
        ``%``-style format of console lines.
    reveal : bool
        The console shows patient identities (debug output only).
    log_file : Path or None
        The rotating log file (always masked), or ``None`` for none.
    file_level : int
        Records at this level or above go to the log file.
    levels : mapping of str to int
        Console levels of sub-loggers that differ, e.g.
        ``{"rpiq.core.scp": logging.INFO}`` for ``rpiq scp serve``.
    """

    console_level: int = logging.WARNING
    console_format: str = CONSOLE_FORMAT
    reveal: bool = False
    log_file: Path | None = None
    file_level: int = logging.INFO
    levels: Mapping[str, int] = field(default_factory=dict)


class _ConsoleLevels(logging.Filter):
    """Pass a record if it reaches the level of its most specific logger."""

    def __init__(self, default: int, levels: Mapping[str, int]) -> None:
        super().__init__()
        self._default = default
        # Longest names first: "rpiq.core.scp" wins over "rpiq".
        self._levels = sorted(levels.items(), key=lambda item: -len(item[0]))

    def filter(self, record: logging.LogRecord) -> bool:
        for name, level in self._levels:
            if record.name == name or record.name.startswith(name + "."):
                return record.levelno >= level
        return record.levelno >= self._default


_OWNED = "_rpiq_owned"
_saved_levels: dict[str, int] = {}


def _own(handler: logging.Handler) -> logging.Handler:
    setattr(handler, _OWNED, True)
    return handler


def _set_level(name: str, level: int) -> None:
    logger = logging.getLogger(name)
    _saved_levels.setdefault(name, logger.level)
    logger.setLevel(level)


def configure_logging(setup: LogSetup, stream: IO[str] | None = None) -> None:
    """Install the console and log-file handlers on the root logger.

    Calling it again replaces what an earlier call installed (the CLI calls it
    once per command, ``rpiq scp serve`` once more with its own levels).
    Handlers of others (e.g. pytest's) are left alone.

    Parameters
    ----------
    setup : LogSetup
        Levels, format, and the log file.
    stream : text stream, optional
        The console (default: ``sys.stderr`` at the time of the call).
    """
    _remove_handlers()
    root = logging.getLogger()
    console = logging.StreamHandler(stream if stream is not None else sys.stderr)
    console_levels = dict(setup.levels)
    console.setLevel(min([setup.console_level, *console_levels.values()]))
    console.addFilter(_ConsoleLevels(setup.console_level, console_levels))
    console.setFormatter(MaskingFormatter(setup.console_format, reveal=setup.reveal))
    root.addHandler(_own(console))
    file_level = logging.CRITICAL + 1
    if setup.log_file is not None:
        log_file = PrivateRotatingFileHandler(setup.log_file)
        log_file.setLevel(setup.file_level)
        root.addHandler(_own(log_file))
        file_level = setup.file_level
    for name in LOGGERS:
        _set_level(name, min(setup.console_level, file_level))
    for name, level in console_levels.items():
        _set_level(name, min(level, file_level))


def _remove_handlers() -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _OWNED, False):
            root.removeHandler(handler)
            handler.close()


def logging_configured() -> bool:
    """True while handlers of :func:`configure_logging` are installed."""
    return any(getattr(h, _OWNED, False) for h in logging.getLogger().handlers)


def reset_logging() -> None:
    """Undo :func:`configure_logging`: remove its handlers, restore levels."""
    _remove_handlers()
    for name, level in _saved_levels.items():
        logging.getLogger(name).setLevel(level)
    _saved_levels.clear()


def flush_logging() -> None:
    """Flush our handlers (before the log file is read, e.g. for a bundle)."""
    for handler in logging.getLogger().handlers:
        if getattr(handler, _OWNED, False):
            handler.flush()

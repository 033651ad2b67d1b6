"""Exception hierarchy of the core: every user-facing failure is an ``RpiqError``.

The CLI and the GUI catch :class:`RpiqError` and show its message; anything else
is a bug and may show a traceback.
"""

from __future__ import annotations


class RpiqError(Exception):
    """Base class of errors whose message is meant for the user."""


class ValidationError(RpiqError, ValueError):
    """Invalid user input, naming the field at fault.

    Parameters
    ----------
    field : str
        Name of the field as the user sees it (e.g. ``"Patient ID"``).
    message : str
        What is wrong and how to fix it.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ProfileError(RpiqError):
    """A profile could not be found, loaded or saved."""


class ConnectionFailed(RpiqError):
    """No association could be established or it was lost.

    Parameters
    ----------
    kind : str
        One of ``refused``, ``unknown-host``, ``rejected``, ``aborted``,
        ``timeout``, ``tls``, ``network`` or ``protocol`` (the peer broke
        PS3.8 while associating, e.g. an oversized or undecodable PDU):
        stable, for tests and exit codes.
    message : str
        A sentence for the user.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class ArchiveError(RpiqError):
    """The local archive could not be opened, read or written."""

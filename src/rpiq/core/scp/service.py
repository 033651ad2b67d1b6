"""The embedded RPI SCP: C-ECHO, C-STORE and RPI C-FIND on one listening AE.

``ScpService(settings, archive, on_event)``; :meth:`ScpService.start` builds a
pynetdicom AE with the three Relevant Patient Information Query SOP classes
(PS3.4 Annex Q), Verification (PS3.4 Annex A) and every storage SOP class
pynetdicom knows (PS3.4 Annex B, SR included) and calls
``AE.start_server(block=False)``; :meth:`ScpService.stop` shuts the server
down and aborts what is still open. Events go out through ``on_event`` on
pynetdicom's threads; each one is also logged (patient IDs masked below DEBUG).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
import warnings
from typing import TYPE_CHECKING, Any

from pydicom.uid import (
    DeflatedExplicitVRLittleEndian,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
)
from pynetdicom import (
    AE,
    ALL_TRANSFER_SYNTAXES,
    AllStoragePresentationContexts,
    evt,
    sop_class,
)
from pynetdicom.presentation import PresentationContext

from rpiq.core.errors import RpiqError
from rpiq.core.net.ae import VERIFICATION_UID
from rpiq.core.net.tuning import TUNING_HANDLERS, configure_pynetdicom_logging
from rpiq.core.scp import guard, handlers, lifecycle, memory, responses
from rpiq.core.scp.events import (
    AssociationRejected,
    ScpEvent,
    Started,
    Stopped,
    describe_event,
)
from rpiq.core.scp.tls import server_context
from rpiq.core.templates import RpiSopClass

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

    from pynetdicom.transport import ThreadedAssociationServer

    from rpiq.core.scp.interfaces import ScpArchive
    from rpiq.core.scp.settings import ScpSettings

_LOG = logging.getLogger("rpiq.core.scp")

RPI_TRANSFER_SYNTAXES = (
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    DeflatedExplicitVRLittleEndian,
    ExplicitVRBigEndian,
)
"""Acceptor preference for queries: Explicit VR first, so answers read from
explicit-VR files go out without re-encoding (pynetdicom picks by our order)."""

STORE_TRANSFER_SYNTAXES = (
    ExplicitVRLittleEndian,
    *(ts for ts in ALL_TRANSFER_SYNTAXES if ts != ExplicitVRLittleEndian),
)
"""Storage accepts every transfer syntax pynetdicom knows (compressed too)."""

STOP_WAIT_S = 5.0


class SharedContexts(list[PresentationContext]):
    """Supported contexts that every association shares instead of copying.

    pynetdicom deep-copies the server's supported contexts for each new
    association; with ~175 storage contexts that is ~60 ms per association.
    Negotiation only reads them (PS3.8 9.3.3.2 is decided from the request),
    so a shallow copy is enough.
    """

    def __deepcopy__(self, memo: dict[int, object]) -> list[PresentationContext]:
        return list(self)


class ScpError(RpiqError):
    """The SCP could not start (address in use, bad TLS files, bad settings)."""


def storage_sop_class_uids() -> tuple[str, ...]:
    """Every storage SOP class pynetdicom knows, plus all its SR storage classes."""
    uids = [str(cx.abstract_syntax) for cx in AllStoragePresentationContexts]
    names = (name for name in dir(sop_class) if name.endswith("SRStorage"))
    uids.extend(str(getattr(sop_class, name)) for name in names)
    return tuple(dict.fromkeys(uids))


def build_ae(settings: ScpSettings) -> AE:
    """The SCP's AE: contexts, AE title checks, limits and timeouts."""
    ae = AE(ae_title=settings.ae_title)
    ae.maximum_associations = settings.max_associations
    ae.require_called_aet = settings.require_called_aet
    ae.require_calling_aet = list(settings.allowed_calling_aets)
    ae.acse_timeout = settings.acse_timeout
    ae.dimse_timeout = settings.dimse_timeout
    ae.network_timeout = settings.network_timeout
    ae.maximum_pdu_size = settings.max_pdu
    for sop in RpiSopClass:
        ae.add_supported_context(sop.uid, list(RPI_TRANSFER_SYNTAXES))
    ae.add_supported_context(VERIFICATION_UID, list(RPI_TRANSFER_SYNTAXES))
    for uid in storage_sop_class_uids():
        ae.add_supported_context(uid, list(STORE_TRANSFER_SYNTAXES))
    return ae


def quiet_pydicom_warnings() -> None:
    """Stop pydicom's UserWarnings from reaching Python's warning machinery.

    pydicom warns about every odd value a peer sends, quoting it ("Unknown
    encoding 'ISO_IR 4711'"), and Python's ``__warningregistry__`` keeps each
    distinct text for ever: fuzzing showed the SCP's memory growing with every
    malformed query, without bound. pydicom logs each of these warnings to
    the ``pydicom`` logger as well (``pydicom.misc.warn_and_log``), so nothing
    is lost. Idempotent; affects the whole process.
    """
    warnings.filterwarnings("ignore", category=UserWarning, module=r"pydicom(\.|$)")


_WILDCARD_HOSTS = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}
_POKE_TIMEOUT_S = 0.2


def _shut_down(
    server: ThreadedAssociationServer, address: tuple[str, int] | None
) -> None:
    """Stop the accept loop at once instead of after its 0.5 s select() poll.

    socketserver's loop checks its shutdown flag when select() returns; we set
    the flag, then connect once so select() returns now (the loop exits
    without accepting that connection). ``server.shutdown()`` then finds the
    loop finished.
    """
    if address is not None:
        vars(server)["_BaseServer__shutdown_request"] = True
        host = _WILDCARD_HOSTS.get(address[0], address[0])
        with contextlib.suppress(OSError):
            socket.create_connection((host, address[1]), _POKE_TIMEOUT_S).close()
    server.shutdown()


class ScpService:
    """The embedded SCP, started and stopped by the GUI, the CLI or a test.

    Parameters
    ----------
    settings : ScpSettings
        Where to listen, whom to accept, TLS and fault injection.
    archive : ScpArchive
        ``rpiq.core.archive.Archive`` (or any object with ``store`` and
        ``answer``); called from several threads at once.
    on_event : callable, optional
        Receives every :data:`~rpiq.core.scp.events.ScpEvent`, on pynetdicom's
        threads. Exceptions it raises are logged and otherwise ignored.
    """

    def __init__(
        self,
        settings: ScpSettings,
        archive: ScpArchive,
        on_event: Callable[[ScpEvent], None] | None = None,
    ) -> None:
        self.settings = settings
        self.archive = archive
        self._on_event = on_event
        self._server: ThreadedAssociationServer | None = None
        self._ae: AE | None = None
        self._address: tuple[str, int] | None = None
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- events

    def _notify(self, event: ScpEvent) -> None:
        """Log ``event`` and pass it to ``on_event``; never raises."""
        if _LOG.isEnabledFor(logging.INFO):
            reveal = _LOG.isEnabledFor(logging.DEBUG)
            _LOG.info("%s", describe_event(event, reveal=reveal))
        callback = self._on_event
        if callback is None:
            return
        try:
            callback(event)
        except Exception:  # noqa: BLE001 — a broken listener must not stop the SCP
            _LOG.exception("on_event callback failed for %s", type(event).__name__)

    def _tls_failed(self, host: str, port: int, reason: str) -> None:
        self._notify(AssociationRejected("", host, port, reason))

    # ------------------------------------------------------------- lifecycle

    @property
    def is_running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._server is not None

    @property
    def address(self) -> tuple[str, int]:
        """The bound ``(host, port)``; the real port when settings asked for 0.

        Raises
        ------
        ScpError
            The service is not running.
        """
        if self._address is None:
            raise ScpError("the SCP is not running")
        return self._address

    def _handlers(self) -> list[Any]:
        notify = self._notify
        faults = self.settings.faults
        return [
            *TUNING_HANDLERS,
            (evt.EVT_CONN_OPEN, guard.on_conn_open),
            (evt.EVT_CONN_OPEN, responses.on_conn_open),
            (evt.EVT_C_ECHO, handlers.handle_echo),
            (evt.EVT_C_FIND, handlers.handle_find, [self.archive, faults, notify]),
            (evt.EVT_C_STORE, handlers.handle_store, [self.archive, notify]),
            (evt.EVT_ACCEPTED, lifecycle.handle_accepted, [notify]),
            (evt.EVT_REJECTED, lifecycle.handle_rejected, [notify]),
            (evt.EVT_RELEASED, lifecycle.handle_released, [notify]),
            (evt.EVT_ABORTED, lifecycle.handle_aborted, [notify]),
        ]

    def _ssl_context(self) -> Any:
        tls = self.settings.tls
        if tls is None:
            return None
        try:
            return server_context(tls, self._tls_failed)
        except (OSError, ValueError) as exc:
            raise ScpError(f"Cannot load the TLS certificate or key: {exc}") from None

    def start(self) -> tuple[str, int]:
        """Validate the settings, bind and serve in the background.

        Returns
        -------
        tuple of (str, int)
            The bound host and port.

        Raises
        ------
        ValidationError
            The settings are invalid (the field is named).
        ScpError
            Already running, the address is in use, or TLS files are unusable.
        """
        with self._lock:
            if self._server is not None:
                raise ScpError("the SCP is already running")
            settings = self.settings.validate()
            configure_pynetdicom_logging()
            quiet_pydicom_warnings()
            memory.limit_malloc_arenas()
            ssl_context = self._ssl_context()
            self._warn_faults()
            ae = build_ae(settings)
            try:
                server = ae.start_server(
                    (settings.host, settings.port),
                    block=False,
                    ssl_context=ssl_context,
                    evt_handlers=self._handlers(),
                    contexts=SharedContexts(ae.supported_contexts),
                )
            except OSError as exc:
                raise ScpError(
                    f"Cannot listen on {settings.host}:{settings.port}: "
                    f"{exc.strerror or exc}"
                ) from None
            assert server is not None  # block=False always returns the server
            self._ae, self._server = ae, server
            host, port = server.server_address[:2]
            self._address = (str(host), int(port))
        self._notify(
            Started(str(host), int(port), settings.ae_title, bool(ssl_context))
        )
        return self._address

    def _warn_faults(self) -> None:
        faults = self.settings.faults
        if faults.active:
            _LOG.warning(
                "FAULT INJECTION IS ON: this SCP deliberately misbehaves (%s). "
                "For testing SCUs only; never use it as a real archive.",
                faults.describe(),
            )

    def stop(self, timeout: float = STOP_WAIT_S) -> None:
        """Stop listening, abort open associations and wait for their threads.

        Safe to call twice or before :meth:`start`.
        """
        with self._lock:
            server, self._server = self._server, None
            ae, self._ae = self._ae, None
            address, self._address = self._address, None
        if server is None:
            return
        _shut_down(server, address)
        associations = list(server.active_associations)
        for assoc in associations:
            with contextlib.suppress(Exception):
                assoc.abort()
        deadline = time.monotonic() + timeout
        for assoc in associations:
            assoc.join(max(0.0, deadline - time.monotonic()))
        if ae is not None:
            ae.shutdown()
        host, port = address or ("", 0)
        self._notify(Stopped(host, port))

    def __enter__(self) -> ScpService:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

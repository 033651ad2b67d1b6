"""Server-side TLS of the embedded SCP (PS3.15 B.1/B.9: TLS 1.2 or later).

pynetdicom wraps each accepted socket with ``ssl_context.wrap_socket`` on the
server's accept thread, and a failed handshake is dropped silently. The
context built here bounds the handshake with a timeout (a silent client cannot
block the accept loop for ever) and reports every failed handshake, e.g. a
client certificate signed by the wrong CA, through a callback.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import socket

    from rpiq.core.scp.settings import ScpTlsSettings

HandshakeFailed = Callable[[str, int, str], None]
"""Called with the peer's host, port and the reason of a failed handshake."""


class ServerTlsContext(ssl.SSLContext):
    """An SSLContext whose ``wrap_socket`` bounds and reports the handshake."""

    handshake_timeout: float = 10.0
    on_failure: HandshakeFailed | None = None

    def wrap_socket(self, sock: socket.socket, *args: Any, **kwargs: Any) -> Any:
        """Handshake within :attr:`handshake_timeout`; report and re-raise errors."""
        try:
            host, port = sock.getpeername()[:2]
        except OSError:
            host, port = "?", 0
        sock.settimeout(self.handshake_timeout)
        try:
            wrapped = super().wrap_socket(sock, *args, **kwargs)
        except (OSError, ValueError) as exc:
            self._report(str(host), int(port), exc)
            sock.close()
            raise
        wrapped.settimeout(None)
        return wrapped

    def _report(self, host: str, port: int, exc: BaseException) -> None:
        callback = self.on_failure
        if callback is None:
            return
        reason = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
        callback(host, port, f"TLS handshake failed: {reason}")


def server_context(
    settings: ScpTlsSettings, on_failure: HandshakeFailed | None = None
) -> ServerTlsContext:
    """Build the SCP's TLS context: our certificate, TLS 1.2+, optional mTLS.

    Parameters
    ----------
    settings : ScpTlsSettings
        Certificate, key, and the CA that must sign client certificates
        (client certificates are required only when ``ca_file`` is set).
    on_failure : callable, optional
        Called with ``(host, port, reason)`` for every failed handshake.

    Raises
    ------
    OSError, ssl.SSLError
        A file is missing or does not hold a usable certificate or key.
    """
    context = ServerTlsContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(settings.cert_file, settings.key_file)
    if settings.ca_file:
        context.load_verify_locations(cafile=settings.ca_file)
        context.verify_mode = ssl.CERT_REQUIRED
    else:
        context.verify_mode = ssl.CERT_NONE
    context.handshake_timeout = settings.handshake_timeout
    context.on_failure = on_failure
    return context

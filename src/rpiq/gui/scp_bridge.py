"""ScpBridge: the embedded SCP's events, from pynetdicom threads to the GUI thread.

``ScpService`` calls its ``on_event`` callback on whatever thread the event
happened (association threads, the start/stop worker). Pass
:meth:`ScpBridge.deliver` as that callback: it emits :attr:`event_received`,
which Qt queues to slots on the GUI thread because the bridge lives there.
The signal is not called ``event``: that would hide :meth:`QObject.event`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from rpiq.core.scp import ScpEvent

__all__ = ["ScpBridge"]


class ScpBridge(QObject):
    """Carries :data:`~rpiq.core.scp.ScpEvent` objects to the GUI thread."""

    event_received = Signal(object)  # ScpEvent (frozen dataclass)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._closed = False

    def deliver(self, event: ScpEvent) -> None:
        """``on_event`` callback for ``ScpService``; safe from any thread."""
        if self._closed:
            return
        try:
            self.event_received.emit(event)
        except RuntimeError:  # the C++ object is gone (window closed)
            self._closed = True

    def close(self) -> None:
        """Drop every later event (called before the bridge is destroyed)."""
        self._closed = True

"""What the SCP needs from the archive (PS3.4 Annex Q answers, Annex B storage).

``rpiq.core.archive.Archive`` satisfies :class:`ScpArchive`; the SCP depends
only on this structural interface, so handlers can be tested with a small fake
and another store can be plugged in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from pydicom.dataset import Dataset


class StoredInstance(Protocol):
    """Outcome of one durable store (``rpiq.core.archive.StoreResult``)."""

    @property
    def sop_instance_uid(self) -> str:
        """SOP Instance UID (0008,0018) of the stored instance."""

    @property
    def patient_id(self) -> str:
        """Patient ID (0010,0020) it was filed under."""

    @property
    def issuer(self) -> str | None:
        """Issuer of Patient ID (0010,0021), if any."""

    @property
    def replaced(self) -> bool:
        """True when an instance with the same UID was overwritten."""


class QueryAnswer(Protocol):
    """The archive's answer to one RPI query (``rpiq.core.archive.RpiAnswer``)."""

    @property
    def status(self) -> int:
        """Pending (a match), Success (no match) or a Failure code."""

    @property
    def identifier(self) -> Dataset | None:
        """The response identifier with a Pending status, else ``None``."""

    @property
    def error_comment(self) -> str | None:
        """Error Comment (0000,0902) for a failure."""

    @property
    def offending_element(self) -> int | None:
        """Offending Element (0000,0901) tag for a failure."""

    @property
    def patient_id(self) -> str | None:
        """The Patient ID the query asked for."""

    @property
    def tid(self) -> int | None:
        """The requested template identifier."""


class ScpArchive(Protocol):
    """The two archive operations the SCP handlers call (thread-safe)."""

    def store(self, ds: Dataset, encoded: bytes | None = None) -> StoredInstance:
        """Store ``ds`` (with ``file_meta``) durably; raise ``ArchiveError``.

        ``encoded`` is the data set as received, to write without re-encoding.
        """

    def answer(self, identifier: Dataset, sop_class_uid: str) -> QueryAnswer:
        """Answer one RPI C-FIND identifier for ``sop_class_uid``."""

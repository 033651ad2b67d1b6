"""Results the archive hands out: stored instances, RPI answers, listings, imports.

Plain frozen dataclasses, free of SQL and files, shared by the SCP (C-STORE,
PS3.4 Annex B; RPI C-FIND, PS3.4 Annex Q), the CLI and the GUI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydicom.dataset import Dataset

if TYPE_CHECKING:
    from pathlib import Path

    from rpiq.core.status import RpiqStatus

#: Error Comment (0000,0902) is LO: at most 64 characters (PS3.7 C.4).
ERROR_COMMENT_MAX = 64


def short_comment(text: str) -> str:
    """``text`` cut to the 64 characters an Error Comment (LO) may hold."""
    text = " ".join(text.split())
    if len(text) <= ERROR_COMMENT_MAX:
        return text
    return text[: ERROR_COMMENT_MAX - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class StoreResult:
    """Outcome of one durable :meth:`Archive.store <rpiq.core.archive.Archive.store>`.

    Attributes
    ----------
    sop_instance_uid : str
        SOP Instance UID (0008,0018); also the instance file's name.
    patient_id : str
        Patient ID (0010,0020) the instance was filed under.
    issuer : str or None
        Issuer of Patient ID (0010,0021); ``None`` when the instance had none.
    replaced : bool
        True when an instance with the same SOP Instance UID was already
        stored; the new one replaced it (file and index rows).
    path : Path
        The instance file.
    rpi_template : int or None
        TID of the PS3.16 Annex K template the instance supplies as RPI
        content (an SR document), else ``None``.
    warnings : tuple of str
        Things the user should know, e.g. why an SR document is kept but not
        used as RPI content.
    """

    sop_instance_uid: str
    patient_id: str
    issuer: str | None
    replaced: bool
    path: Path
    rpi_template: int | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RpiAnswer:
    """The archive's answer to one RPI C-FIND request (PS3.4 Q.2.1, Table Q.2-1).

    Attributes
    ----------
    status : RpiqStatus
        ``PENDING`` (one match, ``identifier`` set), ``SUCCESS`` (no match) or
        a failure: ``MORE_THAN_ONE_MATCH`` (C100), ``TEMPLATE_NOT_SUPPORTED``
        (C200), ``IDENTIFIER_MISMATCH`` (A900), ``SOP_CLASS_NOT_SUPPORTED``,
        ``UNABLE_TO_PROCESS``.
    identifier : Dataset or None
        The Pending response identifier. Its Content Sequence and Concept Name
        Code Sequence are shared with the archive's answer cache: encode or
        read it, but ``copy.deepcopy`` it before changing anything.
    error_comment : str or None
        Error Comment (0000,0902) of a failure, at most 64 characters.
    offending_element : int or None
        Offending Element (0000,0901) tag of a failure.
    patient_id : str or None
        The Patient ID the request asked for (when it had a usable one).
    tid : int or None
        The requested template identifier (when it was readable).
    source : str or None
        Where the content came from, for logs: ``"SR <uid>"``, ``"patient
        attributes"``.
    """

    status: RpiqStatus
    identifier: Dataset | None = None
    error_comment: str | None = None
    offending_element: int | None = None
    patient_id: str | None = None
    tid: int | None = None
    source: str | None = None

    def status_dataset(self) -> Dataset:
        """The status as pynetdicom accepts it from a handler (PS3.7 C.4).

        Returns
        -------
        Dataset
            Status (0000,0900), plus Error Comment and Offending Element
            (0000,0901) when set.
        """
        ds = Dataset()
        ds.Status = int(self.status)
        if self.error_comment:
            ds.ErrorComment = short_comment(self.error_comment)
        if self.offending_element is not None:
            ds.OffendingElement = [self.offending_element]
        return ds


@dataclass(frozen=True, slots=True)
class PatientSummary:
    """One patient of the archive, for ``rpiq archive list`` and the GUI table.

    Attributes
    ----------
    patient_id, issuer : str, str or None
        The patient's key (Patient ID, Issuer of Patient ID).
    name : str
        Latest known Patient's Name (``""`` if unknown).
    birth_date, sex : str
        Latest known Patient's Birth Date (DA) and Sex (``""`` if unknown).
    instances : int
        Number of stored instances.
    templates : tuple of int
        TIDs of the stored RPI SR documents, ascending.
    """

    patient_id: str
    issuer: str | None
    name: str
    birth_date: str
    sex: str
    instances: int
    templates: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class InstanceSummary:
    """One stored instance (``rpiq archive list --instances``).

    Attributes
    ----------
    sop_instance_uid, sop_class_uid : str
        The instance's identity.
    patient_id, issuer : str, str or None
        The patient it is filed under.
    datetime : str
        Its content date and time (DT), used to pick the newest value.
    path : Path
        The instance file.
    rpi_template : int or None
        TID when it is an RPI SR document.
    """

    sop_instance_uid: str
    sop_class_uid: str
    patient_id: str
    issuer: str | None
    datetime: str
    path: Path
    rpi_template: int | None


@dataclass(frozen=True, slots=True)
class AttributeValue:
    """The latest value of one patient attribute and where it came from.

    Attributes
    ----------
    keyword : str
        pydicom keyword, e.g. ``"PregnancyStatus"``.
    value : str, int or tuple of str
        The value as stored: text, the US integer, or the values of a
        multi-valued attribute (Allergies, Medical Alerts).
    source_uid : str
        SOP Instance UID of the instance that supplied it.
    source_datetime : str
        That instance's content date and time (DT).
    """

    keyword: str
    value: str | int | tuple[str, ...]
    source_uid: str
    source_datetime: str

    def as_text(self) -> str:
        """The value for display (multiple values joined by a backslash)."""
        if isinstance(self.value, tuple):
            return "\\".join(self.value)
        return str(self.value)


@dataclass(frozen=True, slots=True)
class PatientDetails:
    """Everything the archive knows about one patient (``rpiq archive show``).

    Attributes
    ----------
    patient_id, issuer : str, str or None
        The patient's key.
    attributes : tuple of AttributeValue
        Latest value of each patient attribute, by keyword.
    instances : tuple of InstanceSummary
        Stored instances, newest first.
    """

    patient_id: str
    issuer: str | None
    attributes: tuple[AttributeValue, ...]
    instances: tuple[InstanceSummary, ...]

    def attribute(self, keyword: str) -> AttributeValue | None:
        """The latest value of ``keyword``, if known."""
        return next((a for a in self.attributes if a.keyword == keyword), None)


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """A file that could not be imported, and why."""

    path: Path
    message: str


@dataclass(slots=True)
class ImportSummary:
    """What ``rpiq archive import`` did (filled in while the import runs).

    Attributes
    ----------
    files : int
        Files found under the given paths.
    stored : int
        Instances stored (new or replacing).
    replaced : int
        Of those, instances that replaced one with the same SOP Instance UID.
    not_dicom : int
        Files skipped because they are not DICOM (no PS3.10 "DICM" header).
    problems : list of ImportProblem
        DICOM files (or paths) that could not be imported, by name.
    cancelled : bool
        The import was cancelled before the end.
    aborted : str or None
        Why the import stopped early (e.g. the disk is full).
    seconds : float
        Wall-clock duration.
    """

    files: int = 0
    stored: int = 0
    replaced: int = 0
    not_dicom: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    cancelled: bool = False
    aborted: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every DICOM file was stored (non-DICOM files are fine)."""
        return not self.problems and not self.cancelled and self.aborted is None

    def text(self) -> str:
        """One line for the user, e.g. ``12 files: 10 stored (1 replaced) …``."""
        parts = [
            f"{self.files} file(s): {self.stored} stored ({self.replaced} replaced)",
            f"{self.not_dicom} not DICOM (skipped)",
            f"{len(self.problems)} failed",
        ]
        text = ", ".join(parts) + f" in {self.seconds:.1f} s"
        if self.cancelled:
            text += "; cancelled"
        if self.aborted:
            text += f"; stopped: {self.aborted}"
        return text

"""Find one patient's relevant information for one template, with a cache.

Matching follows PS3.4 Table Q.4-1: Patient ID by Single Value Matching,
narrowed by Issuer of Patient ID when the request gives one; with no issuer
every issuer's patient with that ID matches (more than one → C100). The
content is the newest stored SR document of the patient for the template, else
content synthesized from the patient's attributes
(:mod:`rpiq.core.archive.synth`). Built answers are cached per (patient,
template) and reused while the patient's generation (bumped by every store
touching the patient, in any process) is unchanged, so a hot query costs one
indexed SELECT.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rpiq.core.archive.content import from_blob, rpi_root, tree_is_ascii
from rpiq.core.archive.synth import synthesize
from rpiq.core.sr.encode import encode_root

if TYPE_CHECKING:
    from pydicom.dataset import Dataset

    from rpiq.core.archive.index import Index
    from rpiq.core.archive.model import AttributeValue
    from rpiq.core.archive.records import PatientKey, StoredRpi

CACHE_SIZE = 1024


@dataclass(frozen=True, slots=True)
class Relevant:
    """Everything needed to answer for one patient and one template.

    Attributes
    ----------
    patient : PatientKey
        The matched patient.
    attributes : dict of str to AttributeValue
        The patient's latest attribute values.
    root : Dataset or None
        Encoded root item (Value Type, Concept Name Code Sequence,
        Observation DateTime, Content Sequence and the reference sequences of
        Table Q.4-1 when known); ``None`` when the template cannot be supplied.
        Shared by every answer built from this entry: never modify it.
    ascii_only : bool
        The content needs no Specific Character Set.
    source : str
        ``"SR <uid>"`` or ``"patient attributes"``.
    """

    patient: PatientKey
    attributes: dict[str, AttributeValue]
    root: Dataset | None
    ascii_only: bool
    source: str


@dataclass(frozen=True, slots=True)
class Lookup:
    """Result of matching: how many patients matched, and the one's content."""

    matches: int
    relevant: Relevant | None = None


class AnswerCache:
    """A small thread-safe LRU of :class:`Relevant`, keyed by (patient, TID)."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[int, int], Relevant] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, patient: PatientKey, tid: int) -> Relevant | None:
        """The cached entry if it was built from this patient generation."""
        key = (patient.rowid, tid)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.patient != patient:
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, tid: int, entry: Relevant) -> None:
        """Remember ``entry``, evicting the least recently used."""
        with self._lock:
            self._entries[(entry.patient.rowid, tid)] = entry
            self._entries.move_to_end((entry.patient.rowid, tid))
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()


def _from_attributes(
    patient: PatientKey, tid: int, attributes: dict[str, AttributeValue]
) -> Relevant:
    synthesized = synthesize(tid, attributes)
    if synthesized is None:
        return Relevant(patient, attributes, None, True, "patient attributes")
    dates = [a.source_datetime for a in synthesized.sources]
    observed = max(dates) if dates else patient.latest
    root = rpi_root(tid, synthesized.children, observed or None)
    return Relevant(
        patient,
        attributes,
        encode_root(root),
        tree_is_ascii(root),
        "patient attributes",
    )


def _from_document(
    patient: PatientKey, attributes: dict[str, AttributeValue], stored: StoredRpi
) -> Relevant:
    root = from_blob(stored.blob)
    if "SpecificCharacterSet" in root:
        del root.SpecificCharacterSet
    return Relevant(
        patient, attributes, root, stored.ascii_only, f"SR {stored.sop_instance_uid}"
    )


def find_relevant(
    index: Index, cache: AnswerCache, patient_id: str, issuer: str | None, tid: int
) -> Lookup:
    """Match the patient and return the content for ``tid``.

    Parameters
    ----------
    index : Index
        The archive index.
    cache : AnswerCache
        Built answers, checked against the patient generation.
    patient_id : str
        Patient ID (exact, case-sensitive).
    issuer : str or None
        Issuer of Patient ID; ``None`` matches every issuer.
    tid : int
        The requested root template.

    Returns
    -------
    Lookup
        ``matches`` 0, 1 or 2 (2 meaning "more than one"); ``relevant`` only
        for exactly one match.
    """
    with index.read() as reader:
        patients = reader.find_patients(patient_id, issuer)
        if len(patients) != 1:
            return Lookup(len(patients))
        patient = patients[0]
        cached = cache.get(patient, tid)
        if cached is not None:
            return Lookup(1, cached)
        attributes = reader.attributes(patient.rowid)
        stored = reader.newest_rpi(patient.rowid, tid)
    if stored is not None:
        entry = _from_document(patient, attributes, stored)
    else:
        entry = _from_attributes(patient, tid, attributes)
    cache.put(tid, entry)
    return Lookup(1, entry)

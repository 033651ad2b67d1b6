"""RPI content of stored SR documents, and its compact stored form.

An SR document (PS3.3 C.17.3) is RPI content when its Content Template
Sequence (0040,A504) names DCMR and a PS3.16 Annex K root template, or when its
root Concept Name is the row-1 concept of one (PS3.4 Q.4.3.3). Its content tree
is parsed once into :class:`~rpiq.core.sr.model.ContentNode` objects, given the
answer's root (row 1 of the template, PS3.4 Q.4.3.1.2.1) and, where the
template requires it, the TID 1204 language item, then kept in the index as
DICOM bytes (Explicit VR Little Endian), so a query never re-reads instance
files. When the document arrived in Explicit VR Little Endian and its Content
Sequence read cleanly, those bytes are kept as they came, with the document's
Specific Character Set (PS3.5 6.1): re-encoding a 20-item tree through pydicom
cost ~10 ms per stored document. Otherwise the parsed tree is encoded with
:func:`~rpiq.core.sr.encode.encode_root` in UTF-8.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydicom.charset import convert_encodings, default_encoding
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.filebase import DicomBytesIO
from pydicom.filereader import read_dataset
from pydicom.filewriter import write_dataset

from rpiq.core.archive.rows import has_language, language_item, needs_language
from rpiq.core.sr import BY_REFERENCE, UNREADABLE, CodedConcept, parse_content
from rpiq.core.sr.charset import pydicom_handles
from rpiq.core.sr.encode import encode_root
from rpiq.core.sr.model import ContentNode, Reference, ValueType
from rpiq.core.templates import ANNEX_K_ROOTS, get_template

if TYPE_CHECKING:
    from collections.abc import Iterator

UTF8 = "ISO_IR 192"
_MAPPING_RESOURCE = "DCMR"
#: Evidence sequences of the SR Document General Module (PS3.3 C.17.2).
_EVIDENCE = (
    "CurrentRequestedProcedureEvidenceSequence",
    "PertinentOtherEvidenceSequence",
)
REFERENCED_STUDIES = "StudiesContainingOtherReferencedInstancesSequence"
HL7_REFERENCES = "HL7StructuredDocumentReferenceSequence"
_CONTENT_SEQUENCE = 0x0040A730


@dataclass(frozen=True, slots=True)
class RpiContent:
    """The RPI content of one SR document, ready for the index.

    Attributes
    ----------
    tid : int
        The Annex K root template it supplies.
    blob : bytes
        Encoded root (see :func:`to_blob`).
    ascii_only : bool
        No text needs a Specific Character Set.
    """

    tid: int
    blob: bytes
    ascii_only: bool


def _single_item(ds: Dataset, keyword: str) -> Dataset | None:
    seq = ds.get(keyword)
    if not seq or len(seq) != 1:
        return None
    item = seq[0]
    return item if isinstance(item, Dataset) else None


def _template_from_sequence(ds: Dataset) -> int | None:
    item = _single_item(ds, "ContentTemplateSequence")
    if item is None:
        return None
    resource = str(item.get("MappingResource", "")).strip()
    identifier = str(item.get("TemplateIdentifier", "")).strip()
    if resource != _MAPPING_RESOURCE or not identifier.isdigit():
        return None
    tid = int(identifier)
    return tid if tid in ANNEX_K_ROOTS else None


def _template_from_concept(ds: Dataset) -> int | None:
    item = _single_item(ds, "ConceptNameCodeSequence")
    if item is None:
        return None
    try:
        concept = CodedConcept.from_item(item)
    except ValueError:
        return None
    for tid in ANNEX_K_ROOTS:
        if concept.same_code(get_template(tid).root_concept_for_rpi()):
            return tid
    return None


def rpi_template_of(ds: Dataset) -> int | None:
    """The Annex K root template an SR document supplies, or None.

    Only documents whose root Value Type is CONTAINER qualify; the Content
    Template Sequence is consulted first, then the root Concept Name.
    """
    try:
        if str(ds.get("ValueType", "")).strip() != ValueType.CONTAINER.value:
            return None
        return _template_from_sequence(ds) or _template_from_concept(ds)
    except (ValueError, TypeError, AttributeError):
        return None


def rpi_root(
    tid: int, children: tuple[ContentNode, ...], observed: str | None
) -> ContentNode:
    """The answer's root item: row 1 of ``tid`` (PS3.4 Q.4.3.1.2.1).

    No Continuity Of Content and no Content Template Sequence: Table Q.4-1
    does not list the former, and the latter echoes the request.
    """
    template = get_template(tid)
    return ContentNode(
        None,
        template.root_value_type,
        CodedConcept.from_code(template.root_concept_for_rpi()),
        None,
        children=children,
        observation_datetime=observed,
    )


def _problem(root: ContentNode) -> str | None:
    """Why a parsed tree cannot serve as RPI content, or None."""
    for _, node in root.walk():
        if node.value_type == UNREADABLE:
            return f"it has unreadable content ({node.problem})"
        if node.value_type == BY_REFERENCE:
            return "it uses by-reference relationships, not allowed in RPI content"
    return None


def _strings(node: ContentNode) -> Iterator[str]:
    for _, item in node.walk():
        for concept in (item.concept, item.units, item.qualifier, item.value):
            if isinstance(concept, CodedConcept):
                yield concept.value
                yield concept.meaning
        if isinstance(item.value, str):
            yield item.value


def tree_is_ascii(node: ContentNode) -> bool:
    """True when no text of the tree needs a Specific Character Set."""
    return all(text.isascii() for text in _strings(node))


def _referenced_uids(node: ContentNode) -> set[str]:
    return {
        item.value.sop_instance_uid
        for _, item in node.walk()
        if isinstance(item.value, Reference)
    }


def _evidence(ds: Dataset, uids: set[str]) -> list[Dataset]:
    """Studies Containing Other Referenced Instances items (PS3.3 C.12.2).

    Built from the document's evidence sequences, keeping only the instances
    its content references.
    """
    studies: list[Dataset] = []
    for keyword in _EVIDENCE:
        for study in ds.get(keyword) or ():
            series_items = []
            for series in study.get("ReferencedSeriesSequence") or ():
                refs = [
                    ref
                    for ref in series.get("ReferencedSOPSequence") or ()
                    if str(ref.get("ReferencedSOPInstanceUID", "")) in uids
                ]
                if refs:
                    out = Dataset()
                    out.SeriesInstanceUID = series.SeriesInstanceUID
                    out.ReferencedInstanceSequence = refs
                    series_items.append(out)
            if series_items:
                item = Dataset()
                item.StudyInstanceUID = study.StudyInstanceUID
                item.ReferencedSeriesSequence = series_items
                studies.append(item)
    return studies


def to_blob(root: ContentNode, extras: Dataset | None = None) -> bytes:
    """Encode ``root`` (and reference sequences in ``extras``) as DICOM bytes."""
    ds = encode_root(root)
    if not tree_is_ascii(root):
        ds.SpecificCharacterSet = UTF8
    return _write(ds, extras)


def _raw_content(ds: Dataset) -> RawDataElement | None:
    """The document's Content Sequence if still undecoded Explicit VR LE bytes.

    The tree parser leaves the element raw only when its fast reader accepted
    every byte (:mod:`rpiq.core.sr.rawread` is strict), so such bytes are
    well-formed and can be copied into the blob unchanged.
    """
    raw: object = ds.get_item(_CONTENT_SEQUENCE)  # typed DataElement, may be raw
    if not isinstance(raw, RawDataElement) or not raw.value:
        return None
    if raw.is_implicit_VR or not raw.is_little_endian or raw.VR != "SQ":
        return None
    return raw


def _raw_blob(
    header: ContentNode, raw: RawDataElement, source: Dataset, extras: Dataset
) -> bytes:
    """The blob of ``header`` (no children) with ``raw`` as its Content Sequence."""
    ds = encode_root(header)
    charset = source.get("SpecificCharacterSet")
    encodings: str | list[str] = default_encoding
    if charset:
        ds.SpecificCharacterSet = charset
        encodings = convert_encodings(charset)
    ds[_CONTENT_SEQUENCE] = raw
    # Same encoding as the raw bytes: pydicom then writes them unchanged
    # instead of decoding the whole sequence to re-check ambiguous VRs.
    ds.set_original_encoding(False, True, encodings)
    return _write(ds, extras)


def _write(ds: Dataset, extras: Dataset | None) -> bytes:
    if extras is not None:
        ds.update(extras)
    fp = DicomBytesIO()
    fp.is_little_endian = True
    fp.is_implicit_VR = False
    write_dataset(fp, ds)
    return bytes(fp.getvalue())


def _materialize(ds: Dataset) -> None:
    """Decode every element now, so threads later share a finished Dataset."""
    for element in ds:
        if element.VR == "SQ":
            for item in element.value:
                _materialize(item)


def from_blob(blob: bytes) -> Dataset:
    """Inverse of :func:`to_blob`: the encoded root as a decoded Dataset."""
    ds = read_dataset(io.BytesIO(blob), is_implicit_VR=False, is_little_endian=True)
    _materialize(ds)
    return ds


def extract(
    ds: Dataset, fallback_observed: str
) -> tuple[RpiContent | None, str | None]:
    """The RPI content of an SR document.

    Parameters
    ----------
    ds : Dataset
        A stored instance.
    fallback_observed : str
        Observation DateTime to use when the root has none (the instance's
        content date and time).

    Returns
    -------
    tuple
        ``(content, None)`` for usable RPI content, ``(None, reason)`` for an
        Annex K document that cannot be used, ``(None, None)`` for anything
        else.
    """
    tid = rpi_template_of(ds)
    if tid is None:
        return None, None
    parsed = parse_content(ds)
    problem = _problem(parsed)
    if problem is not None:
        return None, f"TID {tid} SR document kept but not used for RPI: {problem}."
    children = parsed.children
    # Bytes pydicom would decode wrongly are re-encoded (in UTF-8) instead.
    raw = _raw_content(ds) if pydicom_handles(ds.get("SpecificCharacterSet")) else None
    if needs_language(tid) and not has_language(children):
        children = (language_item(tid), *children)
        raw = None  # the language item must be added: encode the whole tree
    observed = parsed.observation_datetime or fallback_observed
    root = rpi_root(tid, children, observed)
    extras = _extras(ds, root)
    if raw is None:
        blob = to_blob(root, extras)
    else:
        blob = _raw_blob(rpi_root(tid, (), observed), raw, ds, extras)
    return RpiContent(tid, blob, tree_is_ascii(root)), None


def _extras(ds: Dataset, root: ContentNode) -> Dataset:
    """Reference sequences an answer returns when requested (Table Q.4-1)."""
    extras = Dataset()
    try:
        studies = _evidence(ds, _referenced_uids(root))
        hl7 = ds.get(HL7_REFERENCES)
    except (AttributeError, ValueError, TypeError):  # malformed evidence: omit
        return extras
    if studies:
        setattr(extras, REFERENCED_STUDIES, studies)
    if hl7:
        setattr(extras, HL7_REFERENCES, hl7)
    return extras

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
cost ~10 ms per stored document. The few root elements in front of them are
joined from bytes encoded once per template and character set. Otherwise the
parsed tree is encoded with :func:`~rpiq.core.sr.encode.encode_root` in UTF-8.
"""

from __future__ import annotations

import functools
import io
import re
import struct
from collections import abc
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydicom.charset import convert_encodings, default_encoding, python_encoding
from pydicom.datadict import tag_for_keyword
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.filebase import DicomBytesIO
from pydicom.filereader import read_dataset
from pydicom.filewriter import write_dataset
from pydicom.tag import BaseTag

from rpiq.core.archive.rows import has_language, language_item, needs_language
from rpiq.core.sr import BY_REFERENCE, UNREADABLE, CodedConcept, parse_content
from rpiq.core.sr.access import raw_sequence
from rpiq.core.sr.charset import pydicom_handles
from rpiq.core.sr.encode import encode_root
from rpiq.core.sr.model import ContentNode, Reference, ValueType
from rpiq.core.sr.rawread import RawItem
from rpiq.core.templates import ANNEX_K_ROOTS, get_template

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

UTF8 = "ISO_IR 192"
_MAPPING_RESOURCE = "DCMR"
#: Evidence sequences of the SR Document General Module (PS3.3 C.17.2).
_EVIDENCE = (
    "CurrentRequestedProcedureEvidenceSequence",
    "PertinentOtherEvidenceSequence",
)
REFERENCED_STUDIES = "StudiesContainingOtherReferencedInstancesSequence"
HL7_REFERENCES = "HL7StructuredDocumentReferenceSequence"
#: Tags of the document attributes :func:`_extras` copies from.
_EXTRA_SOURCES = tuple(tag_for_keyword(k) for k in (*_EVIDENCE, HL7_REFERENCES))
_CONTENT_SEQUENCE = 0x0040A730
_OBSERVATION_DATETIME = 0x0040A032
_UNDEFINED_LENGTH = 0xFFFFFFFF
#: An Observation DateTime packed as is: one DT value (PS3.5 6.2) in ASCII
#: digits, no range, no padding. pydicom's own DT pattern accepts all of
#: these, so it would neither warn about them nor change them; other values
#: go through pydicom, which warns as it always did.
_PLAIN_DT = re.compile(
    r"[0-9]{4}((0[1-9]|1[0-2])(([0-2][0-9]|3[01])(([01][0-9]|2[0-3])"
    r"([0-5][0-9]((60|[0-5][0-9])(\.[0-9]{1,6})?)?)?)?)?)?([+-][01][0-9]{3})?"
)
_ISO_2022 = "ISO 2022 IR "
_SHORT_HEADER = struct.Struct("<HH2sH")  # Explicit VR LE, 16-bit length
_SQ_HEADER = struct.Struct("<HH2sHL")  # SQ: 2 reserved bytes, 32-bit length


def _dt_element(tag: int, text: str) -> bytes:
    """A DT element in Explicit VR Little Endian (PS3.5 7.1.2), space padded."""
    value = text.encode("ascii")
    if len(value) % 2:
        value += b" "  # PS3.5 6.2: DT pads with a space
    return _SHORT_HEADER.pack(tag >> 16, tag & 65535, b"DT", len(value)) + value


def _sq_header(tag: int, length: int) -> bytes:
    """The header of a defined-length SQ element in Explicit VR Little Endian."""
    return _SQ_HEADER.pack(tag >> 16, tag & 65535, b"SQ", 0, length)


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


def _root_sequence(ds: Dataset, keyword: str) -> Sequence[object] | None:
    """A sequence of the document's top level, read raw when it can be.

    A received document's sequences are still undecoded bytes; reading the
    few a template check needs with :mod:`rpiq.core.sr.rawread` costs a tenth
    of pydicom building a Dataset per item (~0.1 ms per stored document).
    """
    fast = raw_sequence(ds, keyword)
    if fast is not None:
        return fast
    seq: Sequence[object] | None = ds.get(keyword)
    return seq


def _single_item(ds: Dataset, keyword: str) -> Dataset | RawItem | None:
    seq = _root_sequence(ds, keyword)
    if not seq or len(seq) != 1:
        return None
    item = seq[0]
    return item if isinstance(item, Dataset | RawItem) else None


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
    tid: int, observed: str, raw: RawDataElement, source: Dataset, extras: Dataset
) -> bytes:
    """The blob of the root of ``tid`` (no children) with ``raw`` as its content.

    Packed from cached pieces (:func:`_packed_raw_blob`) when it can be, else
    through pydicom (:func:`_encoded_raw_blob`); the bytes are the same.
    """
    packed = _packed_raw_blob(tid, observed, raw, source, extras)
    if packed is not None:
        return packed
    return _encoded_raw_blob(rpi_root(tid, (), observed), raw, source, extras)


def _encoded_raw_blob(
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


def _charset_key(charset: object) -> tuple[str, ...] | None:
    """Specific Character Set values as a cache key; None if unusual.

    Only sets pydicom converts without a word qualify (PS3.3 C.12.1.1.2):
    one defined term, or ISO 2022 code extensions after an optional empty
    value 1. pydicom warns about the others each time it meets them, which
    a cached header would hide, so they take the pydicom path.
    """
    if not charset:
        return ()
    if isinstance(charset, str):
        return (charset,) if charset in python_encoding else None
    if not isinstance(charset, abc.Sequence):
        return None
    values = tuple(charset)  # a MultiValue of several sets
    if not all(isinstance(v, str) for v in values):
        return None
    first, *extensions = values
    terms = extensions if first == "" else values
    if not all(v.startswith(_ISO_2022) and v in python_encoding for v in terms):
        return None
    return values


@functools.lru_cache(maxsize=64)
def _header_pieces(tid: int, charset: tuple[str, ...]) -> tuple[bytes, bytes] | None:
    """The root's encoded elements before and after its Observation DateTime.

    Encoded once per template and character set by :func:`_encoded_raw_blob`
    itself (an empty Content Sequence, no date), then split around where
    (0040,A032) goes in tag order: Specific Character Set (0008,0005) before,
    Value Type and Concept Name Code Sequence (0040,A040/A043) after. None if
    the root holds anything else, so the caller takes the pydicom path.
    """
    header = rpi_root(tid, (), None)
    tags = [int(element.tag) for element in encode_root(header)]
    if not all(_OBSERVATION_DATETIME < tag < _CONTENT_SEQUENCE for tag in tags):
        return None
    before = b""
    source = Dataset()
    if charset:
        source.SpecificCharacterSet = charset[0] if len(charset) == 1 else [*charset]
        only = Dataset()
        only.SpecificCharacterSet = source.SpecificCharacterSet
        before = _write(only, None)
    empty = RawDataElement(BaseTag(_CONTENT_SEQUENCE), "SQ", 0, b"", 0, False, True)
    whole = _encoded_raw_blob(header, empty, source, Dataset())
    tail = _sq_header(_CONTENT_SEQUENCE, 0)
    if not whole.startswith(before) or not whole.endswith(tail):
        return None
    return before, whole[len(before) : len(whole) - len(tail)]


def _packed_raw_blob(
    tid: int, observed: str, raw: RawDataElement, source: Dataset, extras: Dataset
) -> bytes | None:
    """:func:`_encoded_raw_blob`'s bytes joined from cached pieces, or None.

    Applies to the usual document: no reference sequences to add, a plain
    Observation DateTime, a defined-length Content Sequence. pydicom took
    ~0.3 ms to build and write these few root elements per stored document.
    """
    if len(extras) or raw.length == _UNDEFINED_LENGTH or raw.value is None:
        return None
    if not _PLAIN_DT.fullmatch(observed):
        return None
    charset = _charset_key(source.get("SpecificCharacterSet"))
    pieces = None if charset is None else _header_pieces(tid, charset)
    if pieces is None:
        return None
    before, after = pieces
    return b"".join(
        (
            before,
            _dt_element(_OBSERVATION_DATETIME, observed),
            after,
            _sq_header(_CONTENT_SEQUENCE, len(raw.value)),
            raw.value,
        )
    )


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
        blob = _raw_blob(tid, observed, raw, ds, extras)
    return RpiContent(tid, blob, tree_is_ascii(root)), None


def _extras(ds: Dataset, root: ContentNode) -> Dataset:
    """Reference sequences an answer returns when requested (Table Q.4-1)."""
    extras = Dataset()
    present = ds.keys()
    if not any(tag in present for tag in _EXTRA_SOURCES):
        return extras  # the usual document: nothing to copy, no tree walk
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

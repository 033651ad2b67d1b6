"""Bytes the archive packs itself on the store path are exactly pydicom's bytes.

A received instance's File Meta (PS3.10 7.1) and the root elements of a stored
RPI document's blob are packed directly, and the document's Content Template
Sequence is read raw; pydicom stays the reference, and the fallback for
anything unusual. Also the patient-attribute read that skips absent tags.
"""

from __future__ import annotations

import dataclasses
import io
from typing import TYPE_CHECKING

import pytest
from pydicom import dcmread, dcmwrite
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.tag import BaseTag
from pydicom.uid import (
    UID,
    DeflatedExplicitVRLittleEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    JPEGBaseline8Bit,
)
from pynetdicom.dsutils import create_file_meta, decode
from tests.sr_evidence import evidence_study

from rpiq.core.archive import Archive, ArchiveError
from rpiq.core.archive import content as archive_content
from rpiq.core.archive.content import (
    REFERENCED_STUDIES,
    _encoded_raw_blob,
    _packed_raw_blob,
    _raw_content,
    extract,
    from_blob,
    rpi_root,
    rpi_template_of,
)
from rpiq.core.archive.ingest import (
    _packed_file_meta,
    _pydicom_file_meta,
    file_meta_bytes,
    make_record,
)
from rpiq.core.archive.schema import PATIENT_ATTRIBUTES, patient_values, read_value
from rpiq.core.sr.access import raw_sequence
from rpiq.core.sr.encode import encode_root
from rpiq.core.sr.model import ContentNode, Reference, ValueType
from rpiq.core.sr.rawread import RawSequence
from rpiq.core.sr.samples import every_value_type_tree, sized_tree

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from pydicom.dataelem import RawDataElement

COMPREHENSIVE_SR = "1.2.840.10008.5.1.4.1.1.88.33"
CT = "1.2.840.10008.5.1.4.1.1.2"
INSTANCE = "1.2.826.0.1.3680043.8.498.4242"


def as_received(ds: Dataset) -> tuple[Dataset, bytes]:
    """``ds`` as the SCP gets it: decoded from Explicit VR LE bytes, still raw.

    The File Meta is pynetdicom's (``event.file_meta``), as in the handler.
    """
    buffer = io.BytesIO()
    dcmwrite(buffer, ds, implicit_vr=False, little_endian=True)
    encoded = buffer.getvalue()
    received = decode(io.BytesIO(encoded), False, True)
    received.file_meta = create_file_meta(
        sop_class_uid=UID(str(ds.SOPClassUID)),
        sop_instance_uid=UID(str(ds.SOPInstanceUID)),
        transfer_syntax=ExplicitVRLittleEndian,
    )
    return received, encoded


def sr_document(tree: ContentNode | None = None, charset: str | None = None) -> Dataset:
    ds = encode_root(sized_tree(20) if tree is None else tree)
    ds.SOPClassUID = COMPREHENSIVE_SR
    ds.SOPInstanceUID = INSTANCE
    ds.PatientID = "PACK-1"
    ds.ContentDate = "20260301"
    ds.ContentTime = "101500"
    if charset is not None:
        ds.SpecificCharacterSet = charset
    return ds


# ---------------------------------------------------------------- File Meta


def pynetdicom_meta(syntax: str = ExplicitVRLittleEndian) -> FileMetaDataset:
    return create_file_meta(
        sop_class_uid=UID(CT),
        sop_instance_uid=UID(INSTANCE),
        transfer_syntax=UID(syntax),
    )


def with_meta(meta: FileMetaDataset | None) -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = CT
    ds.SOPInstanceUID = INSTANCE
    ds.PatientID = "PACK-1"
    if meta is not None:
        ds.file_meta = meta
    return ds


def _changed(**values: object) -> FileMetaDataset:
    meta = pynetdicom_meta()
    for keyword, value in values.items():
        setattr(meta, keyword, value)
    return meta


def _private() -> FileMetaDataset:
    meta = pynetdicom_meta()
    meta.PrivateInformationCreatorUID = UID("1.2.3.45")
    meta.PrivateInformation = b"\x01\x02\x03"  # odd: padded with NUL
    return meta


PACKED_METAS: dict[str, Callable[[], FileMetaDataset]] = {
    "explicit LE": pynetdicom_meta,
    "implicit LE": lambda: pynetdicom_meta(ImplicitVRLittleEndian),
    "deflated": lambda: pynetdicom_meta(DeflatedExplicitVRLittleEndian),
    "JPEG baseline (odd UID)": lambda: pynetdicom_meta(JPEGBaseline8Bit),
    "odd version name": lambda: _changed(ImplementationVersionName="RPIQ_1"),
    "even version name": lambda: _changed(ImplementationVersionName="RPIQ_10"),
    "empty version name": lambda: _changed(ImplementationVersionName=""),
    "source AE title": lambda: _changed(SourceApplicationEntityTitle="MODALITY1"),
    "other media UIDs": lambda: _changed(
        MediaStorageSOPClassUID="1.2.3", MediaStorageSOPInstanceUID="1.2.3.4.5"
    ),
    "stale group length": lambda: _changed(FileMetaInformationGroupLength=9999),
    "private information": _private,
}


@pytest.mark.parametrize("case", PACKED_METAS)
def test_packed_file_meta_is_byte_identical_to_pydicom(case: str) -> None:
    ds = with_meta(PACKED_METAS[case]())
    record, _ = make_record(ds)
    packed = _packed_file_meta(ds, record.sop_class_uid, record.sop_instance_uid)
    assert packed is not None
    assert packed == _pydicom_file_meta(ds, record)
    assert file_meta_bytes(ds, record) == packed


def _without(keyword: str) -> FileMetaDataset:
    meta = pynetdicom_meta()
    del meta[keyword]
    return meta


PYDICOM_METAS: dict[str, Callable[[], FileMetaDataset | None]] = {
    "no meta": lambda: None,
    "transfer syntax only": lambda: FileMetaDataset(
        {BaseTag(0x00020010): pynetdicom_meta()[0x00020010]}
    ),
    "no implementation class": lambda: _without("ImplementationClassUID"),
    "no version name": lambda: _without("ImplementationVersionName"),
    "no meta version": lambda: _without("FileMetaInformationVersion"),
    "non-ASCII version name": lambda: _changed(ImplementationVersionName="RPIQ_É"),
    "a VR it does not pack": lambda: _changed(
        SourcePresentationAddress="dicom://host:104"
    ),
}


@pytest.mark.parametrize("case", PYDICOM_METAS)
def test_unusual_file_meta_is_left_to_pydicom(case: str) -> None:
    ds = with_meta(PYDICOM_METAS[case]())
    record, _ = make_record(ds)
    packed = _packed_file_meta(ds, record.sop_class_uid, record.sop_instance_uid)
    assert packed is None
    assert file_meta_bytes(ds, record) == _pydicom_file_meta(ds, record)


def test_an_empty_transfer_syntax_is_still_refused() -> None:
    ds = with_meta(_changed(TransferSyntaxUID=""))
    record, _ = make_record(ds)
    with pytest.raises(ArchiveError, match="File Meta is invalid"):
        file_meta_bytes(ds, record)


def test_stored_file_is_the_packed_meta_and_the_bytes_as_received(
    tmp_path: Path,
) -> None:
    received, encoded = as_received(sr_document())
    record, _ = make_record(received)
    expected = _pydicom_file_meta(received, record) + encoded
    result = Archive(tmp_path / "archive").store(received, encoded)
    assert result.path.read_bytes() == expected
    stored = dcmread(result.path)
    assert stored.file_meta.MediaStorageSOPInstanceUID == INSTANCE
    assert stored.file_meta.TransferSyntaxUID == ExplicitVRLittleEndian


# --------------------------------------------------------------------- blob

CHARSETS = [
    None,
    "ISO_IR 100",
    "ISO_IR 144",
    "ISO_IR 192",
    "\\ISO 2022 IR 87",
    "ISO 2022 IR 6\\ISO 2022 IR 87",
]
OBSERVED = [
    "20260301101500",
    "20260301101500.12",  # odd length: padded with a space
    "2026",
    "202603011015+0100",
    "20260301101500.123456-0500",
]


def raw_document(charset: str | None) -> tuple[Dataset, int, RawDataElement]:
    received, _ = as_received(sr_document(charset=charset))
    tid = rpi_template_of(received)
    raw = _raw_content(received)
    assert tid is not None
    assert raw is not None
    return received, tid, raw


@pytest.mark.parametrize("charset", CHARSETS)
@pytest.mark.parametrize("observed", OBSERVED)
def test_packed_blob_is_byte_identical_to_pydicom(
    charset: str | None, observed: str
) -> None:
    doc, tid, raw = raw_document(charset)
    packed = _packed_raw_blob(tid, observed, raw, doc, Dataset())
    assert packed is not None
    assert packed == _encoded_raw_blob(rpi_root(tid, (), observed), raw, doc, Dataset())


@pytest.mark.parametrize(
    "observed",
    [
        "",
        "garbage",
        "2026030110150",  # not a DT: pydicom warns about it, per document
        "20261301",
        "20260301 ",
        "2026-2027",
        "2026\\2027",
        "20260301101500.1234567",
        "２０２６",  # digits, but not ASCII
    ],
)
def test_unusual_observation_datetime_is_left_to_pydicom(observed: str) -> None:
    doc, tid, raw = raw_document(None)
    assert _packed_raw_blob(tid, observed, raw, doc, Dataset()) is None


@pytest.mark.parametrize(
    "charset", ["ISO_IR 4711", "ISO IR 100", "ISO_IR 100\\ISO_IR 144"]
)
def test_unusual_character_sets_are_left_to_pydicom(charset: str) -> None:
    doc, tid, raw = raw_document(None)
    # pydicom warns about these each time it converts them: a cached header
    # would do that only once, so they keep the pydicom path.
    doc.SpecificCharacterSet = charset
    assert _packed_raw_blob(tid, "2026", raw, doc, Dataset()) is None


def test_reference_sequences_and_undefined_lengths_are_left_to_pydicom() -> None:
    doc, tid, raw = raw_document(None)
    extras = Dataset()
    extras.HL7StructuredDocumentReferenceSequence = [Dataset()]
    assert _packed_raw_blob(tid, "2026", raw, doc, extras) is None
    undefined = raw._replace(length=0xFFFFFFFF)
    assert _packed_raw_blob(tid, "2026", undefined, doc, Dataset()) is None


def _with_evidence() -> Dataset:
    """An RPI document referencing an image listed in its evidence."""
    tree = every_value_type_tree()
    referenced = next(n.value for _, n in tree.walk() if isinstance(n.value, Reference))
    doc = sr_document(tree)
    study = evidence_study(
        referenced.sop_class_uid,
        referenced.sop_instance_uid,
        "1.2.826.0.1.3680043.8.498.5",
        "1.2.826.0.1.3680043.8.498.6",
    )
    doc.CurrentRequestedProcedureEvidenceSequence = [study]
    return doc


DOCUMENTS: dict[str, Callable[[], Dataset]] = {
    "20 items": sr_document,
    "every value type": lambda: sr_document(every_value_type_tree()),
    "latin-1": lambda: sr_document(charset="ISO_IR 100"),
    "ISO 2022 IR 87": lambda: sr_document(charset="\\ISO 2022 IR 87"),
    "no observation datetime": lambda: sr_document(
        dataclasses.replace(sized_tree(8), observation_datetime=None)
    ),
    "evidence": _with_evidence,
}


@pytest.mark.parametrize("case", DOCUMENTS)
def test_extract_gives_the_same_content_as_the_pydicom_path(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, _ = extract(as_received(DOCUMENTS[case]())[0], "20260301101500")
    monkeypatch.setattr(archive_content, "_packed_raw_blob", lambda *_: None)
    slow, _ = extract(as_received(DOCUMENTS[case]())[0], "20260301101500")
    assert fast is not None
    assert fast == slow


def test_evidence_of_referenced_instances_is_still_kept() -> None:
    content, _ = extract(as_received(_with_evidence())[0], "20260301101500")
    assert content is not None
    [study] = getattr(from_blob(content.blob), REFERENCED_STUDIES)
    assert study.StudyInstanceUID == "1.2.826.0.1.3680043.8.498.6"


# ---------------------------------------------------- template, raw access


def _template(resource: str, identifier: str) -> Dataset:
    item = Dataset()
    item.MappingResource = resource
    item.TemplateIdentifier = identifier
    return item


def _templated(*items: Dataset) -> Dataset:
    doc = sr_document(sized_tree(6))
    doc.ContentTemplateSequence = list(items)
    return doc


def _concept_only() -> Dataset:
    doc = sr_document(sized_tree(6))
    del doc.ContentTemplateSequence
    return doc


def _not_a_container() -> Dataset:
    doc = sr_document(sized_tree(6))
    doc.ValueType = ValueType.TEXT.value
    return doc


TEMPLATE_CASES: dict[str, tuple[Callable[[], Dataset], int | None]] = {
    "DCMR 9007": (lambda: sr_document(sized_tree(6)), 9007),
    "concept name only": (_concept_only, 9007),
    "other resource, concept decides": (
        lambda: _templated(_template("99LOCAL", "9007")),
        9007,
    ),
    "not a root template": (lambda: _templated(_template("DCMR", "1500")), 9007),
    "identifier not digits": (lambda: _templated(_template("DCMR", "T9007")), 9007),
    "two items": (
        lambda: _templated(_template("DCMR", "9000"), _template("DCMR", "9007")),
        9007,
    ),
    "another Annex K root": (lambda: _templated(_template("DCMR", "9000")), 9000),
    "not a container": (_not_a_container, None),
}


def _decoded(ds: Dataset) -> Dataset:
    for element in ds.iterall():
        _ = element.value
    return ds


@pytest.mark.parametrize("case", TEMPLATE_CASES)
def test_template_check_reads_raw_and_agrees_with_pydicom(case: str) -> None:
    make, expected = TEMPLATE_CASES[case]
    received, _ = as_received(make())
    if "ContentTemplateSequence" in received:
        fast = raw_sequence(received, "ContentTemplateSequence")
        assert isinstance(fast, RawSequence)
    assert rpi_template_of(received) == expected
    assert rpi_template_of(_decoded(as_received(make())[0])) == expected


def test_raw_sequence_only_for_still_raw_sequences() -> None:
    received, _ = as_received(sr_document(sized_tree(6)))
    [item] = raw_sequence(received, "ContentTemplateSequence") or []
    assert item.get("TemplateIdentifier") == "9007"
    assert raw_sequence(received, "PatientID") is None  # not a sequence
    assert raw_sequence(received, "NotAKeyword") is None
    assert raw_sequence(received, "ReferencedSOPSequence") is None  # absent
    _ = received.ContentTemplateSequence  # pydicom decodes it in place
    assert raw_sequence(received, "ContentTemplateSequence") is None


# ------------------------------------------------------- patient attributes


def test_patient_values_read_present_attributes_and_skip_absent_ones() -> None:
    ds = sr_document()
    ds.PatientName = "PACK^ONE"
    ds.PatientSex = ""  # empty: unknown, not stored
    ds.PatientWeight = "71.5"
    ds.Allergies = ["pollen", "", "latex"]
    received, _ = as_received(ds)
    expected = {
        a.keyword: value
        for a in PATIENT_ATTRIBUTES
        if (value := read_value(_decoded(as_received(ds)[0]), a.keyword)) is not None
    }
    assert patient_values(received) == expected
    assert expected == {
        "PatientName": "PACK^ONE",
        "PatientWeight": "71.5",
        "Allergies": ("pollen", "latex"),
    }


def test_a_usual_received_document_needs_no_pydicom_encoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    extract(as_received(sr_document())[0], "20260301101500")  # header cached

    def refuse(*_args: object) -> bytes:
        raise AssertionError("the blob went through pydicom")

    monkeypatch.setattr(archive_content, "_encoded_raw_blob", refuse)
    content, warning = extract(as_received(sr_document())[0], "20260301101500")
    assert warning is None
    assert content is not None
    assert content.tid == 9007

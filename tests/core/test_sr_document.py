"""The answer as a Comprehensive SR: new UIDs, patient module, content, Part 10."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import TYPE_CHECKING

import pytest
from pydicom import dcmread
from pydicom.dataset import Dataset

from rpiq.core.errors import RpiqError
from rpiq.core.sr.document import (
    COMPREHENSIVE_SR,
    check_comprehensive,
    make_comprehensive_sr,
    write_document,
)
from rpiq.core.sr.encode import encode_root
from rpiq.core.sr.model import ContentNode, ValueType
from rpiq.core.sr.parse import parse_content
from rpiq.core.sr.samples import every_value_type_tree, sized_tree

if TYPE_CHECKING:
    from pathlib import Path

WHEN = datetime(2026, 3, 1, 14, 30, 5)


def identifier_for(root: ContentNode, **patient: str) -> Dataset:
    ds = Dataset()
    ds.PatientName = patient.get("name", "DEMO^ALICE")
    ds.PatientID = "PAT-1"
    ds.IssuerOfPatientID = "HOSP-A"
    ds.PatientBirthDate = "19800101"
    ds.PatientSex = "F"
    ds.Allergies = ["Latex", "Penicillin"]
    ds.update(encode_root(root))
    ds.ContentTemplateSequence = [Dataset()]
    ds.ContentTemplateSequence[0].MappingResource = "DCMR"
    ds.ContentTemplateSequence[0].TemplateIdentifier = "9007"
    return ds


def without_3d(root: ContentNode) -> ContentNode:
    def keep(node: ContentNode) -> ContentNode:
        children = tuple(
            keep(c) for c in node.children if c.value_type != ValueType.SCOORD3D
        )
        return dataclasses.replace(node, children=children)

    return keep(root)


def test_document_has_new_uids_patient_and_general_modules():
    root = sized_tree(8)
    identifier = identifier_for(root)
    uids = iter(["1.2.3.1", "1.2.3.2", "1.2.3.3"])
    ds = make_comprehensive_sr(identifier, root, now=WHEN, uid=lambda: next(uids))
    assert ds.SOPClassUID == COMPREHENSIVE_SR
    assert (ds.SOPInstanceUID, ds.StudyInstanceUID, ds.SeriesInstanceUID) == (
        "1.2.3.1",
        "1.2.3.2",
        "1.2.3.3",
    )
    assert ds.file_meta.MediaStorageSOPInstanceUID == "1.2.3.1"
    assert ds.file_meta.MediaStorageSOPClassUID == COMPREHENSIVE_SR
    assert ds.PatientName == "DEMO^ALICE"
    assert ds.PatientID == "PAT-1"
    assert ds.IssuerOfPatientID == "HOSP-A"
    assert ds.PatientBirthDate == "19800101"
    assert ds.PatientSex == "F"
    assert list(ds.Allergies) == ["Latex", "Penicillin"]
    assert ds.Modality == "SR"
    assert ds.CompletionFlag == "COMPLETE"
    assert ds.VerificationFlag == "UNVERIFIED"
    assert (ds.ContentDate, ds.ContentTime) == ("20260301", "143005")
    for keyword in ("ReferringPhysicianName", "StudyID", "AccessionNumber"):
        assert keyword in ds  # Type 2, present even when empty
    template = ds.ContentTemplateSequence[0]
    assert (template.MappingResource, template.TemplateIdentifier) == ("DCMR", "9007")
    assert ds.ContinuityOfContent == "SEPARATE"


def test_two_documents_never_share_uids():
    root = sized_tree(3)
    a = make_comprehensive_sr(identifier_for(root), root)
    b = make_comprehensive_sr(identifier_for(root), root)
    assert a.SOPInstanceUID != b.SOPInstanceUID
    assert a.StudyInstanceUID != b.StudyInstanceUID
    assert a.SeriesInstanceUID != b.SeriesInstanceUID


def test_content_round_trips_and_the_identifier_is_untouched():
    root = without_3d(every_value_type_tree())
    identifier = identifier_for(root)
    before = identifier.to_json_dict()
    ds = make_comprehensive_sr(identifier, root)
    assert parse_content(ds) == dataclasses.replace(root, continuity="SEPARATE")
    assert identifier.to_json_dict() == before
    ds.ContentSequence[0].ValueType = "TEXT"  # a deep copy, not shared
    assert identifier.ContentSequence[0].ValueType != "TEXT"


def test_template_comes_from_the_tree_when_the_identifier_has_none():
    root = sized_tree(3)
    identifier = identifier_for(root)
    del identifier.ContentTemplateSequence
    identifier.update(encode_root(root))
    ds = make_comprehensive_sr(identifier, root)
    assert ds.ContentTemplateSequence[0].TemplateIdentifier == "9007"


def test_non_ascii_names_get_utf8():
    root = sized_tree(3)
    ds = make_comprehensive_sr(identifier_for(root, name="MÜLLER^JÖRG"), root)
    assert ds.SpecificCharacterSet == "ISO_IR 192"


def test_scoord3d_and_unreadable_items_are_refused():
    tree = every_value_type_tree()
    problems = check_comprehensive(tree)
    assert any("SCOORD3D" in p for p in problems)
    with pytest.raises(ValueError, match="SCOORD3D"):
        make_comprehensive_sr(identifier_for(without_3d(tree)), tree)
    broken = dataclasses.replace(
        sized_tree(2),
        children=(ContentNode("CONTAINS", "UNREADABLE", None, None, problem="x"),),
    )
    assert any("1" in p and "Unreadable" in p for p in check_comprehensive(broken))
    leaf = ContentNode(None, "TEXT", None, "x")
    assert "not a CONTAINER" in check_comprehensive(leaf)[0]


def test_write_document_is_part10_and_atomic(tmp_path: Path):
    root = sized_tree(5)
    ds = make_comprehensive_sr(identifier_for(root), root)
    target = tmp_path / "out" / "answer-sr.dcm"
    write_document(target, ds)
    read = dcmread(target)
    assert read.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1"
    assert read.SOPInstanceUID == ds.SOPInstanceUID
    assert parse_content(read) == dataclasses.replace(root, continuity="SEPARATE")
    assert [p.name for p in target.parent.iterdir()] == ["answer-sr.dcm"]


def test_write_document_errors(tmp_path: Path):
    root = sized_tree(2)
    ds = make_comprehensive_sr(identifier_for(root), root)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(RpiqError, match="Cannot write"):
        write_document(blocker / "sub" / "a.dcm", ds)
    del ds.file_meta
    with pytest.raises(ValueError, match="File Meta"):
        write_document(tmp_path / "b.dcm", ds)

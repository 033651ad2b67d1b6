from __future__ import annotations

import dataclasses

import pytest
from pydicom.uid import (
    ComprehensiveSRStorage,
    CTImageStorage,
    TwelveLeadECGWaveformStorage,
)

from rpiq.core.sr.encode import VALUE_ENCODERS, encode_item, encode_root
from rpiq.core.sr.model import (
    BY_REFERENCE,
    UNREADABLE,
    CodedConcept,
    ContentNode,
    Reference,
    SpatialCoordinates,
    TableValue,
    TemporalCoordinates,
    ValueType,
)
from rpiq.core.sr.parse import parse_content, parse_item
from rpiq.core.sr.samples import every_value_type_tree, sized_tree

RPI = CodedConcept("111517", "DCM", "Relevant Patient Information")
NAME = CodedConcept("121106", "DCM", "Comment")
MG_DL = CodedConcept("mg/dl", "UCUM", "mg/dl")
UNKNOWN = CodedConcept("114010", "DCM", "Value unknown")


def node(value_type: str, value: object = None, **fields: object) -> ContentNode:
    fields.setdefault("concept", NAME)
    return ContentNode(
        fields.pop("relationship", "CONTAINS"),  # type: ignore[arg-type]
        value_type,
        value=value,  # type: ignore[arg-type]
        **fields,  # type: ignore[arg-type]
    )


def rooted(*children: ContentNode) -> ContentNode:
    return ContentNode(
        None,
        "CONTAINER",
        RPI,
        None,
        children=children,
        template=("DCMR", "9007"),
        observation_datetime="20240315093000",
    )


BY_REF_PROBLEM = (
    "by-reference relationship to content item 1.2.3 "
    "(not allowed in RPI, PS3.4 Q.2.1.1.3.3)"
)
ONE_OF_EACH = {
    "TEXT": node("TEXT", "two\r\nlines"),
    "CODE": node("CODE", CodedConcept("77386006", "SCT", "Patient currently pregnant")),
    "NUM int": node("NUM", 52, units=MG_DL),
    "NUM float": node("NUM", 36.8, units=MG_DL),
    "NUM precise float": node("NUM", 1 / 3, units=MG_DL),
    "NUM tiny float": node("NUM", 1.234567890123e-12, units=MG_DL),
    "NUM huge int": node("NUM", 10**17, units=MG_DL),  # > 16 digits: DS + FD
    "NUM negative": node("NUM", -4.25, units=MG_DL, qualifier=UNKNOWN),
    "NUM empty": node("NUM", None, qualifier=UNKNOWN),
    "DATE": node("DATE", "20240105"),
    "TIME": node("TIME", "083512.25"),
    "DATETIME": node("DATETIME", "20240315093000+0100"),
    "PNAME": node("PNAME", "Example^Surgeon"),
    "UIDREF": node("UIDREF", "1.2.826.0.1.3680043.8.498.1"),
    "COMPOSITE": node(
        "COMPOSITE", Reference(ComprehensiveSRStorage, "1.2.3"), concept=None
    ),
    "IMAGE": node(
        "IMAGE", Reference(CTImageStorage, "1.2.4", frames=(1, 3), segments=(2,))
    ),
    "IMAGE one frame": node("IMAGE", Reference(CTImageStorage, "1.2.4", frames=(7,))),
    "WAVEFORM": node(
        "WAVEFORM", Reference(TwelveLeadECGWaveformStorage, "1.2.5", channels=(1, 0))
    ),
    "SCOORD": node(
        "SCOORD",
        SpatialCoordinates("POLYLINE", (12.3, 45.6, 7.0, 8.5), pixel_origin="VOLUME"),
    ),
    "SCOORD3D": node(
        "SCOORD3D",
        SpatialCoordinates("POINT", (1.5, -2.5, 30.0), frame_of_reference_uid="1.2.6"),
    ),
    "TCOORD samples": node(
        "TCOORD", TemporalCoordinates("SEGMENT", sample_positions=(1, 500))
    ),
    "TCOORD offsets": node("TCOORD", TemporalCoordinates("POINT", time_offsets=(0.5,))),
    "TCOORD datetimes": node(
        "TCOORD", TemporalCoordinates("MULTIPOINT", datetimes=("20240101", "20240102"))
    ),
    "TABLE": node("TABLE", TableValue(3, 2)),
    "TABLE no size": node("TABLE", TableValue()),
    "TABLE no value": node("TABLE", None),
    "CONTAINER": node(
        "CONTAINER",
        None,
        continuity="CONTINUOUS",
        template=("DCMR", "9001"),
        children=(node("TEXT", "inside", relationship="HAS PROPERTIES"),),
    ),
    "observed": node("TEXT", "x", observation_datetime="20240310101500"),
    "long code": node("CODE", CodedConcept("x" * 30, "99LOCAL", "long")),
    "urn code": node("CODE", CodedConcept("urn:oid:1.2.3", "", "urn")),
    "by reference": ContentNode(
        "INFERRED FROM", BY_REFERENCE, None, "1.2.3", problem=BY_REF_PROBLEM
    ),
}


def test_every_value_type_has_an_encoder():
    assert set(VALUE_ENCODERS) == set(ValueType)


def test_one_of_each_covers_every_value_type():
    assert {n.value_type for n in ONE_OF_EACH.values()} >= {
        vt.value for vt in ValueType
    }


@pytest.mark.parametrize("name", sorted(ONE_OF_EACH))
def test_round_trip_per_value_type(name):
    tree = rooted(ONE_OF_EACH[name])
    assert parse_content(encode_root(tree)) == tree


@pytest.mark.parametrize("name", sorted(ONE_OF_EACH))
def test_item_round_trip(name):
    item = ONE_OF_EACH[name]
    assert parse_item(encode_item(item)) == item


def test_round_trip_of_the_samples():
    for tree in (
        every_value_type_tree(),
        sized_tree(0),
        sized_tree(20),
        sized_tree(1000),
    ):
        assert parse_content(encode_root(tree)) == tree


def test_root_encoding_has_the_rpi_top_level_attributes():
    ds = encode_root(every_value_type_tree())
    assert ds.ValueType == "CONTAINER"
    assert ds.ConceptNameCodeSequence[0].CodeValue == "111517"
    assert ds.ContentTemplateSequence[0].MappingResource == "DCMR"
    assert ds.ContentTemplateSequence[0].TemplateIdentifier == "9007"
    assert ds.ObservationDateTime == "20240315093000"
    assert "RelationshipType" not in ds
    assert "ContinuityOfContent" not in ds  # not requested: not in Table Q.4-1
    assert ds.ContentSequence[0].RelationshipType == "HAS CONCEPT MOD"


def test_continuity_is_written_when_set():
    tree = dataclasses.replace(every_value_type_tree(), continuity="SEPARATE")
    assert encode_root(tree).ContinuityOfContent == "SEPARATE"


def test_num_encoding_uses_ds_and_adds_fd_only_when_needed():
    exact = encode_item(node("NUM", 36.8, units=MG_DL)).MeasuredValueSequence[0]
    assert str(exact.NumericValue) == "36.8"
    assert "FloatingPointValue" not in exact
    integral = encode_item(node("NUM", 2, units=MG_DL)).MeasuredValueSequence[0]
    assert str(integral.NumericValue) == "2"
    precise = encode_item(node("NUM", 1 / 3, units=MG_DL)).MeasuredValueSequence[0]
    assert len(str(precise.NumericValue)) <= 16
    assert precise.FloatingPointValue == 1 / 3
    qualified = encode_item(node("NUM", None, qualifier=UNKNOWN))
    assert len(qualified.MeasuredValueSequence) == 0
    assert qualified.NumericValueQualifierCodeSequence[0].CodeValue == "114010"


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (ContentNode("CONTAINS", UNREADABLE, None, None, problem="broken"), ValueError),
        (node("NUM", 1.0), ValueError),  # no units
        (node("NUM", float("nan"), units=MG_DL), ValueError),
        (node("NUM", "12", units=MG_DL), TypeError),
        (node("NUM", True, units=MG_DL), TypeError),
        (node("TEXT", 12), TypeError),
        (node("CODE", "not a code"), TypeError),
        (node("IMAGE", "1.2.3"), TypeError),
        (node("WHATEVER", None), ValueError),
    ],
)
def test_encoding_rejects_nodes_it_cannot_write(bad, error):
    with pytest.raises(error, match=r"."):
        encode_root(rooted(bad))


def test_unreadable_problem_is_in_the_error():
    broken = ContentNode("CONTAINS", UNREADABLE, None, None, problem="NUM: broken DS")
    with pytest.raises(ValueError, match="broken DS"):
        encode_item(broken)

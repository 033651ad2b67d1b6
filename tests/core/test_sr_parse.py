from __future__ import annotations

import warnings
from io import BytesIO

import pytest
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.tag import Tag
from pydicom.uid import (
    ComprehensiveSRStorage,
    CTImageStorage,
    TwelveLeadECGWaveformStorage,
)
from pynetdicom.dsutils import decode, encode

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
from rpiq.core.sr.parse import MAX_DEPTH, VALUE_PARSERS, parse_content, parse_item
from rpiq.core.sr.samples import every_value_type_tree

RPI = CodedConcept("111517", "DCM", "Relevant Patient Information")
PARA = CodedConcept("11977-6", "LN", "Para")
NO_UNITS = CodedConcept("1", "UCUM", "no units")
COMMENT = CodedConcept("121106", "DCM", "Comment")


def code_ds(concept: CodedConcept) -> Dataset:
    ds = Dataset()
    ds.CodeValue = concept.value
    ds.CodingSchemeDesignator = concept.scheme
    ds.CodeMeaning = concept.meaning
    return ds


def item(
    value_type: str | None,
    concept: CodedConcept | None = None,
    relationship: str | None = "CONTAINS",
    **attrs: object,
) -> Dataset:
    ds = Dataset()
    if relationship is not None:
        ds.RelationshipType = relationship
    if value_type is not None:
        ds.ValueType = value_type
    if concept is not None:
        ds.ConceptNameCodeSequence = [code_ds(concept)]
    for keyword, value in attrs.items():
        setattr(ds, keyword, value)
    return ds


def root(*children: Dataset) -> Dataset:
    ds = item("CONTAINER", RPI, relationship=None)
    tmpl = Dataset()
    tmpl.MappingResource = "DCMR"
    tmpl.TemplateIdentifier = "9007"
    ds.ContentTemplateSequence = [tmpl]
    ds.ObservationDateTime = "20240315093000"
    ds.ContentSequence = list(children)
    return ds


def set_raw(ds: Dataset, keyword: str, vr: str, value: bytes) -> None:
    tag = Tag(keyword)
    ds[tag] = RawDataElement(tag, vr, len(value), value, 0, False, True)


def measured(value: str, units: CodedConcept = NO_UNITS) -> Dataset:
    mv = Dataset()
    mv.NumericValue = value
    mv.MeasurementUnitsCodeSequence = [code_ds(units)]
    return mv


def reference(sop_class: str, instance: str, **attrs: object) -> Dataset:
    ref = Dataset()
    ref.ReferencedSOPClassUID = sop_class
    ref.ReferencedSOPInstanceUID = instance
    for keyword, value in attrs.items():
        setattr(ref, keyword, value)
    return ref


def assert_unreadable(node: ContentNode, *fragments: str) -> None:
    assert node.value_type == UNREADABLE
    assert node.problem
    for fragment in fragments:
        assert fragment in node.problem, node.problem


# ------------------------------------------------------------ root


def test_root_attributes_come_from_the_identifier_top_level():
    ds = root()
    ds.ContinuityOfContent = "SEPARATE"
    node = parse_content(ds)
    assert node == ContentNode(
        None,
        "CONTAINER",
        RPI,
        None,
        continuity="SEPARATE",
        template=("DCMR", "9007"),
        observation_datetime="20240315093000",
    )


def test_root_relationship_is_always_none():
    ds = root()
    ds.RelationshipType = "CONTAINS"
    assert parse_content(ds).relationship is None


def test_empty_dataset_gives_unreadable_root():
    node = parse_content(Dataset())
    assert_unreadable(node, "Value Type (0040,A040)")
    assert node.children == ()


def test_non_dataset_identifier_gives_unreadable_root():
    assert_unreadable(parse_content("junk"), "str")  # type: ignore[arg-type]
    assert_unreadable(parse_content(None), "NoneType")  # type: ignore[arg-type]


def test_root_without_concept_name_is_unreadable_but_keeps_children():
    ds = root(item("TEXT", COMMENT, TextValue="kept"))
    del ds.ConceptNameCodeSequence
    node = parse_content(ds)
    assert_unreadable(node, "CONTAINER: ", "Concept Name Code Sequence")
    assert node.children[0].value == "kept"


def test_every_value_type_has_a_parser():
    assert set(VALUE_PARSERS) == set(ValueType)


# ------------------------------------------------------------ one item per type


def parse_one(child: Dataset) -> ContentNode:
    tree = parse_content(root(child))
    assert tree.value_type == "CONTAINER", tree.problem
    assert len(tree.children) == 1
    return tree.children[0]


def test_text():
    node = parse_one(item("TEXT", COMMENT, TextValue="line 1\r\nline 2"))
    assert node == ContentNode("CONTAINS", "TEXT", COMMENT, "line 1\r\nline 2")


def test_code():
    value = CodedConcept("77386006", "SCT", "Patient currently pregnant")
    concept = CodedConcept("364320009", "SCT", "Pregnancy observable")
    node = parse_one(item("CODE", concept, ConceptCodeSequence=[code_ds(value)]))
    assert (node.value_type, node.concept, node.value) == ("CODE", concept, value)


def test_num_with_units_and_integral_decimal_string():
    node = parse_one(item("NUM", PARA, MeasuredValueSequence=[measured("2")]))
    assert node.value == 2
    assert isinstance(node.value, int)
    assert node.units == NO_UNITS
    assert node.qualifier is None


def test_num_with_fractional_decimal_string():
    node = parse_one(item("NUM", PARA, MeasuredValueSequence=[measured(" 36.80")]))
    assert node.value == pytest.approx(36.8)
    assert isinstance(node.value, float)


def test_num_prefers_floating_point_value():
    mv = measured("0.33333333333333")
    mv.FloatingPointValue = 1 / 3
    node = parse_one(item("NUM", PARA, MeasuredValueSequence=[mv]))
    assert node.value == 1 / 3


def test_num_rational_value():
    mv = measured("0.75")
    mv.RationalNumeratorValue = 3
    mv.RationalDenominatorValue = 4
    node = parse_one(item("NUM", PARA, MeasuredValueSequence=[mv]))
    assert node.value == 0.75


def test_num_with_empty_measured_value_sequence_and_qualifier():
    unknown = CodedConcept("114010", "DCM", "Value unknown")
    node = parse_one(
        item(
            "NUM",
            PARA,
            MeasuredValueSequence=[],
            NumericValueQualifierCodeSequence=[code_ds(unknown)],
        )
    )
    assert (node.value, node.units, node.qualifier) == (None, None, unknown)


@pytest.mark.parametrize(
    ("value_type", "keyword", "text"),
    [
        ("DATE", "Date", "20240105"),
        ("TIME", "Time", "083512.25"),
        ("DATETIME", "DateTime", "20240315093000+0100"),
        ("PNAME", "PersonName", "Example^Surgeon"),
        ("UIDREF", "UID", "1.2.826.0.1.3680043.8.498.1"),
    ],
)
def test_string_value_types(value_type, keyword, text):
    node = parse_one(item(value_type, COMMENT, **{keyword: text}))
    assert node.value == text
    assert type(node.value) is str


def test_composite():
    node = parse_one(
        item(
            "COMPOSITE",
            ReferencedSOPSequence=[reference(ComprehensiveSRStorage, "1.2.3")],
        )
    )
    assert node.concept is None
    assert node.value == Reference(ComprehensiveSRStorage, "1.2.3")


def test_image_with_frames_and_segments():
    ref = reference(
        CTImageStorage, "1.2.4", ReferencedFrameNumber=[1, 3], ReferencedSegmentNumber=2
    )
    node = parse_one(item("IMAGE", ReferencedSOPSequence=[ref]))
    assert node.value == Reference(
        CTImageStorage, "1.2.4", frames=(1, 3), segments=(2,)
    )


def test_waveform_with_channels():
    ref = reference(
        TwelveLeadECGWaveformStorage, "1.2.5", ReferencedWaveformChannels=[1, 0]
    )
    node = parse_one(item("WAVEFORM", ReferencedSOPSequence=[ref]))
    assert node.value == Reference(
        TwelveLeadECGWaveformStorage, "1.2.5", channels=(1, 0)
    )


def test_scoord_points_are_read_back_as_written():
    node = parse_one(
        item(
            "SCOORD",
            GraphicType="POLYLINE",
            GraphicData=[12.3, 45.6, 7.0, 8.5],
            PixelOriginInterpretation="VOLUME",
        )
    )
    assert node.value == SpatialCoordinates(
        "POLYLINE", (12.3, 45.6, 7.0, 8.5), pixel_origin="VOLUME"
    )


def test_scoord3d():
    node = parse_one(
        item(
            "SCOORD3D",
            GraphicType="POINT",
            GraphicData=[1.5, -2.5, 30.0],
            ReferencedFrameOfReferenceUID="1.2.6",
        )
    )
    assert node.value == SpatialCoordinates(
        "POINT", (1.5, -2.5, 30.0), frame_of_reference_uid="1.2.6"
    )


@pytest.mark.parametrize(
    ("keyword", "values", "expected"),
    [
        ("ReferencedSamplePositions", [1, 500], {"sample_positions": (1, 500)}),
        ("ReferencedTimeOffsets", ["0.5", "1.25"], {"time_offsets": (0.5, 1.25)}),
        (
            "ReferencedDateTime",
            ["20240101", "20240102"],
            {"datetimes": ("20240101", "20240102")},
        ),
    ],
)
def test_tcoord_forms(keyword, values, expected):
    node = parse_one(item("TCOORD", TemporalRangeType="SEGMENT", **{keyword: values}))
    assert node.value == TemporalCoordinates("SEGMENT", **expected)


def test_table_size_from_tabulated_values_sequence():
    tab = Dataset()
    tab.NumberOfTableRows = 3
    tab.NumberOfTableColumns = 2
    node = parse_one(item("TABLE", COMMENT, TabulatedValuesSequence=[tab]))
    assert node.value == TableValue(3, 2)


def test_table_without_table_attributes_has_no_value():
    node = parse_one(item("TABLE", COMMENT))
    assert (node.value_type, node.value) == ("TABLE", None)


def test_nested_container_with_template_and_continuity():
    inner = item("CONTAINER", CodedConcept("267011001", "SCT", "Gynecological History"))
    inner.ContinuityOfContent = "SEPARATE"
    tmpl = Dataset()
    tmpl.MappingResource = "DCMR"
    tmpl.TemplateIdentifier = "9001"
    inner.ContentTemplateSequence = [tmpl]
    inner.ContentSequence = [item("NUM", PARA, MeasuredValueSequence=[measured("2")])]
    node = parse_one(inner)
    assert (node.continuity, node.template) == ("SEPARATE", ("DCMR", "9001"))
    assert node.children[0].value == 2


def test_observation_datetime_on_items():
    child = item("TEXT", COMMENT, TextValue="x", ObservationDateTime="20240310101500")
    assert parse_one(child).observation_datetime == "20240310101500"


def test_missing_relationship_is_kept_as_none():
    node = parse_one(item("TEXT", COMMENT, relationship=None, TextValue="x"))
    assert (node.relationship, node.value_type) == (None, "TEXT")


def test_by_reference_item_is_flagged():
    child = item(None, relationship="INFERRED FROM")
    child.ReferencedContentItemIdentifier = [1, 2, 3]
    node = parse_one(child)
    assert node.value_type == BY_REFERENCE
    assert node.relationship == "INFERRED FROM"
    assert node.value == "1.2.3"
    assert node.problem is not None
    assert "Q.2.1.1.3.3" in node.problem


def test_parse_item_parses_a_lone_content_item():
    node = parse_item(item("TEXT", COMMENT, TextValue="alone"))
    assert node == ContentNode("CONTAINS", "TEXT", COMMENT, "alone")


# ------------------------------------------------------------ malformed input


def test_unknown_value_type_keeps_relationship_and_concept():
    node = parse_one(item("FOO", COMMENT, relationship="HAS PROPERTIES"))
    assert_unreadable(node, "unknown Value Type 'FOO'")
    assert node.relationship == "HAS PROPERTIES"
    assert node.concept == COMMENT


def test_code_without_concept_code_sequence():
    node = parse_one(item("CODE", COMMENT))
    assert_unreadable(node, "CODE: ", "Concept Code Sequence (0040,A168)", "missing")
    assert node.concept == COMMENT


def test_text_without_required_concept_name():
    assert_unreadable(parse_one(item("TEXT", TextValue="x")), "Concept Name Code")


def test_text_without_text_value():
    assert_unreadable(parse_one(item("TEXT", COMMENT)), "TEXT: ", "Text Value")


def test_concept_name_with_two_items():
    child = item("TEXT", COMMENT, TextValue="x")
    child.ConceptNameCodeSequence.append(code_ds(PARA))
    assert_unreadable(parse_one(child), "2 items")


def test_concept_without_code_meaning():
    concept = Dataset()
    concept.CodeValue = "121106"
    concept.CodingSchemeDesignator = "DCM"
    child = item("TEXT", TextValue="x", ConceptNameCodeSequence=[concept])
    assert_unreadable(parse_one(child), "Code Meaning")


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (b"abc ", "not a decimal number"),
        (b"1e999 ", "out of range"),
        (b"nan ", "not a decimal number"),
        (b"1\\2 ", "2 values"),
        (b"1_000 ", "not a decimal number"),
    ],
)
def test_num_with_bad_decimal_string(raw, fragment):
    mv = Dataset()
    set_raw(mv, "NumericValue", "DS", raw)
    mv.MeasurementUnitsCodeSequence = [code_ds(NO_UNITS)]
    node = parse_one(item("NUM", PARA, MeasuredValueSequence=[mv]))
    assert_unreadable(node, "NUM: ", "Numeric Value", fragment)
    assert node.concept == PARA


def test_num_without_units():
    mv = measured("2")
    del mv.MeasurementUnitsCodeSequence
    node = parse_one(item("NUM", PARA, MeasuredValueSequence=[mv]))
    assert_unreadable(node, "Measurement Units Code Sequence")


def test_num_with_zero_denominator():
    mv = measured("1")
    mv.RationalNumeratorValue = 1
    mv.RationalDenominatorValue = 0
    assert_unreadable(parse_one(item("NUM", PARA, MeasuredValueSequence=[mv])), "zero")


def test_undecodable_raw_element_becomes_unreadable():
    child = item("SCOORD", GraphicType="POINT")
    set_raw(child, "GraphicData", "FL", b"\x00\x00\x80")  # 3 bytes: not an FL
    node = parse_one(child)
    assert_unreadable(node, "SCOORD: ", "Graphic Data (0070,0022)", "decoded")


def test_wrong_vr_for_a_sequence():
    child = item("CODE", COMMENT)
    set_raw(child, "ConceptCodeSequence", "LO", b"77386006")
    assert_unreadable(parse_one(child), "Concept Code Sequence", "not a sequence")


@pytest.mark.parametrize("as_error", [True, False])
def test_invalid_frame_number_is_unreadable_with_or_without_warnings(as_error):
    ref = reference(CTImageStorage, "1.2.4")
    set_raw(ref, "ReferencedFrameNumber", "IS", b"x ")
    child = item("IMAGE", ReferencedSOPSequence=[ref])
    with warnings.catch_warnings():
        warnings.simplefilter("error" if as_error else "ignore")
        node = parse_one(child)
    assert_unreadable(node, "IMAGE: ", "Referenced Frame Number")


def test_tcoord_without_any_reference_form():
    node = parse_one(item("TCOORD", TemporalRangeType="POINT"))
    assert_unreadable(node, "TCOORD: ", "none of")


def test_template_without_identifier():
    child = item("CONTAINER", COMMENT)
    tmpl = Dataset()
    tmpl.MappingResource = "DCMR"
    child.ContentTemplateSequence = [tmpl]
    assert_unreadable(parse_one(child), "Template Identifier")


def test_children_of_an_unreadable_item_are_still_parsed():
    parent = item("BOGUS", COMMENT)
    parent.ContentSequence = [item("TEXT", COMMENT, TextValue="child")]
    node = parse_one(parent)
    assert_unreadable(node, "BOGUS")
    assert [c.value for c in node.children] == ["child"]


def test_content_sequence_item_that_is_not_a_dataset():
    ds = root(item("TEXT", COMMENT, TextValue="ok"))
    # pydicom refuses non-Dataset items, so smuggle one in as a decoder bug would
    ds["ContentSequence"]._value = [*ds.ContentSequence, "junk", 42]
    tree = parse_content(ds)
    assert tree.children[0].value == "ok"
    assert_unreadable(tree.children[1], "Content Sequence item is a str")
    assert_unreadable(tree.children[2], "int")


def test_parse_item_on_non_dataset():
    assert_unreadable(parse_item(b"\x00"), "bytes")


@pytest.mark.parametrize(
    ("vr", "raw", "fragment"),
    [
        ("LO", b"abcd", "not a sequence"),
        ("UN", b"\x01\x02\x03\x04\x05\x06", "cannot be decoded"),
        ("SQ", b"\xfe\xff\x00\xe0\x10\x00", "cannot be decoded"),
    ],
)
def test_undecodable_content_sequence(vr, raw, fragment):
    ds = root()
    del ds.ContentSequence
    set_raw(ds, "ContentSequence", vr, raw)
    tree = parse_content(ds)
    assert tree.value_type == "CONTAINER"
    assert len(tree.children) == 1
    assert_unreadable(tree.children[0], "Content Sequence (0040,A730)", fragment)


def test_deep_nesting_is_cut_off_without_raising():
    levels = MAX_DEPTH * 3
    inner = item("TEXT", COMMENT, TextValue="bottom")
    for _ in range(levels):
        inner = item("CONTAINER", COMMENT, ContentSequence=[inner])
    tree = parse_content(root(inner))
    depth, last = max(
        ((len(path), node) for path, node in tree.walk()), key=lambda pair: pair[0]
    )
    assert depth == MAX_DEPTH + 1
    assert_unreadable(last, "nested more than")


def test_many_malformed_items_never_raise():
    children = [
        item("NUM", PARA),
        item("NUM", PARA, MeasuredValueSequence=[measured("1"), measured("2")]),
        item("DATE", COMMENT, Date=["20240101", "20240102"]),
        item("IMAGE"),
        item("IMAGE", ReferencedSOPSequence=[Dataset()]),
        item("SCOORD", GraphicType="POINT"),
        item("SCOORD3D", GraphicType="POINT", GraphicData=[1.0, 2.0, 3.0]),
        item("TABLE"),
        item("", COMMENT),
        item(None, relationship="CONTAINS"),
    ]
    tree = parse_content(root(*children))
    assert tree.value_type == "CONTAINER"
    assert len(tree.children) == len(children)
    assert all(not child.is_readable for child in tree.children)
    assert all(child.problem for child in tree.children)


# ------------------------------------------------------------ over the wire


@pytest.mark.parametrize("implicit", [True, False])
def test_sample_survives_dimse_encoding(implicit):
    from rpiq.core.sr.encode import encode_root

    tree = every_value_type_tree()
    data = encode(encode_root(tree), implicit, True)
    assert data is not None
    decoded = decode(BytesIO(data), implicit, True)
    assert parse_content(decoded) == tree

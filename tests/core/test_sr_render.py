from __future__ import annotations

import json

import pytest
from pydicom.dataset import Dataset

from rpiq.core.sr.model import (
    UNREADABLE,
    CodedConcept,
    ContentNode,
    Reference,
    SpatialCoordinates,
    TableValue,
    TemporalCoordinates,
)
from rpiq.core.sr.parse import parse_content
from rpiq.core.sr.render import (
    node_text,
    node_to_json,
    render_lines,
    render_text,
    value_text,
)
from rpiq.core.sr.samples import every_value_type_tree, sized_tree

NODE_KEYS = {"relationship", "value_type", "concept", "value", "units", "children"}
OPTIONAL_KEYS = {"qualifier", "problem"}
CONCEPT_KEYS = {"value", "scheme", "meaning"}
COMMENT = CodedConcept("121106", "DCM", "Comment")


# ------------------------------------------------------------ text


def test_render_text_of_the_sample_shows_the_rpi_rows():
    lines = render_text(every_value_type_tree()).splitlines()
    expected = [
        "CONTAINER Relevant Patient Information (TID 9007)"
        " (observed 2024-03-15 09:30:00)",
        "  HAS CONCEPT MOD CODE Language of Content Item and Descendants = English",
        "  CONTAINS CONTAINER Gynecological History (TID 9001)",
        "    CONTAINS DATE Last menstrual period = 2024-01-05",
        "    CONTAINS NUM Para = 2 no units",
        "    CONTAINS NUM Gravida = no value (Value unknown)",
        "    CONTAINS CODE Pregnancy observable = Patient currently pregnant",
        "    CONTAINS NUM Gestational Age = 84 day (observed 2024-03-10 10:15:00)",
        "    CONTAINS TEXT History = "
        '"No known cardiac events.\\nEx-smoker since 2015."',
        "        HAS PROPERTIES PNAME Service Performer = Example^Surgeon",
        "        HAS PROPERTIES TIME Acquisition Time = 08:35:12",
        "      HAS PROPERTIES SCOORD3D Image Region = POINT (12.5, -30.25, 100) "
        "in frame of reference 2.25.",
    ]
    for line in expected[:-1]:
        assert line in lines
    assert any(line.startswith(expected[-1]) for line in lines)


def test_render_text_shows_references_by_sop_class_name_and_uid():
    text = render_text(every_value_type_tree())
    assert "CONTAINS COMPOSITE = Comprehensive SR Storage 2.25." in text
    assert "SELECTED FROM WAVEFORM = 12-lead ECG Waveform Storage 2.25." in text
    assert "channels 1,0" in text
    assert "POLYLINE (10.5, 20.25) (30, 40.5) (10.5, 20.25)" in text
    assert "TCOORD = SEGMENT samples 1, 5000" in text


def test_render_text_has_one_line_per_item_and_indents_by_depth():
    tree = every_value_type_tree()
    lines = render_text(tree, indent="\t").split("\n")
    assert len(lines) == tree.count()
    for line, (path, _node) in zip(lines, tree.walk(), strict=True):
        assert line.startswith("\t" * len(path))
        assert not line[len(path) :].startswith("\t")


def test_render_lines_yield_depth_path_and_text():
    tree = every_value_type_tree()
    rows = list(render_lines(tree))
    assert [(depth, path) for depth, path, _ in rows] == [
        (len(path), path) for path, _ in tree.walk()
    ]
    depth, path, text = rows[0]
    assert (depth, path) == (0, ())
    assert text == node_text(tree)


def test_unreadable_items_show_their_problem():
    ds = Dataset()
    ds.ValueType = "CONTAINER"
    concept = Dataset()
    concept.CodeValue = "111517"
    concept.CodingSchemeDesignator = "DCM"
    concept.CodeMeaning = "Relevant Patient Information"
    ds.ConceptNameCodeSequence = [concept]
    bad = Dataset()
    bad.RelationshipType = "CONTAINS"
    bad.ValueType = "CODE"
    bad.ConceptNameCodeSequence = [concept]
    ds.ContentSequence = [bad]
    lines = render_text(parse_content(ds)).splitlines()
    assert lines[1].startswith(
        "  CONTAINS UNREADABLE Relevant Patient Information [unreadable: CODE: "
    )
    assert "Concept Code Sequence (0040,A168) is missing" in lines[1]


def test_empty_dataset_renders_one_unreadable_line():
    assert render_text(parse_content(Dataset())) == (
        "UNREADABLE [unreadable: Value Type (0040,A040) is missing or empty]"
    )


@pytest.mark.parametrize(
    ("node", "text"),
    [
        (ContentNode("CONTAINS", "NUM", COMMENT, 1 / 3), "0.3333333333"),
        (ContentNode("CONTAINS", "NUM", COMMENT, 2.0), "2"),
        (ContentNode("CONTAINS", "DATETIME", COMMENT, "20240315"), "2024-03-15"),
        (ContentNode("CONTAINS", "DATETIME", COMMENT, "2024"), "2024"),
        (ContentNode("CONTAINS", "TIME", COMMENT, "0930"), "09:30"),
        (ContentNode("CONTAINS", "DATE", COMMENT, "not a date"), "not a date"),
        (ContentNode("CONTAINS", "UIDREF", COMMENT, "1.2.3"), "1.2.3"),
        (ContentNode("CONTAINS", "TABLE", COMMENT, TableValue(3, None)), "table 3 × ?"),
        (ContentNode("CONTAINS", "CONTAINER", COMMENT, None), ""),
        (
            ContentNode(
                "CONTAINS",
                "TCOORD",
                None,
                TemporalCoordinates("POINT", time_offsets=(0.5, 1.0)),
            ),
            "POINT offsets 0.5, 1 s",
        ),
        (
            ContentNode(
                "CONTAINS",
                "IMAGE",
                None,
                Reference("1.2.3.4", "1.2.3.4.5", frames=(2,), segments=(1, 2)),
            ),
            "1.2.3.4 1.2.3.4.5 frames 2 segments 1,2",
        ),
    ],
)
def test_value_text(node, text):
    assert value_text(node) == text


def test_many_points_are_abbreviated():
    coords = SpatialCoordinates("POLYLINE", tuple(float(i) for i in range(40)))
    text = value_text(ContentNode("CONTAINS", "SCOORD", None, coords))
    assert text.endswith("… 14 more")


def test_node_text_of_by_reference_and_concept_without_meaning():
    node = ContentNode(
        "INFERRED FROM", "BY-REFERENCE", None, "1.2", problem="not allowed"
    )
    assert node_text(node) == "INFERRED FROM BY-REFERENCE = 1.2 [problem: not allowed]"
    blank = ContentNode(None, "TEXT", CodedConcept("1", "99X", ""), "x")
    assert node_text(blank) == 'TEXT (1, 99X, "") = "x"'


def test_render_text_of_a_very_deep_tree():
    node = ContentNode("CONTAINS", "TEXT", COMMENT, "bottom")
    for _ in range(3000):
        node = ContentNode("CONTAINS", "CONTAINER", COMMENT, None, children=(node,))
    assert render_text(node).count("\n") == 3000


# ------------------------------------------------------------ JSON


def check_concept(value: object) -> None:
    assert isinstance(value, dict)
    assert set(value) == CONCEPT_KEYS
    assert all(isinstance(v, str) for v in value.values())


def check_node(data: dict[str, object]) -> None:
    assert NODE_KEYS <= set(data) <= NODE_KEYS | OPTIONAL_KEYS
    assert data["relationship"] is None or isinstance(data["relationship"], str)
    assert isinstance(data["value_type"], str)
    for key in ("concept", "units"):
        if data[key] is not None:
            check_concept(data[key])
    if "qualifier" in data:
        check_concept(data["qualifier"])
    if "problem" in data:
        assert isinstance(data["problem"], str)
    check_value(data["value_type"], data["value"])
    children = data["children"]
    assert isinstance(children, list)
    for child in children:
        check_node(child)


def check_value(value_type: object, value: object) -> None:
    if value_type == "CODE":
        check_concept(value)
    elif value_type == "NUM":
        assert value is None or type(value) in (int, float)
    elif value_type in ("TEXT", "DATE", "TIME", "DATETIME", "PNAME", "UIDREF"):
        assert type(value) is str
    elif value_type in ("COMPOSITE", "IMAGE", "WAVEFORM"):
        assert isinstance(value, dict)
        assert set(value) == {
            "sop_class_uid",
            "sop_instance_uid",
            "frames",
            "segments",
            "channels",
        }
    elif value_type in ("SCOORD", "SCOORD3D"):
        assert isinstance(value, dict)
        assert isinstance(value["points"], list)
    elif value_type == "TCOORD":
        assert isinstance(value, dict)
        assert value["range_type"]
    elif value_type in ("CONTAINER", UNREADABLE):
        assert value is None


def test_json_of_the_sample_follows_the_schema():
    data = node_to_json(every_value_type_tree())
    check_node(data)
    assert json.loads(json.dumps(data)) == data


def test_json_values_of_the_gynecological_rows():
    data = node_to_json(every_value_type_tree())
    gyn = data["children"][2]["children"]
    lmp, para, gravida, pregnancy = gyn[1], gyn[2], gyn[3], gyn[4]
    assert lmp["value"] == "20240105"
    assert para["value"] == 2
    assert para["units"] == {"value": "1", "scheme": "UCUM", "meaning": "no units"}
    assert "qualifier" not in para
    assert gravida["value"] is None
    assert gravida["qualifier"]["value"] == "114010"
    assert pregnancy["value"] == {
        "value": "77386006",
        "scheme": "SCT",
        "meaning": "Patient currently pregnant",
    }
    assert all("problem" not in row for row in gyn)


def test_json_of_reference_coordinates_and_table():
    ref = node_to_json(
        ContentNode("CONTAINS", "IMAGE", None, Reference("1.2", "1.2.3", frames=(1,)))
    )
    assert ref["value"] == {
        "sop_class_uid": "1.2",
        "sop_instance_uid": "1.2.3",
        "frames": [1],
        "segments": [],
        "channels": [],
    }
    coords = SpatialCoordinates("POINT", (1.5, 2.5, 3.5), frame_of_reference_uid="9")
    assert node_to_json(ContentNode("CONTAINS", "SCOORD3D", None, coords))["value"] == {
        "graphic_type": "POINT",
        "points": [1.5, 2.5, 3.5],
        "frame_of_reference_uid": "9",
        "pixel_origin": None,
    }
    temporal = TemporalCoordinates("SEGMENT", sample_positions=(1, 9))
    assert node_to_json(ContentNode("CONTAINS", "TCOORD", None, temporal))["value"] == {
        "range_type": "SEGMENT",
        "sample_positions": [1, 9],
        "time_offsets": [],
        "datetimes": [],
    }
    table = ContentNode("CONTAINS", "TABLE", COMMENT, TableValue(2, None))
    assert node_to_json(table)["value"] == {"rows": 2, "columns": None}


def test_json_of_unreadable_items_carries_the_problem():
    data = node_to_json(parse_content(Dataset()))
    check_node(data)
    assert data["value_type"] == UNREADABLE
    assert "Value Type" in data["problem"]


def test_json_of_a_large_tree_dumps():
    data = node_to_json(sized_tree(1000))
    check_node(data)
    assert len(json.dumps(data)) > 1000

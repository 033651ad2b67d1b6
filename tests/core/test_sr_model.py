from __future__ import annotations

import dataclasses

import pytest
from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes
from pydicom.sr.coding import Code

from rpiq.core.sr.model import (
    BY_REFERENCE,
    UNREADABLE,
    CodedConcept,
    ContentNode,
    RelationshipType,
    ValueType,
    format_path,
    parse_path,
)
from rpiq.core.sr.samples import every_value_type_tree, sized_tree


def leaf(meaning: str, *children: ContentNode) -> ContentNode:
    return ContentNode(
        "CONTAINS",
        "TEXT",
        CodedConcept("121106", "DCM", "Comment"),
        meaning,
        children=children,
    )


def small_tree() -> ContentNode:
    #   root
    #   ├── 1 a
    #   │   ├── 1.1 a1
    #   │   └── 1.2 a2
    #   │       └── 1.2.1 a2x
    #   └── 2 b
    return ContentNode(
        None,
        "CONTAINER",
        None,
        None,
        children=(leaf("a", leaf("a1"), leaf("a2", leaf("a2x"))), leaf("b")),
    )


# ------------------------------------------------------------ enums


def test_value_types_are_the_dicom_strings():
    assert ValueType.SCOORD3D == "SCOORD3D"
    assert {vt.value for vt in ValueType} == {
        "CONTAINER", "TEXT", "CODE", "NUM", "DATE", "TIME", "DATETIME", "PNAME",
        "UIDREF", "COMPOSITE", "IMAGE", "WAVEFORM", "SCOORD", "SCOORD3D",
        "TCOORD", "TABLE",
    }  # fmt: skip
    assert UNREADABLE not in {vt.value for vt in ValueType}
    assert BY_REFERENCE not in {vt.value for vt in ValueType}


def test_relationship_types_keep_their_spaces():
    assert str(RelationshipType.HAS_CONCEPT_MOD) == "HAS CONCEPT MOD"
    assert RelationshipType.HAS_OBS_CONTEXT.value == "HAS OBS CONTEXT"
    assert len(RelationshipType) == 7


# ------------------------------------------------------------ CodedConcept


def test_coded_concept_from_and_to_pydicom_code():
    concept = CodedConcept.from_code(codes.DCM.RelevantPatientInformation)
    assert concept == CodedConcept("111517", "DCM", "Relevant Patient Information")
    assert concept.to_code() == codes.DCM.RelevantPatientInformation
    assert isinstance(concept.to_code(), Code)


def test_triple_uses_ps316_notation():
    concept = CodedConcept("11977-6", "LN", "Para")
    assert concept.triple() == '(11977-6, LN, "Para")'


def test_same_code_ignores_meaning_and_version():
    a = CodedConcept("364320009", "SCT", "Pregnancy observable")
    b = CodedConcept("364320009", "SCT", "Pregnancy observable (observable entity)")
    assert a != b
    assert a.same_code(b)
    assert a.same_code(codes.SCT.PregnancyObservable)
    assert not a.same_code(CodedConcept("364320009", "LN", "x"))
    assert not a.same_code(CodedConcept("364320008", "SCT", "Pregnancy observable"))


def code_item(**attrs: str) -> Dataset:
    ds = Dataset()
    for keyword, value in attrs.items():
        setattr(ds, keyword, value)
    return ds


def test_from_item_reads_code_value_and_version():
    item = code_item(
        CodeValue="1",
        CodingSchemeDesignator="UCUM",
        CodingSchemeVersion="1.4",
        CodeMeaning="no units",
    )
    assert CodedConcept.from_item(item) == CodedConcept("1", "UCUM", "no units", "1.4")


def test_from_item_reads_long_code_value():
    long_value = "1234567890123456789"
    item = code_item(
        LongCodeValue=long_value, CodingSchemeDesignator="99X", CodeMeaning="long"
    )
    concept = CodedConcept.from_item(item)
    assert concept.value == long_value
    assert concept.to_item().LongCodeValue == long_value
    assert "CodeValue" not in concept.to_item()


def test_from_item_reads_urn_code_value_without_scheme():
    item = code_item(URNCodeValue="urn:lex:eu:example", CodeMeaning="urn code")
    concept = CodedConcept.from_item(item)
    assert concept == CodedConcept("urn:lex:eu:example", "", "urn code")
    out = concept.to_item()
    assert out.URNCodeValue == "urn:lex:eu:example"
    assert "CodingSchemeDesignator" not in out


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        ({"CodingSchemeDesignator": "DCM", "CodeMeaning": "x"}, "Code Value"),
        ({"CodeValue": "1", "CodeMeaning": "x"}, "Coding Scheme Designator"),
        ({"CodeValue": "1", "CodingSchemeDesignator": "DCM"}, "Code Meaning"),
    ],
)
def test_from_item_rejects_incomplete_codes(attrs, message):
    with pytest.raises(ValueError, match=message):
        CodedConcept.from_item(code_item(**attrs))


def test_from_item_rejects_multi_valued_code_value():
    item = code_item(CodingSchemeDesignator="DCM", CodeMeaning="x")
    item.CodeValue = ["1", "2"]
    with pytest.raises(ValueError, match="one text value"):
        CodedConcept.from_item(item)


@pytest.mark.parametrize(
    "concept",
    [
        CodedConcept("111517", "DCM", "Relevant Patient Information"),
        CodedConcept("a", "UCUM", "year", "1.9"),
        CodedConcept("x" * 40, "99LOCAL", "very long code"),
        CodedConcept("urn:oid:1.2.3", "", "oid code"),
        CodedConcept("https://example.org/c/1", "99WEB", "url code"),
    ],
)
def test_to_item_round_trips(concept):
    assert CodedConcept.from_item(concept.to_item()) == concept


def test_concepts_are_frozen_and_hashable():
    concept = CodedConcept("a", "UCUM", "year")
    with pytest.raises(dataclasses.FrozenInstanceError):
        concept.value = "b"  # type: ignore[misc]
    assert len({concept, CodedConcept("a", "UCUM", "year")}) == 1


# ------------------------------------------------------------ ContentNode


def test_walk_is_preorder_with_one_based_paths():
    paths = [(path, node.value) for path, node in small_tree().walk()]
    assert paths == [
        ((), None),
        ((1,), "a"),
        ((1, 1), "a1"),
        ((1, 2), "a2"),
        ((1, 2, 1), "a2x"),
        ((2,), "b"),
    ]


def test_find_follows_paths_and_returns_none_when_absent():
    tree = small_tree()
    assert tree.find(()) is tree
    found = tree.find((1, 2, 1))
    assert found is not None
    assert found.value == "a2x"
    for missing in [(3,), (0,), (1, 3), (2, 1), (-1,)]:
        assert tree.find(missing) is None


def test_count_includes_the_root():
    assert small_tree().count() == 6
    assert leaf("alone").count() == 1


def test_walk_and_count_survive_very_deep_trees():
    node = leaf("bottom")
    for _ in range(5000):
        node = leaf("level", node)
    assert node.count() == 5001
    deepest = max(len(path) for path, _ in node.walk())
    assert deepest == 5000


def test_content_nodes_are_frozen_and_compare_by_value():
    assert small_tree() == small_tree()
    node = small_tree()
    with pytest.raises(dataclasses.FrozenInstanceError):
        node.value = "x"  # type: ignore[misc]
    assert not hasattr(node, "__dict__")  # slots


def test_is_readable():
    assert leaf("x").is_readable
    broken = ContentNode("CONTAINS", UNREADABLE, None, None, problem="bad")
    assert not broken.is_readable


# ------------------------------------------------------------ paths


@pytest.mark.parametrize(
    ("path", "text"), [((), "root"), ((1,), "1"), ((1, 3, 2), "1.3.2")]
)
def test_format_and_parse_path(path, text):
    assert format_path(path) == text
    assert parse_path(text) == path


def test_parse_path_accepts_empty_and_rejects_junk():
    assert parse_path("") == ()
    assert parse_path(" 2.1 ") == (2, 1)
    for bad in ["0", "1.-2", "a", "1..2"]:
        with pytest.raises(ValueError, match=r"."):
            parse_path(bad)


def test_every_path_of_the_sample_finds_its_node():
    tree = every_value_type_tree()
    for path, node in tree.walk():
        assert tree.find(parse_path(format_path(path))) is node


# ------------------------------------------------------------ samples


def test_every_value_type_tree_covers_all_rpi_value_types():
    tree = every_value_type_tree()
    found = {node.value_type for _, node in tree.walk()}
    assert found == {vt.value for vt in ValueType} - {"TABLE"}
    nums = [node for _, node in tree.walk() if node.value_type == "NUM"]
    assert any(n.value is not None and n.units is not None for n in nums)
    assert any(n.value is None and n.qualifier is not None for n in nums)
    assert all(node.problem is None for _, node in tree.walk())


def test_every_value_type_tree_is_a_tid_9007_root():
    tree = every_value_type_tree()
    assert tree.relationship is None
    assert tree.value_type == "CONTAINER"
    assert tree.template == ("DCMR", "9007")
    assert tree.concept is not None
    assert tree.concept.same_code(codes.DCM.RelevantPatientInformation)
    assert tree.observation_datetime
    language = tree.children[0]
    assert language.relationship == "HAS CONCEPT MOD"
    assert language.concept == CodedConcept(
        "121049", "DCM", "Language of Content Item and Descendants"
    )
    assert language.value == CodedConcept("en", "RFC5646", "English")


def test_every_value_type_tree_holds_the_gynecological_rows():
    gyn = every_value_type_tree().find((3,))
    assert gyn is not None
    assert gyn.template == ("DCMR", "9001")
    assert gyn.concept is not None
    assert gyn.concept.same_code(CodedConcept("267011001", "SCT", ""))
    by_code = {c.concept.value: c for c in gyn.children if c.concept is not None}
    assert by_code["8665-2"].value_type == "DATE"
    para = by_code["11977-6"]
    assert (para.value, para.units) == (2, CodedConcept("1", "UCUM", "no units"))
    pregnancy = by_code["364320009"]
    assert isinstance(pregnancy.value, CodedConcept)
    assert pregnancy.value.same_code(CodedConcept("77386006", "SCT", ""))


def test_samples_are_deterministic():
    assert every_value_type_tree() == every_value_type_tree()
    assert sized_tree(50) == sized_tree(50)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 20, 1000])
def test_sized_tree_has_exactly_n_items_below_the_root(n):
    tree = sized_tree(n)
    assert tree.count() == n + 1
    assert tree.template == ("DCMR", "9007")
    kinds = {node.value_type for path, node in tree.walk() if len(path) == 2}
    assert kinds <= {"TEXT", "CODE", "NUM"}


def test_sized_tree_rejects_negative_sizes():
    with pytest.raises(ValueError, match="n_items"):
        sized_tree(-1)

"""The fast Content Sequence reader gives exactly what pydicom's reader gives."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pytest
from pynetdicom.dsutils import decode, encode

from rpiq.core.sr.encode import encode_root
from rpiq.core.sr.model import CodedConcept, ContentNode
from rpiq.core.sr.parse import parse_content
from rpiq.core.sr.rawread import RawReadError, read_sequence
from rpiq.core.sr.samples import every_value_type_tree, sized_tree

if TYPE_CHECKING:
    from pydicom.dataset import Dataset


def wire(ds: Dataset, implicit: bool) -> Dataset:
    """Encode and decode as pynetdicom does for a C-FIND identifier (raw elements)."""
    data = encode(ds, implicit, True, False)
    assert data is not None
    return decode(io.BytesIO(data), implicit, True, False)


def slow_parse(ds: Dataset) -> ContentNode:
    """Force pydicom's reader: convert every element before parsing."""
    for elem in ds.iterall():
        _ = elem.value
    return parse_content(ds)


@pytest.mark.parametrize("implicit", [True, False])
@pytest.mark.parametrize("tree", [every_value_type_tree(), sized_tree(50)])
def test_fast_and_pydicom_paths_agree(implicit, tree):
    ds = encode_root(tree)
    fast = parse_content(wire(ds, implicit))
    assert fast == tree
    assert fast == slow_parse(wire(ds, implicit))


@pytest.mark.parametrize(
    ("charset", "text"),
    [
        ("ISO_IR 192", "Allergie: Pénicilline — 花粉"),
        ("ISO_IR 100", "Allergie: Pénicilline"),
        ("ISO_IR 144", "Аллергия на пенициллин"),
        ("\\ISO 2022 IR 87", "花粉症"),
    ],
)
def test_non_ascii_text_decodes_with_the_identifier_charset(charset, text):
    tree = ContentNode(
        None,
        "CONTAINER",
        CodedConcept("111517", "DCM", "RPI"),
        None,
        children=(
            ContentNode(
                "CONTAINS", "TEXT", CodedConcept("11329-0", "LN", "History"), text
            ),
        ),
        template=("DCMR", "9007"),
    )
    ds = encode_root(tree)
    ds.SpecificCharacterSet = charset
    parsed = parse_content(wire(ds, implicit=False))
    assert parsed.children[0].value == text


def test_truncated_bytes_are_refused_not_misread():
    ds = encode_root(sized_tree(5))
    raw = wire(ds, False).get_item(0x0040A730).value
    with pytest.raises(RawReadError):
        read_sequence(raw[:-3], False, ["iso8859"])


def test_truncated_identifier_still_parses_without_raising():
    ds = encode_root(sized_tree(5))
    data = encode(ds, False, True, False)
    assert data is not None
    ident = decode(io.BytesIO(data[:-7]), False, True, False)
    root = parse_content(ident)
    assert root.value_type in ("CONTAINER", "UNREADABLE")

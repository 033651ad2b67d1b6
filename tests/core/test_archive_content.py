"""RPI content kept by the archive: same tree whether copied raw or re-encoded.

A document received in Explicit VR Little Endian keeps its Content Sequence
bytes and Specific Character Set as they came; any other encoding is parsed and
re-encoded in UTF-8. Either way the answer a query returns must hold the same
content tree as the stored document.
"""

from __future__ import annotations

import dataclasses
import io

import pytest
from pydicom import dcmread, dcmwrite
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import (
    UID,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
)

from rpiq.core.archive.content import extract, from_blob
from rpiq.core.sr import parse_content
from rpiq.core.sr.encode import encode_root
from rpiq.core.sr.model import ContentNode, ValueType
from rpiq.core.sr.samples import every_value_type_tree, sized_tree

COMPREHENSIVE_SR = "1.2.840.10008.5.1.4.1.1.88.33"


def with_text(tree: ContentNode, text: str) -> ContentNode:
    """``tree`` with the first TEXT item below its second child set to ``text``."""
    history = tree.children[1]
    items = list(history.children)
    first = next(n for n, c in enumerate(items) if c.value_type == ValueType.TEXT)
    items[first] = dataclasses.replace(items[first], value=text)
    history = dataclasses.replace(history, children=tuple(items))
    return dataclasses.replace(tree, children=(tree.children[0], history))


def received(tree: ContentNode, syntax: UID, charset: str | None) -> Dataset:
    """An RPI SR document as a C-STORE SCP decodes it: from bytes, still raw."""
    ds = encode_root(tree)
    ds.SOPClassUID = COMPREHENSIVE_SR
    ds.SOPInstanceUID = "1.2.826.0.1.3680043.8.498.77"
    ds.PatientID = "RAW-1"
    if charset is not None:
        ds.SpecificCharacterSet = charset
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = syntax
    buffer = io.BytesIO()
    dcmwrite(buffer, ds, enforce_file_format=True)
    buffer.seek(0)
    return dcmread(buffer)


CASES = {
    "ascii explicit LE": (sized_tree(20), ExplicitVRLittleEndian, None),
    "every value type": (every_value_type_tree(), ExplicitVRLittleEndian, None),
    "latin-1": (
        with_text(sized_tree(6), "Buc^Jérôme: no allergies"),
        ExplicitVRLittleEndian,
        "ISO_IR 100",
    ),
    "cyrillic": (
        with_text(sized_tree(6), "Люксембург: беременность исключена"),
        ExplicitVRLittleEndian,
        "ISO_IR 144",
    ),
    "implicit VR": (
        with_text(sized_tree(6), "Buc^Jérôme"),
        ImplicitVRLittleEndian,
        "ISO_IR 100",
    ),
    "big endian": (sized_tree(6), ExplicitVRBigEndian, None),
}


@pytest.mark.parametrize("case", CASES)
def test_kept_content_has_the_documents_tree(case: str) -> None:
    tree, syntax, charset = CASES[case]
    content, warning = extract(received(tree, syntax, charset), "20260101120000")
    assert warning is None
    assert content is not None
    kept = parse_content(from_blob(content.blob))
    assert kept.children == tree.children
    assert content.ascii_only == all(
        not isinstance(n.value, str) or n.value.isascii() for _, n in tree.walk()
    )


@pytest.mark.parametrize(
    ("text", "charset"),
    [("Buc^Jérôme", "ISO_IR 100"), ("Люксембург", "ISO_IR 144")],
)
def test_explicit_le_text_keeps_its_bytes_and_character_set(
    text: str, charset: str
) -> None:
    doc = received(with_text(sized_tree(6), text), ExplicitVRLittleEndian, charset)
    content, _ = extract(doc, "20260101120000")
    assert content is not None
    # PS3.5 6.1: the bytes stay valid only with the character set they came in.
    assert text.encode(doc.original_character_set[0]) in content.blob
    assert from_blob(content.blob).SpecificCharacterSet == charset

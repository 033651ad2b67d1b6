"""Specific Character Set helpers: repertoires, PN decoding, sets pydicom gets wrong."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pytest
from pydicom import dcmread
from pydicom.charset import convert_encodings
from pydicom.valuerep import PersonName
from pynetdicom.dsutils import decode, encode

from rpiq.core.sr.charset import (
    charset_problem,
    charset_terms,
    decode_person_name,
    pydicom_handles,
    unencodable,
)
from rpiq.core.sr.document import make_comprehensive_sr, write_document
from rpiq.core.sr.encode import encode_root
from rpiq.core.sr.model import CodedConcept, ContentNode
from rpiq.core.sr.parse import parse_content

if TYPE_CHECKING:
    from pathlib import Path

    from pydicom.dataset import Dataset

G1_SWITCH = "ISO 2022 IR 100\\ISO 2022 IR 144"
PERFORMER = "Иванов^Renée"
#: PERFORMER as PS3.5 6.1.2.5.3 wants it: ESC - A (Latin-1 G1) before "^".
CONFORMANT = b"\x1b-L\xb8\xd2\xd0\xdd\xde\xd2\x1b-A^Ren\xe9e"
#: PERFORMER as pydicom 3 writes it: Cyrillic still designated after "^".
PYDICOM_STYLE = b"\x1b-L\xb8\xd2\xd0\xdd\xde\xd2^Ren\xe9e "


@pytest.mark.parametrize(
    ("charset", "terms"),
    [
        (None, ("",)),
        ("", ("",)),
        ("ISO_IR 100", ("ISO_IR 100",)),
        ("\\ISO 2022 IR 87", ("", "ISO 2022 IR 87")),
        (["ISO 2022 IR 6 ", "ISO 2022 IR 87"], ("ISO 2022 IR 6", "ISO 2022 IR 87")),
    ],
)
def test_charset_terms(charset: str | list[str] | None, terms: tuple[str, ...]) -> None:
    assert charset_terms(charset) == terms


@pytest.mark.parametrize(
    ("text", "charset", "bad"),
    [
        ("PAT-1", None, None),
        ("é", None, "é"),  # the default repertoire is ASCII, not Latin-1
        ("é", "ISO 2022 IR 6", "é"),
        ("Jérôme", "ISO_IR 100", None),
        ("王-1", "ISO_IR 100", "王"),
        ("Люкceмбypг", "ISO_IR 144", None),
        ("Jérôme", "ISO_IR 144", "é"),
        ("山田-本", "\\ISO 2022 IR 87", None),
        ("é", "\\ISO 2022 IR 87", "é"),
        ("¥", "\\ISO 2022 IR 87", "¥"),  # JIS X 0201 Roman: IR 14, not IR 87
        ("ﾔﾏﾀﾞ", "ISO 2022 IR 13", None),
        ("山", "ISO 2022 IR 13", "山"),  # shift_jis has it, JIS X 0201 not
        ("Jérôme Жером", G1_SWITCH, None),
        ("王 Ωμέγα 😀", "ISO_IR 192", None),
    ],
)
def test_unencodable_follows_the_dicom_repertoires(
    text: str, charset: str | None, bad: str | None
) -> None:
    assert unencodable(text, charset) == bad
    assert (charset_problem(text, charset) is None) == (bad is None)


def test_charset_problem_names_the_character_and_unknown_terms() -> None:
    problem = charset_problem("王-1", "ISO_IR 100")
    assert problem is not None
    assert "'王' (U+738B)" in problem
    assert "ISO_IR 192" in problem
    unknown = charset_problem("PAT-1", "LATIN1")
    assert unknown is not None
    assert "'LATIN1'" in unknown


@pytest.mark.parametrize(
    ("charset", "handled"),
    [
        (None, True),
        ("ISO_IR 100", True),
        ("ISO 2022 IR 100", True),
        ("ISO_IR 192", True),
        ("\\ISO 2022 IR 87", True),
        ("ISO 2022 IR 13\\ISO 2022 IR 87", True),
        ("\\ISO 2022 IR 149", True),
        (G1_SWITCH, False),
        ("ISO 2022 IR 6\\ISO 2022 IR 100", False),
        ("\\ISO 2022 IR 87\\ISO 2022 IR 100", False),
    ],
)
def test_pydicom_handles(charset: str | None, handled: bool) -> None:
    assert pydicom_handles(charset) is handled


def test_pydicom_writes_a_g1_switch_without_switching_back() -> None:
    """The pydicom behaviour the module works around (PS3.5 6.1.2.5.3)."""
    encodings = convert_encodings(G1_SWITCH.split("\\"))
    assert PersonName(PERFORMER, encodings).encode(encodings) + b" " == PYDICOM_STYLE


@pytest.mark.parametrize(
    ("charset", "raw", "name"),
    [
        (G1_SWITCH, CONFORMANT, PERFORMER),
        (G1_SWITCH, PYDICOM_STYLE, PERFORMER),
        # PS3.5 H.3.1 and H.3.2: JIS X 0208 runs close before "^" and "=".
        (
            "\\ISO 2022 IR 87",
            b"Yamada^Tarou=\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B="
            b"\x1b$B$d$^$@\x1b(B^\x1b$B$?$m$&\x1b(B",
            "Yamada^Tarou=山田^太郎=やまだ^たろう",
        ),
        (
            "ISO 2022 IR 13\\ISO 2022 IR 87",
            b"\xd4\xcf\xc0\xde^\xc0\xdb\xb3=\x1b$B;3ED\x1b(J^\x1b$BB@O:\x1b(J="
            b"\x1b$B$d$^$@\x1b(J^\x1b$B$?$m$&\x1b(J",
            "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう",
        ),
        # 本 is JIS 0x4B5C, 所 0x3D6A: "\" and "=" bytes inside a run.
        (
            "\\ISO 2022 IR 87",
            b"Honda^Tokoro=\x1b$BK\\ED\x1b(B^\x1b$B=j\x1b(B",
            "Honda^Tokoro=本田^所",
        ),
        # PS3.5 I.2 (Korean): KS X 1001 in G1, designated again per group.
        (
            "\\ISO 2022 IR 149",
            b"Hong^Gildong=\x1b$)C\xfb\xf3^\x1b$)C\xd1\xce\xd4\xd7="
            b"\x1b$)C\xc8\xab^\x1b$)C\xb1\xe6\xb5\xbf",
            "Hong^Gildong=洪^吉洞=홍^길동",
        ),
    ],
)
def test_decode_person_name(charset: str, raw: bytes, name: str) -> None:
    assert decode_person_name(raw, convert_encodings(charset.split("\\"))) == name


def identifier_with_performer(raw: bytes) -> Dataset:
    """An RPI identifier whose one PNAME item holds ``raw``, as received."""
    padded = raw + b" " * (len(raw) % 2)
    placeholder = "P" * len(padded)  # same length: swapped in after encoding
    root = ContentNode(
        None,
        "CONTAINER",
        CodedConcept("111517", "DCM", "Relevant Patient Information"),
        None,
        children=(
            ContentNode(
                "CONTAINS",
                "PNAME",
                CodedConcept("121435", "DCM", "Service Performer"),
                placeholder,
            ),
        ),
        template=("DCMR", "9007"),
    )
    ds = encode_root(root)
    ds.SpecificCharacterSet = G1_SWITCH.split("\\")
    data = encode(ds, False, True, False)
    assert data is not None
    assert data.count(placeholder.encode()) == 1
    data = data.replace(placeholder.encode(), padded)
    return decode(io.BytesIO(data), False, True, False)


@pytest.mark.parametrize(
    "raw", [CONFORMANT, PYDICOM_STYLE], ids=["conformant", "pydicom"]
)
@pytest.mark.parametrize("path", ["rawread", "dataset"])
def test_tree_reads_pn_groups_in_value_1_set(raw: bytes, path: str) -> None:
    identifier = identifier_with_performer(raw)
    if path == "dataset":
        # Sequence decoded by pydicom, its items' values still raw: the path
        # the parser takes when the fast reader declines.
        _ = identifier.ContentSequence
    assert parse_content(identifier).children[0].value == PERFORMER


def answer_identifier(charset: str, name: str) -> tuple[Dataset, ContentNode]:
    root = ContentNode(
        None,
        "CONTAINER",
        CodedConcept("111517", "DCM", "Relevant Patient Information"),
        None,
        children=(
            ContentNode(
                "CONTAINS",
                "PNAME",
                CodedConcept("121435", "DCM", "Service Performer"),
                name,
            ),
        ),
        template=("DCMR", "9007"),
    )
    ds = encode_root(root)
    ds.SpecificCharacterSet = charset
    ds.PatientName = name
    ds.PatientID = "PAT-1"
    return ds, root


@pytest.mark.parametrize(
    ("charset", "saved"),
    [
        ("\\ISO 2022 IR 87", ["", "ISO 2022 IR 87"]),
        ("ISO_IR 144", "ISO_IR 144"),
        (G1_SWITCH, "ISO_IR 192"),
    ],
)
def test_save_as_sr_keeps_the_answer_charset_unless_pydicom_gets_it_wrong(
    tmp_path: Path, charset: str, saved: str | list[str]
) -> None:
    name = {
        "\\ISO 2022 IR 87": "Yamada^Tarou=山田^太郎=やまだ^たろう",
        "ISO_IR 144": "Иванов^Пётр",
    }.get(charset, PERFORMER)
    identifier, root = answer_identifier(charset, name)
    path = tmp_path / "saved.dcm"
    write_document(path, make_comprehensive_sr(identifier, root))
    back = dcmread(path)
    assert back.SpecificCharacterSet == saved
    assert str(back.PatientName) == name
    assert str(back.ContentSequence[0].PersonName) == name

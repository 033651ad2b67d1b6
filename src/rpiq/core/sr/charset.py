r"""Specific Character Set (0008,0005): what it can carry, how PN decodes.

Three gaps between pydicom 3 and PS3.5 6.1 / PS3.3 C.12.1.1.2, closed here:

* **Text a set cannot carry.** pydicom writes a character outside the
  declared repertoire as ``?`` and only warns. In a text value that silently
  changes what was written; in a C-FIND key it is worse, because ``?`` is a
  wildcard (PS3.4 C.2.2.2.4): a Patient ID ``"王-1"`` declared as ISO_IR 100
  would go out as ``"?-1"`` and could match another patient.
  :func:`charset_problem` says beforehand, per character, whether a text
  fits, so callers can refuse it.
* **PN groups after a single-byte switch.** PS3.5 6.1.2.5.3 wants value 1's
  character set active again before every ``^`` and ``=`` of a PN. pydicom's
  reader decodes a PN value as one string, so when a writer switched G1 (e.g.
  ``ESC - L`` Cyrillic after ``ISO 2022 IR 100``) and did not switch back,
  ``"Иванов^Renée"`` reads as ``"Иванов^Renщe"``. pydicom's own writer omits
  that switch, so such bytes are common. :func:`decode_person_name` resets at
  each delimiter outside a multi-byte run, as DCMTK does; conformant values
  decode the same either way.
* **Sets pydicom gets wrong.** :func:`pydicom_handles` tells the Specific
  Character Sets for which pydicom's writer breaks that rule, so a writer can
  choose UTF-8 instead, and a reader knows to decode PN itself.

The repertoire check follows DICOM where it differs from Python's codecs: an
empty value 1, ``ISO_IR 6`` and ``ISO 2022 IR 6`` are the default repertoire
(ASCII; pydicom's codec for them is Latin-1); ``ISO 2022 IR 87`` is JIS X 0208
only (Python's ``iso2022_jp`` also writes JIS X 0201 Roman, which would need
``ISO 2022 IR 14``); ``ISO 2022 IR 159`` is JIS X 0212 only; ``ISO_IR 13`` and
``ISO 2022 IR 13`` are the single-byte JIS X 0201 (Python's ``shift_jis`` also
has the two-byte JIS X 0208). ASCII characters fit every set: G0 is ISO-IR 6,
or JIS X 0201 Roman for IR 13, which differs only in ``\`` and ``~``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from pydicom.charset import convert_encodings, decode_bytes, python_encoding
from pydicom.datadict import tag_for_keyword
from pydicom.dataelem import RawDataElement

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pydicom.dataset import Dataset

__all__ = [
    "charset_problem",
    "charset_terms",
    "decode_person_name",
    "escaped_person_name",
    "pydicom_handles",
    "unencodable",
]

#: Defined terms whose repertoire is the default one: ASCII (PS3.5 6.1.2.2).
_DEFAULT_TERMS: Final = frozenset({"", "ISO_IR 6", "ISO 2022 IR 6"})
#: ISO 2022 multi-byte sets: the escape sequence that designates each
#: (PS3.3 Table C.12-4); a character fits only if Python encodes it with it.
_DESIGNATIONS: Final = {
    "ISO 2022 IR 87": b"\x1b$B",
    "ISO 2022 IR 159": b"\x1b$(D",
}
#: JIS X 0201 (PS3.3 Tables C.12-2, C.12-3): the single bytes of shift_jis.
_SINGLE_BYTE_TERMS: Final = frozenset({"ISO_IR 13", "ISO 2022 IR 13"})
#: Python codecs of the multi-byte ISO 2022 sets (PS3.3 Table C.12-4); pydicom
#: switches back from these correctly.
_MULTI_BYTE_CODECS: Final = frozenset(
    {"iso2022_jp", "iso2022_jp_2", "euc_kr", "iso_ir_58"}
)
#: PN delimiters before which value 1's set must be active (PS3.5 6.1.2.5.3).
_PN_DELIMITERS: Final = frozenset({ord("^"), ord("=")})


def charset_terms(charset: str | Sequence[str] | None) -> tuple[str, ...]:
    r"""The defined terms of a Specific Character Set value, padding removed.

    ``"\ISO 2022 IR 87"`` (value 1 empty) gives ``("", "ISO 2022 IR 87")``;
    ``None`` or ``""`` gives ``("",)``, the default repertoire.
    """
    if charset is None:
        return ("",)
    values = charset.split("\\") if isinstance(charset, str) else list(charset)
    return tuple(str(value).strip() for value in values) or ("",)


def _fits(char: str, term: str) -> bool:
    """True when the character set ``term`` has ``char``."""
    if char.isascii():
        return True
    if term in _DEFAULT_TERMS:
        return False
    try:
        encoded = char.encode(python_encoding[term])
    except (UnicodeError, LookupError):
        return False
    if term in _SINGLE_BYTE_TERMS:
        return len(encoded) == 1
    designation = _DESIGNATIONS.get(term)
    return designation is None or encoded.startswith(designation)


def unencodable(text: str, charset: str | Sequence[str] | None) -> str | None:
    """The first character of ``text`` that ``charset`` cannot represent.

    Parameters
    ----------
    text : str
        The value to write.
    charset : str, sequence of str or None
        The Specific Character Set, as a backslash-separated string or its
        values; ``None`` is the default repertoire.

    Returns
    -------
    str or None
        The character, or None when every character fits (unknown defined
        terms fit nothing but ASCII: see :func:`charset_problem`).
    """
    terms = charset_terms(charset)
    for char in dict.fromkeys(text):  # each distinct character once, in order
        if not any(_fits(char, term) for term in terms):
            return char
    return None


def charset_problem(text: str, charset: str | Sequence[str] | None) -> str | None:
    """Why ``text`` cannot be written in ``charset``, or None when it can.

    Returns
    -------
    str or None
        A sentence for the user: an unknown defined term, or the first
        character the declared character set does not have.
    """
    terms = charset_terms(charset)
    unknown = [term for term in terms if term not in python_encoding]
    if unknown:
        return (
            f"character set {unknown[0]!r} is not a DICOM defined term "
            "(e.g. 'ISO_IR 192' for UTF-8)"
        )
    char = unencodable(text, terms)
    if char is None:
        return None
    name = "\\".join(terms) if any(terms) else "the default character set"
    return (
        f"{char!r} (U+{ord(char):04X}) cannot be written in {name}; "
        "use ISO_IR 192 (UTF-8)"
    )


def pydicom_handles(charset: str | Sequence[str] | None) -> bool:
    r"""False for the sets whose code extensions pydicom 3 gets wrong.

    With a single-byte set from value 2 on (``ISO 2022 IR 100\ISO 2022 IR
    144``, ``ISO 2022 IR 6\ISO 2022 IR 100``) pydicom's writer never switches
    back to value 1's set before a PN ``^`` or ``=`` or the end of a value
    (PS3.5 6.1.2.5.3), and under value 1 ``ISO 2022 IR 6`` it writes Latin-1
    bytes without designating them (its codec for the default repertoire is
    Latin-1); its reader then keeps a switched set across PN delimiters (see
    :func:`decode_person_name`). Write such text in ISO_IR 192 instead, and
    decode PN values with :func:`decode_person_name`. Single-valued sets,
    ISO_IR 192 and the multi-byte extensions (IR 87, 159, 149, 58) are
    handled correctly.
    """
    return all(
        python_encoding.get(term) in _MULTI_BYTE_CODECS
        for term in charset_terms(charset)[1:]
    )


def decode_person_name(raw: bytes, encodings: Sequence[str]) -> str | list[str]:
    """Decode PN bytes with value 1's set active again after each ``^`` and ``=``.

    Parameters
    ----------
    raw : bytes
        The element value as received (padding included).
    encodings : sequence of str
        Python codecs of the Specific Character Set (pydicom
        ``convert_encodings``).

    Returns
    -------
    str or list of str
        The value, or its values when backslash-separated, as pydicom returns
        text. Inside a multi-byte run (``ESC $ B`` ... ``ESC ( B``) the bytes
        of ``^`` and ``=`` are halves of characters, not delimiters: pydicom
        decodes such runs whole and they are left alone.
    """
    text = decode_bytes(raw.rstrip(b" \x00"), list(encodings), set(_PN_DELIMITERS))
    values = text.split("\\")
    return values[0] if len(values) == 1 else values


def escaped_person_name(ds: Dataset, keyword: str) -> str | list[str] | None:
    """A still-raw PN element of ``ds`` with code extensions, decoded right.

    Call this before anything reads the element through pydicom (which
    decodes it in place, wrongly: see :func:`decode_person_name`).

    Returns
    -------
    str, list of str or None
        The decoded value; None when the element is absent, already decoded
        or holds no escape sequence, i.e. when pydicom's reading is right.
    """
    tag = tag_for_keyword(keyword)
    raw: object = None if tag is None else ds.get_item(tag)
    if not isinstance(raw, RawDataElement) or raw.VR not in (None, "PN"):
        return None
    value = raw.value
    if not isinstance(value, bytes) or b"\x1b" not in value:
        return None
    encodings = convert_encodings(ds.get("SpecificCharacterSet"))
    return decode_person_name(value, encodings)

"""Reading content-item attributes: lazy decoding, clear failures (PS3.3 C.17.3).

Every read of the tree parser goes through :func:`_get`, so malformed values
(pydicom decodes lazily) become a :class:`_Problem` naming the attribute, and
plain-ASCII text takes a fast path around pydicom's per-element conversion.
"""

from __future__ import annotations

import functools
import math
import re
import struct
from collections.abc import Sequence
from typing import Final

from pydicom.datadict import dictionary_description, dictionary_VR, tag_for_keyword
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence as DicomSequence
from pydicom.tag import Tag
from pydicom.valuerep import PersonName

from rpiq.core.sr.charset import decode_person_name
from rpiq.core.sr.model import (
    CodedConcept,
)
from rpiq.core.sr.rawread import RawItem, RawSequence, read_sequence

_DS_PATTERN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_INT_PATTERN = re.compile(r"[+-]?\d+")
_PROBLEM_MAX = 240


class _Problem(Exception):
    """An attribute is missing or malformed; the message is shown to the user."""


Item = Dataset | RawItem
"""A content item: a pydicom Dataset or a fast-read :class:`RawItem`."""

# ------------------------------------------------------------ attribute access


@functools.cache
def _label(keyword: str) -> str:
    """``"Concept Code Sequence (0040,A168)"`` for a data dictionary keyword."""
    number = tag_for_keyword(keyword)
    if number is None:
        return keyword
    tag = Tag(number)
    return f"{dictionary_description(tag)} {tag}"


def _describe(exc: BaseException) -> str:
    """Short one-line description of an exception for ``problem`` texts."""
    text = str(exc) if isinstance(exc, _Problem) else f"{type(exc).__name__}: {exc}"
    text = " ".join(text.split())
    if len(text) > _PROBLEM_MAX:
        text = text[: _PROBLEM_MAX - 1] + "…"
    return text


# Text VRs whose raw bytes can be read directly when they are plain ASCII
# (PS3.5 6.2): every DICOM character set encodes ASCII bytes identically unless
# an ISO 2022 escape (ESC) switches sets. Decoding through pydicom costs ~0.1 ms
# per element, which dominated the parse of a 1000-item answer.
_FAST_TEXT_VRS: Final = frozenset(
    {"AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "PN", "SH", "TM", "UI"}
)
_FAST_SINGLE_VRS: Final = frozenset({"LT", "ST", "UT"})


@functools.lru_cache(maxsize=256)
def _tag_and_vr(keyword: str) -> tuple[int, str] | None:
    tag = tag_for_keyword(keyword)
    return None if tag is None else (tag, dictionary_VR(tag))


def _fast_text(raw: RawDataElement, vr: str) -> object:
    """Decode an ASCII text element as pydicom would (trailing padding removed)."""
    text = raw.value.decode("ascii") if raw.value is not None else ""
    if vr in _FAST_SINGLE_VRS:
        return text.rstrip(" \x00")
    values = [
        v.strip(" \x00") if vr != "UI" else v.rstrip(" \x00") for v in text.split("\\")
    ]
    return values[0] if len(values) == 1 else values


def _fast_get(item: Dataset, keyword: str) -> tuple[bool, object]:
    """(True, value) when the fast path applies, else (False, None).

    PN values with ISO 2022 escapes are decoded here too, not by pydicom, so
    that each ``^`` and ``=`` returns to value 1's set (:mod:`.charset`).
    """
    spec = _tag_and_vr(keyword)
    if spec is None:
        return False, None
    tag, dict_vr = spec
    raw: object = item.get_item(tag)  # None when absent, despite the overloads
    if raw is None:
        return True, None
    if not isinstance(raw, RawDataElement) or not raw.value:
        return False, None
    vr = raw.VR or dict_vr
    if vr == "SQ":
        return _fast_sequence(item, raw)
    if vr == "PN" and b"\x1b" in raw.value:
        return True, decode_person_name(raw.value, _encodings(item))
    if vr not in _FAST_TEXT_VRS and vr not in _FAST_SINGLE_VRS:
        return False, None
    if not raw.value.isascii() or b"\x1b" in raw.value:
        return False, None
    return True, _fast_text(raw, vr)


def _fast_sequence(item: Dataset, raw: RawDataElement) -> tuple[bool, object]:
    """A still-raw little-endian sequence read by :mod:`.rawread`, if it can.

    Code sequences of the root (and of a stored document's top level) then
    come out as cacheable :class:`RawItem` items, like every nested item.
    """
    if not raw.is_little_endian or raw.value is None:
        return False, None
    try:
        return True, read_sequence(
            bytes(raw.value), raw.is_implicit_VR, _encodings(item)
        )
    except Exception:  # noqa: BLE001 - anything unusual: pydicom's reader decides
        return False, None


def raw_sequence(item: Dataset, keyword: str) -> RawSequence | None:
    """The sequence ``keyword`` of ``item`` read by :mod:`.rawread`, if it can.

    For readers outside the tree parser (the archive's template check reads
    the root's Content Template Sequence, PS3.3 C.17.3): a still-raw
    little-endian SQ element comes back as light :class:`RawItem` items,
    which decode a value only when asked, instead of pydicom Datasets.
    ``None`` when absent, already decoded or irregular: the caller then reads
    the element with pydicom as before.
    """
    spec = _tag_and_vr(keyword)
    if spec is None:
        return None
    raw: object = item.get_item(spec[0])  # None when absent
    if not isinstance(raw, RawDataElement) or not raw.value:
        return None
    if (raw.VR or spec[1]) != "SQ":
        return None
    done, value = _fast_sequence(item, raw)
    return value if done and isinstance(value, RawSequence) else None


def _encodings(item: Dataset) -> list[str]:
    """Python codecs of the item's Specific Character Set or its parent's."""
    # pydicom resolves the inherited set of a sequence item here (PS3.5 7.5).
    charset = item._character_set
    return [charset] if isinstance(charset, str) else list(charset)


def _get(item: Item, keyword: str) -> object:
    """Value of ``keyword`` in ``item`` (None if absent), decoding it now."""
    try:
        if isinstance(item, RawItem):
            return item.get(keyword)
        done, value = _fast_get(item, keyword)
        if done:
            return value
        return item.get(keyword)
    except Exception as exc:  # pydicom decodes lazily: anything may fail here
        raise _Problem(
            f"{_label(keyword)} cannot be decoded: {_describe(exc)}"
        ) from exc


def _as_text(raw: object, keyword: str) -> str:
    """One value of a string VR as ``str`` (PN, DA/DT/TM objects included)."""
    if isinstance(raw, str | PersonName):
        return str(raw)  # plain str, also for UID and other str subclasses
    original = getattr(raw, "original_string", None)
    if isinstance(original, str):
        return original
    if isinstance(raw, Sequence) and not isinstance(raw, bytes | bytearray):
        raise _Problem(f"{_label(keyword)} has {len(raw)} values; one expected")
    raise _Problem(f"{_label(keyword)} is not text ({type(raw).__name__})")


def _optional_text(item: Item, keyword: str) -> str | None:
    """Single-valued text attribute, None when absent or empty."""
    raw = _get(item, keyword)
    if raw is None:
        return None
    text = _as_text(raw, keyword)
    return text if text.strip() else None


def _required_text(item: Item, keyword: str) -> str:
    """Single-valued text attribute that must be present with a value."""
    text = _optional_text(item, keyword)
    if text is None:
        raise _Problem(f"{_label(keyword)} is missing or empty")
    return text


def _values(raw: object) -> tuple[object, ...]:
    """The values of a possibly multi-valued attribute as a tuple."""
    if raw is None:
        return ()
    if isinstance(raw, str | bytes | bytearray) or not isinstance(raw, Sequence):
        return (raw,)
    return tuple(raw)


def _as_int(value: object, keyword: str) -> int:
    """One integer value (IS, US, UL, SL), rejecting anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and _INT_PATTERN.fullmatch(value.strip()):
        return int(value)
    raise _Problem(f"{_label(keyword)} value {value!r} is not an integer")


def _ints(item: Item, keyword: str) -> tuple[int, ...]:
    """All values of an integer attribute (empty tuple when absent)."""
    return tuple(_as_int(value, keyword) for value in _values(_get(item, keyword)))


def _number(text: str, keyword: str) -> int | float:
    """A decimal string (DS, PS3.5 6.2) as int when integral in form, else float."""
    text = text.strip()
    if _INT_PATTERN.fullmatch(text):
        return int(text)
    if not _DS_PATTERN.fullmatch(text):
        raise _Problem(f"{_label(keyword)} {text!r} is not a decimal number")
    number = float(text)
    if not math.isfinite(number):
        raise _Problem(f"{_label(keyword)} {text!r} is out of range")
    return number


def _as_float(value: object, keyword: str) -> float:
    """One finite floating point value (FL, FD or DS)."""
    if isinstance(value, str):
        number = float(_number(value, keyword))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        raise _Problem(f"{_label(keyword)} value {value!r} is not a number")
    if not math.isfinite(number):
        raise _Problem(f"{_label(keyword)} value {value!r} is not finite")
    return number


def _shortest_float32(value: float) -> float:
    """The shortest decimal that encodes to the same FL (float32) as ``value``.

    FL values decode to doubles such as 12.300000190734863; this turns them
    back into 12.3 so that display and round trips see what was written.
    """
    packed = struct.pack("<f", value)
    for digits in range(6, 10):
        candidate = float(f"{value:.{digits}g}")
        if struct.pack("<f", candidate) == packed:
            return candidate
    return value


def _sequence(item: Item, keyword: str) -> DicomSequence | RawSequence | None:
    """A sequence attribute, None when absent; wrong VRs are a problem."""
    raw = _get(item, keyword)
    if raw is None:
        return None
    if not isinstance(raw, DicomSequence | RawSequence):
        raise _Problem(f"{_label(keyword)} is not a sequence ({type(raw).__name__})")
    return raw


def _optional_item(item: Item, keyword: str) -> Item | None:
    """The one item of a sequence holding zero or one item (None if empty)."""
    seq = _sequence(item, keyword)
    if not seq:
        return None
    if len(seq) != 1:
        raise _Problem(f"{_label(keyword)} has {len(seq)} items; one expected")
    return seq[0]


def _required_item(item: Item, keyword: str) -> Item:
    """The one item of a sequence that must hold exactly one item."""
    found = _optional_item(item, keyword)
    if found is None:
        raise _Problem(f"{_label(keyword)} is missing or empty")
    return found


_CODES_MAX: Final = 4096
_codes: dict[tuple[bytes, tuple[str, ...]], CodedConcept] = {}
"""Codes read from fast-read items, by their bytes: an SR tree names the same
few concepts and coded values again and again (a quarter of a parse before)."""


def _code(item: Item, keyword: str, *, required: bool) -> CodedConcept | None:
    """A one-item code sequence (PS3.3 8.8) as a :class:`CodedConcept`."""
    if required:
        code_item: Item | None = _required_item(item, keyword)
    else:
        code_item = _optional_item(item, keyword)
    if code_item is None:
        return None
    key = code_item.cache_key() if isinstance(code_item, RawItem) else None
    if key is not None:
        known = _codes.get(key)
        if known is not None:
            return known
    try:
        concept = CodedConcept.from_item(code_item)
    except ValueError as exc:
        raise _Problem(f"{_label(keyword)}: {exc}") from exc
    if key is not None:
        if len(_codes) >= _CODES_MAX:
            _codes.clear()  # bounded; a clear only costs re-reading
        _codes[key] = concept
    return concept

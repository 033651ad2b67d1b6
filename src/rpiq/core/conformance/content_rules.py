"""Content rules that hold for every item, whatever the template says.

* No by-reference relationships (PS3.4 Q.2.1.1.3.3).
* Every item readable, with a known Relationship Type (PS3.3 C.17.3).
* NUM items with a value carry units, UCUM ones; an empty NUM says why
  (PS3.3 C.18.1).
* Specific Character Set (0008,0005) present when any text is not plain
  ASCII (PS3.4 Q.2.1.1.3.2, PS3.5 6.1).

The walk uses the parsed :class:`~rpiq.core.sr.model.ContentNode` tree and the
identifier's top-level elements only, so the nested sequences of a large
answer are not decoded a second time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydicom.datadict import dictionary_VR, keyword_for_tag
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.tag import Tag

from rpiq.core.conformance.identity_rules import text_of
from rpiq.core.conformance.report import Finding, Level, item_label
from rpiq.core.sr.model import (
    BY_REFERENCE,
    UNREADABLE,
    CodedConcept,
    ContentNode,
    format_path,
)
from rpiq.core.templates import RELATIONSHIP_TYPES

if TYPE_CHECKING:
    from pydicom.dataset import Dataset

    from rpiq.core.sr.model import Path

_UNITS_PROBLEM = "Measurement Units Code Sequence"
_DEFAULT_CHARSETS = ("", "ISO_IR 6", "ISO 2022 IR 6")
_TEXT_VRS = dict.fromkeys(
    [
        *("AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO"),
        *("LT", "PN", "SH", "ST", "TM", "UC", "UR", "UT"),
    ],
    True,
)


def check_items(root: ContentNode) -> list[Finding]:
    """Apply the per-item rules to every node of the tree.

    Parameters
    ----------
    root : ContentNode
        The parsed identifier.

    Returns
    -------
    list of Finding
        ``content.by-reference``, ``content.unreadable``, ``content.num-units``,
        ``content.relationship``, ``content.num-empty`` and
        ``content.num-units-ucum`` findings.
    """
    findings: list[Finding] = []
    for path, node in root.walk():
        if node.value_type == BY_REFERENCE:
            findings.append(_by_reference(path, node))
        elif node.value_type == UNREADABLE:
            findings.append(_unreadable(path, node))
        else:
            findings += _relationship(path, node)
            if node.value_type == "NUM":
                findings += _num(path, node)
    return findings


def _by_reference(path: Path, node: ContentNode) -> Finding:
    return Finding(
        Level.FAIL,
        "content.by-reference",
        f"{item_label(path)} points to content item {node.value} by "
        "reference (Referenced Content Item Identifier); RPI content must not use "
        "by-reference relationships, so a reader cannot rely on it.",
        "PS3.4 Q.2.1.1.3.3",
        format_path(path),
    )


def _unreadable(path: Path, node: ContentNode) -> Finding:
    problem = node.problem or "unknown problem"
    where = format_path(path)
    if _UNITS_PROBLEM in problem:
        return Finding(
            Level.FAIL,
            "content.num-units",
            f"{item_label(path)} is a measurement (NUM) whose value has no units "
            "(Measurement Units Code Sequence is missing), so the number cannot "
            "be interpreted.",
            "PS3.3 C.18.1, Table C.18-1",
            where,
        )
    return Finding(
        Level.FAIL,
        "content.unreadable",
        f"{item_label(path)} cannot be read: {problem}.",
        "PS3.3 C.17.3, C.18",
        where,
    )


def _relationship(path: Path, node: ContentNode) -> list[Finding]:
    if not path or node.relationship in RELATIONSHIP_TYPES:
        return []
    where = format_path(path)
    what = (
        "has no Relationship Type"
        if node.relationship is None
        else f'has the unknown Relationship Type "{node.relationship}"'
    )
    return [
        Finding(
            Level.FAIL,
            "content.relationship",
            f"{item_label(path)} {what}, so its link to its parent is undefined.",
            "PS3.3 C.17.3.2.4, Table C.17-6",
            where,
        )
    ]


def _num(path: Path, node: ContentNode) -> list[Finding]:
    where = format_path(path)
    if node.value is None:
        if node.qualifier is not None:
            return []
        return [
            Finding(
                Level.WARN,
                "content.num-empty",
                f"{item_label(path)} is a measurement (NUM) without a value and "
                "without a Numeric Value Qualifier saying why it is missing.",
                "PS3.3 C.18.1, Table C.18-1",
                where,
            )
        ]
    if node.units is not None and node.units.scheme != "UCUM":
        return [
            Finding(
                Level.WARN,
                "content.num-units-ucum",
                f"{item_label(path)} gives its units as {node.units.triple()}; "
                "measurement units are UCUM codes (scheme UCUM).",
                "PS3.3 C.18.1.1; PS3.16 CID 82",
                where,
            )
        ]
    return []


# ------------------------------------------------------------ character set


def _node_texts(node: ContentNode) -> list[str]:
    texts = [c.meaning for c in (node.concept, node.units, node.qualifier) if c]
    if isinstance(node.value, str):
        texts.append(node.value)
    elif isinstance(node.value, CodedConcept):
        texts += [node.value.meaning, node.value.value]
    return texts


def _plain(text: str | bytes) -> bool:
    """True for text the default repertoire carries (PS3.5 6.1.2.2).

    ISO 2022 text (e.g. JIS X 0208, PS3.5 Annex H) is 7-bit but not plain:
    its escape sequences need a Specific Character Set that allows them.
    """
    if isinstance(text, bytes):
        return text.isascii() and b"\x1b" not in text
    return text.isascii() and "\x1b" not in text


def _first_non_ascii_item(root: ContentNode) -> Path | None:
    for path, node in root.walk():
        if not all(_plain(text) for text in _node_texts(node)):
            return path
    return None


def _dictionary_vr(tag: int) -> str:
    try:
        return str(dictionary_VR(tag))
    except KeyError:  # private or unknown: not checked
        return "UN"


def _first_non_ascii_attribute(ds: Dataset) -> str | None:
    """Keyword of a top-level text element that is not ASCII (no SQ decoding)."""
    for tag in list(ds.keys()):
        elem: object = ds.get_item(tag)  # raw elements stay undecoded
        if isinstance(elem, RawDataElement):
            text = _TEXT_VRS.get(elem.VR or _dictionary_vr(tag), False)
            ascii_only = not text or elem.value is None or _plain(elem.value)
        elif isinstance(elem, DataElement):
            text = _TEXT_VRS.get(elem.VR, False)
            ascii_only = not text or _plain(str(elem.value))
        else:
            continue
        if not ascii_only:
            return f"{keyword_for_tag(tag) or 'an attribute'} {Tag(tag)}"
    return None


def check_charset(root: ContentNode, ds: Dataset) -> list[Finding]:
    """FAIL when non-ASCII text is present without Specific Character Set.

    Parameters
    ----------
    root : ContentNode
        The parsed identifier (content items).
    ds : Dataset
        The identifier (top-level attributes).

    Returns
    -------
    list of Finding
        At most one ``content.charset`` finding.
    """
    declared = (text_of(ds, "SpecificCharacterSet") or "").strip()
    if declared not in _DEFAULT_CHARSETS:
        return []
    attribute = _first_non_ascii_attribute(ds)
    item = _first_non_ascii_item(root) if attribute is None else None
    if attribute is None and item is None:
        return []
    where = attribute or f"item {format_path(item or ())}"
    return [
        Finding(
            Level.FAIL,
            "content.charset",
            f"The answer has text that is not plain ASCII ({where}) but no "
            "Specific Character Set (0008,0005): names and text may be shown "
            "with wrong characters.",
            "PS3.4 Q.2.1.1.3.2; PS3.5 6.1.2.3",
            None if item is None else format_path(item),
        )
    ]

"""A printable "Relevant patient information" sheet as simple HTML.

The HTML uses only what Qt's rich-text engine renders (headings, tables,
nested lists, inline colour), so the GUI can feed it to ``QTextDocument`` and
print it or write a PDF; a browser shows it as well. Sections follow the
content tree: each CONTAINER becomes a heading, every other item a list entry
``Concept: value units``, with its own children nested below it. Unreadable
and by-reference items are shown in red with their problem, never dropped.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from rpiq.core.sr.model import BY_REFERENCE, UNREADABLE, ContentNode, ValueType
from rpiq.core.sr.render import value_text

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = ["plain_value", "report_html"]

_MAX_HEADING = 4
_STYLE = """
body { font-family: sans-serif; font-size: 10pt; color: #000000; }
h1 { font-size: 16pt; margin-bottom: 4px; }
h2 { font-size: 13pt; margin-top: 12px; border-bottom: 1px solid #888888; }
h3 { font-size: 11pt; margin-top: 8px; }
h4 { font-size: 10pt; margin-top: 6px; }
table.header td { padding: 2px 12px 2px 0px; }
td.label { color: #444444; }
.units { color: #444444; }
.problem { color: #b00020; font-weight: bold; }
.warning { color: #ffffff; background-color: #b00020; font-weight: bold; }
.footer { color: #666666; font-size: 8pt; margin-top: 16px; }
"""


def plain_value(node: ContentNode) -> str:
    """:func:`~rpiq.core.sr.render.value_text`, but TEXT unquoted with its lines."""
    if node.value_type == ValueType.TEXT and isinstance(node.value, str):
        return node.value
    return value_text(node)


def _concept(node: ContentNode) -> str:
    if node.concept is None:
        return ""
    return escape(node.concept.meaning or node.concept.triple())


def _value_html(node: ContentNode, formatter: Callable[[ContentNode], str]) -> str:
    if node.value_type in (UNREADABLE, BY_REFERENCE):
        label = "Unreadable item" if node.value_type == UNREADABLE else "Reference"
        problem = escape(node.problem or "")
        return f'<span class="problem">{label}: {problem}</span>'
    return escape(formatter(node)).replace("\n", "<br/>")


def _item_html(
    node: ContentNode, formatter: Callable[[ContentNode], str], depth: int
) -> list[str]:
    if node.value_type == ValueType.CONTAINER:
        return _section_html(node, formatter, depth)
    concept = _concept(node)
    value = _value_html(node, formatter)
    text = f"<b>{concept}</b>: {value}" if concept else value
    lines = [f"<li>{text}"]
    if node.children:
        lines.append("<ul>")
        for child in node.children:
            lines.extend(_item_html(child, formatter, depth + 1))
        lines.append("</ul>")
    lines.append("</li>")
    return lines


def _section_html(
    node: ContentNode, formatter: Callable[[ContentNode], str], depth: int
) -> list[str]:
    level = min(depth + 2, _MAX_HEADING)
    title = _concept(node) or "Section"
    heading = f"<h{level}>{title}</h{level}>"
    if depth > 0:
        heading = f"<li>{heading}"
    lines = [heading]
    if node.children:
        lines.append("<ul>")
        for child in node.children:
            lines.extend(_item_html(child, formatter, depth + 1))
        lines.append("</ul>")
    elif depth == 0:
        lines.append("<p>No content items.</p>")
    if depth > 0:
        lines.append("</li>")
    return lines


def report_html(
    root: ContentNode,
    header: Sequence[tuple[str, str]],
    *,
    title: str = "Relevant patient information",
    warnings: Sequence[str] = (),
    footer: str = "",
    formatter: Callable[[ContentNode], str] = plain_value,
) -> str:
    """Return the sheet as one HTML document.

    Parameters
    ----------
    root : ContentNode
        The answer's content tree.
    header : sequence of (label, value)
        Patient and query facts shown in a table under the title.
    title : str
        Document title.
    warnings : sequence of str
        Shown prominently in red under the header (e.g. identity mismatch).
    footer : str
        Small print at the end (source, time of the query).
    formatter : callable
        Value text of one node; the GUI passes its locale-aware formatter.
    """
    rows = "".join(
        f'<tr><td class="label">{escape(label)}</td><td>{escape(value)}</td></tr>'
        for label, value in header
    )
    parts = [
        "<html><head><meta charset='utf-8'>",
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<table class="header">{rows}</table>',
    ]
    parts.extend(f'<p class="warning">&nbsp;{escape(w)}&nbsp;</p>' for w in warnings)
    if root.value_type == ValueType.CONTAINER:
        parts.extend(_section_html(root, formatter, 0))
    else:
        parts.append("<ul>")
        parts.extend(_item_html(root, formatter, 0))
        parts.append("</ul>")
    if footer:
        parts.append(f'<p class="footer">{escape(footer)}</p>')
    parts.append("</body></html>")
    return "\n".join(parts)

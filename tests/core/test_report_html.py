from __future__ import annotations

from html.parser import HTMLParser

from rpiq.core.sr.model import UNREADABLE, ContentNode
from rpiq.core.sr.report_html import report_html
from rpiq.core.sr.samples import every_value_type_tree


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)


def parsed(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def test_sheet_has_header_sections_and_values():
    html = report_html(
        every_value_type_tree(),
        [("Patient", "DOE^JANE <x>"), ("Patient ID", "P1")],
        footer="Queried PACS",
    )
    text = " ".join(parsed(html).chunks)
    assert "DOE^JANE <x>" in text  # escaped in HTML, intact as text
    assert "&lt;x&gt;" in html
    assert "Gynecological History" in text
    assert "Heart rate" in text
    assert "72 BPM" in text
    assert "Queried PACS" in text
    assert html.count("<ul>") == html.count("</ul>")
    assert html.count("<li>") == html.count("</li>")


def test_warnings_and_unreadable_items_are_visible():
    root = ContentNode(
        None,
        "CONTAINER",
        None,
        None,
        children=(ContentNode("CONTAINS", UNREADABLE, None, None, problem="bad VR"),),
    )
    html = report_html(root, [], warnings=["Other patient!"])
    assert 'class="warning"' in html
    assert "Other patient!" in html
    assert "Unreadable item: bad VR" in html


def test_custom_formatter_is_used():
    html = report_html(every_value_type_tree(), [], formatter=lambda node: "X")
    assert "Heart rate</b>: X" in html


def test_non_container_root_is_listed():
    leaf = ContentNode(None, "TEXT", None, "hello")
    assert "<li>hello" in report_html(leaf, [])


def test_multiline_text_keeps_its_lines():
    leaf = ContentNode(None, "TEXT", None, "a\nb")
    assert "a<br/>b" in report_html(leaf, [])

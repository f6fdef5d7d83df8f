"""`export --format html`: one self-contained page, nothing fetched, typed text kept as text."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from exporters.render.html import render_html
from tests.cli.helpers import workbook
from tests.exporters.render.test_markdown_export import (
    NOW,
    entry,
    make_actions,
    make_entries,
    make_incident,
)


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text, of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser


def _page(**changes: object) -> str:
    return render_html(make_incident(**changes), make_entries(), make_actions(), now=NOW)


def test_a_whole_page_with_inline_style_and_a_policy_that_loads_nothing() -> None:
    page = _page()
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert page.endswith("</html>\n")
    tags = _parse(page).tags
    names = [name for name, _ in tags]
    assert "script" not in names and "img" not in names and "link" not in names
    assert names.count("style") == 1
    policy = [a["content"] for n, a in tags if n == "meta" and a.get("http-equiv")]
    assert policy == ["default-src 'none'; style-src 'unsafe-inline'"]
    # No attribute anywhere points at a resource to fetch.
    for name, attrs in tags:
        assert "src" not in attrs, name
    assert "<title>Postmortem: Checkout returns 500s</title>" in page


def test_the_sections_tables_and_diagram_source_are_rendered() -> None:
    page = _page()
    assert "<h1>Checkout returns 500s</h1>" in page
    for heading in ("Summary", "Key times", "Timeline", "Action items", "Root cause"):
        assert f"<h2>{heading}</h2>" in page
    assert page.count("<table>") == 2
    assert "<td>Pool size raised to 80</td>" in page
    assert '<a href="https://github.com/acme/shop/issues/12">' in page
    # GitHub draws the Mermaid diagram; a mail reader gets its source, folded away.
    assert '<details class="diagram">' in page
    assert "flowchart LR" in page
    # The front matter and the workbook's own markers stay out of the page.
    assert "workbook_format" not in page
    assert "workbook:begin" not in page


def test_typed_html_and_scripts_are_shown_as_text() -> None:
    hostile = '<script>alert(1)</script> <img src=x onerror="alert(2)">'
    entries = [*make_entries(), entry(9, 140, hostile, ["note"])]
    page = render_html(
        make_incident(summary=hostile + "\n\n![chart](http://example.com/x.png)"),
        entries,
        make_actions(),
        now=NOW,
    )
    parsed = _parse(page)
    names = [name for name, _ in parsed.tags]
    assert "script" not in names and "img" not in names
    text = "".join(parsed.text)
    assert "<script>alert(1)</script>" in text
    # An image in a narrative becomes a link: opening the page loads nothing.
    assert '<a href="http://example.com/x.png">[image: chart]</a>' in page


def test_javascript_links_are_not_made_links() -> None:
    page = _page(summary="[click](javascript:alert(1))")
    assert 'href="javascript' not in page


@given(st.text(max_size=200))
def test_any_entry_text_leaves_no_active_tag(text: str) -> None:
    entries = [*make_entries(), entry(9, 140, text, ["note"])]
    page = render_html(make_incident(summary=text), entries, make_actions(), now=NOW)
    names = {name for name, _ in _parse(page).tags}
    assert not names & {"script", "img", "iframe", "object", "embed", "link", "form", "svg"}
    assert not re.search(r"<[a-z]+[^>]*\son[a-z]+=", page)


def test_cli_writes_the_page(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    made = workbook(db, "new", "Checkout down", "--tz", "UTC", "--started", "2026-03-02 21:00")
    slug = made.out.strip()
    out = tmp_path / "page.html"
    result = workbook(db, "export", slug, "--format", "html", "-o", str(out))
    assert result.code == 0, result.err
    page = out.read_text(encoding="utf-8")
    assert "<h1>Checkout down</h1>" in page
    assert workbook(db, "export", slug, "--format", "html").out == page

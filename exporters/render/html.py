"""The postmortem as one self-contained HTML page: ``workbook export --format html``.

The page is the Markdown export rendered with markdown-it-py, with its style sheet inline
and no script, font, image or style sheet fetched from anywhere (a Content-Security-Policy
in the page says so to the browser as well), so it can go into a mail or a wiki as it is.

Nothing a person typed becomes markup beyond what the Markdown export already lets through:
narratives are Markdown, but raw HTML in them is shown as text; the only tag taken from the
document is the ``<br>`` the export writes for a line break inside a table cell; the
workbook's own ``<!-- workbook:… -->`` markers are dropped; images become links, so opening
the page loads nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from html import escape
from typing import Any, Final

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.front_matter import front_matter_plugin

from models.tables import ActionItem, Incident, TimelineEntry

_WORKBOOK_MARKER: Final = re.compile(r"<!-- workbook:[^\n]*-->")
_CSP: Final = "default-src 'none'; style-src 'unsafe-inline'"

STYLE: Final = """
:root { color-scheme: light dark; --fg: #1f2328; --bg: #ffffff; --muted: #59636e;
  --line: #d1d9e0; --code: #f6f8fa; --link: #0969da; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --line: #3d444d;
    --code: #151b23; --link: #4493f8; }
}
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
h1, h2, h3 { line-height: 1.25; margin: 1.5em 0 0.5em; }
h1 { font-size: 2em; border-bottom: 1px solid var(--line); padding-bottom: 0.3em; }
h2 { font-size: 1.5em; border-bottom: 1px solid var(--line); padding-bottom: 0.3em; }
a { color: var(--link); }
code, pre { font: 0.875em/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  background: var(--code); border-radius: 6px; }
code { padding: 0.2em 0.4em; }
pre { padding: 1em; overflow: auto; white-space: pre-wrap; }
pre code { padding: 0; background: none; }
table { border-collapse: collapse; display: block; overflow: auto; margin: 1em 0; }
th, td { border: 1px solid var(--line); padding: 6px 13px; vertical-align: top; }
th { background: var(--code); text-align: left; }
blockquote { margin: 0; padding: 0 1em; color: var(--muted);
  border-left: 0.25em solid var(--line); }
details.diagram summary { color: var(--muted); cursor: pointer; }
.raw-html { color: var(--muted); }
""".strip()


class _SafeRenderer(RendererHTML):
    """markdown-it's HTML renderer with raw HTML shown as text and images as links."""

    def html_block(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        content = _WORKBOOK_MARKER.sub("", tokens[idx].content).strip("\n")
        if not content.strip():
            return ""
        return f'<pre class="raw-html">{escape(content)}</pre>\n'

    def html_inline(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        content = tokens[idx].content
        if content == "<br>":
            return "<br>"
        return escape(content)

    def image(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        alt = self.renderInlineAsText(token.children or [], options, env) or "image"
        src = str(token.attrGet("src") or "")
        return f'<a href="{escape(src)}">[image: {escape(alt)}]</a>'

    def fence(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        if token.info.strip() == "mermaid":
            return (
                '<details class="diagram"><summary>Phases diagram (Mermaid source; GitHub and '
                "GitLab draw it)</summary>\n"
                f"<pre><code>{escape(token.content)}</code></pre></details>\n"
            )
        return super().fence(tokens, idx, options, env)

    def front_matter(self, *args: Any) -> str:
        return ""


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}, renderer_cls=_SafeRenderer)
    return md.enable(["table", "strikethrough"]).use(front_matter_plugin)


def markdown_to_html(markdown: str, *, title: str) -> str:
    """A whole page for a workbook Markdown document."""
    body = _parser().render(markdown)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="Incident Workbook">\n'
        f"<title>{escape(title)}</title>\n"
        f"<style>\n{STYLE}\n</style>\n"
        "</head>\n"
        "<body>\n"
        "<main>\n"
        f"{body}"
        "</main>\n"
        "</body>\n"
        "</html>\n"
    )


def render_html(
    incident: Incident,
    entries: Sequence[TimelineEntry],
    action_items: Sequence[ActionItem],
    *,
    now: datetime,
) -> str:
    """The postmortem of ``incident`` as a self-contained page."""
    from exporters.render.markdown import render_markdown

    markdown = render_markdown(incident, entries, action_items, now=now)
    return markdown_to_html(markdown, title=f"Postmortem: {incident.title}")

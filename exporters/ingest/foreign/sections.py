"""A foreign postmortem as a flat list of units (lines, list items, table rows, headings).

markdown-it-py does the parsing; this module walks its token stream and keeps, for every
line of text, where it sits: under which heading, in which list item, in which table row.
A second pass decides the section each unit belongs to (timeline, action items, root
cause...), including headings that Markdown does not see as headings: bold lines, ALL-CAPS
lines, ``Impact:`` lines and emoji-led lines in documents written without any markup.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from exporters.ingest.foreign.times import leading_stamp, relative_stamp, untangle_iso


@dataclass
class Unit:
    """One line of text (or one table row, heading or code block) of the document."""

    kind: str  # "heading", "line", "row" or "code"
    text: str  # plain text; links kept as [text](url), inline code in backticks
    line: int  # first source line, 0-based
    level: int = 0  # heading level
    block: int = 0  # the paragraph, heading, row or code block it came from
    block_lines: int = 1  # how many units that block produced
    block_index: int = 0  # this unit's place in its block
    item: int | None = None  # innermost list item
    item_first: bool = False  # first line of the item's first paragraph
    depth: int = 0  # list nesting (0: not in a list)
    ordered: bool = False
    cells: tuple[str, ...] = ()
    header: bool = False  # a table header row
    bold: bool = False  # the whole line is bold or italic
    starts_bold: bool = False
    checked: bool | None = None  # "- [x]" / "- [ ]"
    # Set by assign_sections:
    section: str = "preamble"
    pseudo: bool = False  # a line acting as a heading
    heading_item: bool = False  # a heading that is itself a list entry (an action, say)
    labelled: bool = False  # "**Root cause:** ..." inside another section: routed by its label
    end_line: int = 0  # one past the last source line (code blocks)


@dataclass
class Document:
    units: list[Unit]
    source_lines: list[str]
    front_matter: dict[str, str] = field(default_factory=dict)
    leaf_items: set[int] = field(default_factory=set)
    item_parent: dict[int, int | None] = field(default_factory=dict)


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table").enable("strikethrough").use(front_matter_plugin)


_BR_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG_RE = re.compile(r"<[^<>]{0,200}>")
_KNOWN_TAG_RE = re.compile(
    r"</?(?:a|abbr|b|br|code|del|details|div|em|font|h[1-6]|hr|i|img|ins|kbd|li|mark|ol|p|pre"
    r"|s|small|span|strong|sub|summary|sup|table|t[dhr]|tbody|thead|u|ul|aside|center|video"
    r"|picture|source|iframe|blockquote|cite|q|time|dl|dt|dd)\b|<!--",
    re.IGNORECASE,
)
_CHECKBOX_RE = re.compile(r"^\[([ xX✓✔])\]\s+")


@dataclass
class _Line:
    parts: list[str] = field(default_factory=list)
    plain_chars: int = 0  # visible characters outside bold or italic
    emph_chars: int = 0
    starts_bold: bool | None = None

    def add(self, text: str, emphasised: bool) -> None:
        self.parts.append(text)
        visible = len(text.strip())
        if not visible:
            return
        if self.starts_bold is None:
            self.starts_bold = emphasised
        if emphasised:
            self.emph_chars += visible
        else:
            self.plain_chars += visible


def _inline_lines(token: Token) -> list[tuple[str, bool, bool, int]]:
    """(text, all bold, starts bold, source line offset) for each line of an inline token."""
    lines: list[_Line] = [_Line()]
    offsets = [0]
    offset = 0
    emph = 0
    link_href: list[str] = []
    link_text: list[list[str]] = []
    for child in token.children or []:
        kind = child.type
        if kind in ("text", "code_inline"):
            piece = child.content if kind == "text" else f"`{child.content}`"
            if link_text:
                link_text[-1].append(piece)
            else:
                lines[-1].add(piece, emph > 0)
        elif kind == "softbreak" and emph > 0:
            # A bold or italic span wrapped onto the next line is still one line of text.
            offset += 1
            lines[-1].add(" ", True)
        elif kind in ("softbreak", "hardbreak"):
            offset += 1
            lines.append(_Line())
            offsets.append(offset)
        elif kind == "html_inline":
            if _BR_RE.fullmatch(child.content.strip()):
                lines.append(_Line())
                offsets.append(offset)
            elif not _KNOWN_TAG_RE.match(child.content):
                # <START OF OUTAGE> is text that happens to look like a tag (maybe wrapped).
                lines[-1].add(" ".join(child.content.split()), emph > 0)
        elif kind in ("strong_open", "em_open"):
            emph += 1
        elif kind in ("strong_close", "em_close"):
            emph = max(0, emph - 1)
        elif kind == "link_open":
            link_href.append(str(child.attrs.get("href", "")))
            link_text.append([])
        elif kind == "link_close" and link_text:
            text = "".join(link_text.pop())
            href = link_href.pop()
            shown = text if not href or href in (text, f"mailto:{text}") else f"[{text}]({href})"
            if link_text:
                link_text[-1].append(shown)
            else:
                lines[-1].add(shown, emph > 0)
    out = []
    for line, line_offset in zip(lines, offsets, strict=True):
        text = "".join(line.parts).strip()
        if not text:
            continue
        all_bold = line.emph_chars > 0 and line.plain_chars <= 1
        out.append((text, all_bold, bool(line.starts_bold), line_offset))
    return out


def _html_lines(content: str) -> list[str]:
    text = re.sub(r"</t[dh]\s*>", " | ", content, flags=re.IGNORECASE)
    text = re.sub(r"</(?:tr|p|li|div|h[1-6])\s*>", "\n", text, flags=re.IGNORECASE)
    text = _BR_RE.sub("\n", text)
    text = _TAG_RE.sub("", text)
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&nbsp;", " "), ("&amp;", "&")):
        text = text.replace(entity, char)
    return [line.strip(" |\t") for line in text.splitlines() if line.strip(" |\t")]


def _front_matter(content: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for raw in content.splitlines():
        key, sep, value = raw.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t", "-", "#")):
            found[key.strip().lower()] = value.strip().strip("\"'")
    return found


_HEADING_LINE_RE = re.compile(r"^ {0,3}#{1,6} \S", re.MULTILINE)


def _unclosed_fence(token: Token, doc: Document) -> tuple[str, str] | None:
    """(code, the rest) of a fence that is never closed and has headings inside, else None."""
    if not token.map or token.map[1] < len(doc.source_lines):
        return None
    last = doc.source_lines[-1].strip() if doc.source_lines else ""
    if token.map[1] - token.map[0] > 1 and last.startswith(token.markup[:3]) and not last[3:]:
        return None  # closed on the last line
    heading = _HEADING_LINE_RE.search(token.content)
    if heading is None:
        return None
    return token.content[: heading.start()], token.content[heading.start() :]


def _merge(doc: Document, inner: Document, first: int, block: int) -> int:
    """Append a document parsed from part of this one (starting at source line ``first``);
    returns the next free block number."""
    shift = 100_000 * (block + 1)  # keeps the inner item numbers apart from ours
    for unit in inner.units:
        unit.line += first
        unit.end_line += first if unit.end_line else 0
        unit.block += block
        if unit.item is not None:
            unit.item += shift
    block += max((u.block for u in inner.units), default=block) + 1
    doc.units.extend(inner.units)
    doc.leaf_items |= {i + shift for i in inner.leaf_items}
    doc.item_parent.update(
        {i + shift: (p + shift if p is not None else None) for i, p in inner.item_parent.items()}
    )
    if not doc.front_matter:
        doc.front_matter = inner.front_matter
    return block


# Long runs of plain lines (a timeline of 60,000 rows) cost markdown-it-py about 40 µs a
# line. A run whose lines can only mean one thing in CommonMark (plain text, or "- " items
# of plain text, between blank lines, no markup characters at all) is read here directly and
# handed to markdown-it as blank lines, which keep every line number where it was.
FAST_RUN = 64
_SIMPLE_TEXT = r"(?![0-9]{1,9}[.)](?:\s|$))[^\s#>|<\-*+=`~\[\]\\&_][^*_`\[\]<>&\\~|]*"
_PLAIN_LINE_RE = re.compile(_SIMPLE_TEXT + r"$")
_DASH_ITEM_RE = re.compile(r"- (" + _SIMPLE_TEXT + r")$")
_FENCE_LINE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX_RE = re.compile(r"^ {0,3}#{1,6}(?:\s|$)")
# HTML blocks that run past blank lines, and front matter: no fast runs in such documents.
# Line breaks str.splitlines knows and CommonMark does not: line numbers would differ.
_ODD_BREAKS_RE = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_NO_FAST_RE = re.compile(r"<[!?]|<(?:pre|script|style|textarea)\b|\A---", re.IGNORECASE)


@dataclass
class _Run:
    start: int  # first source line
    lines: list[str]
    items: bool  # "- " items, else one paragraph


def _fast_runs(lines: list[str]) -> list[_Run]:
    runs: list[_Run] = []
    fence: str | None = None
    n = len(lines)
    i = 0
    while i < n:
        line = lines[i]
        marker = _FENCE_LINE_RE.match(line)
        if marker:
            mark = marker.group(1)
            if fence is None:
                fence = mark
            elif mark[0] == fence[0] and len(mark) >= len(fence):
                fence = None
            i += 1
            continue
        # After a blank line, or a heading that itself follows one (a heading line with no
        # blank before it may sit inside an HTML block).
        opens = (
            i == 0
            or not lines[i - 1].strip()
            or (
                bool(_ATX_RE.match(lines[i - 1]))
                and (i == 1 or not lines[i - 2].strip())
                and not lines[i - 1][:1].isspace()
            )
        )
        kind = _DASH_ITEM_RE if line.startswith("- ") else _PLAIN_LINE_RE
        if fence is not None or not opens or not kind.match(line):
            i += 1
            continue
        end = i
        while end < n and kind.match(lines[end]):
            end += 1
        closes = end == n or not lines[end].strip() or bool(_ATX_RE.match(lines[end]))
        if closes and kind is _DASH_ITEM_RE:
            # An indented line after the blank lines would continue the last item.
            after = next((line for line in lines[end:] if line.strip()), "")
            closes = not after[:1].isspace()
        if end - i >= FAST_RUN and closes:
            runs.append(_Run(i, lines[i:end], kind is _DASH_ITEM_RE))
        i = max(end, i + 1)
    return runs


def _fast_units(doc: Document, runs: list[_Run], block: int, next_item: int) -> None:
    """Put the units of the fast runs among the others, in line order."""
    made: list[Unit] = []
    for run in runs:
        if run.items:
            for offset, line in enumerate(run.lines):
                block += 1
                next_item += 1
                doc.item_parent[next_item] = None
                doc.leaf_items.add(next_item)
                text = untangle_iso(line[2:].strip())
                made.append(
                    Unit(
                        "line",
                        text,
                        run.start + offset,
                        block=block,
                        item=next_item,
                        item_first=True,
                        depth=1,
                    )
                )
        else:
            block += 1
            total = len(run.lines)
            for offset, line in enumerate(run.lines):
                made.append(
                    Unit(
                        "line",
                        untangle_iso(line.strip()),
                        run.start + offset,
                        block=block,
                        block_lines=total,
                        block_index=offset,
                    )
                )
    merged: list[Unit] = []
    others = doc.units
    j = 0
    for unit in made:
        while j < len(others) and others[j].line < unit.line:
            merged.append(others[j])
            j += 1
        merged.append(unit)
    merged.extend(others[j:])
    doc.units = merged


def parse_document(text: str, depth: int = 0) -> Document:
    source_lines = text.splitlines()
    plain = not _NO_FAST_RE.search(text) and not _ODD_BREAKS_RE.search(text)
    runs = _fast_runs(source_lines) if plain else []
    if runs:
        blanked = list(source_lines)
        for run in runs:
            blanked[run.start : run.start + len(run.lines)] = [""] * len(run.lines)
        tokens = _parser().parse("\n".join(blanked) + ("\n" if text.endswith("\n") else ""))
    else:
        tokens = _parser().parse(text)
    doc = Document(units=[], source_lines=source_lines)
    item_stack: list[int] = []
    list_stack: list[bool] = []  # ordered?
    item_has_paragraph: set[int] = set()
    non_leaf: set[int] = set()
    next_item = 0
    block = 0
    row_cells: list[str] = []
    row_is_header = False
    in_thead = False
    row_line = 0
    i = 0
    while i < len(tokens):
        token = tokens[i]
        kind = token.type
        line = token.map[0] if token.map else 0
        if kind == "front_matter":
            doc.front_matter = _front_matter(token.content)
        elif kind in ("bullet_list_open", "ordered_list_open"):
            if item_stack:
                non_leaf.add(item_stack[-1])
            list_stack.append(kind == "ordered_list_open")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            if list_stack:
                list_stack.pop()
        elif kind == "list_item_open":
            next_item += 1
            doc.item_parent[next_item] = item_stack[-1] if item_stack else None
            item_stack.append(next_item)
        elif kind == "list_item_close":
            if item_stack:
                item = item_stack.pop()
                if item not in non_leaf:
                    doc.leaf_items.add(item)
        elif kind == "heading_open" and i + 1 < len(tokens):
            block += 1
            inline = tokens[i + 1]
            lines = _inline_lines(inline)
            heading_text = " ".join(t for t, *_ in lines)
            doc.units.append(
                Unit(
                    "heading",
                    heading_text,
                    line,
                    level=int(token.tag[1:]) if token.tag[1:].isdigit() else 1,
                    block=block,
                )
            )
            i += 2
        elif kind == "paragraph_open" and i + 1 < len(tokens):
            block += 1
            item = item_stack[-1] if item_stack else None
            first_in_item = item is not None and item not in item_has_paragraph
            if item is not None:
                item_has_paragraph.add(item)
            lines = _inline_lines(tokens[i + 1])
            for index, (text_line, all_bold, starts_bold, offset) in enumerate(lines):
                checked: bool | None = None
                if first_in_item and index == 0:
                    box = _CHECKBOX_RE.match(text_line)
                    if box:
                        checked = box.group(1) != " "
                        text_line = text_line[box.end() :]
                doc.units.append(
                    Unit(
                        "line",
                        untangle_iso(text_line),
                        line + offset,
                        block=block,
                        block_lines=len(lines),
                        block_index=index,
                        item=item,
                        item_first=first_in_item and index == 0,
                        depth=len(list_stack),
                        ordered=bool(list_stack and list_stack[-1]),
                        bold=all_bold,
                        starts_bold=starts_bold,
                        checked=checked,
                    )
                )
            i += 2
        elif kind == "thead_open":
            in_thead = True
        elif kind == "thead_close":
            in_thead = False
        elif kind == "tr_open":
            row_cells = []
            row_is_header = in_thead
            row_line = line
        elif kind == "inline" and tokens[i - 1].type in ("th_open", "td_open"):
            row_cells.append(" ".join(t for t, *_ in _inline_lines(token)))
        elif kind == "tr_close":
            block += 1
            cells = tuple(untangle_iso(c) for c in row_cells)
            doc.units.append(
                Unit(
                    "row",
                    " | ".join(c for c in cells if c),
                    row_line,
                    block=block,
                    cells=cells,
                    header=row_is_header,
                )
            )
        elif kind == "fence" and token.info.strip().lower() in ("markdown", "md") and depth < 1:
            # A whole postmortem pasted inside a ```markdown fence: read what is inside.
            first = (token.map[0] + 1) if token.map else 0
            block = _merge(doc, parse_document(token.content, depth=depth + 1), first, block)
        elif kind == "fence" and depth < 1 and (split := _unclosed_fence(token, doc)) is not None:
            # A fence never closed runs to the end of the document; when Markdown headings
            # follow inside it, the writer forgot to close it: the code ends before the first.
            code, rest = split
            block += 1
            start = token.map[0] if token.map else 0
            doc.units.append(
                Unit("code", code, start, block=block, end_line=start + code.count("\n") + 1)
            )
            first = start + 1 + code.count("\n")
            block = _merge(doc, parse_document(rest, depth=depth + 1), first, block)
        elif kind in ("fence", "code_block"):
            block += 1
            end = token.map[1] if token.map else line + 1
            doc.units.append(Unit("code", token.content, line, block=block, end_line=end))
        elif kind == "html_block":
            block += 1
            html_lines = _html_lines(token.content)
            for index, text_line in enumerate(html_lines):
                doc.units.append(
                    Unit(
                        "line",
                        untangle_iso(text_line),
                        line,
                        block=block,
                        block_lines=len(html_lines),
                        block_index=index,
                    )
                )
        i += 1
    # An item still open when the tokens ran out counts as a leaf. (The union is built once:
    # built per unit it made a 60,000-line timeline take 20 s.)
    closed = doc.leaf_items | non_leaf
    doc.leaf_items |= {u.item for u in doc.units if u.item is not None and u.item not in closed}
    if runs:
        _fast_units(doc, runs, block, next_item)
    return doc


# --------------------------------------------------------------------------- sections

_SECTION_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        (
            "timeline",
            r"\btime ?lines?\b|\bchronolog|\bsequence of events\b|\bincident log\b"
            r"|\bd[ée]roul[ée]\b|\bfil des [ée]v[ée]nements\b",
        ),
        (
            "went_well",
            r"\bwhat went (?:well|right)\b|\bwhat worked\b|\bwent well\b|\bpositives\b",
        ),
        (
            "went_wrong",
            r"\bwhat went wrong\b|\bwhat (?:didn.?t|did not) (?:work|go)\b|\bwent (?:poorly|badly)"
            r"|\b(?:could|can) (?:be|have been) (?:improved|better|done better)\b"
            r"|\bwhere we (?:struggled|fell short)\b|\bneeds? improvement\b|\bchallenges\b",
        ),
        ("got_lucky", r"\blucky\b|\bluck\b"),
        ("resolution", r"^immediate (?:actions?|fix(?:es)?|response|steps|mitigation)\b"),
        (
            "root_cause",
            r"\broot ?causes?\b|\bcaus(?:es?|ed)\b|\bcontributing factors?\b|\bcontributors\b"
            r"|\brca\b|\bwhys?\b|\bculprit\b|\bfindings\b",
        ),
        (
            "actions",
            r"\baction ?items?\b|\bactions?\b|\bfollow[- ]?ups?\b|\bnext steps\b|\bcorrective\b"
            r"|\bpreventa?tive\b|\bprevention\b|\bremediation\b|\bto[- ]?dos?\b|\btasks?\b"
            r"|\bimprovements?\b|\brecommendations?\b|\bgoing forward\b|\bfuture work\b"
            r"|\bmeasures\b|\bwhat we(?:'re|'ll| are| will| plan to)?(?: going to)? (?:do|doing"
            r"|change|changing|fix|fixing|improve|improving)\b|\bchanges we\b"
            r"|\bwhat(?:'s| is| comes) next\b|\bsteps taken\b|\bafter the incident\b"
            r"|\bplan d.actions?\b|\bmesures\b|\bsuivi\b|\bt[âa]ches\b",
        ),
        ("lessons", r"\blessons?\b|\blearn(?:ed|ings?|t)\b|\btakeaways?\b|\breflections?\b"),
        ("trigger", r"\btrigger"),
        ("detection", r"\bdetect(?:ion|ed)?\b"),
        (
            "resolution",
            r"\bresolution\b|\bresolv|\brecover|\bmitigation\b|\bfix(?:es|ed)?\b|\brestor",
        ),
        ("impact", r"\bimpact|\baffected\b|\bblast radius\b"),
        (
            "keyinfo",
            r"\bduration|\bkey (?:information|timestamps|facts|details)\b|\bmetadata\b"
            r"|\bincident (?:info|information)\b|\bstats\b|\bseverity\b|\bat a glance\b",
        ),
        (
            "summary",
            r"\bsummary\b|\boverview\b|\bdescription\b|\bbackground\b|\bexecutive\b|\btl;? ?dr\b"
            r"|\bresumo\b|\bresumen\b|\br[ée]sum[ée]\b|\bsynth[èe]se\b|\bintroduction\b"
            r"|\bwhat happened\b|\babstract\b"
            r"|\bissue\b|\bincident (?:details|report)\b|\bdetails\b|\bcontext\b",
        ),
        (
            "supporting",
            r"\bsupporting\b|\breferences?\b|\blinks?\b|\bappendix\b|\brelated\b"
            r"|\badditional (?:resources|information|info)\b|\bresources\b|\battachments?\b"
            r"|\bdata\b|\bgraphs?\b|\bcharts?\b|\bscreenshots?\b|\bsee also\b",
        ),
        (
            "closing",
            r"\bconclusions?\b|\bfinal thoughts\b|\bclosing\b|\bthanks\b|\backnowledg"
            r"|\battendees\b|\bparticipants\b|\bteam\b|\bsign[- ]?off\b|\bcontacts?\b"
            r"|\bquestions\b|\bmitigators\b|\bglossary\b",
        ),
    )
)

# One search over every section word at once: most lines name no section, and for them this
# replaces a dozen searches with one.
_ANY_SECTION_RE = re.compile(
    "|".join(f"(?:{pattern.pattern})" for _, pattern in _SECTION_PATTERNS), re.IGNORECASE
)

# Section words that, under an action-items heading, name a category of actions
# ("Detection", "Monitoring", "Recovery") rather than a new section.
CATEGORY_KINDS = frozenset(
    {"detection", "resolution", "impact", "keyinfo", "summary", "supporting", "trigger", "closing"}
)

SUMMARY_LIKE = frozenset({"preamble", "title", "summary", "impact", "keyinfo"})

# A title that names the kind of document rather than the incident, possibly with a course,
# task or ticket code around it: "Postmortem", "0x19. Postmortem", "Task 3 - Incident report".
_CODE = (
    r"(?:(?:task|project|lab|exercise|assignment|week|day|module|part|ticket)\s*)?"
    r"(?:#?[0-9][0-9a-z.]*|0x[0-9a-f]+|[a-z]{1,6}-?[0-9]+)"
)
_GENERIC = (
    r"(?:readme|post[- ]?mortem(?: report| review| analysis)?|incident report"
    r"|incident post[- ]?mortem|post[- ]?incident (?:review|report|analysis)|report|untitled"
    r"|template|incident|outage|outage report|rca|root cause analysis|incident review"
    r"|incident summary|service disruption)"
)
GENERIC_TITLE_RE = re.compile(
    rf"^(?:{_CODE}[.\-_:\s]*)?{_GENERIC}(?:[.\-_:\s]*{_CODE})?$", re.IGNORECASE
)

_NUMBERING_RE = re.compile(r"^(?:[0-9]{1,2}|[ivxIVX]{1,4}|[a-zA-Z])[.)]\s+")


def heading_words(text: str) -> str:
    """A heading without emoji, numbering, decoration or trailing punctuation."""
    if text.isascii():
        cleaned = text
    else:
        cleaned = "".join(
            ch if ch.isalnum() or not unicodedata.category(ch).startswith(("S", "C")) else " "
            for ch in text
        )
    cleaned = cleaned.strip(" \t-=_*#~:.>|")
    cleaned = _NUMBERING_RE.sub("", cleaned)
    return " ".join(cleaned.split())


@lru_cache(maxsize=4096)  # the same short lines ("Timeline", "Summary") come back often
def classify_heading(text: str, *, first: bool = False) -> str | None:
    """The kind of section a heading opens, or None.

    ``first`` is for the document's first heading, which is usually its title: there a
    section word counts only when it leads a short heading (``Summary``, ``Root cause and
    resolution``), not when it sits inside a sentence (``Partial DNS resolution failures
    in Frankfurt``) or after a generic label (``Incident report: uploads failing``).
    """
    if len(text) > 160:
        return None
    words = heading_words(text)
    if not words or len(words) > 120:
        return None
    if not _ANY_SECTION_RE.search(words):
        return None
    if first:
        label = split_label(words)
        if label is not None and label[1] and GENERIC_TITLE_RE.match(label[0]):
            return None
    for kind, pattern in _SECTION_PATTERNS:
        match = pattern.search(words)
        if match:
            if first and len(words.split()) > 4 and len(words[: match.start()].split()) > 1:
                continue
            return kind
    return None


def _starts_with_symbol(text: str) -> bool:
    first = text.lstrip()[:1]
    return bool(first) and unicodedata.category(first).startswith("S")


def _letters(text: str) -> str:
    return "".join(ch for ch in text if ch.isalpha())


# A line led by its state (``TODO alert on lag``, ``Done: raise the threshold``) is an item,
# even in a paragraph of plain-text notes, and never a heading.
STATUS_LINE_RE = re.compile(
    r"^\s*(?:TODO|TO DO|DONE|WIP|FIXME|OPEN|IN PROGRESS|WONTFIX|(?i:todo|done|open|wip)\s*:)"
    r"(?=[\s:\-–—]+\w+\W+\w)"
)


def _is_entry_or_date_line(text: str) -> bool:
    stamp = leading_stamp(text) or relative_stamp(text)
    return stamp is not None and (stamp.clock is not None or not stamp.rest)


def _is_pseudo_heading(unit: Unit, kind: str | None) -> bool:
    """Whether a line acts as a heading although Markdown reads it as text."""
    if unit.kind != "line" or unit.item is not None or unit.checked is not None:
        return False
    text = unit.text.strip()
    if not text or len(text) > 100 or STATUS_LINE_RE.match(text):
        return False
    if unit.block_index > 0 and text[:1].islower():
        return False  # the end of a hard-wrapped sentence ("recurrence and response times:")
    if _is_entry_or_date_line(text):
        return False  # a timeline entry or a date line
    label = split_label(text)
    if label is not None and label[1] and not unit.bold:
        return False  # "Duration: 55 minutes" is a field, not a heading
    words = heading_words(text).split()
    if not words:
        return False
    ends = text.rstrip("*_` ")[-1:]
    if unit.bold and ends not in ".!" and len(words) <= 12:
        return True
    if ends in ".!,;" or len(words) > 10:
        return False
    letters = _letters(text)
    if len(letters) >= 4 and letters.isupper() and len(words) <= 8:
        return True
    if kind is not None and (
        ends in ":?"
        or _starts_with_symbol(text)
        or unit.block_lines == 1
        or (unit.block_index < unit.block_lines - 1 and words[0][:1].isupper())
    ):
        return len(words) <= 8
    if _starts_with_symbol(text) and len(words) <= 10:
        return True
    return ends == ":" and len(words) <= 5


_LABEL_RE = re.compile(r"^(?P<label>[^:|]{2,60}?)\s*:\s*(?P<rest>.*)$")


def split_label(text: str) -> tuple[str, str] | None:
    """``Label: value`` (a short label of at most six words), else None."""
    match = _LABEL_RE.match(text.strip())
    if not match:
        return None
    label = match.group("label").strip(" *_`")
    if not label or len(label.split()) > 6 or label[:1].isdigit() or label[-1:].isdigit():
        return None
    if "," in label or ". " in label:
        return None
    return label, match.group("rest").strip(" *_`")


def assign_sections(doc: Document) -> None:
    """Give every unit the section it belongs to (see ``_SECTION_PATTERNS`` for the kinds)."""
    stack: list[tuple[int, str]] = []  # (level, kind) of the real headings above
    pseudo_kind: str | None = None
    block_override: tuple[int, str] | None = None
    seen_section = False
    seen_heading = False
    for unit in doc.units:
        enclosing = stack[-1][1] if stack else "preamble"
        if unit.kind == "heading":
            kind = classify_heading(unit.text, first=not seen_heading)
            seen_heading = True
            in_timeline = any(k == "timeline" for _, k in stack)
            stamp = leading_stamp(unit.text) if in_timeline and kind != "timeline" else None
            if stamp is not None and stamp.clock is not None:
                # "#### 10:31 UTC: service recovered" is an entry, whatever its words.
                kind = "timeline"
                unit.heading_item = True
            elif stamp is not None and kind is None:
                # "### October 21 - Redis overload": a dated part of the timeline, which
                # dates the entries under it.
                kind = "timeline"
            elif kind is None and (
                stack
                and stack[-1][1] in ("actions", "lessons", "went_well", "went_wrong")
                and stack[-1][0] >= unit.level
                and unit.text.rstrip().endswith(":")
            ):
                kind = stack[-1][1]
                unit.heading_item = True
            if not unit.heading_item:
                while stack and stack[-1][0] >= unit.level:
                    stack.pop()
                if kind in CATEGORY_KINDS and stack and stack[-1][1] == "actions":
                    kind = "actions"  # "### Monitoring" under "## Action items": a category
                if kind is None:
                    if stack and not (stack[-1][1] == "title" and seen_section):
                        kind = stack[-1][1]
                    else:
                        kind = "other" if seen_section else "title"
                stack.append((unit.level, kind))
            if kind != "title":
                seen_section = True
            unit.section = kind or enclosing
            pseudo_kind = None
            block_override = None
            continue
        if block_override is not None and block_override[0] != unit.block:
            block_override = None
        # Only a line outside any list can act as a heading: list items skip the word search.
        may_head = unit.kind == "line" and unit.item is None and unit.checked is None
        if may_head and unit.text[:1].isdigit() and _is_entry_or_date_line(unit.text):
            may_head = False  # a timeline row or a date line, never a heading
        short = may_head and len(unit.text) <= 100 and unit.text.count(" ") < 12
        kind = classify_heading(unit.text) if short else None
        if may_head and _is_pseudo_heading(unit, kind):
            label = split_label(unit.text)
            if kind is None and label is not None and label[1]:
                kind = None
            unit.pseudo = True
            if kind in CATEGORY_KINDS and stack and stack[-1][1] == "actions":
                kind = "actions"  # "**Monitoring:**" over a list of actions: a category
            pseudo_kind = kind or (stack[-1][1] if stack else "preamble")
            if kind is not None:
                seen_section = True
            unit.section = pseudo_kind
            block_override = None
            continue
        if unit.kind == "line" and unit.starts_bold and unit.item is None:
            label = split_label(unit.text)
            if label is not None and label[1]:
                label_kind = classify_heading(label[0])
                if label_kind is not None and label_kind != "timeline":
                    block_override = (unit.block, label_kind)
                    unit.labelled = True
        if block_override is not None:
            unit.section = block_override[1]
        else:
            unit.section = pseudo_kind or enclosing


def prose_runs(doc: Document, skip: frozenset[int] = frozenset()) -> list[tuple[int, Unit, str]]:
    """(index, unit, text) for every unit, with a paragraph hard-wrapped over several lines
    read as one text: "problems began at" / "11:05 AM." is one sentence. A line that is a
    ``Label: value`` field, a pseudo-heading or a timeline entry (``skip``) stands alone."""
    runs: list[tuple[int, Unit, list[str]]] = []  # the pieces are joined once, at the end:
    # joining as it goes made a 30,000-line paragraph quadratic
    last: Unit | None = None
    for index, unit in enumerate(doc.units):
        joins = (
            last is not None
            and runs
            and unit.kind == "line"
            and last.kind == "line"
            and unit.block == last.block
            and unit.item == last.item
            and not unit.pseudo
            and not last.pseudo
            and index not in skip
            and runs[-1][0] not in skip
            and split_label(unit.text) is None
        )
        if joins:
            runs[-1][2].append(unit.text)
        else:
            runs.append((index, unit, [unit.text]))
        last = unit
    return [(index, unit, " ".join(parts)) for index, unit, parts in runs]

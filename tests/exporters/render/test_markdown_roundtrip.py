"""Export, read back, same incident: the workbook's Markdown loses nothing."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from exporters.files import write_atomically
from exporters.render.escaping import (
    decode_narrative,
    encode_narrative,
    escape_inline,
    narrative_is_plain,
    unescape_inline,
)
from exporters.render.markdown import render_markdown
from exporters.render.workbook_format import (
    FORMAT_MARKER,
    WorkbookFormatError,
    looks_like_workbook,
    read_workbook_markdown,
)
from models.record import IncidentRecord
from models.store import Store
from models.tables import IMPACT_FIELDS, NARRATIVE_FIELDS, ActionItem, Incident, TimelineEntry
from models.vocabulary import (
    ACTION_STATUSES,
    ACTION_TYPES,
    KNOWN_TAGS,
    PRIORITIES,
    SEVERITIES,
    STATUSES,
)

NOW = datetime(2026, 3, 2, 23, 55, tzinfo=UTC)

TRICKY = [
    "\n",
    "\r\n",
    "\r",
    "\t",
    " ",
    "  ",
    "\u00a0",
    "|",
    "#",
    "## Timeline",
    "<br>",
    "<b>",
    "\\",
    "\\|",
    "&#9;",
    "&#38;#",
    "&amp;",
    "`",
    "*",
    "_",
    "[x](y)",
    "---",
    "- ",
    "1. ",
    "> ",
    "—",
    "_Not written yet._",
    "<!-- workbook:end summary -->",
    "<!-- workbook:timeline -->",
    "<!-- workbook:",
    "\x00",
    "\x0b",
    "\x1b",
    "\x85",
    "\u2028",
    "\ufeff",
    "é",
    "🔥",
]

texts = st.lists(st.text() | st.sampled_from(TRICKY), max_size=8).map("".join)
lines_of_text = st.lists(texts, max_size=5).map("\n".join)

ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/St_Johns",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Australia/Lord_Howe",
    "Africa/Monrovia",
    "Europe/Amsterdam",
    "Not/A_Zone",
]

fixed_offsets: st.SearchStrategy[tzinfo] = st.builds(
    timezone,
    st.timedeltas(min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23)),
)
aware_times = st.datetimes(
    min_value=datetime(1850, 1, 1),
    max_value=datetime(2300, 12, 31),
    timezones=st.sampled_from([UTC, ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")])
    | fixed_offsets,
)
free_tags = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)
tags = st.lists(st.sampled_from(KNOWN_TAGS) | free_tags, max_size=4)
vocabulary_or_text = {
    name: st.sampled_from(values) | texts
    for name, values in (
        ("severity", SEVERITIES),
        ("status", STATUSES),
        ("priority", PRIORITIES),
        ("type", ACTION_TYPES),
        ("action_status", ACTION_STATUSES),
    )
}
links = (
    st.none() | texts | st.from_regex(r"https://[a-z]{1,8}\.example/[A-Za-z0-9_~?&=#%./-]{0,20}")
)


def instant(at: datetime | None) -> datetime | None:
    """The UTC reading of a time (two readings of one instant may compare unequal if one is
    in a DST fold or gap, so the tests compare these)."""
    return None if at is None else at.astimezone(UTC)


@st.composite
def incidents(draw: st.DrawFn) -> Incident:
    values = {
        "id": 1,
        "slug": draw(texts),
        "title": draw(texts),
        "severity": draw(vocabulary_or_text["severity"]),
        "status": draw(vocabulary_or_text["status"]),
        "timezone": draw(st.sampled_from(ZONES)),
        "services": draw(st.lists(texts, max_size=3)),
        "commander": draw(st.none() | texts),
        "started_at": draw(st.none() | aware_times),
        "resolved_at": draw(st.none() | aware_times),
        "users_affected_pct": draw(st.none() | st.floats(0, 100)),
        "users_affected": draw(st.none() | st.integers(0, 10**10)),
        "transactions_lost": draw(st.none() | st.integers(0, 10**10)),
        "revenue_lost": draw(st.none() | st.floats(0, 1e12)),
        "currency": draw(st.none() | st.sampled_from(["EUR", "USD"]) | texts),
        "data_loss": draw(st.none() | st.booleans()),
        "data_loss_note": draw(st.none() | texts),
        "slo_target_pct": draw(st.none() | st.floats(0, 99.999)),
        "slo_window_days": draw(st.integers(1, 366)),
    }
    for name in NARRATIVE_FIELDS:
        values[name] = draw(lines_of_text)
    return Incident(**values)


@dataclass
class World:
    incident: Incident
    entries: list[TimelineEntry]
    actions: list[ActionItem]


@st.composite
def worlds(draw: st.DrawFn) -> World:
    incident = draw(incidents())
    count = draw(st.integers(0, 6))
    ids = draw(st.permutations(range(1, count + 1)))
    entries = [
        TimelineEntry(
            id=entry_id,
            incident_id=1,
            at=draw(aware_times),
            text=draw(texts),
            tags=draw(tags),
            author=draw(texts),
        )
        for entry_id in ids
    ]
    numbers = draw(st.lists(st.integers(1, 500), unique=True, max_size=4))
    actions = [
        ActionItem(
            id=index,
            incident_id=1,
            number=number,
            title=draw(texts),
            owner=draw(st.none() | texts),
            priority=draw(vocabulary_or_text["priority"]),
            type=draw(vocabulary_or_text["type"]),
            status=draw(vocabulary_or_text["action_status"]),
            due=draw(st.none() | st.dates()),
            link=draw(links),
            # An id past the live entries stands for a deleted one.
            source_entry_id=draw(st.none() | st.integers(1, count + 1)),
        )
        for index, number in enumerate(numbers, start=1)
    ]
    return World(incident, entries, actions)


def check_same(world: World, record: IncidentRecord) -> None:
    incident = world.incident
    for name in ("slug", "title", "severity", "status", "timezone", "services", "commander"):
        assert record.fields[name] == getattr(incident, name), name
    for name in ("started_at", "resolved_at"):
        assert instant(record.fields[name]) == instant(getattr(incident, name)), name
    for name in (*NARRATIVE_FIELDS, *IMPACT_FIELDS):
        assert record.fields[name] == getattr(incident, name), name
    assert record.warnings == []

    ordered = sorted(world.entries, key=lambda e: (instant(e.at), e.id))
    assert len(record.entries) == len(ordered)
    for got, want in zip(record.entries, ordered, strict=True):
        assert instant(got.at) == instant(want.at)
        assert got.at.utcoffset() is not None
        assert got.text == want.text
        assert got.tags == want.tags
        assert got.author == want.author

    positions = {e.id: index for index, e in enumerate(ordered)}
    items = sorted(world.actions, key=lambda a: a.number)
    assert len(record.action_items) == len(items)
    for got_item, want_item in zip(record.action_items, items, strict=True):
        assert got_item.number == want_item.number
        assert got_item.title == want_item.title
        assert got_item.owner == want_item.owner
        assert got_item.priority == want_item.priority
        assert got_item.type == want_item.type
        assert got_item.status == want_item.status
        assert got_item.due == want_item.due
        assert got_item.link == want_item.link
        assert got_item.source_entry_index == positions.get(want_item.source_entry_id)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_export_then_read_gives_the_same_incident(world: World) -> None:
    text = render_markdown(world.incident, world.entries, world.actions, now=NOW)
    assert "\r" not in text
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert all(line == line.rstrip() for line in text.split("\n"))
    assert looks_like_workbook(text)
    check_same(world, read_workbook_markdown(text))


@pytest.mark.parametrize(
    "value",
    [None, "", "—", "\n", "\nhttps://a.example/\n", "<https://a.example/>", "https://a.example/|x"],
)
def test_awkward_owners_and_links_round_trip(value: str | None) -> None:
    world = realistic()
    for item in world.actions:
        item.owner = value
        item.link = value
    text = render_markdown(world.incident, world.entries, world.actions, now=NOW)
    check_same(world, read_workbook_markdown(text))


# The escapes on their own -------------------------------------------------------------

any_text = st.text(st.characters(codec=None) | st.characters(categories=["Cs"])) | texts


@given(any_text, st.booleans())
@example("<br>", False)
@example("&#9;\\&#10;", False)
@example(" a b ", True)
def test_inline_escape_round_trips_on_one_line(original: str, encode_spaces: bool) -> None:
    escaped = escape_inline(original, encode_spaces=encode_spaces)
    assert unescape_inline(escaped) == original
    for forbidden in ("\n", "\r", "\t", "\x85", "\u2028", "\u2029"):
        assert forbidden not in escaped
    assert escaped == escaped.strip()
    if encode_spaces:
        assert " " not in escaped
    # Nothing a table or an inline parser would act on is left bare.
    bare = escaped.replace("\\\\", "").replace("\\|", "").replace("\\<", "").replace("<br>", "")
    assert "|" not in bare
    assert "<" not in bare


def escape_char_by_char(text: str, *, encode_spaces: bool) -> str:
    """The definition escape_inline's faster code must agree with: each character alone."""
    from exporters.render.escaping import _escape_char

    last = len(text) - 1
    return "".join(
        _escape_char(ch, first=i == 0, edge=i in (0, last), encode_spaces=encode_spaces)
        for i, ch in enumerate(text)
    )


@given(any_text, st.booleans())
@example("\\|\\", False)
@example("a\n\\\x00 b", True)
def test_inline_escape_is_the_character_by_character_escape(
    original: str, encode_spaces: bool
) -> None:
    expected = escape_char_by_char(original, encode_spaces=encode_spaces)
    # The plain fast path may leave a plain text as it is; anything else must agree.
    assert escape_inline(original, encode_spaces=encode_spaces) == expected


def unescape_token_by_token(text: str) -> str:
    """The definition unescape_inline's faster code must agree with, read left to right."""
    out, i = [], 0
    while i < len(text):
        reference = re.match(r"&#([0-9]{1,7});", text[i:])
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in string.punctuation:
            out.append(text[i + 1])
            i += 2
        elif text.startswith("<br>", i):
            out.append("\n")
            i += 4
        elif reference and int(reference.group(1)) <= 0x10FFFF:
            out.append(chr(int(reference.group(1))))
            i += reference.end()
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


hand_written = st.text(st.sampled_from(list("\\|*_`&#;<br>-!a 9")), max_size=20) | any_text


@given(hand_written)
@example("\\\\*")
@example("a\\b\\|&#38;\\")
def test_unescape_reads_any_text_token_by_token(text: str) -> None:
    assert unescape_inline(text) == unescape_token_by_token(text)


@given(any_text)
@example("line  \nnext\r\n<!-- workbook:end x -->\n&#38;#")
def test_narrative_encoding_round_trips(original: str) -> None:
    if narrative_is_plain(original):
        lines = original.split("\n")
    else:
        lines = encode_narrative(original)
        assert decode_narrative(lines) == original
    for line in lines:
        assert line == line.rstrip()
        assert "\r" not in line
        assert not line.startswith("<!-- workbook:")


# Through a file and the store -----------------------------------------------------------


def realistic() -> World:
    t0 = datetime(2024, 5, 14, 0, 0, tzinfo=UTC)
    incident = Incident(
        id=1,
        slug="2024-05-14-checkout-down",
        title="Checkout returns 500s",
        severity="SEV-2",
        status="published",
        timezone="Europe/Berlin",
        services=["checkout", "payments-db"],
        commander="Ada",
        summary="Checkout failed for **12%** of users.\n\n## Timeline\n\nsee below  \n",
        root_cause="Pool too small.\r\n<!-- workbook:end root_cause -->",
        went_well="- fast escalation\n",
        started_at=t0,
        users_affected_pct=12.5,
        users_affected=4200,
        revenue_lost=52000.0,
        currency="EUR",
        data_loss=False,
        slo_target_pct=99.9,
    )
    texts_and_tags = [
        ("Error rate at 30% | p99 > 2s", ["impact-start"]),
        ("Alert: `checkout_5xx` <br> fired\n# not a heading", ["detected", "db-failover"]),
        ("  leading spaces\tand a tab", ["false-lead"]),
        ("Raised the pool to 80", ["mitigated"]),
        ("Back to normal", ["resolved"]),
    ]
    entries = [
        TimelineEntry(
            id=n,
            incident_id=1,
            at=t0 + timedelta(minutes=15 * n, microseconds=250 * (n % 2)),
            text=text,
            tags=entry_tags,
            author="ada",
        )
        for n, (text, entry_tags) in enumerate(texts_and_tags)
    ]
    actions = [
        ActionItem(
            id=1,
            incident_id=1,
            number=1,
            title="Alert on pool saturation",
            owner="bob",
            priority="high",
            type="detect",
            due=date(2024, 6, 1),
            link="https://github.com/acme/shop/issues/12",
            source_entry_id=3,
        ),
        ActionItem(id=2, incident_id=1, number=3, title="Fix *it* | now", link="a|b"),
    ]
    return World(incident, entries, actions)


def test_a_written_file_reads_back_the_same(tmp_path: Path) -> None:
    world = realistic()
    text = render_markdown(world.incident, world.entries, world.actions, now=NOW)
    path = tmp_path / "postmortem.md"
    write_atomically(path, text)
    assert path.read_bytes() == text.encode("utf-8")
    check_same(world, read_workbook_markdown(path.read_text(encoding="utf-8-sig")))


def test_export_import_export_gives_the_same_bytes(store: Store) -> None:
    world = realistic()
    text = render_markdown(world.incident, world.entries, world.actions, now=NOW)
    stored = store.import_record(read_workbook_markdown(text))
    assert stored.id is not None
    snapshot = store.snapshot(stored.id)
    again = render_markdown(snapshot.incident, snapshot.entries, snapshot.action_items, now=NOW)
    assert again == text


# Recognising and refusing -----------------------------------------------------------------


def test_looks_like_workbook() -> None:
    world = realistic()
    text = render_markdown(world.incident, world.entries, world.actions, now=NOW)
    assert looks_like_workbook(text)
    assert looks_like_workbook("\ufeff" + text.replace("\n", "\r\n"))
    assert FORMAT_MARKER in text.split("\n")
    assert not looks_like_workbook("# Postmortem: checkout down\n\n## Summary\n")
    assert not looks_like_workbook("---\ntitle: x\n---\nworkbook_format: 1\n")
    assert not looks_like_workbook("")


def test_crlf_line_endings_are_read_as_lf() -> None:
    world = realistic()
    text = render_markdown(world.incident, world.entries, world.actions, now=NOW)
    check_same(world, read_workbook_markdown(text.replace("\n", "\r\n")))


def _document() -> list[str]:
    world = realistic()
    return render_markdown(world.incident, world.entries, world.actions, now=NOW).split("\n")


def _line_of(lines: list[str], start: str) -> int:
    return next(i for i, line in enumerate(lines) if line.startswith(start))


def _replace(start: str, new: str | None) -> tuple[str, int]:
    """The document with its first line starting with ``start`` replaced (None: removed)."""
    lines = _document()
    index = _line_of(lines, start)
    if new is None:
        del lines[index]
    else:
        lines[index] = new
    return "\n".join(lines), index + 1


def _timeline_row(number: int, new: str) -> tuple[str, int]:
    return _replace(f"| {number} | ", new)


def _unclosed_section() -> tuple[str, int]:
    text, _ = _replace("<!-- workbook:end went_well", None)
    return text, _line_of(text.split("\n"), "<!-- workbook:begin went_well") + 1


MALFORMED = [
    pytest.param(lambda: ("# Postmortem\n", 1), id="no front matter"),
    pytest.param(lambda: ('---\nworkbook_format: 1\ntitle: "x"\n', 1), id="unclosed front matter"),
    pytest.param(lambda: _replace("title:", 'title: "unterminated'), id="bad json"),
    pytest.param(lambda: _replace("title:", "title = 'x'"), id="not key: value"),
    pytest.param(lambda: _replace("title:", "title: 3"), id="wrong type"),
    pytest.param(lambda: _replace("started_at:", 'started_at: "yesterday"'), id="bad instant"),
    pytest.param(lambda: _replace("workbook_format:", "workbook_format: 2"), id="newer version"),
    pytest.param(lambda: _replace("severity:", 'slug: "again"'), id="duplicate key"),
    pytest.param(_unclosed_section, id="unclosed section"),
    pytest.param(
        lambda: _replace("<!-- workbook:begin trigger", "<!-- workbook:begin nonsense -->"),
        id="unknown section",
    ),
    pytest.param(lambda: _replace("## Key times", "<!-- workbook:what -->"), id="bad marker"),
    pytest.param(lambda: _timeline_row(2, "| 2 | 2024-05-14 02:30 | text | | |"), id="no offset"),
    pytest.param(
        lambda: _timeline_row(2, "| 2 | 2024-13-14 02:30 +02:00 | t | | |"), id="bad date"
    ),
    pytest.param(lambda: _timeline_row(3, "| 3 | 2024-05-14 02:45 +02:00 | a | b |"), id="cells"),
    pytest.param(
        lambda: _timeline_row(3, "| 1 | 2024-05-14 02:45 +02:00 | a | | |"), id="dup number"
    ),
    pytest.param(
        lambda: _timeline_row(3, "| \u0663 | 2024-05-14 02:45 +02:00 | a | | |"),
        id="not an ascii number",
    ),
    pytest.param(lambda: _timeline_row(3, "| 3 | 2024-05-14 24:00 +02:00 | a | | |"), id="hour 24"),
    pytest.param(
        lambda: _timeline_row(3, "| 3 | 2024-05-14 02:45 +24:00 | a | | |"), id="offset 24h"
    ),
    pytest.param(
        lambda: _timeline_row(3, "| 3 | 2024-02-30 02:45 +02:00 | a | | |"), id="30 february"
    ),
    pytest.param(
        lambda: _replace(
            "| AI-1 |", "| AI-1 | a | b | high | detect | open | 2024-02-30 | — | — |"
        ),
        id="bad due",
    ),
    pytest.param(
        lambda: _replace("| AI-1 |", "| AI-x | a | b | high | detect | open | — | — | — |"),
        id="bad ref",
    ),
    pytest.param(
        lambda: _replace("| AI-1 |", "| AI-1 | a | b | high | detect | open | — | — | entry 99 |"),
        id="unknown entry",
    ),
    pytest.param(
        lambda: _replace("| AI-1 |", "| AI-1 | a | b | high | detect | open | — | — | nine |"),
        id="bad from",
    ),
    pytest.param(
        lambda: _replace("|---|---|---|---|---|", "| a | b | c | d | e |"), id="no delimiter"
    ),
]


@pytest.mark.parametrize("make", MALFORMED)
def test_malformed_documents_name_the_line(make: object) -> None:
    text, lineno = make()  # type: ignore[operator]
    with pytest.raises(WorkbookFormatError) as caught:
        read_workbook_markdown(text)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"line {lineno}: "), message
    assert isinstance(caught.value, ValueError)


def test_unknown_front_matter_keys_are_warnings() -> None:
    text, lineno = _replace("commander:", 'reviewed_by: "carol"')
    record = read_workbook_markdown(text)
    assert record.warnings == [f"line {lineno}: unknown front matter key 'reviewed_by' ignored"]
    assert "commander" not in record.fields


def test_timeline_rows_spaced_by_hand_read_like_written_ones() -> None:
    """A reviewer who re-aligns the table changes no entry (the reader's general path)."""
    lines = _document()
    written = read_workbook_markdown("\n".join(lines))
    start = _line_of(lines, "| 1 | ")
    index = start
    while lines[index].startswith("| "):
        cells = lines[index][2:-2].split(" | ")
        if index % 2:
            lines[index] = "|" + "|".join(f"   {cell}  " for cell in cells) + "|"
        else:
            lines[index] = "|" + "|".join(cells) + "|"
        index += 1
    assert index - start == 5
    respaced = read_workbook_markdown("\n".join(lines))
    assert respaced == written


# Through a database, for any incident the store accepts -----------------------------------

_slugs = iter(range(10**9))


@st.composite
def storable_worlds(draw: st.DrawFn) -> World:
    """A world whose every value passes the store's checks (which normalise a few)."""
    world = draw(worlds())
    incident = world.incident
    incident.slug = f"2026-01-01-case-{next(_slugs)}"
    incident.title = draw(texts.filter(lambda t: t.strip() and not set(t) & set("\r\n")))
    incident.severity = draw(st.sampled_from(SEVERITIES))
    incident.status = draw(st.sampled_from(STATUSES))
    if incident.timezone == "Not/A_Zone":
        incident.timezone = "UTC"
    incident.currency = draw(st.none() | st.sampled_from(["EUR", "USD", "JPY"]))
    for item in world.actions:
        item.title = draw(texts.filter(str.strip))
        item.priority = draw(st.sampled_from(PRIORITIES))
        item.type = draw(st.sampled_from(ACTION_TYPES))
        item.status = draw(st.sampled_from(ACTION_STATUSES))
    return world


@pytest.fixture
def two_stores(tmp_path: Path) -> tuple[Store, Store]:
    from models.db import open_database

    return tuple(  # type: ignore[return-value]
        Store(open_database(tmp_path / f"{name}.db"), clock=lambda: NOW) for name in "ab"
    )


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(world=storable_worlds())
def test_export_import_export_through_the_store_is_a_fixed_point(
    world: World, two_stores: tuple[Store, Store]
) -> None:
    """Any text, tags and times survive the database exactly, and a second round changes
    not a byte: what the store normalises (trimmed titles, upper-case currency) it
    normalises once."""
    from models.vocabulary import normalize_tags

    first, second = two_stores
    text = render_markdown(world.incident, world.entries, world.actions, now=NOW)
    record = read_workbook_markdown(text)
    stored = first.import_record(record)
    assert stored.id is not None
    snapshot = first.snapshot(stored.id)
    assert [(e.at, e.text, e.tags, e.author) for e in snapshot.entries] == [
        (instant(r.at), r.text, normalize_tags(r.tags), r.author) for r in record.entries
    ]
    for name in NARRATIVE_FIELDS:
        assert getattr(snapshot.incident, name) == record.fields[name], name
    again = render_markdown(snapshot.incident, snapshot.entries, snapshot.action_items, now=NOW)
    restored = second.import_record(read_workbook_markdown(again))
    assert restored.id is not None
    later = second.snapshot(restored.id)
    assert render_markdown(later.incident, later.entries, later.action_items, now=NOW) == again

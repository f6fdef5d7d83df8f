"""Reading log lines' own timestamps: every format, generated, read back to the instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from models.log_lines import (
    LogLinesError,
    find_stamp,
    read_timed_entries,
    size_problem,
    stamp_time,
    text_without,
    trim_block,
)
from models.timeparse import TimeParseError, parse_time

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
ZONES = [ZoneInfo(name) for name in ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata")]
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)

instants = st.datetimes(
    min_value=datetime(2001, 1, 1), max_value=datetime(2090, 12, 31), timezones=st.just(UTC)
).map(lambda at: at.replace(microsecond=0))
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timedelta(minutes=m))
# A message: starts with a letter (so it is no separator), no line break, no digits next to
# the stamp; anything else goes, markup and brackets included.
messages = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from("abcxyzABC[("),
    st.text(alphabet=st.characters(blacklist_categories=["Cc", "Cs", "Zl", "Zp"]), max_size=40).map(
        lambda t: t.rstrip()
    ),
)
prefixes = st.sampled_from(["", "ERROR ", "<34>1 ", "level=warn ", "[worker-3] "])


def read(line: str, zone: ZoneInfo = ZONES[0], reference: datetime = NOW) -> tuple[datetime, str]:
    stamp = find_stamp(line)
    assert stamp is not None, line
    return stamp_time(stamp, zone=zone, now=NOW, reference=reference), text_without(line, stamp)


def expected_text(prefix: str, message: str) -> str:
    return f"{prefix.strip()} {message.strip()}".strip()


def _offset_text(offset: timedelta, *, colon: bool) -> str:
    sign = "-" if offset < timedelta() else "+"
    hours, minutes = divmod(abs(int(offset.total_seconds())) // 60, 60)
    return f"{sign}{hours:02d}{':' if colon else ''}{minutes:02d}"


@given(instants, offsets, prefixes, messages, st.booleans(), st.integers(0, 999999))
def test_iso_with_a_zone_is_taken_as_written(
    at: datetime, offset: timedelta, prefix: str, message: str, colon: bool, micros: int
) -> None:
    at = at.replace(microsecond=micros)
    local = at.astimezone(timezone(offset))
    zone = "Z" if not offset else _offset_text(offset, colon=colon)
    line = f"{prefix}{local:%Y-%m-%dT%H:%M:%S}.{micros:06d}{zone} {message}"
    assert read(line) == (at, expected_text(prefix, message))


@given(instants, st.sampled_from(ZONES), prefixes, messages, st.sampled_from(["T", " "]))
def test_iso_without_a_zone_reads_as_at_does(
    at: datetime, zone: ZoneInfo, prefix: str, message: str, sep: str
) -> None:
    wall = at.astimezone(zone)
    line = f"{prefix}{wall:%Y-%m-%d}{sep}{wall:%H:%M:%S},123 {message}"
    try:
        wanted = parse_time(f"{wall:%Y-%m-%d %H:%M:%S}", zone=zone, now=NOW)
    except TimeParseError:  # a DST gap or fold: refused the same way
        with pytest.raises(LogLinesError, match="line 1: "):
            read_timed_entries(line, zone=zone, now=NOW)
        return
    assert read(line, zone) == (
        wanted + timedelta(milliseconds=123),
        expected_text(prefix, message),
    )


@given(
    instants,
    st.sampled_from(ZONES),
    st.integers(-150, 150),
    messages,
    st.booleans(),
    st.booleans(),
)
@example(datetime(2024, 2, 29, 10, 0, tzinfo=UTC), ZONES[0], 30, "a", False, True)
def test_syslog_and_journalctl_find_their_year(
    at: datetime,
    zone: ZoneInfo,
    days_later: int,
    message: str,
    zero_padded: bool,
    journal: bool,
) -> None:
    wall = at.astimezone(zone)
    day = f"{wall.day:02d}" if zero_padded else f"{wall.day:>2}"
    rest = f"db-1 postgres[812]: {message}" if journal else message
    line = f"{MONTHS[wall.month - 1]} {day} {wall:%H:%M:%S} {rest}"
    reference = at + timedelta(days=days_later)
    try:
        wanted = parse_time(f"{wall:%Y-%m-%d %H:%M:%S}", zone=zone, now=NOW)
    except TimeParseError:
        return  # a gap or a fold: the ISO test holds the refusal
    assert read(line, zone, reference) == (wanted, expected_text("", rest))


@given(instants, offsets, messages, st.sampled_from(["", "10.0.0.7 - - ", "10.0.0.7 - bob "]))
def test_the_web_servers_bracketed_time(
    at: datetime, offset: timedelta, message: str, client: str
) -> None:
    local = at.astimezone(timezone(offset))
    stamp = f"[{local:%d}/{MONTHS[local.month - 1]}/{local:%Y:%H:%M:%S} "
    line = f'{client}{stamp}{_offset_text(offset, colon=False)}] "{message}" 200'
    assert read(line) == (at, expected_text(client, f'"{message}" 200'))


@given(
    st.integers(-11 * 3600, 11 * 3600),
    messages,
    st.sampled_from(["{} ", "[{}] ", "{} - ", "{} | "]),
    st.booleans(),
)
def test_a_bare_time_at_the_start_is_its_nearest_occurrence(
    seconds_ago: int, message: str, shape: str, with_seconds: bool
) -> None:
    at = NOW - timedelta(seconds=seconds_ago)
    if not with_seconds:
        at = at.replace(second=0)
        assume(abs(at - NOW) < timedelta(hours=11))
    clock = f"{at:%H:%M:%S}" if with_seconds else f"{at:%H:%M}"
    line = shape.format(clock) + message
    assert read(line) == (at, message.strip())


@given(st.text(alphabet=st.characters(blacklist_categories=["Nd", "Cs"]), max_size=60))
def test_a_line_without_digits_has_no_timestamp(line: str) -> None:
    assert find_stamp(line) is None


@pytest.mark.parametrize(
    "line",
    [
        "restarted at 10:00",  # a time inside the message is the message
        "v2026-12-04T10:00:01Z is a tag",
        "25:00 is no time",
        "2:30 pm the call started",  # a person's time, not a log's
        "10:00:01abc",
        "one two three four five 2026-12-04T10:00:01Z",  # too far into the line
    ],
)
def test_times_that_are_not_a_lines_own(line: str) -> None:
    assert find_stamp(line) is None


@given(
    st.lists(
        st.tuples(st.booleans(), st.integers(0, 86399), messages),
        min_size=1,
        max_size=30,
    )
)
def test_nothing_is_dropped_when_lines_are_grouped(lines: list[tuple[bool, int, str]]) -> None:
    """Every untimed line stays, in order, with the entry above (or the first one)."""
    assume(any(timed for timed, _, _ in lines))
    written = []
    for timed, second, message in lines:
        at = datetime(2026, 12, 4, tzinfo=UTC) + timedelta(seconds=second)
        written.append(f"{at:%Y-%m-%dT%H:%M:%SZ} {message}" if timed else message)
    text = "\r\n".join(written)
    assume(trim_block(text) == text.replace("\r\n", "\n"))
    entries = read_timed_entries(text, zone=ZONES[0], now=NOW)
    assert len(entries) == sum(1 for timed, _, _ in lines if timed)
    kept = "\n".join(entry.text for entry in entries).split("\n")
    plain = [m.strip() if timed else m for timed, _, m in lines]
    assert [line for line in kept if line.strip()] == [m for m in plain if m.strip()]


def test_leading_untimed_lines_go_with_the_first_entry() -> None:
    entries = read_timed_entries(
        "header\n\n10:00:01 first\n  more\n10:00:02 second", zone=ZONES[0], now=NOW
    )
    assert [(e.text, e.line) for e in entries] == [
        ("header\n\nfirst\n  more", 3),
        ("second", 5),
    ]


def test_a_line_that_is_only_a_timestamp_keeps_it_as_text() -> None:
    (entry,) = read_timed_entries("2026-12-04T10:00:01Z", zone=ZONES[0], now=NOW)
    assert entry.text == "2026-12-04T10:00:01Z"


def test_a_gap_is_refused_naming_the_line() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    with pytest.raises(LogLinesError, match=r"line 2: 02:30 does not exist on 2026-03-29"):
        read_timed_entries("2026-03-29 01:59:00 ok\n2026-03-29 02:30:00 gap", zone=berlin, now=NOW)


def test_sizes() -> None:
    assert size_problem("x\n" * 199 + "x") is None
    assert size_problem("x\n" * 200 + "x") == (
        "201 lines, 401 bytes: more than an entry holds (200 lines or 64 KiB)"
    )
    assert "64.0 KiB" in (size_problem("é" * 32769) or "")

"""Reading and showing times: every accepted form, the nearest-occurrence rule, DST."""

from __future__ import annotations

import calendar
import os
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from models.timeparse import (
    TimeParseError,
    format_duration,
    format_local,
    machine_zone_name,
    parse_date,
    parse_time,
    resolve_zone,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 2, 22, 55, tzinfo=UTC)  # 23:55 in Berlin


def at(zone: ZoneInfo, *args: int, fold: int = 0) -> datetime:
    """A wall-clock time in ``zone`` as an aware UTC datetime."""
    return datetime(*args, tzinfo=zone, fold=fold).astimezone(UTC)


def parse(text: str | None, zone: ZoneInfo = BERLIN, **kwargs: datetime) -> datetime:
    kwargs.setdefault("now", NOW)
    return parse_time(text, zone=zone, **kwargs)


# -- DST transitions, found from the zone data rather than remembered ---------------------


@cache
def transitions(zone: ZoneInfo, year: int) -> tuple[tuple[datetime, timedelta, timedelta], ...]:
    """(UTC instant, offset before, offset after) for each offset change in ``year``."""
    found = []
    start = int(datetime(year, 1, 1, tzinfo=UTC).timestamp())
    day = 86400

    def offset(second: int) -> timedelta | None:
        return datetime.fromtimestamp(second, UTC).astimezone(zone).utcoffset()

    for lo in range(start, start + (366 if calendar.isleap(year) else 365) * day, day):
        hi = lo + day
        before, after = offset(lo), offset(hi)
        if before == after:
            continue
        while hi - lo > 1:  # bisect to the first second with the new offset
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if offset(mid) == before else (lo, mid)
        assert before is not None and after is not None
        found.append((datetime.fromtimestamp(hi, UTC), before, after))
    return tuple(found)


def nth_sunday(year: int, month: int, n: int) -> date:
    """The n-th Sunday of a month; n=-1 is the last one."""
    sundays = [
        date(year, month, d)
        for d in range(1, calendar.monthrange(year, month)[1] + 1)
        if date(year, month, d).weekday() == calendar.SUNDAY
    ]
    return sundays[n if n < 0 else n - 1]


def local_change(zone: ZoneInfo, year: int, index: int) -> tuple[date, timedelta, timedelta]:
    instant, before, after = transitions(zone, year)[index]
    return (instant + before).date(), before, after


def test_2026_transition_dates_follow_the_rules() -> None:
    # EU: last Sunday of March and October; US: second Sunday of March, first of November.
    assert (
        [local_change(BERLIN, 2026, i)[0] for i in (0, 1)]
        == [
            nth_sunday(2026, 3, -1),
            nth_sunday(2026, 10, -1),
        ]
        == [date(2026, 3, 29), date(2026, 10, 25)]
    )
    assert (
        [local_change(NEW_YORK, 2026, i)[0] for i in (0, 1)]
        == [
            nth_sunday(2026, 3, 2),
            nth_sunday(2026, 11, 1),
        ]
        == [date(2026, 3, 8), date(2026, 11, 1)]
    )
    assert transitions(BERLIN, 2026)[0][0] == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert transitions(NEW_YORK, 2026)[1][0] == datetime(2026, 11, 1, 6, 0, tzinfo=UTC)


# -- the forms ------------------------------------------------------------------------


@pytest.mark.parametrize("text", [None, "", "   ", "now", "NOW", " Now \t"])
def test_nothing_or_now_is_now(text: str | None) -> None:
    result = parse(text, now=datetime(2026, 3, 2, 23, 55, tzinfo=BERLIN))
    assert result == datetime(2026, 3, 2, 22, 55, tzinfo=UTC)
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-02T23:50:00+01:00", datetime(2026, 3, 2, 22, 50, tzinfo=UTC)),
        ("2026-03-02 23:50Z", datetime(2026, 3, 2, 23, 50, tzinfo=UTC)),
        ("2026-03-02t23:50z", datetime(2026, 3, 2, 23, 50, tzinfo=UTC)),
        ("2026-03-02T23:50:00.250-05:00", datetime(2026, 3, 3, 4, 50, 0, 250000, tzinfo=UTC)),
        ("2026-03-02T23:50:00.1234567+00:00", datetime(2026, 3, 2, 23, 50, 0, 123456, tzinfo=UTC)),
        ("2026-03-02 23:50 +0530", datetime(2026, 3, 2, 18, 20, tzinfo=UTC)),
        ("2026-03-02 23:50+02", datetime(2026, 3, 2, 21, 50, tzinfo=UTC)),
        ("2026-03-02 23:50 UTC", datetime(2026, 3, 2, 23, 50, tzinfo=UTC)),
        # taken as written even inside a gap or a fold of the incident's zone
        ("2026-03-29T02:30+01:00", datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
        ("2026-10-25T02:30+01:00", datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),
        ("2026-10-25T02:30+02:00", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
    ],
)
def test_iso_with_offset_is_taken_as_written(text: str, expected: datetime) -> None:
    result = parse(text, zone=NEW_YORK)
    assert result == expected
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "wall"),
    [
        ("2026-03-02 23:50", (2026, 3, 2, 23, 50)),
        ("2026-03-02T23:50", (2026, 3, 2, 23, 50)),
        ("2026-03-02 9:05", (2026, 3, 2, 9, 5)),
        ("2026-03-02 23:50:17", (2026, 3, 2, 23, 50, 17)),
        ("  2026-07-14 12:00  ", (2026, 7, 14, 12, 0)),
        ("2026-02-28 00:00", (2026, 2, 28, 0, 0)),
    ],
)
def test_local_date_and_time_is_read_in_the_zone(text: str, wall: tuple[int, ...]) -> None:
    assert parse(text) == at(BERLIN, *wall)
    assert parse(text, zone=NEW_YORK) == at(NEW_YORK, *wall)


@pytest.mark.parametrize(
    ("text", "clock"),
    [
        ("14:05", time(14, 5)),
        ("9:05", time(9, 5)),
        ("09:05", time(9, 5)),
        ("14:05:30", time(14, 5, 30)),
        ("0:00", time(0, 0)),
        ("23:59:59", time(23, 59, 59)),
        ("2:30pm", time(14, 30)),
        ("2:30 PM", time(14, 30)),
        ("2:30 p.m.", time(14, 30)),
        ("2pm", time(14, 0)),
        ("2 AM", time(2, 0)),
        ("11:59am", time(11, 59)),
        ("12am", time(0, 0)),
        ("12:30am", time(0, 30)),
        ("12pm", time(12, 0)),
        ("12:15 pm", time(12, 15)),
    ],
)
def test_bare_times_have_that_wall_clock_time(text: str, clock: time) -> None:
    reference = at(BERLIN, 2026, 3, 2, 13, 0)
    result = parse(text, reference=reference)
    local = result.astimezone(BERLIN)
    assert local.time() == clock
    assert abs(result - reference) <= timedelta(hours=12)


def test_bare_time_crosses_midnight_backwards() -> None:
    reference = at(BERLIN, 2026, 3, 3, 0, 10)
    assert parse("23:50", now=reference) == at(BERLIN, 2026, 3, 2, 23, 50)
    assert parse("11:50pm", now=reference) == at(BERLIN, 2026, 3, 2, 23, 50)


def test_bare_time_crosses_midnight_forwards() -> None:
    reference = at(BERLIN, 2026, 3, 2, 23, 55)
    assert parse("00:05", now=reference) == at(BERLIN, 2026, 3, 3, 0, 5)
    assert parse("12:05am", now=reference) == at(BERLIN, 2026, 3, 3, 0, 5)


def test_bare_time_across_new_year() -> None:
    reference = at(NEW_YORK, 2027, 1, 1, 0, 20)
    assert parse("23:40", zone=NEW_YORK, now=reference) == at(NEW_YORK, 2026, 12, 31, 23, 40)


def test_bare_time_tie_goes_to_the_earlier_occurrence() -> None:
    reference = at(BERLIN, 2026, 3, 2, 12, 0)
    assert parse("00:00", now=reference) == at(BERLIN, 2026, 3, 2, 0, 0)
    assert parse("12am", now=reference) == at(BERLIN, 2026, 3, 2, 0, 0)


def test_bare_time_picks_the_nearer_side_of_twelve_hours() -> None:
    noon = at(BERLIN, 2026, 3, 2, 12, 0)
    assert parse("00:01", now=noon) == at(BERLIN, 2026, 3, 2, 0, 1)  # 11h59m before
    assert parse("23:59", now=noon) == at(BERLIN, 2026, 3, 2, 23, 59)  # 11h59m after
    later = at(BERLIN, 2026, 3, 2, 12, 2)
    assert parse("00:01", now=later) == at(BERLIN, 2026, 3, 3, 0, 1)  # 11h59m after
    earlier = at(BERLIN, 2026, 3, 2, 11, 58)
    assert parse("23:59", now=earlier) == at(BERLIN, 2026, 3, 1, 23, 59)  # 11h59m before


def test_bare_time_is_read_near_the_reference_not_now() -> None:
    now = at(BERLIN, 2026, 3, 5, 9, 0)
    reference = at(BERLIN, 2026, 3, 2, 23, 30)  # backfilling a resolved incident
    assert parse("23:10", now=now, reference=reference) == at(BERLIN, 2026, 3, 2, 23, 10)
    assert parse("00:40", now=now, reference=reference) == at(BERLIN, 2026, 3, 3, 0, 40)
    assert parse("-5m", now=now, reference=reference) == now - timedelta(minutes=5)


def test_bare_time_uses_the_local_date_of_the_zone_not_of_the_reference() -> None:
    # 23:30 UTC on the 2nd is already 08:30 on the 3rd in Tokyo.
    tokyo = ZoneInfo("Asia/Tokyo")
    reference = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
    assert parse("08:00", zone=tokyo, now=reference) == at(tokyo, 2026, 3, 3, 8, 0)


@pytest.mark.parametrize(
    ("text", "back"),
    [
        ("-5m", timedelta(minutes=5)),
        ("-90s", timedelta(seconds=90)),
        ("-2h", timedelta(hours=2)),
        ("-1h30m", timedelta(minutes=90)),
        ("-1h 30m", timedelta(minutes=90)),
        ("-1H30M", timedelta(minutes=90)),
        ("- 10 min", timedelta(minutes=10)),
        ("-3 minutes", timedelta(minutes=3)),
        ("-1d", timedelta(days=1)),
        ("-1w", timedelta(weeks=1)),
        ("-1.5h", timedelta(minutes=90)),
        ("-2h5m10s", timedelta(hours=2, minutes=5, seconds=10)),
        ("-0m", timedelta()),
    ],
)
def test_relative_times_count_back_from_now(text: str, back: timedelta) -> None:
    now = datetime(2026, 3, 2, 23, 55, 12, tzinfo=NEW_YORK)
    result = parse(text, now=now, reference=now - timedelta(days=3))
    assert result == now.astimezone(UTC) - back
    assert result.tzinfo is UTC


@pytest.mark.parametrize("text", ["+5m", "+1h30m", "+ 2h", "+0m"])
def test_future_relative_times_are_refused(text: str) -> None:
    with pytest.raises(TimeParseError, match="future") as info:
        parse(text)
    assert "-" in str(info.value)


# -- DST --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "text", "offset"),
    [
        (BERLIN, "2026-03-29 02:30", "+01:00"),
        (BERLIN, "2026-03-29T02:00", "+01:00"),
        (BERLIN, "2026-03-29 02:59:59", "+01:00"),
        (NEW_YORK, "2026-03-08 02:30", "-05:00"),
    ],
)
def test_local_time_in_the_spring_gap_is_refused(zone: ZoneInfo, text: str, offset: str) -> None:
    day, clock = text[:10], text[11:16]
    with pytest.raises(TimeParseError) as info:
        parse(text, zone=zone)
    message = str(info.value)
    assert f"does not exist on {day} in {zone.key}" in message
    assert "clocks jumped forward" in message
    assert f"{day}T{clock}" in message and offset in message
    assert "\n" not in message


def test_gap_message_matches_the_documented_wording() -> None:
    with pytest.raises(TimeParseError) as info:
        parse("2026-03-29 02:30")
    assert str(info.value) == (
        "02:30 does not exist on 2026-03-29 in Europe/Berlin (clocks jumped forward); "
        "give an offset such as 2026-03-29T02:30+01:00 or a time outside the gap"
    )
    # ... and the suggested text is accepted, as the same instant a responder would expect.
    assert parse("2026-03-29T02:30+01:00") == at(BERLIN, 2026, 3, 29, 3, 30)


def test_edges_of_the_gap_are_fine() -> None:
    assert parse("2026-03-29 01:59") == datetime(2026, 3, 29, 0, 59, tzinfo=UTC)
    assert parse("2026-03-29 03:00") == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "text", "first", "second"),
    [
        (BERLIN, "2026-10-25 02:30", "+02:00 CEST", "+01:00 CET"),
        (BERLIN, "2026-10-25T02:00", "+02:00 CEST", "+01:00 CET"),
        (NEW_YORK, "2026-11-01 01:30", "-04:00 EDT", "-05:00 EST"),
    ],
)
def test_local_time_in_the_autumn_fold_is_refused(
    zone: ZoneInfo, text: str, first: str, second: str
) -> None:
    day, clock = text[:10], text[11:16]
    with pytest.raises(TimeParseError) as info:
        parse(text, zone=zone)
    message = str(info.value)
    assert f"{clock} on {day} happens twice in {zone.key}" in message
    assert f"({first} and {second})" in message
    assert f"e.g. {day}T{clock}{first[:6]}" in message


def test_edges_of_the_fold_are_fine() -> None:
    assert parse("2026-10-25 01:59") == datetime(2026, 10, 24, 23, 59, tzinfo=UTC)
    assert parse("2026-10-25 03:00") == datetime(2026, 10, 25, 2, 0, tzinfo=UTC)


def test_bare_time_in_the_fold_takes_the_nearest_reading() -> None:
    # Berlin: 02:00-02:59 happens first at +02:00 (00:xx UTC), then at +01:00 (01:xx UTC).
    during_first = datetime(2026, 10, 25, 0, 40, tzinfo=UTC)  # the first 02:40
    during_second = datetime(2026, 10, 25, 1, 20, tzinfo=UTC)  # the second 02:20
    assert parse("02:30", now=during_first) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert parse("02:30", now=during_second) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert parse("02:10", now=during_second) == datetime(2026, 10, 25, 1, 10, tzinfo=UTC)
    later = datetime(2026, 10, 25, 9, 0, tzinfo=UTC)
    assert parse("2:30am", now=later) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_bare_time_in_the_new_york_fold() -> None:
    second_reading = datetime(2026, 11, 1, 6, 50, tzinfo=UTC)  # 01:50 EST
    assert parse("1:30am", zone=NEW_YORK, now=second_reading) == datetime(
        2026, 11, 1, 6, 30, tzinfo=UTC
    )
    first_reading = datetime(2026, 11, 1, 5, 10, tzinfo=UTC)  # 01:10 EDT
    assert parse("01:30", zone=NEW_YORK, now=first_reading) == datetime(
        2026, 11, 1, 5, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("zone", "reference", "text", "day"),
    [
        (BERLIN, datetime(2026, 3, 29, 1, 45, tzinfo=UTC), "02:30", "2026-03-29"),
        (BERLIN, datetime(2026, 3, 29, 6, 0, tzinfo=UTC), "2:15am", "2026-03-29"),
        (NEW_YORK, datetime(2026, 3, 8, 8, 0, tzinfo=UTC), "02:30", "2026-03-08"),
    ],
)
def test_bare_time_whose_nearest_occurrence_is_in_the_gap_is_refused(
    zone: ZoneInfo, reference: datetime, text: str, day: str
) -> None:
    with pytest.raises(TimeParseError, match=f"does not exist on {day} in {zone.key}"):
        parse(text, zone=zone, now=reference)


def test_bare_time_skips_a_gap_that_is_not_the_nearest_occurrence() -> None:
    # The day after the gap, 02:30 exists again and is nearer than the missing one.
    reference = at(BERLIN, 2026, 3, 30, 1, 0)
    assert parse("02:30", now=reference) == at(BERLIN, 2026, 3, 30, 2, 30)
    reference = at(BERLIN, 2026, 3, 28, 3, 0)
    assert parse("02:30", now=reference) == at(BERLIN, 2026, 3, 28, 2, 30)
    # Samoa skipped 2011-12-30 entirely; the 31st still works.
    apia = ZoneInfo("Pacific/Apia")
    reference = at(apia, 2011, 12, 31, 12, 0)
    assert parse("11:00", zone=apia, now=reference) == at(apia, 2011, 12, 31, 11, 0)


# -- errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "yesterday-ish",
        "25:00",
        "24:00",
        "10:61",
        "10:00:60",
        "25:99",
        "13pm",
        "0am",
        "13:30pm",
        "12:5",
        "1405",
        "14.05",
        "14:05 tomorrow",
        "2026-13-01 10:00",
        "2026-02-30 10:00",
        "2026-03-02",
        "03/02/2026 10:00",
        "2026-03-02T10:00+24:00",
        "2026-03-02T10:00+01:60",
        "2026-03-02T10:00+1",
        "-5x",
        "-3 parsecs",
        "-",
        "5m",
        "--5m",
        "١٤:٠٥",  # Arabic-Indic digits
        "１４:０５",  # full-width digits
        "0001-01-01 00:00",  # before year 1 in UTC
        "-99999999999999999999d",
        "-" + "9" * 5000 + "s",
    ],
)
def test_garbage_is_one_clear_line(text: str) -> None:
    with pytest.raises(TimeParseError) as info:
        parse(text)
    message = str(info.value)
    assert message and "\n" not in message
    assert len(message) < 250


def test_garbage_message_lists_the_accepted_forms() -> None:
    with pytest.raises(TimeParseError) as info:
        parse("abc")
    assert str(info.value) == (
        "cannot read 'abc' as a time: use 14:05, 2:05pm, -5m, 2026-03-02 23:50 "
        "or an ISO time with offset"
    )


@pytest.mark.parametrize("text", ["25:00", "10:61", "25:99", "13pm", "0am"])
def test_out_of_range_clock_is_an_error_not_wrapped(text: str) -> None:
    with pytest.raises(TimeParseError, match="cannot read"):
        parse(text)


def test_errors_are_value_errors() -> None:
    assert issubclass(TimeParseError, ValueError)


def test_long_or_control_text_is_shortened_and_escaped_in_the_message() -> None:
    with pytest.raises(TimeParseError) as info:
        parse("\x1b[31m" + "x" * 200)
    message = str(info.value)
    assert "\x1b" not in message and "x" * 60 not in message


def test_naive_now_or_reference_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_time("now", zone=BERLIN, now=datetime(2026, 3, 2, 12, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        parse("14:00", reference=datetime(2026, 3, 2, 12, 0))


# -- zones ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Europe/Berlin", "America/New_York", " Asia/Tokyo ", "Etc/UTC"])
def test_resolve_zone_reads_iana_names(name: str) -> None:
    assert resolve_zone(name) == ZoneInfo(name.strip())


@pytest.mark.parametrize("name", ["UTC", "utc", "Z", "z", " UTC "])
def test_resolve_zone_accepts_utc_spellings(name: str) -> None:
    assert resolve_zone(name) == ZoneInfo("UTC")


@pytest.mark.parametrize(
    "name", ["Nowhere/Land", "", "   ", "Europe", "../etc/passwd", "/etc/localtime", "a\x00b"]
)
def test_resolve_zone_refuses_unknown_names(name: str) -> None:
    with pytest.raises(TimeParseError) as info:
        resolve_zone(name)
    message = str(info.value)
    assert message.startswith("unknown time zone ")
    assert message.endswith("use an IANA name such as Europe/Berlin or UTC")
    assert "\x00" not in message


def test_resolve_zone_suggests_the_right_spelling() -> None:
    with pytest.raises(TimeParseError, match=r"unknown time zone 'europe/berlin'.*Europe/Berlin"):
        resolve_zone("europe/berlin")


def test_machine_zone_name_prefers_tz(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    for value, expected in [
        ("Europe/Berlin", "Europe/Berlin"),
        (":America/New_York", "America/New_York"),
        ("/usr/share/zoneinfo/Asia/Tokyo", "Asia/Tokyo"),
        (":/usr/share/zoneinfo/posix/Europe/Paris", "Europe/Paris"),
        ("utc", "UTC"),
    ]:
        name = machine_zone_name(environ={"TZ": value}, timezone_file=missing, localtime=missing)
        assert name == expected


def test_machine_zone_name_reads_etc_timezone(tmp_path: Path) -> None:
    timezone_file = tmp_path / "timezone"
    timezone_file.write_text("Europe/Lisbon\n")
    name = machine_zone_name(
        environ={"TZ": "CET-1CEST"}, timezone_file=timezone_file, localtime=tmp_path / "none"
    )
    assert name == "Europe/Lisbon"


def test_machine_zone_name_follows_the_localtime_symlink(tmp_path: Path) -> None:
    timezone_file = tmp_path / "timezone"
    timezone_file.write_text("Not/AZone\n")
    localtime = tmp_path / "localtime"
    os.symlink("/usr/share/zoneinfo/America/Sao_Paulo", localtime)
    name = machine_zone_name(environ={}, timezone_file=timezone_file, localtime=localtime)
    assert name == "America/Sao_Paulo"


def test_machine_zone_name_falls_back_to_utc(tmp_path: Path) -> None:
    localtime = tmp_path / "localtime"
    localtime.write_bytes(b"TZif not a link")
    name = machine_zone_name(
        environ={"TZ": "garbage"}, timezone_file=tmp_path / "none", localtime=localtime
    )
    assert name == "UTC"


def test_machine_zone_name_on_this_machine_is_usable() -> None:
    assert resolve_zone(machine_zone_name())


# -- due dates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-04-01", date(2026, 4, 1)),
        (" 2026-12-31 ", date(2026, 12, 31)),
        ("2028-02-29", date(2028, 2, 29)),
        ("+3d", date(2026, 3, 5)),
        ("+2w", date(2026, 3, 16)),
        ("+2W", date(2026, 3, 16)),
        ("+0d", date(2026, 3, 2)),
        ("+30d", date(2026, 4, 1)),
    ],
)
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text, today=date(2026, 3, 2)) == expected


def test_parse_date_counts_from_the_real_today_by_default() -> None:
    assert parse_date("+1d") - date.today() in (timedelta(days=1), timedelta(days=0))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "someday",
        "today",
        "tomorrow",
        "2026-02-30",
        "2026-4-1",
        "2026-04-01 10:00",
        "-3d",
        "+3h",
        "+3",
        "+99999999999d",
        "01/04/2026",
    ],
)
def test_parse_date_refuses_other_text(text: str) -> None:
    with pytest.raises(TimeParseError) as info:
        parse_date(text, today=date(2026, 3, 2))
    assert "YYYY-MM-DD" in str(info.value) and "+3d" in str(info.value)


# -- showing ----------------------------------------------------------------------------


def test_format_local() -> None:
    instant = datetime(2026, 3, 2, 22, 50, tzinfo=UTC)
    assert format_local(instant, BERLIN) == "2026-03-02 23:50 CET"
    assert format_local(instant, NEW_YORK) == "2026-03-02 17:50 EST"
    assert format_local(instant, ZoneInfo("UTC")) == "2026-03-02 22:50 UTC"
    assert format_local(instant, BERLIN, seconds=True) == "2026-03-02 23:50:00 CET"
    summer = datetime(2026, 7, 1, 12, 0, 7, tzinfo=UTC)
    assert format_local(summer, BERLIN) == "2026-07-01 14:00:07 CEST"
    assert format_local(summer, BERLIN, seconds=False) == "2026-07-01 14:00 CEST"


def test_format_local_tells_the_two_fold_readings_apart() -> None:
    first = format_local(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), BERLIN)
    second = format_local(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), BERLIN)
    assert (first, second) == ("2026-10-25 02:30 CEST", "2026-10-25 02:30 CET")


def test_format_local_refuses_naive_times() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        format_local(datetime(2026, 3, 2, 12, 0), BERLIN)


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (None, "—"),
        (float("nan"), "—"),
        (0, "0m"),
        (0.0001, "0m"),
        (0.5, "30s"),
        (0.25, "15s"),
        (0.999, "1m"),
        (1, "1m"),
        (15, "15m"),
        (59.6, "1h"),
        (60, "1h"),
        (135, "2h 15m"),
        (1440, "1d"),
        (1445, "1d 5m"),
        (3 * 1440 + 4 * 60 + 10, "3d 4h 10m"),
        (-30, "-30m"),
    ],
)
def test_format_duration(minutes: float | None, text: str) -> None:
    assert format_duration(minutes) == text


# -- properties ---------------------------------------------------------------------------

ZONES = st.timezones()
INSTANTS = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31), timezones=st.just(UTC)
)
COMMON_ZONES = [
    BERLIN,
    NEW_YORK,
    ZoneInfo("Europe/London"),
    ZoneInfo("Australia/Lord_Howe"),  # 30-minute DST
    ZoneInfo("America/Santiago"),  # southern hemisphere, midnight changes
    ZoneInfo("America/Havana"),  # changes at midnight
    ZoneInfo("Asia/Kolkata"),
    ZoneInfo("Pacific/Chatham"),
    ZoneInfo("Antarctica/Troll"),  # two-hour DST
]


def classify(wall: datetime, zone: ZoneInfo) -> str:
    """'gap', 'fold' or 'normal', from PEP 495's fold offsets (not from the module)."""
    first = wall.replace(tzinfo=zone, fold=0).utcoffset()
    second = wall.replace(tzinfo=zone, fold=1).utcoffset()
    assert first is not None and second is not None
    if first < second:
        return "gap"
    if first > second:
        return "fold"
    return "normal"


def as_text(wall: datetime) -> str:
    return (
        f"{wall.year:04d}-{wall.month:02d}-{wall.day:02d} "
        f"{wall.hour:02d}:{wall.minute:02d}:{wall.second:02d}"
    )


@st.composite
def walls_near_transitions(draw: st.DrawFn) -> tuple[datetime, ZoneInfo]:
    """A wall-clock time within two hours of a DST change, in a zone that has them."""
    zone = draw(st.sampled_from(COMMON_ZONES[:6] + COMMON_ZONES[-2:]))
    year = draw(st.integers(2020, 2030))
    changes = transitions(zone, year)
    assume(changes)
    instant, before, _ = draw(st.sampled_from(changes))
    wall = (instant + before).replace(tzinfo=None)
    return wall + timedelta(seconds=draw(st.integers(-7200, 7200))), zone


def check_local_round_trip(wall: datetime, zone: ZoneInfo) -> None:
    kind = classify(wall, zone)
    if kind == "normal":
        result = parse(as_text(wall), zone=zone)
        assert result.tzinfo is UTC
        assert result.astimezone(zone).replace(tzinfo=None) == wall
        assert result == wall.replace(tzinfo=zone)
    else:
        with pytest.raises(TimeParseError) as info:
            parse(as_text(wall), zone=zone)
        assert ("does not exist" if kind == "gap" else "happens twice") in str(info.value)


@given(instant=INSTANTS, zone=ZONES)
@example(instant=datetime(2026, 10, 25, 0, 30, tzinfo=UTC), zone=BERLIN)
@example(instant=datetime(2026, 11, 1, 6, 30, tzinfo=UTC), zone=NEW_YORK)
def test_property_local_text_of_an_instant_reads_back(instant: datetime, zone: ZoneInfo) -> None:
    instant = instant.replace(microsecond=0)
    local = instant.astimezone(zone)
    wall = local.replace(tzinfo=None, fold=0)
    kind = classify(wall, zone)
    assert kind != "gap"  # an instant's own wall-clock time always exists
    check_local_round_trip(wall, zone)
    if kind == "normal":
        assert parse(as_text(wall), zone=zone) == instant


@given(
    wall=st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2100, 12, 30)),
    zone=ZONES,
)
def test_property_any_local_text_reads_back_or_is_refused(wall: datetime, zone: ZoneInfo) -> None:
    check_local_round_trip(wall.replace(microsecond=0), zone)


@given(walls_near_transitions())
def test_property_local_text_near_dst_changes(case: tuple[datetime, ZoneInfo]) -> None:
    check_local_round_trip(*case)


TIMEISH = st.from_regex(
    r"\A\s?(now|[+-]?\d{1,3}(\.\d)?\s?[a-z]{1,3}( \d{1,2}[smhdw])?|\d{1,2}(:\d{1,2}){0,2}"
    r"\s?([ap]\.?m\.?)?|\d{4}-\d{1,2}-\d{1,2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?"
    r"\s?(Z|[+-]\d{2}(:?\d{2})?)?)\s?\Z",
    fullmatch=True,
)


@given(
    text=st.one_of(st.text(), TIMEISH),
    now=st.datetimes(
        min_value=datetime(1, 1, 3), max_value=datetime(9999, 12, 29), timezones=ZONES
    ),
    zone=ZONES,
)
@example(text="0001-01-01 00:00", now=datetime(1, 1, 3, tzinfo=UTC), zone=BERLIN)
@example(text="23:00", now=datetime(1, 1, 1, 12, tzinfo=UTC), zone=ZoneInfo("Asia/Tokyo"))
@example(text="00:00", now=datetime(9999, 12, 31, 12, tzinfo=UTC), zone=ZoneInfo("America/Denver"))
@example(text="-99999d", now=datetime(2026, 1, 1, tzinfo=UTC), zone=BERLIN)
def test_property_any_text_gives_utc_or_time_parse_error(
    text: str, now: datetime, zone: ZoneInfo
) -> None:
    try:
        result = parse_time(text, zone=zone, now=now)
    except TimeParseError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert result.tzinfo is UTC


@given(
    reference=st.datetimes(
        min_value=datetime(1970, 1, 1), max_value=datetime(2100, 12, 31), timezones=ZONES
    ),
    zone=st.one_of(ZONES, st.sampled_from(COMMON_ZONES)),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
)
@example(reference=datetime(2026, 10, 25, 1, 20, tzinfo=UTC), zone=BERLIN, hour=2, minute=30)
@example(reference=datetime(2026, 3, 29, 1, 45, tzinfo=UTC), zone=BERLIN, hour=2, minute=30)
def test_property_bare_time_is_the_nearby_occurrence(
    reference: datetime, zone: ZoneInfo, hour: int, minute: int
) -> None:
    try:
        result = parse(f"{hour:02d}:{minute:02d}", zone=zone, now=reference)
    except TimeParseError as exc:
        assert "does not exist" in str(exc)
        return
    local = result.astimezone(zone)
    assert (local.hour, local.minute, local.second) == (hour, minute, 0)
    assert abs(result - reference) <= timedelta(hours=13)


@given(
    minutes=st.integers(0, 10**6),
    now=st.datetimes(
        min_value=datetime(1950, 1, 1), max_value=datetime(2100, 12, 31), timezones=ZONES
    ),
    zone=ZONES,
)
def test_property_relative_minutes_are_exact(minutes: int, now: datetime, zone: ZoneInfo) -> None:
    result = parse(f"-{minutes}m", zone=zone, now=now)
    # Elapsed time, not wall-clock arithmetic: subtracting from an aware datetime in a
    # ZoneInfo zone keeps the wall clock, so compare in UTC.
    assert result == now.astimezone(UTC) - timedelta(minutes=minutes)
    assert result.tzinfo is UTC
    hours, rest = divmod(minutes, 60)
    assert parse(f"-{hours}h {rest}m", zone=zone, now=now) == result


@given(
    instant=st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=ZONES
    )
)
def test_property_isoformat_reads_back_exactly(instant: datetime) -> None:
    # Spelled out: aware datetimes in a gap or fold never compare equal across zones.
    offset = instant.utcoffset()
    assert offset is not None
    expected = (instant.replace(tzinfo=None) - offset).replace(tzinfo=UTC)
    assert parse(instant.isoformat(), zone=NEW_YORK) == expected


@given(offset_minutes=st.integers(-23 * 60 - 59, 23 * 60 + 59), instant=INSTANTS)
def test_property_any_fixed_offset_is_taken_as_written(
    offset_minutes: int, instant: datetime
) -> None:
    written = instant.astimezone(timezone(timedelta(minutes=offset_minutes)))
    assert parse(written.isoformat(), zone=BERLIN) == instant


@given(minutes=st.floats(min_value=0, max_value=10**7, allow_nan=False))
def test_property_format_duration_is_compact(minutes: float) -> None:
    text = format_duration(minutes)
    assert text
    assert text == "0m" or text.endswith(("s", "m", "h", "d"))
    assert len(text.split()) <= 3


@given(
    hour=st.integers(1, 12),
    minute=st.integers(0, 59),
    half=st.sampled_from(["am", "pm", "AM", "PM", "a.m.", "p.m."]),
    space=st.sampled_from(["", " "]),
    reference=st.datetimes(
        min_value=datetime(1970, 1, 1), max_value=datetime(2100, 12, 31), timezones=ZONES
    ),
    zone=st.one_of(ZONES, st.sampled_from(COMMON_ZONES)),
)
def test_property_twelve_hour_times_are_their_24_hour_twins(
    hour: int, minute: int, half: str, space: str, reference: datetime, zone: ZoneInfo
) -> None:
    hour24 = hour % 12 + (12 if half.lower().startswith("p") else 0)
    twelve, twenty_four = f"{hour}:{minute:02d}{space}{half}", f"{hour24:02d}:{minute:02d}"
    try:
        expected = parse(twenty_four, zone=zone, now=reference)
    except TimeParseError:
        with pytest.raises(TimeParseError, match="does not exist"):
            parse(twelve, zone=zone, now=reference)
        return
    assert parse(twelve, zone=zone, now=reference) == expected

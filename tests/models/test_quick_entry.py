"""The quick-entry bar's syntax: [TIME] text #tag #tag."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.quick_entry import QuickEntryError, parse_quick_entry, split_time_prefix

NOW = datetime(2026, 3, 2, 23, 55, tzinfo=UTC)
UTC_ZONE = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")


def parse(line: str, zone: ZoneInfo = UTC_ZONE):  # type: ignore[no-untyped-def]
    return parse_quick_entry(line, zone=zone, now=NOW, reference=NOW)


@pytest.mark.parametrize(
    ("line", "at"),
    [
        ("23:10 db down", datetime(2026, 3, 2, 23, 10, tzinfo=UTC)),
        ("23:50 db down", datetime(2026, 3, 2, 23, 50, tzinfo=UTC)),
        ("2:30pm db down", datetime(2026, 3, 2, 14, 30, tzinfo=UTC)),
        ("2:30 pm db down", datetime(2026, 3, 2, 14, 30, tzinfo=UTC)),
        ("2pm db down", datetime(2026, 3, 2, 14, 0, tzinfo=UTC)),
        ("-5m db down", NOW - timedelta(minutes=5)),
        ("-1h30m db down", NOW - timedelta(minutes=90)),
        ("-1h 30m db down", NOW - timedelta(minutes=90)),
        ("2026-03-02 23:50 db down", datetime(2026, 3, 2, 23, 50, tzinfo=UTC)),
        ("db down", NOW),
    ],
)
def test_each_time_form(line: str, at: datetime) -> None:
    entry = parse(line)
    assert entry.at == at
    assert entry.text == "db down"
    assert entry.time_given == (line != "db down")


def test_local_times_are_read_in_the_incident_zone() -> None:
    entry = parse("2026-03-02 23:50 paged", BERLIN)
    assert entry.at == datetime(2026, 3, 2, 22, 50, tzinfo=UTC)


@pytest.mark.parametrize(
    ("alias", "tag"),
    [
        ("#fl", "false-lead"),
        ("#esc", "escalation"),
        ("#start", "impact-start"),
        ("#det", "detected"),
        ("#mit", "mitigated"),
        ("#res", "resolved"),
        ("#ack", "responded"),
        ("#rc", "cause-identified"),
        ("#FL", "false-lead"),
        ("#db-failover", "db-failover"),
    ],
)
def test_tag_aliases_become_long_tags(alias: str, tag: str) -> None:
    entry = parse(f"restarted {alias} the pods")
    assert entry.tags == [tag]
    assert entry.text == "restarted the pods"


def test_tags_anywhere_are_taken_out_and_whitespace_tidied() -> None:
    entry = parse("#det   alerts   fired #esc  paged   bob #det")
    assert entry.tags == ["detected", "escalation"]
    assert entry.text == "alerts fired paged bob"


def test_escaped_hash_numbers_and_hash_inside_words_stay_text() -> None:
    entry = parse(r"see PR #123 for C# \#channel fix #res.")
    assert entry.text == "see PR #123 for C# #channel fix"
    assert entry.tags == ["resolved"]


def test_a_number_alone_is_text_not_time() -> None:
    entry = parse("5 pods restarted")
    assert entry.at == NOW
    assert entry.text == "5 pods restarted"


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("#bad_tag down", "#bad_tag"),
        ("25:99 down", "25:99"),
        ("+5m down", "future"),
        ("", "nothing to log"),
        ("10:45", "nothing to log"),
    ],
)
def test_bad_input_says_what_is_wrong(line: str, words: str) -> None:
    with pytest.raises(QuickEntryError, match=words.replace("+", r"\+")):
        parse(line)


def test_tags_alone_are_an_entry() -> None:
    entry = parse("-5m #mit")
    assert entry.text == ""
    assert entry.tags == ["mitigated"]


def test_split_time_prefix() -> None:
    assert split_time_prefix("10:45 x") == ("10:45", " x")
    assert split_time_prefix("10:45x") == (None, "10:45x")
    assert split_time_prefix("x 10:45") == (None, "x 10:45")


def _escape(text: str) -> str:
    return text.replace("#", "\\#")


@given(st.text(alphabet=st.characters(blacklist_characters="\n\r")))
def test_escaped_text_survives(text: str) -> None:
    entry = parse("note " + _escape(text))
    assert entry.tags == []
    assert entry.text == " ".join(("note " + text).split())


@given(st.text(alphabet=st.sampled_from("ab #-:\\0123456789pm \t")))
def test_never_an_unexpected_exception(line: str) -> None:
    try:
        entry = parse(line)
    except QuickEntryError:
        return
    assert entry.text or entry.tags
    assert entry.at.tzinfo is not None


@given(st.text())
def test_never_an_unexpected_exception_on_any_text(line: str) -> None:
    with contextlib.suppress(QuickEntryError):
        parse(line)


# -- several lines (a paste) --------------------------------------------------------------


def test_a_block_keeps_its_lines_and_reads_time_first_and_tags_last() -> None:
    entry = parse("23:50 step one\n  # not a tag: a root prompt\nPR #12 merged #mit #db")
    assert entry.at == datetime(2026, 3, 2, 23, 50, tzinfo=UTC)
    assert entry.text == "step one\n  # not a tag: a root prompt\nPR #12 merged"
    assert entry.tags == ["mitigated", "db"]
    assert entry.line_count == 3


def test_a_block_too_large_is_refused_not_cut() -> None:
    with pytest.raises(QuickEntryError, match=r"201 lines.*nothing was cut"):
        parse("\n".join(["x"] * 201))


@given(
    st.lists(
        st.text(alphabet=st.characters(blacklist_characters="\n\r"), max_size=30),
        min_size=2,
        max_size=8,
    )
)
def test_a_pasted_block_is_logged_as_pasted(lines: list[str]) -> None:
    """Lines that neither start with a time nor end with a tag come back as they were."""
    from models.log_lines import trim_block

    lines = ["note: " + lines[0], *lines[1:-1], lines[-1] + " end"]
    block = "\r\n".join(lines)
    entry = parse(block)
    assert entry.text == trim_block(block)
    assert (entry.at, entry.tags) == (NOW, [])

"""The timeline filter: words match text, author and tags; #tags match a tag exactly."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import example, given
from hypothesis import strategies as st

from models.tables import TimelineEntry
from models.timeline import EntryFilter

AT = datetime(2026, 3, 2, 23, 40, tzinfo=UTC)


def entry(text: str, *tags: str, author: str = "ana") -> TimelineEntry:
    return TimelineEntry(id=1, incident_id=1, at=AT, text=text, author=author, tags=list(tags))


def test_every_word_must_match_somewhere_ignoring_case() -> None:
    restart = entry("Restarted the API pods", "mitigated")
    assert EntryFilter("api restart").matches(restart)
    assert EntryFilter("ANA pods").matches(restart)  # the author counts
    assert EntryFilter("mitig").matches(restart)  # so do the tags, as words
    assert not EntryFilter("api database").matches(restart)


def test_a_hash_word_is_an_exact_tag_and_aliases_work() -> None:
    lead = entry("Looked at the CDN", "false-lead")
    assert EntryFilter("#false-lead").matches(lead)
    assert EntryFilter("#fl cdn").matches(lead)
    assert not EntryFilter("#false").matches(lead)
    assert not EntryFilter("#fl").matches(entry("false-lead mentioned in words only"))


def test_an_empty_query_keeps_everything_and_is_falsy() -> None:
    assert not EntryFilter("   ")
    assert not EntryFilter("#")
    assert EntryFilter("").matches(entry("anything"))
    assert EntryFilter("x")


@given(st.text(), st.text(min_size=1))
def test_any_word_of_the_text_finds_its_entry(text: str, author: str) -> None:
    item = entry(text, author=author)
    for word in text.split():
        if not word.startswith("#"):
            assert EntryFilter(word).matches(item)


WORDS = st.text(alphabet="aAbB #-fl1", max_size=8)


@given(WORDS, WORDS, st.lists(st.tuples(WORDS, st.sampled_from(["", "false-lead", "note"]))))
@example("#f", "l", [("looked at the cdn", "false-lead")])  # "#fl" is an alias: wider
def test_typing_on_only_narrows_when_narrows_says_so(
    query: str, more: str, texts: list[tuple[str, str]]
) -> None:
    # The timeline filters among the rows already shown when the query was typed on;
    # that is only right if every entry the longer query keeps, the shorter one kept.
    entries = [entry(text, *([tag] if tag else [])) for text, tag in texts]
    earlier, later = EntryFilter(query), EntryFilter(query + more)
    if later.narrows(earlier):
        kept_before = [e for e in entries if earlier.matches(e)]
        assert [e for e in entries if later.matches(e)] == [
            e for e in kept_before if later.matches(e)
        ]
    for e in entries:  # a haystack kept by the caller gives the same answer
        assert later.matches(e, EntryFilter.haystack(e)) == later.matches(e)

"""The search language: read without a database, and never a crash or an engine error."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.search_query import Query, QueryError, Term, match_spans, parse_query, snippet


def test_words_phrases_exclusions_and_filters() -> None:
    q = parse_query('Time "pool Exhausted" -deploy -"roll back" tag:FL service:Checkout -tag:comms')
    assert q.terms == (Term(("time",), True), Term(("pool", "exhausted"), False))
    assert q.excluded == (Term(("deploy",), True), Term(("roll", "back"), False))
    assert q.tags == ("false-lead",)
    assert q.excluded_tags == ("comms",)
    assert q.services == ("checkout",)


def test_punctuated_words_become_phrases_with_a_prefix_end() -> None:
    q = parse_query("db-01.prod")
    assert q.terms == (Term(("db", "01", "prod"), True),)
    assert q.fts5() == '"db 01 prod"*'
    assert q.tsquery() == "('db' <-> '01' <-> 'prod':*)"


def test_engine_syntax_typed_by_a_person_is_only_words() -> None:
    q = parse_query('a OR b NOT c* NEAR(d e) "f" ^g col:h')
    assert q.fts5() == (
        '"a"* AND "or"* AND "b"* AND "not"* AND "c"* AND "near d"* AND "e"* AND "f" '
        'AND "g"* AND "col h"*'
    )
    assert "!" not in parse_query("x -y").fts5()
    assert parse_query("x -y").tsquery() == "'x':* & !'y':*"


@pytest.mark.parametrize("typed", ["", "  ", "-x", '""', "?!", "- -"])
def test_nothing_to_find_is_refused_with_a_hint(typed: str) -> None:
    with pytest.raises(QueryError):
        parse_query(typed)


def test_an_unknown_tag_is_refused() -> None:
    with pytest.raises(QueryError, match="tag"):
        parse_query("tag:Not_A_Tag")


def test_match_spans_and_snippet_offsets() -> None:
    q = parse_query('time "pool exhausted"')
    text = "x " * 80 + "Timeouts: the Pool  exhausted\nagain at 10:00 time"
    spans = match_spans(text, q)
    assert [text[s:e] for s, e in spans] == ["Timeouts", "Pool  exhausted", "time"]
    shown, inside = snippet(text, spans, width=60)
    assert shown.startswith("…") and "\n" not in shown
    assert next(shown[s:e] for s, e in inside) == "Timeouts"
    assert len(shown) <= 62


def _fts5_table() -> sqlite3.Connection:
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='unicode61 remove_diacritics 2')")
    con.execute("INSERT INTO t(body) VALUES ('the pool was exhausted on db-01')")
    return con


CON = _fts5_table()


@given(st.text(max_size=60))
def test_any_text_parses_or_is_refused_and_fts5_accepts_what_it_makes(typed: str) -> None:
    try:
        q = parse_query(typed)
    except QueryError:
        return
    assert isinstance(q, Query)
    if q.has_words:
        CON.execute("SELECT count(*) FROM t WHERE t MATCH ?", (q.fts5(),)).fetchone()


@given(st.text(max_size=200), st.text(max_size=40))
def test_snippet_spans_always_fall_inside_the_snippet(text: str, typed: str) -> None:
    try:
        q = parse_query(typed)
    except QueryError:
        return
    spans = match_spans(text, q)
    assert all(0 <= s < e <= len(text) for s, e in spans)
    shown, inside = snippet(text, spans, width=50)
    assert all(0 <= s < e <= len(shown) for s, e in inside)
    if spans:
        assert inside  # the first match is always shown

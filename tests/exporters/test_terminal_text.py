"""What a captured terminal showed, as plain text: sequences gone, redraws applied."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from exporters.terminal_text import plain_text

SEQUENCES = [
    "\x1b[31m",
    "\x1b[0m",
    "\x1b[1;38;5;208m",
    "\x1b[2K",
    "\x1b[?25l",
    "\x1b[?1049h",
    "\x1b]0;a title\x07",
    "\x1b]8;;https://example.com\x1b\\",
    "\x1bP+q544e\x1b\\",
    "\x1b(B",
    "\x1b=",
    "\x9b32m",
    "\x07",
]
# Text a command prints, without any control character.
printable = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs")) | st.just("\t"), max_size=60
)


def test_colours_and_titles_are_removed() -> None:
    shown = "\x1b]0;psql\x07\x1b[1mcount\x1b[0m\r\n-----\r\n \x1b[32m42\x1b[0m\r\n"
    assert plain_text(shown) == "count\n-----\n 42\n"


def test_a_progress_bar_ends_as_its_last_state() -> None:
    assert plain_text("copying 10%\rcopying 55%\rcopying 100%\r\ndone\n") == (
        "copying 100%\ndone\n"
    )


def test_a_shorter_redraw_leaves_the_rest_of_the_line_as_the_screen_does() -> None:
    assert plain_text("abcdef\rXY\n") == "XYcdef\n"


def test_backspace_steps_back_one_character() -> None:
    assert plain_text("pa\x08\x08ok\n") == "ok\n"
    assert plain_text("\x08\x08x") == "x"
    assert plain_text("_\x08a") == "a"  # overstrike: the later character shows


def test_an_unfinished_sequence_at_the_end_goes() -> None:
    assert plain_text("done\x1b[3") == "done"
    assert plain_text("done\x1b]0;tit") == "done"


@given(st.lists(printable, max_size=8), st.lists(st.sampled_from(SEQUENCES), max_size=8))
def test_sequences_between_words_leave_the_words(words: list[str], codes: list[str]) -> None:
    mixed = "".join(word + (codes[n] if n < len(codes) else "") for n, word in enumerate(words))
    assert plain_text(mixed) == "".join(words)


@given(printable)
def test_plain_text_is_kept(text: str) -> None:
    assert plain_text(text) == text
    assert plain_text(text.replace("\n", "\r\n")) == text


@given(st.text(max_size=200))
def test_nothing_invisible_is_left_and_a_second_pass_changes_nothing(text: str) -> None:
    once = plain_text(text)
    assert not any(ord(c) < 32 and c not in "\t\n" for c in once)
    assert not any(0x7F <= ord(c) <= 0x9F for c in once)
    assert plain_text(once) == once

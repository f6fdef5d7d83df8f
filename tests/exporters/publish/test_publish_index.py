"""Reading a postmortem's index row quickly must not read it differently."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from exporters.publish.index import _front_matter_value


@given(st.text())
def test_a_front_matter_string_reads_as_json_reads_it(value: str) -> None:
    assert _front_matter_value(" " + json.dumps(value, ensure_ascii=False)) == value
    assert _front_matter_value(json.dumps(value)) == value


@given(st.text(max_size=40))
def test_any_front_matter_value_reads_as_json_reads_it_or_fails_alike(raw: str) -> None:
    try:
        expected: object = json.loads(raw)
    except ValueError:
        expected = ValueError
    try:
        got: object = _front_matter_value(raw)
    except ValueError:
        got = ValueError
    assert repr(got) == repr(expected)  # repr: NaN is not equal to itself

"""Likely secrets: found by kind, redacted without a trace, the record never touched.

Every secret here is made up at test time from the shape real ones have; none is real.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from exporters.publish.secrets import (
    REDACTED,
    describe_findings,
    find_secrets,
    redact,
    redact_snapshot,
    scan_snapshot,
)
from models.store import Store

UPPER_DIGITS = string.ascii_uppercase + string.digits
ALNUM = string.ascii_letters + string.digits
B64 = ALNUM + "+/"


def _fake(alphabet: str, n: int, seed: int = 7) -> str:
    """A deterministic, random-looking string: no real key, but the shape of one."""
    out, state = [], seed
    for _ in range(n):
        state = (state * 1103515245 + 12345) % 2**31
        out.append(alphabet[state % len(alphabet)])
    return "".join(out)


AWS_KEY = "AKIA" + _fake(UPPER_DIGITS, 16)
GITHUB = "ghp_" + _fake(ALNUM, 36)
PRIVATE_KEY = (
    "-----BEGIN RSA PRIVATE KEY-----\n" + _fake(B64, 64) + "\n-----END RSA PRIVATE KEY-----"
)

FOUND = [
    (f"the key {AWS_KEY} was in the log", "AWS access key", AWS_KEY),
    (f"aws_secret_access_key = {_fake(B64, 40)}", "AWS secret access key", _fake(B64, 40)),
    (f"pushed with {GITHUB}", "GitHub token", GITHUB),
    ("token glpat-" + _fake(ALNUM, 20), "GitLab token", "glpat-" + _fake(ALNUM, 20)),
    ("slack xoxb-" + _fake(ALNUM, 24), "Slack token", "xoxb-" + _fake(ALNUM, 24)),
    ("key AIza" + _fake(ALNUM, 35), "Google API key", "AIza" + _fake(ALNUM, 35)),
    ("stripe sk_live_" + _fake(ALNUM, 24), "Stripe key", "sk_live_" + _fake(ALNUM, 24)),
    (
        "postgres://app:" + _fake(ALNUM, 14) + "@db.internal:5432/shop",
        "password in a URL",
        _fake(ALNUM, 14),
    ),
    (
        "curl -H 'Authorization: Bearer " + _fake(ALNUM, 32) + "' https://api",
        "authorization header",
        _fake(ALNUM, 32),
    ),
    ("db_password=" + _fake(ALNUM, 16), "password or key assignment", _fake(ALNUM, 16)),
    (f"pasted:\n{PRIVATE_KEY}\noops", "private key block", PRIVATE_KEY),
    (
        "jwt eyJ" + _fake(ALNUM, 20) + ".eyJ" + _fake(ALNUM, 30) + "." + _fake(ALNUM, 20),
        "JSON web token",
        "eyJ" + _fake(ALNUM, 20),
    ),
]


@pytest.mark.parametrize(("text", "kind", "secret"), FOUND, ids=[f[1] for f in FOUND])
def test_each_kind_is_found_and_redacted(text: str, kind: str, secret: str) -> None:
    found = find_secrets(text)
    assert [m.kind for m in found] == [kind]
    cleaned = redact(text)
    assert secret not in cleaned
    assert REDACTED in cleaned
    assert find_secrets(cleaned) == []


def test_redaction_keeps_the_shape_around_the_secret() -> None:
    password = _fake(ALNUM, 14)
    assert redact(f"postgres://app:{password}@db:5432/shop") == (
        "postgres://app:[REDACTED]@db:5432/shop"
    )
    assert redact(f"Authorization: Bearer {_fake(ALNUM, 32)}") == (
        "Authorization: Bearer [REDACTED]"
    )


@pytest.mark.parametrize(
    "text",
    [
        "password=changeme",
        "password=${DB_PASSWORD}",
        "token: <your-token-here>",
        "password=********",
        "restarted pod api-7d9f8c6b5-x2x4q after the OOM",
        "deployed 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39 to prod",
        "request 123e4567-e89b-12d3-a456-426614174000 timed out",
        "https://grafana.example.com/d/checkout?from=now-6h",
        "ssh admin@bastion and tailed /var/log/syslog",
        "the password reset page was down",
        "Error rate at 30%; token bucket limiter saturated",
    ],
)
def test_ordinary_incident_text_is_left_alone(text: str) -> None:
    assert find_secrets(text) == []
    assert redact(text) == text


SEPARATORS = st.sampled_from([" ", "\n", "\t", ", ", "; ", " (", ") ", ' "', "' "])
PLAIN = st.text(alphabet=string.ascii_lowercase + " \n.,:;()-", max_size=40)


@st.composite
def secrets_in_text(draw: st.DrawFn) -> tuple[str, str]:
    kind = draw(st.sampled_from(["aws", "github", "url", "bearer", "assignment", "slack"]))
    if kind == "aws":
        secret = "AKIA" + draw(st.text(alphabet=UPPER_DIGITS, min_size=16, max_size=16))
        shown = secret
    elif kind == "github":
        secret = "ghp_" + draw(st.text(alphabet=ALNUM, min_size=36, max_size=40))
        shown = secret
    elif kind == "slack":
        secret = "xoxp-" + draw(st.text(alphabet=ALNUM + "-", min_size=10, max_size=40))
        shown = secret
    elif kind == "url":
        secret = draw(st.text(alphabet=ALNUM + "!$%*~", min_size=8, max_size=30))
        user = draw(st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=8))
        shown = f"https://{user}:{secret}@db.example.net/x"
    elif kind == "bearer":
        secret = draw(st.text(alphabet=ALNUM, min_size=20, max_size=40))
        shown = f"Authorization: Bearer {secret}"
    else:
        secret = draw(st.text(alphabet=ALNUM, min_size=12, max_size=30))
        name = draw(st.sampled_from(["password", "api_key", "DB_PASS", "client-secret"]))
        shown = f"{name}={secret}"
    from exporters.publish.secrets import entropy

    if kind in ("bearer", "assignment"):
        assume(entropy(secret) >= 3.2)
    prefix, suffix = draw(PLAIN), draw(PLAIN)
    text = prefix + draw(SEPARATORS) + shown + draw(SEPARATORS) + suffix
    assume(text.count(secret) == 1)  # not also the URL's user name, say
    # `$NAME` in a URL is a shell variable, a placeholder by design: not a generated secret.
    assume(not re.fullmatch(r"\$\{?[A-Za-z_]\w*\}?", secret))
    return text, secret


@given(secrets_in_text())
def test_redaction_never_leaks_the_secret(case: tuple[str, str]) -> None:
    text, secret = case
    cleaned = redact(text)
    assert secret not in cleaned
    assert find_secrets(cleaned) == []
    assert redact(cleaned) == cleaned


@given(st.text(max_size=300))
def test_redaction_only_replaces_what_it_finds(text: str) -> None:
    found = find_secrets(text)
    cleaned = redact(text)
    if not found:
        assert cleaned == text
    else:
        assert cleaned.count(REDACTED) >= len(found) - text.count(REDACTED)
    assert redact(cleaned) == cleaned


def test_a_snapshot_names_where_each_secret_is_and_redaction_leaves_the_record(
    store: Store,
) -> None:
    incident = store.create_incident("Checkout down", timezone="UTC")
    assert incident.id is not None
    store.update_incident(incident.id, {"root_cause": f"a leaked key {AWS_KEY} in the repo"})
    store.log_entry(incident.id, "page fired")
    store.log_entry(incident.id, f"rotated {GITHUB} after the leak")
    store.add_action(incident.id, "Rotate keys", link="https://u:" + _fake(ALNUM, 12) + "@ci/x")
    before = store.snapshot(incident.id)
    before_dump = (
        before.incident.model_dump(),
        [e.model_dump() for e in before.entries],
        [a.model_dump() for a in before.action_items],
    )

    findings = scan_snapshot(before)
    second = store.entries(incident.id)[1]
    assert [(f.where, f.kind, f.excerpt) for f in findings] == [
        ("the root cause section", "AWS access key", "a leaked key **** in the repo"),
        (
            f"entry {second.id} (2026-03-02 23:55 UTC)",
            "GitHub token",
            "rotated **** after the leak",
        ),
        ("action item AI-1 (link)", "password in a URL", "https://u:****@ci/x"),
    ]
    assert describe_findings(findings[:1]) == (
        f'the root cause section: AWS access key, "a leaked key **** in the repo" '
        f"(--allow {findings[0].id})"
    )
    assert all(re.fullmatch(r"[0-9a-f]{8}", f.id) for f in findings)
    assert [f.id for f in scan_snapshot(store.snapshot(incident.id))] == [f.id for f in findings]
    redacted = redact_snapshot(before)
    assert scan_snapshot(redacted) == []
    assert redacted.incident.root_cause == "a leaked key [REDACTED] in the repo"
    assert redacted.entries[1].text == "rotated [REDACTED] after the leak"

    # Neither the snapshot handed in nor the database changed.
    assert before.incident.model_dump() == before_dump[0]
    assert [e.model_dump() for e in before.entries] == before_dump[1]
    after = store.snapshot(incident.id)
    assert after.incident.model_dump() == before_dump[0]
    assert [e.model_dump() for e in after.entries] == before_dump[1]
    assert [a.model_dump() for a in after.action_items] == before_dump[2]


@settings(deadline=None, max_examples=40)  # each example opens a real database file
@given(st.lists(st.text(max_size=60), min_size=1, max_size=5))
def test_redacting_any_texts_never_changes_the_stored_record(
    tmp_path_factory: pytest.TempPathFactory, texts: list[str]
) -> None:
    from models.db import open_database
    from tests.conftest import FIXED_NOW

    folder: Path = tmp_path_factory.mktemp("redact")
    store = Store(open_database(folder / "w.db"), clock=lambda: FIXED_NOW)
    incident = store.create_incident("Checkout down", timezone="UTC")
    assert incident.id is not None
    store.update_incident(incident.id, {"summary": texts[0] + f" {AWS_KEY}"})
    for text in texts:
        if text.strip():
            store.log_entry(incident.id, text + f" {GITHUB}")
    snapshot = store.snapshot(incident.id)
    redact_snapshot(snapshot)
    again = store.snapshot(incident.id)
    assert again.incident.summary == texts[0] + f" {AWS_KEY}"
    assert [e.text for e in again.entries] == [e.text for e in snapshot.entries]
    assert all(GITHUB in e.text for e in snapshot.entries)


def test_a_percent_encoded_password_in_a_url_is_a_secret_not_a_printf_slot() -> None:
    text = "psql https://app:%AAAAAAA@db.example.net/x and log('%s', x) and '%(pw)s'"
    assert redact(text) == (
        "psql https://app:[REDACTED]@db.example.net/x and log('%s', x) and '%(pw)s'"
    )

"""The detector on its own: every kind found in what responders paste, nothing in prose.

Every secret here is made up while the test runs (a known prefix and random characters),
so no secret-shaped text sits in the repository for a scanner to flag. The corpora of real
postmortems are read where they are, when they are there; nothing of them is copied here.
"""

from __future__ import annotations

import base64
import json
import random
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exporters.secret_scan import MASK, REDACTED, excerpt, find_secrets, redact
from sample_incidents import sample_paths

ALNUM = string.ascii_letters + string.digits
UPPER_DIGITS = string.ascii_uppercase + string.digits
B64 = ALNUM + "+/"
CORPORA = [Path("/work/shared/corpus"), Path("/work/shared/corpus2")]


class Fakes:
    """Random strings in the alphabets real secrets use, the same on every run."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def chars(self, alphabet: str, n: int) -> str:
        return "".join(self.random.choice(alphabet) for _ in range(n))

    def password(self, n: int = 14) -> str:
        # Letters and digits, at least one of each, as a password manager makes them.
        return self.chars(string.ascii_letters, n - 2) + self.chars(string.digits, 2)


def _fake_cases() -> list[tuple[str, str, str]]:
    """(text, kind, secret) for every kind the detector knows."""
    f = Fakes(15)
    pw = f.password
    cases: list[tuple[str, str, str]] = []

    def add(kind: str, secret: str, template: str) -> None:
        cases.append((template.format(s=secret), kind, secret))

    env = "password in an environment variable"
    add(env, pw(), "PGPASSWORD={s} psql -h primary -U app shop")
    add(env, pw(), "MYSQL_PWD={s} mysql -h replica -u app")
    add(env, pw(), "export DEPLOY_TOKEN={s}")
    add(env, pw(), "WEBHOOK_SECRET='{s}' ./notify.sh")
    add(env, pw(), "DB_PASSWORD={s}")
    add("key in an environment variable", f.chars(ALNUM, 32), "DATADOG_API_KEY={s} ./agent")
    add("key in an environment variable", f.chars(ALNUM, 24), "SIGNING_KEY={s}")
    cmd = "password on a command line"
    add(cmd, pw(), "mysql -uadmin -p{s} -h replica")
    add(cmd, pw(), "mysqldump -u root -p'{s}' shop > dump.sql")
    add(cmd, pw(), "$ /usr/bin/mysql -h replica -p{s} shop")
    add(cmd, pw(), "sshpass -p {s} ssh admin@bastion")
    add(cmd, pw(), "sshpass -p{s} scp dump.sql db2:")
    add(cmd, pw(), "redis-cli -h cache-1 -a {s} info replication")
    add(cmd, pw(), "curl -u admin:{s} https://jenkins.internal/api")
    add(cmd, pw(), "vault login --token {s}")
    assignment = "password or key assignment"
    add(assignment, pw(), "mysql --user=app --password={s} shop")
    add(assignment, pw(), "spring.datasource.password={s}")
    add(assignment, pw(), '  password: "{s}"')
    add(assignment, pw(), 'config: {{"db_password": "{s}", "pool": 5}}')
    add(assignment, pw(), "api_token = '{s}'")
    for scheme in (
        "postgres",
        "postgresql",
        "mysql",
        "redis",
        "rediss",
        "amqp",
        "mongodb+srv",
        "https",
        "ftp",
        "smtp",
        "ldap",
        "jdbc:postgresql",
    ):
        add("password in a URL", pw(), scheme + "://app:{s}@db.internal:5432/x")
    add("password in a URL", pw(), "redis://:{s}@cache-1:6379/0")
    header = "authorization header"
    add(header, f.chars(ALNUM, 40), "curl -H 'Authorization: Bearer {s}' https://api")
    basic = base64.b64encode(f"admin:{pw()}".encode()).decode()
    add(header, basic, 'curl -H "Authorization: Basic {s}" https://api')
    add(header, f.chars(ALNUM, 40), "Authorization: token {s}")
    add(header, f.chars(ALNUM, 32), "curl -H 'X-API-Key: {s}' https://api")
    body = "\n".join(f.chars(B64, 64) for _ in range(4))
    for label in ("RSA PRIVATE KEY", "OPENSSH PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY"):
        block = f"-----BEGIN {label}-----\n{body}\n-----END {label}-----"
        add("private key block", block, "pasted by mistake:\n{s}\nthen deleted")
    block = f"-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n"
    escaped = json.dumps({"type": "service_account", "private_key": block})
    inner = escaped[escaped.index("-----BEGIN") : escaped.rindex("-----") + 5]
    add("private key block", inner, "{{" + escaped[1:-1].replace(inner, "{s}") + "}}")
    add("AWS access key", "AKIA" + f.chars(UPPER_DIGITS, 16), "aws_access_key_id = {s}")
    add("AWS access key", "ASIA" + f.chars(UPPER_DIGITS, 16), "the role handed out {s}")
    add(
        "AWS secret access key",
        f.chars(B64, 40),
        "aws_secret_access_key = {s}",
    )
    for prefix in ("ghp_", "gho_", "ghs_", "ghu_"):
        add("GitHub token", prefix + f.chars(ALNUM, 36), "git clone https://github.com with {s}")
    add("GitHub token", "github_pat_" + f.chars(ALNUM + "_", 82), "token {s} in the CI log")
    add("GitLab token", "glpat-" + f.chars(ALNUM, 20), "runner used {s}")
    add("Slack token", "xoxb-" + f.chars(string.digits, 12) + "-" + f.chars(ALNUM, 24), "bot {s}")
    add("Slack token", "xoxp-" + f.chars(string.digits, 12) + "-" + f.chars(ALNUM, 24), "{s}")
    hook = (
        "https://hooks.slack.com/services/T"
        + f.chars(UPPER_DIGITS, 8)
        + "/B"
        + f.chars(UPPER_DIGITS, 8)
        + "/"
        + f.chars(ALNUM, 24)
    )
    add("Slack webhook", hook, "alerts post to {s} now")
    discord = (
        "https://discord.com/api/webhooks/" + f.chars(string.digits, 18) + "/" + f.chars(ALNUM, 60)
    )
    add("Discord webhook", discord, "and {s}")
    add("Stripe key", "sk_live_" + f.chars(ALNUM, 24), "charges failed with {s}")
    add("Stripe key", "rk_live_" + f.chars(ALNUM, 24), "restricted {s}")
    add("npm token", "npm_" + f.chars(ALNUM, 36), "//registry.npmjs.org/:_authToken {s}")
    add("PyPI token", "pypi-AgEIcHlwaS5vcmc" + f.chars(ALNUM, 60), "twine upload with {s}")
    add("Google API key", "AIza" + f.chars(ALNUM + "_-", 35), "maps key {s}")
    jwt = ".".join(
        [
            "eyJ" + f.chars(ALNUM, 30),
            "eyJ" + f.chars(ALNUM, 60),
            f.chars(ALNUM + "_-", 43),
        ]
    )
    add("JSON web token", jwt, "session cookie {s}")
    return cases


FAKES = _fake_cases()


@pytest.mark.parametrize(("text", "kind", "secret"), FAKES, ids=[c[1] for c in FAKES])
def test_each_fake_secret_is_found_as_its_kind_and_redacted(
    text: str, kind: str, secret: str
) -> None:
    found = find_secrets(text)
    assert [m.kind for m in found] == [kind], text
    assert text[found[0].start : found[0].end] == secret
    cleaned = redact(text)
    assert secret not in cleaned
    assert REDACTED in cleaned
    assert find_secrets(cleaned) == []


def test_the_two_misses_of_the_issue_are_found() -> None:
    f = Fakes(1)
    first, second = f.password(), f.password()
    assert redact(f"PGPASSWORD={first} psql -h primary") == f"PGPASSWORD={REDACTED} psql -h primary"
    assert redact(f"mysql -uadmin -p{second} -h replica") == (
        f"mysql -uadmin -p{REDACTED} -h replica"
    )


def test_the_false_alarm_of_the_issue_is_prose() -> None:
    assert find_secrets("All checks pass: browsing, checkout, accounts. Calling it resolved") == []


@pytest.mark.parametrize(
    "text",
    [
        "All checks pass: browsing, checkout, accounts.",
        "Pass: browsing and search",
        "token bucket limiter saturated at 30%",
        "the cache stores key: value pairs in memory",
        "password reset emails were delayed by 40 minutes",
        "Password: reset for every admin account",
        "secret: rotated in vault, nothing leaked",
        "auth: failing for 5% of logins",
        "Key: us-east-1 was the only region affected",
        "PGPASSWORD=$PGPASS psql -h primary",
        "export GITHUB_TOKEN=${{ secrets.GITHUB_TOKEN }}",
        "SSL_KEY=/etc/ssl/private/site.key",
        "SORT_KEY=created_at",
        "SKIP_TOKEN=true",
        "BYPASS=1 and MONKEY=banana",
        "postgres://app:password@localhost/dev",
        "ssh -p2222 admin@bastion",
        "mysql -u app -p -h replica (prompted for the password)",
        "restarted pod api-7d9f8c6b5-x2x4q after the OOM",
        "request 123e4567-e89b-12d3-a456-426614174000 timed out",
        "PWD=/home/deploy in the env dump",
        'level=warn msg="refresh failed" token=expired reason=token_invalid',
        "find /var/lib/mysql -name '*.ibd' -perm 600 -print0 | xargs ls",
        "mysql data dir checked with find . -path ./tmp -prune",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert find_secrets(text) == []


# The words secret rules look for, and their neighbours in incident prose.
_VOCABULARY = """
pass passes passed password passwords key keys token tokens secret secrets auth
credential credentials api access private bearer basic login reset rotate rotated
all checks browsing checkout accounts value pairs bucket emails the a of to in
database primary replica failover deploy rollback cache region us-east-1 latency
5xx 502 14:05 99.9% p99 v2.3.1 3 40 minutes users were was is resolved calling it
rate-limited pg_dump on-call read-only write-ahead log disk full OK Pass Token Key
"""
WORDS = _VOCABULARY.split()
SEPARATORS = [" ", " ", " ", ": ", ", ", ". ", " - ", "; ", " (", ") ", "\n", ":\n", " = "]


@st.composite
def prose(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=30))
    text = words[0]
    for word in words[1:]:
        text += draw(st.sampled_from(SEPARATORS)) + word
    return text


@given(prose())
def test_sentences_of_secret_words_find_nothing(text: str) -> None:
    assert find_secrets(text) == []


def test_the_sample_incidents_find_nothing() -> None:
    paths = sample_paths()
    assert len(paths) == 5
    for path in paths:
        assert find_secrets(path.read_text(encoding="utf-8")) == [], path.name


@pytest.mark.parametrize("folder", CORPORA, ids=[p.name for p in CORPORA])
def test_the_corpus_postmortems_find_nothing(folder: Path) -> None:
    if not folder.is_dir():
        pytest.skip(f"{folder} is not on this machine")
    paths = sorted(p for p in folder.rglob("*") if p.is_file())
    assert paths
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        found = find_secrets(text)
        assert found == [], (path.name, [(m.kind, excerpt(text, m)) for m in found])


def test_an_excerpt_masks_the_secret_and_its_neighbours() -> None:
    f = Fakes(3)
    first, second = f.password(), "AKIA" + f.chars(UPPER_DIGITS, 16)
    text = "x" * 60 + f" then mysql -uadmin -p{first} -h replica {second} done"
    match = find_secrets(text)[0]
    shown = excerpt(text, match)
    assert first not in shown and second[4:] not in shown
    assert shown.startswith("…") and f"-p{MASK} -h replica" in shown
    lines = "a\npassword=" + f.password() + "\nb"
    assert excerpt(lines, find_secrets(lines)[0]) == f"a password={MASK} b"


def test_redaction_keeps_what_it_is_told_to() -> None:
    f = Fakes(4)
    text = f"PGPASSWORD={f.password()} and AKIA{f.chars(UPPER_DIGITS, 16)}"
    first, second = find_secrets(text)
    assert redact(text, keep=[first]) == text[: second.start] + REDACTED

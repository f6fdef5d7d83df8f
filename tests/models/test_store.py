"""The store: every write durable on return, edits kept, refs never reused, many writers."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from models.db import open_database
from models.record import ActionRecord, EntryRecord, IncidentRecord
from models.store import EditConflict, NotFound, Store, StoreError
from models.vocabulary import VocabularyError
from tests.conftest import FIXED_NOW
from tests.paths import REPO

T0 = datetime(2026, 3, 2, 22, 0, tzinfo=UTC)


@pytest.fixture
def db_path(backend: str) -> str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return backend


def test_create_incident_makes_slug_from_local_start_date(store: Store) -> None:
    incident = store.create_incident(
        "Checkout: 502s on EU!", timezone="Asia/Tokyo", started_at=T0, services=["api", " api "]
    )
    # 22:00 UTC on 2 March is already 3 March in Tokyo.
    assert incident.slug == "2026-03-03-checkout-502s-on-eu"
    assert incident.services == ["api"]
    again = store.create_incident("Checkout: 502s on EU!", timezone="Asia/Tokyo", started_at=T0)
    assert again.slug == "2026-03-03-checkout-502s-on-eu-2"


def test_create_incident_refuses_bad_input(store: Store) -> None:
    with pytest.raises(StoreError, match="title is empty"):
        store.create_incident("   ", timezone="UTC")
    with pytest.raises(VocabularyError, match="severity"):
        store.create_incident("x", timezone="UTC", severity="SEV-9")
    with pytest.raises(ValueError, match="unknown time zone"):
        store.create_incident("x", timezone="Mars/Olympus")
    assert store.list_incidents() == []


def test_resolve_ref_by_slug_id_and_unique_prefix(store: Store) -> None:
    a = store.create_incident("Disk full", timezone="UTC", started_at=T0)
    b = store.create_incident("Disk slow", timezone="UTC", started_at=T0)
    assert store.resolve_ref(a.slug).id == a.id
    assert store.resolve_ref(str(b.id)).id == b.id
    assert store.resolve_ref("2026-03-02-disk-s").id == b.id
    with pytest.raises(NotFound, match="several incidents"):
        store.resolve_ref("2026-03-02-disk")
    with pytest.raises(NotFound, match="no incident"):
        store.resolve_ref("nothing-like-it")
    with pytest.raises(NotFound):
        store.resolve_ref("2026%")


def test_entry_is_on_disk_when_log_returns(store: Store, db_path: Path) -> None:
    incident = store.create_incident("x", timezone="UTC")
    entry = store.log_entry(incident.id, "paged", tags=["#det"], at=T0)
    other = Store(open_database(db_path))
    (seen,) = other.entries(incident.id)
    assert (seen.id, seen.text, seen.tags, seen.at) == (entry.id, "paged", ["detected"], T0)
    assert seen.author == "tester"


def test_log_refuses_bad_tags_and_empty_entries(store: Store) -> None:
    incident = store.create_incident("x", timezone="UTC")
    with pytest.raises(VocabularyError):
        store.log_entry(incident.id, "x", tags=["Not A Tag"])
    with pytest.raises(StoreError, match="empty"):
        store.log_entry(incident.id, "   ")
    assert store.entries(incident.id) == []


def test_edit_keeps_every_earlier_version(store: Store) -> None:
    incident = store.create_incident("x", timezone="UTC")
    entry = store.log_entry(incident.id, "first", at=T0)
    store.edit_entry(incident.id, entry.id, text="second")
    store.edit_entry(incident.id, entry.id, at=T0 + timedelta(minutes=5), tags=["fl"])
    store.edit_entry(incident.id, entry.id, text="second")  # no change: no revision
    history = store.history(incident.id, entry.id)
    assert [(r.text, r.at, r.tags) for r in history] == [
        ("first", T0, []),
        ("second", T0, []),
    ]
    current = store.get_entry(incident.id, entry.id)
    assert (current.text, current.tags) == ("second", ["false-lead"])


def test_delete_is_soft_and_restorable(store: Store) -> None:
    incident = store.create_incident("x", timezone="UTC")
    entry = store.log_entry(incident.id, "oops", at=T0)
    store.delete_entry(incident.id, entry.id)
    assert store.entries(incident.id) == []
    assert len(store.entries(incident.id, include_deleted=True)) == 1
    with pytest.raises(StoreError, match="already deleted"):
        store.delete_entry(incident.id, entry.id)
    store.restore_entry(incident.id, entry.id)
    assert [e.text for e in store.entries(incident.id)] == ["oops"]


def test_entry_of_another_incident_is_not_found(store: Store) -> None:
    a = store.create_incident("a", timezone="UTC")
    b = store.create_incident("b", timezone="UTC")
    entry = store.log_entry(a.id, "x", at=T0)
    with pytest.raises(NotFound):
        store.edit_entry(b.id, entry.id, text="y")


def test_tag_toggle_and_remove(store: Store) -> None:
    incident = store.create_incident("x", timezone="UTC")
    entry = store.log_entry(incident.id, "x", at=T0, tags=["note"])
    assert store.toggle_tag(incident.id, entry.id, "fl").tags == ["note", "false-lead"]
    assert store.toggle_tag(incident.id, entry.id, "false-lead").tags == ["note"]
    assert store.tag_entry(incident.id, entry.id, ["note"], remove=True).tags == []


def test_action_refs_are_never_reused(store: Store) -> None:
    incident = store.create_incident("x", timezone="UTC")
    first = store.add_action(incident.id, "Add disk alert", priority="HIGH", type="detect")
    assert (first.ref, first.priority, first.type, first.status) == (
        "AI-1",
        "high",
        "detect",
        "open",
    )
    second = store.add_action(incident.id, "Split partitions")
    assert second.ref == "AI-2"
    other = store.create_incident("y", timezone="UTC")
    assert store.add_action(other.id, "Elsewhere").ref == "AI-1"
    updated = store.update_action(incident.id, "ai-2", {"status": "done", "owner": "bob"})
    assert (updated.status, updated.owner) == ("done", "bob")
    with pytest.raises(NotFound, match="AI-7"):
        store.update_action(incident.id, "AI-7", {"status": "done"})
    with pytest.raises(StoreError, match="not an action item ref"):
        store.get_action(incident.id, "seven")
    assert store.open_action_counts() == {incident.id: 1, other.id: 1}


def test_import_record_is_one_transaction(store: Store) -> None:
    record = IncidentRecord(
        fields={"title": "Imported", "timezone": "UTC", "users_affected_pct": 250},
        entries=[EntryRecord(at=T0, text="x")],
    )
    with pytest.raises(ValueError, match="percentage"):
        store.import_record(record)
    assert store.list_incidents() == []


def test_import_record_keeps_action_numbers_and_sources(store: Store) -> None:
    record = IncidentRecord(
        fields={"title": "Imported", "timezone": "Europe/Berlin", "slug": "2026-01-01-imported"},
        entries=[EntryRecord(at=T0, text="a", tags=["detected"]), EntryRecord(at=T0, text="b")],
        action_items=[
            ActionRecord(title="one", number=3, source_entry_index=1),
            ActionRecord(title="two"),
        ],
    )
    incident = store.import_record(record)
    snap = store.snapshot(incident.id)
    assert incident.slug == "2026-01-01-imported"
    assert [a.ref for a in snap.action_items] == ["AI-3", "AI-4"]
    assert snap.action_items[0].source_entry_id == snap.entries[1].id
    assert store.add_action(incident.id, "three").ref == "AI-5"


WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from models.db import open_database
    from models.store import Store
    db, name, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    store = Store(open_database(db), author=name)
    print("ready", flush=True)
    while not go.exists():  # both start writing at the same moment
        time.sleep(0.001)
    first = time.time()
    for n in range(count):
        entry = store.log_entry(1, f"{name} {n}")
        if n % 10 == 0:
            store.add_action(1, f"{name} action {n}")
            store.edit_entry(1, entry.id, text=f"{name} {n}", tags=["note"])
    print(first, time.time(), flush=True)
    """
)


def test_two_processes_writing_at_once_lose_nothing(
    store: Store, db_path: Path, tmp_path: Path
) -> None:
    incident = store.create_incident("shared", timezone="UTC")
    assert incident.id == 1
    count, go = 200, tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db_path), name, str(count), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        for name in ("alice", "bob")
    ]
    for proc in procs:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready", proc.stderr
    go.touch()
    outputs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outputs]
    assert not any("locked" in err for _, err in outputs)
    # They really wrote at the same time: each one's writing overlapped the other's.
    (a_start, a_end), (b_start, b_end) = (map(float, out.split()) for out, _ in outputs)
    assert a_start < b_end and b_start < a_end
    entries = store.entries(incident.id)
    assert len(entries) == 2 * count
    assert {e.text for e in entries} == {f"{n} {i}" for n in ("alice", "bob") for i in range(count)}
    assert sum(e.tags == ["note"] for e in entries) == 2 * len(range(0, count, 10))
    refs = [a.ref for a in store.action_items(incident.id)]
    assert len(refs) == len(set(refs)) == 2 * len(range(0, count, 10))


def test_an_entry_sent_twice_lands_once(store: Store) -> None:
    incident = store.create_incident("Twice", timezone="UTC")
    assert incident.id is not None
    sent = datetime(2026, 3, 2, 22, 5, 1, 123456, tzinfo=UTC)
    first = store.log_entry_once(
        incident.id, "failover done", at=T0, tags=["mit"], author="ana", sent_at=sent
    )
    again = store.log_entry_once(
        incident.id, "failover done", at=T0, tags=["mit"], author="ana", sent_at=sent
    )
    assert again.id == first.id
    assert first.tags == ["mitigated"]
    # The same words sent at another moment are another entry.
    later = sent.replace(microsecond=123457)
    other = store.log_entry_once(
        incident.id, "failover done", at=T0, tags=["mit"], author="ana", sent_at=later
    )
    assert other.id != first.id
    assert [e.text for e in store.entries(incident.id)] == ["failover done"] * 2


def test_an_entry_sent_once_is_refused_like_any_other(store: Store) -> None:
    incident = store.create_incident("Refused", timezone="UTC")
    assert incident.id is not None
    with pytest.raises(StoreError, match="empty"):
        store.log_entry_once(incident.id, "  ", at=T0, tags=[], author="ana", sent_at=T0)
    with pytest.raises(NotFound):
        store.log_entry_once(999, "x", at=T0, tags=[], author="ana", sent_at=T0)


def test_a_stale_edit_of_the_same_field_is_refused_and_writes_nothing(store: Store) -> None:
    incident = store.create_incident("x", timezone="UTC")
    assert incident.id is not None
    seen = store.log_entry(incident.id, "first words")
    assert seen.id is not None
    bob = Store(store.engine, author="bob", clock=store.clock)
    bob.edit_entry(incident.id, seen.id, text="bob's words", base=seen)
    with pytest.raises(EditConflict, match=r"changed by bob .*\(its text\)"):
        store.edit_entry(incident.id, seen.id, text="alice's words", base=seen)
    assert store.get_entry(incident.id, seen.id).text == "bob's words"
    assert [h.text for h in store.history(incident.id, seen.id)] == ["first words"]


def test_a_stale_edit_of_other_fields_is_merged(store: Store) -> None:
    incident = store.create_incident("x", timezone="UTC")
    assert incident.id is not None
    seen = store.log_entry(incident.id, "first words", tags=["note"], at=FIXED_NOW)
    assert seen.id is not None
    bob = Store(store.engine, author="bob", clock=store.clock)
    later = FIXED_NOW + timedelta(minutes=5)
    bob.edit_entry(incident.id, seen.id, at=later, tags=["note", "detected"], base=seen)
    # Alice's dialog still shows the first version; she rewrites the text and drops #note.
    store.edit_entry(incident.id, seen.id, text="better words", at=seen.at, tags=[], base=seen)
    now = store.get_entry(incident.id, seen.id)
    assert (now.text, now.at, now.tags) == ("better words", later, ["detected"])
    versions = [(h.text, h.replaced_by) for h in store.history(incident.id, seen.id)]
    assert versions == [("first words", "bob"), ("first words", "tester")]


def test_the_same_change_twice_is_no_conflict(store: Store) -> None:
    incident = store.create_incident("x", timezone="UTC")
    assert incident.id is not None
    seen = store.log_entry(incident.id, "typo hree")
    assert seen.id is not None
    store.edit_entry(incident.id, seen.id, text="typo here", base=seen)
    store.edit_entry(incident.id, seen.id, text="typo here", base=seen)
    assert len(store.history(incident.id, seen.id)) == 1


def test_incidents_made_at_once_with_one_title_get_their_own_slugs(store: Store) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        made = list(
            pool.map(lambda _: store.create_incident("Checkout down", timezone="UTC"), range(4))
        )
    base = "2026-03-02-checkout-down"
    assert sorted(i.slug for i in made) == [base, f"{base}-2", f"{base}-3", f"{base}-4"]

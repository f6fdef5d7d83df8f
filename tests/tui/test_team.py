"""A team on one incident: live on both backends, who is here, and a database that goes away.

Another responder is another Store (another connection, as another process would have);
PostgreSQL cases run on a fresh database of the test server. Waiting for another
responder's change is waiting for an event from outside the app: the wait ends as soon as
the screen shows it. Its bound is looser than the 1 s target (a loaded two-core test machine
stalls threads for that long); tests/benchmarks/bench_team.py measures the latency itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from textual.pilot import Pilot

from models.db import open_database
from models.presence import Me, PresenceBook
from models.store import Store
from models.tables import Incident
from tests.pg_outage import Relay
from tests.tui.support import FIXED, build_app, sample_incident, screen_text
from tui.screens.incident import IncidentScreen
from tui.screens.incident.drafts import PENDING
from tui.screens.incident_list import IncidentListScreen
from tui.widgets.timeline import Timeline

LIVE_WITHIN = 3.0


def _store(location: str, author: str = "tester") -> Store:
    return Store(open_database(location), author=author, clock=lambda: FIXED)


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "w.db")
    return str(request.getfixturevalue("postgres_url"))


async def _until(pilot: Pilot[Any], seen: Callable[[], bool], within: float) -> float:
    """Seconds until ``seen()``; fails after ``within``."""
    start = time.monotonic()
    while not seen():
        assert time.monotonic() - start < within, "not shown in time"
        await pilot.pause(0.02)
    return time.monotonic() - start


async def _opened(pilot: Pilot[Any]) -> IncidentScreen:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, IncidentScreen) and screen.view is not None
    return screen


async def test_every_kind_of_change_shows_within_a_second(location: str, tmp_path: Path) -> None:
    store = _store(location)
    incident = sample_incident(store)
    assert incident.id is not None
    bob = _store(location, "bob")
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _opened(pilot)
        assert screen.view is not None

        def texts() -> list[str]:
            assert screen.view is not None
            return [entry.text for entry in screen.view.entries]

        entry = bob.log_entry(incident.id, "bob restarted the replica", at=FIXED)
        assert entry.id is not None
        await _until(pilot, lambda: "bob restarted the replica" in texts(), LIVE_WITHIN)
        bob.edit_entry(incident.id, entry.id, text="bob restarted both replicas")
        await _until(pilot, lambda: "bob restarted both replicas" in texts(), LIVE_WITHIN)
        bob.toggle_tag(incident.id, entry.id, "mitigated")

        def tagged() -> bool:
            assert screen.view is not None
            found = screen.view.entry(entry.id)
            return found is not None and "mitigated" in found.tags

        await _until(pilot, tagged, LIVE_WITHIN)
        bob.add_action(incident.id, "Page the replica owners earlier")
        await _until(
            pilot,
            lambda: (
                screen.view is not None
                and any(a.title.startswith("Page the replica") for a in screen.view.action_items)
            ),
            LIVE_WITHIN,
        )
        bob.delete_entry(incident.id, entry.id)
        await _until(pilot, lambda: "bob restarted both replicas" not in texts(), LIVE_WITHIN)
        assert app.screen.query_one(Timeline).row_count == 6


async def test_who_else_is_here_comes_and_goes(location: str, tmp_path: Path) -> None:
    store = _store(location)
    incident = sample_incident(store)
    assert incident.id is not None
    book = PresenceBook(_store(location).engine)
    bob = Me("bob", host="jump-2")
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(120, 40)) as pilot:
        await _opened(pilot)
        mine = await _until(
            pilot, lambda: PresenceBook(store.engine).counts() == {incident.id: 1}, 5
        )
        assert mine < 5  # we are in the table too, for the others
        book.beat(bob, incident.id)
        await _until(pilot, lambda: "also here: bob" in screen_text(app), 5)
        book.beat(bob, None)
        await _until(pilot, lambda: "also here" not in screen_text(app), 5)
        await pilot.press("ctrl+l")  # back to the list: our row goes
        await _until(pilot, lambda: PresenceBook(store.engine).counts() == {}, 5)
        assert isinstance(app.screen, IncidentListScreen)
        book.beat(bob, incident.id)
        await _until(pilot, lambda: "1 here · Checkout" in screen_text(app), 5)


async def test_a_heartbeat_redraws_nothing(tmp_path: Path, world: tuple[Store, Incident]) -> None:
    store, incident = world
    assert incident.id is not None
    book, bob = PresenceBook(store.engine), Me("bob")
    book.beat(bob, incident.id)
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await _opened(pilot)
        await _until(pilot, lambda: "also here" in screen_text(app), 5)
        app.poll_database()
        await app.workers.wait_for_complete()
        book.beat(bob, incident.id)
        app.poll_database()  # what the half-second timer does
        await pilot.pause()
        assert not [w for w in app.workers if w.group in {"incident-load", "presence-load"}]


async def test_a_dead_session_drops_out(
    tmp_path: Path, world: tuple[Store, Incident], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, incident = world
    assert incident.id is not None
    clock_now = [FIXED]
    monkeypatch.setattr("models.presence.real_now", lambda: clock_now[0])
    PresenceBook(store.engine).beat(Me("bob"), incident.id)  # and then bob's laptop died
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot)
        await _until(pilot, lambda: "also here" in screen_text(app), 5)
        clock_now[0] = FIXED + timedelta(seconds=61)
        screen.load_presence()  # what the ten-second timer does
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "also here" not in screen_text(app)


@pytest.fixture
def relay(postgres_url: str) -> Iterator[Relay]:
    relay = Relay(postgres_url)
    yield relay
    relay.down()


async def test_entries_typed_while_the_database_is_away_land_in_order(
    relay: Relay, postgres_url: str, tmp_path: Path
) -> None:
    store = _store(relay.url)
    incident = sample_incident(store)
    assert incident.id is not None
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot)
        assert screen.drafts is not None
        relay.down()
        await pilot.press(*"23:41 failover stalled", "enter")
        await pilot.press(*"23:43 promoted the replica by hand #mit", "enter")
        await _until(pilot, lambda: "database unreachable" in screen_text(app), 10)
        pending = [k for k in screen.drafts.all() if k.startswith(PENDING)]
        assert len(pending) == 2  # on disk, as drafts: a crash now loses nothing
        assert not app.database_reachable
        relay.up()
        await _until(pilot, lambda: app.writer.outstanding == 0, 20)
        await pilot.pause()
        assert not [k for k in screen.drafts.all() if k.startswith(PENDING)]
        assert "database unreachable" not in screen_text(app)
        assert app.database_reachable
    written = _store(postgres_url).snapshot(incident.id).entries
    mine = [e for e in written if e.text in {"failover stalled", "promoted the replica by hand"}]
    assert [e.text for e in sorted(mine, key=lambda e: e.id or 0)] == [
        "failover stalled",
        "promoted the replica by hand",
    ]  # in the order typed, once each
    berlin = ZoneInfo("Europe/Berlin")  # the incident's zone, in which the times were typed
    assert [e.at.astimezone(berlin).strftime("%H:%M") for e in mine] == ["23:41", "23:43"]
    assert mine[0].created_at < mine[1].created_at  # sent when typed, not when written


async def test_quitting_while_the_database_is_away_keeps_the_entry_for_next_time(
    relay: Relay, postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tui.app.LAST_WRITES_SECONDS", 0.5)
    store = _store(relay.url)
    incident = sample_incident(store)
    assert incident.id is not None
    app = build_app(store, tmp_path, incident_id=incident.id)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot)
        relay.down()
        await pilot.press(*"23:41 failover stalled", "enter")
        await _until(pilot, lambda: not app.database_reachable, 10)
        await pilot.press("ctrl+q")
    assert screen.drafts is not None
    assert [k for k in screen.drafts.all() if k.startswith(PENDING)]
    relay.up()
    again = build_app(_store(relay.url), tmp_path, incident_id=incident.id)
    async with again.run_test(size=(80, 24)) as pilot:
        await _opened(pilot)
        await _until(pilot, lambda: again.writer.outstanding == 0, 20)
        await pilot.pause()
    texts = [e.text for e in _store(postgres_url).snapshot(incident.id).entries]
    assert texts.count("failover stalled") == 1

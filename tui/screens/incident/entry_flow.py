"""What happens to timeline entries on the incident screen: logging, tags, edits, deletes.

Each change shows at once where it can (a logged entry appears as a pending row), goes to
the database through the app's writer, and is shown as written when it lands. A refused
change says why, and what was typed is kept: a logged line goes back into the bar, an
edit stays a draft for the next Enter on the entry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text

from models.quick_entry import QuickEntry, QuickLines
from models.tables import TimelineEntry
from tui.screens.incident.drafts import QUICK_ENTRY, PendingEntry, edit_key
from tui.writer import Write

if TYPE_CHECKING:
    from tui.screens.incident.screen import IncidentScreen


def as_seen(entry: TimelineEntry) -> TimelineEntry:
    """A copy of the entry as shown now, for an edit to be made against: the row on screen
    may be updated in place when someone else's change arrives."""
    return TimelineEntry(
        id=entry.id,
        incident_id=entry.incident_id,
        at=entry.at,
        author=entry.author,
        text=entry.text,
        tags=list(entry.tags),
    )


class EntryFlow:
    """The entry changes of one incident screen."""

    def __init__(self, screen: IncidentScreen) -> None:
        self.screen = screen
        self._deleted: list[int] = []  # entry ids, for undo

    def chosen(self, entry_id: int | None) -> TimelineEntry | None:
        """The entry a key was pressed on, or None (and the user is told why)."""
        screen = self.screen
        entry = screen.view.entry(entry_id) if screen.view is not None else None
        if entry is None or entry.id is None:
            screen.notify("no entry is selected: log one first", severity="warning")
            return None
        if entry.id < 0:
            screen.notify(
                "that entry is still being written (its row starts with …): try again in a moment",
                severity="warning",
            )
            return None
        return entry

    # -- logging ---------------------------------------------------------------------------

    def log(self, parsed: QuickEntry, line: str) -> None:
        """Show the entry as pending, keep it as a draft, clear the bar, send it."""
        screen, view, drafts = self.screen, self.screen.view, self.screen.drafts
        assert view is not None and drafts is not None
        author = screen.store.author
        kept = drafts.keep_pending(parsed.at, parsed.text, parsed.tags, author)
        bar = screen.quick_entry
        bar.in_flight = None  # kept as a pending entry now, not as the bar's line
        drafts.keep(QUICK_ENTRY, bar.text)
        follow = screen.timeline.following()
        pending = view.add_pending(parsed.at, parsed.text, parsed.tags, author)
        screen.show(row_first=True)
        if follow and pending.id is not None:
            screen.timeline.select_entry(pending.id)
        if not screen.timeline.matches(pending):
            screen.notify(
                "Logged, but the timeline filter hides it: press Esc in the filter to show all.",
                timeout=5,
            )
        self.send(kept, pending, line)

    def send(self, kept: PendingEntry, pending: TimelineEntry | None, line: str) -> None:
        """Write a kept entry; ``pending`` is its row on screen, if it has one."""
        screen, drafts = self.screen, self.screen.drafts
        assert drafts is not None
        incident_id = screen.incident_id

        def write(store: Any) -> TimelineEntry:
            entry: TimelineEntry = store.log_entry_once(
                incident_id,
                kept.text,
                at=kept.at,
                tags=kept.tags,
                author=kept.author,
                sent_at=kept.sent_at,
            )
            return entry

        def landed(entry: TimelineEntry) -> None:
            drafts.drop(kept.key)
            if not screen.is_attached or screen.view is None:
                return
            selected = screen.timeline.selected_entry_id()
            follow = screen.timeline.following()
            if pending is not None and pending.id is not None:
                screen.view.written(pending.id, entry)
                if screen.timeline.replace_entry(pending.id, entry):
                    screen.show_rest_later()  # the row is solid now: one line redrawn
                    return
            else:
                screen.view.put_entry(entry)
            screen.show(row_first=True)
            if entry.id is not None and (selected == getattr(pending, "id", None) or follow):
                screen.timeline.select_entry(entry.id)

        def refused(why: str) -> None:
            if not screen.is_attached:
                return  # the draft stays: tried again, or handed back, when next opened
            drafts.drop(kept.key)
            if pending is not None and pending.id is not None and screen.view is not None:
                screen.view.drop_pending(pending.id)
                screen.show()
            self._hand_back(line, f"the entry was not logged: {why}", why)

        screen.write(Write(write, landed, refused))

    def _hand_back(self, line: str, message: str, why: str) -> None:
        """A refused write: what was typed goes back into an empty bar, and is said."""
        screen = self.screen
        bar = screen.quick_entry
        if not bar.value:
            bar.set_text(line, keep_message=True)
        bar.say(Text("✗ not logged: " + why), "error")
        shown = " ".join(line.split())
        screen.notify(
            message + ("" if bar.text == line else f": {shown}"),
            severity="error",
            timeout=10,
        )

    def log_lines(self, lines: QuickLines, text: str) -> None:
        """A block read line by line: every entry shown as pending and kept as a draft at
        once, then written in one transaction (all land, or none and the text comes back)."""
        screen, view, drafts = self.screen, self.screen.view, self.screen.drafts
        assert view is not None and drafts is not None
        author = screen.store.author
        wanted = [(entry.at, entry.text, lines.tags) for entry in lines.entries]
        kept = drafts.keep_pending_many(wanted, author)
        bar = screen.quick_entry
        bar.in_flight = None
        drafts.keep(QUICK_ENTRY, bar.text)
        follow = screen.timeline.following()
        pending = [view.add_pending(k.at, k.text, k.tags, k.author) for k in kept]
        screen.show(row_first=True)
        newest = max(pending, key=lambda e: (e.at, -(e.id or 0)))
        if follow and newest.id is not None:
            screen.timeline.select_entry(newest.id)
        screen.notify(f"Logging {len(kept)} entries at their own times.", timeout=3)
        self.send_many(kept, pending, text)

    def send_many(self, kept: list[PendingEntry], pending: list[TimelineEntry], text: str) -> None:
        """Write kept entries in one transaction; ``pending`` are their rows on screen."""
        from models.store import NewEntry

        screen, drafts = self.screen, self.screen.drafts
        assert drafts is not None
        incident_id = screen.incident_id
        batch = [NewEntry(k.at, k.text, k.tags, k.sent_at) for k in kept]
        author = kept[0].author

        def write(store: Any) -> list[TimelineEntry]:
            logged: list[TimelineEntry] = store.log_entries(incident_id, batch, author=author)
            return logged

        def landed(entries: list[TimelineEntry]) -> None:
            drafts.drop_all([k.key for k in kept])
            if not screen.is_attached or screen.view is None:
                return
            follow = screen.timeline.following()
            for row, entry in zip(pending, entries, strict=True):
                if row.id is not None:
                    screen.view.written(row.id, entry)
            screen.show(row_first=True)
            if follow and entries and entries[-1].id is not None:
                newest = max(entries, key=lambda e: (e.at, e.id or 0))
                if newest.id is not None:
                    screen.timeline.select_entry(newest.id)

        def refused(why: str) -> None:
            if not screen.is_attached:
                return  # the drafts stay: tried again when the incident is next opened
            drafts.drop_all([k.key for k in kept])
            if screen.view is not None:
                for row in pending:
                    if row.id is not None:
                        screen.view.drop_pending(row.id)
                screen.show()
            self._hand_back(text, f"the {len(kept)} entries were not logged: {why}", why)

        screen.write(Write(write, landed, refused))

    # -- changes to a written entry -------------------------------------------------------

    def _change(self, write: Any, *, select: bool = True, done: Any = None, kept: str = "") -> None:
        """Send a change; ``kept`` names what of a refused change stays, said in the bar."""
        screen = self.screen

        def landed(entry: TimelineEntry) -> None:
            if done is not None:
                done(entry)
            if not screen.is_attached or screen.view is None:
                return
            screen.view.put_entry(entry)
            screen.show()
            if select and entry.deleted_at is None and entry.id is not None:
                screen.timeline.select_entry(entry.id)

        def refused(why: str) -> None:
            if not screen.is_attached:
                return
            screen.notify(f"not changed: {why}", severity="error", timeout=10)
            if kept:
                screen.quick_entry.say(Text(f"✗ not changed: {why}; {kept}"), "error")
                screen.load()  # show what the other person saved

        screen.write(Write(write, landed, refused))

    def toggle_tag(self, entry_id: int | None, tag: str) -> None:
        entry = self.chosen(entry_id)
        if entry is None or entry.id is None:
            return
        incident_id, chosen_id = self.screen.incident_id, entry.id
        self._change(lambda store: store.toggle_tag(incident_id, chosen_id, tag))

    def pick_tags(self, entry_id: int | None) -> None:
        from tui.screens.entry_dialogs import TagPickerScreen

        entry = self.chosen(entry_id)
        if entry is None or entry.id is None:
            return
        incident_id, chosen_id, seen = self.screen.incident_id, entry.id, as_seen(entry)

        def picked(tags: list[str] | None) -> None:
            if tags is not None:
                # Against the tags shown: ones someone else set meanwhile are kept.
                self._change(
                    lambda store: store.edit_entry(incident_id, chosen_id, tags=tags, base=seen)
                )

        self.screen.app.push_screen(TagPickerScreen(entry.tags), picked)

    def delete(self, entry_id: int | None) -> None:
        entry = self.chosen(entry_id)
        if entry is None or entry.id is None:
            return
        screen, incident_id, chosen_id = self.screen, self.screen.incident_id, entry.id
        when = entry.at.astimezone(screen.zone).strftime("%H:%M")

        def deleted(_: TimelineEntry) -> None:
            self._deleted.append(chosen_id)
            if screen.is_attached:
                screen.notify(
                    f"Deleted the {when} entry. Press u in the timeline (or ctrl+u) to bring "
                    "it back.",
                    title="Entry deleted",
                    timeout=10,
                )

        self._change(lambda store: store.delete_entry(incident_id, chosen_id), done=deleted)

    def undo_delete(self) -> None:
        screen = self.screen
        if not self._deleted:
            screen.notify("nothing to undo", severity="warning", timeout=3)
            return
        incident_id, entry_id = screen.incident_id, self._deleted.pop()

        def restored(_: TimelineEntry) -> None:
            if screen.is_attached:
                screen.notify("Entry restored.", timeout=3)

        self._change(lambda store: store.restore_entry(incident_id, entry_id), done=restored)

    def edit(self, entry_id: int | None) -> None:
        """The edit dialog: time, text and tags, with the earlier versions shown."""
        entry = self.chosen(entry_id)
        if entry is None or entry.id is None:
            return
        self.screen.read_history(entry)

    def open_editor(self, entry: TimelineEntry, revisions: list[Any]) -> None:
        """The dialog, once the entry's earlier versions are read."""
        from models.timeparse import parse_time
        from tui.screens.entry_dialogs import EditEntryScreen

        screen, drafts = self.screen, self.screen.drafts
        assert entry.id is not None and drafts is not None and screen.view is not None
        incident_id, entry_id, key = screen.incident_id, entry.id, edit_key(entry.id)
        view, zone, seen = screen.view, screen.zone, as_seen(entry)
        dialog = EditEntryScreen(
            entry,
            zone=zone,
            parse_time=lambda raw: parse_time(
                raw, zone=zone, now=screen.now(), reference=view.reference(screen.now())
            ),
            revisions=revisions,
            draft=drafts.form(key),
        )
        dialog.on_draft = lambda text: drafts.keep(key, text)

        def done(values: dict[str, Any] | None) -> None:
            if values is None:  # Esc: the user threw the changes away
                drafts.drop(key)
                return
            # A refused edit keeps its draft for the next Enter on the entry. The edit is
            # made against the entry as the dialog showed it: someone else's change to it
            # meanwhile is merged when it touched other fields, and refuses this one when
            # it touched the same (their version stays; the history keeps both).
            self._change(
                lambda store: store.edit_entry(
                    incident_id,
                    entry_id,
                    text=values["text"],
                    at=values["at"],
                    tags=values["tags"],
                    base=seen,
                ),
                done=lambda _: drafts.drop(key),
                kept="your text is kept: press Enter on the entry to see it",
            )

        screen.app.push_screen(dialog, done)

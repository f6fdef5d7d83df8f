"""One incident: log, metrics, details, write-up, action items and the preview."""

from __future__ import annotations

import bisect
import json
import os
import shlex
import subprocess
import tempfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer, Input, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState, get_current_worker

from models.metrics import IncidentMetrics, compute_metrics
from models.quick_entry import QuickEntryError, parse_quick_entry
from models.store import IncidentSnapshot, Store
from models.tables import ActionItem, Incident, TimelineEntry
from models.timeline import backfill_reference
from models.timeparse import zone_or_utc
from tui.errors import describe, expected_errors, workbook
from tui.messages import DatabaseChanged, MilestoneChosen
from tui.text import literal, tag_badges
from tui.widgets.actions_pane import ActionsTable
from tui.widgets.details_form import DetailsForm
from tui.widgets.metrics_panel import MetricsPanel
from tui.widgets.preview_pane import PreviewPane
from tui.widgets.publication_status import PublicationStatus
from tui.widgets.status_line import StatusLine
from tui.widgets.timeline import Timeline
from tui.widgets.timeline_filter import TimelineFilter
from tui.widgets.writeup import SECTION_TITLES, WriteUp

QUICK_ENTRY_DRAFT = "quick-entry"
NEW_ACTION_DRAFT = "action:new"
DETAILS_DRAFT = "details"
QUICK_ENTRY_HINT = "[TIME] what happened #tag   ·   ↑ entries   ·   F1 keys and tag aliases"
TABS = ("tab-log", "tab-metrics", "tab-details", "tab-writeup", "tab-actions", "tab-preview")
WIDE = 120


def _sort_key(entry: TimelineEntry) -> tuple[datetime, int]:
    return (entry.at, entry.id or 0)


class QuickEntryInput(Input):
    """The bar at the bottom of the log: type a line, Enter logs it."""

    HELP_GROUP: ClassVar[str] = "Quick entry"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "up",
            "entries",
            "Entries",
            id="quick.entries",
            tooltip="Move to the timeline to act on an entry",
        ),
        Binding(
            "enter",
            "submit",
            "Log",
            id="quick.log",
            tooltip="Log the line as an entry (on disk when the row appears)",
        ),
    ]

    def action_entries(self) -> None:
        self.screen.query_one(Timeline).focus()


class IncidentScreen(Screen[None]):
    HELP_GROUP: ClassVar[str] = "Incident"
    CSS_PATH = "incident.tcss"
    AUTO_FOCUS = "#quick-entry"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+l", "back", "Incidents", id="incident.back", tooltip="Back to the incident list"
        ),
        Binding(
            "ctrl+f",
            "filter",
            "Filter",
            id="incident.filter",
            tooltip="Show only timeline entries matching words or #tags",
            show=False,
        ),
        Binding(
            "f2",
            "show_tab('tab-log')",
            "Log",
            id="incident.log",
            tooltip="The timeline",
            show=False,
        ),
        Binding(
            "f3",
            "show_tab('tab-metrics')",
            "Metrics",
            id="incident.metrics",
            tooltip="Durations, time to detect/mitigate/resolve, false leads",
            show=False,
        ),
        Binding(
            "f4",
            "show_tab('tab-details')",
            "Details",
            id="incident.details",
            tooltip="Severity, status, services, impact, SLO",
            show=False,
        ),
        Binding(
            "f5",
            "show_tab('tab-writeup')",
            "Write-up",
            id="incident.writeup",
            tooltip="The narrative sections of the postmortem",
            show=False,
        ),
        Binding(
            "f6",
            "show_tab('tab-actions')",
            "Actions",
            id="incident.actions",
            tooltip="Action items",
            show=False,
        ),
        Binding(
            "f7",
            "show_tab('tab-preview')",
            "Preview",
            id="incident.preview",
            tooltip="The postmortem as `workbook export` writes it",
            show=False,
        ),
        Binding(
            "f8",
            "publish",
            "Publish",
            id="incident.publish",
            tooltip="Commit and push the postmortem for review",
            show=False,
        ),
        Binding(
            "ctrl+u",
            "undo_delete",
            "Undo delete",
            id="incident.undo",
            tooltip="Bring back the entry deleted last",
            show=False,
        ),
    ]

    def __init__(self, incident_id: int) -> None:
        super().__init__()
        self.incident_id = incident_id
        self.snapshot: IncidentSnapshot | None = None
        self.metrics: IncidentMetrics | None = None
        self._reference_of: IncidentSnapshot | None = None
        self._backfill_at: datetime | None = None
        self._rest_pending = False
        self.zone = ZoneInfo("UTC")
        self._deleted: list[int] = []
        self._preview_stale = True
        self._title_shown = ""
        self._filter_from_quick_entry = False

    # -- plumbing ------------------------------------------------------------------------

    @property
    def store(self) -> Store:
        return workbook(self).store

    def now(self) -> datetime:
        return workbook(self).now()

    @property
    def seconds(self) -> bool:
        return bool(workbook(self).settings.show_seconds)

    @property
    def timeline(self) -> Timeline:
        return self.query_one("#timeline", Timeline)

    @property
    def quick_entry(self) -> QuickEntryInput:
        return self.query_one("#quick-entry", QuickEntryInput)

    def compose(self) -> ComposeResult:
        yield Static("", classes="title-bar", id="incident-title")
        yield PublicationStatus(id="publication-status")
        with TabbedContent(id="tabs", initial="tab-log"):
            with TabPane("Log", id="tab-log"), Horizontal(id="log-layout"):
                with Vertical(id="log-column"):
                    yield TimelineFilter(id="timeline-filter-bar")
                    yield Timeline(id="timeline")
                    yield Static("", id="entry-detail")
                    yield QuickEntryInput(
                        placeholder="10:45 restarted the db #mit",
                        id="quick-entry",
                        compact=True,
                        select_on_focus=False,
                    )
                    yield StatusLine(Text(QUICK_ENTRY_HINT), id="quick-preview")
                yield MetricsPanel(id="side-metrics")
            with TabPane("Metrics", id="tab-metrics"):
                yield MetricsPanel(id="tab-metrics-panel")
            with TabPane("Details", id="tab-details"):
                yield DetailsForm(zone=lambda: self.zone, now=self.now, id="details")
            with TabPane("Write-up", id="tab-writeup"):
                yield WriteUp(id="writeup")
            with TabPane("Actions", id="tab-actions"):
                yield ActionsTable(id="actions")
            with TabPane("Preview", id="tab-preview"):
                yield PreviewPane(id="preview")
        yield Footer()

    def on_mount(self) -> None:
        app = workbook(self)
        app.quiet_cursors(self)
        try:
            snapshot = self.store.snapshot(self.incident_id)
        except expected_errors() as exc:
            self.notify(f"cannot open the incident: {describe(exc)}", severity="error")
            self.call_later(self.dismiss)
            return
        self._apply(snapshot)
        self._load_publication(self.incident_id)
        self._recover_drafts()
        app.add_hangup_handler(self.save_everything)
        self.set_interval(1 if self.seconds else 60, self._tick, name="duration-tick")

    def on_unmount(self) -> None:
        workbook(self).remove_hangup_handler(self.save_everything)

    def on_resize(self, event: Resize) -> None:
        tabs = self.query_one("#tabs", TabbedContent)
        if event.size.width >= WIDE:
            if tabs.active == "tab-metrics":
                tabs.active = "tab-log"
            tabs.hide_tab("tab-metrics")
        else:
            tabs.show_tab("tab-metrics")

    # -- showing the incident ------------------------------------------------------------

    def _apply(self, snapshot: IncidentSnapshot, *, row_first: bool = False) -> None:
        """Show a snapshot; every widget redraws only what changed.

        ``row_first``: the timeline now, everything else (metrics, forms, preview) once the
        frame with the new row is out, so Enter shows its row at once on a long log.
        """
        self.snapshot = snapshot
        incident = snapshot.incident
        self.zone = zone_or_utc(incident.timezone)
        self.timeline.show_entries(snapshot.entries, zone=self.zone, show_seconds=self.seconds)
        if self.filter_bar.is_open:  # entries came or went: the count must say so
            self.filter_bar.show_count(self.timeline.row_count, self.timeline.total_count)
        if not row_first:
            self._reference_of = None  # and the snapshot it kept is free to go
            self._apply_rest()
            workbook(self).settle_long_lived()
        elif not self._rest_pending:
            self._rest_pending = True
            self.call_after_refresh(self._apply_rest)

    def _apply_rest(self) -> None:
        self._rest_pending = False
        snapshot = self.snapshot
        assert snapshot is not None
        incident = snapshot.incident
        self.metrics = compute_metrics(incident, snapshot.entries, now=self.now())
        self._show_title()
        self._show_metrics()
        self.query_one(DetailsForm).show_incident(incident)
        self.query_one(WriteUp).show_incident(incident)
        self.query_one(ActionsTable).show_items(snapshot.action_items)
        self._show_entry_detail()
        self._preview_stale = True
        if self.query_one("#tabs", TabbedContent).active == "tab-preview":
            self._render_preview()

    def _show_title(self) -> None:
        assert self.snapshot is not None and self.metrics is not None
        from models.timeparse import format_duration

        incident = self.snapshot.incident
        minutes = self.metrics.duration_minutes
        if minutes is not None and not self.seconds:
            minutes = float(int(minutes))
        duration = format_duration(minutes) if minutes is not None else "—"
        if self.metrics.ongoing:
            duration += " ongoing"
        title = Text(end="")
        title.append(f"{incident.severity} ", style="bold")
        title.append(f"{incident.status} · ")
        title.append_text(literal(incident.title))
        title.append(f" · {duration} · {incident.timezone}", style="dim")
        if title.plain != self._title_shown:
            self._title_shown = title.plain
            self.query_one("#incident-title", Static).update(title)

    def _show_metrics(self) -> None:
        assert self.metrics is not None and self.snapshot is not None
        for panel in self.query(MetricsPanel):
            panel.show_metrics(
                self.metrics,
                zone=self.zone,
                now=self.now(),
                seconds=self.seconds,
                incident=self.snapshot.incident,
            )

    def _tick(self) -> None:
        if self.snapshot is None or self.metrics is None or not self.metrics.ongoing:
            return
        self.metrics = compute_metrics(
            self.snapshot.incident, self.snapshot.entries, now=self.now()
        )
        self._show_title()
        self._show_metrics()

    def _entry(self, entry_id: int | None) -> TimelineEntry | None:
        if self.snapshot is None or entry_id is None:
            return None
        for entry in self.snapshot.entries:
            if entry.id == entry_id:
                return entry
        return None

    def _show_entry_detail(self) -> None:
        entry = self._entry(self.timeline.selected_entry_id())
        detail = self.query_one("#entry-detail", Static)
        if entry is None:
            if self.timeline.total_count:
                detail.update(Text("No entry matches the filter: Esc in the filter shows all."))
            else:
                detail.update(Text("No entries yet: type what happened below and press Enter."))
            return
        from models.timeparse import format_local

        line = Text(end="")
        line.append(format_local(entry.at, self.zone, seconds=True) + "  ")
        line.append_text(literal(entry.author, style="bold"))
        if entry.tags:
            line.append("  ")
            line.append_text(tag_badges(entry.tags))
        line.append("\n")
        line.append_text(literal(entry.text))
        detail.update(line)

    @on(Timeline.Highlighted)
    def _highlighted(self) -> None:
        self._show_entry_detail()

    # -- the timeline filter -------------------------------------------------------------

    @property
    def filter_bar(self) -> TimelineFilter:
        return self.query_one(TimelineFilter)

    def action_filter(self) -> None:
        if self.app.focused is not self.filter_bar.input:
            # Esc goes back there: typing after it must not land on the entry keys (d, f…).
            self._filter_from_quick_entry = self.app.focused is self.quick_entry
        self.query_one("#tabs", TabbedContent).active = "tab-log"
        self.filter_bar.open()
        self.timeline.prepare_filter()
        self.filter_bar.show_count(self.timeline.row_count, self.timeline.total_count)

    @on(TimelineFilter.Changed)
    def _filter_changed(self, event: TimelineFilter.Changed) -> None:
        shown = self.timeline.set_filter(event.query)
        self.filter_bar.show_count(shown, self.timeline.total_count)

    @on(TimelineFilter.Leave)
    def _filter_leave(self) -> None:
        self.timeline.focus()

    @on(TimelineFilter.Closed)
    def _filter_closed(self) -> None:
        self.filter_bar.close()
        self.timeline.set_filter("")
        if self._filter_from_quick_entry:
            self.quick_entry.focus()
        else:
            self.timeline.focus()

    # -- reloading -----------------------------------------------------------------------

    @on(DatabaseChanged)
    def _database_changed(self) -> None:
        self.reload()

    def reload(self) -> None:
        self._load_snapshot(self.store, self.incident_id)
        self._load_publication(self.incident_id)

    @work(thread=True, exclusive=True, group="incident-load", exit_on_error=False)
    def _load_snapshot(self, store: Store, incident_id: int) -> None:
        snapshot = store.snapshot(incident_id)
        # Handed over, not returned: a finished worker lingers until the cyclic collector
        # gets to it, and its result with it (a 10,000-entry log is about 15 MB).
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._loaded, snapshot)

    def _loaded(self, snapshot: IncidentSnapshot) -> None:
        if self.is_attached:
            self._apply(snapshot)

    @work(thread=True, exclusive=True, group="publication-load", exit_on_error=False)
    def _load_publication(self, incident_id: int) -> str | None:
        from exporters.publish.status import ahead_notice
        from models.publications import Publications

        return ahead_notice(Publications(self.store.engine).latest(incident_id))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == "publication-load" and event.state == WorkerState.SUCCESS:
            self.query_one(PublicationStatus).show_warning(worker.result)  # type: ignore[arg-type]
        elif worker.group == "incident-load":
            if event.state == WorkerState.ERROR:
                why = describe(worker.error or Exception(), reading=True)
                self.notify(
                    f"cannot reload the incident: {why}; showing what was read last",
                    severity="warning",
                )
        elif worker.group == "preview" and event.state == WorkerState.ERROR:
            why = describe(worker.error or Exception(), reading=True)
            self.notify(
                f"cannot render the preview: {why}",
                severity="error",
            )

    def _replace(
        self,
        *,
        incident: Incident | None = None,
        entries: list[TimelineEntry] | None = None,
        action_items: list[ActionItem] | None = None,
    ) -> None:
        assert self.snapshot is not None
        changes: dict[str, Any] = {}
        if incident is not None:
            changes["incident"] = incident
        if entries is not None:
            changes["entries"] = sorted(entries, key=_sort_key)
        if action_items is not None:
            changes["action_items"] = sorted(action_items, key=lambda a: a.number)
        self._apply(replace(self.snapshot, **changes))

    def _put_entry(self, entry: TimelineEntry, *, new: bool = False) -> None:
        """Show a changed entry; ``new`` (just logged) takes the quick way for a long log."""
        assert self.snapshot is not None
        if not new:
            others = [e for e in self.snapshot.entries if e.id != entry.id]
            if entry.deleted_at is None:
                others.append(entry)
            self._replace(entries=others)
            return
        # The entries are in order already: put the new one in its place, draw the row now
        # and work out the figures after the frame that shows it.
        entries = list(self.snapshot.entries)
        bisect.insort(entries, entry, key=_sort_key)
        known = self._reference_of is self.snapshot
        snapshot = replace(self.snapshot, entries=entries)
        if known and "resolved" not in entry.tags:  # the reference moves only forward
            self._reference_of = snapshot
            if self._backfill_at is not None:
                self._backfill_at = max(self._backfill_at, entry.at)
        self._apply(snapshot, row_first=True)

    def _put_action(self, item: ActionItem) -> None:
        assert self.snapshot is not None
        others = [a for a in self.snapshot.action_items if a.number != item.number]
        self._replace(action_items=[*others, item])

    # -- quick entry ---------------------------------------------------------------------

    def _reference(self) -> datetime:
        """What a bare time is read near; worked out once per snapshot (every key asks)."""
        snapshot = self.snapshot
        assert snapshot is not None
        if self._reference_of is not snapshot:
            self._reference_of = snapshot
            self._backfill_at = backfill_reference(snapshot.incident, snapshot.entries)
        return self._backfill_at or self.now()

    def _set_preview(self, text: Text, kind: str = "") -> None:
        preview = self.query_one("#quick-preview", StatusLine)
        preview.set_class(kind == "error", "-error")
        preview.set_class(kind == "ok", "-ok")
        preview.show(text)

    @on(Input.Changed, "#quick-entry")
    def _quick_entry_changed(self, event: Input.Changed) -> None:
        self._save_draft(QUICK_ENTRY_DRAFT, event.value)
        line = event.value
        if not line.strip():
            self._set_preview(Text(QUICK_ENTRY_HINT))
            return
        from models.timeparse import format_local

        try:
            parsed = parse_quick_entry(
                line, zone=self.zone, now=self.now(), reference=self._reference()
            )
        except QuickEntryError as exc:
            self._set_preview(Text("✗ " + " ".join(str(exc).split())), "error")
            return
        preview = Text("→ " + format_local(parsed.at, self.zone, seconds=True), end="")
        if not parsed.time_given:
            preview.append(" (now)")
        if parsed.tags:
            preview.append("  tags: " + ", ".join(parsed.tags))
        preview.append("  · Enter logs")
        self._set_preview(preview, "ok")

    @on(Input.Submitted, "#quick-entry")
    def _quick_entry_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.log_line(event.value)

    def log_line(self, line: str) -> bool:
        """Log a quick-entry line; on success the bar is cleared, on failure kept."""
        try:
            parsed = parse_quick_entry(
                line, zone=self.zone, now=self.now(), reference=self._reference()
            )
        except QuickEntryError as exc:
            self._set_preview(Text("✗ " + " ".join(str(exc).split())), "error")
            self.app.bell()
            return False
        try:
            entry = self.store.log_entry(
                self.incident_id, parsed.text, at=parsed.at, tags=parsed.tags
            )
        except expected_errors() as exc:
            message = describe(exc)
            self._set_preview(Text("✗ not logged: " + message), "error")
            self.notify(f"the entry was not logged: {message}", severity="error", timeout=10)
            return False
        follow = self.timeline.following()
        self._put_entry(entry, new=True)
        if follow and entry.id is not None:
            self.timeline.select_entry(entry.id)
        if not self.timeline.matches(entry):
            self.notify(
                "Logged, but the timeline filter hides it: press Esc in the filter to show all.",
                timeout=5,
            )
        self.quick_entry.value = ""
        return True

    # -- drafts --------------------------------------------------------------------------

    def _save_draft(self, key: str, text: str) -> None:
        workbook(self).keep_draft(
            self.incident_id, key, text, or_else="log it soon, it is not on disk yet"
        )

    def _recover_drafts(self) -> None:
        assert self.snapshot is not None
        drafts = workbook(self).drafts.load(self.incident_id)
        recovered: list[str] = []
        if QUICK_ENTRY_DRAFT in drafts:
            self.quick_entry.value = drafts[QUICK_ENTRY_DRAFT]
            self.quick_entry.cursor_position = len(self.quick_entry.value)
            recovered.append("the quick-entry line (press Enter to log it)")
        writeup = self.query_one(WriteUp)
        for key, text in drafts.items():
            if key.startswith("writeup:"):
                field = key.removeprefix("writeup:")
                if field in SECTION_TITLES and text != getattr(self.snapshot.incident, field):
                    writeup.set_text(field, text)
                    recovered.append(f"the {SECTION_TITLES[field]} section")
            elif key.startswith("edit:"):
                recovered.append(f"an edit of entry {key.removeprefix('edit:')} (Enter on it)")
            elif key == NEW_ACTION_DRAFT:
                recovered.append("a new action item (n in Actions, F6)")
            elif key.startswith("action:"):
                ref = next(
                    (a.ref for a in self.snapshot.action_items if f"action:{a.id}" == key), None
                )
                if ref is not None:
                    recovered.append(f"an edit of {ref} (Enter on it in Actions, F6)")
        details = workbook(self).drafts.load_form(self.incident_id, DETAILS_DRAFT)
        if details:
            fields = self.query_one(DetailsForm).restore(details)
            if fields:
                recovered.append("Details: " + ", ".join(fields) + " (F4, Enter saves)")
        if recovered:
            self.notify(
                "Recovered unsent text: " + "; ".join(recovered) + ".",
                title="Draft recovered",
                timeout=15,
            )

    def save_everything(self) -> None:
        """Before a hang-up or quit: write-up typing goes to the database, the rest is kept."""
        self._save_draft(QUICK_ENTRY_DRAFT, self.quick_entry.value)
        writeup = self.query_one(WriteUp)
        for field, text in writeup.pending_texts().items():
            self._save_draft(f"writeup:{field}", text)
            self.store.update_incident(self.incident_id, {field: text})
            workbook(self).drafts.discard(self.incident_id, f"writeup:{field}")
            writeup.saved(field, text)

    # -- entry keys ----------------------------------------------------------------------

    @on(Timeline.CommandChosen)
    def _entry_command(self, event: Timeline.CommandChosen) -> None:
        command = event.command
        if command == "type":
            self.quick_entry.focus()
            return
        if command == "filter":
            self.action_filter()
            return
        if command == "undo":
            self.action_undo_delete()
            return
        entry = self._entry(event.entry_id)
        if entry is None or entry.id is None:
            self.notify("no entry is selected: log one first", severity="warning")
            return
        if command in ("false-lead", "escalation"):
            self._write_entry(lambda: self.store.toggle_tag(self.incident_id, entry.id, command))  # type: ignore[arg-type]
        elif command == "delete":
            self._delete(entry)
        elif command == "edit":
            self._edit(entry)
        elif command == "tags":
            from tui.screens.entry_dialogs import TagPickerScreen

            def picked(tags: list[str] | None) -> None:
                if tags is not None:
                    self._write_entry(
                        lambda: self.store.edit_entry(self.incident_id, entry.id, tags=tags)  # type: ignore[arg-type]
                    )

            self.app.push_screen(TagPickerScreen(entry.tags), picked)
        elif command == "action":
            self._new_action(source=entry)

    def _write_entry(self, write: Any) -> TimelineEntry | None:
        try:
            entry: TimelineEntry = write()
        except expected_errors() as exc:
            self.notify(f"not changed: {describe(exc)}", severity="error", timeout=10)
            return None
        self._put_entry(entry)
        if entry.deleted_at is None and entry.id is not None:
            self.timeline.select_entry(entry.id)
        return entry

    def _delete(self, entry: TimelineEntry) -> None:
        assert entry.id is not None
        entry_id = entry.id
        if self._write_entry(lambda: self.store.delete_entry(self.incident_id, entry_id)):
            self._deleted.append(entry_id)
            when = entry.at.astimezone(self.zone).strftime("%H:%M")
            self.notify(
                f"Deleted the {when} entry. Press u in the timeline (or ctrl+u) to bring it back.",
                title="Entry deleted",
                timeout=10,
            )

    def action_undo_delete(self) -> None:
        if not self._deleted:
            self.notify("nothing to undo", severity="warning", timeout=3)
            return
        entry_id = self._deleted.pop()
        if self._write_entry(lambda: self.store.restore_entry(self.incident_id, entry_id)):
            self.notify("Entry restored.", timeout=3)

    def _edit(self, entry: TimelineEntry) -> None:
        from models.timeparse import parse_time
        from tui.screens.entry_dialogs import EditEntryScreen

        assert entry.id is not None
        entry_id = entry.id
        draft_key = f"edit:{entry_id}"
        try:
            revisions = self.store.history(self.incident_id, entry_id)
        except expected_errors():
            revisions = []
        dialog = EditEntryScreen(
            entry,
            zone=self.zone,
            parse_time=lambda raw: parse_time(
                raw, zone=self.zone, now=self.now(), reference=self._reference()
            ),
            revisions=revisions,
            draft=workbook(self).drafts.load_form(self.incident_id, draft_key),
        )
        dialog.on_draft = lambda text: self._save_draft(draft_key, text)

        def done(values: dict[str, Any] | None) -> None:
            if values is None:  # Esc: the user threw the changes away
                self._save_draft(draft_key, "")
                return
            written = self._write_entry(
                lambda: self.store.edit_entry(
                    self.incident_id,
                    entry_id,
                    text=values["text"],
                    at=values["at"],
                    tags=values["tags"],
                )
            )
            if written is not None:  # refused: the changes stay a draft for the next Enter
                self._save_draft(draft_key, "")

        self.app.push_screen(dialog, done)

    @on(MilestoneChosen)
    def _milestone_chosen(self, event: MilestoneChosen) -> None:
        self.query_one("#tabs", TabbedContent).active = "tab-log"
        if self.timeline.select_entry(event.entry_id):
            self.timeline.focus()
        else:
            self.notify("that entry is not in the timeline any more", severity="warning")

    # -- details and write-up ------------------------------------------------------------

    @on(DetailsForm.Edited)
    def _details_edited(self, event: DetailsForm.Edited) -> None:
        try:
            incident = self.store.update_incident(self.incident_id, event.changes)
        except expected_errors() as exc:
            self.notify(f"not saved: {describe(exc)}", severity="error", timeout=10)
            return
        self._replace(incident=incident)

    @on(DetailsForm.Unsaved)
    def _details_unsaved(self, event: DetailsForm.Unsaved) -> None:
        self._save_draft(
            DETAILS_DRAFT, json.dumps(event.values, ensure_ascii=False) if event.values else ""
        )

    @on(WriteUp.SectionEdited)
    def _section_edited(self, event: WriteUp.SectionEdited) -> None:
        assert self.snapshot is not None
        stored = getattr(self.snapshot.incident, event.field)
        self._save_draft(f"writeup:{event.field}", "" if event.text == stored else event.text)

    @on(WriteUp.SectionPaused)
    def _section_paused(self, event: WriteUp.SectionPaused) -> None:
        try:
            incident = self.store.update_incident(self.incident_id, {event.field: event.text})
        except expected_errors() as exc:
            self.notify(
                f"the write-up was not saved: {describe(exc)}; your text is kept as a draft",
                severity="error",
                timeout=10,
            )
            return
        self.query_one(WriteUp).saved(event.field, event.text)
        self._save_draft(f"writeup:{event.field}", "")
        self._replace(incident=incident)

    @on(WriteUp.EditorRequested)
    def _open_editor(self, event: WriteUp.EditorRequested) -> None:
        command = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not command:
            self.notify(
                "set $EDITOR (for example EDITOR=vim) to write sections in your editor",
                severity="warning",
            )
            return
        with tempfile.NamedTemporaryFile(
            "w", suffix=".md", prefix=f"workbook-{event.field}-", delete=False, encoding="utf-8"
        ) as handle:
            handle.write(event.text)
            path = Path(handle.name)
        try:
            with self.app.suspend():
                subprocess.run([*shlex.split(command), str(path)], check=False)
            text = path.read_text(encoding="utf-8")
        except SuspendNotSupported:
            self.notify("this terminal cannot hand over to an editor", severity="error")
            return
        except (OSError, ValueError) as exc:
            self.notify(f"the editor did not run: {describe(exc)}", severity="error")
            return
        finally:
            path.unlink(missing_ok=True)
        if text != event.text:
            self.query_one(WriteUp).set_text(event.field, text)

    # -- action items --------------------------------------------------------------------

    def _action_form(
        self, title: str, item: ActionItem | None, draft_key: str, *, text: str = ""
    ) -> Any:
        from tui.screens.action_form import ActionFormScreen

        form = ActionFormScreen(
            title,
            item,
            default_title=text,
            draft=workbook(self).drafts.load_form(self.incident_id, draft_key),
        )
        form.on_draft = lambda typed: self._save_draft(draft_key, typed)
        return form

    def _new_action(self, source: TimelineEntry | None = None) -> None:
        source_id = source.id if source is not None else None

        def done(values: dict[str, Any] | None) -> None:
            if values is None:  # Esc: the user threw it away
                self._save_draft(NEW_ACTION_DRAFT, "")
                return
            try:
                item = self.store.add_action(
                    self.incident_id,
                    values["title"],
                    owner=values["owner"],
                    priority=values["priority"],
                    type=values["type"],
                    status=values["status"],
                    due=values["due"],
                    link=values["link"],
                    source_entry_id=source_id,
                )
            except expected_errors() as exc:
                self.notify(
                    f"not added: {describe(exc)}; press n in Actions to try again, "
                    "what you typed is kept",
                    severity="error",
                    timeout=10,
                )
                return
            self._save_draft(NEW_ACTION_DRAFT, "")
            self._put_action(item)
            self.query_one(ActionsTable).select_number(item.number)
            self.notify(f"{item.ref} added.", timeout=3)

        title = "New action item" + (" from the selected entry" if source else "")
        text = " ".join(source.text.split()) if source else ""
        self.app.push_screen(self._action_form(title, None, NEW_ACTION_DRAFT, text=text), done)

    @on(ActionsTable.CommandChosen)
    def _action_command(self, event: ActionsTable.CommandChosen) -> None:
        if event.command == "new":
            self._new_action()
            return
        assert self.snapshot is not None
        item = next((a for a in self.snapshot.action_items if a.number == event.number), None)
        if item is None:
            self.notify("no action item is selected: press n to add one", severity="warning")
            return
        if event.command == "done":
            status = "open" if item.status == "done" else "done"
            self._update_action(item, {"status": status})
        elif event.command == "edit":
            draft_key = f"action:{item.id}"

            def done(values: dict[str, Any] | None) -> None:
                # Esc throws the changes away; a refused update keeps them for next time.
                if values is None or self._update_action(item, values):
                    self._save_draft(draft_key, "")

            self.app.push_screen(self._action_form(f"Edit {item.ref}", item, draft_key), done)

    def _update_action(self, item: ActionItem, changes: dict[str, Any]) -> bool:
        try:
            updated = self.store.update_action(self.incident_id, item.ref, changes)
        except expected_errors() as exc:
            self.notify(f"{item.ref} not changed: {describe(exc)}", severity="error")
            return False
        self._put_action(updated)
        return True

    # -- preview -------------------------------------------------------------------------

    @on(TabbedContent.TabActivated, "#tabs")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-preview" and self._preview_stale:
            self._render_preview()

    def _render_preview(self) -> None:
        assert self.snapshot is not None and self.metrics is not None
        self._preview_stale = False
        self._build_preview(self.snapshot, self.metrics, self.now())

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False)
    def _build_preview(
        self, snapshot: IncidentSnapshot, metrics: IncidentMetrics, now: datetime
    ) -> None:
        from exporters.render.markdown import render_markdown

        text = render_markdown(snapshot.incident, snapshot.entries, snapshot.action_items, now=now)
        self.app.call_from_thread(self._show_preview, text, list(metrics.warnings))

    async def _show_preview(self, text: str, warnings: list[str]) -> None:
        await self.query_one(PreviewPane).show(text, warnings)

    # -- navigation ----------------------------------------------------------------------

    def action_show_tab(self, tab: str) -> None:
        tabs = self.query_one("#tabs", TabbedContent)
        if tab == "tab-metrics" and self.size.width >= WIDE:
            tab = "tab-log"
        tabs.active = tab
        focus_target = {
            "tab-log": "#quick-entry",
            "tab-metrics": "#tab-metrics-panel",
            "tab-details": "#detail-title",
            "tab-writeup": "#writeup-sections",
            "tab-actions": "#actions",
            "tab-preview": "#preview",
        }[tab]
        self.query_one(focus_target).focus()

    def action_publish(self) -> None:
        from tui.screens.publish_dialog import PublishScreen

        assert self.snapshot is not None
        incident = self.snapshot.incident
        dialog = PublishScreen(self.incident_id, title=incident.title, slug=incident.slug)
        self.app.push_screen(dialog, lambda _: self._load_publication(self.incident_id))

    def action_back(self) -> None:
        self.save_everything()
        self.dismiss()

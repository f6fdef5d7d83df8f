"""One incident: the screen that composes the log, metrics, details, write-up, actions and
preview, keeps them showing one :class:`IncidentView`, and routes what they ask for.

What each piece does lives beside it: reading the quick-entry line in
:mod:`.quick_entry`, entry and action-item changes in :mod:`.entry_flow` and
:mod:`.action_flow`, drafts in :mod:`.drafts`, the title bar in :mod:`.header`. Writes go
through the app's writer (:mod:`tui.writer`), so the screen never waits on the database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.reactive import var
from textual.widgets import Footer, TabbedContent, TabPane

from models.metrics import IncidentMetrics
from models.quick_entry import QuickEntry, QuickLines, parse_quick_entry, parse_quick_lines
from models.store import IncidentSnapshot, Store
from models.tables import TimelineEntry
from models.timeparse import zone_or_utc
from tui.errors import workbook
from tui.messages import MilestoneChosen
from tui.screens.base import LiveScreen
from tui.screens.incident.action_flow import ActionItemFlow
from tui.screens.incident.bindings import INCIDENT_BINDINGS
from tui.screens.incident.drafts import QUICK_ENTRY, IncidentDrafts, paste_key, writeup_key
from tui.screens.incident.editor import edit_in_editor
from tui.screens.incident.entry_flow import EntryFlow
from tui.screens.incident.fields_flow import FieldsFlow
from tui.screens.incident.header import IncidentHeader
from tui.screens.incident.messages import (
    HistoryRead,
    PreviewRendered,
    PublicationRead,
    SnapshotLoaded,
)
from tui.screens.incident.quick_entry import QUICK_ENTRY_HINT, QuickEntryInput
from tui.screens.incident.view import IncidentView
from tui.widgets.actions_pane import ActionsTable
from tui.widgets.details_form import DetailsForm
from tui.widgets.entry_detail import EntryDetail
from tui.widgets.metrics_panel import MetricsPanel
from tui.widgets.preview_pane import PreviewPane
from tui.widgets.publication_status import PublicationStatus
from tui.widgets.status_line import StatusLine
from tui.widgets.timeline import Timeline
from tui.widgets.timeline_filter import TimelineFilter
from tui.widgets.writeup import WriteUp
from tui.writer import Write, WritesWaiting

WIDE = 120
FOCUS_OF_TAB = {
    "tab-log": "#quick-entry",
    "tab-metrics": "#tab-metrics-panel",
    "tab-details": "#detail-title",
    "tab-writeup": "#writeup-sections",
    "tab-actions": "#actions",
    "tab-preview": "#preview",
}


class IncidentScreen(LiveScreen[None]):
    HELP_GROUP: ClassVar[str] = "Incident"
    CSS_PATH = "incident.tcss"
    AUTO_FOCUS = "#quick-entry"
    BINDINGS: ClassVar[list[BindingType]] = INCIDENT_BINDINGS
    # Worked out again after every change and every minute (every second with show_seconds);
    # always_update, since a changed impact field shows even when the figures stay the same.
    metrics: var[IncidentMetrics | None] = var(None, always_update=True, init=False)
    WORKER_FAILURES: ClassVar[dict[str, str]] = {
        "incident-load": "cannot reload the incident: {why}; showing what was read last",
        "preview": "cannot render the preview: {why}",
    }

    def __init__(
        self, incident_id: int, *, entry_id: int | None = None, tab: str | None = None
    ) -> None:
        super().__init__()
        self.incident_id = incident_id
        # Where a search hit points: the entry to select and the tab to show once loaded.
        self.first_entry_id = entry_id
        self.first_tab = tab
        self.view: IncidentView | None = None
        self.zone = ZoneInfo("UTC")
        self.drafts: IncidentDrafts | None = None
        self.entries = EntryFlow(self)
        self.actions = ActionItemFlow(self)
        self.fields = FieldsFlow(self)
        self._rest_pending = False
        self._preview_stale = True
        self._filter_from_quick_entry = False

    # -- plumbing ------------------------------------------------------------------------

    @property
    def snapshot(self) -> IncidentSnapshot | None:
        """The copy last read (with this screen's own changes), None until the first read."""
        return self.view.snapshot if self.view is not None else None

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

    @property
    def filter_bar(self) -> TimelineFilter:
        return self.query_one(TimelineFilter)

    @property
    def tabs(self) -> TabbedContent:
        return self.query_one("#tabs", TabbedContent)

    def write(self, write: Write[Any]) -> None:
        """Send a change to the database; it lands in order, off the UI thread."""
        workbook(self).writer.submit(write)

    def compose(self) -> ComposeResult:
        yield IncidentHeader(classes="title-bar", id="incident-title")
        yield PublicationStatus(id="publication-status")
        with TabbedContent(id="tabs", initial="tab-log"):
            with TabPane("Log", id="tab-log"), Horizontal(id="log-layout"):
                with Vertical(id="log-column"):
                    preview = StatusLine(Text(QUICK_ENTRY_HINT), id="quick-preview")
                    badge = StatusLine(Text(""), id="quick-lines")
                    yield TimelineFilter(id="timeline-filter-bar")
                    yield Timeline(id="timeline")
                    yield EntryDetail("", id="entry-detail")
                    with Horizontal(id="quick-row"):
                        yield badge
                        yield QuickEntryInput(
                            preview=preview,
                            badge=badge,
                            placeholder="10:45 restarted the db #mit",
                            id="quick-entry",
                            compact=True,
                            select_on_focus=False,
                        )
                    yield preview
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
        self.drafts = IncidentDrafts(app, self.incident_id)
        self.load()
        self.set_interval(1 if self.seconds else 60, self._tick, name="duration-tick")

    def on_unmount(self) -> None:
        workbook(self).remove_hangup_handler(self.save_everything)

    def on_resize(self, event: Resize) -> None:
        if event.size.width >= WIDE:
            if self.tabs.active == "tab-metrics":
                self.tabs.active = "tab-log"
            self.tabs.hide_tab("tab-metrics")
        else:
            self.tabs.show_tab("tab-metrics")

    # -- reading -------------------------------------------------------------------------

    def load(self) -> None:
        self._load_snapshot(self.store, self.incident_id)
        self._load_publication(self.store)

    @work(thread=True, exclusive=True, group="incident-load", exit_on_error=False)
    def _load_snapshot(self, store: Store, incident_id: int) -> None:
        snapshot = store.snapshot(incident_id)
        self.hand_over(SnapshotLoaded(snapshot))

    @work(thread=True, exclusive=True, group="publication-load", exit_on_error=False)
    def _load_publication(self, store: Store) -> None:
        from exporters.publish.status import ahead_notice
        from models.publications import Publications

        self.hand_over(
            PublicationRead(ahead_notice(Publications(store.engine).latest(self.incident_id)))
        )

    def worker_failed(self, group: str, message: str) -> None:
        if group == "incident-load" and self.view is None:
            message = message.replace("cannot reload", "cannot open").split("; showing")[0]
            self.call_later(self.dismiss)
        super().worker_failed(group, message)

    @on(SnapshotLoaded)
    def _snapshot_loaded(self, event: SnapshotLoaded) -> None:
        if self.view is None:
            self.view = IncidentView(event.snapshot)
            self.show()
            self._first_shown()
        else:
            self.view.loaded(event.snapshot)
            self.show()

    def _first_shown(self) -> None:
        from tui.screens.incident.recovery import recover_drafts

        assert self.view is not None
        if self.first_entry_id is not None:
            self.timeline.select_entry(self.first_entry_id)
            self.timeline.focus()
        elif self.first_tab is not None:
            self.action_show_tab(self.first_tab)
        recover_drafts(self)
        workbook(self).add_hangup_handler(self.save_everything)

    @work(thread=True, exclusive=True, group="entry-history", exit_on_error=False)
    def read_history(self, entry: TimelineEntry) -> None:
        from tui.errors import expected_errors

        assert entry.id is not None
        try:
            # The entry as it is now, not as the row last showed it: the edit is made
            # against this version, and someone else may have changed it since.
            entry = self.store.get_entry(self.incident_id, entry.id)
            revisions = self.store.history(self.incident_id, entry.id)
        except expected_errors():
            revisions = []  # the dialog still opens: the history is a help, not the point
        self.hand_over(HistoryRead(entry, revisions))

    @on(HistoryRead)
    def _history_read(self, event: HistoryRead) -> None:
        self.entries.open_editor(event.entry, event.revisions)

    @on(PublicationRead)
    def _publication_read(self, event: PublicationRead) -> None:
        self.query_one(PublicationStatus).show_warning(event.notice)

    # -- showing -------------------------------------------------------------------------

    def show(self, *, row_first: bool = False) -> None:
        """Show the view; every widget redraws only what changed.

        ``row_first``: the timeline now, everything else (metrics, forms, preview) once the
        frame with the new row is out, so Enter shows its row at once on a long log.
        """
        view = self.view
        assert view is not None
        self.zone = zone_or_utc(view.incident.timezone)
        self.quick_entry.read_as(self._read_line, self.zone, self._read_lines, self.now)
        self.timeline.show_entries(view.entries, zone=self.zone, show_seconds=self.seconds)
        if self.filter_bar.is_open:  # entries came or went: the count must say so
            self.filter_bar.show_count(self.timeline.row_count, self.timeline.total_count)
        if not row_first:
            self._show_rest()
            workbook(self).settle_long_lived()
        else:
            self.show_rest_later()

    def show_rest_later(self) -> None:
        """Figures, forms and preview once the frame that is being drawn is out."""
        if not self._rest_pending:
            self._rest_pending = True
            self.call_after_refresh(self._show_rest)

    def _read_line(self, line: str) -> QuickEntry:
        assert self.view is not None
        now = self.now()
        reference = self.view.reference(now)
        return parse_quick_entry(line, zone=self.zone, now=now, reference=reference)

    def _read_lines(self, text: str) -> QuickLines:
        assert self.view is not None
        now = self.now()
        reference = self.view.reference(now)
        return parse_quick_lines(text, zone=self.zone, now=now, reference=reference)

    def _show_rest(self) -> None:
        self._rest_pending = False
        view = self.view
        if view is None or not self.is_attached:
            return
        self.metrics = view.metrics(self.now())
        self.query_one(DetailsForm).show_incident(view.incident)
        self.query_one(WriteUp).show_incident(view.incident)
        self.query_one(ActionsTable).show_items(view.action_items)
        self.show_entry_detail()
        self._preview_stale = True
        if self.tabs.active == "tab-preview":
            self._render_preview()

    def watch_metrics(self) -> None:
        """The figures drive the title bar and the metrics panels."""
        if self.view is None or self.metrics is None:
            return
        self.query_one(IncidentHeader).show(self.view.incident, self.metrics, seconds=self.seconds)
        for panel in self.query(MetricsPanel):
            panel.show_metrics(
                self.metrics,
                zone=self.zone,
                now=self.now(),
                seconds=self.seconds,
                incident=self.view.incident,
                imported=self.view.snapshot.imported,
            )

    def _tick(self) -> None:
        if self.view is None or self.metrics is None or not self.metrics.ongoing:
            return
        self.metrics = self.view.metrics(self.now())

    def show_entry_detail(self) -> None:
        entry = self.view.entry(self.timeline.selected_entry_id()) if self.view else None
        filtered = bool(self.timeline.total_count)  # entries there are, the filter hides them
        attachments = self.view.attachments_of(entry.id) if self.view and entry else []
        self.query_one(EntryDetail).show_entry(
            entry, self.zone, filtered=filtered, attachments=attachments
        )

    @on(Timeline.Highlighted)
    def _highlighted(self) -> None:
        self.show_entry_detail()

    @on(WritesWaiting)
    def _writes_waiting(self, event: WritesWaiting) -> None:
        if event.count:  # short enough for 80 columns: the rows show what waits
            many = event.count > 1
            self.quick_entry.say(
                Text(
                    "⧗ database busy (another process is writing): "
                    f"{event.count} change{'s' if many else ''} waiting, "
                    f"kept as draft{'s' if many else ''}"
                ),
                "error",
            )
        else:
            self.quick_entry.show_preview()

    # -- the quick entry and the timeline's keys ------------------------------------------

    @on(QuickEntryInput.Typed)
    def _typed(self, event: QuickEntryInput.Typed) -> None:
        # Cleared by Enter: the draft holds the line until it is kept as a pending entry.
        if self.drafts is not None and (event.line or self.quick_entry.in_flight is None):
            self.drafts.keep(QUICK_ENTRY, event.line)

    @on(QuickEntryInput.EntrySubmitted)
    def _entry_submitted(self, event: QuickEntryInput.EntrySubmitted) -> None:
        self.entries.log(event.entry, event.line)

    @on(QuickEntryInput.LinesSubmitted)
    def _lines_submitted(self, event: QuickEntryInput.LinesSubmitted) -> None:
        self.entries.log_lines(event.lines, event.text)

    @on(QuickEntryInput.PasteRefused)
    def _paste_refused(self, event: QuickEntryInput.PasteRefused) -> None:
        from tui.screens.attachments import AttachPasteScreen

        where = "not kept: the drafts folder cannot be written"
        key = paste_key()
        if self.drafts is not None:
            self.drafts.keep(key, event.text)
            where = f"kept as a draft in {self.drafts.where()}"
        self.notify(
            f"The paste is {event.why}. Nothing was cut and nothing logged; it is {where}. "
            "It can be attached as a text file instead.",
            title="Paste too large",
            severity="error",
            timeout=20,
        )
        name = f"paste-{self.now().strftime('%Y%m%d-%H%M%S')}.txt"

        def chosen(attach: bool | None) -> None:
            if attach:
                self._attach_paste(key, name, event.text)

        self.app.push_screen(AttachPasteScreen(event.why, name), chosen)

    def _attach_paste(self, key: str, name: str, text: str) -> None:
        """Attach a refused paste to the incident, off the UI thread; the draft goes once
        it has landed."""
        from models.attachments import add_attachment

        incident_id = self.incident_id
        limit = int(workbook(self).settings.attachment_limit)
        drafts = self.drafts

        def write(store: Store) -> str:
            info = add_attachment(
                store.engine,
                incident_id=incident_id,
                entry_id=None,
                name=name,
                data=text.encode("utf-8"),
                author=store.author,
                limit=limit,
            )
            return info.name

        def landed(kept_as: str) -> None:
            if drafts is not None:
                drafts.drop(key)
            self.notify(f"the paste is attached to the incident as {kept_as} (ctrl+o)")
            if self.is_attached:
                self.reload()

        def refused(why: str) -> None:
            self.notify(
                f"the paste was not attached: {why}; it is still kept as a draft",
                severity="error",
                timeout=20,
            )

        self.write(Write(write, landed, refused))

    @on(QuickEntryInput.TimelineWanted)
    def _timeline_wanted(self) -> None:
        self.timeline.focus()

    @on(Timeline.TypingRequested)
    def _typing_requested(self) -> None:
        self.quick_entry.focus()

    @on(Timeline.EditRequested)
    def _edit_requested(self, event: Timeline.EditRequested) -> None:
        self.entries.edit(event.entry_id)

    @on(Timeline.TagToggled)
    def _tag_toggled(self, event: Timeline.TagToggled) -> None:
        self.entries.toggle_tag(event.entry_id, event.tag)

    @on(Timeline.TagPickerRequested)
    def _tag_picker_requested(self, event: Timeline.TagPickerRequested) -> None:
        self.entries.pick_tags(event.entry_id)

    @on(Timeline.DeleteRequested)
    def _delete_requested(self, event: Timeline.DeleteRequested) -> None:
        self.entries.delete(event.entry_id)

    @on(Timeline.UndoRequested)
    def _undo_requested(self) -> None:
        self.entries.undo_delete()

    @on(Timeline.ActionItemRequested)
    def _action_item_requested(self, event: Timeline.ActionItemRequested) -> None:
        entry = self.entries.chosen(event.entry_id)
        if entry is not None:
            self.actions.new(source=entry)

    def action_undo_delete(self) -> None:
        self.entries.undo_delete()

    @on(MilestoneChosen)
    def _milestone_chosen(self, event: MilestoneChosen) -> None:
        self.tabs.active = "tab-log"
        if self.timeline.select_entry(event.entry_id):
            self.timeline.focus()
        else:
            self.notify("that entry is not in the timeline any more", severity="warning")

    # -- the timeline filter -------------------------------------------------------------

    @on(Timeline.FilterRequested)
    def action_filter(self) -> None:
        if self.app.focused is not self.filter_bar.input:
            # Esc goes back there: typing after it must not land on the entry keys (d, f…).
            self._filter_from_quick_entry = self.app.focused is self.quick_entry
        self.tabs.active = "tab-log"
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

    # -- action items --------------------------------------------------------------------

    @on(ActionsTable.NewRequested)
    def _new_action_requested(self) -> None:
        self.actions.new()

    @on(ActionsTable.EditRequested)
    def _action_edit_requested(self, event: ActionsTable.EditRequested) -> None:
        self.actions.edit(event.number)

    @on(ActionsTable.DoneToggled)
    def _action_done_toggled(self, event: ActionsTable.DoneToggled) -> None:
        self.actions.toggle_done(event.number)

    # -- details and write-up ------------------------------------------------------------

    @on(DetailsForm.Edited)
    def _details_edited(self, event: DetailsForm.Edited) -> None:
        self.fields.save(event.changes, refused="not saved")

    @on(DetailsForm.Unsaved)
    def _details_unsaved(self, event: DetailsForm.Unsaved) -> None:
        self.fields.keep_details(event.values)

    @on(WriteUp.SectionEdited)
    def _section_edited(self, event: WriteUp.SectionEdited) -> None:
        self.fields.keep_section(event.field, event.text)

    @on(WriteUp.SectionPaused)
    def _section_paused(self, event: WriteUp.SectionPaused) -> None:
        self.fields.save_section(event.field, event.text)

    @on(WriteUp.EditorRequested)
    def _open_editor(self, event: WriteUp.EditorRequested) -> None:
        text = edit_in_editor(self.app, event.field, event.text)
        if text is not None and text != event.text:
            self.query_one(WriteUp).set_text(event.field, text)

    # -- preview -------------------------------------------------------------------------

    @on(TabbedContent.TabActivated, "#tabs")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-preview" and self._preview_stale:
            self._render_preview()

    def _render_preview(self) -> None:
        if self.view is None or self.metrics is None:
            return
        self._preview_stale = False
        self._build_preview(self.view.snapshot, self.metrics, self.now())

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False)
    def _build_preview(
        self, snapshot: IncidentSnapshot, metrics: IncidentMetrics, now: datetime
    ) -> None:
        from exporters.render.markdown import render_markdown

        text = render_markdown(snapshot.incident, snapshot.entries, snapshot.action_items, now=now)
        self.hand_over(PreviewRendered(text, list(metrics.warnings)))

    @on(PreviewRendered)
    async def _preview_rendered(self, event: PreviewRendered) -> None:
        await self.query_one(PreviewPane).show(event.text, event.warnings)

    # -- navigation ----------------------------------------------------------------------

    def action_show_tab(self, tab: str) -> None:
        if tab == "tab-metrics" and self.size.width >= WIDE:
            tab = "tab-log"
        self.tabs.active = tab
        self.query_one(FOCUS_OF_TAB[tab]).focus()

    def action_publish(self) -> None:
        from tui.screens.publish_dialog import PublishScreen

        if self.view is None:
            return
        incident = self.view.incident
        dialog = PublishScreen(self.incident_id, title=incident.title, slug=incident.slug)
        self.app.push_screen(dialog, lambda _: self._load_publication(self.store))

    def action_related(self) -> None:
        from tui.screens.related import RelatedScreen

        def chosen(incident_id: int | None) -> None:
            if incident_id is not None:
                workbook(self).open_incident(incident_id)

        self.app.push_screen(RelatedScreen(self.incident_id), chosen)

    def _keep_typing(self) -> dict[str, str]:
        """Keep the bar's line and unsaved write-up sections as drafts; the sections."""
        assert self.drafts is not None
        bar = self.quick_entry
        self.drafts.keep(QUICK_ENTRY, bar.text or bar.in_flight or "")
        sections = self.query_one(WriteUp).pending_texts()
        for field, text in sections.items():
            self.drafts.keep(writeup_key(field), text)
        return sections

    def save_everything(self) -> None:
        """Before a hang-up or quit: write-up typing goes to the database, the rest is kept."""
        if self.drafts is None:
            return
        writeup = self.query_one(WriteUp)
        for field, text in self._keep_typing().items():
            self.store.update_incident(self.incident_id, {field: text})
            self.drafts.drop(writeup_key(field))
            writeup.saved(field, text)

    def action_attachments(self) -> None:
        """The selected entry's attachments, else all of the incident's."""
        from tui.screens.attachments import AttachmentsScreen

        if self.view is None:
            return
        entry_id = self.timeline.selected_entry_id()
        listed = self.view.attachments_of(entry_id) if entry_id is not None else []
        title = f"Attachments of entry {entry_id}"
        if not listed:
            listed, title = list(self.view.snapshot.attachments), "Attachments of the incident"
        if not listed:
            self.notify("nothing is attached: `workbook attach REF FILE` attaches a file")
            return
        self.app.push_screen(AttachmentsScreen(self.incident_id, listed, title))

    def action_back(self) -> None:
        # Write-up typing is sent on its way, and kept as a draft until it lands.
        if self.drafts is not None:
            for field, text in self._keep_typing().items():
                self.fields.save_section(field, text)
        self.dismiss()

"""Action items on the incident screen: the form to add or edit one, and marking it done.

The form's typing is a draft until the item is written; a refused item keeps it, so the
next ``n`` (or Enter on the item) shows it again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from models.tables import ActionItem, TimelineEntry
from tui.screens.incident.drafts import NEW_ACTION, action_key
from tui.writer import Write

if TYPE_CHECKING:
    from tui.screens.action_form import ActionFormScreen
    from tui.screens.incident.screen import IncidentScreen


class ActionItemFlow:
    """The action-item changes of one incident screen."""

    def __init__(self, screen: IncidentScreen) -> None:
        self.screen = screen

    def _form(
        self, title: str, item: ActionItem | None, key: str, *, text: str = ""
    ) -> ActionFormScreen:
        from tui.screens.action_form import ActionFormScreen

        drafts = self.screen.drafts
        assert drafts is not None
        form = ActionFormScreen(title, item, default_title=text, draft=drafts.form(key))
        form.on_draft = lambda typed: drafts.keep(key, typed)
        return form

    def chosen(self, number: int | None) -> ActionItem | None:
        view = self.screen.view
        item = None
        if view is not None:
            item = next((a for a in view.action_items if a.number == number), None)
        if item is None:
            self.screen.notify("no action item is selected: press n to add one", severity="warning")
        return item

    def _show(self, item: ActionItem, *, select: bool = False) -> None:
        screen = self.screen
        if not screen.is_attached or screen.view is None:
            return
        screen.view.put_action(item)
        screen.show()
        if select:
            from tui.widgets.actions_pane import ActionsTable

            screen.query_one(ActionsTable).select_number(item.number)

    def new(self, source: TimelineEntry | None = None) -> None:
        screen, drafts = self.screen, self.screen.drafts
        assert drafts is not None
        incident_id = screen.incident_id
        source_id = source.id if source is not None else None

        def added(item: ActionItem) -> None:
            drafts.drop(NEW_ACTION)
            self._show(item, select=True)
            if screen.is_attached:
                screen.notify(f"{item.ref} added.", timeout=3)

        def refused(why: str) -> None:
            if screen.is_attached:
                screen.notify(
                    f"not added: {why}; press n in Actions to try again, what you typed is kept",
                    severity="error",
                    timeout=10,
                )

        def done(values: dict[str, Any] | None) -> None:
            if values is None:  # Esc: the user threw it away
                drafts.drop(NEW_ACTION)
                return
            screen.write(
                Write(
                    lambda store: store.add_action(
                        incident_id,
                        values["title"],
                        owner=values["owner"],
                        priority=values["priority"],
                        type=values["type"],
                        status=values["status"],
                        due=values["due"],
                        link=values["link"],
                        source_entry_id=source_id,
                    ),
                    added,
                    refused,
                )
            )

        title = "New action item" + (" from the selected entry" if source else "")
        text = " ".join(source.text.split()) if source else ""
        screen.app.push_screen(self._form(title, None, NEW_ACTION, text=text), done)

    def edit(self, number: int | None) -> None:
        item = self.chosen(number)
        if item is None:
            return
        drafts = self.screen.drafts
        assert drafts is not None
        key = action_key(item)

        def done(values: dict[str, Any] | None) -> None:
            if values is None:  # Esc throws the changes away
                drafts.drop(key)
                return
            # A refused update keeps them for next time.
            self._update(item, values, done=lambda: drafts.drop(key))

        self.screen.app.push_screen(self._form(f"Edit {item.ref}", item, key), done)

    def toggle_done(self, number: int | None) -> None:
        item = self.chosen(number)
        if item is not None:
            self._update(item, {"status": "open" if item.status == "done" else "done"})

    def _update(self, item: ActionItem, changes: dict[str, Any], *, done: Any = None) -> None:
        screen = self.screen
        incident_id, ref = screen.incident_id, item.ref

        def updated(changed: ActionItem) -> None:
            if done is not None:
                done()
            self._show(changed)

        def refused(why: str) -> None:
            if screen.is_attached:
                screen.notify(f"{ref} not changed: {why}", severity="error")

        screen.write(
            Write(lambda store: store.update_action(incident_id, ref, changes), updated, refused)
        )

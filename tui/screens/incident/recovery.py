"""Opening an incident after a dropped session: what was typed comes back, and says so.

The quick-entry line, write-up sections and Details are filled in at once; dialogs and
forms show their text the next time they are opened. Entries that were sent but not seen
to land are looked for in the record: those found are done, the others are logged now, at
the time they were given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.screens.incident.drafts import DETAILS, NEW_ACTION, PASTE, QUICK_ENTRY, as_line
from tui.widgets.details_form import DetailsForm
from tui.widgets.writeup import SECTION_TITLES, WriteUp

if TYPE_CHECKING:
    from tui.screens.incident.screen import IncidentScreen


def recover_drafts(screen: IncidentScreen) -> None:
    view, drafts = screen.view, screen.drafts
    assert view is not None and drafts is not None
    kept = drafts.all()
    recovered: list[str] = []
    if QUICK_ENTRY in kept:
        screen.quick_entry.set_text(kept[QUICK_ENTRY])
        recovered.append("the quick-entry line (press Enter to log it)")
    too_large = sum(1 for key in kept if key.startswith(PASTE))
    if too_large:
        pastes = "a paste" if too_large == 1 else f"{too_large} pastes"
        recovered.append(f"{pastes} too large to log, still kept in {drafts.where()}")
    writeup = screen.query_one(WriteUp)
    for key, text in kept.items():
        if key.startswith("writeup:"):
            field = key.removeprefix("writeup:")
            if field in SECTION_TITLES and text != getattr(view.incident, field):
                writeup.set_text(field, text)
                recovered.append(f"the {SECTION_TITLES[field]} section")
        elif key.startswith("edit:"):
            recovered.append(f"an edit of entry {key.removeprefix('edit:')} (Enter on it)")
        elif key == NEW_ACTION:
            recovered.append("a new action item (n in Actions, F6)")
        elif key.startswith("action:"):
            ref = next((a.ref for a in view.action_items if f"action:{a.id}" == key), None)
            if ref is not None:
                recovered.append(f"an edit of {ref} (Enter on it in Actions, F6)")
    details = drafts.form(DETAILS)
    if details:
        fields = screen.query_one(DetailsForm).restore(details)
        if fields:
            recovered.append("Details: " + ", ".join(fields) + " (F4, Enter saves)")
    resent = _send_pending(screen)
    if resent:
        entries = "an entry" if resent == 1 else f"{resent} entries"
        recovered.append(f"{entries} sent but not seen written, logged now")
    if recovered:
        screen.notify(
            "Recovered unsent text: " + "; ".join(recovered) + ".",
            title="Draft recovered",
            timeout=15,
        )


def _send_pending(screen: IncidentScreen) -> int:
    """Log the entries a previous session sent without seeing them land; how many."""
    view, drafts = screen.view, screen.drafts
    assert view is not None and drafts is not None
    count = 0
    for kept in drafts.pending():
        if any(kept.matches(entry) for entry in view.entries):
            drafts.drop(kept.key)  # it landed after all
            continue
        pending = view.add_pending(kept.at, kept.text, kept.tags, kept.author)
        screen.entries.send(kept, pending, as_line(kept))
        count += 1
    if count:
        screen.show()
    return count

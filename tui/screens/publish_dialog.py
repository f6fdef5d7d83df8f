"""The publish dialog: where to, a look at what would change, then the commit and push.

Opening it checks at once (in a worker: git may fetch over a slow link) and shows the
diff summary; ctrl+s commits what was shown, and pushes when Push is on. Likely secrets
are listed one per line, where each is and with the secret masked; a responder who knows
one is harmless highlights it and presses ctrl+a (or Enter) to allow it for its text as it
is, written through the app's writer, and the dialog checks again. Editing a field
makes the summary stale, and ctrl+s then checks again before anything is written. Every
failure is shown in the dialog in plain words, with what to do, and the fields keep what
was typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Checkbox, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from exporters.publish.apply import PublishResult
from exporters.publish.plan import (
    PublishCheck,
    PublishDefaults,
    PublishPlan,
    PublishRequest,
    configured_identity,
)
from models.publications import Publications
from tui.errors import describe, expected_errors, workbook
from tui.screens.base import WorkbookModalScreen
from tui.text import literal
from tui.writer import Write

if TYPE_CHECKING:
    from exporters.publish.secrets import SecretFinding
    from models.store import IncidentSnapshot, Store

_STYLES = {
    "error": "bold $error",
    "warning": "$warning",
    "ok": "bold $success",
    "muted": "$text-muted",
    "bold": "bold",
}
CHECK_GROUP = "publish-check"
APPLY_GROUP = "publish-apply"


@dataclass(frozen=True)
class PublishFields:
    """What the dialog's fields say, as typed."""

    repo: str
    branch: str
    remote: str
    push: bool
    redact: bool


Lines = list[tuple[str, str]]  # (text, kind): kind picks the style, text is never markup


def plan_lines(plan: PublishPlan, push: bool) -> Lines:
    """What a publish would do, in a few lines that fit 80 columns."""
    if plan.branch_tip is None:
        lines: Lines = [("What would change, on a new branch from HEAD:", "bold")]
    elif plan.parent != plan.branch_tip:
        lines = [(f"What would change, on top of {plan.remote}/{plan.branch}:", "bold")]
    else:
        lines = [("What would change on the branch:", "bold")]
    for change in plan.changes:
        word = {"added": "new ", "updated": "edit", "unchanged": "same"}[change.status]
        counts = f"+{change.added} −{change.removed}" if change.status != "unchanged" else ""
        lines.append((f"  {word} {counts:<10} {change.path}", ""))
    if plan.redacted:
        lines.append((f"  {plan.redacted} likely secrets published as [REDACTED]", "warning"))
    if not plan.unchanged:
        lines.append((f"  commit: {plan.message.splitlines()[0]}", "muted"))
    if plan.offline is not None:
        lines.append(
            (f"⚠ {plan.offline}: the commit is made here, and pushed when it can be", "warning")
        )
    if plan.unchanged and not push:
        lines.append(("Nothing new to commit; Esc closes.", "bold"))
    elif plan.unchanged:
        lines.append((f"Nothing new to commit. Press ctrl+s to push to {plan.remote}.", "bold"))
    elif push:
        lines.append((f"Press ctrl+s to commit and push to {plan.remote}.", "bold"))
    else:
        lines.append(("Press ctrl+s to commit (Push is off).", "bold"))
    return lines


def guessed_figures(snapshot: IncidentSnapshot, now: datetime) -> list[str]:
    """The imported figures still as the importer guessed them (see models.import_evidence)."""
    from models.import_evidence import shown_marks
    from models.metrics import compute_metrics

    if not snapshot.imported:
        return []
    metrics = compute_metrics(snapshot.incident, snapshot.entries, now=now)
    marks = shown_marks(snapshot.imported, metrics)
    return [name for name, mark in marks.items() if mark.confidence == "guessed"]


def guessed_lines(guessed: list[str]) -> Lines:
    """A warning, not a stop: the responder may have checked the figure and found it right."""
    if not guessed:
        return []
    names = " and ".join(guessed)
    return [
        (
            f"⚠ The imported {names} {'is' if len(guessed) == 1 else 'are'} a guess nobody has "
            "checked: F3 Metrics shows the line it came from, F4 Details corrects it.",
            "warning",
        )
    ]


def result_lines(result: PublishResult) -> Lines:
    """The outcome in plain words: the commit, whether it was pushed, what to do next."""
    plan = result.plan
    lines: Lines = []
    if result.commit:
        lines.append((f"✓ Committed {result.commit[:12]} on the review branch", "ok"))
    else:
        lines.append(("✓ Nothing new: the branch already holds this version", "ok"))
    if result.pushed:
        lines.append((f"✓ Pushed to {plan.remote}: reviewers can see it", "ok"))
    elif result.push_error is not None:
        kept = "The commit is kept" if result.commit else "Nothing was lost"
        lines.append((f"✗ Not pushed: {result.push_error}", "error"))
        lines.append(
            (
                f"  {kept} here. Publish again (ctrl+s now, or F8 later) once "
                f"{plan.remote} can be reached.",
                "",
            )
        )
    elif not plan.request.push:
        lines.append(("  Not pushed (Push is off): the branch is only in this clone.", "muted"))
    if result.commit:
        lines.append((f"  commit {result.commit}", "muted"))
    lines.append(("Esc closes.", "muted"))
    return lines


class PublishScreen(WorkbookModalScreen[None]):
    """Publish one incident's postmortem to a review branch of a git docs repo."""

    @dataclass
    class RepoChecked(Message, bubble=False):
        """The docs repo was looked at: what publishing with these fields would do."""

        fields: PublishFields
        check: PublishCheck
        guessed: list[str] = field(default_factory=list)  # imported figures nobody checked

    @dataclass
    class Published(Message, bubble=False):
        """The postmortem was committed (and pushed, if asked), or found unchanged."""

        result: PublishResult

    HELP_GROUP: ClassVar[str] = "Publish"
    DEFAULT_CSS = """
    PublishScreen {
        align: center middle;
    }
    PublishScreen #publish-dialog {
        width: 100%;
        max-width: 100;
        margin: 0 1;
        height: auto;
        max-height: 100%;
        border: round $accent;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    PublishScreen .publish-row {
        height: 1;
    }
    PublishScreen .publish-row Label {
        width: 8;
        height: 1;
    }
    PublishScreen .publish-row Input {
        width: 1fr;
    }
    PublishScreen #publish-options {
        height: 1;
    }
    PublishScreen #publish-options Checkbox {
        width: auto;
        margin-right: 3;
    }
    PublishScreen #publish-redact {
        display: none;
    }
    PublishScreen #publish-redact.-offered {
        display: block;
    }
    PublishScreen #publish-report {
        height: auto;
        max-height: 14;
        border-top: solid $panel;
    }
    PublishScreen #publish-summary {
        height: auto;
    }
    PublishScreen #publish-findings {
        display: none;
        height: auto;
        max-height: 6;
        border: none;
        padding: 0;
    }
    PublishScreen #publish-findings.-shown {
        display: block;
    }
    PublishScreen #publish-hint {
        height: 1;
        color: $text-muted;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s",
            "publish",
            "Publish",
            id="publish.commit",
            tooltip="Commit what the check showed, and push when Push is on",
        ),
        Binding(
            "ctrl+r",
            "check",
            "Check",
            id="publish.check",
            tooltip="Look at the docs repo again and show what would change; writes nothing",
        ),
        Binding(
            "ctrl+y",
            "allow",
            "Allow",
            id="publish.allow",
            tooltip="Allow the highlighted likely secret: it is harmless, publish it as written "
            "while its text stays the same",
        ),
        Binding(
            "escape",
            "close",
            "Close",
            id="publish.close",
            tooltip="Close the dialog; nothing is written unless you published",
        ),
    ]

    WORKER_FAILURES: ClassVar[dict[str, str]] = {
        CHECK_GROUP: "✗ Cannot publish: {why}",
        APPLY_GROUP: "✗ Not published: {why}",
    }

    def __init__(self, incident_id: int, *, title: str, slug: str) -> None:
        super().__init__()
        self.incident_id = incident_id
        self.incident_title = title
        self.slug = slug
        self.defaults: PublishDefaults | None = None
        self._checked: tuple[PublishFields, PublishCheck] | None = None
        self._guessed: list[str] = []  # imported figures nobody checked, as last looked
        self._applying = False

    # -- building -------------------------------------------------------------------------

    @property
    def publications(self) -> Publications:
        store = workbook(self).store
        return Publications(store.engine, clock=store.clock)

    def _load_defaults(self) -> str | None:
        """Where this incident went last, else config ``docs_repo``; a problem, or None."""
        from exporters.publish.plan import publish_defaults

        docs_repo = workbook(self).settings.docs_repo
        try:
            self.defaults = publish_defaults(
                self.publications, self.incident_id, self.slug, docs_repo or None
            )
        except expected_errors() as exc:
            from exporters.publish.plan import DEFAULT_FOLDER, DEFAULT_REMOTE, default_branch

            self.defaults = PublishDefaults(
                docs_repo or "", DEFAULT_FOLDER, default_branch(self.slug), DEFAULT_REMOTE, True
            )
            return f"cannot read where this incident was published before: {describe(exc)}"
        return None

    def compose(self) -> ComposeResult:
        problem = self._load_defaults()
        defaults = self.defaults
        assert defaults is not None
        dialog = Vertical(id="publish-dialog")
        dialog.border_title = "Publish: " + literal(self.incident_title).plain
        with dialog:
            for name, label, value, placeholder in (
                ("repo", "Repo", defaults.repo, "folder of a clone of the docs repo"),
                ("branch", "Branch", defaults.branch, "review branch"),
                ("remote", "Remote", defaults.remote, "origin"),
            ):
                with Horizontal(classes="publish-row"):
                    yield Label(label)
                    yield Input(
                        value,
                        placeholder=placeholder,
                        id=f"publish-{name}",
                        compact=True,
                        select_on_focus=False,
                    )
            with Horizontal(id="publish-options"):
                yield Checkbox("Push to the remote", defaults.push, id="publish-push", compact=True)
                yield Checkbox("Redact likely secrets", id="publish-redact", compact=True)
            with VerticalScroll(id="publish-report"):
                yield OptionList(id="publish-findings", compact=True)
                yield Static(Content(problem or ""), id="publish-summary")
            yield Static(
                Content("Enter/ctrl+r: check · ctrl+s: publish · Tab: next · Esc: close"),
                id="publish-hint",
            )

    def on_mount(self) -> None:
        workbook(self).quiet_cursors(self)
        self.query_one("#publish-repo", Input).focus()
        if self.fields().repo.strip():
            self.action_check()
        else:
            self._report(
                [
                    ("Give the folder of a clone of the docs repo, then press Enter.", "bold"),
                    ("  (Set docs_repo in config.toml to have it filled in.)", "muted"),
                ]
            )

    # -- state ----------------------------------------------------------------------------

    def fields(self) -> PublishFields:
        return PublishFields(
            repo=self.query_one("#publish-repo", Input).value,
            branch=self.query_one("#publish-branch", Input).value,
            remote=self.query_one("#publish-remote", Input).value,
            push=self.query_one("#publish-push", Checkbox).value,
            redact=self.query_one("#publish-redact", Checkbox).value,
        )

    def _request(self, fields: PublishFields) -> PublishRequest:
        from exporters.publish.index_cache import default_cache_dir

        assert self.defaults is not None
        author, email, fallback = configured_identity(workbook(self).settings)
        return PublishRequest(
            repo=Path(fields.repo.strip()),
            folder=self.defaults.folder,
            branch=fields.branch.strip() or None,
            push=fields.push,
            # The remote is fetched, checked and pushed to only with Push on; off, the
            # publish stays in this clone (as `workbook publish` without --push/--remote).
            remote=(fields.remote.strip() or None) if fields.push else None,
            redact=fields.redact,
            author=author,
            email=email,
            fallback_author=fallback,
            cache_dir=default_cache_dir(),
        )

    def _report(self, lines: Lines) -> None:
        """Show lines of (text, kind); text is never read as markup."""
        parts: list[str | tuple[str, str]] = []
        for number, (line, kind) in enumerate(lines):
            if number:
                parts.append("\n")
            parts.append((line, _STYLES.get(kind, "")))
        self.query_one("#publish-summary", Static).update(Content.assemble(*parts))

    # -- checking -------------------------------------------------------------------------

    @on(Input.Changed)
    @on(Checkbox.Changed)
    def _edited(self) -> None:
        if self._checked is not None and self._checked[0] != self.fields():
            self._report(
                [("Changed since the check: press Enter or ctrl+r to check again.", "muted")]
            )

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_check()

    def action_check(self) -> None:
        if self._applying:
            return
        fields = self.fields()
        if not fields.repo.strip():
            self._report([("✗ Give the folder of a clone of the docs repo.", "error")])
            self.query_one("#publish-repo", Input).focus()
            return
        self._checked = None
        self._report([("Checking the docs repo…", "muted")])
        self._check(fields, self._request(fields), workbook(self).now())

    @work(thread=True, exclusive=True, group=CHECK_GROUP, exit_on_error=False)
    def _check(self, fields: PublishFields, request: PublishRequest, now: datetime) -> None:
        from exporters.publish.plan import check_publish
        from models.allowances import Allowances

        store = workbook(self).store
        snapshot = store.with_attachment_data(store.snapshot(self.incident_id))
        allowed = Allowances(store.engine, clock=store.clock).for_incident(self.incident_id)
        request = replace(request, allowed=allowed)
        check = check_publish(snapshot, request, self.publications, now=now)
        self.hand_over(self.RepoChecked(fields, check, guessed_figures(snapshot, now)))

    @on(RepoChecked)
    def _repo_checked(self, event: RepoChecked) -> None:
        self._guessed = event.guessed
        self._show_check(event.fields, event.check)

    def _show_check(self, fields: PublishFields, check: PublishCheck) -> None:
        if fields != self.fields():
            return  # edited while checking: the "changed" note stands
        self._checked = (fields, check)
        redact = self.query_one("#publish-redact", Checkbox)
        stopping = [f for f in check.findings if not f.allowed]
        redact.set_class(bool(stopping) or fields.redact, "-offered")
        self._show_findings(check.findings)
        if stopping and check.plan is None:
            count = len(stopping)
            self._report(
                [
                    (f"✗ {count} likely secret{'s' if count > 1 else ''}, listed above.", "error"),
                    (
                        "  Remove them in the workbook, tick “Redact likely secrets” to publish "
                        "each as [REDACTED] (the workbook keeps its own record), or highlight "
                        "one you know is harmless and press ctrl+y to allow it.",
                        "",
                    ),
                ]
            )
            return
        assert check.plan is not None
        self._report(guessed_lines(self._guessed) + plan_lines(check.plan, fields.push))

    def _show_findings(self, findings: list[SecretFinding]) -> None:
        """One line per finding (its text is never markup); allowed ones say so."""
        listing = self.query_one("#publish-findings", OptionList)
        highlighted = listing.highlighted_option
        listing.clear_options()
        listing.set_class(bool(findings), "-shown")
        for finding in findings:
            mark = "✓ allowed · " if finding.allowed else "✗ "
            listing.add_option(Option(Content(mark + finding.line()), id=finding.id))
        first_open = next((n for n, f in enumerate(findings) if not f.allowed), 0)
        ids = [f.id for f in findings]
        keep = highlighted.id if highlighted is not None else None
        if findings:
            listing.highlighted = ids.index(keep) if keep in ids else first_open

    # -- allowing -------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#publish-findings")
    def _finding_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._allow(event.option.id)

    def action_allow(self) -> None:
        option = self.query_one("#publish-findings", OptionList).highlighted_option
        if option is None:
            self._report([("No likely secret to allow.", "muted")])
            return
        self._allow(option.id)

    def _allow(self, finding_id: str | None) -> None:
        if self._applying or self._checked is None:
            return
        check = self._checked[1]
        finding = next((f for f in check.findings if f.id == finding_id), None)
        if finding is None or finding.allowed:
            return
        incident_id, allowance = self.incident_id, finding.allowance()

        def allow(store: Store) -> None:
            from models.allowances import Allowances

            Allowances(store.engine, clock=store.clock).allow(incident_id, [allowance])

        def allowed(_: None) -> None:
            if self.is_attached:
                self.action_check()

        def refused(why: str) -> None:
            if self.is_attached:
                self._report([(f"✗ Not allowed: {why}", "error")])

        self._report([(f"Allowing {finding.id}…", "muted")])
        workbook(self).writer.submit(Write(allow, allowed, refused))

    # -- publishing -----------------------------------------------------------------------

    def action_publish(self) -> None:
        if self._applying:
            return
        if self._checked is None or self._checked[0] != self.fields():
            self.action_check()  # show what would change before anything is written
            return
        fields, check = self._checked
        if check.plan is None:
            self._show_check(fields, check)  # the secrets, and how to get past them
            return
        self._applying = True
        self._report([("Publishing…", "muted")])
        self._apply(check, workbook(self).now())

    @work(thread=True, exclusive=True, group=APPLY_GROUP, exit_on_error=False)
    def _apply(self, check: PublishCheck, now: datetime) -> None:
        from exporters.publish.apply import apply_publish

        assert check.plan is not None
        self.hand_over(self.Published(apply_publish(check.plan, self.publications, now=now)))

    @on(Published)
    def _published(self, event: Published) -> None:
        self._publish_done()
        self._report(result_lines(event.result))

    def _publish_done(self) -> None:
        self._applying = False
        self._checked = None  # the branch moved: a new publish checks afresh

    # -- failures -------------------------------------------------------------------------

    def failure_reason(self, group: str, error: BaseException) -> str:
        if isinstance(error, expected_errors()):
            return describe(error)
        return f"unexpected {type(error).__name__}: {error}"  # a bug: said, not a crash

    def worker_failed(self, group: str, message: str) -> None:
        if group == APPLY_GROUP:
            self._publish_done()
        self._report(
            [(message, "error"), ("  Fix that, then press Enter or ctrl+r to check again.", "")]
        )

    def action_close(self) -> None:
        if self._applying:
            self._report([("Publishing… wait for git to finish, then Esc closes.", "warning")])
            return
        self.dismiss(None)

"""Commit the plan from the app: what changed, the message, validation, hooks, signing, tag.

The dialog first reads, off the UI thread, what a commit would take
(``tui.history.pending.preview_commit``): the semantic diff of the working tree
against HEAD (as ``quarterdeck diff`` prints it), a message made from it, the plan's
problems, and who git will record and whether it signs.  Errors block the commit unless
"commit anyway" is ticked; warnings are listed.  Committing runs
``tui.history.commit.commit_plan`` (the CLI's ``commit``) in a worker: a refusing hook,
a failed signature or a blocked repository is shown in the dialog with git's own words,
and nothing stays staged.  Dismissed with the CommitResult, or None when cancelled.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from tui.plan.problems import ERROR, PlanError
from tui.plan.safetext import visible

from ..guard import WorkerResult, result_handler
from ..palette import DEFAULT, Palette, palette_of, role_style
from ..views.history import diff_text
from ..widgets.compact import StyledOnce

MAX_PROBLEMS = 12


class PreviewReady(WorkerResult):
    def __init__(self, preview) -> None:
        super().__init__()
        self.preview = preview


class PreviewFailed(WorkerResult):
    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


class CommitDone(WorkerResult):
    def __init__(self, result) -> None:
        super().__init__()
        self.result = result


class CommitFailed(WorkerResult):
    def __init__(self, message: str, code: str) -> None:
        super().__init__()
        self.message = message
        self.code = code


def problems_text(preview, pal: Palette = DEFAULT) -> Text:
    out = Text()
    errors, warnings = preview.errors, preview.warnings
    if not errors and not warnings:
        out.append("✔ The plan is valid.", style=pal.good)
        return out
    if errors:
        out.append(f"✖ {len(errors)} error{'s' if len(errors) != 1 else ''}", style=f"bold {pal.bad}")
        out.append(" — they block the commit unless you tick “Allow errors”", style=pal.bad)
        out.append("\n")
    if warnings:
        out.append(f"▲ {len(warnings)} warning{'s' if len(warnings) != 1 else ''}", style=pal.warn)
        out.append(" (they do not block)\n", style="dim")
    shown = (errors + warnings)[:MAX_PROBLEMS]
    for p in shown:
        where = p.file + (f":{p.line}" if p.line else "")
        out.append("  ✖ " if p.severity == ERROR else "  ▲ ", style=pal.bad if p.severity == ERROR else pal.warn)
        out.append(visible(f"{where} [{p.code}] {p.message}") + "\n")
    rest = len(errors) + len(warnings) - len(shown)
    if rest > 0:
        out.append(f"  … and {rest} more (the Problems view lists them all)\n", style="dim")
    return out


def status_text(preview, unsaved: list[str], pal: Palette = DEFAULT) -> Text:
    out = Text()
    if preview.branch:
        out.append("Branch ", style="bold")
        out.append(visible(preview.branch))
    elif preview.head:
        out.append("HEAD is detached", style=f"bold {pal.bad}")
    else:
        out.append("Branch ", style="bold")
        out.append("(no commits yet)")
    out.append("   Author ", style="bold")
    out.append(visible(preview.identity) if preview.identity else "not set", style="" if preview.identity else pal.bad)
    out.append("   Signing ", style="bold")
    out.append("on (commit.gpgsign)" if preview.signing else "off")
    if unsaved:
        out.append("\n▲ Not saved yet, so not in this commit: ", style=pal.warn)
        out.append(visible(", ".join(unsaved)), style=pal.warn)
        out.append(" (save with ctrl+s first to include them)", style="dim")
    if preview.tag and preview.tag_at and preview.tag_at != preview.head:
        out.append(f"\n{visible(preview.tag)} marks {preview.tag_at[:10]} now; ticking the tag moves it to this "
                   "commit", style="dim")
    if preview.unreadable:
        out.append("\n✖ Unreadable: " + visible(", ".join(preview.unreadable)), style=pal.bad)
    if preview.blocked:
        out.append("\n✖ " + visible(preview.blocked), style=f"bold {pal.bad}")
    return out


class CommitDialog(StyledOnce, ModalScreen):
    """Commit the plan's files (see the module's text)."""

    DEFAULT_CSS = """
    .commit-dialog {
        width: 96%;
        max-width: 120;
        height: 1fr;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    .commit-dialog .dialog-title { padding: 0; }
    #commit-status { height: auto; }
    #commit-summary {
        height: 1fr;
        min-height: 4;
        border: round $primary 50%;
    }
    #commit-problems-scroll { height: auto; max-height: 5; }
    #commit-problems { height: auto; }
    .commit-options { height: auto; }
    .commit-options Checkbox { margin-right: 2; }
    #commit-output-scroll { height: auto; max-height: 10; }
    #commit-output { height: auto; }
    .commit-dialog .dialog-buttons { padding: 0; }
    """

    BINDINGS = [
        Binding("ctrl+s", "commit", "Commit", id="commit.commit", priority=True,
                tooltip="Commit the plan's files with this message (git's hooks and signing apply)"),
        Binding("escape", "cancel", "Cancel", id="commit.cancel", tooltip="Close without committing"),
    ]

    class Committed(WorkerResult):
        """A commit (or a tag) was made; posted to the app."""

        def __init__(self, result) -> None:
            super().__init__()
            self.result = result

    def __init__(self, plan_dir: Path | str, message: str | None = None, unsaved: list[str] | None = None,
                 tag: bool = False) -> None:
        super().__init__(classes="dialog-screen", id="commit-dialog")
        self.plan_dir = Path(plan_dir)
        self.message = message
        self.unsaved = list(unsaved or [])
        self.want_tag = tag
        self.preview = None
        self.running = False
        self.result = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="commit-dialog"):
            yield Static(Content("Commit the plan"), classes="dialog-title")
            yield Static(Text("Reading the working tree and git…", style="dim"), id="commit-status")
            with VerticalScroll(id="commit-summary", classes="commit-pane"):
                yield Static(Text(""), id="commit-diff")
            with VerticalScroll(id="commit-problems-scroll"):
                yield Static(Text(""), id="commit-problems")
            yield Label("Message", classes="field-title")
            yield Input(value=self.message or "", placeholder="what this revision changes", id="commit-message",
                        compact=True)
            with Horizontal(classes="commit-options"):
                yield Checkbox("Allow errors", id="commit-allow-invalid", compact=True, disabled=True)
                yield Checkbox("Tag as the quarter's final revision", id="commit-tag", compact=True,
                               value=self.want_tag, disabled=True)
            with VerticalScroll(id="commit-output-scroll"):
                yield Static(Text(""), id="commit-output")
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content("Commit (ctrl+s)"), id="commit-go", variant="primary", compact=True,
                             disabled=True)
                yield Button(Content("Cancel (esc)"), id="commit-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#commit-message", Input).focus()
        self._preview(self.plan_dir)

    # -- reading --------------------------------------------------------------------------------

    @work(thread=True, group="commit-preview")
    def _preview(self, plan_dir: Path) -> None:
        from tui.history.pending import preview_commit

        try:
            preview = preview_commit(plan_dir)
        except PlanError as exc:
            self.post_message(PreviewFailed(exc.message))
            return
        except Exception as exc:  # noqa: BLE001 - no traceback for the user
            self.post_message(PreviewFailed(f"the working tree could not be read ({type(exc).__name__}: {exc})"))
            return
        self.post_message(PreviewReady(preview))

    @on(PreviewFailed)
    @result_handler
    def _preview_failed(self, message: PreviewFailed) -> None:
        self.query_one("#commit-status", Static).update(Text("✖ " + visible(message.message), style=f"bold {palette_of(self).bad}"))

    @on(PreviewReady)
    @result_handler
    def _preview_ready(self, message: PreviewReady) -> None:
        preview = self.preview = message.preview
        if not preview.in_repo:
            self.query_one("#commit-status", Static).update(Text(
                "✖ " + visible(preview.not_repo_reason or "the plan is not in a git repository") +
                "\nStart its history with `quarterdeck init` or `git init`.", style=f"bold {palette_of(self).bad}"))
            return
        self.query_one("#commit-status", Static).update(status_text(preview, self.unsaved, palette_of(self)))
        if preview.changed:
            self.query_one("#commit-diff", Static).update(diff_text(visible(preview.diff_text)))
        else:
            self.query_one("#commit-diff", Static).update(
                Text("Nothing to commit: the plan's files are as in HEAD." +
                     (" Tick the tag to mark HEAD as the quarter's final revision." if preview.quarter else ""),
                     style="dim"))
        self.query_one("#commit-problems", Static).update(problems_text(preview, palette_of(self)))
        box = self.query_one("#commit-message", Input)
        if not box.value.strip() and preview.changed:
            box.value = preview.subject
        allow = self.query_one("#commit-allow-invalid", Checkbox)
        allow.disabled = not preview.errors
        tag = self.query_one("#commit-tag", Checkbox)
        if preview.quarter:
            label = f"Tag as {preview.tag}, final revision"
            if preview.tag_at and preview.tag_at != preview.head:
                label += " (moves it)"
            tag.label = Content(label)
            tag.disabled = False
        self._update_button()

    # -- deciding ---------------------------------------------------------------------------------

    def can_commit(self) -> tuple[bool, str]:
        p = self.preview
        if p is None:
            return False, "still reading the working tree"
        if not p.in_repo:
            return False, "the plan is not in a git repository"
        if p.blocked:
            return False, p.blocked
        if p.errors and not self.query_one("#commit-allow-invalid", Checkbox).value:
            return False, (f"the plan has {len(p.errors)} error(s); fix them, or tick “Allow errors” to commit "
                           "them as they are")
        if not p.changed and not self.query_one("#commit-tag", Checkbox).value:
            return False, "nothing to commit: the plan's files are as in HEAD"
        if self.running:
            return False, "committing…"
        return True, ""

    def _update_button(self) -> None:
        ok, _why = self.can_commit()
        self.query_one("#commit-go", Button).disabled = not ok

    @on(Checkbox.Changed)
    def _option_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self._update_button()

    @on(Input.Submitted, "#commit-message")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_commit()

    @on(Button.Pressed, "#commit-go")
    def _go(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_commit()

    @on(Button.Pressed, "#commit-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def action_cancel(self) -> None:
        if self.running:
            self.notify("The commit is running; it cannot be stopped half-way.", severity="warning", markup=False)
            return
        self.dismiss(None)

    def action_commit(self) -> None:
        ok, why = self.can_commit()
        if not ok:
            self._say(why, "warn")
            return
        p = self.preview
        message = self.query_one("#commit-message", Input).value.strip() or None
        tag = p.quarter if self.query_one("#commit-tag", Checkbox).value and p.quarter else None
        allow = bool(p.errors) and self.query_one("#commit-allow-invalid", Checkbox).value
        self.running = True
        self._update_button()
        self._say("Committing… (git runs the hooks and signs as configured)", "muted")
        self._commit(self.plan_dir, message, tag, allow, bool(tag and p.tag_at))

    @work(thread=True, group="commit")
    def _commit(self, plan_dir: Path, message: str | None, quarter: str | None, allow: bool, force_tag: bool) -> None:
        from tui.history.pending import run_commit

        try:
            result = run_commit(plan_dir, message, quarter=quarter, allow_invalid=allow, force_tag=force_tag)
        except PlanError as exc:
            self.post_message(CommitFailed(exc.message, exc.code or ""))
            return
        except Exception as exc:  # noqa: BLE001 - no traceback for the user; git says what happened
            self.post_message(CommitFailed(f"the commit failed unexpectedly ({type(exc).__name__}: {exc}); "
                                           "nothing was committed", "commit.unexpected"))
            return
        self.post_message(CommitDone(result))

    @on(CommitFailed)
    @result_handler
    def _commit_failed(self, message: CommitFailed) -> None:
        self.running = False
        self._update_button()
        self._say(message.message, "bad", title=_failure_title(message.code))

    @on(CommitDone)
    @result_handler
    def _commit_done(self, message: CommitDone) -> None:
        self.running = False
        self.result = message.result
        # whoever opened the dialog, the app learns that the history moved (its title, History view)
        self.app.post_message(self.Committed(message.result))
        self.dismiss(message.result)

    def _say(self, text: str, role: str, title: str = "") -> None:
        """The outcome below the form, in the theme's colour of ``role`` (good, warn, bad, muted)."""
        style = role_style(palette_of(self), role)
        out = Text()
        if title:
            out.append(title + "\n", style=f"bold {style}")
        out.append(visible(text), style=style)
        self.query_one("#commit-output", Static).update(out)


def _failure_title(code: str) -> str:
    return {"git.hook": "A git hook refused the commit", "git.sign": "Signing failed",
            "git.identity": "git does not know who you are", "commit.invalid": "The plan has errors",
            "git.locked": "The repository is locked", "git.tag-exists": "The quarter's tag exists",
            "git.busy": "Another commit is running"}.get(code, "Nothing was committed")


def result_lines(result) -> list[str]:
    """What a finished commit says (for a notification)."""
    lines = []
    if result.commit:
        where = f" on {result.branch}" if result.branch else ""
        lines.append(f"Committed {result.commit[:10]}{where}: {result.subject}")
    else:
        lines.append("Nothing to commit: the plan is as in HEAD")
    if result.tag:
        lines.append(f"Tagged {result.tag}")
    lines += [f"Note: {n}" for n in result.notices]
    return [visible(line) for line in lines]


__all__ = ["CommitDialog", "problems_text", "result_lines", "status_text"]

"""The weekly check-in: every key result in one sheet, new values typed, saved at once.

Each row shows a key result with its last value (the latest check-in, else ``actual``),
the value expected by today and the computed status (``tui.plan.insights.pace``), and
three inputs: the new value, a confidence from 0 to 10 and a short note.  The owner
box narrows the sheet to one owner's key results.  ctrl+s saves every row with a value
as a check-in dated today, through ``tui.plan.checkin_sheet.save_checkins`` — the same
``add_checkins`` as ``quarterdeck checkin``, surgical and under the files' locks — in a
worker; then the Commit dialog opens with "Check-in <date>" as its message.

The screen posts ``CheckinScreen.Saved`` (the files as written) so the app can take
them into its session; a file with unsaved edits in the session is not written over:
saving is refused until those edits are saved or undone.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, Input, Select, Static

from tui.plan.insights.numbers import amount
from tui.plan.model import Plan
from tui.plan.problems import PlanError
from tui.plan.safetext import visible, visible_line

from ..footer import SteadyFooter
from ..guard import WorkerResult, result_handler
from ..pacemarks import status_style
from ..palette import palette_of, role_style
from ..widgets.compact import StyledOnce, compact
from ..dialogs.choice import Choice, ChoiceScreen

ALL_OWNERS = "__all__"
LABELS = {"on_track": "on track", "at_risk": "at risk", "off_track": "off track", "done": "done",
          "not_started": "not started", "unknown": "—"}


class CheckinsWritten(WorkerResult):
    def __init__(self, plan: Plan, changes: list, date: dt.date, count: int) -> None:
        super().__init__()
        self.plan = plan
        self.changes = changes
        self.date = date
        self.count = count


class CheckinsRefused(WorkerResult):
    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


def _rounded(value: float) -> float:
    """An expected value as precise as people check in: whole from 100 up, else one decimal."""
    return float(round(value)) if abs(value) >= 100 else round(value, 1)


def _safe_id(kr_id: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in kr_id)


class CheckinRow(Horizontal):
    """One key result: what it is, where it stands, and the three inputs."""

    def __init__(self, row, currency: str, index: int) -> None:
        super().__init__(classes="checkin-row", id=f"ci-{index}-{_safe_id(row.kr_id)}")
        self.row = row
        self.currency = currency

    def compose(self) -> ComposeResult:
        r = self.row
        title = Text(visible_line(r.title or r.kr_id), no_wrap=True, overflow="ellipsis")
        title.append(f"  {visible_line(r.owner)}", style="dim")
        yield Static(title, classes="ci-title")
        last = Text(amount(r.last_value, r.unit, self.currency) if r.last_value is not None else "—",
                    justify="right")
        yield Static(last, classes="ci-last")
        expected = Text(justify="right")
        expected.append(amount(_rounded(r.expected), r.unit, self.currency) if r.expected is not None else "—")
        expected.append(" ")
        expected.append(LABELS.get(r.status, r.status), style=status_style(r.status, palette_of(self)))
        yield Static(expected, classes="ci-expected")
        yield compact(Input(placeholder="new value", classes="ci-value", select_on_focus=False, validate_on=()))
        yield compact(Input(placeholder="0-10", classes="ci-conf", max_length=2, select_on_focus=False, validate_on=()))
        yield compact(Input(placeholder="note", classes="ci-note", max_length=280, select_on_focus=False,
                            validate_on=()))

    def typed(self) -> tuple[str, str, str]:
        return (self.query_one(".ci-value", Input).value, self.query_one(".ci-conf", Input).value,
                self.query_one(".ci-note", Input).value)

    def clear(self) -> None:
        for box in self.query(Input):
            box.value = ""
        self.remove_class("-refused")


class CheckinScreen(StyledOnce, Screen):
    """Check in every key result at once (see the module's text)."""

    DEFAULT_CSS = """
    CheckinScreen { layout: vertical; }
    #checkin-top { height: 1; padding: 0 1; }
    #checkin-heading { width: 1fr; text-style: bold; }
    #checkin-owner { width: 30; }
    #checkin-columns { height: 1; padding: 0 1; color: $text-muted; text-style: bold; }
    #checkin-rows { height: 1fr; padding: 0 1; }
    .checkin-row { height: 1; }
    .checkin-row.-refused .ci-title { color: $error; }
    .ci-title { width: 2fr; min-width: 16; margin-right: 1; }
    .ci-last { width: 9; margin-right: 1; }
    .ci-expected { width: 19; margin-right: 1; }
    .ci-value { width: 12; margin-right: 1; }
    .ci-conf { width: 5; margin-right: 1; }
    .ci-note { width: 1fr; min-width: 8; }
    .checkin-row Input { background: $boost; }
    #checkin-message { height: auto; max-height: 6; padding: 0 1; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save check-ins", id="checkin.save", priority=True,
                tooltip="Save every row with a new value as a check-in dated today, then offer a commit"),
        Binding("escape", "close", "Back", id="checkin.close", tooltip="Back to the plan (asks first when values "
                "are typed but not saved)"),
        Binding("ctrl+o", "owner", "Owner", id="checkin.owner", tooltip="Show one owner's key results only"),
    ]

    class Saved(WorkerResult):
        """Check-ins were written: ``files`` are the plan files as now on disk."""

        def __init__(self, files: dict, date: dt.date, count: int) -> None:
            super().__init__()
            self.files = files
            self.date = date
            self.count = count

    def __init__(self, plan: Plan, plan_dir: Path | str, today: dt.date, *, dirty: list[str] | None = None,
                 owner: str | None = None, commit: bool = True) -> None:
        super().__init__(id="checkin-screen")
        self.plan = plan
        self.plan_dir = Path(plan_dir)
        self.today = today
        self.dirty = list(dirty or [])
        self.owner = owner
        self.offer_commit = commit
        self.saving = False
        self.last_saved: CheckinsWritten | None = None

    # -- building -----------------------------------------------------------------------------

    @property
    def currency(self) -> str:
        tf = self.plan.files.get("plan.toml")
        data = tf.data.get("plan", {}) if tf is not None else {}
        return str(data.get("currency", "")) if isinstance(data, dict) else ""

    def compose(self) -> ComposeResult:
        from tui.plan.checkin_sheet import owners

        yield Header(icon="⚓")
        names = {m.id: str(m.data.get("name") or m.id) for m in self.plan.all("member")}
        options = [(Content("Every owner"), ALL_OWNERS)] + [
            (Content(visible_line(names.get(o, o))), o) for o in owners(self.plan)]
        with Horizontal(id="checkin-top"):
            yield Static("", id="checkin-heading")
            yield Select(options, value=self.owner or ALL_OWNERS, allow_blank=False, id="checkin-owner",
                         compact=True)
        yield Horizontal(Static(Text("Key result  owner"), classes="ci-title"),
                         Static(Text("Last", justify="right"), classes="ci-last"),
                         Static(Text("Expected today", justify="right"), classes="ci-expected"),
                         Static(Text("New value"), classes="ci-value"), Static(Text("Conf"), classes="ci-conf"),
                         Static(Text("Note"), classes="ci-note"), id="checkin-columns")
        yield VerticalScroll(id="checkin-rows")
        yield Static(Text(""), id="checkin-message")
        yield SteadyFooter(compact=True)

    async def on_mount(self) -> None:
        self.sub_title = f"Check-in {self.today.isoformat()}"
        await self._fill()

    async def _fill(self, keep: dict | None = None) -> None:
        from tui.plan.checkin_sheet import sheet_rows

        rows = sheet_rows(self.plan, self.today, self.owner)
        box = self.query_one("#checkin-rows", VerticalScroll)
        await box.remove_children()
        widgets = [CheckinRow(r, self.currency, i) for i, r in enumerate(rows)]
        await box.mount_all(widgets)
        for w in widgets:
            if keep and w.row.kr_id in keep:
                value, conf, note = keep[w.row.kr_id]
                w.query_one(".ci-value", Input).value = value
                w.query_one(".ci-conf", Input).value = conf
                w.query_one(".ci-note", Input).value = note
        who = ""
        if self.owner:
            member = self.plan.find("member", self.owner)
            who = f" of {visible_line(str(member.data.get('name') or self.owner)) if member else self.owner}"
        heading = Text()
        heading.append(f"Check-in {self.today.isoformat()}", style="bold")
        heading.append(f" · {len(rows)} key result{'s' if len(rows) != 1 else ''}{who}", style="dim")
        self.query_one("#checkin-heading", Static).update(heading)
        if widgets:
            widgets[0].query_one(".ci-value", Input).focus()
        else:
            self._say("No key results to check in" + (" for this owner." if self.owner else "."), "muted")

    def rows(self) -> list[CheckinRow]:
        return list(self.query(CheckinRow))

    def typed(self) -> dict[str, tuple[str, str, str]]:
        return {w.row.kr_id: w.typed() for w in self.rows() if any(part.strip() for part in w.typed())}

    # -- moving between rows -------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        if event.key not in ("up", "down"):
            return
        focused = self.focused
        if not isinstance(focused, Input) or not isinstance(focused.parent, CheckinRow):
            return
        rows = self.rows()
        i = rows.index(focused.parent)
        j = i + (1 if event.key == "down" else -1)
        if 0 <= j < len(rows):
            event.stop()
            column = next(c for c in ("ci-value", "ci-conf", "ci-note") if focused.has_class(c))
            target = rows[j].query_one(f".{column}", Input)
            target.focus()
            rows[j].scroll_visible()

    @on(Input.Submitted)
    def _next_row(self, event: Input.Submitted) -> None:
        event.stop()
        if isinstance(event.input.parent, CheckinRow):
            rows = self.rows()
            i = rows.index(event.input.parent)
            if i + 1 < len(rows):
                rows[i + 1].query_one(".ci-value", Input).focus()

    @on(Select.Changed, "#checkin-owner")
    async def _owner_changed(self, event: Select.Changed) -> None:
        event.stop()
        owner = None if event.value in (ALL_OWNERS, Select.BLANK) else str(event.value)
        if owner == self.owner:
            return
        self.owner = owner
        await self._fill(keep=self.typed())

    def action_owner(self) -> None:
        self.query_one("#checkin-owner", Select).focus()

    # -- saving ---------------------------------------------------------------------------------

    def action_save(self) -> None:
        from tui.plan.checkin_sheet import sheet_entries

        if self.saving:
            self._say("Still saving the check-ins…", "warn")
            return
        typed = self.typed()
        entries, refused = sheet_entries(self.plan, typed, self.today)
        for w in self.rows():
            w.set_class(w.row.kr_id in refused, "-refused")
        if refused:
            lines = [f"{kr_id}: {why}" for kr_id, why in refused.items()]
            self._say("Nothing saved; fix these rows first:\n" + "\n".join(lines), "bad")
            return
        if not entries:
            self._say("Type a new value in at least one row, then ctrl+s.", "warn")
            return
        files = sorted({self.plan.get("key_result", kr_id).file for kr_id, _ in entries})
        blocked = [f for f in files if f in self.dirty]
        if blocked:
            self._say(f"{', '.join(blocked)} has edits that are not saved yet; save them (ctrl+s in the plan's "
                      "views) or undo them, then save the check-ins. Nothing was written.", "bad")
            return
        self.saving = True
        self._say(f"Saving {len(entries)} check-in{'s' if len(entries) != 1 else ''}…", "muted")
        self._save(self.plan_dir, entries, self.today)

    @work(thread=True, group="checkin-save")
    def _save(self, plan_dir: Path, entries: list, on: dt.date) -> None:
        from tui.plan.checkin_sheet import save_checkins

        try:
            plan, changes = save_checkins(plan_dir, entries, on)
        except PlanError as exc:
            self.post_message(CheckinsRefused(exc.message))
            return
        except OSError as exc:
            self.post_message(CheckinsRefused(f"the check-ins could not be written: {exc.strerror or exc}; "
                                              "nothing was changed"))
            return
        except Exception as exc:  # noqa: BLE001 - no traceback for the user
            self.post_message(CheckinsRefused(f"the check-ins could not be saved ({type(exc).__name__}: {exc}); "
                                              "nothing was changed"))
            return
        self.post_message(CheckinsWritten(plan, changes, on, len(entries)))

    @on(CheckinsRefused)
    @result_handler
    def _refused(self, message: CheckinsRefused) -> None:
        self.saving = False
        self._say(message.message, "bad")

    @on(CheckinsWritten)
    @result_handler
    async def _written(self, message: CheckinsWritten) -> None:
        self.saving = False
        self.last_saved = message
        self.plan = message.plan
        files = {c.file: message.plan.files[c.file] for c in message.changes}
        self.post_message(self.Saved(files, message.date, message.count))
        await self._fill()
        n = message.count
        self._say(f"Saved {n} check-in{'s' if n != 1 else ''} dated {message.date} in {', '.join(files)}.",
                  "good")
        if self.offer_commit:
            self.open_commit(message.date)

    def open_commit(self, date: dt.date) -> None:
        from tui.history.pending import checkin_subject

        from ..dialogs.commit import CommitDialog, result_lines

        def done(result) -> None:
            if result is not None:
                self._say("\n".join(result_lines(result)), "good")

        written = {c.file for c in self.last_saved.changes} if self.last_saved else set()
        others = [f for f in self.dirty if f not in written]
        self.app.push_screen(CommitDialog(self.plan_dir, checkin_subject(date), unsaved=others), done)

    # -- leaving ----------------------------------------------------------------------------------

    def action_close(self) -> None:
        if self.saving:
            self._say("Still saving the check-ins…", "warn")
            return
        if not self.typed():
            self.dismiss(None)
            return

        def chosen(answer: str | None) -> None:
            if answer == "discard":
                self.dismiss(None)

        self.app.push_screen(ChoiceScreen("Leave without saving the check-ins?",
                                          Text("Values are typed in some rows and not saved yet."),
                                          [Choice("discard", "Leave", "l", "error"), Choice("cancel", "Stay", "s")],
                                          focus="cancel"), chosen)

    def _say(self, text: str, role: str) -> None:
        """A message below the rows, in the theme's colour of ``role`` (good, warn, bad, muted)."""
        self.query_one("#checkin-message", Static).update(Text(visible(text), style=role_style(palette_of(self), role)))


__all__ = ["CheckinRow", "CheckinScreen", "CheckinsRefused", "CheckinsWritten"]

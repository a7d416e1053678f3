"""Who last changed an entry: "last changed <when> by <who> in <commit subject>".

Blame (``tui.history.blame``) walks the file's history, so it runs in a worker and its
answer is cached per file revision: the key is the entry, the commit HEAD points at and
the hash of the file's bytes on disk, so a commit or a save asks again and nothing else
does.  The line never waits: it says "looking…" until the answer is there, and says
nothing at all outside a git repository.

The lookup (``lastlookup.py``) starts only once the selection rests (``SETTLE_SECONDS``),
so moving through a list asks nothing; for a large file it runs in a separate process.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from rich.text import Text
from textual import work
from textual.widgets import Static
from textual.worker import WorkerState

from tui.plan.safetext import visible_line

from .guard import WorkerResult, result_handler
from .lastlookup import cache_key, last_change_of, look_up, stop_process  # noqa: F401 - also reachable here
from .palette import DEFAULT, Palette, palette_of

SETTLE_SECONDS = 0.4  # the selection rests this long before its history is looked up


class LastChangeReady(WorkerResult):
    def __init__(self, wanted: tuple, answer: tuple | None) -> None:
        super().__init__()
        self.wanted = wanted
        self.answer = answer


def when_text(iso: str, today: dt.date | None = None) -> str:
    try:
        day = dt.datetime.fromisoformat(iso).date()
    except ValueError:
        return iso[:10]
    today = today or dt.date.today()
    days = (today - day).days
    ago = "today" if days == 0 else ("yesterday" if days == 1 else (f"{days} days ago" if days > 1 else ""))
    return f"{day.isoformat()}" + (f" ({ago})" if ago else "")


def last_change_text(answer: tuple | None, today: dt.date | None = None, pal: Palette = DEFAULT) -> Text:
    out = Text(no_wrap=True, overflow="ellipsis")
    if answer is None:
        return out
    latest, pending = answer
    if latest is None:
        out.append("not committed yet", style="dim italic")
    else:
        out.append("last changed ", style="dim")
        out.append(when_text(latest.date, today))
        out.append(" by ", style="dim")
        out.append(visible_line(latest.author or latest.email or "someone"))
        out.append(" in ", style="dim")
        out.append(f"“{visible_line(latest.subject)}”")
    if pending:
        out.append(f" · {len(pending)} field{'s' if len(pending) != 1 else ''} changed since, not committed",
                   style=pal.warn)
    if latest is not None or pending:
        out.append("  (b: blame by field)", style="dim")
    return out


class LastChanged(Static):
    """One line above an entry's details; filled in by a worker (one at a time: while it
    looks, newer wishes replace older ones, and it looks up the newest before it stops)."""

    DEFAULT_CSS = """
    LastChanged { height: auto; margin-bottom: 1; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(Text(""), **kwargs)
        self.display = False
        self._lock = threading.Lock()
        self._running = False
        self._worker = None
        self.wanted: tuple | None = None
        self.today: dt.date | None = None
        self._settle = None

    def show(self, plan_dir: Path | str | None, kind: str | None, entity_id: str | None,
             today: dt.date | None = None) -> None:
        self.today = today
        if plan_dir is None or not kind or not entity_id:
            with self._lock:
                self.wanted = None
            self._set(Text(""))
            return
        wanted = (str(plan_dir), kind, entity_id)
        if wanted != self.wanted and self.display:
            self._set(Text("last changed: looking…", style="dim"))
        with self._lock:
            self.wanted = wanted
        # looked up once the selection rests: moving through a list starts no lookups
        if self._settle is not None:
            self._settle.stop()
        self._settle = self.set_timer(SETTLE_SECONDS, self._ensure_looking)

    def on_mount(self) -> None:
        # a worker is cancelled when its widget is taken off the screen (a view being
        # rebuilt): look again once it is back
        self._ensure_looking()

    def _ensure_looking(self) -> None:
        with self._lock:
            wanted = self.wanted
            worker = self._worker
            alive = self._running and worker is not None and worker.state in (WorkerState.PENDING,
                                                                                WorkerState.RUNNING)
            if wanted is None or alive:
                return
            self._running = True
        self._worker = self._look(wanted)

    @work(thread=True, group="last-change")
    def _look(self, wanted: tuple) -> None:
        while True:
            try:
                answer = look_up(*wanted)
            except Exception:  # noqa: BLE001 - the line is a courtesy: say nothing rather than fail
                answer = None
            self.post_message(LastChangeReady(wanted, answer))
            with self._lock:
                if self.wanted is None or self.wanted == wanted:
                    self._running = False
                    return
                wanted = self.wanted

    @result_handler
    def on_last_change_ready(self, message: LastChangeReady) -> None:
        if message.wanted == self.wanted:
            self._set(last_change_text(message.answer, self.today, palette_of(self)))

    def _set(self, text: Text) -> None:
        # outside a repository the line takes no room at all; one line (never wrapped) in it
        shown = bool(text.plain)
        layout = shown != self.display
        self.display = shown
        self.update(text, layout=layout)


__all__ = ["LastChanged", "last_change_of", "last_change_text"]

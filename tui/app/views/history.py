"""History: the plan's revisions in git and the semantic diff between two of them."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from tui.plan.problems import PlanError

from ..dialogs.pick import PickScreen
from ..guard import WorkerResult, result_handler
from ..present import visible

NOT_A_REPO = "not in a git repository — `quarterdeck init` or `git init` to start history"
WORKING_TREE = "working tree"

LINE_STYLES = {"+": "green", "-": "red", "~": "yellow", ">": "cyan", "!": "yellow"}


def diff_text(rendered: str) -> Text:
    """The plain-text semantic diff, coloured by each line's marker (never read as markup)."""
    out = Text()
    lines = rendered.split("\n")
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        style = ""
        if i == 0 and line.startswith("plan diff"):
            style = "bold"
        elif stripped[:1] in LINE_STYLES and not line.startswith("    "):
            style = LINE_STYLES[stripped[:1]]
        elif i == len(lines) - 1:
            style = "bold"
        out.append(line, style=style)
        if i < len(lines) - 1:
            out.append("\n")
    return out


def compute_diff(plan_dir: Path, a: str | None, b: str | None):
    """The semantic diff from revision ``a`` to ``b`` (None = the working tree)."""
    from tui.history import diff_revisions

    if a is not None:
        return diff_revisions(plan_dir, a, b)
    # the working tree as the old side: compare snapshots directly
    from tui.history.repo import PlanRepo
    from tui.history.semdiff import diff_snapshots
    from tui.history.snapshot import snapshot_at

    with PlanRepo(plan_dir) as prepo:
        return diff_snapshots(snapshot_at(prepo, None), snapshot_at(prepo, b), plan=prepo.rel or ".")


# -- messages -------------------------------------------------------------------------------------


class RevisionsLoaded(WorkerResult):
    def __init__(self, revisions: list | None, error: str | None, not_repo: bool = False) -> None:
        super().__init__()
        self.revisions = revisions
        self.error = error
        self.not_repo = not_repo


class DiffReady(WorkerResult):
    def __init__(self, generation: int, text: Text) -> None:
        super().__init__()
        self.generation = generation
        self.text = text


class QuartersLoaded(WorkerResult):
    def __init__(self, quarters: list[str], error: str | None) -> None:
        super().__init__()
        self.quarters = quarters
        self.error = error


# -- the view --------------------------------------------------------------------------------------


class HistoryView(Horizontal):
    """Left: the plan's revisions (working tree first). Right: the diff from A to B."""

    BINDINGS = [
        Binding("a", "mark('a')", "Mark A", id="history.mark_a", tooltip="Compare from the selected revision (A)"),
        Binding("b", "mark('b')", "Mark B", id="history.mark_b", tooltip="Compare to the selected revision (B)"),
        Binding("q", "compare_quarters", "Quarters", id="history.quarters",
                tooltip="Compare two quarters (their tagged final revisions)"),
        Binding("r", "reload", "Reload", id="history.reload", show=False, tooltip="Read the history again"),
    ]

    def __init__(self, id: str | None = "history-view") -> None:
        super().__init__(id=id, classes="list-detail")
        self.revisions: list = []
        self.a: str | None = "HEAD"  # revision spec; None = working tree
        self.b: str | None = None
        self.a_label = "HEAD"
        self.b_label = WORKING_TREE
        self.in_repo: bool | None = None
        self._generation = 0

    @property
    def qd(self):  # the app's state (plan folder, session) and its generic API
        return self.app  # type: ignore[return-value]

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("mark", "compare_quarters"):
            return bool(self.in_repo)
        return True

    def compose(self) -> ComposeResult:
        with Vertical(classes="lists", id="history-left"):
            with Horizontal(classes="list-toolbar"):
                yield Label(Content("Revisions"), classes="list-title")
                yield Label("", id="history-marks", classes="list-count", markup=False)
            yield OptionList(id="history-revisions")
        with VerticalScroll(classes="detail", id="history-right", can_focus=True):
            yield Static(Text("Reading the plan's history…", style="dim"), id="history-diff")

    def on_mount(self) -> None:
        self.action_reload()

    # -- loading ---------------------------------------------------------------------------

    def action_reload(self) -> None:
        self._load_revisions(self.qd.plan_dir)

    @work(thread=True, exclusive=True, group="history-log", description="_load_revisions")  # no repr of a huge Plan
    def _load_revisions(self, plan_dir: Path) -> None:
        from tui.history import list_revisions
        from tui.history.errors import NotARepositoryError

        try:
            revisions = list_revisions(plan_dir)
        except NotARepositoryError:
            self.post_message(RevisionsLoaded(None, NOT_A_REPO, not_repo=True))
            return
        except PlanError as exc:
            self.post_message(RevisionsLoaded(None, exc.message))
            return
        except Exception as exc:  # noqa: BLE001 - say what happened instead of crashing
            self.post_message(RevisionsLoaded(None, f"the history could not be read ({type(exc).__name__}: {exc})"))
            return
        self.post_message(RevisionsLoaded(revisions, None))

    @on(RevisionsLoaded)
    @result_handler
    def _revisions_loaded(self, message: RevisionsLoaded) -> None:
        message.stop()
        diff = self.query_one("#history-diff", Static)
        options = self.query_one("#history-revisions", OptionList)
        if message.revisions is None:
            self.in_repo = not message.not_repo
            self.revisions = []
            options.clear_options()
            self.query_one("#history-left").display = False
            self.set_class(message.not_repo, "-no-repo")
            self.refresh_bindings()
            self.query_one("#history-marks", Label).update("")
            diff.update(Text(message.error or "", style="yellow" if message.not_repo else "red"))
            return
        self.in_repo = True
        self.query_one("#history-left").display = True
        self.remove_class("-no-repo")
        self.refresh_bindings()
        self.revisions = message.revisions
        self._fill_options()
        self._refresh_diff()

    # -- the list ---------------------------------------------------------------------------------

    def _row_specs(self) -> list[tuple[str | None, set[str]]]:
        """For each row: its revision spec and the names that point at it."""
        rows: list[tuple[str | None, set[str]]] = [(None, {WORKING_TREE})]
        for i, rev in enumerate(self.revisions):
            names = {rev.commit, rev.short, *rev.tags, *rev.quarters}
            if i == 0:
                names.add("HEAD")
            rows.append((rev.commit, names))
        return rows

    def _marker(self, names: set[str], spec: str | None) -> str:
        out = ""
        for side, value in (("A", self.a), ("B", self.b)):
            hit = (value is None and spec is None) if value is None else (value in names and spec is not None)
            out += side if hit else " "
        return out

    def _fill_options(self) -> None:
        options = self.query_one("#history-revisions", OptionList)
        keep = options.highlighted
        options.clear_options()
        prompts = []
        for spec, names in self._row_specs():
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append(self._marker(names, spec) + " ", style="bold magenta")
            if spec is None:
                line.append("working tree", style="italic")
                line.append("  (files on disk now)", style="dim")
                if self.qd.session.dirty_files:
                    line.append("  unsaved edits are not in it: ctrl+s first", style="yellow")
            else:
                rev = next(r for r in self.revisions if r.commit == spec)
                line.append(rev.short, style="cyan")
                line.append(" " + rev.date.strftime("%Y-%m-%d") + " ", style="dim")
                for quarter in rev.quarters:
                    line.append(f"◆ {quarter} ", style="bold green")
                line.append(visible(rev.subject))
                line.append(f"  {visible(rev.author)}", style="dim")
                if rev.boundary:
                    line.append("  ┄ shallow clone: older history not fetched", style="yellow")
            prompts.append(Option(line))
        options.add_options(prompts)
        if prompts:
            options.highlighted = keep if keep is not None and keep < len(prompts) else 0
        self.query_one("#history-marks", Label).update(f"A: {self.a_label}  B: {self.b_label}")

    def action_mark(self, side: str) -> None:
        if not self.in_repo:
            return
        options = self.query_one("#history-revisions", OptionList)
        index = options.highlighted
        rows = self._row_specs()
        if index is None or index >= len(rows):
            return
        spec = rows[index][0]
        if spec is None:
            label = WORKING_TREE
        else:
            rev = self.revisions[index - 1]
            label = spec = rev.tags[0] if rev.tags else rev.short
        self.set_pair(*((spec, label, self.b, self.b_label) if side == "a" else (self.a, self.a_label, spec, label)))

    def set_pair(self, a: str | None, a_label: str, b: str | None, b_label: str) -> None:
        self.a, self.a_label, self.b, self.b_label = a, a_label, b, b_label
        if self.in_repo:
            self._fill_options()
            self._refresh_diff()

    # -- the diff ----------------------------------------------------------------------------------

    def _refresh_diff(self) -> None:
        self._generation += 1
        self.query_one("#history-diff", Static).update(
            Text(f"Comparing {self.a_label} → {self.b_label}…", style="dim"))
        self._diff_worker(self._generation, self.qd.plan_dir, self.a, self.b)

    @work(thread=True, exclusive=True, group="history-diff", description="_diff_worker")  # no repr of a huge Plan
    def _diff_worker(self, generation: int, plan_dir: Path, a: str | None, b: str | None) -> None:
        from tui.history.semdiff import render_text

        try:
            text = diff_text(render_text(compute_diff(plan_dir, a, b)))
        except PlanError as exc:
            text = Text(exc.message, style="red")
        except Exception as exc:  # noqa: BLE001
            text = Text(f"the diff could not be computed ({type(exc).__name__}: {exc})", style="red")
        self.post_message(DiffReady(generation, text))

    @on(DiffReady)
    @result_handler
    def _diff_ready(self, message: DiffReady) -> None:
        message.stop()
        if message.generation == self._generation:
            self.query_one("#history-diff", Static).update(message.text)

    # -- quarters ------------------------------------------------------------------------------------

    def action_compare_quarters(self) -> None:
        if self.in_repo is False:
            self.qd.notify(NOT_A_REPO, severity="warning", markup=False)
            return
        self._load_quarters(self.qd.plan_dir)

    @work(thread=True, exclusive=True, group="history-quarters", description="_load_quarters")  # no repr of a huge Plan
    def _load_quarters(self, plan_dir: Path) -> None:
        from tui.history import quarter_tags

        try:
            quarters = list(quarter_tags(plan_dir))
        except PlanError as exc:
            self.post_message(QuartersLoaded([], exc.message))
            return
        except Exception as exc:  # noqa: BLE001
            self.post_message(QuartersLoaded([], f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(QuartersLoaded(quarters, None))

    @on(QuartersLoaded)
    @result_handler
    def _quarters_loaded(self, message: QuartersLoaded) -> None:
        message.stop()
        if message.error:
            self.qd.notify(message.error, severity="error", markup=False)
            return
        quarters = message.quarters
        if not quarters:
            self.qd.notify("No quarter is tagged yet (tag a quarter's final revision to compare quarters).",
                           severity="warning", markup=False)
            return
        choices = quarters + [WORKING_TREE]

        def second(old: str | None) -> None:
            if old is None:
                return

            def chosen(new: str | None) -> None:
                if new is None:
                    return
                self.set_pair(old, old, None if new == WORKING_TREE else new, new)

            later = choices[choices.index(old) + 1:] or choices
            self.qd.push_screen(PickScreen("Compare to (B)", later, len(later) - 1 if later else 0), chosen)

        start = max(0, len(quarters) - 2)
        self.qd.push_screen(PickScreen("Compare quarters: from (A)", quarters, start), second)

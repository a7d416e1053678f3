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
from ..palette import DEFAULT, Palette, follow_theme, palette_of
from ..present import visible

NOT_A_REPO = "not in a git repository — `quarterdeck init` or `git init` to start history"
WORKING_TREE = "working tree"

LINE_ROLES = {"+": "good", "-": "bad", "~": "warn", ">": "accent", "!": "warn", "=": "muted"}
HEAD = "HEAD"


def summary_first(rendered: str) -> str:
    """The semantic diff with its summary ("34 added, 34 changed") right under the
    heading instead of after every change, so it is read first."""
    lines = rendered.split("\n")
    if len(lines) >= 3 and lines[0].startswith("plan diff"):
        return "\n".join([lines[0], lines[-1], ""] + lines[1:-1])
    return rendered


def diff_text(rendered: str, pal: Palette = DEFAULT) -> Text:
    """The plain-text semantic diff, coloured by each line's marker (never read as markup).
    Its summary line comes right after the heading (``summary_first``)."""
    out = Text()
    lines = summary_first(rendered).split("\n")
    for i, line in enumerate(lines):
        # the CLI's flag means nothing here: the view's key lists folded provenance
        line = line.replace("(folded; --all-fields lists each)", "(folded; f lists each)")
        stripped = line.lstrip()
        style = ""
        if i <= 1 and lines[0].startswith("plan diff"):
            style = "bold"
        elif stripped[:1] in LINE_ROLES and not line.startswith("    "):
            role = LINE_ROLES[stripped[:1]]
            style = "dim" if role == "muted" else getattr(pal, role)
        out.append(line, style=style)
        if i < len(lines) - 1:
            out.append("\n")
    return out


def quarter_defaults(quarters: list[str], plan_quarter: str | None) -> tuple[int, str]:
    """The quarter the picker starts on for A (the one before the plan's quarter, else
    the newest tagged) and why, for its hint."""
    from tui.history.quarters import is_quarter, quarter_index

    if plan_quarter and is_quarter(plan_quarter):
        before = [i for i, q in enumerate(quarters) if is_quarter(q) and quarter_index(q) < quarter_index(plan_quarter)]
        if before:
            return before[-1], f"the quarter before {plan_quarter}"
    return len(quarters) - 1, "the newest tagged quarter"


def compute_diff(plan_dir: Path, a: str | None, b: str | None, all_fields: bool = False):
    """The semantic diff from revision ``a`` to ``b`` (None = the working tree); the
    provenance a rollover sets on every carried entry is folded into one line unless
    ``all_fields``."""
    from tui.history import diff_revisions

    if a is not None:
        return diff_revisions(plan_dir, a, b, all_fields=all_fields)
    # the working tree as the old side: compare snapshots directly
    from tui.history.repo import PlanRepo
    from tui.history.semdiff import diff_snapshots
    from tui.history.snapshot import snapshot_at

    with PlanRepo(plan_dir) as prepo:
        return diff_snapshots(snapshot_at(prepo, None), snapshot_at(prepo, b), plan=prepo.rel or ".",
                              all_fields=all_fields)


# -- messages -------------------------------------------------------------------------------------


class RevisionsLoaded(WorkerResult):
    def __init__(self, revisions: list | None, error: str | None, not_repo: bool = False) -> None:
        super().__init__()
        self.revisions = revisions
        self.error = error
        self.not_repo = not_repo


class DiffReady(WorkerResult):
    def __init__(self, generation: int, text: Text, rendered: str | None = None) -> None:
        super().__init__()
        self.generation = generation
        self.text = text
        self.rendered = rendered  # the plain diff, to colour again when the theme changes


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
        Binding("f", "all_fields", "Fold", id="history.fields", show=False,
                tooltip="List the provenance every carried entry repeats, or fold it into one line again"),
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
        self._rendered: str | None = None
        self.all_fields = False  # f: list folded provenance entry by entry

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
        follow_theme(self, self._restyle)
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
            pal = palette_of(self.app)
            diff.update(Text(message.error or "", style=pal.warn if message.not_repo else pal.bad))
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
        pal = palette_of(self.app)
        for spec, names in self._row_specs():
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append(self._marker(names, spec) + " ", style=f"bold {pal.accent}")
            if spec is None:
                line.append("working tree", style="italic")
                line.append("  (files on disk now)", style="dim")
                if self.qd.session.dirty_files:
                    line.append("  unsaved edits are not in it: ctrl+s first", style=pal.warn)
            else:
                rev = next(r for r in self.revisions if r.commit == spec)
                line.append(rev.short, style=pal.accent)
                line.append(" " + rev.date.strftime("%Y-%m-%d") + " ", style="dim")
                for quarter in rev.quarters:
                    line.append(f"◆ {quarter} ", style=f"bold {pal.good}")
                line.append(visible(rev.subject))
                line.append(f"  {visible(rev.author)}", style="dim")
                if rev.boundary:
                    line.append("  ┄ shallow clone: older history not fetched", style=pal.warn)
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
        # a loading indicator over the diff while it is worked out in a thread (the list
        # and every key stay live: mark another pair and this one is dropped)
        self.query_one("#history-right").loading = True
        self._diff_worker(self._generation, self.qd.plan_dir, self.a, self.b, palette_of(self.app), self.all_fields)

    @work(thread=True, exclusive=True, group="history-diff", description="_diff_worker")  # no repr of a huge Plan
    def _diff_worker(self, generation: int, plan_dir: Path, a: str | None, b: str | None, pal: Palette,
                     all_fields: bool = False) -> None:
        from tui.history.semdiff import render_text

        rendered = None
        try:
            rendered = render_text(compute_diff(plan_dir, a, b, all_fields))
            text = diff_text(rendered, pal)
        except PlanError as exc:
            text = Text(exc.message, style=pal.bad)
        except Exception as exc:  # noqa: BLE001
            text = Text(f"the diff could not be computed ({type(exc).__name__}: {exc})", style=pal.bad)
        self.post_message(DiffReady(generation, text, rendered))

    @on(DiffReady)
    @result_handler
    def _diff_ready(self, message: DiffReady) -> None:
        message.stop()
        if message.generation == self._generation:
            self.query_one("#history-right").loading = False
            self._rendered = message.rendered
            self.query_one("#history-diff", Static).update(message.text)

    def action_all_fields(self) -> None:
        self.all_fields = not self.all_fields
        if self.in_repo:
            self._refresh_diff()

    def _restyle(self) -> None:
        """The theme changed: the revisions and the diff in its colours."""
        if self.in_repo:
            self._fill_options()
        if self._rendered is not None:
            self.query_one("#history-diff", Static).update(diff_text(self._rendered, palette_of(self.app)))

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
        start, why = quarter_defaults(quarters, self.qd.plan.quarter if self.qd.plan is not None else None)
        head_label = "HEAD — the latest commit"
        if self.revisions and self.revisions[0].quarters:
            head_label += f" (tagged {', '.join(self.revisions[0].quarters)})"

        def second(old: str | None) -> None:
            if old is None:
                return

            def chosen(new: str | None) -> None:
                if new is None:
                    return
                label = {HEAD: "HEAD", WORKING_TREE: WORKING_TREE}.get(new, new)
                self.set_pair(old, old, None if new == WORKING_TREE else new, label)

            # only what comes after A: the later quarters, the latest commit, the files on disk
            later = quarters[quarters.index(old) + 1:]
            names = later + [HEAD, WORKING_TREE]
            labels = [f"{q} (tagged quarter)" for q in later] + [
                head_label, "working tree — the files on disk (unsaved edits are not in it)"]
            first = len(later) - 1 if later else len(later)  # the latest tag after A, else HEAD
            self.qd.push_screen(PickScreen(f"Compare {old} to (B)", names, first, labels,
                                           hint="starts on the latest tagged quarter after A, else HEAD"), chosen)

        self.qd.push_screen(PickScreen("Compare quarters: from (A)", quarters, start,
                                       hint=f"starts on {why}"), second)

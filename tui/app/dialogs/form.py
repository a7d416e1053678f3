"""Forms generated from the JSON Schema: one control per field, checked as you type.

The form knows nothing of particular kinds: ``formspec.form_fields`` lists the fields
in schema order and says which control fits each.  Applying hands only the fields
whose value changed to the app, which stages them with the core's set_field /
unset_field (or add_entity for a new entity).

Keys that reach the app through tmux and ssh: ctrl+j applies (ctrl+enter arrives as a
plain Enter there, so it is only an alias), Enter in a one-line field applies too,
ctrl+s applies and saves, Esc cancels (asking first when something was changed).

A form opens at once with its first fields; the others are mounted right after the
first frame, a few at a time, with a loading line until they are all there.  The
plan's cross-file rules (owners' teams, shared goals, dates in the quarter, ...) run on
a fork of the plan holding the form's values, in a thread, a moment after each change.
"""

from __future__ import annotations

import copy
import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Input,
    Label,
    LoadingIndicator,
    Select,
    SelectionList,
    Static,
    Switch,
    TextArea,
)
from textual.widgets.selection_list import Selection

from tui.plan import ops
from tui.plan.edit import EditError
from tui.plan.model import Plan
from tui.plan.problems import ERROR
from tui.plan.registry import KINDS, Kind
from tui.plan.safetext import is_safe, visible

from ..footer import SteadyFooter
from ..formspec import (
    BIG_PICK_LIST,
    FieldError,
    FieldSpec,
    apply_values,
    check_entity,
    check_new_id,
    check_ref,
    check_value,
    child_steps,
    choices,
    duplicate_ids,
    form_fields,
    item_fields,
    owner_team,
    parse_text,
    ref_targets,
    rule_findings,
    run_child_steps,
    steps_summary,
    to_text,
    value_at,
)
from ..palette import palette_of
from ..present import fmt
from ..widgets import Column, Picker, RowsEditor
from ..widgets.compact import StyledOnce, compact
from .choice import Choice, ChoiceScreen

EDITOR_HINT = "ctrl+o opens it in $EDITOR"
FIRST_FIELDS = 4  # fields in the form's first frame (what a short screen shows); the rest follow right after it
HEAVY = ("long_text", "text_list", "refs", "tables", "children")  # controls that count as two (and take more room)
MORE_FIELDS = 50  # fields mounted per step after that
BUSY_AFTER = 0.2  # seconds of work before the loading indicator shows
RULES_AFTER = 0.15  # seconds after the last change before the rules run


def external_edit(text: str, editor: str, suffix: str = ".txt") -> str | None:
    """Run ``editor`` on a temp file holding ``text``; the edited text, or None if the
    editor failed.  (Called while the app is suspended.)"""
    fd, name = tempfile.mkstemp(prefix="quarterdeck-", suffix=suffix)
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        result = subprocess.run([*shlex.split(editor), str(path)])
        if result.returncode != 0:
            return None
        edited = path.read_text(encoding="utf-8")
        # editors add a final newline; keep the original ending
        if not text.endswith("\n") and edited.endswith("\n"):
            edited = edited[:-1]
        return edited
    finally:
        path.unlink(missing_ok=True)


class FieldsForm(StyledOnce, ModalScreen):
    """What every generated form shares: a field per FieldSpec, read and checked as
    you type, mounted in steps, Esc asking before changes are dropped."""

    # no width/height classes on a form: setting them restyled every widget of it once more
    # before its first frame, and no rule of a dialog reads them
    HORIZONTAL_BREAKPOINTS: list = []
    VERTICAL_BREAKPOINTS: list = []
    # no automatic focus: it chose the fields' scrolling container, and focusing it restyled
    # every field before the first frame; first_focus puts the cursor in the first field
    AUTO_FOCUS = ""

    FORM_BINDINGS = [
        Binding("ctrl+j,ctrl+enter", "apply", "Apply", id="form.apply", priority=True,
                tooltip="Stage the changed fields in memory (Enter in a one-line field does it too)"),
        Binding("escape", "cancel", "Cancel", id="form.cancel",
                tooltip="Close the form; asks first when something was changed"),
        Binding("ctrl+o", "external_editor", "$EDITOR", id="form.editor",
                tooltip="Edit the focused text in your $VISUAL/$EDITOR"),
    ]

    def __init__(self, plan: Plan, schemas, specs: list[FieldSpec], data: dict, *, classes: str = "") -> None:
        super().__init__(classes=f"dialog-screen form-screen {classes}".strip())
        self.plan = plan
        self.schemas = schemas
        self.data = data
        self.specs = specs
        self.by_id = {s.dom_id: s for s in self.specs}
        self.errors: dict[str, str] = {}
        self.rule_marks: dict[str, str] = {}  # dom_id -> a rule's problem shown on the field
        self.escaped: dict[str, str] = {}  # fields shown with control characters as escapes
        self.busy = False
        self.loaded = False  # every field is mounted
        self._pending: list[FieldSpec] = []
        self._busy_timer = None
        self._rules_timer = None
        self._rules_gen = 0
        # each field's control and box, kept when built: a query walks the whole form
        self._controls: dict[str, Widget] = {}
        self._boxes: dict[str, Widget] = {}
        self._marked: dict[str, tuple[str, bool]] = {}  # box id -> (problem, rule) shown

    def _on_resize(self, event: events.Resize) -> None:
        """An opaque form hides the screens below it: they are laid out again when they
        show (when the form closes), not on every resize of the form (its first one too)."""
        if self.styles.background.a < 1:
            return  # the screen's own handler (it runs after this one) does it all
        event.prevent_default()
        event.stop()
        self._screen_resized(event.size)

    # -- building --------------------------------------------------------------------

    def _widgets(self, specs: list[FieldSpec]) -> list[Widget]:
        """Section headings and field boxes of ``specs``, in order (a heading where the
        section changes from the field before)."""
        out: list[Widget] = []
        for spec in specs:
            n = self.specs.index(spec)
            before = self.specs[n - 1].section if n else ""
            if spec.section and spec.section != before:
                out.append(Static(Content(spec.section), classes="form-section"))
            out.append(self._field_box(spec))
        return out

    def compose_fields(self) -> ComposeResult:
        """The fields of the first frame, and a loading line when more follow.  The
        others are built only when they are mounted (building a control costs too)."""
        n = first_count(self.specs)
        yield from self._widgets(self.specs[:n])
        self._pending = self.specs[n:]
        if self._pending:
            with Horizontal(id="form-loading"):
                yield LoadingIndicator()
                yield Label("more fields…", markup=False)

    def _field_box(self, spec: FieldSpec) -> Widget:
        value = value_at(self.data, spec.path)
        control = self._control(spec, value)
        title = spec.title + (" *" if spec.required else "")
        help_text = spec.description
        if spec.control == "long_text":
            help_text = f"{help_text} ({EDITOR_HINT})" if help_text else EDITOR_HINT
        elif spec.control == "text_list":
            help_text = f"{help_text} One entry per line." if help_text else "One entry per line."
        elif spec.control == "refs" and isinstance(control, TextArea):
            help_text = f"{help_text} One id per line."
        elif spec.control == "toml":
            help_text = f"{help_text} Written as a TOML value, e.g. {{ key = \"value\" }}."
        elif spec.control in ("tables", "children"):
            keys = "a adds, enter edits, x removes" + (", shift+up/down (or - +) move" if _movable(spec) else "")
            help_text = f"{help_text} ({keys})" if help_text else keys
        elif spec.control == "ref" and owner_team(spec):
            help_text = f"{help_text} Only members of the {owner_team(spec)} team are offered.".strip()
        # the problem line (.field-error) is added under the control when there is one
        parts = [Label(title, classes="field-title", markup=False), control]
        if help_text:
            parts.append(Static(Text(help_text), classes="field-help"))
        box = Vertical(*parts, classes=f"field field-{spec.control}", id=f"box-{spec.dom_id}")
        self._controls[spec.dom_id] = control
        self._boxes[f"box-{spec.dom_id}"] = box
        return box

    def _shown(self, spec: FieldSpec, value) -> str:
        """The text a field starts with.  Control characters never reach the terminal:
        a value holding some is shown with them as escapes (``\\x1b``), and kept as it
        is unless the field is edited."""
        text = to_text(spec, value)
        if is_safe(text):
            return text
        shown = visible(text)
        self.escaped[spec.dom_id] = shown
        return shown

    def _input(self, text: str, wid: str, placeholder: str = "") -> Input:
        # no select-on-focus: a second key press adds to the value instead of replacing it
        return compact(Input(text, id=wid, placeholder=placeholder, select_on_focus=False, validate_on=()))

    def _control(self, spec: FieldSpec, value) -> Widget:
        c = spec.control
        wid = spec.dom_id
        if c == "enum":
            options = [(Text(fmt(v)), v) for v in spec.enum]
            if value is not None and value not in spec.enum:
                options.append((Text(f"{fmt(value)} (not allowed)"), value))
            return Picker(options, value=value if value is not None else Picker.NULL, id=wid, title=spec.title,
                          allow_blank=not (spec.required and value is not None))
        if c == "bool":
            return Switch(bool(value), id=wid)
        if c == "ref":
            targets = choices(self.plan, spec)  # only what the rules allow (e.g. the owner's team)
            options = [(Text(f"{visible(label)} ({visible(tid)})" if label != tid else visible(tid)), tid)
                       for tid, label in targets]
            if value is not None and value not in {t for t, _ in targets}:
                why = "not found" if self.plan.find(spec.ref_kind, value) is None and spec.ref_kind != "stage" \
                    and value not in self.plan.stages else "not allowed here"
                options.append((Text(f"{fmt(value)} ({why})"), value))
            return Picker(options, value=value if value is not None else Picker.NULL, id=wid, title=spec.title,
                          allow_blank=not (spec.required and value is not None))
        if c == "refs":
            targets = choices(self.plan, spec)
            current = value if isinstance(value, list) else []
            if len(targets) > BIG_PICK_LIST:
                return compact(TextArea(self._shown(spec, value), id=wid, soft_wrap=True))
            selections = [Selection(Text(f"{visible(label)} ({visible(tid)})" if label != tid else visible(tid)), tid,
                                    tid in current)
                          for tid, label in targets]
            known = {t for t, _ in targets}
            selections += [Selection(Text(f"{fmt(v)} (not found)"), v, True) for v in current if v not in known]
            return compact(SelectionList(*selections, id=wid))
        if c in ("long_text", "text_list"):
            return compact(TextArea(self._shown(spec, value), id=wid, soft_wrap=True))
        if c == "tables":
            columns = [Column(s.key, s.title) for s in item_fields(self.schemas, spec, self.plan, None)
                       if s.control not in ("toml", "tables", "long_text")][:4]
            return RowsEditor(value if isinstance(value, list) else None, columns, noun=_noun(spec), id=wid,
                              movable=_movable(spec))
        if c == "children":  # a goal's key results: the list's own columns, each row that kind's sub-form
            child = KINDS[spec.child_kind]
            columns = [Column(key, child.column_title(key)) for key in child.list_columns][:4]
            return RowsEditor(value if isinstance(value, list) else None, columns, noun=child.title.lower(), id=wid)
        placeholder = {"date": "YYYY-MM-DD", "integer": "a whole number", "number": "a number",
                       "toml": "a TOML value"}.get(c, "")
        node = spec.node
        bounds = [f"≥ {node['minimum']}" if "minimum" in node else "", f"> {node['exclusiveMinimum']}"
                  if "exclusiveMinimum" in node else "", f"≤ {node['maximum']}" if "maximum" in node else ""]
        bounds = [b for b in bounds if b]
        if bounds and c in ("integer", "number"):
            placeholder += " (" + ", ".join(bounds) + ")"
        return self._input(self._shown(spec, value), wid, placeholder)

    def on_mount(self) -> None:
        self.first_focus()
        if self._pending:
            self.call_after_refresh(self._mount_more)  # the footer comes with the next fields
        else:
            self.call_after_refresh(self._mount_footer)
            self._all_mounted()

    async def _mount_footer(self) -> None:
        """The footer, after the first frame (it builds a widget per key shown)."""
        if self.is_attached and not self.query(Footer):
            await self.mount(SteadyFooter())

    async def _mount_more(self) -> None:
        """Mount the next few fields; again after the next frame until all are there."""
        if not self.is_attached or not self._pending:
            return
        batch, self._pending = self._pending[:MORE_FIELDS], self._pending[MORE_FIELDS:]
        batch = self._widgets(batch)
        await self._mount_footer()
        loading = self.query("#form-loading")
        fields = self.query_one("#form-fields")
        if loading:
            await fields.mount_all(batch, before=loading.first())
        else:
            await fields.mount_all(batch)
        if self._pending:
            self.call_after_refresh(self._mount_more)
            return
        if loading:
            # not awaited: this runs after a refresh, in the screen's own task, and waiting
            # there for a removal is what once left the footer's screen waiting for good
            loading.first().remove()
        self._all_mounted()

    def _all_mounted(self) -> None:
        self.loaded = True
        for spec in self.specs:  # show problems with the current values at once
            if value_at(self.data, spec.path) is not None:
                self._check(spec)
        self.fields_ready()

    def first_focus(self) -> None:
        """Focus the first field (called when the first frame's fields are mounted)."""
        focusable = [w for w in self.query("#form-fields *") if w.focusable]
        if focusable:
            focusable[0].focus()

    def fields_ready(self) -> None:
        """Called once every field is mounted and checked."""
        self.schedule_rules()

    def _spec_for(self, field: str) -> FieldSpec | None:
        for spec in self.specs:
            if field == spec.key or field.startswith(spec.key + ".") or spec.key.startswith(field + "."):
                return spec
        return None

    # -- reading and checking ---------------------------------------------------------------

    def read(self, spec: FieldSpec):
        """The field's value (None when empty); FieldError when it cannot be one."""
        widget = self._controls.get(spec.dom_id)
        if widget is None or not widget.is_attached:  # not mounted yet: the value as it is
            return value_at(self.data, spec.path)
        if isinstance(widget, Picker):
            return None if widget.value is Picker.NULL else widget.value
        if isinstance(widget, Select):
            return None if widget.value is Select.NULL else widget.value
        if isinstance(widget, Switch):
            if not widget.value and value_at(self.data, spec.path) is None:
                return None
            return widget.value
        if isinstance(widget, SelectionList):
            chosen = list(widget.selected)
            before = value_at(self.data, spec.path) or []
            ordered = [v for v in before if v in chosen] + [v for v in chosen if v not in before]
            return ordered or None
        if isinstance(widget, RowsEditor):
            before = value_at(self.data, spec.path)
            if isinstance(before, list) and widget.rows == before:
                return before  # untouched (also an empty list written in the file)
            return widget.value
        if isinstance(widget, (TextArea, Input)):
            text = widget.text if isinstance(widget, TextArea) else widget.value
            if self.escaped.get(spec.dom_id) == text:
                return value_at(self.data, spec.path)  # shown escaped, not edited: the value as it is
            return parse_text(spec, text)
        return value_at(self.data, spec.path)  # read-only fields keep their value

    def _check(self, spec: FieldSpec) -> str:
        try:
            value = self.read(spec)
            problem = check_value(spec, value)
            if not problem and spec.ref_kind:  # must exist; the owner's team is a rule (shown, not blocking)
                problem = check_ref(spec, value, [t for t, _ in ref_targets(self.plan, spec.ref_kind)])
            if not problem and spec.control == "children" and isinstance(value, list):
                problem = duplicate_ids(KINDS[spec.child_kind], value)
        except FieldError as exc:
            problem = str(exc)
        if problem:
            self.errors[spec.dom_id] = problem
        else:
            self.errors.pop(spec.dom_id, None)
        self._show(spec.dom_id)
        return problem

    def _show(self, dom_id: str) -> None:
        """A field's own problem, else a rule's problem about it, beside the field."""
        problem = self.errors.get(dom_id, "")
        rule = self.rule_marks.get(dom_id, "") if not problem else ""
        self._mark(f"box-{dom_id}", problem or rule, rule=bool(rule))

    def _mark(self, box_id: str, problem: str, rule: bool = False) -> None:
        if self._marked.get(box_id, ("", False)) == (problem, rule):
            return  # shown already (restyling a field that did not change costs a frame)
        try:
            box = self._boxes.get(box_id) or self.query_one(f"#{box_id}")
            if not box.is_attached:
                return
            found = box.query_children(".field-error")
        except Exception:  # noqa: BLE001 - the form may be closing, or the field not mounted yet
            return
        self._marked[box_id] = (problem, rule)
        box.set_class(bool(problem), "-invalid")
        box.set_class(rule, "-rule")
        if found:
            found.first(Label).update(problem)
        elif problem and len(box.children) > 1:
            box.mount(Label(problem, classes="field-error", markup=False), after=box.children[1])

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    @on(Picker.Changed)
    @on(Switch.Changed)
    @on(SelectionList.SelectedChanged)
    @on(RowsEditor.Changed)
    def _changed(self, event) -> None:
        widget = event.control if hasattr(event, "control") else None
        wid = getattr(widget, "id", None)
        if self.field_changed(wid):
            return
        spec = self.by_id.get(wid or "")
        if spec is not None:
            self._check(spec)
            self.schedule_rules()

    def field_changed(self, wid: str | None) -> bool:
        """A control that is not one of the specs changed; True when handled."""
        return False

    def dirty(self) -> bool:
        """Something was changed (text that is not a value yet counts)."""
        for spec in self.specs:
            try:
                if self.read(spec) != value_at(self.data, spec.path):
                    return True
            except FieldError:
                return True
        return False

    def current(self) -> dict:
        """The data as the form would leave it (fields that do not read yet: as before)."""
        values = {}
        for spec in self.specs:
            try:
                values[spec.path] = self.read(spec)
            except FieldError:
                continue
        return apply_values(self.data, values)

    # -- rows of an array of tables ------------------------------------------------------------

    @on(RowsEditor.EditRow)
    def _edit_row(self, event: RowsEditor.EditRow) -> None:
        event.stop()
        editor = event.editor
        spec = self.by_id.get(editor.id or "")
        if spec is None:
            return
        row = editor.rows[event.index] if event.index is not None else None
        sub = RowFormScreen(self.plan, self.schemas, spec, row if isinstance(row, dict) else None)

        def put_back(result) -> None:
            if isinstance(result, dict):
                editor.set_row(event.index, result)
            editor.table.focus()

        self.app.push_screen(sub, put_back)

    # -- the plan's rules ------------------------------------------------------------------------------

    def schedule_rules(self) -> None:
        if self._rules_timer is not None:
            self._rules_timer.stop()
        self._rules_timer = self.set_timer(RULES_AFTER, self._run_rules)

    def _run_rules(self) -> None:
        target = self.rules_target()
        if target is None:
            return
        kind, entity_id, data = target
        self._rules_gen += 1
        self._rules_worker(kind, entity_id, data, self._rules_gen)

    def rules_target(self) -> tuple[Kind, str | None, dict] | None:
        """(kind, entity id, data) the rules check; None: no rules for this form."""
        return None

    @work(thread=True, group="form-rules")
    def _rules_worker(self, kind: Kind, entity_id: str | None, data: dict, gen: int) -> None:
        try:
            found = rule_findings(self.plan, self.schemas, kind, entity_id, data)
        except Exception as exc:  # noqa: BLE001 - a rule that cannot run must not break the form
            found = exc
        try:
            self.app.call_from_thread(self._show_rules, found, gen)
        except Exception:  # noqa: BLE001 - the app is closing
            pass

    def _show_rules(self, found, gen: int) -> None:
        if not self.is_attached or gen != self._rules_gen:  # closed, or values newer than these
            return
        try:
            box = self.query_one("#form-rules", Static)
        except Exception:  # noqa: BLE001 - closing
            return
        if isinstance(found, Exception):
            box.update(Text(f"The plan's rules could not be checked: {found}", style="italic"))
            return
        marks: dict[str, str] = {}
        lines = Text()
        for p in found:
            spec = self._spec_for(p.field) if p.field else None
            if spec is not None and p.severity == ERROR:
                marks.setdefault(spec.dom_id, p.message)
            where = f"{p.field}: " if p.field else ""
            if lines:
                lines.append("\n")
            lines.append("✖ " if p.severity == ERROR else "▲ ", style=f"bold {palette_of(self).bad}" if p.severity == ERROR else f"bold {palette_of(self).warn}")
            lines.append(visible(where + p.message))
        old, self.rule_marks = self.rule_marks, marks
        for dom_id in set(old) | set(marks):
            self._show(dom_id)
        box.update(lines)
        box.display = bool(found)

    # -- closing -------------------------------------------------------------------------------

    def action_cancel(self) -> None:
        if self.busy:
            return
        if not self.dirty():
            self.dismiss(None)
            return

        def answered(choice: str | None) -> None:
            if choice == "discard":
                self.dismiss(None)
            elif choice == "apply":
                self.action_apply()

        self.app.push_screen(ChoiceScreen(
            "Discard your changes?", "This form has changes that are not applied yet.",
            [Choice("keep", "Keep editing", "k", "primary"), Choice("apply", "Apply", "a"),
             Choice("discard", "Discard", "d", "error")], cancel="keep", id="form-discard"), answered)

    def action_apply(self) -> None:  # pragma: no cover - each form has its own
        raise NotImplementedError

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        """Enter in a one-line field applies the form."""
        event.stop()
        self.action_apply()

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "external_editor":
            return isinstance(self.focused, TextArea)
        return True

    def _validate_all(self, extra: str = "", extra_widget: str = "") -> bool:
        bad = [spec for spec in self.specs if self._check(spec)]
        if bad or extra:
            count = len(bad) + (1 if extra else 0)
            self.query_one("#form-error", Label).update(f"Fix the {count} marked field{'s' if count != 1 else ''} first.")
            first = self.query_one(extra_widget) if extra else self.query_one(f"#{bad[0].dom_id}")
            if first.focusable:
                first.focus()
            elif isinstance(first, RowsEditor):
                first.focus()
            return False
        return True

    def action_external_editor(self) -> None:
        area = self.focused
        if not isinstance(area, TextArea):
            return
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not editor:
            self.app.notify("Set $EDITOR (or $VISUAL) to edit text in your own editor.", severity="warning",
                            markup=False)
            return
        try:
            with self.app.suspend():
                edited = external_edit(area.text, editor)
        except SuspendNotSupported:
            self.app.notify("This terminal cannot hand over to an editor.", severity="warning", markup=False)
            return
        except OSError as exc:
            self.app.notify(f"Could not run {editor}: {exc.strerror}", severity="error", markup=False)
            return
        if edited is None:
            self.app.notify("The editor reported an error; the text is unchanged.", severity="warning", markup=False)
            return
        area.text = edited
        self.app.refresh()


def warm_styles(app) -> None:
    """Have the default styles of a form's widgets parsed before the first form opens.
    Textual adds a widget class's ``DEFAULT_CSS`` to the stylesheet, and parses it again,
    when the first widget of that class is mounted: for the first form, 10 to 20 ms of its
    first frame (the modal screen, its buttons, pickers and loading line), and a reparse
    again for each table of rows.  Called once, while the user reads the plan after its
    first check."""
    makers = (ModalScreen, Button, LoadingIndicator, lambda: Picker([]), Switch, TextArea, SelectionList,
              lambda: RowsEditor(None, [], noun="row"), DataTable)
    sheet = app.stylesheet
    for make in makers:
        try:
            node = make()
        except Exception:  # noqa: BLE001 - a widget that cannot be made here is styled when first mounted
            continue
        for read_from, css, tie_breaker, scope in node._get_default_css():
            sheet.add_source(css, read_from=read_from, is_default_css=True, tie_breaker=tie_breaker, scope=scope)
    _ = sheet.rules  # parsed on being read after a change: now, not in the first form's frame


def first_count(specs: list[FieldSpec]) -> int:
    """How many fields the first frame holds: FIRST_FIELDS, a text area or a table of rows
    counting as two (never fewer than one)."""
    weight = 0
    for n, spec in enumerate(specs):
        weight += 2 if spec.control in HEAVY else 1
        if weight > FIRST_FIELDS:
            return max(1, n)
    return len(specs)


def _movable(spec: FieldSpec) -> bool:
    """May the rows be reordered?  Not those that go by date (check-ins): their order is the
    calendar's."""
    if spec.control == "children":
        return True
    return not any(ids == ("date",) for k in KINDS.values() for key, ids in k.identities.items()
                   if key == spec.path[-1])


def _noun(spec: FieldSpec) -> str:
    """What one row of an array is called: "member" for a committee, else the title."""
    title = spec.title.lower()
    return {"committee": "member", "buying committee": "member", "proof points": "proof point",
            "check-ins": "check-in", "checkins": "check-in"}.get(title, title.rstrip("s") or "row")


class FormScreen(FieldsForm):
    """Edit an entity (``entity_id`` given) or add one (``entity_id`` None)."""

    BINDINGS = [
        FieldsForm.FORM_BINDINGS[0],
        Binding("ctrl+s", "apply_and_save", "Apply & save", id="form.save", priority=True,
                tooltip="Stage the changed fields and save every edited file"),
        *FieldsForm.FORM_BINDINGS[1:],
    ]

    def __init__(self, plan: Plan, schemas, kind: Kind, entity_id: str | None = None, *,
                 parent_id: str | None = None, focus_field: str | None = None) -> None:
        self.kind = kind
        self.entity_id = entity_id
        self.adding = entity_id is None
        self.entity = plan.get(kind.name, entity_id) if entity_id is not None or kind.singleton else None
        if kind.singleton:
            self.adding = False
        data = self.entity.data if self.entity is not None else {}
        super().__init__(plan, schemas, form_fields(schemas, kind, plan, data, only_required=self.adding), data)
        self.parent_id = parent_id
        self.focus_field = focus_field

    # -- building --------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        if self.adding:
            title = f"New {self.kind.title.lower()}"
        elif self.kind.singleton:
            title = f"Edit {self.kind.title}"
        else:
            title = f"Edit {self.kind.title.lower()} · {visible(self.entity.id)}"
        with Vertical(classes="dialog form-dialog"):
            yield Static(Content(title), classes="dialog-title")
            with VerticalScroll(id="form-fields"):
                if self.adding:
                    yield from self._id_fields()
                yield from self.compose_fields()
            yield Static("", id="form-rules")
            yield Label("", id="form-error", classes="field-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield LoadingIndicator(id="form-busy")
                yield compact(Button(Content("Add (ctrl+j)" if self.adding else "Apply (ctrl+j)"), id="apply",
                                     variant="primary"))
                yield compact(Button(Content("Apply & save (ctrl+s)"), id="apply-save"))
                yield compact(Button(Content("Cancel (esc)"), id="cancel"))

    def _id_fields(self) -> ComposeResult:
        if self.kind.addressed_by_parent:
            parent_kind = KINDS[self.kind.parent]
            options = [(Text(f"{visible(e.label)} ({visible(e.id)})"), e.id) for e in self.plan.all(parent_kind.name)]
            box = Vertical(classes="field", id="box-parent")
            with box:
                yield Label(f"{parent_kind.title} *", classes="field-title", markup=False)
                yield Picker(options, value=self.parent_id if self.parent_id else Picker.NULL, id="parent",
                             allow_blank=self.parent_id is None, title=parent_kind.title)
                yield Label("", classes="field-error", markup=False)
                yield Static(Text(f"The {parent_kind.title.lower()} this belongs to."), classes="field-help")
        with Vertical(classes="field", id="box-new-id"):
            yield Label("ID *", classes="field-title", markup=False)
            yield self._input("", "new-id", "e.g. harbor-hvac")
            yield Label("", classes="field-error", markup=False)
            yield Static(Text("A short unique slug: lower-case letters, digits and single hyphens. "
                              "Other parts of the plan refer to it."), classes="field-help")

    def first_focus(self) -> None:
        if self.focus_field and self._spec_for(self.focus_field) is not None:
            return  # focused once its field is mounted (fields_ready)
        if self.adding:
            first = "#parent" if self.kind.addressed_by_parent and self.parent_id is None else "#new-id"
            self.query_one(first).focus()
            return
        super().first_focus()

    def fields_ready(self) -> None:
        target = self._spec_for(self.focus_field) if self.focus_field else None
        if target is not None:
            self.call_after_refresh(self._focus_and_show, target)
        super().fields_ready()

    def _focus_and_show(self, spec: FieldSpec) -> None:
        widgets, boxes = self.query(f"#{spec.dom_id}"), self.query(f"#box-{spec.dom_id}")
        if not widgets or not boxes:  # the form is closing, or still being built
            return
        widget = widgets.first()
        if widget.focusable or isinstance(widget, RowsEditor):
            widget.focus()
        self.query_one("#form-fields", VerticalScroll).scroll_to_widget(boxes.first(), animate=False, top=True)

    # -- reading and checking ---------------------------------------------------------------

    def _check_id(self) -> str:
        own = self.query_one("#new-id", Input).value.strip()
        parent = None
        if self.kind.addressed_by_parent:
            value = self.query_one("#parent", Picker).value
            if value is Picker.NULL:
                self._mark("box-parent", "required: pick one")
                return "required: pick one"
            self._mark("box-parent", "")
            parent = value
        problem = check_new_id(self.plan, self.kind, own, parent)
        self._mark("box-new-id", problem)
        return problem

    def field_changed(self, wid: str | None) -> bool:
        if wid in ("new-id", "parent"):
            self._check_id()
            self.schedule_rules()
            return True
        return False

    def dirty(self) -> bool:
        if self.adding:
            if self.query_one("#new-id", Input).value.strip():
                return True
            if any(self._safe_read(spec) is not None for spec in self.specs):
                return True
            return False
        return super().dirty()

    def _safe_read(self, spec: FieldSpec):
        try:
            return self.read(spec)
        except FieldError:
            return "?"

    def changes(self) -> dict[tuple, object]:
        """Paths whose value differs from the entity's (None: remove the key)."""
        out = {}
        for spec in self.specs:
            if spec.control == "children":  # see child_changes
                continue
            value = self.read(spec)
            if value != value_at(self.data, spec.path):
                out[spec.path] = value
        return out

    def child_changes(self, parent_id: str | None) -> list[tuple[Kind, list[tuple]]]:
        """For each array of child entities (a goal's key results): the core operations
        that turn the entities as they are into the rows as edited."""
        out = []
        for spec in self.specs:
            if spec.control != "children":
                continue
            editor = self._controls.get(spec.dom_id)
            if not isinstance(editor, RowsEditor):
                continue
            before = value_at(self.data, spec.path) if not self.adding else None
            child = KINDS[spec.child_kind]
            steps = child_steps(child, parent_id, before if isinstance(before, list) else [], editor.rows,
                                editor.origins)
            if steps:
                out.append((child, steps))
        return out

    def values(self) -> dict:
        """For a new entity: the fields filled in, as a nested dict."""
        out: dict = {}
        for spec in self.specs:
            if spec.control == "children":  # added after the entity (see child_changes)
                continue
            value = self.read(spec)
            if value is None:
                continue
            target = out
            for part in spec.path[:-1]:
                target = target.setdefault(part, {})
            target[spec.path[-1]] = value
        return out

    def rules_target(self):
        if not self.is_attached or not self.loaded:
            return None
        if self.adding:
            own = self.query_one("#new-id", Input).value.strip()
            parent = self.query_one("#parent", Picker).value if self.kind.addressed_by_parent else None
            if parent is Picker.NULL:
                return None
            full = f"{parent}/{own}" if parent else own
            return self.kind, full, {"id": own, **self.current()}
        return self.kind, self.entity.id, self.current()

    # -- actions ------------------------------------------------------------------------------

    def action_apply(self, save: bool = False) -> None:
        if self.busy or not self.loaded:
            return
        id_problem = self._check_id() if self.adding else ""
        if not self._validate_all(id_problem, "#new-id"):
            return
        app = self.app
        if self.adding:
            own = self.query_one("#new-id", Input).value.strip()
            parent = self.query_one("#parent", Picker).value if self.kind.addressed_by_parent else None
            full = f"{parent}/{own}" if parent else own
            children = self.child_changes(full)
            self._set_busy(True)
            if children:
                self._edit_with_children(full, None, children, save)
            else:
                app.request_add(self.kind.name, full, self.values(), self._done, save=save)
            return
        changes = self.changes()
        children = self.child_changes(self.entity.id)
        if not changes and not children:
            if save:
                app.action_save()
            self.dismiss(False)
            return
        self._set_busy(True)
        if children:
            self._edit_with_children(self.entity.id, changes, children, save)
        else:
            app.request_set_fields(self.kind.name, self.entity.id, changes, self._done, save=save)

    def _edit_with_children(self, entity_id: str, changes: dict | None, children: list, save: bool) -> None:
        """One edit (one undo step) of the entity's own fields (or, ``changes`` None, its
        addition) and of its child entities, each through the core's operations."""
        schemas = self.app.session.schemas
        kind = self.kind
        fields = self.values() if changes is None else None

        def op(plan: Plan) -> None:
            if changes is None:
                problems = check_entity(schemas, kind, None, {"id": entity_id.rsplit("/", 1)[-1], **fields})
                if problems:
                    raise EditError("; ".join(problems))
                ops.add(plan, kind.name, entity_id, fields, schemas)
            elif changes:
                entity = plan.get(kind.name, entity_id)
                problems = check_entity(schemas, kind, entity.data, apply_values(entity.data, changes))
                if problems:
                    raise EditError("; ".join(problems))
                ops.set_fields(plan, kind.name, entity_id, changes, schemas)
            for child, steps in children:
                run_child_steps(plan, child, steps, schemas)

        head = f"{kind.name} {entity_id} added" if changes is None else \
            f"{kind.name} {entity_id}: " + ", ".join([".".join(p) for p in changes] if changes else [])
        summary = "; ".join([head.rstrip(": ")] + [steps_summary(child, steps) for child, steps in children])
        self.app.editing.run_edit(op, summary, (kind.name, entity_id), self._done, save)

    def action_apply_and_save(self) -> None:
        self.action_apply(save=True)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.query_one("#form-error", Label).update("Applying…" if busy else "")
        for button in self.query(Button):
            button.disabled = busy
        if self._busy_timer is not None:
            self._busy_timer.stop()
            self._busy_timer = None
        indicator = self.query_one("#form-busy", LoadingIndicator)
        if busy:  # the indicator only for work that takes a while
            self._busy_timer = self.set_timer(BUSY_AFTER, lambda: indicator.set_class(self.busy, "-shown"))
        else:
            indicator.remove_class("-shown")

    def _done(self, error: str | None) -> None:
        """Called by the app when the edit was staged (error None) or refused."""
        self._set_busy(False)
        if error is None:
            self.dismiss(True)
            return
        self.query_one("#form-error", Label).update(error)
        # point at the field the message names ("domain: not a domain name ...")
        head = error.split(":", 1)[0].strip()
        spec = self._spec_for(head) if head and " " not in head else None
        if spec is not None:
            self._mark(f"box-{spec.dom_id}", error.split(":", 1)[1].strip())

    @on(Button.Pressed, "#apply")
    def _apply_pressed(self) -> None:
        self.action_apply()

    @on(Button.Pressed, "#apply-save")
    def _apply_save_pressed(self) -> None:
        self.action_apply(save=True)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def dismiss(self, result=None):
        return super().dismiss(bool(result))


class RowFormScreen(FieldsForm):
    """One row of an array of tables (a committee member), generated from the schema of
    the array's items; dismissed with the row (a dict) or None."""

    BINDINGS = FieldsForm.FORM_BINDINGS

    def __init__(self, plan: Plan, schemas, spec: FieldSpec, row: dict | None) -> None:
        self.array = spec
        self.row = copy.deepcopy(row) if isinstance(row, dict) else {}
        super().__init__(plan, schemas, item_fields(schemas, spec, plan, self.row), self.row, classes="row-form")
        self.adding = row is None

    def compose(self) -> ComposeResult:
        noun = _noun(self.array)
        name = self.row.get("name") or self.row.get("title") or ""
        title = f"New {noun} · {self.array.title}" if self.adding else \
            f"Edit {noun} · {visible(str(name))}" if name else f"Edit {noun}"
        with Vertical(classes="dialog form-dialog row-form-dialog"):
            yield Static(Content(title), classes="dialog-title")
            with VerticalScroll(id="form-fields"):
                yield from self.compose_fields()
            yield Label("", id="form-error", classes="field-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield compact(Button(Content("OK (ctrl+j)"), id="apply", variant="primary"))
                yield compact(Button(Content("Cancel (esc)"), id="cancel"))

    def action_apply(self) -> None:
        if not self.loaded or not self._validate_all():
            return
        row = self.current()
        item = self.array.node.get("items") if isinstance(self.array.node, dict) else None
        if isinstance(item, dict):  # the row as a whole, against the items' schema
            whole = check_value(FieldSpec(("row",), self.array.title, "", False, "toml", item), row)
            if whole:
                self.query_one("#form-error", Label).update(whole)
                return
        self.dismiss(row)

    @on(Button.Pressed, "#apply")
    def _apply_pressed(self) -> None:
        self.action_apply()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

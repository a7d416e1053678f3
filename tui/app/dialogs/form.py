"""Forms generated from the JSON Schema: one control per field, checked as you type.

The form knows nothing of particular kinds: ``formspec.form_fields`` lists the fields
in schema order and says which control fits each.  Applying hands only the fields
whose value changed to the app, which stages them with the core's set_field /
unset_field (or add_entity for a new entity).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import (
    Button,
    Footer,
    Input,
    Label,
    Select,
    SelectionList,
    Static,
    Switch,
    TextArea,
)
from textual.widgets.selection_list import Selection

from tui.plan.model import Plan
from tui.plan.registry import KINDS, Kind
from tui.plan.safetext import is_safe, visible

from ..formspec import (
    BIG_PICK_LIST,
    FieldError,
    FieldSpec,
    check_new_id,
    check_ref,
    check_value,
    form_fields,
    parse_text,
    ref_targets,
    to_text,
    value_at,
)
from ..present import fmt

EDITOR_HINT = "ctrl+o opens it in $EDITOR"


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


class FormScreen(ModalScreen[bool]):
    """Edit an entity (``entity_id`` given) or add one (``entity_id`` None)."""

    BINDINGS = [
        Binding("ctrl+enter,ctrl+j", "apply", "Apply", id="form.apply", priority=True,
                tooltip="Stage the changed fields in memory (ctrl+s saves them to disk)"),
        Binding("ctrl+s", "apply_and_save", "Apply & save", id="form.save", priority=True,
                tooltip="Stage the changed fields and save every edited file"),
        Binding("escape", "cancel", "Cancel", id="form.cancel", tooltip="Close the form, dropping its changes"),
        Binding("ctrl+o", "external_editor", "$EDITOR", id="form.editor",
                tooltip="Edit the focused text in your $VISUAL/$EDITOR"),
    ]

    def __init__(self, plan: Plan, schemas, kind: Kind, entity_id: str | None = None, *,
                 parent_id: str | None = None, focus_field: str | None = None) -> None:
        super().__init__(classes="dialog-screen form-screen")
        self.plan = plan
        self.schemas = schemas
        self.kind = kind
        self.entity_id = entity_id
        self.adding = entity_id is None
        self.entity = plan.get(kind.name, entity_id) if entity_id is not None or kind.singleton else None
        if kind.singleton:
            self.adding = False
        self.data = self.entity.data if self.entity is not None else {}
        self.parent_id = parent_id
        self.focus_field = focus_field
        self.specs = form_fields(schemas, kind, plan, self.data, only_required=self.adding)
        self.by_id = {s.dom_id: s for s in self.specs}
        self.errors: dict[str, str] = {}
        self.escaped: dict[str, str] = {}  # fields shown with control characters as escapes
        self.busy = False

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
                section = ""
                for spec in self.specs:
                    if spec.section != section:
                        section = spec.section
                        if section:
                            yield Static(Content(section), classes="form-section")
                    yield self._field_box(spec)
            yield Label("", id="form-error", classes="field-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content("Add (ctrl+enter)" if self.adding else "Apply (ctrl+enter)"), id="apply",
                             variant="primary", compact=True)
                yield Button(Content("Apply & save (ctrl+s)"), id="apply-save", compact=True)
                yield Button(Content("Cancel (esc)"), id="cancel", compact=True)
        yield Footer()

    def _id_fields(self) -> ComposeResult:
        if self.kind.addressed_by_parent:
            parent_kind = KINDS[self.kind.parent]
            options = [(Text(f"{visible(e.label)} ({visible(e.id)})"), e.id) for e in self.plan.all(parent_kind.name)]
            box = Vertical(classes="field", id="box-parent")
            with box:
                yield Label(f"{parent_kind.title} *", classes="field-title", markup=False)
                yield Select(options, value=self.parent_id if self.parent_id else Select.NULL, id="parent",
                             allow_blank=self.parent_id is None, compact=True)
                yield Label("", classes="field-error", markup=False)
                yield Static(Text(f"The {parent_kind.title.lower()} this belongs to."), classes="field-help")
        with Vertical(classes="field", id="box-new-id"):
            yield Label("ID *", classes="field-title", markup=False)
            yield Input("", id="new-id", placeholder="e.g. harbor-hvac", compact=True)
            yield Label("", classes="field-error", markup=False)
            yield Static(Text("A short unique slug: lower-case letters, digits and single hyphens. "
                              "Other parts of the plan refer to it."), classes="field-help")

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
        elif spec.control == "tables":
            help_text = f"{help_text} One per line, as a TOML table: {{ key = \"value\", ... }}."
        box = Vertical(Label(title, classes="field-title", markup=False), control,
                       Label("", classes="field-error", markup=False),
                       Static(Text(help_text), classes="field-help"),
                       classes=f"field field-{spec.control}", id=f"box-{spec.dom_id}")
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

    def _control(self, spec: FieldSpec, value) -> Widget:
        c = spec.control
        wid = spec.dom_id
        if c == "enum":
            options = [(Text(fmt(v)), v) for v in spec.enum]
            if value is not None and value not in spec.enum:
                options.append((Text(f"{fmt(value)} (not allowed)"), value))
            return Select(options, value=value if value is not None else Select.NULL, id=wid, compact=True,
                          allow_blank=not (spec.required and value is not None))
        if c == "bool":
            return Switch(bool(value), id=wid)
        if c == "ref":
            targets = ref_targets(self.plan, spec.ref_kind)
            options = [(Text(f"{visible(label)} ({visible(tid)})" if label != tid else visible(tid)), tid)
                       for tid, label in targets]
            if value is not None and value not in {t for t, _ in targets}:
                options.append((Text(f"{fmt(value)} (not found)"), value))
            return Select(options, value=value if value is not None else Select.NULL, id=wid, compact=True,
                          allow_blank=not (spec.required and value is not None), type_to_search=True)
        if c == "refs":
            targets = ref_targets(self.plan, spec.ref_kind)
            current = value if isinstance(value, list) else []
            if len(targets) > BIG_PICK_LIST:
                return TextArea(self._shown(spec, value), id=wid, soft_wrap=True, compact=True)
            selections = [Selection(Text(f"{visible(label)} ({visible(tid)})" if label != tid else visible(tid)), tid,
                                    tid in current)
                          for tid, label in targets]
            known = {t for t, _ in targets}
            selections += [Selection(Text(f"{fmt(v)} (not found)"), v, True) for v in current if v not in known]
            return SelectionList(*selections, id=wid, compact=True)
        if c in ("long_text", "text_list"):
            return TextArea(self._shown(spec, value), id=wid, soft_wrap=True, compact=True)
        if c == "tables":
            return TextArea(self._shown(spec, value), id=wid, soft_wrap=False, compact=True)
        placeholder = {"date": "YYYY-MM-DD", "integer": "a whole number", "number": "a number",
                       "toml": "a TOML value"}.get(c, "")
        node = spec.node
        bounds = [f"≥ {node['minimum']}" if "minimum" in node else "", f"> {node['exclusiveMinimum']}"
                  if "exclusiveMinimum" in node else "", f"≤ {node['maximum']}" if "maximum" in node else ""]
        bounds = [b for b in bounds if b]
        if bounds and c in ("integer", "number"):
            placeholder += " (" + ", ".join(bounds) + ")"
        return Input(self._shown(spec, value), id=wid, placeholder=placeholder, compact=True)

    def on_mount(self) -> None:
        target = None
        if self.focus_field:
            target = self._spec_for(self.focus_field)
        if target is not None:
            self.call_after_refresh(self._focus_and_show, target)
        elif self.adding:
            first = "#parent" if self.kind.addressed_by_parent and self.parent_id is None else "#new-id"
            self.query_one(first).focus()
        else:
            focusable = [w for w in self.query("#form-fields *") if w.focusable]
            if focusable:
                focusable[0].focus()
        # show problems with the current values at once
        for spec in self.specs:
            if value_at(self.data, spec.path) is not None:
                self._check(spec)

    def _focus_and_show(self, spec: FieldSpec) -> None:
        widgets, boxes = self.query(f"#{spec.dom_id}"), self.query(f"#box-{spec.dom_id}")
        if not widgets or not boxes:  # the form is closing, or still being built
            return
        if widgets.first().focusable:
            widgets.first().focus()
        self.query_one("#form-fields", VerticalScroll).scroll_to_widget(boxes.first(), animate=False, top=True)

    def _spec_for(self, field: str) -> FieldSpec | None:
        for spec in self.specs:
            if field == spec.key or field.startswith(spec.key + ".") or spec.key.startswith(field + "."):
                return spec
        return None

    # -- reading and checking ---------------------------------------------------------------

    def read(self, spec: FieldSpec):
        """The field's value (None when empty); FieldError when it cannot be one."""
        widget = self.query_one(f"#{spec.dom_id}")
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
            if not problem and spec.ref_kind:
                problem = check_ref(spec, value, [t for t, _ in ref_targets(self.plan, spec.ref_kind)])
        except FieldError as exc:
            problem = str(exc)
        self._mark(f"box-{spec.dom_id}", problem)
        if problem:
            self.errors[spec.dom_id] = problem
        else:
            self.errors.pop(spec.dom_id, None)
        return problem

    def _mark(self, box_id: str, problem: str) -> None:
        try:
            box = self.query_one(f"#{box_id}")
        except Exception:  # noqa: BLE001 - the form may be closing
            return
        box.set_class(bool(problem), "-invalid")
        box.query_one(".field-error", Label).update(problem)

    def _check_id(self) -> str:
        own = self.query_one("#new-id", Input).value.strip()
        parent = None
        if self.kind.addressed_by_parent:
            value = self.query_one("#parent", Select).value
            if value is Select.NULL:
                self._mark("box-parent", "required: pick one")
                return "required: pick one"
            self._mark("box-parent", "")
            parent = value
        problem = check_new_id(self.plan, self.kind, own, parent)
        self._mark("box-new-id", problem)
        return problem

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    @on(Switch.Changed)
    @on(SelectionList.SelectedChanged)
    def _changed(self, event) -> None:
        widget = event.control if hasattr(event, "control") else None
        wid = getattr(widget, "id", None)
        if wid in ("new-id", "parent"):
            self._check_id()
            return
        spec = self.by_id.get(wid or "")
        if spec is not None:
            self._check(spec)

    def changes(self) -> dict[tuple, object]:
        """Paths whose value differs from the entity's (None: remove the key)."""
        out = {}
        for spec in self.specs:
            value = self.read(spec)
            if value != value_at(self.data, spec.path):
                out[spec.path] = value
        return out

    def values(self) -> dict:
        """For a new entity: the fields filled in, as a nested dict."""
        out: dict = {}
        for spec in self.specs:
            value = self.read(spec)
            if value is None:
                continue
            target = out
            for part in spec.path[:-1]:
                target = target.setdefault(part, {})
            target[spec.path[-1]] = value
        return out

    # -- actions ------------------------------------------------------------------------------

    def _validate_all(self) -> bool:
        bad = [spec for spec in self.specs if self._check(spec)]
        id_problem = self._check_id() if self.adding else ""
        if bad or id_problem:
            count = len(bad) + (1 if id_problem else 0)
            self.query_one("#form-error", Label).update(f"Fix the {count} marked field{'s' if count != 1 else ''} first.")
            first = self.query_one("#new-id") if id_problem else self.query_one(f"#{bad[0].dom_id}")
            if first.focusable:
                first.focus()
            return False
        return True

    def action_apply(self, save: bool = False) -> None:
        if self.busy:
            return
        if not self._validate_all():
            return
        app = self.app
        if self.adding:
            own = self.query_one("#new-id", Input).value.strip()
            parent = self.query_one("#parent", Select).value if self.kind.addressed_by_parent else None
            full = f"{parent}/{own}" if parent else own
            self._set_busy(True)
            app.request_add(self.kind.name, full, self.values(), self._done, save=save)
            return
        changes = self.changes()
        if not changes:
            if save:
                app.action_save()
            self.dismiss(False)
            return
        self._set_busy(True)
        app.request_set_fields(self.kind.name, self.entity.id, changes, self._done, save=save)

    def action_apply_and_save(self) -> None:
        self.action_apply(save=True)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.query_one("#form-error", Label).update("Applying…" if busy else "")
        for button in self.query(Button):
            button.disabled = busy

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
    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(False)

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "external_editor":
            return isinstance(self.focused, TextArea)
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

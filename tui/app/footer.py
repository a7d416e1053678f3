"""The footer: the keys that apply where the focus is, by priority.

Textual's footer lists every shown binding, the focused widget's first and the app's
last, and cuts what does not fit, so on a small screen the key to the list of keys
("? Keys") is the first to go.  This one keeps the keys list always (at the right end,
before the palette key), then the keys of what has the focus, then Save and Undo, and
drops the rest (the view keys, the trend) when there is no room.

Every footer of the app is a ``SteadyFooter``: when the keys change it sets the key
widgets it has instead of composing them again, as Textual's footer does.  That removal
ran in a callback the screen runs after a refresh and, now and then, never finished:
the screen waited for good and no key answered again.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# Binding id -> priority (lower stays longer).  Bindings not named here that belong to
# the focused widget or its containers get CONTEXT; any other app-level binding LOW.
ALWAYS = 0
CONTEXT = 2
LOW = 5
PRIORITY = {
    "app.help": ALWAYS,
    "app.save": 3,
    "app.undo": 3,
    "app.back": 4,
    "app.detail": 3,
    "view.overview": 6,  # "1‥9 Views": the tabs themselves say it
    "app.trend": 4,
}
PALETTE_ROOM = 12  # the command palette key docked at the right end


def footer_plan(entries: list[tuple[str, str, str, bool]], width: int) -> list[int]:
    """Which entries to show, in order: ``entries`` are (binding id, key shown,
    description, from the app), ``width`` the room.  The keys list comes last; the
    others keep their order; the lowest priorities go first when there is no room."""
    def cost(i: int) -> int:
        _bid, key, description, _app = entries[i]
        return cell_len(key) + (1 + cell_len(description) if description else 0) + 1

    def priority(i: int) -> int:
        bid, _key, _description, from_app = entries[i]
        if bid in PRIORITY:
            return PRIORITY[bid]
        return LOW if from_app else CONTEXT

    shown = list(range(len(entries)))
    room = max(0, width - PALETTE_ROOM)
    while shown and sum(cost(i) for i in shown) > room:
        droppable = [i for i in shown if priority(i) != ALWAYS]
        if not droppable:
            break
        # the lowest priority, and among equals the last one, goes first
        worst = max(droppable, key=lambda i: (priority(i), i))
        shown.remove(worst)
    last = [i for i in shown if priority(i) == ALWAYS]
    return [i for i in shown if i not in last] + last


class SteadyFooter(Footer):
    """Textual's footer, whose key widgets are set again, never removed (see above)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._width = 0
        self._shown: list[tuple] = []

    def _choose(self, entries: list[tuple[str, str, str, bool]]) -> list[int]:
        """Which of the shown bindings' ``entries`` (binding id, key shown, description, from
        the app) the footer shows, in order: all of them."""
        return list(range(len(entries)))

    def _keys(self) -> list[tuple]:
        """The keys the footer shows now, in order: the arguments of each FooterKey (the
        palette key last, marked by its class)."""
        active = self.screen.active_bindings
        entries: list[tuple[str, str, str, bool]] = []
        bindings = []
        seen_actions: set[str] = set()
        for node, binding, enabled, tooltip in active.values():
            if not binding.show or binding.action in seen_actions:
                continue
            seen_actions.add(binding.action)
            entries.append((binding.id or "", self.app.get_key_display(binding), binding.description,
                            node is self.app))
            bindings.append((binding, enabled, tooltip))
        keys = []
        for i in self._choose(entries):
            binding, enabled, tooltip = bindings[i]
            keys.append((binding.key, entries[i][1], binding.description, binding.action, not enabled, tooltip, ""))
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            try:
                _node, binding, enabled, tooltip = active[self.app.COMMAND_PALETTE_BINDING]
            except KeyError:
                pass
            else:
                keys.append((binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                             not enabled, binding.tooltip or binding.description, "-command-palette"))
        return keys

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        self._shown = self._keys()
        for args in self._shown:
            yield self._new_key(args)

    @staticmethod
    def _new_key(args: tuple) -> FooterKey:
        key, display, description, action, disabled, tooltip, classes = args
        footer_key = FooterKey(key, display, description, action, disabled=disabled, tooltip=tooltip,
                               classes=classes)
        return footer_key if classes else footer_key.data_bind(compact=Footer.compact)

    def bindings_changed(self, screen) -> None:
        """The focus moved or the bindings changed (Textual says so twice for one move of
        the focus, and for moves that keep the same keys): the keys change only when what
        the footer shows changes."""
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._update_keys)

    def _update_keys(self) -> None:
        """Show the keys of now in the key widgets there are, hiding those left over and
        adding only what is missing.  Never a remove: removing widgets (as Textual's footer
        does, by composing again) waits for them to close, and the screen, which runs this
        after a refresh, waited with it; now and then for ever (no key answered again)."""
        if not self.is_attached or self._pruning:
            return
        keys = self._keys()
        if keys == self._shown and self.children:
            return
        self._shown = keys
        pool = [k for k in self.query_children(FooterKey) if not k.has_class("-command-palette")]
        palette = [k for k in self.query_children(FooterKey) if k.has_class("-command-palette")]
        wanted = [args for args in keys if not args[-1]]
        with self.app.batch_update():
            for widget, args in zip(pool, wanted):
                self._set_key(widget, args)
            for widget in pool[len(wanted):]:
                widget.display = False
            missing = [self._new_key(args) for args in wanted[len(pool):]]
            if missing:  # after the last key, before the palette's
                self.mount_all(missing, before=palette[0] if palette else None)
            for args in (a for a in keys if a[-1]):
                if palette:
                    self._set_key(palette[0], args)
                else:
                    self.mount(self._new_key(args))
            for widget in palette[1 if any(a[-1] for a in keys) else 0:]:
                widget.display = False
            self.refresh(layout=True)

    @staticmethod
    def _set_key(widget: FooterKey, args: tuple) -> None:
        key, display, description, action, disabled, tooltip, _classes = args
        widget.key, widget.key_display, widget.description, widget.action = key, display, description, action
        widget._disabled = disabled
        widget.set_class(disabled, "-disabled")
        widget.tooltip = tooltip or None
        widget.display = True
        widget.refresh(layout=True)

    def on_resize(self) -> None:
        if self.size.width != self._width:
            self._width = self.size.width
            if self._bindings_ready and self.is_attached:
                self.call_after_refresh(self._update_keys)


class PriorityFooter(SteadyFooter):
    """A compact footer that keeps "? Keys" and the focused pane's keys in view."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(**kwargs)

    def _choose(self, entries: list[tuple[str, str, str, bool]]) -> list[int]:
        return footer_plan(entries, self.size.width or self.app.size.width)

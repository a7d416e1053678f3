"""A stateful property test of an editing session (hypothesis RuleBasedStateMachine).

A session keeps a plan in memory, as the app does: edits (set, add, rm) are staged,
undone (the previous text put back), saved, and sometimes the disk changes under it
(another program) or the session reloads.  Invariants after every step: every file's
text parses to the data the session holds; after a save the disk holds exactly what
the session holds; a save over a file changed on disk is refused, never silent; each
edit's diff stays inside the edited entity's lines.  ``QUARTERDECK_STATEFUL_EXAMPLES``
sets the number of runs (default 12).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from tests.conftest import EXAMPLE
from tests.core.test_edit_property import confined, step
from tui.plan.document import parse_toml
from tui.plan.edit import (Change, EditError, add_entity, entity_span, remove_entity, same_data, save_file,
                           set_field, stage_change)
from tui.plan.model import load_plan
from tui.plan.problems import FileChangedError
from tui.plan.registry import KINDS

EXAMPLES = int(os.environ.get("QUARTERDECK_STATEFUL_EXAMPLES", "12"))


class EditingSession(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.tmp = tempfile.mkdtemp()
        self.root = Path(self.tmp) / "plans"
        shutil.copytree(EXAMPLE, self.root)
        self.plan = load_plan(self.root)
        self.undo: list[tuple[str, str, dict]] = []  # (file, text before, data before)
        self.outside: set[str] = set()  # files changed on disk behind the session's back

    def teardown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- rules -----------------------------------------------------------------------

    @rule(data=st.data())
    def edit(self, data):
        s = data.draw(step(self.plan))
        if s is None:
            return
        op, kind, id_, arg = s
        tf = self.plan.files[KINDS[kind].file]
        try:
            if op == "set":
                span = entity_span(tf, self.plan.get(kind, id_).path)
                change = set_field(self.plan, kind, id_, arg[0], arg[1], force=True)
            elif op == "add":
                change = add_entity(self.plan, kind, id_, arg, force=True)
            else:
                span = entity_span(tf, self.plan.get(kind, id_).path)
                change = remove_entity(self.plan, kind, id_)
        except EditError as exc:
            assert exc.code != "edit.verify", f"{s}: {exc}"
            return
        before, after = tf.text.split("\n"), change.text.split("\n")
        if op == "add":  # a block inserted: every old line kept, in order, around it
            p = next((i for i, (x, y) in enumerate(zip(before, after)) if x != y), min(len(before), len(after)))
            q = next((i for i, (x, y) in enumerate(zip(reversed(before), reversed(after))) if x != y),
                     min(len(before), len(after)))
            assert len(after) > len(before) and p + q >= len(before) - 1, s
        else:
            assert confined(before, after, span[0] - 1, span[1] + 1), s
        self.undo.append((change.file, tf.text, tf.data))
        stage_change(self.plan, change)

    @precondition(lambda self: self.undo)
    @rule()
    def undo_last(self):
        file, text, data = self.undo.pop()
        tf = self.plan.files[file]
        stage_change(self.plan, Change(file, tf, text, data, "undo"))
        assert self.plan.files[file].text == text

    @rule()
    def save(self):
        for name, tf in list(self.plan.files.items()):
            if not tf.dirty:
                continue
            if name in self.outside:
                with pytest.raises(FileChangedError):
                    save_file(tf)
                assert (self.root / name).read_bytes() != tf.raw  # the other program's version stays
                continue
            self.plan.files[name] = save_file(tf)
            assert (self.root / name).read_bytes() == tf.raw

    @rule(data=st.data())
    def outside_modification(self, data):
        name = data.draw(st.sampled_from(sorted(self.plan.files)))
        path = self.root / name
        path.write_bytes(path.read_bytes() + b"\n# changed by another program\n")
        self.outside.add(name)

    @rule()
    def reload(self):
        self.plan = load_plan(self.root)
        self.undo.clear()
        self.outside.clear()
        assert not self.plan.syntax_errors

    # -- invariants --------------------------------------------------------------------

    @invariant()
    def files_parse_to_the_session_data(self):
        for name, tf in self.plan.files.items():
            assert same_data(parse_toml(tf.text, name), tf.data), name

    @invariant()
    def saved_files_equal_the_disk(self):
        for name, tf in self.plan.files.items():
            if not tf.dirty and name not in self.outside:
                assert (self.root / name).read_bytes() == tf.raw, name


TestEditingSession = EditingSession.TestCase
TestEditingSession.settings = settings(max_examples=EXAMPLES, stateful_step_count=12, deadline=None,
                                       suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                              HealthCheck.filter_too_much])

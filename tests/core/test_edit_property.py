"""Random sequences of set / add / rm on the example plan.

After every step: the file parses, equals the intended data, and the lines that
changed all belong to the edited entity (its old lines, or the new entity's lines).
"""

from __future__ import annotations

import copy
import datetime as dt
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLE
from tui.plan.document import parse_toml
from tui.plan.edit import EditError, add_entity, apply_change, entity_span, remove_entity, set_field
from tui.plan.model import load_plan
from tui.plan.registry import KINDS, entity_schema_path
from tui.plan.schema import load_schemas
from tui.plan.tomlindex import index_toml

SCHEMAS = load_schemas()
EDITABLE = ["member", "meeting", "responsibility", "goal", "key_result", "persona", "account", "content", "term", "rule"]
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=1, max_size=30)
QUARTER_DAYS = st.dates(min_value=dt.date(2026, 10, 1), max_value=dt.date(2026, 12, 31))


def _ids(plan, kind):
    return [e.own_id for e in plan.all(kind)]


def value_for(draw, plan, node, base):
    target = SCHEMAS.ref_target(node, base)
    if target:
        kind, is_list = target
        pool = plan.stages if kind == "stage" else _ids(plan, kind)
        if is_list:
            return draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
        return draw(st.sampled_from(pool))
    node, base = SCHEMAS.resolve(node, base)
    if "enum" in node:
        return draw(st.sampled_from(node["enum"]))
    t = node.get("type")
    if t == "integer":
        return draw(st.integers(node.get("minimum", -1000), node.get("maximum", 100_000)))
    if t == "number":
        lo = node.get("minimum", node.get("exclusiveMinimum", -1e6))
        hi = node.get("maximum", 1e7)
        return draw(st.one_of(st.integers(int(lo) + 1, int(hi)), st.floats(lo + 0.5, hi, allow_nan=False)))
    if t == "string":
        fmt = node.get("format")
        if fmt == "date":
            return draw(QUARTER_DAYS)
        if fmt == "email":
            return draw(st.sampled_from(["a@b.example", "first.last@tidewater.example"]))
        if fmt == "uri":
            return draw(st.sampled_from(["https://tidewater.example/x", "https://example.com/a?b=c"]))
        if fmt == "hostname":
            return draw(st.sampled_from(["acme.example", "sub.domain.example"]))
        if "pattern" in node:
            return None
        text = draw(st.one_of(TEXT, st.text(min_size=1, max_size=80).map(lambda s: s + "\nmore")))
        return text
    if t == "array":
        items, ibase = SCHEMAS.resolve(node.get("items", {}), base)
        if items.get("type") == "string" and "enum" not in items and not SCHEMAS.ref_target(node.get("items", {}), base):
            return draw(st.lists(TEXT, min_size=1, max_size=4))
    return None


@st.composite
def step(draw, plan):
    op = draw(st.sampled_from(["set", "set", "set", "add", "rm"]))
    kind = draw(st.sampled_from([k for k in EDITABLE if plan.all(k)]))
    k = KINDS[kind]
    if op == "add":
        node, base = SCHEMAS.subschema(k.schema, entity_schema_path(k))
        fields = {}
        for key in node.get("required", []):
            if key == "id":
                continue
            value = value_for(draw, plan, node["properties"][key], base)
            if value is None:
                return None
            fields[key] = value
        suffix = draw(st.integers(1, 10_000))
        new_id = f"new-{kind.replace('_', '-')}-{suffix}"
        if k.addressed_by_parent:
            new_id = f"{draw(st.sampled_from(_ids(plan, k.parent)))}/{new_id}"
        return ("add", kind, new_id, fields)
    entity = draw(st.sampled_from(plan.all(kind)))
    if op == "rm":
        return ("rm", kind, entity.id, None)
    node, base = SCHEMAS.subschema(k.schema, entity_schema_path(k))
    keys = [p for p in node.get("properties", {}) if p not in ("id", "custom")]
    key = draw(st.sampled_from(keys))
    value = value_for(draw, plan, node["properties"][key], base)
    if value is None:
        return None
    return ("set", kind, entity.id, (key, value))


def confined(old: list[str], new: list[str], lo: int, hi: int) -> bool:
    """True when ``new`` is ``old`` with only lines [x, y) replaced, lo <= x <= y <= hi."""
    p = 0
    while p < min(len(old), len(new)) and old[p] == new[p]:
        p += 1
    s = 0
    while s < min(len(old), len(new)) and old[len(old) - 1 - s] == new[len(new) - 1 - s]:
        s += 1
    if p < lo:
        return False
    x = lo  # the earliest start leaves the most room
    y = max(len(old) - s, x, x + len(old) - len(new))
    return y <= hi


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_random_edits_touch_only_their_entity(data):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "plans"
        shutil.copytree(EXAMPLE, root)
        for _ in range(data.draw(st.integers(1, 5))):
            plan = load_plan(root)
            s = data.draw(step(plan))
            if s is None:
                continue
            op, kind, id, arg = s
            k = KINDS[kind]
            tf = plan.files[k.file]
            before_text = tf.text
            before_data = copy.deepcopy(tf.data)
            try:
                if op == "set":
                    entity = plan.get(kind, id)
                    span = entity_span(tf, entity.path)
                    change = set_field(plan, kind, id, arg[0], arg[1], force=True)
                elif op == "add":
                    change = add_entity(plan, kind, id, arg, force=True)
                else:
                    entity = plan.get(kind, id)
                    span = entity_span(tf, entity.path)
                    change = remove_entity(plan, kind, id)
            except EditError as exc:
                assert exc.code != "edit.verify", f"{s}: {exc}"
                continue
            tf.index  # noqa: B018 - so the next version's index is derived from this one
            apply_change(plan, change)
            derived = plan.files[k.file].index
            full = index_toml(plan.files[k.file].text)
            assert derived.keys == full.keys and derived.headers == full.headers, s
            after_text = (root / k.file).read_bytes().decode("utf-8")
            after_data = parse_toml(after_text)
            assert after_data == change.data
            a, b = before_text.split("\n"), after_text.split("\n")
            if op == "add":
                fresh = load_plan(root)
                lo, hi = entity_span(fresh.files[k.file], fresh.get(kind, id).path)
                # everything before the new block and after it is untouched
                assert a[: lo - 1] == b[: lo - 1], s
                assert a[lo - 1:] == b[hi + 1:] or a[lo - 1:] == b[hi:] or a[lo - 2:] == b[hi:], s
            else:
                lo, hi = span
                assert confined(a, b, lo - 1, hi + 1), (s, span)
            if op == "set":
                expected = before_data
                target = expected
                for part in entity.path:
                    target = target[part]
                target[arg[0]] = arg[1]
                assert after_data == expected

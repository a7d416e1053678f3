"""The messaging framework, a kind added through a schema and one registry entry.

Its checks (with exact file:line:col), and everything it gets without message-specific
code: references, the CLI's get/set/add/rm/rename, diff, merge, textconv, CSV export,
`init`, and the file being optional.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.insights.conftest import make_plan, persona  # noqa: F401 - make_plan is a fixture
from tui.plan.model import load_plan
from tui.plan.registry import KINDS, OPTIONAL_FILES, PLAN_FILES, REFERENCE_DEFS, identity_keys
from tui.plan.validation import validate


def _pos(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """1-based line and column of the ``nth`` occurrence of ``needle`` in ``text``."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


def _where(p) -> tuple:
    return (p.file, p.line, p.col, p.kind, p.entity, p.field)


# -- the kind in the registry ---------------------------------------------------------------


def test_the_kind_is_one_registry_entry():
    k = KINDS["message"]
    assert (k.file, k.schema, k.path, k.label) == ("messaging.toml", "messaging.schema.json", ("message",), "text")
    assert PLAN_FILES["messaging.toml"] == "messaging.schema.json"
    assert OPTIONAL_FILES == {"messaging.toml"}
    assert REFERENCE_DEFS["message_refs"] == "message" and REFERENCE_DEFS["content_ref"] == "content"
    assert k.referable and KINDS["content"].referable
    assert identity_keys("message", "proof") == ("claim",)
    assert (k.view, k.view_title) == ("messaging", "Messaging")


def test_schema_has_titles_and_descriptions_everywhere_and_rejects_unknown_keys():
    from tests.conftest import ROOT

    schema = json.loads((ROOT / "schemas" / "messaging.schema.json").read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    for name in ("message", "proof_point"):
        node = schema["$defs"][name]
        assert node["additionalProperties"] is False and "custom" in node["properties"]
        for key, prop in node["properties"].items():
            assert prop.get("title") and prop.get("description"), (name, key)
    assert schema["$defs"]["message"]["properties"]["status"]["enum"] == ["draft", "approved", "retired"]


# -- a plan built to trigger every check ----------------------------------------------------

PERSONAS = persona("alex") + persona("bo")

CONTENT = '''
[[content]]
id = "guide"
title = "Guide"
format = "guide"
stage = "awareness"
personas = ["alex"]
messages = ["good", "wip", "old", "nope"]
owner = "mia"
status = "published"

[[content]]
id = "gone"
title = "Old deck"
format = "one_pager"
stage = "awareness"
messages = ["old"]
owner = "mia"
status = "retired"
'''

MESSAGING = '''
[[message]]
id = "good"
text = "One shared story."
personas = ["alex"]
stages = ["awareness"]
owners = ["sam", "mia"]
status = "approved"

[[message.proof]]
claim = "It works"
content = "guidee"

[[message]]
id = "one-sided"
text = "Only marketing says this."
personas = ["alx"]
stages = ["awarenes"]
owners = ["mia", "olga"]
status = "approved"

[[message]]
id = "no-owner"
text = "Nobody owns this."
status = "approved"

[[message]]
id = "wip"
text = "Still being worded."
owners = ["mia"]
status = "draft"

[[message]]
id = "old"
text = "Say it the RouteDesk way."
owners = ["sam", "mia"]
status = "retired"
replaced_by = "good"

[[message]]
id = "lost"
text = "Retired without a successor."
status = "retired"

[[message]]
id = "loop"
text = "Replaced by itself."
status = "retired"
replaced_by = "loop"

[[message]]
id = "early"
text = "Not retired, yet replaced."
owners = ["sam", "mia"]
status = "approved"
replaced_by = "gooood"

[[message]]
id = "rambling"
text = "Dispatch gets easier. Also, it is cheaper."
status = "draft"
'''

GLOSSARY = '''
[[term]]
id = "tidewater-dispatch"
term = "Tidewater Dispatch"
definition = "The product."
owner_team = "shared"

[[term.retired]]
name = "RouteDesk"
since = 2026-07-01
'''


@pytest.fixture
def messy(make_plan):
    return make_plan(personas=PERSONAS, content=CONTENT, messaging=MESSAGING, glossary=GLOSSARY)


def _found(root: Path, prefix: str) -> dict:
    out: dict = {}
    for p in validate(load_plan(root)):
        if p.code.startswith(prefix):
            out.setdefault(p.code, []).append(p)
    return out


def test_message_references_resolve_through_the_registry(messy):
    refs = [p for p in validate(load_plan(messy)) if p.code == "ref.unknown" and p.file == "messaging.toml"]
    got = {(p.entity, p.field): (p.line, p.col) for p in refs}
    assert got == {
        ("good", "proof.0.content"): _pos(MESSAGING, 'content = "guidee"'),
        ("one-sided", "personas.0"): _pos(MESSAGING, '"alx"'),
        ("one-sided", "stages.0"): _pos(MESSAGING, '"awarenes"'),
        ("early", "replaced_by"): _pos(MESSAGING, 'replaced_by = "gooood"'),
    }
    by_field = {p.field: p.message for p in refs}
    assert "no content item has the id 'guidee'. Did you mean 'guide'?" in by_field["proof.0.content"]
    assert "Did you mean 'alex'?" in by_field["personas.0"]
    assert "not a journey stage of this plan" in by_field["stages.0"]
    # content citing a message that does not exist is a reference problem too
    (nope,) = [p for p in validate(load_plan(messy)) if p.code == "ref.unknown" and p.file == "content.toml"]
    assert _where(nope) == ("content.toml", *_pos(CONTENT, '"nope"'), "content", "guide", "messages.3")
    assert "no message has the id 'nope'" in nope.message


def test_approved_needs_owners_from_both_teams(messy):
    found = _found(messy, "message.owners")["message.owners"]
    assert [_where(p) for p in found] == [
        ("messaging.toml", *_pos(MESSAGING, 'owners = ["mia", "olga"]'), "message", "one-sided", "owners"),
        ("messaging.toml", *_pos(MESSAGING, 'status = "approved"', 2), "message", "no-owner", "status"),
    ]
    assert all(p.severity == "error" for p in found)
    assert "has no sales owner" in found[0].message
    assert "has no sales and no marketing owner" in found[1].message


def test_retired_messages_name_a_replacement(messy):
    found = _found(messy, "message.")
    (lost,) = found["message.no-replacement"]
    assert _where(lost) == ("messaging.toml", *_pos(MESSAGING, 'status = "retired"', 1), "message", "lost", "status")
    loop, early = found["message.replaced-by"]
    assert _where(loop) == ("messaging.toml", *_pos(MESSAGING, 'replaced_by = "loop"'), "message", "loop",
                            "replaced_by")
    assert "names itself" in loop.message
    assert _where(early) == ("messaging.toml", *_pos(MESSAGING, 'replaced_by = "gooood"'), "message", "early",
                             "replaced_by")
    assert "set `status` to \"retired\"" in early.message


def test_content_cites_only_approved_messages(messy):
    found = _found(messy, "message.")
    (draft,) = found["message.draft-cited"]
    assert draft.severity == "warning"
    assert _where(draft) == ("content.toml", *_pos(CONTENT, '"wip"'), "content", "guide", "messages.1")
    (retired,) = found["message.retired-cited"]  # the retired deck citing "old" is history: not flagged
    assert retired.severity == "error"
    assert _where(retired) == ("content.toml", *_pos(CONTENT, '"old"'), "content", "guide", "messages.2")
    assert "cites message 'old', which is retired; cite 'good' instead" in retired.message


def test_account_plays_citing_messages_are_checked_the_same_way(make_plan):
    accounts = '''
[[account]]
id = "acme"
name = "Acme"
domain = "acme.example"
tier = 1
stage = "target"
sales_owner = "sam"
marketing_owner = "mia"
plays = ["dinner"]
messages = ["old", "wip"]
'''
    root = make_plan(personas=PERSONAS, messaging=MESSAGING, accounts=accounts)
    found = _found(root, "message.")
    (retired,) = found["message.retired-cited"]
    assert _where(retired) == ("accounts.toml", *_pos(accounts, '"old"'), "account", "acme", "messages.0")
    assert "account 'acme' cites message 'old'" in retired.message
    (draft,) = found["message.draft-cited"]
    assert _where(draft) == ("accounts.toml", *_pos(accounts, '"wip"'), "account", "acme", "messages.1")


def test_a_message_is_one_sentence(messy):
    (hit,) = _found(messy, "message.one-sentence")["message.one-sentence"]
    assert hit.severity == "warning"
    assert _where(hit) == ("messaging.toml", *_pos(MESSAGING, 'text = "Dispatch gets easier.'), "message", "rambling",
                           "text")


def test_message_text_obeys_the_glossary(messy):
    (hit,) = [p for p in validate(load_plan(messy)) if p.code == "glossary.retired-name"]
    assert _where(hit) == ("messaging.toml", *_pos(MESSAGING, "RouteDesk"), "message", "old", "text")
    assert "say 'Tidewater Dispatch' instead" in hit.message


def test_schema_rejects_unknown_keys_and_bad_status(make_plan):
    text = MESSAGING.replace('status = "draft"', 'status = "wip"', 1).replace('claim = "It works"', 'clam = "It works"')
    root = make_plan(personas=PERSONAS, messaging=text)
    found = {p.code: p for p in validate(load_plan(root)) if p.file == "messaging.toml" and p.code.startswith("schema")}
    assert _where(found["schema.enum"]) == ("messaging.toml", *_pos(text, 'status = "wip"'), "message", "wip", "status")
    assert _where(found["schema.unknown-key"])[:3] == ("messaging.toml", *_pos(text, 'clam = "It works"'))
    assert "did you mean `claim`?" in found["schema.unknown-key"].message


def test_the_example_plan_gains_no_warning_from_its_messages(plan_dir):
    problems = validate(load_plan(plan_dir))
    assert all(p.severity == "warning" for p in problems)
    assert not [p for p in problems if p.code.startswith("message.") or p.file == "messaging.toml"]
    assert [(p.code, p.file) for p in problems if p.code != "content.overdue"] == [
        ("glossary.retired-name", "accounts.toml"), ("coverage.gap", "personas.toml")]
    assert len(load_plan(plan_dir).all("message")) == 12


# -- the file is optional ---------------------------------------------------------------------


def test_a_plan_without_messaging_checks_as_before(plan_dir):
    (plan_dir / "messaging.toml").unlink()
    for name in ("content.toml", "accounts.toml"):
        path = plan_dir / name
        path.write_text(re.sub(r"\nmessages = \[[^\]]*\]\n", "\n", path.read_text(encoding="utf-8")),
                        encoding="utf-8")
    plan = load_plan(plan_dir)
    assert "messaging.toml" not in plan.files and plan.all("message") == []
    assert [(p.code, p.file, p.line) for p in validate(plan) if p.code != "content.overdue"] == [
        ("glossary.retired-name", "accounts.toml", 24), ("coverage.gap", "personas.toml", 215)]


def test_citations_left_behind_when_the_file_goes_are_one_missing_file_error(plan_dir):
    (plan_dir / "messaging.toml").unlink()
    problems = validate(load_plan(plan_dir))
    (missing,) = [p for p in problems if p.code == "file.missing"]
    assert missing.file == "messaging.toml" and "content.toml" in missing.message
    assert not [p for p in problems if p.code == "ref.unknown"]
    assert not [p for p in problems if p.code.startswith("message.")]


# -- everything else through the registry ------------------------------------------------------


def _cli(capsys, *args):
    from tui.cli import main

    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_get_set_add_rm_rename(plan_dir, capsys):
    path = plan_dir / "messaging.toml"
    before = path.read_text(encoding="utf-8")
    code, out, _ = _cli(capsys, "get", "message", "payback-one-season", "proof.0.claim", "--raw", "-C", str(plan_dir))
    assert code == 0 and out.strip() == "Lakeshore Plumbing & Drain cut overtime 18% in one season"

    code, _, _ = _cli(capsys, "set", "message", "one-view-of-utilisation", "owners", '["mei-lin", "dana-okafor"]',
                      "-C", str(plan_dir), "-q")
    assert code == 0
    after = path.read_text(encoding="utf-8")
    assert after == before.replace('owners = ["mei-lin"]', 'owners = ["mei-lin", "dana-okafor"]')

    code, _, err = _cli(capsys, "set", "message", "works-offline", "status", '"shipped"', "-C", str(plan_dir))
    assert code == 1 and 'use one of: "draft", "approved", "retired"' in err
    assert path.read_text(encoding="utf-8") == after

    code, _, _ = _cli(capsys, "add", "message", "start-small", 'text="Start with one depot."', 'status="draft"',
                      "-C", str(plan_dir), "-q")
    assert code == 0
    code, out, _ = _cli(capsys, "get", "message", "start-small", "--json", "-C", str(plan_dir))
    assert json.loads(out) == {"id": "start-small", "text": "Start with one depot.", "status": "draft"}

    # content cites works-offline: rm refuses and names the referrer
    code, _, err = _cli(capsys, "rm", "message", "works-offline", "-C", str(plan_dir))
    assert code == 1 and "content offline-mode-explained › messages.0" in err
    # a content item named as a proof point is referred to as well
    code, _, err = _cli(capsys, "rm", "content", "security-overview", "-C", str(plan_dir))
    assert code == 1 and "message security-answers-first › proof.0.content" in err

    code, _, _ = _cli(capsys, "rename", "message", "works-offline", "no-signal-no-problem", "-C", str(plan_dir), "-q")
    assert code == 0
    assert 'messages = ["no-signal-no-problem"]' in (plan_dir / "content.toml").read_text(encoding="utf-8")
    code, _, _ = _cli(capsys, "rename", "content", "security-overview", "security-brief", "-C", str(plan_dir), "-q")
    assert code == 0
    assert 'content = "security-brief"' in path.read_text(encoding="utf-8")
    assert not [p for p in validate(load_plan(plan_dir)) if p.severity == "error"]

    code, _, _ = _cli(capsys, "rm", "message", "start-small", "-C", str(plan_dir), "-q")
    assert code == 0 and "start-small" not in path.read_text(encoding="utf-8")

    code, out, _ = _cli(capsys, "kinds")
    assert re.search(r"^message +messaging.toml +ID +Messages$", out, re.M)


def test_diff_matches_proof_points_by_claim(plan_dir):
    from tui.history.semdiff import diff_snapshots
    from tui.history.snapshot import Snapshot

    old = Snapshot.from_folder(plan_dir, label="before")
    path = plan_dir / "messaging.toml"
    text = path.read_text(encoding="utf-8")
    # the two proof points of windshield-time swap places and one gains a source: matched by claim
    first = ('[[message.proof]]\nclaim = "Worked example: a 60-technician HVAC fleet and its weekly drive minutes"\n'
             'content = "windshield-time-cost"\n')
    second = ('[[message.proof]]\nclaim = "Jobs per route hour, the weekly number most teams do not track"\n'
              'content = "route-density-post"\n')
    assert first + "\n" + second in text
    text = text.replace(first + "\n" + second,
                        second + 'source = "https://tidewater.example/blog/route-density"\n\n' + first)
    text = text.replace('status = "draft"', 'status = "approved"')
    path.write_text(text, encoding="utf-8")
    diff = diff_snapshots(old, Snapshot.from_folder(plan_dir, label="after"))
    got = {c.id: [(f.field, f.old, f.new) for f in c.fields] for c in diff.changes}
    assert got == {
        "windshield-time": [("proof[Jobs per route hour, the weekly number most teams do not track].source", None,
                             "https://tidewater.example/blog/route-density")],
        "one-view-of-utilisation": [("status", "draft", "approved")],
    }
    assert {c.kind for c in diff.changes} == {"message"}


def test_merge_goes_message_by_message(plan_dir):
    from tui.history.merge import merge_bytes

    base = (plan_dir / "messaging.toml").read_text(encoding="utf-8")
    ours = base.replace('owners = ["mei-lin"]', 'owners = ["mei-lin", "luis-romero"]')
    theirs = base.replace('text = "Technicians keep working without signal',
                          'text = "Technicians keep working with no signal')
    outcome = merge_bytes(base.encode(), ours.encode(), theirs.encode(), "plans/messaging.toml")
    assert not outcome.conflicts and not outcome.fallback
    assert outcome.text == ours.replace('text = "Technicians keep working without signal',
                                        'text = "Technicians keep working with no signal')

    both = base.replace('status = "draft"', 'status = "retired"')
    ours = base.replace('status = "draft"', 'status = "approved"')
    outcome = merge_bytes(base.encode(), ours.encode(), both.encode(), "plans/messaging.toml")
    assert outcome.conflicts == ["message one-view-of-utilisation: status (both changed it)"]
    assert "<<<<<<< ours (message one-view-of-utilisation: status)" in outcome.text and outcome.text.count("<<<<<<<") == 1


def test_textconv_prints_messages_entity_by_entity(plan_dir):
    from tui.history.textconv import textconv_bytes

    out = textconv_bytes((plan_dir / "messaging.toml").read_bytes(), "plans/messaging.toml")
    blocks = out.split("\n\n")
    assert sum(b.startswith("message ") for b in blocks) == 12
    block = next(b for b in blocks if b.startswith("message payback-one-season"))
    assert "Lakeshore Plumbing & Drain cut overtime 18% in one season" in block
    # fields in the schema's order: the message text before its owners
    assert block.index("text") < block.index("owners")


def test_csv_export_of_messages(plan_dir):
    import csv
    import io

    from tui.plan.insights.export import export_csv

    rows = list(csv.DictReader(io.StringIO(export_csv(load_plan(plan_dir), "message"))))
    assert len(rows) == 12
    row = next(r for r in rows if r["id"] == "live-in-ninety-days")
    assert row["personas"] == "ops-director; dispatch-manager" and row["status"] == "approved"
    assert list(rows[0])[:3] == ["id", "text", "personas"]


def test_init_writes_a_messaging_file_from_the_schema(tmp_path):
    from tui.history.scaffold import render_plan_files

    files = render_plan_files("Acme", "2027-Q1", "schemas/bundled")
    assert set(files) == set(PLAN_FILES)
    text = files["messaging.toml"]
    assert text.startswith("#:schema schemas/bundled/messaging.schema.json\n# The messaging framework")
    for name, body in files.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    assert not [p for p in validate(load_plan(tmp_path)) if p.file == "messaging.toml"]


def test_bundled_copy_of_the_schema_is_in_sync():
    from tests.conftest import ROOT
    from tui.plan.insights.taplo import bundle_schema

    src = json.loads((ROOT / "schemas" / "messaging.schema.json").read_text(encoding="utf-8"))
    common = json.loads((ROOT / "schemas" / "common.schema.json").read_text(encoding="utf-8"))
    bundled = json.loads((ROOT / "schemas" / "bundled" / "messaging.schema.json").read_text(encoding="utf-8"))
    assert bundled == bundle_schema(src, common)
    assert (ROOT / "plans" / "messaging.toml").read_text(encoding="utf-8").startswith(
        "#:schema ../schemas/bundled/messaging.schema.json\n")


def test_no_message_specific_code_outside_its_own_modules():
    """Loading, references, the CLI, diff, merge, textconv and export know no "message"."""
    from tests.conftest import ROOT

    own = {"tui/plan/registry.py", "tui/plan/rules_messaging.py", "tui/plan/insights/messaging.py"}
    hooks = {"tui/plan/validation.py", "tui/plan/insights/stage.py", "tui/plan/insights/report.py",
             "tui/cli/insights.py"}
    pattern = re.compile(r"""(?:all|find|get|KINDS\[)\(?["']message["']|messaging\.toml|kind == ["']message""")
    for path in sorted((ROOT / "tui").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in own or rel.startswith("tui/app/"):
            continue
        hits = pattern.findall(path.read_text(encoding="utf-8"))
        assert not hits or rel in hooks, (rel, hits)


def test_account_import_fills_play_messages_like_any_list_field(plan_dir):
    from tui.plan.insights.imports import plan_account_import

    csv_text = ("Company Name,Company Domain Name,Msgs\n"
                "Harbor HVAC Services,harborhvac.example,windshield-time; payback-one-season\n")
    report = plan_account_import(load_plan(plan_dir), csv_text.encode(), source="crm.csv", mapping={"Msgs": "messages"})
    (row,) = report.rows
    assert row.action == "change" and not report.errors
    assert row.fields == {"messages": (["same-product-clearer-name"], ["windshield-time", "payback-one-season"])}

    bad = csv_text.replace("windshield-time; payback-one-season", "nope-msg")
    report = plan_account_import(load_plan(plan_dir), bad.encode(), source="crm.csv", mapping={"Msgs": "messages"})
    assert any("no message has the id 'nope-msg'" in e for e in report.errors)

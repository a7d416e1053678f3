"""The messaging framework's cross-file rules (messaging.toml and what cites it).

References from a message (personas, stages, owners, the content item of a proof point,
``replaced_by``) resolve through the registry's reference machinery like every other
reference (``ref.unknown``); retired product names in a message's text are flagged by
the glossary rule that reads every string of every plan file
(``glossary.retired-name``).  The rules here are the ones only messages have.  Codes:

  message.owners        (error)    an approved message lacks an owner from sales or from
                                   marketing: both teams must own what both teams say
  message.no-replacement (error)   a retired message names no ``replaced_by``
  message.replaced-by   (error)    ``replaced_by`` names the message itself, or is set on
                                   a message that is not retired
  message.retired-cited (error)    content (or an account play) cites a retired message;
                                   the message names its replacement
  message.draft-cited   (warning)  content (or an account play) cites a draft message
  message.one-sentence  (warning)  a message's text runs over more than one sentence or line

A citation is any reference to a message from an entity of another kind (found through
the schemas' ``message_ref``/``message_refs`` markers), so a kind that starts citing
messages is checked without a change here.  Entities that are themselves retired
(retired content) keep their citations as history and are not checked.
"""

from __future__ import annotations

import re

from .model import Entity, Plan
from .problems import ERROR, WARNING, Problem
from .refs import iter_references
from .schema import SchemaSet

KIND = "message"
SIDES = ("sales", "marketing")
# a sentence ends, and another begins: "... one season. Then ..."
_NEXT_SENTENCE = re.compile(r"[.!?][\"')\]]*\s+[\"'(]*[A-Z]")


def _owners(e: Entity) -> list[str]:
    owners = e.data.get("owners")
    return [o for o in owners if isinstance(o, str)] if isinstance(owners, list) else []


def message_problems(plan: Plan, schemas: SchemaSet, locators: dict, refs: list | None = None) -> list[Problem]:
    """The messaging rules' findings, positioned by the validator's ``locators``
    (file -> locator with ``problem(severity, code, message, path)``); ``refs``:
    ``iter_references(plan, schemas)`` when the caller has walked them already."""
    messages = {e.id: e for e in plan.all(KIND)}
    out: list[Problem] = []

    def add(severity: str, code: str, message: str, file: str, path: tuple) -> None:
        out.append(locators[file].problem(severity, code, message, path))

    teams = {m.id: m.data.get("team") for m in plan.all("member") if isinstance(m.data.get("team"), str)}
    for m in messages.values():
        status = m.data.get("status")
        if status == "approved":
            owners = _owners(m)
            have = {teams.get(o) for o in owners}
            missing = [t for t in SIDES if t not in have]
            if missing:
                field = ("owners",) if "owners" in m.data else ("status",)
                add(ERROR, "message.owners",
                    f"message {m.id!r} is approved but has no {' and no '.join(missing)} owner; add a "
                    f"{' and a '.join(missing)} member to `owners`, or set `status` back to \"draft\"",
                    m.file, m.path + field)
        text = m.data.get("text")
        if isinstance(text, str) and ("\n" in text.strip() or _NEXT_SENTENCE.search(text.strip())):
            add(WARNING, "message.one-sentence",
                f"message {m.id!r} runs over more than one sentence; say it in one sentence and move the "
                "rest to proof points or objections", m.file, m.path + ("text",))
        replacement = m.data.get("replaced_by")
        if status == "retired" and not isinstance(replacement, str):
            add(ERROR, "message.no-replacement",
                f"message {m.id!r} is retired but names no replacement; set `replaced_by` to the id of the "
                "message to use instead", m.file, m.path + ("status",))
        elif isinstance(replacement, str) and replacement == m.id:
            add(ERROR, "message.replaced-by",
                f"message {m.id!r} names itself in `replaced_by`; name the message that replaces it",
                m.file, m.path + ("replaced_by",))
        elif isinstance(replacement, str) and status != "retired":
            add(ERROR, "message.replaced-by",
                f"message {m.id!r} has `replaced_by` but is {status or 'without a status'}; set `status` to "
                "\"retired\" or remove `replaced_by`", m.file, m.path + ("replaced_by",))

    if not messages:
        return out  # citations of messages that do not exist are ref.unknown
    owners_by_path = None
    for file, path, kind, value in iter_references(plan, schemas) if refs is None else refs:
        if kind != KIND or not isinstance(value, str) or value not in messages:
            continue  # unknown ids are ref.unknown
        by_path = getattr(locators.get(file), "by_path", None)  # the validator's: entities by path in file
        if by_path is not None:
            citing = next((by_path[path[:n]] for n in range(len(path), 0, -1) if path[:n] in by_path), None)
        else:
            if owners_by_path is None:
                owners_by_path = {(e.file, e.path): e for es in plan.entities.values() for e in es}
            citing = next((owners_by_path[(file, path[:n])] for n in range(len(path), 0, -1)
                           if (file, path[:n]) in owners_by_path), None)
        if citing is None or citing.kind.name == KIND or citing.data.get("status") == "retired":
            continue
        target = messages[value]
        who = f"{citing.kind.title.lower()} {citing.id!r}"
        status = target.data.get("status")
        if status == "retired":
            replacement = target.data.get("replaced_by")
            use = (f"cite {replacement!r} instead" if isinstance(replacement, str) and replacement in messages
                   else "remove it (the message names no replacement)")
            add(ERROR, "message.retired-cited",
                f"{who} cites message {value!r}, which is retired; {use}", file, path)
        elif status == "draft":
            add(WARNING, "message.draft-cited",
                f"{who} cites message {value!r}, which is still a draft; get it approved by both teams "
                "before the item goes out, or cite an approved message", file, path)
    return out

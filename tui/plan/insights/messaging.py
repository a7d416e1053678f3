"""Message coverage: does every buyer hear one approved story at every stage?

The messaging framework (messaging.toml, optional) is read against the personas, the
plan's journey stages and the content calendar:

* a cell is one persona at one journey stage; it lists the approved messages written
  for it (a message's ``personas`` × ``stages``) and the drafts; a cell with no
  approved message is a gap;
* a message no content carries is one that is not retired and that no live content
  item (any status but retired) lists in its ``messages``;
* published content that carries no message cites nothing from the framework.

``framework_rule`` is the evidence the alignment stage reads (``message.framework``):
there are approved messages, each owned by a sales and a marketing member, and every
persona has an approved message at every journey stage.

A plan without messaging.toml has no framework: ``present`` is false, the text and
Markdown renderings are empty (coverage and the report read as before) and the stage
rule is not met.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..layout import has_kind_file
from ..model import Plan
from ..registry import KINDS
from ._common import PUBLISHED, as_str_list, live_content, member_teams

APPROVED, DRAFT, RETIRED = "approved", "draft", "retired"
BOTH = {"sales", "marketing"}


@dataclass
class MessageCell:
    persona: str
    stage: str
    approved: list[str] = field(default_factory=list)  # message ids, in file order
    drafts: list[str] = field(default_factory=list)

    @property
    def is_gap(self) -> bool:
        return not self.approved

    def to_dict(self) -> dict:
        return {"persona": self.persona, "stage": self.stage, "approved": list(self.approved),
                "drafts": list(self.drafts), "gap": self.is_gap}


@dataclass
class MessageCoverage:
    present: bool  # the plan has a messaging file (or messages)
    stages: list[str]
    personas: list[str]
    cells: dict[tuple[str, str], MessageCell]
    counts: dict[str, int] = field(default_factory=dict)  # status -> number of messages
    uncarried: list[str] = field(default_factory=list)  # live messages no live content carries
    unmessaged: list[str] = field(default_factory=list)  # published content citing no message
    one_sided: list[str] = field(default_factory=list)  # approved messages not owned by both teams

    def cell(self, persona: str, stage: str) -> MessageCell:
        return self.cells[(persona, stage)]

    @property
    def gaps(self) -> list[MessageCell]:
        return [c for c in self.cells.values() if c.is_gap]

    def to_dict(self) -> dict:
        return {
            "present": self.present,
            "messages": dict(self.counts),
            "cells": [c.to_dict() for c in self.cells.values()],
            "gaps": [{"persona": c.persona, "stage": c.stage} for c in self.gaps],
            "uncarried": list(self.uncarried),
            "published_without_message": list(self.unmessaged),
            "one_sided": list(self.one_sided),
        }


def message_coverage(plan: Plan) -> MessageCoverage:
    """The persona × stage message matrix of ``plan``, and what content carries."""
    kind = KINDS["message"]
    messages = plan.all("message")
    stages = list(plan.stages)
    personas = [p.id for p in plan.all("persona")]
    cells = {(p, s): MessageCell(p, s) for p in personas for s in stages}
    counts: dict[str, int] = {}
    teams = member_teams(plan)
    one_sided = []
    for m in messages:
        status = str(m.data.get("status") or "")
        counts[status] = counts.get(status, 0) + 1
        if status not in (APPROVED, DRAFT):
            continue
        if status == APPROVED and not {teams.get(o) for o in as_str_list(m.data.get("owners"))} >= BOTH:
            one_sided.append(m.id)
        for p in dict.fromkeys(as_str_list(m.data.get("personas"))):
            for s in dict.fromkeys(as_str_list(m.data.get("stages"))):
                cell = cells.get((p, s))
                if cell is not None:  # unknown ids: the validator reports the reference
                    (cell.approved if status == APPROVED else cell.drafts).append(m.id)
    live = live_content(plan)
    carried = {i for c in live for i in as_str_list(c.data.get("messages"))}
    uncarried = [m.id for m in messages if m.data.get("status") != RETIRED and m.id not in carried]
    unmessaged = [c.id for c in live if c.data.get("status") == PUBLISHED and not as_str_list(c.data.get("messages"))]
    present = has_kind_file(plan.files, kind.file) or bool(messages)  # one file, or one per message
    return MessageCoverage(present, stages, personas, cells, counts, uncarried, unmessaged, one_sided)


def framework_rule(plan: Plan) -> tuple[bool, str]:
    """(met, evidence) for the alignment stage's ``message.framework`` rule."""
    mc = message_coverage(plan)
    if not mc.counts.get(APPROVED):
        return False, ("no approved message in messaging.toml" if mc.present
                       else "there is no messaging framework (messaging.toml)")
    problems = []
    if mc.one_sided:
        problems.append(f"not owned by both teams: {_few(mc.one_sided)}")
    if not mc.personas:
        problems.append("there are no personas")
    if mc.gaps:
        problems.append("no approved message for " + _few([f"{c.persona} at {c.stage}" for c in mc.gaps], "; "))
    if problems:
        return False, "; ".join(problems)
    n = mc.counts[APPROVED]
    return True, f"{n} approved message{'s' if n != 1 else ''}, owned by both teams, for every persona at every stage"


def _few(items: list[str], sep: str = ", ", n: int = 5) -> str:
    more = f"{sep}and {len(items) - n} more" if len(items) > n else ""
    return sep.join(items[:n]) + more


# -- renderings (the coverage command and the report call these) -----------------------------


def _summary(mc: MessageCoverage) -> str:
    counts = ", ".join(f"{mc.counts[s]} {s}" for s in (APPROVED, DRAFT, RETIRED) if mc.counts.get(s))
    return f"Message coverage: approved messages per persona and stage ({counts or 'no messages'})"


def coverage_text(mc: MessageCoverage) -> str:
    """The text section for ``quarterdeck coverage``; empty without a framework."""
    if not mc.present:
        return ""
    lines = [_summary(mc), ""]
    if mc.personas and mc.stages:
        rows = [["persona", *mc.stages]]
        for p in mc.personas:
            rows.append([p, *(str(len(mc.cell(p, s).approved)) + (" GAP" if mc.cell(p, s).is_gap else "")
                              for s in mc.stages)])
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows]
        lines.append("")
    if mc.gaps:
        lines.append(f"No approved message ({len(mc.gaps)}):")
        for c in mc.gaps:
            lines.append(f"  {c.persona} at {c.stage}" + (f" (drafts: {', '.join(c.drafts)})" if c.drafts else ""))
    elif mc.personas:
        lines.append("Every persona has an approved message at every stage.")
    if mc.one_sided:
        lines.append(f"Approved but not owned by both teams: {', '.join(mc.one_sided)}")
    if mc.uncarried:
        lines.append(f"Messages no content carries ({len(mc.uncarried)}): {', '.join(mc.uncarried)}")
    if mc.unmessaged:
        lines.append(f"Published content that carries no message ({len(mc.unmessaged)}):")
        lines += [f"  {i}" for i in mc.unmessaged]
    return "\n".join(lines)


def coverage_markdown(mc: MessageCoverage, escape, heading: str = "##") -> str:
    """The Markdown section for ``quarterdeck coverage``; ``escape`` makes text safe in a
    Markdown line (the renderer's escaper).  Empty without a framework."""
    if not mc.present:
        return ""
    lines = [f"{heading} Message coverage", "", escape(_summary(mc).split(": ", 1)[1].capitalize()) + ".", ""]
    if mc.personas and mc.stages:
        lines.append("| Persona | " + " | ".join(escape(s) for s in mc.stages) + " |")
        lines.append("|---|" + "---|" * len(mc.stages))
        for p in mc.personas:
            cells = [f"**{len(mc.cell(p, s).approved)} gap**" if mc.cell(p, s).is_gap
                     else str(len(mc.cell(p, s).approved)) for s in mc.stages]
            lines.append(f"| {_id_cell(p, escape)} | " + " | ".join(cells) + " |")
        lines.append("")
    for label, items in report_lines(mc):
        lines.append(f"- **{escape(label)}:** " + ", ".join(_id_cell(i, escape) for i in items))
    return "\n".join(lines).rstrip() + "\n"


def _id_cell(text: str, escape) -> str:
    """``text`` as inline code when that is safe (plain words), else escaped plain text: a
    backtick in an invalid id cannot end the code span and let markup through."""
    return f"`{text}`" if re.fullmatch(r"[A-Za-z0-9 ._-]+", text) else escape(text)


def report_lines(mc: MessageCoverage) -> list[tuple[str, list[str]]]:
    """(label, ids) for each finding, for the report's bullets; [] when there is none."""
    out = []
    if mc.gaps:
        out.append(("No approved message for", [f"{c.persona} at {c.stage}" for c in mc.gaps]))
    if mc.one_sided:
        out.append(("Approved but not owned by both teams", list(mc.one_sided)))
    if mc.uncarried:
        out.append(("Messages no content carries", list(mc.uncarried)))
    if mc.unmessaged:
        out.append(("Published content that carries no message", list(mc.unmessaged)))
    return out


__all__ = ["MessageCell", "MessageCoverage", "message_coverage", "framework_rule", "coverage_text",
           "coverage_markdown", "report_lines"]

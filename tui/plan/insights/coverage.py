"""Journey coverage: what content each persona gets at each stage of the buyer's journey.

A cell is one persona at one journey stage (the plan's ``stages``).  It lists the ids of
the content items planned for it, split into published ones and ones still on their way
(idea, planned, drafting, review, scheduled); retired items do not count.

A cell is a gap when it is
  * ``empty``: no content at all, or
  * ``thin``: fewer than ``min_items`` items (default 2), or no published item yet.
Gaps carry the persona's own questions for that stage (``persona.journey.<stage>
.questions``) so the team knows what to write next.

Tier 1 accounts that no live content item lists in ``accounts`` have no content play.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Plan
from ._common import PUBLISHED, as_str_list, live_content

OK = "ok"
THIN = "thin"
EMPTY = "empty"
MIN_ITEMS = 2


@dataclass
class Cell:
    persona: str
    stage: str
    published: list[str] = field(default_factory=list)  # content ids, in file order
    planned: list[str] = field(default_factory=list)  # ids not yet published (not retired)
    questions: list[str] = field(default_factory=list)  # the persona's questions at this stage
    content_needs: list[str] = field(default_factory=list)
    status: str = OK  # ok | thin | empty
    reason: str = ""  # why a gap is a gap, in words

    @property
    def items(self) -> list[str]:
        return self.published + self.planned

    @property
    def is_gap(self) -> bool:
        return self.status != OK

    def to_dict(self) -> dict:
        return {
            "persona": self.persona, "stage": self.stage, "status": self.status, "reason": self.reason,
            "published": list(self.published), "planned": list(self.planned),
            "questions": list(self.questions), "content_needs": list(self.content_needs),
        }


@dataclass
class Coverage:
    stages: list[str]
    personas: list[tuple[str, str]]  # (id, name)
    cells: dict[tuple[str, str], Cell]  # (persona id, stage) -> cell
    min_items: int = MIN_ITEMS
    tier1_without_play: list[tuple[str, str]] = field(default_factory=list)  # (account id, name)
    off_journey: list[str] = field(default_factory=list)  # live items whose stage is not a plan stage
    no_persona: list[str] = field(default_factory=list)  # live items that name no persona

    def cell(self, persona: str, stage: str) -> Cell:
        return self.cells[(persona, stage)]

    @property
    def gaps(self) -> list[Cell]:
        return [c for c in self.cells.values() if c.is_gap]

    def to_dict(self) -> dict:
        return {
            "format": "quarterdeck.coverage/1",
            "stages": list(self.stages),
            "personas": [{"id": i, "name": n} for i, n in self.personas],
            "thin_below": self.min_items,
            "cells": [c.to_dict() for c in self.cells.values()],
            "gaps": [{"persona": c.persona, "stage": c.stage, "status": c.status} for c in self.gaps],
            "tier1_without_play": [{"id": i, "name": n} for i, n in self.tier1_without_play],
            "off_journey": list(self.off_journey),
            "no_persona": list(self.no_persona),
        }


def coverage(plan: Plan, min_items: int = MIN_ITEMS) -> Coverage:
    """The persona × stage coverage matrix of ``plan``."""
    stages = list(plan.stages)
    personas = [(p.id, str(p.data.get("name") or p.id)) for p in plan.all("persona")]
    cells: dict[tuple[str, str], Cell] = {}
    for p in plan.all("persona"):
        journey = p.data.get("journey") if isinstance(p.data.get("journey"), dict) else {}
        for stage in stages:
            step = journey.get(stage) if isinstance(journey.get(stage), dict) else {}
            cells[(p.id, stage)] = Cell(p.id, stage, questions=as_str_list(step.get("questions")),
                                        content_needs=as_str_list(step.get("content_needs")))
    off_journey, no_persona = [], []
    for c in live_content(plan):
        stage = c.data.get("stage")
        names = as_str_list(c.data.get("personas"))
        if stage not in stages:
            off_journey.append(c.id)
            continue
        if not names:
            no_persona.append(c.id)
        for persona in dict.fromkeys(names):
            cell = cells.get((persona, stage))
            if cell is None:
                continue  # an unknown persona: the validator reports the reference
            (cell.published if c.data.get("status") == PUBLISHED else cell.planned).append(c.id)
    for cell in cells.values():
        n = len(cell.items)
        if n == 0:
            cell.status, cell.reason = EMPTY, "no content at all"
        elif n < min_items:
            cell.status = THIN
            cell.reason = f"only {n} item{'s' if n != 1 else ''} (fewer than {min_items})"
            if not cell.published:
                cell.reason += ", none published yet"
        elif not cell.published:
            cell.status, cell.reason = THIN, f"{n} items, none published yet"
    played = {a for c in live_content(plan) for a in as_str_list(c.data.get("accounts"))}
    tier1 = [(a.id, str(a.data.get("name") or a.id)) for a in plan.all("account")
             if a.data.get("tier") == 1 and a.id not in played]
    return Coverage(stages, personas, cells, min_items, tier1, off_journey, no_persona)


__all__ = ["Cell", "Coverage", "coverage", "OK", "THIN", "EMPTY", "MIN_ITEMS"]

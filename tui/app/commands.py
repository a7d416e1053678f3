"""Command palette entries: every action of the app, and a jump to any entity by name."""

from __future__ import annotations

import re

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from tui.plan.registry import KINDS

from .messages import JumpRequested
from .present import visible

MAX_ENTITY_HITS = 60


def literal_highlight(matcher, candidate: str) -> Content:
    """``candidate`` with the matched letters highlighted, never read as markup."""
    content = Content(candidate)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, candidate)
    for offset in offsets:
        if not candidate[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class PlanCommands(Provider):
    """Actions, and every entity of the plan by its name."""

    @property
    def qd(self):  # the app's state (plan folder, session) and its generic API
        return self.app  # type: ignore[return-value]

    async def discover(self) -> Hits:
        for name, help_text, callback in self.qd.palette_actions():
            yield DiscoveryHit(Content(name), callback, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self.qd.palette_actions():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, literal_highlight(matcher, name), callback, text=name, help=help_text)
        plan = self.qd.plan
        letters = [re.escape(ch) for ch in query.casefold() if not ch.isspace()]
        if plan is None or not letters:
            return
        quick = re.compile(".*?".join(letters), re.S)
        hits = []
        for kind in KINDS.values():
            for entity in plan.all(kind.name):
                candidate = visible(f"{kind.title}: {entity.label} ({entity.id})")
                if not quick.search(candidate.casefold()):
                    continue
                score = matcher.match(candidate)
                if score > 0:
                    hits.append((score, candidate, kind.name, entity.id))
        hits.sort(key=lambda h: -h[0])
        for score, candidate, kind_name, entity_id in hits[:MAX_ENTITY_HITS]:
            yield Hit(score * 0.9, literal_highlight(matcher, candidate),
                      self._jump(kind_name, entity_id), text=candidate,
                      help=f"Go to this {KINDS[kind_name].title.lower()}")

    def _jump(self, kind: str, entity_id: str):
        async def jump() -> None:
            self.qd.post_message(JumpRequested(kind, entity_id))

        return jump

"""The detail of one entity, as Rich Text (user text is never read as markup)."""

from __future__ import annotations

import datetime as dt
import textwrap

from rich.cells import cell_len
from rich.text import Text

from tui.plan.insights import numbers

from tui.plan.model import Entity, Plan
from tui.plan.problems import ERROR, Problem
from tui.plan.schema import SchemaSet

from .formspec import FieldSpec, child_kinds, form_fields, value_at
from .palette import DEFAULT, Palette
from .present import fmt, kr_progress, plan_currency, visible

LABEL = "bold"
MUTED = "dim"


def _ref_text(plan: Plan, kind: str, value) -> str:
    if kind == "stage" or not isinstance(value, str):
        return fmt(value)
    target = plan.find(kind, value)
    if target is None:
        return f"{visible(value)} (unknown!)"
    label = target.label
    return visible(value) if label == value else f"{visible(value)} — {visible(label)}"


def _value_lines(plan: Plan, spec: FieldSpec, value) -> list[str] | str:
    if spec.control == "ref":
        return _ref_text(plan, spec.ref_kind, value)
    if spec.control == "refs" and isinstance(value, list):
        return [_ref_text(plan, spec.ref_kind, v) for v in value]
    if spec.control == "text_list" and isinstance(value, list):
        return [fmt(v) for v in value]
    if spec.control == "long_text" and isinstance(value, str):
        return paragraphs(value)
    if spec.control == "tables" and isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, dict):
                parts = [fmt(v) for k, v in item.items() if k not in ("custom",) and not isinstance(v, (dict, list))]
                out.append(" · ".join(parts))
        return out
    return fmt(value)


def paragraphs(value: str) -> list[str]:
    """Long text as paragraphs: the line breaks inside a paragraph become spaces."""
    out = []
    for block in value.strip("\n").replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if lines:
            if out:
                out.append("")
            out.append(visible(" ".join(lines)))
    return out


def bullet(line: str, indent: str = "", width: int | None = None, mark: str = "•") -> str:
    """One bullet, wrapped to ``width`` with a hanging indent: its wrapped lines start
    under its text, not under the bullet."""
    first = f"{indent}  {mark} "
    if not width or cell_len(first) + cell_len(line) <= width:
        return first + line + "\n"
    hang = " " * cell_len(first)
    lines = textwrap.wrap(line, width=max(10, width), initial_indent=first, subsequent_indent=hang,
                          break_long_words=True, break_on_hyphens=False)
    return "\n".join(lines) + "\n" if lines else first + "\n"


def _field(text: Text, plan: Plan, spec: FieldSpec, value, indent: str = "", width: int | None = None) -> None:
    shown = _value_lines(plan, spec, value)
    text.append(f"{indent}{spec.title}: ", style=LABEL)
    if isinstance(shown, str):
        text.append(shown + "\n")
        return
    text.append("\n")
    if spec.control in ("text_list", "refs", "tables"):
        for line in shown:
            text.append(bullet(line, indent, width))
    else:
        for line in shown:
            text.append(f"{indent}{line}\n")


def progress_line(data: dict, width: int = 20, compact: bool = False, currency: str = "",
                  pal: Palette = DEFAULT, pace: tuple | None = None) -> Text:
    """A key result's bar, its share of the way (never below 0%: a result that moved away
    from its target reads so in words) and where it stands in plain words ("12 hours,
    down from 41 hours, aiming for 9 hours or less"; "$2.15M of $3M").  With ``pace``
    (expected share, computed status) the expected-by-today mark sits on the bar and the
    computed status follows it."""
    from .pacemarks import marked_bar, status_text

    fraction, note = kr_progress(data)
    line = Text()
    expected, status = pace if pace else (None, None)
    if fraction is None:
        line.append_text(marked_bar(None, expected, width, MUTED, pal))
        line.append(f"  {note}", style=MUTED)
        return line
    style = pal.bar_good if fraction >= 1 else (pal.bar_warn if fraction >= 0.5 else pal.bar_bad)
    line.append_text(marked_bar(fraction, expected, width, style, pal))
    line.append(f" {numbers.percent(max(0.0, fraction)):>4}")
    if status:
        line.append(" ")
        line.append_text(status_text(status, pal))
    words = numbers.kr_words(data, currency, short=compact)
    if fraction <= 0 and data.get("direction", "increase") == "increase" and data.get("baseline") is not None:
        # 0% beside "2 of 5" or "109 of 160" would not say why: it has not moved, or went back
        base = numbers.amount(data["baseline"], data.get("unit"), currency, compact)
        words += f", below its baseline {base}" if fraction < 0 else f", where it started (baseline {base})"
    line.append(f"  {words}", style=MUTED)
    if note:
        line.append(f"  {note}", style=pal.warn)
    return line


def _pace(plan: Plan, kr: Entity, today: dt.date | None) -> tuple | None:
    from .pacemarks import kr_pace_text

    if today is None:
        return None
    expected, status, _words = kr_pace_text(plan, kr, today)
    return expected, status
def heading(entity: Entity) -> str:
    """What the detail is about: an entry's name; for a one-of table (the SLA, lead
    scoring) what the table is, since its label field is only a setting ("month")."""
    kind = entity.kind
    if not kind.singleton:
        return visible(entity.label)
    if kind.name == "plan":
        return visible(entity.label) if entity.label != entity.id else kind.title
    label = entity.data.get(kind.label)
    if kind.name == "sla" and label not in (None, ""):
        count = entity.data.get("mql_commitment")
        per = f"{numbers.full(count)} MQLs per {visible(str(label))}" if count is not None else f"per {visible(str(label))}"
        return f"{kind.title} · {per}"
    return kind.title


def render_entity(plan: Plan, schemas: SchemaSet, entity: Entity | None, problems: list[Problem],
                  today: dt.date | None = None, *, width: int | None = None, pal: Palette = DEFAULT) -> Text:
    text = Text(no_wrap=False, overflow="fold")
    if entity is None:
        text.append("Nothing selected", style=MUTED)
        return text
    kind = entity.kind
    text.append(heading(entity) + "\n", style="bold underline")
    if kind.singleton:
        text.append(f"[{kind.name}] in {entity.file}\n\n", style=MUTED)
    else:
        text.append(f"{kind.title} · {visible(entity.id)}\n\n", style=MUTED)
    specs = form_fields(schemas, kind, plan, entity.data)
    section = ""
    for spec in specs:
        if spec.control == "children":
            continue  # entities of their own (a goal's key results): listed below, each in full
        value = value_at(entity.data, spec.path)
        if spec.section != section:
            section = spec.section
            if section:
                text.append(f"\n{section}\n", style="bold italic")
        if value is None:
            if spec.required:
                text.append(f"{spec.title}: ", style=LABEL)
                text.append("missing (required)\n", style=pal.bad)
            continue
        if kind.name == "key_result" and spec.key in ("baseline", "target", "actual") \
                and numbers.is_finite_number(value):
            # in the key result's unit: "$2,100,000", "41 hours", "64%"
            text.append(f"{'  ' if section else ''}{spec.title}: ", style=LABEL)
            text.append(numbers.amount(value, entity.data.get("unit"), plan_currency(plan), short=False) + "\n")
            continue
        _field(text, plan, spec, value, "  " if section else "", width)
    currency = plan_currency(plan)
    if kind.name == "key_result":
        text.append("\nProgress ", style=LABEL)
        text.append_text(progress_line(entity.data, currency=currency, pal=pal, pace=_pace(plan, entity, today)))
        text.append("\n")
    elif kind.name == "goal" and today is not None:
        from .pacemarks import goal_pace_text, goal_statuses

        paces = goal_statuses(plan, today)
        if entity.id in paces:
            text.append("\n")
            text.append_text(goal_pace_text(*paces[entity.id], pal=pal))
            text.append("  (computed from its key results)\n", style=MUTED)
    for array, child in child_kinds(kind).items():
        children = [e for e in plan.all(child.name) if e.path[: len(entity.path)] == entity.path]
        text.append(f"\n{child.plural} ({len(children)})\n", style="bold")
        for c in children:
            text.append(bullet(visible(c.label), "", width).rstrip("\n"), style="")
            if child.name == "key_result":
                text.append("\n    ")
                text.append_text(progress_line(c.data, 10, compact=True, currency=currency, pal=pal,
                                               pace=_pace(plan, c, today)))
            elif child.name == "rule":
                text.append(f"  ({fmt(c.data.get('points'))} points, {fmt(c.data.get('category'))})", style=MUTED)
            text.append("\n")
    if kind.name == "persona":
        _persona_content(text, plan, entity, width, pal)
    mine = [p for p in problems if p.kind == kind.name and (p.entity or p.kind) == entity.id]
    if mine:
        text.append(f"\nProblems ({len(mine)})\n", style="bold")
        for p in mine:
            style = pal.bad if p.severity == ERROR else pal.warn
            where = f" [{p.field}]" if p.field else ""
            line = bullet(visible(p.message) + where, "", width, "✖" if p.severity == ERROR else "▲")
            text.append(line[:4], style=style)
            text.append(line[4:])
    return text


def _persona_content(text: Text, plan: Plan, persona: Entity, width: int | None = None,
                     pal: Palette = DEFAULT) -> None:
    items = [c for c in plan.all("content") if persona.id in (c.data.get("personas") or [])]
    text.append("\nContent planned per stage\n", style="bold")
    for stage in plan.stages:
        here = [c for c in items if c.data.get("stage") == stage]
        text.append(f"  {stage}: ", style=LABEL)
        if not here:
            text.append("nothing planned — a gap\n", style=pal.warn)
            continue
        text.append(f"{len(here)} item{'s' if len(here) != 1 else ''}\n")
        for c in here[:6]:
            text.append(f"    • {visible(c.label)}", style="")
            text.append(f" ({fmt(c.data.get('status'))})\n", style=MUTED)
        if len(here) > 6:
            text.append(f"    … and {len(here) - 6} more\n", style=MUTED)

"""Small inline SVG charts for the HTML brief: a key result's progress bar and trend, the
coverage heat map, the alignment ladder and the SLA funnel.

Each function takes the plain numbers of ``brief.py`` and returns one ``<svg>`` element
as text: no script, no external reference, nothing fetched; sized by its ``viewBox`` and
``width="100%"`` so it never runs wider than the page.  Colours come from ``PALETTE``
twice: as presentation attributes (what a reader that drops the page's ``<style>``
shows, on the chart's own light panel) and as CSS classes the page's stylesheet maps to
the light or the dark palette (``prefers-color-scheme``) and back to light for print.
Colour is never the only signal: every status is also a word and a glyph, an empty
coverage cell is hatched, a thin one dotted, and every count is text.

Every piece of plan text is escaped (and its control characters made visible) here.
"""

from __future__ import annotations

import html
import math

from ..safetext import visible

# name -> (light, dark).  Status colours are used for bars and for the status words.
PALETTE: dict[str, tuple[str, str]] = {
    "bg": ("#ffffff", "#0d1117"),
    "panel": ("#f6f8fa", "#161b22"),
    "ink": ("#1b1f24", "#e6edf3"),
    "muted": ("#57606a", "#9198a1"),
    "line": ("#d0d7de", "#30363d"),
    "track": ("#ffffff", "#0d1117"),
    "done": ("#0860c4", "#58a6ff"),
    "on_track": ("#1a7f37", "#3fb950"),
    "at_risk": ("#8a5a00", "#d29922"),
    "off_track": ("#c5221f", "#ff7b72"),
    "not_started": ("#5c6570", "#8b949e"),
    "unknown": ("#5c6570", "#8b949e"),
    "cell_ok": ("#d1f4da", "#113821"),
    "cell_thin": ("#fff0c2", "#3b2c05"),
    "cell_empty": ("#ffdcd7", "#4c1a19"),
    "step": ("#0860c4", "#58a6ff"),
    "step_ink": ("#ffffff", "#0d1117"),
    "need": ("#5c6570", "#8b949e"),
}
STATUSES = ("done", "on_track", "at_risk", "off_track", "not_started", "unknown")
CELLS = {"ok": "cell_ok", "thin": "cell_thin", "empty": "cell_empty"}


def light(name: str) -> str:
    return PALETTE[name][0]


def _t(text) -> str:
    """Plan text inside SVG/HTML: control characters made visible, then escaped."""
    return html.escape(visible(str(text)))


def _n(x: float) -> str:
    """A coordinate: short and never 'nan'."""
    if not math.isfinite(x):
        x = 0.0
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _svg(width: float, height: float, body: list[str], label: str, cls: str, scale: float = 0, kr: str = "") -> str:
    """One chart; ``scale``: at most this many CSS pixels per viewBox unit (0: as wide as its
    box); ``kr``: the key result it draws.  Inline in HTML, it needs no namespace attribute
    (the page names no URL at all)."""
    cap = f' style="max-width:{_n(width * scale)}px"' if scale else ""
    of = f' data-kr="{_t(kr)}"' if kr else ""
    return (f'<svg class="chart {cls}"{of} viewBox="0 0 {_n(width)} {_n(height)}" '
            f'width="100%"{cap} role="img" aria-label="{_t(label)}" font-family="system-ui, sans-serif">'
            f"<title>{_t(label)}</title>"
            f'<rect class="panel" x="0" y="0" width="{_n(width)}" height="{_n(height)}" rx="4" fill="{light("panel")}"/>'
            + "".join(body) + "</svg>")


def _text(x, y, text, cls="ink", size=11, anchor="start", weight="") -> str:
    w = f' font-weight="{weight}"' if weight else ""
    colour = cls[2:] if cls.startswith("s-") else cls
    return (f'<text class="{cls}" x="{_n(x)}" y="{_n(y)}" font-size="{size}" text-anchor="{anchor}"'
            f'{w} fill="{light(colour if colour in PALETTE else "ink")}">{_t(text)}</text>')


def _clip(text: str, n: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


# -- key result: progress bar -------------------------------------------------------------


def progress_bar(kr) -> str:
    """The bar (share of the way from baseline to target, in the computed status's colour),
    the expected-by-today mark, and the progress and status as text."""
    w, h, bar = 440.0, 34.0, 216.0
    x0, y0, bh = 8.0, 11.0, 14.0
    status = kr.status if kr.status in STATUSES else "unknown"
    fill = bar * kr.bar_share
    body = [f'<rect class="track" x="{_n(x0)}" y="{_n(y0)}" width="{_n(bar)}" height="{_n(bh)}" rx="3" '
            f'fill="{light("track")}" stroke="{light("muted")}" stroke-width="1"/>']
    if fill > 0:
        body.append(f'<rect class="bar s-{status}" data-share="{kr.bar_share:.3f}" x="{_n(x0)}" y="{_n(y0)}" '
                    f'width="{_n(fill)}" height="{_n(bh)}" rx="3" fill="{light(status)}"/>')
    else:  # nothing to fill: the bar is still there, empty
        body.append(f'<rect class="bar s-{status}" data-share="0" x="{_n(x0)}" y="{_n(y0)}" width="0" '
                    f'height="{_n(bh)}" fill="{light(status)}"/>')
    if kr.progress is not None and kr.progress > 1:  # past the target: an arrow past the end
        body.append(f'<path class="ink" d="M{_n(x0 + bar + 2)} {_n(y0)} l6 {_n(bh / 2)} l-6 {_n(bh / 2)}z" '
                    f'fill="{light("ink")}"/>')
    if kr.expected_share is not None:
        mx = x0 + bar * min(1.0, max(0.0, kr.expected_share))
        body.append(f'<g class="mark" data-expected="{kr.expected_share:.3f}">'
                    f'<line class="mark-halo" x1="{_n(mx)}" y1="{_n(y0 - 5)}" x2="{_n(mx)}" y2="{_n(y0 + bh + 5)}" '
                    f'stroke="{light("panel")}" stroke-width="6"/>'
                    f'<line class="mark-line" x1="{_n(mx)}" y1="{_n(y0 - 5)}" x2="{_n(mx)}" y2="{_n(y0 + bh + 5)}" '
                    f'stroke="{light("ink")}" stroke-width="2.5"/>'
                    f'<path class="ink" d="M{_n(mx - 4)} {_n(y0 - 9)} h8 l-4 5z" fill="{light("ink")}"/></g>')
    label = f"{kr.glyph} {kr.progress_text}"
    body.append(_text(x0 + bar + 14, y0 + bh - 1, label, f"s-{status}", 14, weight="600"))
    title = f"{kr.title}: {kr.progress_text}, {kr.status_text}" + (f", {kr.expected_text}" if kr.expected_text else "")
    return _svg(w, h, body, title, "bar-chart", kr=kr.id)


# -- key result: trend -------------------------------------------------------------------


def trend(kr, start: str = "", end: str = "") -> str:
    """Previous quarters' finals (dots, labelled by quarter) then this quarter's check-ins
    (a line across the quarter's dates), with the target as a dashed line."""
    import datetime as dt

    w, h = 420.0, 70.0
    top, bottom = 10.0, 50.0
    finals = [f for f in kr.finals if f.value is not None and math.isfinite(f.value)]
    values = [v for _, v in kr.checkins] + [f.value for f in finals]
    refs = [v for v in (kr.target, kr.baseline) if v is not None]
    body: list[str] = []
    if not values:
        body.append(_text(w / 2, h / 2 + 4, "no check-ins yet", "muted", 11, "middle"))
        return _svg(w, h, body, f"{kr.title}: no check-ins yet", "trend-chart", kr=kr.id)
    low, high = min(values + refs), max(values + refs)
    if high == low:
        high, low = high + 1, low - 1
    y = (lambda v: bottom - (v - low) / (high - low) * (bottom - top))
    left = 8.0
    fw = 44.0 * len(finals)
    for i, f in enumerate(finals):
        cx = left + 22 + 44 * i
        body.append(f'<circle class="final ink" cx="{_n(cx)}" cy="{_n(y(f.value))}" r="3.5" fill="{light("ink")}">'
                    f"<title>{_t(f.quarter)} final: {_t(_fmt(f.value, kr))}</title></circle>")
        body.append(_text(cx, h - 6, f.quarter[-2:] if f.quarter[-2:-1] == "Q" else _clip(f.quarter, 7),
                          "muted", 10, "middle"))
    x_start = left + fw + (12 if finals else 0)
    if finals:
        body.append(f'<line class="line" x1="{_n(x_start - 6)}" y1="{_n(top - 4)}" x2="{_n(x_start - 6)}" '
                    f'y2="{_n(bottom + 4)}" stroke="{light("line")}" stroke-width="1"/>')
    x_end = w - 90
    try:
        d0, d1 = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
        span = max(1, (d1 - d0).days)
    except ValueError:
        d0, span = None, 0

    def x_of(i: int, date: str) -> float:
        if d0 is not None:
            try:
                share = (dt.date.fromisoformat(date) - d0).days / span
                return x_start + (x_end - x_start) * min(1.0, max(0.0, share))
            except ValueError:
                pass
        return x_start + (x_end - x_start) * (i / max(1, len(kr.checkins) - 1))

    if kr.target is not None:
        ty = y(kr.target)
        body.append(f'<line class="target" x1="{_n(x_start)}" y1="{_n(ty)}" x2="{_n(x_end)}" y2="{_n(ty)}" '
                    f'stroke="{light("muted")}" stroke-width="1.5" stroke-dasharray="4 3"/>')
        body.append(_text(x_end + 4, ty + 4, "target", "muted", 10))
    pts = [(x_of(i, d), y(v)) for i, (d, v) in enumerate(kr.checkins)]
    if pts:
        status = kr.status if kr.status in STATUSES else "unknown"
        body.append(f'<polyline class="checkins s-{status}" fill="none" stroke="{light(status)}" stroke-width="2" '
                    f'points="{" ".join(f"{_n(a)},{_n(b)}" for a, b in pts)}"/>')
        lx, ly = pts[-1]
        body.append(f'<circle class="s-{status}" cx="{_n(lx)}" cy="{_n(ly)}" r="3" fill="{light(status)}"/>')
        body.append(_text(x_end + 4, min(bottom, max(top + 8, ly + 4)) if kr.target is None or abs(ly - y(kr.target)) > 10
                          else ly + (14 if ly >= y(kr.target) else -6), _fmt(kr.checkins[-1][1], kr), "ink", 10))
    n = len(kr.checkins)
    body.append(_text(x_start, h - 6, f"{n} check-in{'' if n == 1 else 's'} this quarter", "muted", 10))
    label = (f"{kr.title}: {len(kr.checkins)} check-ins this quarter"
             + (", previous quarters' finals " + ", ".join(f"{f.quarter} {_fmt(f.value, kr)}" for f in finals)
                if finals else ""))
    return _svg(w, h, body, label, "trend-chart", kr=kr.id)


def _fmt(v, kr) -> str:
    from . import numbers

    return numbers.amount(v, kr.unit, getattr(kr, "currency", ""))


# -- coverage heat map -------------------------------------------------------------------


def _patterns(uid: str) -> str:
    return (f'<defs><pattern id="hatch-{uid}" width="6" height="6" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><line class="hatch" x1="0" y1="0" x2="0" y2="6" '
            f'stroke="{light("off_track")}" stroke-width="1.2" stroke-opacity="0.45"/></pattern>'
            f'<pattern id="dots-{uid}" width="6" height="6" patternUnits="userSpaceOnUse">'
            f'<circle class="dots" cx="3" cy="3" r="0.9" fill="{light("at_risk")}" fill-opacity="0.55"/></pattern></defs>')


def heatmap(hm, uid: str = "hm") -> str:
    """Persona rows × stage columns; each cell coloured by its status (enough, thin,
    empty: also dotted or hatched) and labelled with published + in progress."""
    label_w, cw, ch, head = 170.0, 96.0, 36.0, 26.0
    n = max(1, len(hm.stages))
    w = label_w + cw * n + 8
    h = head + ch * len(hm.rows) + 34
    body = [_patterns(uid)]
    for j, s in enumerate(hm.stages):
        body.append(_text(label_w + cw * j + cw / 2, 17, _clip(s, 14), "ink", 11, "middle", "600"))
    for i, (pid, name, cells) in enumerate(hm.rows):
        y = head + ch * i
        body.append(f'<g class="row"><title>{_t(name)} ({_t(pid)})</title>'
                    + _text(8, y + ch / 2 + 4, _clip(name, 24), "ink", 11) + "</g>")
        for j, c in enumerate(cells):
            x = label_w + cw * j
            colour = CELLS.get(c.status, "cell_ok")
            body.append(f'<g class="cell cell-{c.status}" data-persona="{_t(c.persona)}" data-stage="{_t(c.stage)}">'
                        f'<rect class="{colour}" x="{_n(x + 2)}" y="{_n(y + 2)}" width="{_n(cw - 4)}" '
                        f'height="{_n(ch - 4)}" rx="3" fill="{light(colour)}" stroke="{light("line")}"/>')
            if c.status in ("empty", "thin"):
                pat = "hatch" if c.status == "empty" else "dots"
                body.append(f'<rect x="{_n(x + 2)}" y="{_n(y + 2)}" width="{_n(cw - 4)}" height="{_n(ch - 4)}" '
                            f'rx="3" fill="url(#{pat}-{uid})"/>')
            counts = f"{c.published} + {c.planned}"
            if c.status in ("empty", "thin"):
                body.append(_text(x + cw / 2, y + 16, counts, "ink", 12, "middle", "600"))
                body.append(_text(x + cw / 2, y + 29, c.status, "ink", 10, "middle"))
            else:
                body.append(_text(x + cw / 2, y + ch / 2 + 4, counts, "ink", 12, "middle", "600"))
            body.append(f"<title>{_t(c.persona)} at {_t(c.stage)}: {c.published} published, {c.planned} in progress"
                        f"{', ' + c.status if c.status != 'ok' else ''}</title></g>")
    ly = head + ch * len(hm.rows) + 10
    x = 8.0
    for status, words in (("ok", "enough"), ("thin", f"thin (under {hm.min_items})"), ("empty", "empty")):
        colour = CELLS[status]
        body.append(f'<rect class="{colour}" x="{_n(x)}" y="{_n(ly)}" width="16" height="14" rx="2" '
                    f'fill="{light(colour)}" stroke="{light("line")}"/>')
        if status != "ok":
            body.append(f'<rect x="{_n(x)}" y="{_n(ly)}" width="16" height="14" rx="2" '
                        f'fill="url(#{"hatch" if status == "empty" else "dots"}-{uid})"/>')
        body.append(_text(x + 22, ly + 11, words, "muted", 10))
        x += 30 + 6.2 * len(words)
    body.append(_text(x + 6, ly + 11, "cells: published + in progress", "muted", 10))
    return _svg(w, h, body, f"Journey coverage: {len(hm.rows)} personas × {len(hm.stages)} stages, "
                            f"{hm.gaps} gap(s)", "heatmap-chart", 1.0)


# -- alignment ladder --------------------------------------------------------------------


def ladder(steps) -> str:
    """The four stages as a rising stair: reached steps filled, the current one marked,
    the next ones outlined with how many things they miss."""
    n = max(1, len(steps))
    sw, w = 140.0, 140.0 * max(1, len(steps)) + 16
    h = 132.0
    base = 96.0
    body = []
    for i, s in enumerate(steps):
        x = 8 + sw * i
        sh = 22 + 16 * i
        y = base - sh
        if s.reached:
            body.append(f'<rect class="step reached" x="{_n(x)}" y="{_n(y)}" width="{_n(sw - 6)}" height="{_n(sh)}" '
                        f'rx="3" fill="{light("step")}"/>')
            body.append(_text(x + (sw - 6) / 2, y + sh / 2 + 4, "✓ " + s.name, "step_ink", 12, "middle", "600"))
        else:
            body.append(f'<rect class="step open" x="{_n(x + 1)}" y="{_n(y + 1)}" width="{_n(sw - 8)}" '
                        f'height="{_n(sh - 2)}" rx="3" fill="none" stroke="{light("muted")}" stroke-width="1.5" '
                        f'stroke-dasharray="5 3"/>')
            body.append(_text(x + (sw - 6) / 2, y + sh / 2 + 4, s.name, "ink", 12, "middle"))
        below = "you are here" if s.current else (f"{len(s.missing)} missing" if not s.reached else "")
        if below:
            body.append(_text(x + (sw - 6) / 2, base + 16, below, "ink" if s.current else "muted", 11, "middle",
                              "600" if s.current else ""))
        if s.current:
            body.append(f'<path class="ink" d="M{_n(x + (sw - 6) / 2 - 5)} {_n(y - 12)} h10 l-5 7z" '
                        f'fill="{light("ink")}"/>')
    current = next((s.name for s in steps if s.current), "")
    return _svg(w, h, body, f"Alignment stage: {current} ({n} stages)", "ladder-chart", 1.1)


# -- SLA funnel --------------------------------------------------------------------------


def funnel(f) -> str:
    """Working back from the revenue target: deals, SQLs, MQLs needed (grey bars, a
    widening funnel), and what is committed beside what is needed (a coloured bar to scale,
    with the shortfall in words)."""
    rows = f.steps
    w, rh = 680.0, 42.0
    h = rh * len(rows) + 28
    cx, maxw = 250.0, 230.0
    body = []
    for i, s in enumerate(rows):
        y = 8 + rh * i
        bw = maxw * (0.55 + 0.45 * (i / max(1, len(rows) - 1)))
        body.append(f'<rect class="need" x="{_n(cx - bw / 2)}" y="{_n(y)}" width="{_n(bw)}" height="18" rx="2" '
                    f'fill="{light("need")}"/>')
        body.append(_text(cx, y + 13, s.needed_text + " needed", "step_ink", 11, "middle", "600"))
        body.append(_text(8, y + 13, s.name, "ink", 12, weight="600"))
        body.append(_text(cx + maxw / 2 + 12, y + 13, s.note, "muted", 10))
        if s.committed is not None and s.needed > 0:
            share = max(0.0, s.committed / s.needed)
            cw = bw * min(1.3, share)
            status = "on_track" if share >= 1 else "off_track"
            body.append(f'<rect class="committed s-{status}" x="{_n(cx - bw / 2)}" y="{_n(y + 21)}" width="{_n(cw)}" '
                        f'height="8" rx="2" fill="{light(status)}"/>')
            words = s.committed_text + (f" — {s.short_text}" if s.short_text else " — covers it")
            body.append(_text(cx + maxw / 2 + 12, y + 29, ("✗ " if s.short_text else "✓ ") + words,
                              f"s-{status}", 10, weight="600"))
    body.append(_text(8, h - 8, f"grey: needed for the revenue target; coloured: committed (to scale); per {f.period} "
                                "figures in the table", "muted", 10))
    return _svg(w, h, body, "SLA funnel: " + "; ".join(f"{s.name} {s.needed_text} needed"
                                                       + (f", {s.committed_text}" if s.committed_text else "")
                                                       for s in rows), "funnel-chart", 1.25)


# -- the page's colours --------------------------------------------------------------------


def palette_css() -> str:
    """CSS variables for both palettes and the classes the charts use."""
    names = list(PALETTE)
    light_vars = "".join(f"--{k}:{v[0]};" for k, v in PALETTE.items())
    dark_vars = "".join(f"--{k}:{v[1]};" for k, v in PALETTE.items())
    fills = "".join(f"svg .{k}{{fill:var(--{k})}}" for k in names if k not in ("track",))
    status_text = "".join(f".s-{k}{{color:var(--{k});fill:var(--{k})}}" for k in STATUSES)
    return (f":root{{{light_vars}color-scheme:light dark}}"
            f"@media screen and (prefers-color-scheme: dark){{:root{{{dark_vars}}}}}"
            f"{fills}{status_text}"
            "svg .panel{fill:var(--panel)} svg .track{fill:var(--track);stroke:var(--muted)}"
            "svg .mark-line{stroke:var(--ink)} svg .mark-halo{stroke:var(--panel)} svg .target{stroke:var(--muted)} svg .line{stroke:var(--line)}"
            "svg polyline.checkins{fill:none}"
            + "".join(f"svg polyline.s-{k}{{stroke:var(--{k})}}" for k in STATUSES)
            + "svg .step.open{fill:none;stroke:var(--muted)} svg .hatch{stroke:var(--off_track)}"
            "svg .dots{fill:var(--at_risk)} svg .cell rect{stroke:var(--line)}")


# -- contrast (WCAG 2) -------------------------------------------------------------------


def luminance(colour: str) -> float:
    c = colour.lstrip("#")
    rgb = [int(c[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


__all__ = ["PALETTE", "STATUSES", "contrast", "funnel", "heatmap", "ladder", "luminance", "palette_css",
           "progress_bar", "trend"]

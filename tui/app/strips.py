"""Lines drawn by hand (``render_line``) as strips whose every segment carries a style.

Rich leaves unstyled runs of a ``Text`` without a style (``None``); Textual's filters
(the monochrome one under ``NO_COLOR``, dimming behind a dialog) read the style of every
segment, so such a segment stops the app.  Every hand-drawn line goes through here.
"""

from __future__ import annotations

import re

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.filter import LineFilter
from textual.strip import Strip


def styled(segments, base: Style | None = None) -> list[Segment]:
    """``segments`` with each one's style combined over ``base`` (never ``None``)."""
    base = base or Style.null()
    out = []
    for seg in segments:
        text, style, control = seg
        if control:
            continue
        out.append(Segment(text, base + style if style else base))
    return out


def text_strip(text: Text, console: Console, width: int | None = None, base: Style | None = None) -> Strip:
    """One line of rich ``text`` as a strip (cropped or padded to ``width`` when given)."""
    strip = Strip(styled(text.render(console), base))
    if width is not None:
        strip = strip.crop_extend(0, width, base or Style.null())
    return strip


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NULL = Style.null()


class TerminalSafe(LineFilter):
    """The last guard between the app and the terminal, run on every line drawn: no
    segment leaves without a style (the colour filters need one), and no control
    character in a segment's text reaches the terminal (plan text is made visible
    where it is shown; anything that slipped through is dropped here, at no width)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        out = []
        for text, style, control in segments:
            if control:
                out.append(Segment(text, style, control))
                continue
            if _CONTROL.search(text):
                text = _CONTROL.sub("", text)
            out.append(Segment(text, style if style is not None else _NULL))
        return out

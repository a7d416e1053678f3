"""Lines drawn by hand (``render_line``) as strips whose every segment carries a style.

Rich leaves unstyled runs of a ``Text`` without a style (``None``); Textual's filters
(the monochrome one under ``NO_COLOR``, dimming behind a dialog) read the style of every
segment, so such a segment stops the app.  Every hand-drawn line goes through here.
"""

from __future__ import annotations

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
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

"""The one id pattern: entities are named by slugs such as ``harbor-hvac``.

The shared schema (``common.schema.json#/$defs/id``) states the same pattern and length;
a test keeps the two equal.
"""

from __future__ import annotations

import re

# JSON Schema form (anchored), as the schemas write it.
ID_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"
ID_MAX_LENGTH = 64
ID_RE = re.compile(ID_PATTERN.removeprefix("^").removesuffix("$") + r"\Z")
ID_RULE = "lower-case letters, digits and single hyphens"


def is_slug(text: object) -> bool:
    """True when ``text`` is a valid id: a slug of at most 64 characters."""
    return isinstance(text, str) and len(text) <= ID_MAX_LENGTH and ID_RE.match(text) is not None

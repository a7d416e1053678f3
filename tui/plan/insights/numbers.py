"""Numbers for people: the one place that decides how a plan's numbers read.

Every renderer (the TUI's tables and bars, the text, Markdown and HTML briefs, the
semantic diff) words a number through these functions, so "2.4M", "3,000,000", "64%"
and "USD 2.4M" mean the same thing everywhere.

* ``full(v)``: every digit, grouped: ``3,000,000``; ``0.25``; ``1,234.5``.
* ``compact(v)``: short for narrow places: ``2.4M``, ``180k``, ``9,500``, ``1.2B``.
* ``percent(fraction)``: a fraction as a whole percentage: ``0.64`` → ``64%``.
* ``amount(v, unit, currency)``: a key result's value in its unit: money with the plan's
  currency (``USD 2.4M``, ``€2.4M``), ``percent`` as ``12%``, ``days`` as ``5 days``.
* ``progress_words(fraction)``: a key result's progress: ``64%``, ``target reached``,
  ``past the target``, ``moved the wrong way``.
* ``kr_words(kr, currency)``: where a key result stands, in plain words that respect its
  direction (``2.3M of 3M``; ``12, down from 34 toward 9``; ``holding 98% (target 98%)``).

A value no arithmetic can use (``inf``, ``nan``, an integer with hundreds of digits, a
string where a number belongs) is shown as written or as "not a number", never an error.
"""

from __future__ import annotations

import math

from ._common import NOT_A_NUMBER, is_number, is_numeric, show_number

# Symbols people expect before an amount; any other code is written before the number.
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "KRW": "₩", "CNY": "¥"}


def _plain(value) -> str | None:
    """The text for a value that cannot be computed with, or None when it can."""
    if is_number(value):
        return None
    if is_numeric(value):
        return show_number(value)
    if value is None:
        return ""
    return NOT_A_NUMBER


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def full(value, decimals: int = 2) -> str:
    """Every digit, grouped by thousands; at most ``decimals`` decimals, no trailing zeros."""
    plain = _plain(value)
    if plain is not None:
        return plain
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 1e15):
        return f"{int(value):,}"
    if abs(value) >= 1e15:
        return f"{value:.4g}"
    return _trim(f"{value:,.{decimals}f}") or "0"


def compact(value) -> str:
    """Short: three significant digits with k, M or B past 10,000 (``2.4M``, ``180k``)."""
    plain = _plain(value)
    if plain is not None:
        return plain
    v = float(value)
    if abs(v) < 10_000:
        return full(value)
    for size, suffix in ((1e3, "k"), (1e6, "M"), (1e9, "B"), (1e12, "T")):
        scaled = v / size
        digits = 0 if abs(scaled) >= 100 else (1 if abs(scaled) >= 10 else 2)
        text = _trim(f"{scaled:.{digits}f}")
        if abs(float(text)) < 1000 or suffix == "T":  # 999,999 is 1M, not 1000k
            return text + suffix
    return full(value)


def percent(fraction, decimals: int = 0) -> str:
    """A fraction as a percentage: 0.64 -> "64%"; None -> ""."""
    if fraction is None:
        return ""
    plain = _plain(fraction)
    if plain is not None:
        return plain
    return _trim(f"{fraction * 100:.{decimals}f}") + "%"


def money(value, currency: str = "", short: bool = True) -> str:
    """An amount in the plan's currency: ``$2.4M``, ``CHF 2.4M`` (``short=False``: every digit)."""
    text = compact(value) if short else full(value)
    if not is_number(value) or not currency:
        return text
    code = currency.upper()
    symbol = SYMBOLS.get(code)
    if symbol:
        return ("-" + symbol + text[1:]) if text.startswith("-") else symbol + text
    return f"{code} {text}"


def amount(value, unit: str | None = None, currency: str = "", short: bool = True) -> str:
    """A key result's number in its unit (see the module's text)."""
    if unit == "currency":
        return money(value, currency, short)
    text = compact(value) if short else full(value)
    if not is_number(value):
        return text
    if unit == "percent":
        return text + "%"
    if unit in ("days", "hours"):
        one = unit[:-1]
        return f"{text} {one if float(value) == 1 else unit}"
    return text


def kr_words(kr, currency: str = "", short: bool = True) -> str:
    """Where a key result stands, in words that respect its direction."""
    d = getattr(kr, "data", kr)
    d = d if isinstance(d, dict) else {}
    unit = d.get("unit")
    direction = d.get("direction") or "increase"

    def say(v) -> str:
        return amount(v, unit, currency, short)

    target, actual, baseline = d.get("target"), d.get("actual"), d.get("baseline")
    if target is None:
        return "no target"
    if actual is None:
        return f"no actual yet (target {say(target)})"
    if direction == "decrease":
        start = f", down from {say(baseline)}" if baseline is not None else ""
        if is_number(actual) and is_number(baseline) and float(actual) > float(baseline):
            start = f", up from {say(baseline)}"
        return f"{say(actual)}{start}, aiming for {say(target)} or less"
    if direction == "maintain":
        return f"holding {say(actual)} (target {say(target)})"
    return f"{say(actual)} of {say(target)}"


def progress_words(fraction) -> str:
    """How far a key result has come, for people: ``64%`` of the way, ``target reached``,
    ``past the target`` (never a raw "150%"), ``moved the wrong way`` (never a raw "-21%");
    "—" when there is no progress to tell."""
    if fraction is None:
        return "—"
    plain = _plain(fraction)
    if plain is not None:
        return NOT_A_NUMBER
    if fraction < 0:
        return "moved the wrong way"
    if fraction >= 1.005:
        return "past the target"
    if fraction >= 1:
        return "target reached"
    return percent(min(fraction, 0.99) if fraction > 0.99 else fraction)


def is_finite_number(value) -> bool:
    """True for a number that can be drawn (a bar, a chart): finite and not a bool."""
    return is_number(value) and math.isfinite(float(value))


__all__ = ["SYMBOLS", "amount", "compact", "full", "is_finite_number", "kr_words", "money", "percent",
           "progress_words"]

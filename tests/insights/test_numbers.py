"""The one number formatter: what people read in tables, bars, briefs and diffs."""

import pytest

from tui.plan.insights import numbers as n


@pytest.mark.parametrize("value, text", [
    (3000000, "3,000,000"), (3e6, "3,000,000"), (0.25, "0.25"), (1234.5, "1,234.5"),
    (-42, "-42"), (0, "0"), (float("inf"), "inf"), (float("nan"), "nan"), ("x", "not a number"),
    (None, ""),
])
def test_full(value, text):
    assert n.full(value) == text


@pytest.mark.parametrize("value, text", [
    (2_400_000, "2.4M"), (3_000_000, "3M"), (180_000, "180k"), (9_500, "9,500"), (12_345, "12.3k"),
    (1_200_000_000, "1.2B"), (999_999, "1M"), (-2_500_000, "-2.5M"), (64, "64"), (float("inf"), "inf"),
])
def test_compact(value, text):
    assert n.compact(value) == text


def test_percent_money_amount():
    assert n.percent(0.64) == "64%"
    assert n.percent(1.5) == "150%"
    assert n.percent(None) == ""
    assert n.money(2_400_000, "USD") == "$2.4M"
    assert n.money(2_400_000, "chf") == "CHF 2.4M"
    assert n.money(-2_500_000, "EUR") == "-€2.5M"
    assert n.money(3_000_000, "USD", short=False) == "$3,000,000"
    assert n.amount(12, "percent") == "12%"
    assert n.amount(1, "days") == "1 day"
    assert n.amount(5, "days") == "5 days"
    assert n.amount(float("nan"), "currency", "USD") == "nan"


def test_kr_words_respects_direction():
    up = {"target": 3_000_000, "actual": 2_310_000, "unit": "currency"}
    assert n.kr_words(up, "USD") == "$2.31M of $3M"
    down = {"direction": "decrease", "baseline": 34, "target": 9, "actual": 12, "unit": "days"}
    assert n.kr_words(down) == "12 days, down from 34 days, aiming for 9 days or less"
    worse = dict(down, actual=40)
    assert "up from 34 days" in n.kr_words(worse)
    assert n.kr_words({"direction": "maintain", "target": 98, "actual": 97, "unit": "percent"}) == \
        "holding 97% (target 98%)"
    assert n.kr_words({"target": 5}) == "no actual yet (target 5)"

"""The brief's pictures: the HTML and its inline SVG parsed (a bar and a mark for every key
result, the heat map's counts as text, the ladder, the funnel, the grouped changes), nothing
that runs or fetches, WCAG AA contrast of the palette, and one computation behind the text,
Markdown and HTML briefs."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from tui.cli import main
from tui.plan.insights import charts, numbers
from tui.plan.insights.brief import QuarterFinal, build_brief
from tui.plan.insights.coverage import coverage
from tui.plan.insights.pace import kr_pace
from tui.plan.insights.progress import kr_progress
from tui.plan.insights.report import History, HistoryChange, HistoryDiff, quarterly_report, text_bar
from tui.plan.model import load_plan

from .conftest import block, content, persona

BAR = 216.0  # the bar's length in the progress chart's viewBox


class _Page(HTMLParser):
    """Every start tag with its attributes, and the text, of an HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("style", "title"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "title") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def parse_page(page: str) -> _Page:
    p = _Page()
    p.feed(page)
    p.close()
    return p


def svgs(page: str) -> list[ET.Element]:
    """Each inline <svg> of the page, parsed as XML (so it is well-formed too)."""
    found = re.findall(r"<svg\b.*?</svg>", page, flags=re.S)
    assert found, "no SVG in the page"
    return [ET.fromstring(s) for s in found]


def charts_of(page: str, cls: str) -> list[ET.Element]:
    return [s for s in svgs(page) if cls in s.get("class", "").split()]


def all_text(el: ET.Element) -> str:
    return " ".join(t.strip() for t in el.itertext() if t.strip())


@pytest.fixture
def example(plan_dir):
    return load_plan(plan_dir)


@pytest.fixture
def page(example):
    return quarterly_report(example, "html", history=History("2026-Q3", unavailable="history unavailable"))


# -- every key result: its bar, its mark, its status in words ----------------------------------


def test_every_key_result_has_a_bar_and_an_expected_mark_at_the_computed_places(example, page):
    bars = {s.get("data-kr"): s for s in charts_of(page, "bar-chart")}
    krs = example.all("key_result")
    assert len(krs) == 18 and set(bars) == {kr.id for kr in krs}
    for kr in krs:
        svg = bars[kr.id]
        pace = kr_pace(example, kr)
        bar = svg.find(".//rect[@class]")
        fills = [r for r in svg.iter("rect") if "bar" in r.get("class", "").split()]
        assert len(fills) == 1, kr.id
        progress = kr_progress(kr)
        share = 0.0 if progress is None or progress < 0 else min(1.0, progress)
        assert float(fills[0].get("width")) == pytest.approx(BAR * share, abs=0.1), kr.id
        assert f"s-{pace.status}" in fills[0].get("class")  # the computed status's colour
        marks = [g for g in svg.iter("g") if g.get("class") == "mark"]
        assert len(marks) == 1, f"{kr.id}: no expected-by-today mark"
        line = next(x for x in marks[0].iter("line") if x.get("class") == "mark-line")
        assert float(line.get("x1")) == pytest.approx(8 + BAR * min(1.0, pace.expected_share), abs=0.1)
        # the status in words, not only in colour
        words = {"on_track": "on track", "at_risk": "at risk", "off_track": "off track", "done": "done"}
        card = page[page.index(f'<div class="kr" data-kr="{kr.id}"'):]
        card = card[:card.index('<div class="kr-charts">')]
        assert words[pace.status] in card, kr.id
        assert bar is not None


def test_every_key_result_has_a_trend_with_its_checkins_and_previous_finals(example):
    kr = example.find("key_result", "grow-pipeline/sourced-pipeline")
    finals = {kr.id: [QuarterFinal("2026-Q2", 1780000.0, 2500000.0, 1500000.0), QuarterFinal("2026-Q3", 2100000.0)]}
    history = History("2026-Q3", unavailable="no history", finals=finals)
    page = quarterly_report(example, "html", history=history)
    trends = {s.get("data-kr"): s for s in charts_of(page, "trend-chart")}
    assert set(trends) == {k.id for k in example.all("key_result")}
    t = trends[kr.id]
    dots = [c for c in t.iter("circle") if "final" in c.get("class", "")]
    assert len(dots) == 2 and "Q2" in all_text(t) and "Q3" in all_text(t)
    line = next(p for p in t.iter("polyline"))
    assert len(line.get("points").split()) == len(kr.data["checkin"])  # one point per check-in
    assert "2026-Q3 ended at $2.1M" in page  # the final in words too
    md = quarterly_report(example, history=history)
    row = next(x for x in md.splitlines() if "`sourced-pipeline`" in x)
    assert "| 2026-Q2 $1.78M · 2026-Q3 $2.1M |" in row


# -- the heat map ---------------------------------------------------------------------------


def test_heat_map_cells_carry_their_counts_and_status_as_text(example, page):
    cov = coverage(example)
    (hm,) = charts_of(page, "heatmap-chart")
    cells = [g for g in hm.iter("g") if "cell" in g.get("class", "").split()]
    assert len(cells) == len(cov.personas) * len(cov.stages) == 9
    for g in cells:
        c = cov.cell(g.get("data-persona"), g.get("data-stage"))
        texts = [t.text for t in g.iter("text")]
        assert f"{len(c.published)} + {len(c.planned)}" in texts
        assert f"cell-{c.status}" in g.get("class")
        if c.is_gap:  # a gap says so in words, and is patterned, not only coloured
            assert c.status in texts
            assert any((r.get("fill") or "").startswith("url(#") for r in g.iter("rect"))
    assert any(c.is_gap for c in cov.cells.values())
    legend = all_text(hm)
    assert "enough" in legend and "thin" in legend and "empty" in legend


def test_heat_map_escapes_persona_names(make_plan):
    name = '</text></svg><script>alert(1)</script> & "q"'
    root = make_plan(personas=persona("alex", name=name), content=content("x", "awareness", ["alex"]))
    page = quarterly_report(load_plan(root), "html")
    (hm,) = charts_of(page, "heatmap-chart")
    assert name in all_text(hm)  # shown as text (parsed back), never as markup
    assert not any(tag == "script" for tag, _ in parse_page(page).tags)


# -- ladder, funnel, changes ------------------------------------------------------------------


def test_ladder_has_four_steps_and_says_where_the_plan_is_and_what_is_missing(page):
    (svg,) = charts_of(page, "ladder-chart")
    steps = [r for r in svg.iter("rect") if "step" in r.get("class", "").split()]
    assert len(steps) == 4
    assert [r.get("class").split()[1] for r in steps] == ["reached", "reached", "reached", "open"]
    text = all_text(svg)
    assert "you are here" in text and "aligned" in text and re.search(r"\b\d+ missing\b", text)
    assert "Missing for integrated:" in page


def test_funnel_works_back_from_revenue_to_mqls_with_needed_and_committed(page):
    (svg,) = charts_of(page, "funnel-chart")
    text = all_text(svg)
    order = [text.index(w) for w in ("Revenue", "Deals", "SQLs", "MQLs")]
    assert order == sorted(order)
    for needed in ("$2.4M needed", "50 needed", "200 needed", "667 needed"):
        assert needed in text
    assert "540 committed (180 per month) — 127 short" in text
    committed = [r for r in svg.iter("rect") if "committed" in r.get("class", "")]
    needs = [r for r in svg.iter("rect") if r.get("class") == "need"]
    assert len(committed) == 1 and float(committed[0].get("width")) == pytest.approx(
        float(needs[3].get("width")) * 540 / 667, abs=0.2)


def test_changes_are_a_short_grouped_list(example):
    changes = [HistoryChange("added", "account", f"acct-{i}", f"Account {i}") for i in range(11)]
    changes += [HistoryChange("changed", "key_result", "g/kr", "KR", None, [f"field{i} 1 → 2" for i in range(5)]),
                HistoryChange("removed", "content", "old-post", "Old post")]
    history = History("2026-Q3", diff=HistoryDiff("2026-Q3", "working tree", changes))
    page = quarterly_report(example, "html", history=history)
    section = page[page.index('<div class="changes">'):]
    heads = re.findall(r"<h3>(.*?)</h3>", section)
    assert heads[:3] == ["Added: 11 accounts", "Changed: 1 key result", "Removed: 1 content"]
    assert "and 3 more accounts" in section and "acct-8" not in section  # short: the rest counted
    assert "field2 1 → 2; and 2 more" in section
    md = quarterly_report(example, history=history)  # Markdown keeps every entity
    assert "**Added: 11 accounts**" in md and "`acct-10`" in md


# -- self-contained, safe, printable, dark-mode ------------------------------------------------


def _hostile(make_plan):
    evil = 'javascript:alert(1) <script>x</script> url(http://evil.example/a.png) //evil.example "q\''
    goals = block("goal", id="g1", title=evil, team="shared", owners=["sam"], status="at_risk") + (
        f'\n[[goal.key_result]]\nid = "kr1"\ntitle = "{evil.replace(chr(34), "")}"\nunit = "count"\n'
        'baseline = 10\ntarget = 20\nactual = 15\ndirection = "increase"\n')
    return load_plan(make_plan(goals=goals, personas=persona("p", name=evil.replace('"', "")),
                               content=content("x", "awareness", ["p"])))


@pytest.mark.parametrize("which", ["example", "hostile"])
def test_no_script_and_no_external_reference(which, example, make_plan):
    plan = example if which == "example" else _hostile(make_plan)
    page = quarterly_report(plan, "html")
    parsed = parse_page(page)
    tags = {t for t, _ in parsed.tags}
    assert "script" not in tags and not tags & {"img", "link", "iframe", "object", "embed", "image", "use",
                                                "foreignobject", "a"}
    for tag, attrs in parsed.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            v = (value or "").strip().lower()
            if name in ("aria-label", "data-kr", "data-persona", "data-stage"):
                continue  # plan text, escaped: words, not a reference
            assert not re.search(r"https?:|^//|javascript:", v), (tag, name, value)
            if "url(" in v:
                assert re.fullmatch(r"url\(#[\w-]+\)", v), (tag, name, value)
    style = "".join(re.findall(r"<style>(.*?)</style>", page, flags=re.S))
    assert not re.search(r"https?:|//|@import|url\(", style)
    for svg in svgs(page):
        for el in svg.iter():
            assert el.tag != "script"
            for name, value in el.attrib.items():
                if "href" in name or name == "src":
                    raise AssertionError(f"{el.tag} has {name}={value}")


def test_coordinates_are_finite_with_values_no_arithmetic_can_use(plan_dir):
    goals = plan_dir / "goals.toml"
    text = goals.read_text(encoding="utf-8")
    for old, new in (("actual = 109", "actual = inf"), ("target = 106\n", "target = nan\n"),
                     ("value = 2150000", "value = nan"), ("actual = 2150000", "actual = -inf")):
        assert old in text
        text = text.replace(old, new, 1)
    goals.write_text(text, encoding="utf-8")
    page = quarterly_report(load_plan(plan_dir), "html")
    for svg in svgs(page):
        for el in list(svg.iter())[1:]:  # the <svg> itself is width="100%"
            for name in ("x", "y", "width", "height", "x1", "x2", "y1", "y2", "cx", "cy", "r"):
                if name in el.attrib:
                    assert math.isfinite(float(el.get(name))), (el.tag, name, el.get(name))
            for pair in (el.get("points") or "").split():
                assert all(math.isfinite(float(v)) for v in pair.split(","))
    assert "not a number" in page


def test_print_and_dark_mode_rules():
    page_css = quarterly_report.__module__  # noqa: F841 - the page's CSS is built by the report module
    from tui.plan.insights.report import _CSS

    css = charts.palette_css() + _CSS
    assert "@media print" in css and "break-inside: avoid" in css and "break-before: page" in css
    assert "@page" in css
    dark = css[css.index("prefers-color-scheme: dark"):]
    for name, (_, dark_colour) in charts.PALETTE.items():
        assert f"--{name}:{dark_colour};" in dark
    # the dark palette is for screens only: print keeps the light one
    assert "@media screen and (prefers-color-scheme: dark)" in css


# -- contrast (WCAG 2.1 AA) --------------------------------------------------------------------

TEXT_PAIRS = [(fg, bg) for fg in ("ink", "muted", *charts.STATUSES) for bg in ("bg", "panel", "track")] + [
    ("ink", "cell_ok"), ("ink", "cell_thin"), ("ink", "cell_empty"), ("step_ink", "step"), ("step_ink", "need")]
GRAPHIC_PAIRS = [(s, bg) for s in charts.STATUSES for bg in ("panel", "track", "bg")] + [
    ("muted", "panel"), ("step", "panel"), ("need", "panel"), ("ink", "panel"), ("panel", "on_track"),
    ("panel", "at_risk"), ("panel", "off_track"), ("panel", "done")]


@pytest.mark.parametrize("mode", [0, 1], ids=["light", "dark"])
def test_palette_meets_wcag_aa(mode):
    colour = {k: v[mode] for k, v in charts.PALETTE.items()}
    low = [(fg, bg, round(charts.contrast(colour[fg], colour[bg]), 2)) for fg, bg in TEXT_PAIRS
           if charts.contrast(colour[fg], colour[bg]) < 4.5]
    assert not low, f"text below 4.5:1: {low}"
    low = [(fg, bg, round(charts.contrast(colour[fg], colour[bg]), 2)) for fg, bg in GRAPHIC_PAIRS
           if charts.contrast(colour[fg], colour[bg]) < 3]
    assert not low, f"graphics below 3:1: {low}"


def test_contrast_formula():
    assert charts.contrast("#000000", "#ffffff") == pytest.approx(21)
    assert charts.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert charts.contrast("#ffffff", "#ffffff") == 1


def test_every_colour_in_the_charts_is_from_the_palette(page):
    colours = set(re.findall(r'(?:fill|stroke)="(#[0-9a-f]{6})"', page))
    assert colours and colours <= {v[0] for v in charts.PALETTE.values()}


# -- one computation, three renderings -----------------------------------------------------------


def test_text_markdown_and_html_show_the_same_numbers(example):
    brief = build_brief(example)
    md = quarterly_report(example)
    text = quarterly_report(example, "text")
    page = quarterly_report(example, "html")
    visible = " ".join(parse_page(page).text)
    assert brief.key_results
    for k in brief.key_results:
        row = next(x for x in md.splitlines() if f"`{k.own_id}`" in x and x.startswith("|"))
        assert f"`{text_bar(k)}` {k.glyph} {k.progress_text}" in row
        assert k.words.replace(".", "") in row.replace("\\", "").replace(".", "")
        assert k.status_text in row
        trow = next(x for x in text.splitlines() if k.own_id in x)
        assert text_bar(k) in trow and k.progress_text in trow
        assert k.words in visible and k.progress_text in visible
    assert "\\" not in text.split("Goals and key results")[1].split("Journey coverage")[0]  # no Markdown escapes


def test_progress_is_worded_never_a_raw_negative_or_past_100_percent(example, page):
    brief = build_brief(example)
    texts = {k.own_id: k.progress_text for k in brief.key_results}
    assert texts["new-opportunities"] == "moved the wrong way"  # kr_progress is about -21%
    assert kr_progress(example.find("key_result", "grow-pipeline/new-opportunities")) < 0
    assert texts["gross-churn"] == "past the target"  # kr_progress is past 1.0
    visible = " ".join(parse_page(page).text)
    assert not re.search(r"-\d+%", visible)
    for t in texts.values():
        assert not re.fullmatch(r"\d{3,}%", t)
    # decrease-type key results read as such, in the plan's currency where it is money
    assert "9, down from 34, aiming for 0 or less" in visible
    assert "$2.15M of $3M" in visible


def test_progress_words():
    assert numbers.progress_words(0.64) == "64%"
    assert numbers.progress_words(0.996) == "99%"  # not yet reached: never rounded up to 100%
    assert numbers.progress_words(1.0) == "target reached"
    assert numbers.progress_words(1.5) == "past the target"
    assert numbers.progress_words(-0.21) == "moved the wrong way"
    assert numbers.progress_words(None) == "—"
    assert numbers.progress_words(float("nan")) == "not a number"


def test_text_bar_fills_to_progress_and_marks_expected(example):
    brief = build_brief(example)
    for k in brief.key_results:
        bar = text_bar(k)
        assert len(bar) == 12
        if k.expected_share is not None:
            assert bar.index("┃") == min(11, int(k.expected_share * 12))
        filled = round(k.bar_share * 12)
        assert bar.replace("┃", "█" if bar.index("┃") < filled else "░") == "█" * filled + "░" * (12 - filled)


def test_cli_report_formats(plan_dir, capsys, tmp_path):
    for fmt in ("text", "markdown", "html"):
        assert main(["report", str(plan_dir), "--format", fmt]) == 0
        out = capsys.readouterr().out
        assert "Quarterly review: Tidewater Labs" in out
    assert out.lstrip().startswith("<!DOCTYPE html>")


@pytest.mark.git
def test_cli_passes_previous_quarters_finals_from_the_tags(plan_dir, capsys):
    import git

    env = {"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "T",
           "GIT_COMMITTER_EMAIL": "t@example.com"}
    goals = plan_dir / "goals.toml"
    text = goals.read_text(encoding="utf-8")
    goals.write_text(text.replace("actual = 2150000", "actual = 1900000", 1), encoding="utf-8")
    with git.Repo.init(plan_dir) as repo:
        repo.git.add("--", ".")
        repo.git.commit("-m", "Q3 plan", "--no-verify", "--no-gpg-sign", env=env)
        repo.create_tag("plan/2026-Q3")
    goals.write_text(text, encoding="utf-8")
    assert main(["report", str(plan_dir)]) == 0
    row = next(x for x in capsys.readouterr().out.splitlines() if "`sourced-pipeline`" in x)
    assert "| 2026-Q3 $1.9M |" in row
    assert main(["report", str(plan_dir), "--format", "html"]) == 0
    page = capsys.readouterr().out
    (trend,) = [s for s in charts_of(page, "trend-chart") if s.get("data-kr") == "grow-pipeline/sourced-pipeline"]
    assert len([c for c in trend.iter("circle") if "final" in c.get("class", "")]) == 1


def test_text_brief_never_puts_control_characters_on_a_terminal(make_plan, capsys):
    # TOML escapes: the plan holds the control characters themselves
    goals = ('[[goal]]\nid = "g1"\ntitle = "clear \\u001b[2J screen \\u202e"\nteam = "shared"\nowners = ["sam"]\n'
             'status = "at_risk"\n\n[[goal.key_result]]\nid = "kr1"\ntitle = "bell \\u0007 here"\nunit = "count"\n'
             'baseline = 10\ntarget = 20\nactual = 15\ndirection = "increase"\n')
    root = make_plan(goals=goals)
    assert main(["report", str(root), "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\x1b[2J" in out and "bell" in out

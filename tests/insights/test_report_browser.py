"""The HTML brief in a real browser: headless Chromium renders the example's brief, and the
screenshots and the printed PDF are checked — the page is not blank (pixel variance), in
light and in dark mode; nothing is wider than the page, on a wide and a narrow screen and on
A4 and Letter paper; the print has the paper's size, a sensible number of pages and every
key result on them.

Skipped, with the reason, when no Chromium is installed (``.ci/run`` installs Debian's
``chromium`` where it can) or when it cannot start here.

Also the one command that regenerates the screenshots in ``docs/`` (not part of the test
run; needs Chromium, and ``pypdfium2`` for the printed pages)::

    python -m tests.insights.test_report_browser docs
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT = 120

# Written into a copy of the brief (never into the brief itself, which has no script): the
# widths of the page and of its widest element once it has loaded, chart labels cut off at
# their chart's edge, and where each section starts (for the screenshots).
MEASURE = """<script>
function qdMeasure(tag) {
  let right = 0, who = "";
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest(".qd-measure")) continue;
    const r = el.getBoundingClientRect();
    if (r.width && r.right > right) { right = r.right; who = el.tagName + "." + (el.getAttribute("class") || ""); }
  }
  const clipped = [];  // chart labels that run past their chart's edge (an SVG clips them)
  for (const t of document.querySelectorAll("svg text")) {
    const r = t.getBoundingClientRect(), box = t.ownerSVGElement.getBoundingClientRect();
    if (r.width && (r.right > box.right + 1 || r.left < box.left - 1)) clipped.push(t.textContent);
  }
  const heads = {};
  for (const h of document.querySelectorAll("h2")) heads[h.textContent] = Math.round(h.getBoundingClientRect().top + scrollY);
  const p = document.createElement("pre");
  p.className = "qd-measure";
  p.style.cssText = "white-space: pre-wrap; word-break: break-all; font-size: 6px; margin: 0";
  p.textContent = "QDMEASURE " + JSON.stringify({tag, scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth, inner: innerWidth, right: Math.ceil(right), who, clipped,
    height: document.documentElement.scrollHeight, heads}) + " QDEND";
  document.body.appendChild(p);
}
addEventListener("load", () => qdMeasure("screen"));
</script>"""

PAPER = {"A4": ((595.28, 841.89), 793.7), "letter": ((612.0, 792.0), 816.0)}  # points, CSS px wide
PAGE_MARGIN_PX = 2 * 12 / 25.4 * 96  # the brief's @page margins, left and right (12 mm)


def chromium() -> str | None:
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def run_chromium(binary: str, work: Path, *args: str) -> subprocess.CompletedProcess:
    profile = work / "profile"
    profile.mkdir(exist_ok=True)
    cmd = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
           "--disable-extensions", "--hide-scrollbars", "--mute-audio", f"--user-data-dir={profile}", *args]
    env = dict(os.environ, HOME=str(work))
    return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, env=env, cwd=work)


def example_brief(plan_dir: Path, **kwargs) -> str:
    from tui.plan.insights.report import History, quarterly_report
    from tui.plan.model import load_plan

    history = kwargs.pop("history", None) or History("2026-Q3", unavailable="history unavailable")
    return quarterly_report(load_plan(plan_dir), "html", history=history, **kwargs)


def with_measure(page: str, paper: str | None = None) -> str:
    extra = f"<style>@page {{ size: {paper}; }}</style>" if paper else ""
    return page.replace("</head>", extra + "</head>", 1).replace("</body>", MEASURE + "</body>", 1)


def measurements(text: str) -> dict[str, dict]:
    """The MEASURE results found in a dumped DOM, by tag."""
    return {m["tag"]: m for m in (json.loads(x) for x in re.findall(r"QDMEASURE (\{.*?\}) QDEND", text, flags=re.S))}


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    binary = chromium()
    if binary is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium; .ci/run does it where it can)")
    work = tmp_path_factory.mktemp("chromium")
    probe = work / "probe.html"
    probe.write_text("<!DOCTYPE html><p>probe</p>", encoding="utf-8")
    try:
        r = run_chromium(binary, work, "--screenshot=" + str(work / "probe.png"), "--window-size=600,400",
                         probe.as_uri())
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"Chromium ({binary}) cannot run here: {exc}")
    if not (work / "probe.png").is_file():
        pytest.skip(f"Chromium ({binary}) cannot take a screenshot here: {r.stderr.strip()[-300:]}")
    return binary, work


@pytest.fixture
def brief_file(plan_dir, tmp_path):
    path = tmp_path / "brief.html"
    path.write_text(example_brief(plan_dir), encoding="utf-8")
    return path


def screenshot(browser, page: Path, width: int, height: int, *flags: str) -> Path:
    binary, work = browser
    out = page.with_name(f"{page.stem}-{width}x{height}{'-'.join(flags).replace('-', '_')}.png")
    r = run_chromium(binary, work, f"--screenshot={out}", f"--window-size={width},{height}", *flags, page.as_uri())
    assert out.is_file(), r.stderr[-2000:]
    return out


def dump_dom(browser, page: Path, width: int) -> str:
    binary, work = browser
    r = run_chromium(binary, work, "--dump-dom", "--virtual-time-budget=5000", f"--window-size={width},900",
                     page.as_uri())
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout


def print_pdf(browser, page: Path) -> Path:
    binary, work = browser
    out = page.with_suffix(".pdf")
    r = run_chromium(binary, work, f"--print-to-pdf={out}", "--no-pdf-header-footer", "--virtual-time-budget=5000",
                     page.as_uri())
    assert out.is_file() and out.stat().st_size > 1000, r.stderr[-2000:]
    return out


# -- tests -------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_screenshot_is_not_blank(browser, brief_file, mode):
    Image = pytest.importorskip("PIL.Image", reason="Pillow reads the screenshots (pip install -e '.[test]')")
    from PIL import ImageStat

    flags = ("--force-dark-mode", "--blink-settings=preferredColorScheme=0") if mode == "dark" else ()
    shot = screenshot(browser, brief_file, 1000, 1400, *flags)
    with Image.open(shot) as im:
        assert im.size == (1000, 1400)
        grey = im.convert("L")
        stat = ImageStat.Stat(grey)
        assert stat.stddev[0] > 20, f"the page looks blank (pixel standard deviation {stat.stddev[0]:.1f})"
        # dark mode is dark, light mode is light: the palette follows prefers-color-scheme
        assert (stat.mean[0] < 100) if mode == "dark" else (stat.mean[0] > 160), stat.mean
        # the charts are drawn: the status colours are on the page, not only text
        rgb = im.convert("RGB")
        from tui.plan.insights.charts import PALETTE

        wanted = {PALETTE[s][1 if mode == "dark" else 0] for s in ("on_track", "at_risk", "off_track")}
        colours = {"#%02x%02x%02x" % c for _, c in rgb.getcolors(maxcolors=1 << 20)}
        assert wanted & colours, f"none of the status colours {wanted} on the screenshot"


def _fits(m: dict) -> None:
    assert m["scroll"] <= m["client"], m  # no horizontal scrolling, nothing shrunk to fit
    assert m["right"] <= m["client"] + 2, f"{m['who']} reaches {m['right']}px on a {m['client']}px page"
    assert m["clipped"] == [], f"chart labels cut off at their chart's edge: {m['clipped']}"


@pytest.mark.parametrize("width", [1000, 600])
def test_nothing_is_wider_than_the_page(browser, plan_dir, tmp_path, width):
    page = tmp_path / "measure.html"
    page.write_text(with_measure(example_brief(plan_dir)), encoding="utf-8")
    _fits(measurements(dump_dom(browser, page, width))["screen"])


@pytest.mark.parametrize("paper", ["A4", "letter"])
def test_print_layout_fits_the_paper(browser, plan_dir, tmp_path, paper):
    pypdf = pytest.importorskip("pypdf", reason="pypdf reads the printed PDF (pip install -e '.[test]')")
    from tui.plan.model import load_plan

    (w, h), css_width = PAPER[paper]
    brief = example_brief(plan_dir)
    # the print layout at the paper's printable width: the print rules applied on a screen
    # exactly as wide (a headless print cannot be measured while it lays out)
    emulated = tmp_path / f"emulated-{paper}.html"
    emulated.write_text(with_measure(brief.replace("@media print", "@media all")), encoding="utf-8")
    _fits(measurements(dump_dom(browser, emulated, round(css_width - PAGE_MARGIN_PX)))["screen"])
    # the real print: the paper's size, a sensible number of pages, every key result on them
    page = tmp_path / f"print-{paper}.html"
    page.write_text(brief.replace("</head>", f"<style>@page {{ size: {paper}; }}</style></head>", 1), encoding="utf-8")
    reader = pypdf.PdfReader(str(print_pdf(browser, page)))
    assert 3 <= len(reader.pages) <= 30, len(reader.pages)
    for p in reader.pages:
        assert (float(p.mediabox.width), float(p.mediabox.height)) == pytest.approx((w, h), abs=1.5)
    text = "".join("".join(p.extract_text() for p in reader.pages).split()).replace("-", "")
    for kr in load_plan(plan_dir).all("key_result"):
        assert kr.own_id.replace("-", "") in text, f"{kr.own_id} is not in the print"
    assert "Changessince" in text  # the last section made it onto paper


# -- the screenshots in docs/ ------------------------------------------------------------------


def regenerate_screenshots(out_dir: Path) -> list[Path]:
    """The example's brief (with the demo's quarters of history) as PNGs: the top of the page
    on screen in light and dark mode, the coverage/stage/SLA part, and the first printed pages
    on A4.  Needs Chromium; the printed pages need pypdfium2 and Pillow."""
    from PIL import Image

    binary = chromium()
    if binary is None:
        raise SystemExit("Chromium is not installed (Debian: apt-get install chromium)")
    os.environ["QUARTERDECK_TODAY"] = "2026-12-01"
    from tui.cli import main as cli
    from tui.history.demo import build_demo

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        plans = build_demo(work / "demo")
        brief = work / "brief.html"
        if cli(["report", str(plans), "--format", "html", "-o", str(brief)]) != 0:
            raise SystemExit("quarterdeck report failed")
        measure = work / "measure.html"
        measure.write_text(with_measure(brief.read_text(encoding="utf-8")), encoding="utf-8")
        r = run_chromium(binary, work, "--dump-dom", "--virtual-time-budget=5000", "--window-size=1000,900",
                         measure.as_uri())
        m = measurements(r.stdout)["screen"]
        height = m["height"]
        top = next((y for name, y in m["heads"].items() if name.startswith("Journey coverage")), 2000)
        changes = next((y for name, y in m["heads"].items() if name.startswith("Problems")), top + 2400)
        for mode, flags in (("light", ()), ("dark", ("--force-dark-mode", "--blink-settings=preferredColorScheme=0"))):
            full = work / f"full-{mode}.png"
            run_chromium(binary, work, f"--screenshot={full}", f"--window-size=1000,{height}", *flags, brief.as_uri())
            with Image.open(full) as im:
                parts = {"goals": (0, min(top - 20, 1900))} if mode == "dark" else {
                    "goals": (0, min(top - 20, 1900)), "charts": (top - 20, changes - 20)}
                for part, (y0, y1) in parts.items():
                    target = out_dir / f"brief-screen-{part}{'-dark' if mode == 'dark' else ''}.png"
                    im.crop((0, y0, 1000, y1)).convert("RGB").quantize(colors=128).save(target, optimize=True)
                    written.append(target)
        printed = work / "print.html"
        printed.write_text(brief.read_text(encoding="utf-8").replace("</head>", "<style>@page { size: A4; }</style>"
                                                                     "</head>", 1), encoding="utf-8")
        pdf = work / "print.pdf"
        run_chromium(binary, work, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", printed.as_uri())
        import pypdfium2

        doc = pypdfium2.PdfDocument(str(pdf))
        for i in range(min(2, len(doc))):
            image = doc[i].render(scale=100 / 72).to_pil()
            target = out_dir / f"brief-print-page{i + 1}.png"
            image.convert("RGB").quantize(colors=128).save(target, optimize=True)
            written.append(target)
        doc.close()
    return written


if __name__ == "__main__":
    for path in regenerate_screenshots(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs")):
        print(path)

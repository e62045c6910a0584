"""The dashboard in a real browser: served by ``python -m sim.app`` (``womsim-app``) on a free
local port, driven by Playwright in Debian's headless Chromium.

Skipped, with the reason, when Playwright, ``/usr/bin/chromium`` or the ``viz`` extra (solara,
solara-assets) is missing. No browser is downloaded: Playwright drives the system Chromium.
Nothing may leave 127.0.0.1: the browser's requests are recorded, and the server runs with
HTTP(S) proxies pointing at a local trap that counts every connection an HTTP client makes.
"""

from __future__ import annotations

import os
import re
import socket
import socketserver
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
ROOT = Path(__file__).resolve().parent.parent

try:
    from playwright.sync_api import Page, expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    pytest.skip("playwright is not installed (pip install playwright; no browser download "
                "needed, the test uses /usr/bin/chromium)", allow_module_level=True)
if not CHROMIUM.exists():  # pragma: no cover - depends on the machine
    pytest.skip("/usr/bin/chromium is missing (apt-get install -y chromium)",
                allow_module_level=True)
from sim.app.offline import assets_problem  # noqa: E402

if (_problem := assets_problem()) is not None:  # pragma: no cover - depends on the machine
    pytest.skip(f"the dashboard cannot be served offline: {_problem} "
                "(pip install -e '.[viz]')", allow_module_level=True)

# add pytest.mark.browser here once the marker is registered in pyproject.toml
pytestmark = [pytest.mark.slow, pytest.mark.browser]

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOAD_TIMEOUT = 120_000  # ms: the first load builds the graph and compiles the layout kernel


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Trap(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.server.connections += 1  # type: ignore[attr-defined]


class ProxyTrap(socketserver.ThreadingTCPServer):
    """A local 'proxy' that only counts the connections made to it and hangs up."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Trap)
        self.connections = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[tuple[str, ProxyTrap, Path]]:
    """``python -m sim.app --port <free>`` in a subprocess; yields its URL, the proxy trap and
    its log (stdout and stderr)."""
    trap = ProxyTrap()
    threading.Thread(target=trap.serve_forever, daemon=True).start()
    port = free_port()
    workdir = tmp_path_factory.mktemp("app")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    for key in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                "all_proxy"):
        env[key] = trap.url
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost,::1"
    log = (workdir / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "sim.app", "--port", str(port)], cwd=workdir,
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the app exited with {proc.returncode}:\n"
                                   + (workdir / "server.log").read_text())
            try:
                with opener.open(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the app did not answer within 90 s:\n"
                                   + (workdir / "server.log").read_text())
            time.sleep(0.5)
        yield url, trap, workdir / "server.log"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        log.close()
        trap.shutdown()
        trap.server_close()


def kpi_texts(page: Page) -> list[str]:
    return [t.strip() for t in page.locator(".womsim-kpi").all_inner_texts()]


def image_src(page: Page, view: str) -> str:
    return page.locator(f".womsim-{view} img").first.get_attribute("src") or ""


#: the figures that change every day (the conversions chart changes only on a day with a
#: conversion, so it is checked over several steps instead)
VIEWS = ("timeseries", "network")


def step_and_time(page: Page, day: int) -> float:
    """Press Step; seconds until the day label and the daily figures have been re-rendered."""
    old = [image_src(page, view) for view in VIEWS]
    start = time.perf_counter()
    page.locator(".womsim-step").click()
    page.wait_for_function(
        "([views, old, day]) => {"
        "  const label = document.querySelector('.womsim-day');"
        "  if (!label || !label.textContent.includes(`Day ${day} of`)) return false;"
        "  return views.every((v, i) => {"
        "    const img = document.querySelector(`.womsim-${v} img`);"
        "    return img && img.getAttribute('src') && img.getAttribute('src') !== old[i]; });"
        "}", arg=[list(VIEWS), old, day], timeout=30_000)
    return time.perf_counter() - start


def choose(page: Page, scope: str, label: str, option: str) -> None:
    """Pick ``option`` in the select labelled ``label`` inside ``scope``."""
    page.locator(f"{scope} .v-select").filter(has_text=label).click()
    page.locator(".menuable__content__active .v-list-item").filter(
        has_text=option).first.click()


@contextmanager
def dashboard_page(url: str, trap: ProxyTrap, viewport: dict | None = None,
                   opened: list[float] | None = None) -> Iterator[Page]:
    """The dashboard at ``url`` in headless Chromium; on leaving, checks that no request left
    127.0.0.1 and that the server never tried a proxy. ``opened`` gets the
    ``time.perf_counter()`` at which the page was asked for."""
    requested: list[str] = []
    console: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=viewport or {"width": 1600, "height": 1150})
            page.on("request", lambda r: requested.append(r.url))
            page.on("websocket", lambda ws: requested.append(ws.url))
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}")
                    if m.type in ("warning", "error") else None)
            page.add_init_script(WATCH_BANNER)
            if opened is not None:
                opened.append(time.perf_counter())
            page.goto(url)
            yield page
        finally:
            browser.close()
    print("\nbrowser console warnings and errors:", console or "none")
    assert not console, f"the page logged warnings or errors: {console}"
    outside = sorted({u for u in requested if urlsplit(u).hostname not in LOOPBACK
                      and not u.startswith(("data:", "blob:"))})
    assert not outside, f"requests left 127.0.0.1: {outside}"
    assert trap.connections == 0, "the server tried to reach the outside through a proxy"


LAPTOP = {"width": 1366, "height": 768}
#: run in the page: records every text the seeds' progress line shows, from the mutation
#: records themselves, so that a line added and removed again before the observer's callback
#: runs (a loaded machine delays it) is still seen
SEED_PROGRESS = """() => {
  window.seedProgress = [];
  const note = (node) => {
    if (!(node instanceof Element)) node = node && node.parentElement;
    if (!node) return;
    const lines = node.matches('.womsim-seeds-progress') ? [node]
      : [...node.querySelectorAll('.womsim-seeds-progress')];
    if (!lines.length && node.closest) {
      const up = node.closest('.womsim-seeds-progress');
      if (up) lines.push(up);
    }
    for (const line of lines) window.seedProgress.push(line.textContent);
  };
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'characterData') note(r.target);
      for (const added of r.addedNodes) note(added);
    }
  }).observe(document.body, {childList: true, subtree: true, characterData: true});
}"""
#: what ``python -m sim.app`` prints on start when numba's cache lacks the kernels
COMPILE_NOTICE = "the simulation's kernels are compiled on first use"
#: run in the page before its own scripts: notes whether the compiling banner ever shows
WATCH_BANNER = """
window.womsimBannerSeen = false;
new MutationObserver(() => {
  if (document.querySelector('.womsim-compiling')) window.womsimBannerSeen = true;
}).observe(document, {childList: true, subtree: true});
"""


def day_text(page: Page) -> str:
    return page.locator(".womsim-day").inner_text().strip()


def enter(page: Page, selector: str, text: str) -> None:
    """Type ``text`` into the field ``selector`` and press Enter."""
    field = page.locator(f"{selector} input")
    field.fill(text)
    field.press("Enter")


def box_inside(box: dict, viewport: dict) -> bool:
    return (box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= viewport["width"]
            and box["y"] + box["height"] <= viewport["height"])


def wait_for_dashboard(page: Page) -> None:
    """Wait for the dashboard (KPI cards, the network view) to be shown; fail at once with
    its text when the page says instead that the first scenarios could not be built."""
    page.wait_for_selector(".womsim-kpi-reach, .womsim-first-error", timeout=LOAD_TIMEOUT)
    failed = page.locator(".womsim-first-error")
    if failed.count():
        pytest.fail(failed.first.inner_text())
    page.wait_for_selector(".womsim-network img", timeout=LOAD_TIMEOUT)


def banner_shown(page: Page) -> bool:
    """Whether the compiling banner was on the page at any time since it was opened."""
    return bool(page.evaluate("() => window.womsimBannerSeen === true"))


def server_compiled(log: Path) -> bool:
    """Whether the server said on start that numba's cache lacks the kernels."""
    return COMPILE_NOTICE in log.read_text()


def test_dashboard_in_browser(app_server: tuple[str, ProxyTrap, Path], tmp_path: Path) -> None:
    """The strategist's flow at 1366x768: KPIs and money, a refused budget and its error
    beside the field, a Step during an update, Run to end, a raised horizon, Play, a plan
    loaded into B, and steps at 100,000 consumers."""
    url, trap, log = app_server
    latencies: dict[str, list[float]] = {}
    opened: list[float] = []
    with dashboard_page(url, trap, LAPTOP, opened) as page:
        # past solara's "Loading app" splash: the app's own elements are rendered
        wait_for_dashboard(page)
        latencies["open -> dashboard shown, first page of the server"] = [
            time.perf_counter() - opened[0]]
        expect(page.locator(".womsim-compiling")).to_have_count(0)  # gone once the page is up
        expect(page.locator(".womsim-first-error")).to_have_count(0)
        # the banner shows while the kernels compile, and only then: a warm cache, no flicker
        assert banner_shown(page) == server_compiled(log), (banner_shown(page), log.read_text())
        expect(page.locator(".womsim-day")).to_have_text("Day 0 of 180")
        expect(page.locator(".womsim-command-a")).to_contain_text("strategy=none")
        kpis_before = kpi_texts(page)
        plot_before = image_src(page, "timeseries")
        conversions_before = image_src(page, "conversions")
        assert len(kpis_before) == 5
        tops = {round(page.locator(f".womsim-kpi-{k}").bounding_box()["y"])
                for k in ("reach", "customers", "net_sentiment", "mean_loyalty",
                          "cost_per_customer")}
        assert len(tops) == 1, f"the KPI cards wrap at 1366x768: tops {tops}"
        a_box = page.locator(".womsim-scenario-a").bounding_box()
        b_box = page.locator(".womsim-scenario-b").bounding_box()
        assert abs(a_box["y"] - b_box["y"]) < 2 and b_box["x"] > a_box["x"] + a_box["width"] - 2
        assert b_box["y"] < LAPTOP["height"], "B's controls start below the first screen"
        expect(page).to_have_title("womsim")
        expect(page.locator(".womsim-kpi-customers .womsim-kpi-label")).to_contain_text(
            "Customers now")
        # money and plan: spend against budget, and the KOLs' own figures
        expect(page.locator(".womsim-spend-a")).to_contain_text("nothing to spend")
        expect(page.locator(".womsim-money-row-cost")).to_contain_text("EUR")
        roi_label = page.locator(".womsim-money-row-roi td").first
        assert (roi_label.get_attribute("title") or "").startswith("ROI: ")
        expect(page.locator(".womsim-strategy-card-b-kol .womsim-strategy-figure-kols")
               ).to_contain_text("KOLs seeded")

        # change a control: B adds referral rewards to its KOLs
        start = time.perf_counter()
        page.locator(".womsim-strategy-b-rewards").click()
        expect(page.locator(".womsim-command-b")).to_contain_text(
            "strategy.rewards.referrer_reward=10", timeout=60_000)
        expect(page.locator(".womsim-updating")).to_have_count(0, timeout=60_000)
        latencies["control change -> rebuilt, day 0"] = [time.perf_counter() - start]
        expect(page.locator(".womsim-command-b")).to_contain_text("'strategy=[kol,rewards]'")
        expect(page.get_by_text("Referral reward 10")).to_be_visible()

        # step: the KPIs and the plots change
        latencies["Step -> rendered, n=2,000"] = [step_and_time(page, d) for d in (1, 2, 3)]
        kpis_after = kpi_texts(page)
        assert kpis_after != kpis_before
        reach = page.locator(".womsim-kpi-reach .womsim-kpi-delta").inner_text()
        assert reach.strip() not in ("+0.0 pp", "n/a"), kpis_after
        assert image_src(page, "timeseries") != plot_before
        assert image_src(page, "conversions") != conversions_before
        expect(page.locator(".womsim-spend-b")).to_contain_text("EUR, no budget limit")
        expect(page.locator(".womsim-spend-b-kol")).to_contain_text("spent on day 1")
        expect(page.locator(".womsim-strategy-card-b-kol .womsim-strategy-figure-kols")
               ).to_contain_text("10")
        expect(page.locator(".womsim-strategy-card-b-rewards")).to_be_visible()
        expect(page.locator(".womsim-money-row-incremental_npv")).to_contain_text("EUR")

        # a refused budget: the text stays, the error is right below the field, on screen
        enter(page, ".womsim-budget-a", "-5")
        error = page.locator(".womsim-error-a-budget")
        expect(error).to_contain_text("Budget (budget) = -5.0 is invalid: allowed a number "
                                      ">= 0 or empty (no limit)", timeout=30_000)
        expect(page.locator(".womsim-budget-a input")).to_have_value("-5")
        field_box = page.locator(".womsim-budget-a").bounding_box()
        error_box = error.bounding_box()
        assert 0 <= error_box["y"] - (field_box["y"] + field_box["height"]) < 40, (
            field_box, error_box)
        assert abs(error_box["x"] - field_box["x"]) < 40, (field_box, error_box)
        assert box_inside(error_box, LAPTOP), error_box
        page.screenshot(path=str(tmp_path / "dashboard-budget-error.png"))
        enter(page, ".womsim-budget-a", "abc")  # another refused value: its own message
        expect(error).to_contain_text("'abc'", timeout=30_000)
        expect(error).not_to_contain_text("-5.0")
        enter(page, ".womsim-budget-a", "")  # cleared: no limit, no error
        expect(error).to_have_count(0, timeout=30_000)
        expect(page.locator(".womsim-command-a")).not_to_contain_text("budget=")

        # a Step right after a control change is not lost: it runs on the new scenarios
        day = int(day_text(page).split()[1])
        enter(page, ".womsim-budget-b", "50000")
        page.locator(".womsim-step").click()
        expect(page.locator(".womsim-command-b")).to_contain_text("budget=50000",
                                                                  timeout=60_000)
        expect(page.locator(".womsim-day")).to_have_text(f"Day {day + 1} of 180",
                                                         timeout=60_000)
        expect(page.locator(".womsim-updating")).to_have_count(0, timeout=60_000)
        page.wait_for_timeout(2000)  # and it stays
        expect(page.locator(".womsim-day")).to_have_text(f"Day {day + 1} of 180")

        # Run to end reaches the horizon; Step waits for a later horizon
        start = time.perf_counter()
        page.locator(".womsim-run-to-end").click()
        expect(page.locator(".womsim-day")).to_have_text("Day 180 of 180", timeout=120_000)
        latencies["Run to end from day 4, n=2,000"] = [time.perf_counter() - start]
        expect(page.locator(".womsim-step")).to_be_disabled()
        expect(page.locator(".womsim-at-end")).to_be_visible()
        enter(page, ".womsim-field-world-steps", "200")
        expect(page.locator(".womsim-day")).to_have_text("Day 180 of 200", timeout=120_000)
        expect(page.locator(".womsim-step")).to_be_enabled(timeout=60_000)
        step_and_time(page, 181)
        expect(page.locator(".womsim-day")).to_have_text("Day 181 of 200")

        # Play keeps to its interval (250 ms a frame) and pauses at the horizon
        page.locator(".womsim-play").click()
        start = time.perf_counter()
        page.wait_for_timeout(3000)
        page.locator(".womsim-play").click()
        played = time.perf_counter() - start
        page.wait_for_timeout(500)
        days = int(day_text(page).split()[1]) - 181
        latencies["Play at 250 ms, n=2,000: seconds per frame"] = [played / max(days, 1)]
        assert days >= 3, f"Play ran {days} days in {played:.1f} s"
        expect(page.locator(".womsim-step")).to_be_enabled()

        # a plan from a womsim command, into B: world and B replaced, the note shown
        page.locator(".womsim-plan-text input").fill(
            "womsim graph.n=1000 steps=60 strategy=fast_response "
            "strategy.fast_response.delay=1 strategy.fast_response.delay_unit=hours")
        start = time.perf_counter()
        page.locator(".womsim-plan-load-b").click()
        expect(page.locator(".womsim-plan-note")).to_contain_text("Into B", timeout=30_000)
        expect(page.locator(".womsim-command-b")).to_contain_text("strategy=fast_response",
                                                                  timeout=60_000)
        expect(page.locator(".womsim-command-b")).to_contain_text(
            "strategy.fast_response.delay_unit=hours")
        expect(page.locator(".womsim-command-a")).to_contain_text("graph.n=1000")
        expect(page.locator(".womsim-day")).to_have_text(re.compile(r"Day \d+ of 60"),
                                                         timeout=60_000)
        latencies["Load into B -> rebuilt"] = [time.perf_counter() - start]
        expect(page.get_by_text("Response delay 1 hour", exact=True)).to_be_visible()
        page.evaluate("() => { window.scrollTo(0, 0); document.querySelectorAll('*')"
                      ".forEach(e => { if (e.scrollTop) e.scrollTop = 0; }); }")
        page.wait_for_timeout(300)
        page.screenshot(path=str(tmp_path / "dashboard.png"))  # the first screen, 1366x768
        assert (tmp_path / "dashboard.png").stat().st_size > 10_000
        page.locator(".womsim-plan-text input").fill("womsim graph.n=-3")
        page.locator(".womsim-plan-load-a").click()
        expect(page.locator(".womsim-plan-error")).to_contain_text("graph.n", timeout=30_000)
        page.screenshot(path=str(tmp_path / "dashboard-full.png"), full_page=True)

        # reset: back to day 0
        page.locator(".womsim-reset").click()
        expect(page.locator(".womsim-day")).to_have_text("Day 0 of 60", timeout=60_000)

        # n = 100,000 consumers (the default engine): each step still renders quickly
        choose(page, ".womsim-world", "Consumers", "100000")
        expect(page.locator(".womsim-command-a")).to_contain_text(
            "graph.n=100000", timeout=LOAD_TIMEOUT)
        expect(page.locator(".womsim-network")).to_contain_text(
            "a sample of 300 of 100,000 consumers", timeout=LOAD_TIMEOUT)
        expect(page.locator(".womsim-updating")).to_have_count(0, timeout=LOAD_TIMEOUT)
        day = int(day_text(page).split()[1])
        big = [step_and_time(page, day + i) for i in (1, 2, 3)]
        latencies["Step -> rendered, n=100,000"] = big
        assert min(big) < 2.0, big  # generous: CI machines are shared
    print()
    for what, seconds in latencies.items():
        print(f"{what}: {', '.join(f'{t:.2f}s' for t in seconds)}")


def test_run_n_seeds_in_browser(app_server: tuple[str, ProxyTrap, Path],
                                tmp_path: Path) -> None:
    """Run N seeds: a bad N is refused beside the field; N = 3 gives the table of B − A with
    95 % intervals and the band chart."""
    url, trap, log = app_server
    opened: list[float] = []
    with dashboard_page(url, trap, opened=opened) as page:
        wait_for_dashboard(page)
        loaded = time.perf_counter() - opened[0]
        expect(page.locator(".womsim-compiling")).to_have_count(0)
        assert server_compiled(log) or not banner_shown(page), "a banner on a warm cache"
        button = page.locator(".womsim-seeds-run")
        expect(button).to_have_text("Run 5 seeds")
        field = page.locator(".womsim-seeds-n input")

        field.fill("1")
        field.press("Enter")
        expect(page.locator(".womsim-seeds-n-error")).to_contain_text(
            "Seeds to run (n_seeds) = 1 is invalid: allowed an integer in [2, 50]",
            timeout=30_000)
        expect(button).to_be_disabled()

        field.fill("3")
        field.press("Enter")
        expect(button).to_have_text("Run 3 seeds", timeout=30_000)
        expect(page.locator(".womsim-seeds-n-error")).to_have_count(0)
        expect(button).to_be_enabled()
        page.evaluate(SEED_PROGRESS)
        start = time.perf_counter()
        button.click()
        interval = page.locator(".womsim-seeds-row-customers .womsim-seeds-interval")
        expect(interval).to_have_text(re.compile(r"^\[[-+]\d+\.\d pp, [-+]\d+\.\d pp\]$"),
                                      timeout=LOAD_TIMEOUT)
        latency = time.perf_counter() - start
        results = page.locator(".womsim-seeds-results")
        expect(results).to_contain_text("Over 3 seeds: B − A on day 180")
        expect(results).to_contain_text("Seeds 0–2")
        expect(page.locator(".womsim-seeds-row-customers .womsim-seeds-better")).to_have_text(
            re.compile(r"^[0-3] of 3$"))
        expect(page.locator(".womsim-seeds-row")).to_have_count(7)
        progress = page.evaluate("() => window.seedProgress")
        assert any(re.fullmatch(r"seed [1-3] of 3", t) for t in progress), progress
        page.wait_for_selector(".womsim-seeds-results img", timeout=30_000)
        expect(button).to_be_enabled()
        page.screenshot(path=str(tmp_path / "dashboard-seeds.png"), full_page=True)
        assert (tmp_path / "dashboard-seeds.png").stat().st_size > 10_000
        print(f"\nopen -> dashboard shown, Run N seeds test: {loaded:.2f}s")
        print(f"Run 3 seeds: click -> table, n=2,000, 180 days: {latency:.2f}s")

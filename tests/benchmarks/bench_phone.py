"""Phone-side figures: Chromium with mobile emulation against a real `razem serve`, then
Lighthouse on the home, roster and report pages. One command, one table at the end.

    .venv/bin/python -m tests.benchmarks.bench_phone [--runs 3] [--lighthouse-runs 3]
                                                     [--no-lighthouse]

The phone: a 412×823 viewport at device pixel ratio 1.75 with touch and a mobile user agent
(Lighthouse's Moto G Power), the CPU slowed 4× (CDP `Emulation.setCPUThrottlingRate`), and
the network of DevTools' "Slow 3G" preset as the issue states it: 400 ms round trip, 400 kbit/s
down and 400 kbit/s up (CDP `Network.emulateNetworkConditions` on the page; the service
worker's own fetches go straight to loopback, so the 200-mark sync is not throttled).

Per run, a fresh browser profile, signed in as the demo facilitator (the session cookie put in
the profile, so the sign-in page's own files are not cached yet):

1. First visit to today's choir roster (40 people): bytes over the wire (the page's own
   requests, from CDP `Network.loadingFinished`, headers included; ours and htmx apart),
   first contentful paint, and time to usable: the 40 rows are in the DOM and visible and
   the deferred scripts have run, so a tap is handled by the app (DOMContentLoaded's end).
2. 40 taps (Present on each row, with touch): time from the tap's event to the next paint
   after the row changed (a `requestAnimationFrame` then a `MessageChannel` message after
   the DOM change), and the browser's own Event Timing duration of the click (PerformanceObserver
   'event' entries, 8 ms granularity; under 16 ms is not reported and counted as 16). Also
   the time until the server's answer is swapped into the row and painted.
3. With the server process stopped: 200 marks queued (5 rounds over 40 rows), then the roster
   opened 5 times from the service worker, to rows shown with the queued marks applied.
4. The server started again and the page's `online` event: time until the outbox is empty.

Lighthouse 13 (`npm install lighthouse@13` into a temporary folder; mobile form factor and
simulated throttling, its defaults; `CHROME_PATH=/usr/bin/chromium`), performance and
accessibility, median of N runs per page: home (`/` as the facilitator, which redirects to
`/sessions`), the roster (facilitator) and `/reports` (coordinator); the session cookie is
passed with `--extra-headers`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, CDPSession, Page, sync_playwright

from tests.benchmarks.bench_offline import STATUSES
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.servers import ServerProcess, seed_database
from tests.browser.test_offline import wait_until_offline_ready

PHONE = {
    "viewport": {"width": 412, "height": 823},
    "device_scale_factor": 1.75,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36"
    ),
    "locale": "en-GB",
}
CPU_SLOWDOWN = 4
RTT_MS = 400
KBIT_S = 400
NETWORK = {
    "offline": False,
    "latency": RTT_MS,
    "downloadThroughput": KBIT_S * 1000 / 8,  # bytes per second
    "uploadThroughput": KBIT_S * 1000 / 8,
}
PASSWORD = "razem-demo"

# Installed in the page before the taps: the tap's event time, the next paint after the row
# changed, and the browser's Event Timing entries.
TAP_PROBE = """() => {
  window.__taps = []; window.__events = [];
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) if (e.name === 'click')
      window.__events.push({start: e.startTime, duration: e.duration});
  }).observe({type: 'event', durationThreshold: 16, buffered: false});
  document.addEventListener('click', event => {
    const row = event.target.closest && event.target.closest('.roster-item');
    if (!row) return;
    const id = row.id, start = event.timeStamp, tap = {id, start};
    window.__taps.push(tap);
    // After every click handler (roster.js changes the row): the frame that shows it.
    setTimeout(() => {
      tap.changed = document.getElementById(id).classList.contains('pending');
      requestAnimationFrame(() => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => { tap.painted = performance.now(); };
        channel.port2.postMessage(0);
      });
    }, 0);
    const swapped = e => {
      if (!e.detail.target || e.detail.target.id !== id) return;
      document.removeEventListener('htmx:afterSettle', swapped);
      requestAnimationFrame(() => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => { tap.confirmed = performance.now(); };
        channel.port2.postMessage(0);
      });
    };
    document.addEventListener('htmx:afterSettle', swapped);
  }, true);
}"""

PENDING_PROBE = """(() => {
  const seen = () => {
    if (window.__pendingSeen || !document.querySelector('#roster-list li.pending')) return;
    window.__pendingSeen = performance.now();
    requestAnimationFrame(() => {
      window.__pendingFrame = performance.now();
      setTimeout(() => { window.__pendingAt = performance.now(); }, 0);
    });
    observer.disconnect();
  };
  const observer = new MutationObserver(seen);
  observer.observe(document, {subtree: true, childList: true, attributeFilter: ['class']});
})();"""

USABLE = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  const rows = document.querySelectorAll('#roster-list > li.roster-item');
  const last = rows[rows.length - 1];
  return {
    dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
    fcp: fcp ? fcp.startTime : null, rows: rows.length,
    tappable: !!(window.htmx && last && last.querySelector('button.mark').offsetParent),
  };
}"""


# An offline open, once the page's scripts have run: its first contentful paint and the end
# of DOMContentLoaded (the deferred scripts, htmx included, have run), on the page's clock.
OPENED = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  return nav && nav.domContentLoadedEventEnd > 0 && fcp
    ? {dcl: nav.domContentLoadedEventEnd, fcp: fcp.startTime} : null;
}"""


def sign_in_cookie(base_url: str, email: str) -> str:
    with httpx.Client(base_url=base_url, follow_redirects=False) as client:
        page = client.get("/sign-in").text
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        response = client.post(
            "/sign-in", data={"email": email, "password": PASSWORD, "_csrf_token": token}
        )
        assert response.status_code in (302, 303), response.status_code
        return str(client.cookies["razem_session"])


def todays_choir(base_url: str, cookie: str) -> str:
    home = httpx.get(f"{base_url}/sessions", cookies={"razem_session": cookie}).text
    today = home.split('id="today-heading"')[1].split("</section>")[0]
    for card in today.split("<li")[1:]:
        match = re.search(r'href="(/sessions/[0-9a-f-]{36})"', card)
        if match and "Multicultural Choir" in card:
            return f"{base_url}{match.group(1)}"
    raise AssertionError("today's choir not found")


class Wire:
    """Bytes each of the page's requests took on the wire (CDP Network domain)."""

    def __init__(self, cdp: CDPSession) -> None:
        self.urls: dict[str, str] = {}
        self.headers: dict[str, int] = {}
        self.bytes: dict[str, int] = {}
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)

    def _response(self, event: dict[str, Any]) -> None:
        self.urls[event["requestId"]] = event["response"]["url"]
        self.headers[event["requestId"]] = int(event["response"].get("encodedDataLength", 0))

    def _finished(self, event: dict[str, Any]) -> None:
        self.bytes[event["requestId"]] = int(event["encodedDataLength"])

    def by_url(self) -> dict[str, tuple[int, int]]:
        """URL → (bytes on the wire with headers, body bytes as sent, compressed)."""
        return {
            self.urls.get(rid, rid): (size, size - self.headers.get(rid, 0))
            for rid, size in self.bytes.items()
        }


def ours(url: str, page_url: str) -> bool:
    """Our own HTML, CSS and JS (not htmx, not icons or the manifest)."""
    return url == page_url or (url.endswith((".css", ".js")) and "/vendor/" not in url)


def slow_phone(page: Page) -> CDPSession:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    cdp.send("Network.emulateNetworkConditions", NETWORK)
    return cdp


def one_run(
    browser: Browser, server: ServerProcess, cookie: str, roster_url: str
) -> dict[str, Any]:
    context = browser.new_context(**PHONE)  # type: ignore[arg-type]
    context.add_cookies([{"name": "razem_session", "value": cookie, "url": server.url}])
    page = context.new_page()
    cdp = slow_phone(page)
    wire = Wire(cdp)
    result: dict[str, Any] = {}

    # 1. first visit
    page.goto(roster_url, wait_until="load")
    try:
        page.wait_for_function("() => (" + USABLE + ")().tappable", polling=50)
    except Exception:
        print(page.url, page.evaluate(USABLE), page.evaluate("typeof window.htmx"))
        raise
    usable = page.evaluate(USABLE)
    assert usable["rows"] == 40, usable
    page.wait_for_timeout(500)  # late requests (icon, manifest)
    sizes = wire.by_url()
    own = [size for url, size in sizes.items() if ours(url, roster_url)]
    result["first"] = {
        "fcp": usable["fcp"],
        "usable": usable["dcl"],
        "load": usable["load"],
        "own_body": sum(body for _, body in own),
        "own_wire": sum(wire for wire, _ in own),
        "all_bytes": sum(wire for wire, _ in sizes.values()),
        "requests": len(sizes),
        "sizes": sizes,
    }

    # 2. 40 taps, online, each confirmed by the server before the next
    wait_until_offline_ready(page)
    page.goto(roster_url, wait_until="load")
    page.evaluate(TAP_PROBE)
    rows = page.locator("#roster-list > li.roster-item")
    for i in range(40):
        rows.nth(i).get_by_role("button", name="Late", exact=True).tap()
        page.wait_for_function(
            "n => window.__taps.length === n && window.__taps[n - 1].confirmed",
            arg=i + 1,
            polling=50,
            timeout=30000,
        )
    page.wait_for_timeout(300)
    taps = page.evaluate("window.__taps")
    events = page.evaluate("window.__events")
    assert all(t["changed"] for t in taps), "a tap did not change its row"
    result["taps"] = {
        "painted": [t["painted"] - t["start"] for t in taps],
        "confirmed": [t["confirmed"] - t["start"] for t in taps],
        "event_timing": [
            next((e["duration"] for e in events if abs(e["start"] - t["start"]) < 1), 16.0)
            for t in taps
        ],
    }

    # 3. server stopped: 200 queued marks, the roster opened from the worker. The page's own
    # clock: from the navigation's start to the first row showing a queued mark.
    page.add_init_script(PENDING_PROBE)
    server.stop()
    for round_ in range(5):
        for i in range(40):
            rows.nth(i).get_by_role("button", name=STATUSES[round_], exact=True).click()
    # The last click's write is stored by the worker a moment after the click returns.
    deadline = time.monotonic() + 30
    while (queued := page.evaluate("RazemStore.list().then(items => items.length)")) < 200:
        assert time.monotonic() < deadline, queued
        time.sleep(0.05)
    assert queued == 200, queued
    opens, walls, opened, seen = [], [], [], []
    for _ in range(5):
        start = time.perf_counter()
        page.goto(roster_url, wait_until="commit")
        page.wait_for_selector("#roster-list li.roster-item.pending", timeout=30000)
        walls.append((time.perf_counter() - start) * 1000)
        page.wait_for_function("() => window.__pendingAt", polling=50)
        opens.append(page.evaluate("window.__pendingAt"))
        seen.append(page.evaluate("[window.__pendingSeen, window.__pendingFrame]"))
        page.wait_for_function(OPENED, polling=50)
        opened.append(page.evaluate(OPENED))
    result["offline_open"] = opens
    result["offline_open_wall"] = walls
    result["offline_fcp"] = [o["fcp"] for o in opened]
    result["offline_seen"] = [s[0] for s in seen]
    result["offline_frame"] = [s[1] for s in seen]
    result["offline_dcl"] = [o["dcl"] for o in opened]

    # 4. back online: the 200 marks sent
    server.start()
    start = time.perf_counter()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    while page.evaluate("RazemStore.list().then(items => items.length)"):
        time.sleep(0.02)
    result["sync_200"] = time.perf_counter() - start
    context.close()
    return result


def install_lighthouse(folder: Path) -> Path:
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "lighthouse@13"],
        cwd=folder,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return folder / "node_modules" / ".bin" / "lighthouse"


def lighthouse(binary: Path, url: str, cookie: str, out: Path) -> dict[str, Any]:
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    subprocess.run(
        [
            str(binary),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={out}",
            "--only-categories=performance,accessibility",
            f"--extra-headers={json.dumps({'Cookie': f'razem_session={cookie}'})}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        ],
        env=env,
        check=True,
    )
    report = json.loads(out.read_text())
    audits = report["audits"]
    failing = sorted(
        key
        for key, audit in audits.items()
        if audit.get("score") is not None
        and audit["score"] < 0.9
        and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
    )
    return {
        "performance": round(report["categories"]["performance"]["score"] * 100),
        "accessibility": round(report["categories"]["accessibility"]["score"] * 100),
        "fcp": audits["first-contentful-paint"]["numericValue"],
        "lcp": audits["largest-contentful-paint"]["numericValue"],
        "tbt": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "si": audits["speed-index"]["numericValue"],
        "flagged": failing,
    }


def med(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} [{min(values):.0f}–{max(values):.0f}]"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lighthouse-runs", type=int, default=3)
    parser.add_argument("--no-lighthouse", action="store_true")
    parser.add_argument("--show-sizes", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="razem-phone-bench-"))
    load_before = os.getloadavg()
    started = datetime.now(UTC)
    server = ServerProcess(seed_database(folder / "bench.db"), folder)
    server.start()
    runs: list[dict[str, Any]] = []
    scores: dict[str, list[dict[str, Any]]] = {}
    try:
        facilitator = sign_in_cookie(server.url, "facilitator@example.org")
        coordinator = sign_in_cookie(server.url, "coordinator@example.org")
        roster_url = todays_choir(server.url, facilitator)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for _ in range(args.runs):
                runs.append(one_run(browser, server, facilitator, roster_url))
            browser.close()
        if not args.no_lighthouse:
            binary = install_lighthouse(folder)
            pages = {
                "home (/ → /sessions)": (f"{server.url}/", facilitator),
                "roster (40 people)": (roster_url, facilitator),
                "report (/reports)": (f"{server.url}/reports", coordinator),
            }
            for n in range(args.lighthouse_runs):
                for name, (url, cookie) in pages.items():
                    out = folder / f"lighthouse-{len(scores.get(name, []))}-{n}.json"
                    scores.setdefault(name, []).append(lighthouse(binary, url, cookie, out))
    finally:
        server.stop()
    load_after = os.getloadavg()

    print(
        f"\nmachine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, Chromium {CHROMIUM}, SQLite; "
        f"{started:%Y-%m-%d %H:%M} UTC; load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after"
    )
    print(
        f"phone: {PHONE['viewport']['width']}x{PHONE['viewport']['height']} @"  # type: ignore[index]
        f"{PHONE['device_scale_factor']}, touch, CPU {CPU_SLOWDOWN}x slower, "
        f"{RTT_MS} ms RTT, {KBIT_S} kbit/s down and up; {len(runs)} runs, "
        "median [min–max]\n"
    )
    first = [r["first"] for r in runs]
    taps_painted = [v for r in runs for v in r["taps"]["painted"]]
    taps_timing = [v for r in runs for v in r["taps"]["event_timing"]]
    taps_confirmed = [v for r in runs for v in r["taps"]["confirmed"]]
    opens = [v for r in runs for v in r["offline_open"]]
    opens_wall = [v for r in runs for v in r["offline_open_wall"]]
    opens_fcp = [v for r in runs for v in r["offline_fcp"]]
    opens_dcl = [v for r in runs for v in r["offline_dcl"]]
    opens_seen = [v for r in runs for v in r["offline_seen"]]
    opens_frame = [v for r in runs for v in r["offline_frame"]]
    own_body = statistics.median(f["own_body"] for f in first)
    rows = [
        ("first visit: our HTML, CSS and JS, compressed bodies",
         f"{own_body / 1024:.1f} KiB ({own_body:,.0f} bytes)", "< 15 KB"),
        ("first visit: our HTML, CSS and JS on the wire, with HTTP headers",
         f"{statistics.median(f['own_wire'] for f in first) / 1024:.1f} KiB", ""),
        ("first visit: bytes on the wire, all (with htmx)",
         f"{statistics.median(f['all_bytes'] for f in first) / 1024:.1f} KiB "
         f"({first[0]['requests']} requests)", ""),
        ("first visit: first contentful paint, ms", med([f["fcp"] for f in first]), ""),
        ("first visit: usable (40 rows shown, scripts run), ms",
         med([f["usable"] for f in first]), ""),
        (f"tap to painted row, ms ({len(taps_painted)} taps), p95 {p95(taps_painted):.0f}",
         med(taps_painted), "< 100 ms"),
        (f"tap, Event Timing duration of the click, ms, p95 {p95(taps_timing):.0f}",
         med(taps_timing), "< 100 ms"),
        ("tap to server's row swapped in and painted, ms", med(taps_confirmed), ""),
        (f"roster opened offline, server stopped, 200 queued ({len(opens)} loads): "
         "navigation start to queued marks painted, ms", med(opens), "< 300 ms"),
        ("the same from the test's side (goto to the pending row seen), ms", med(opens_wall), ""),
        ("roster opened offline: a row with a queued mark in the DOM, ms", med(opens_seen), ""),
        ("roster opened offline: the frame after it begins (requestAnimationFrame), ms",
         med(opens_frame), ""),
        ("roster opened offline: first contentful paint, ms", med(opens_fcp), ""),
        ("roster opened offline: scripts run (end of DOMContentLoaded), ms", med(opens_dcl), ""),
        ("200 queued marks confirmed after reconnect, s",
         f"{statistics.median(r['sync_200'] for r in runs):.2f} "
         f"[{min(r['sync_200'] for r in runs):.2f}–{max(r['sync_200'] for r in runs):.2f}]",
         "< 3 s"),
    ]  # fmt: skip
    for name, results in scores.items():
        perf = [float(s["performance"]) for s in results]
        a11y = [float(s["accessibility"]) for s in results]
        rows.append((f"Lighthouse performance: {name}", med(perf), "≥ 95"))
        rows.append((f"Lighthouse accessibility: {name}", med(a11y), "100"))
    width = max(len(r[0]) for r in rows)
    print(f"| {'figure':<{width}} | result | target |")
    print(f"| {'-' * width} | --- | --- |")
    for name, value, target in rows:
        print(f"| {name:<{width}} | {value} | {target} |")
    for name, results in scores.items():
        print(f"\nLighthouse {name}:")
        for s in results:
            print(
                f"  perf {s['performance']} a11y {s['accessibility']} FCP {s['fcp']:.0f} "
                f"LCP {s['lcp']:.0f} TBT {s['tbt']:.0f} CLS {s['cls']:.3f} SI {s['si']:.0f} "
                f"flagged: {', '.join(s['flagged']) or '-'}"
            )
    if args.show_sizes:
        print("\nfirst visit, bytes per request (first run):")
        for url, (wire, body) in sorted(first[0]["sizes"].items()):
            print(f"  {wire:>7} on the wire, {body:>7} body  {url}")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

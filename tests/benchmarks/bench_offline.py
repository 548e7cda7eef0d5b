"""Phone-side offline figures in real Chromium against a real server process.

    .venv/bin/python -m tests.benchmarks.bench_offline [--runs 3]

1. Opening a cached roster (40 people) with the server stopped: from navigation start to the
   page being usable (roster rendered and the queued writes applied), median of N.
2. Time from the connection coming back to 200 queued marks confirmed: 200 taps queued while
   the server is down, the server started, then the browser's `online` event (what a phone sees
   when it gets signal back); measured until the outbox in IndexedDB is empty.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.servers import ServerProcess, seed_database
from tests.browser.test_offline import open_todays_choir, sign_in, wait_until_offline_ready

STATUSES = ["Present", "Absent", "Late", "Excused", "Present"]


# The page's own clock: navigation start to the end of DOMContentLoaded (its scripts have run).
DCL_END = "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"


def _queued(page: Page) -> int:
    return int(page.evaluate("RazemStore.list().then(items => items.length)"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="razem-offline-bench-"))
    server = ServerProcess(seed_database(folder / "bench.db"), folder)
    server.start()
    open_times: list[float] = []
    sync_times: list[float] = []
    dcl_times: list[float] = []
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(folder / "phone"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, locale="en-GB"
            )
            page = context.new_page()
            sign_in(page, server)
            wait_until_offline_ready(page)
            open_todays_choir(page)
            roster_url = page.url
            for _ in range(args.runs):
                server.stop()
                rows = page.locator("#roster-list > li.roster-item")
                for round_ in range(5):  # 5 × 40 = 200 queued marks
                    for i in range(rows.count()):
                        rows.nth(i).get_by_role("button", name=STATUSES[round_], exact=True).click()
                assert _queued(page) == 200, _queued(page)
                for _ in range(5):
                    start = time.perf_counter()
                    page.goto(roster_url, wait_until="domcontentloaded")
                    page.wait_for_selector("#roster-list li.roster-item.pending")
                    open_times.append((time.perf_counter() - start) * 1000)
                    dcl_times.append(float(page.evaluate(DCL_END)))
                server.start()
                start = time.perf_counter()
                page.evaluate("window.dispatchEvent(new Event('online'))")
                while _queued(page):
                    time.sleep(0.02)
                sync_times.append(time.perf_counter() - start)
            context.close()
    finally:
        server.stop()
    marks = len(open_times)
    print(f"machine: {platform.node()} {platform.machine()}, Python {platform.python_version()}, "
          f"Chromium (Debian), SQLite, {date.today()}")  # fmt: skip
    median_open = statistics.median(open_times)
    print(f"cached roster opened offline ({marks} loads): median {median_open:.0f} ms, "
          f"max {max(open_times):.0f} ms (target < 300 ms)")  # fmt: skip
    print(f"  the same on the page's clock, navigation start to the end of DOMContentLoaded: "
          f"median {statistics.median(dcl_times):.0f} ms, max {max(dcl_times):.0f} ms")  # fmt: skip
    median_sync = statistics.median(sync_times)
    print(f"200 queued marks confirmed after reconnect ({len(sync_times)} runs): median "
          f"{median_sync:.2f} s, max {max(sync_times):.2f} s (target < 3 s)")  # fmt: skip


if __name__ == "__main__":
    main()

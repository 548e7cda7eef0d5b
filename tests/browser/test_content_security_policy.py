"""The Content-Security-Policy in real Chromium: every role walks every page reachable from its
menus (each kind of page once) and taps what runs htmx, and the browser reports no violation
of the policy or of the permissions policy. The same browser does refuse an inline script and
an inline style, so the check would see a violation if a page had one. The new password pages
pass axe and fit a 360 px phone."""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Route,
    expect,
)

from server.cli import VENDOR_HTMX
from server.settings import HTMX_CDN_URL
from tests.browser.servers import ServerProcess
from tests.browser.test_offline import (
    db_rows,
    launch,
    open_todays_choir,
    sign_in,
    wait_until_offline_ready,
)
from tests.browser.test_sign_in_roles import assert_accessible
from tests.browser.test_teacher_course import as_uuid

pytestmark = pytest.mark.browser
PASSWORD = "razem-demo"
ROLES = ("facilitator@example.org", "teacher@example.org", "coordinator@example.org",
         "admin@example.org")  # fmt: skip
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# Downloads (not pages) and the API are left out; everything else linked is visited.
SKIP = re.compile(r"^/(api/|reports/export/|static/)|\.(csv|xlsx|pdf|json)$")
MAX_PAGES = 60

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.effectiveDirective + " blocked " + (e.blockedURI || "inline") +
                    " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


class Watch:
    """What the browser said about policies, from the console and from violation events."""

    def __init__(self, context: BrowserContext) -> None:
        self.console: list[str] = []
        context.add_init_script(RECORD_VIOLATIONS)
        context.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        text = message.text
        if (
            "Content Security Policy" in text
            or "Refused to" in text
            or "Permissions-Policy" in text
        ):
            self.console.append(text)

    def check(self, page: Page, where: str) -> None:
        events = page.evaluate("window.__csp || []")
        assert not events and not self.console, f"{where}: {events} {self.console}"


def _pattern(path: str) -> str:
    return UUID.sub("{id}", path)


def _links(page: Page, origin: str) -> list[str]:
    hrefs = page.locator("a[href]").evaluate_all("links => links.map(a => a.href)")
    found = []
    for href in hrefs:
        url = urlsplit(urljoin(page.url, href))
        if f"{url.scheme}://{url.netloc}" != origin or SKIP.search(url.path):
            continue
        found.append(url.path + (f"?{url.query}" if url.query else ""))
    return found


def _sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile(r"/(sessions|courses|activities|admin/staff)$"))


def _use_htmx(page: Page, pattern: str) -> None:
    """Swap something in with htmx where the page has it: a roster tap, a check-in search."""
    if pattern == "/sessions/{id}":
        row = page.locator("#roster-list > li.roster-item").first
        if row.count():
            button = row.get_by_role("button", name="Excused", exact=True)
            button.click()
            expect(button).to_have_attribute("aria-pressed", "true")
    elif pattern == "/sessions/{id}/check-in":
        page.get_by_label("Name or card code").fill("ol")
        expect(page.locator("#check-in-results")).to_be_attached()
        page.wait_for_load_state("networkidle")


def _walk(browser: Browser, base_url: str, email: str, also: tuple[str, ...] = ()) -> set[str]:
    context = browser.new_context(locale="en-GB", viewport={"width": 360, "height": 780})
    watch = Watch(context)
    page = context.new_page()
    page.goto(f"{base_url}/sign-in")
    watch.check(page, "/sign-in")
    _sign_in(page, base_url, email)
    start = urlsplit(page.url).path
    queue = deque([start, *also, "/offline", "/no-such-page", "/people?q=ol"])
    seen: set[str] = set()
    while queue and len(seen) < MAX_PAGES:
        target = queue.popleft()
        pattern = _pattern(urlsplit(target).path)
        if pattern in seen:
            continue
        seen.add(pattern)
        page.goto(base_url + target)
        page.wait_for_load_state("load")
        _use_htmx(page, pattern)
        if pattern in ("/account/password", "/admin/staff/{id}/password"):
            assert_accessible(page)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        watch.check(page, f"{email} {target}")
        queue.extend(_links(page, base_url))
    context.close()
    return seen


def test_every_page_of_every_role_keeps_to_the_policy(
    browser: Browser, server: ServerProcess
) -> None:
    """On a server of its own: the walk taps roster buttons, which the shared demo must not
    see."""
    # A check-in page is linked from event rosters only; the walk opens one roster of each.
    [(event,)] = db_rows(
        server,
        "SELECT s.id FROM sessions s JOIN activities a ON a.id = s.activity_id "
        "JOIN activity_staff st ON st.activity_id = a.id JOIN staff_users u ON u.id = st.user_id "
        "WHERE a.kind IN ('event', 'distribution') AND u.email = 'facilitator@example.org' "
        "LIMIT 1",
    )
    also = {"facilitator@example.org": (f"/sessions/{as_uuid(event)}/check-in",)}
    visited = {email: _walk(browser, server.url, email, also.get(email, ())) for email in ROLES}
    everything = set().union(*visited.values())
    # The walk reached the main pages of every role (and so would notice a new one's links).
    for pattern in (
        "/sessions/{id}", "/sessions/{id}/check-in", "/sessions/{id}/newcomer",
        "/sessions/{id}/sheet", "/courses/{id}/progress", "/courses/{id}/assess",
        "/courses/{id}/learners/{id}", "/sessions/{id}/lesson", "/activities/{id}", "/reports",
        "/people/{id}", "/people/{id}/card", "/people/duplicates", "/coordination/sessions",
        "/coordination/devices", "/coordination/disagreements", "/admin/staff",
        "/admin/staff/{id}/password", "/account/password", "/sync", "/help/install", "/audit",
        "/people/{id}/data", "/people/{id}/erase",
    ):  # fmt: skip
        assert pattern in everything, (pattern, sorted(everything))
    for email, seen in visited.items():
        assert "/account/password" in seen, email


def test_the_browser_enforces_the_policy(browser: Browser, demo_server: str) -> None:
    """Proof that the check above can fail: an inline script and an inline style are refused
    and reported; htmx still works (from its own origin, without its inline indicator style)."""
    context = browser.new_context(locale="en-GB")
    watch = Watch(context)
    page = context.new_page()
    _sign_in(page, demo_server, "facilitator@example.org")
    assert page.evaluate("typeof htmx") == "object"
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    page.evaluate(
        """() => {
        const script = document.createElement("script");
        script.textContent = "window.__inlineRan = true";
        document.head.appendChild(script);
        document.body.setAttribute("style", "background: red");
    }"""
    )
    assert page.evaluate("window.__inlineRan") is None
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 0, 0)"
    events = page.evaluate("window.__csp")
    assert any(e.startswith("script-src-elem blocked inline") for e in events), events
    assert any(e.startswith("style-src-attr blocked inline") for e in events), events
    with pytest.raises(AssertionError):
        watch.check(page, "after the injected script")
    context.close()


def test_htmx_from_its_cdn_url_is_allowed_cached_by_the_worker_and_used_offline(
    playwright: Playwright, server: ServerProcess, tmp_path: Path
) -> None:
    """With the default (CDN) htmx URL, the policy names that one file: the page loads it, the
    worker fetches a copy (connect-src), and offline the page runs htmx from that copy. The CDN
    is played by the checked local copy (these machines reach no CDN)."""
    server.stop()
    server.htmx_url = HTMX_CDN_URL
    server.start()
    context = launch(playwright, tmp_path / "phone")
    watch = Watch(context)
    body = VENDOR_HTMX.read_bytes()
    cdn_requests: list[str] = []

    def cdn(route: Route) -> None:
        cdn_requests.append(route.request.url)
        route.fulfill(
            status=200,
            body=body,
            headers={"Content-Type": "text/javascript", "Access-Control-Allow-Origin": "*"},
        )

    context.route(HTMX_CDN_URL, cdn)
    page = context.new_page()
    sign_in(page, server)
    wait_until_offline_ready(page)
    assert page.evaluate("typeof htmx") == "object"
    watch.check(page, "online with htmx from the CDN")
    assert cdn_requests, "the page and the worker fetched htmx from its CDN URL"

    context.unroute(HTMX_CDN_URL)  # the CDN is gone, and so is the server
    server.stop()
    open_todays_choir(page)
    assert page.evaluate("typeof htmx") == "object"  # from the worker's copy
    expect(page.get_by_role("heading", level=1)).to_have_text("Multicultural Choir")
    watch.check(page, "offline with htmx from the worker's cache")
    context.close()

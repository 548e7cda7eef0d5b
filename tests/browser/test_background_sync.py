"""Background Sync alone: writes queued while the server is stopped reach it through the
service worker's `sync` event, with no page of the app open to send them (no page load, no
`online` handler, no timer, no "Sync now")."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, expect

from tests.browser.servers import ServerProcess, centre_today
from tests.browser.test_offline import (
    MARK_AUDITS,
    db_rows,
    hex_id,
    launch,
    session_marks,
    sign_in,
    tap,
    wait_until_offline_ready,
)

pytestmark = pytest.mark.browser
TAG = "razem-outbox"


def sync_tags(page: Page) -> list[str]:
    return list(
        page.evaluate("async () => (await (await navigator.serviceWorker.ready).sync.getTags())")
    )


def outbox_size(page: Page) -> int:
    return int(page.evaluate("async () => (await RazemStore.list()).length"))


def dispatch_sync(context: BrowserContext, origin: str) -> str:
    """Fire the worker's Background Sync event the way Chromium does when it decides the
    device is back online, through the DevTools protocol (ServiceWorker.dispatchSyncEvent).

    The session is attached to an about:blank tab: no page of the app, so nothing but the
    worker can send the outbox."""
    blank = context.new_page()
    cdp = context.new_cdp_session(blank)
    registrations: list[dict[str, Any]] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 15
    while not any(r["scopeURL"].startswith(origin) for r in registrations):
        assert time.monotonic() < deadline, "no worker registration reported"
        blank.wait_for_timeout(100)  # lets Playwright deliver the protocol's events
    registration = next(
        r for r in registrations if r["scopeURL"].startswith(origin) and not r["isDeleted"]
    )
    cdp.send(
        "ServiceWorker.dispatchSyncEvent",
        {"origin": origin, "registrationId": registration["registrationId"], "tag": TAG,
         "lastChance": False},
    )  # fmt: skip
    return blank.url


@dataclass
class Queued:
    context: BrowserContext
    session_id: str
    people: list[str]


def queue_marks_and_close_every_page(
    playwright: Playwright, server: ServerProcess, profile: Path, *, emulate_offline: bool
) -> Queued:
    """Three marks queued while the server is stopped, a Background Sync registered for them,
    then every page closed: from here only the worker can send them."""
    context = launch(playwright, profile)
    page = context.new_page()
    sign_in(page, server)
    wait_until_offline_ready(page)
    # The choir session the demo puts on the day it was seeded.
    found = db_rows(
        server,
        "SELECT s.id FROM sessions s JOIN activities a ON a.id = s.activity_id "
        "WHERE a.title = 'Multicultural Choir' AND s.date = ?",
        centre_today().isoformat(),
    )
    session_id = str(uuid.UUID(str(found[0][0])))
    page.goto(f"{server.url}/sessions/{session_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Multicultural Choir")

    server.stop()
    if emulate_offline:
        context.set_offline(True)  # the phone knows it has no network
    people = [tap(page, i, label) for i, label in enumerate(["Present", "Late", "Absent"])]
    expect(page.locator("#sync-status")).to_have_text("3 changes waiting to sync")
    # A send that failed leaves a Background Sync registration for the outbox.
    deadline = time.monotonic() + 30
    while TAG not in sync_tags(page):
        assert time.monotonic() < deadline, "the worker registered no background sync"
        page.wait_for_timeout(250)
    assert outbox_size(page) == 3
    for open_page in context.pages:  # no page of the app is left to send anything
        open_page.close()
    assert context.pages == []

    server.start()
    time.sleep(3)  # nothing is sent without the sync event: no page, no timer in the worker
    assert db_rows(server, "SELECT count(*) FROM applied_writes") == [(0,)]
    return Queued(context, session_id, people)


def assert_delivered_once(server: ServerProcess, queued: Queued) -> None:
    deadline = time.monotonic() + 30
    while db_rows(server, "SELECT count(*) FROM applied_writes") != [(3,)]:
        assert time.monotonic() < deadline, "the sync event did not deliver the outbox"
        time.sleep(0.25)
    assert not [p.url for p in queued.context.pages if p.url.startswith(server.url)]
    marks = session_marks(server, queued.session_id)
    assert marks == dict(
        zip((hex_id(p) for p in queued.people), ["present", "late", "absent"], strict=True)
    )
    audits = db_rows(server, MARK_AUDITS)
    assert audits == [(3,)]
    # The worker emptied its outbox: a page opened now has nothing left to send.
    page = queued.context.new_page()
    page.goto(f"{server.url}/sessions/{queued.session_id}")
    expect(page.locator("#sync-status")).to_have_text("All changes synced")
    time.sleep(2)
    assert db_rows(server, "SELECT count(*) FROM applied_writes") == [(3,)]
    queued.context.close()


def test_background_sync_fires_when_the_phone_is_back_online_with_no_page_open(
    playwright: Playwright, server: ServerProcess, tmp_path: Path
) -> None:
    """Chromium holds the sync while the device is offline and fires it when the network
    returns: the worker sends the outbox on its own."""
    queued = queue_marks_and_close_every_page(
        playwright, server, tmp_path / "phone", emulate_offline=True
    )
    queued.context.set_offline(False)  # the network is back; no page is open
    assert_delivered_once(server, queued)


def test_background_sync_retry_delivers_after_a_server_outage_with_no_page_open(
    playwright: Playwright, server: ServerProcess, tmp_path: Path
) -> None:
    """The network stayed up but the server was down: the sync event fired and failed, and
    Chromium will retry it minutes later. That retry is fired at once here (DevTools
    protocol), from a blank tab."""
    queued = queue_marks_and_close_every_page(
        playwright, server, tmp_path / "phone", emulate_offline=False
    )
    assert dispatch_sync(queued.context, server.url) == "about:blank"
    assert_delivered_once(server, queued)

"""Offline properties in real Chromium against a real server process that is really stopped,
killed, slowed down or made to fail (docs: ../shared/design/offline.md)."""

from __future__ import annotations

import re
import sqlite3
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.proxy import CuttingProxy
from tests.browser.servers import ServerProcess

pytestmark = pytest.mark.browser
SYNCED = "All changes synced"


def launch(playwright: Playwright, profile: Path) -> BrowserContext:
    """A browser with its profile on disk, as a phone keeps it between uses."""
    return playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, locale="en-GB"
    )


# Marks audited: an entry each (a form post), or an item each in a sync batch's entry for
# their session (decision 20).
MARK_AUDITS = (
    "SELECT (SELECT count(*) FROM audit_entries WHERE action = 'attendance.mark')"
    " + (SELECT coalesce(sum(json_array_length(details, '$.marks')), 0) FROM audit_entries"
    " WHERE action = 'attendance.marks')"
)


def db_rows(server: ServerProcess, sql: str, *args: object) -> list[tuple[object, ...]]:
    path = server.database_url.removeprefix("sqlite+aiosqlite:///")
    with sqlite3.connect(path) as conn:
        return conn.execute(sql, args).fetchall()


def sign_in(page: Page, server: ServerProcess, email: str = "facilitator@example.org") -> None:
    page.goto(f"{server.url}/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("razem-demo")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile(r"/(sessions|activities|courses)$"))


WORKER_STATE = """async () => JSON.stringify((await navigator.serviceWorker.getRegistrations())
  .map(r => ({scope: r.scope, installing: r.installing && r.installing.state,
              waiting: r.waiting && r.waiting.state, active: r.active && r.active.state})))"""


def wait_until_offline_ready(page: Page) -> None:
    """The worker controls the page and the offline pack is cached."""
    # The first install precaches the shell: slow on a loaded machine, so a generous wait.
    # A function, not an expression: Playwright evaluates an expression again at each poll,
    # which the app's Content-Security-Policy refuses (no 'unsafe-eval').
    try:
        page.wait_for_function(
            "() => navigator.serviceWorker && navigator.serviceWorker.controller !== null",
            timeout=90000,
            polling=250,
        )
    except Exception as error:  # say what the worker was doing, for the next person
        state = page.evaluate(WORKER_STATE)
        raise AssertionError(f"no worker controls {page.url}: {state}") from error
    # evaluate() awaits the promise (wait_for_function would take the promise itself as true)
    wait_for(lambda: page.evaluate("window.RazemStore && RazemStore.getMeta('packRefreshedAt')"))


def open_todays_choir(page: Page) -> str:
    page.goto(page.url.split("/sessions")[0] + "/sessions")
    today = page.locator("section", has=page.get_by_role("heading", name=re.compile("^Today")))
    today.get_by_role("link", name=re.compile("Multicultural Choir")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Multicultural Choir")
    return page.url.rsplit("/", 1)[-1]


def wait_for(condition, timeout: float = 15) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.25)


def hex_id(session_id: str) -> str:
    return session_id.replace("-", "")


def session_marks(server: ServerProcess, session_id: str) -> dict[str, str]:
    rows = db_rows(
        server,
        "SELECT person_id, status FROM attendance_marks WHERE session_id = ?",
        hex_id(session_id),
    )
    return {str(person): str(status) for person, status in rows}


def phone_at_todays_choir(
    playwright: Playwright, server: ServerProcess, profile: Path
) -> tuple[BrowserContext, Page, str]:
    """A phone with its profile on disk, signed in as the demo facilitator, ready offline, on
    today's choir roster."""
    context = launch(playwright, profile)
    page = context.new_page()
    sign_in(page, server)
    wait_until_offline_ready(page)
    return context, page, open_todays_choir(page)


def row(page: Page, index: int):  # type: ignore[no-untyped-def]
    return page.locator("#roster-list > li.roster-item").nth(index)


def tap(page: Page, index: int, label: str) -> str:
    target = row(page, index)
    person_id = target.get_attribute("data-person-id") or ""
    target.get_by_role("button", name=label, exact=True).click()
    expect(target.get_by_role("button", name=label, exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    return person_id


def test_offline_roster_and_newcomer_survive_reload_and_restart_and_sync_once(
    playwright: Playwright, server: ServerProcess, tmp_path: Path
) -> None:
    profile = tmp_path / "phone"
    context = launch(playwright, profile)
    page = context.new_page()
    sign_in(page, server)
    wait_until_offline_ready(page)
    session_id = open_todays_choir(page)
    roster_url = page.url

    server.stop()  # the basement: no connection at all
    labels = ["Present", "Absent", "Late", "Excused"]
    expected = {tap(page, i, labels[i % 4]): labels[i % 4].lower() for i in range(10)}
    expect(page.locator("#sync-status")).to_have_text("10 changes waiting to sync")

    page.get_by_role("link", name="Register a newcomer").click()  # the cached form
    page.get_by_label("Given name").fill("Nadia")
    page.get_by_label("Family name").fill("Offline-Test")
    page.get_by_label("Birth year").fill("1991")
    page.get_by_role("button", name="Register and mark present").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Multicultural Choir")
    expect(page.locator("li.roster-item.pending", has_text="Nadia Offline-Test")).to_be_visible()
    expect(page.locator("#sync-status")).to_have_text("11 changes waiting to sync")

    page.reload()  # still offline: the cached page, with the queued writes applied again
    for person_id, value in expected.items():
        pending = page.locator(f"#roster-row-{person_id}.pending")
        expect(pending.get_by_role("button", name=value.title(), exact=True)).to_have_attribute(
            "aria-pressed", "true"
        )
    context.close()  # closing the browser with writes waiting

    context = launch(playwright, profile)
    page = context.new_page()
    page.goto(roster_url)
    expect(page.locator("#sync-status")).to_have_text("11 changes waiting to sync")
    expect(page.locator("li.roster-item.pending")).to_have_count(11)

    started = time.monotonic()
    server.start()
    expect(page.locator("#sync-status")).to_have_text(SYNCED, timeout=45000)
    print(f"synced {time.monotonic() - started:.1f} s after the server came back")
    expect(page.locator("li.roster-item.pending")).to_have_count(0)
    context.close()

    marks = session_marks(server, session_id)
    for person_id, value in expected.items():
        assert marks[hex_id(person_id)] == value
    assert len(marks) == 11
    assert db_rows(server, "SELECT count(*) FROM people WHERE given_name = 'Nadia'") == [(1,)]
    assert db_rows(server, "SELECT count(*) FROM applied_writes") == [(11,)]
    assert db_rows(server, MARK_AUDITS) == [(11,)]
    # The worker sent its batch gzipped (CompressionStream), and the server read it.
    with urllib.request.urlopen(f"{server.url}/metrics", timeout=5) as response:  # noqa: S310
        metrics = response.read().decode()
    assert re.search(r"^razem_gzip_request_bodies_total [1-9]", metrics, re.M), metrics[:2000]


def test_lost_response_killed_server_and_two_tabs_apply_each_write_once(
    playwright: Playwright, server: ServerProcess, tmp_path: Path
) -> None:
    context, page, session_id = phone_at_todays_choir(playwright, server, tmp_path / "phone")
    second_tab = context.new_page()
    second_tab.goto(page.url)

    # The server commits the batch, then the answer never arrives.
    server.inject(drop_batch_responses=1)
    server.stop()
    people = [tap(page, i, "Present") for i in range(3)]
    server.start()
    expect(page.locator("#sync-status")).to_have_text(SYNCED, timeout=45000)

    # A slow server killed in the middle of a batch: nothing of it was committed.
    server.stop()
    people += [tap(page, i, "Late") for i in range(3, 6)]
    server.inject(batch_delay_ms=4000)
    server.start()
    page.evaluate("window.RazemOutbox.flush()")
    second_tab.evaluate("window.RazemOutbox.flush()")  # two tabs asking at once
    time.sleep(1.5)
    server.kill()
    server.inject()
    server.start()
    page.evaluate("window.RazemOutbox.flush()")
    second_tab.evaluate("window.RazemOutbox.flush()")
    expect(page.locator("#sync-status")).to_have_text(SYNCED, timeout=45000)
    context.close()

    marks = session_marks(server, session_id)
    assert len(marks) == 6
    assert db_rows(server, "SELECT count(*) FROM applied_writes") == [(6,)]
    audits = db_rows(server, MARK_AUDITS)
    assert audits == [(6,)]
    assert sorted(hex_id(p) for p in people) == sorted(marks)


def test_two_devices_disagree_offline_and_converge_in_either_order(
    playwright: Playwright, server: ServerProcess, tmp_path: Path
) -> None:
    phones = {}
    for name in ("a", "b"):
        context = launch(playwright, tmp_path / f"phone-{name}")
        page = context.new_page()
        sign_in(page, server)
        wait_until_offline_ready(page)
        open_todays_choir(page)
        phones[name] = (context, page)
    session_id = phones["a"][1].url.rsplit("/", 1)[-1]
    server.stop()
    # Person 0: A says present, B later says absent. Person 1: B says late, A later excused.
    first = tap(phones["a"][1], 0, "Present")
    tap(phones["b"][1], 1, "Late")
    time.sleep(1.1)
    tap(phones["b"][1], 0, "Absent")
    second = tap(phones["a"][1], 1, "Excused")
    phones["b"][0].close()  # B's browser is closed: A reaches the server first…
    server.start()
    expect(phones["a"][1].locator("#sync-status")).to_have_text(SYNCED, timeout=45000)
    context = launch(playwright, tmp_path / "phone-b")  # …then B
    page = context.new_page()
    page.goto(f"{server.url}/sessions/{session_id}")
    wait_for(lambda: db_rows(server, "SELECT count(*) FROM applied_writes") == [(4,)])
    expect(page.locator("#sync-status")).to_have_text(SYNCED, timeout=45000)
    marks = session_marks(server, session_id)
    assert marks[hex_id(first)] == "absent"  # B's later tap wins though it arrived last
    assert marks[hex_id(second)] == "excused"  # A's later tap wins though it arrived first
    history = db_rows(server, "SELECT person_id, status FROM attendance_mark_history")
    assert sorted((str(p), s) for p, s in history) == sorted(
        [(hex_id(first), "present"), (hex_id(second), "late")]
    )
    flagged = db_rows(server, "SELECT count(*) FROM attendance_marks WHERE disagreement = 1")
    assert flagged == [(2,)]
    context.close()
    phones["a"][0].close()

    coordinator = launch(playwright, tmp_path / "office")
    office = coordinator.new_page()
    sign_in(office, server, "coordinator@example.org")
    office.goto(f"{server.url}/sessions/{session_id}")
    warning = office.locator(f"#roster-row-{first}").get_by_text("Devices disagreed")
    expect(warning).to_be_visible()
    coordinator.close()


def test_expired_session_waits_for_sign_in_and_refusals_need_attention(
    playwright: Playwright, server: ServerProcess, tmp_path: Path
) -> None:
    context, page, session_id = phone_at_todays_choir(playwright, server, tmp_path / "phone")
    server.stop()
    kept = tap(page, 0, "Present")
    refused = tap(page, 1, "Late")
    # While the phone was away: its sign-in was ended, and person 1 left the choir.
    now = datetime.now(UTC).isoformat(sep=" ")
    path = server.database_url.removeprefix("sqlite+aiosqlite:///")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE staff_sessions SET revoked_at = ?", (now,))
        conn.execute(
            "UPDATE enrollments SET status = 'withdrawn' WHERE person_id = ?", (hex_id(refused),)
        )
    server.start()
    page.evaluate("window.RazemOutbox.flush()")
    expect(page.locator("#sync-status")).to_contain_text(
        "Sign in again to send them.", timeout=15000
    )
    assert db_rows(
        server, "SELECT count(*) FROM attendance_marks WHERE session_id = ?", hex_id(session_id)
    ) == [(0,)]

    sign_in(page, server)
    expect(page.locator("#sync-status")).to_contain_text("Needs attention: 1.", timeout=15000)
    page.goto(f"{server.url}/sync")
    attention = page.locator("#attention-list")
    expect(attention).to_contain_text("This person is not enrolled here.")
    expect(page.locator("#pending-list")).to_contain_text("Nothing is waiting.")
    assert session_marks(server, session_id) == {hex_id(kept): "present"}
    # The cause is fixed (the person is back in the choir): send it again, as a new act.
    with sqlite3.connect(path) as conn:
        conn.execute(
            "UPDATE enrollments SET status = 'active' WHERE person_id = ?", (hex_id(refused),)
        )
    attention.get_by_role("button", name="Send again").click()
    expect(attention).to_contain_text("Nothing needs attention.")
    wait_for(lambda: session_marks(server, session_id).get(hex_id(refused)) == "late")

    # A newcomer registered offline who turns out to be a likely duplicate: refused, then
    # registered anyway by the person who knows better; and a discard.
    given, family, year = db_rows(
        server,
        "SELECT given_name, family_name, birth_year FROM people "
        "WHERE birth_year IS NOT NULL LIMIT 1",
    )[0]
    page.goto(f"{server.url}/sessions/{session_id}")
    server.stop()
    page.get_by_role("link", name="Register a newcomer").click()
    page.get_by_label("Given name").fill(str(given))
    page.get_by_label("Family name").fill(str(family))
    page.get_by_label("Birth year").fill(str(year))
    page.get_by_role("button", name="Register and mark present").click()
    tap(page, 2, "Excused")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE enrollments SET status = 'withdrawn' WHERE person_id = ?",
                     (hex_id(row(page, 2).get_attribute("data-person-id") or ""),))  # fmt: skip
    people_before = db_rows(server, "SELECT count(*) FROM people")
    server.start()
    page.goto(f"{server.url}/sync")
    expect(attention).to_contain_text(
        "Someone with this name and birth year is registered already.", timeout=30000
    )
    attention.get_by_role("button", name="Register as a new person anyway").click()
    wait_for(lambda: db_rows(server, "SELECT count(*) FROM people") == [(people_before[0][0] + 1,)])
    page.once("dialog", lambda dialog: dialog.accept())
    attention.get_by_role("button", name="Discard").click()
    expect(attention).to_contain_text("Nothing needs attention.")
    context.close()


def test_a_new_worker_version_keeps_the_outbox_and_the_app_is_installable(
    playwright: Playwright, server: ServerProcess, tmp_path: Path
) -> None:
    context = launch(playwright, tmp_path / "phone")
    page = context.new_page()
    sign_in(page, server)
    wait_until_offline_ready(page)
    cdp = context.new_cdp_session(page)
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    session_id = open_todays_choir(page)
    server.stop()
    tap(page, 0, "Present")
    tap(page, 1, "Absent")
    server.inject(refuse_batches=1000)  # the server answers 503: the writes stay queued
    server.build = "next"
    server.start()
    page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
    banner = page.locator("#update-banner")
    expect(banner).to_be_visible(timeout=15000)
    expect(page.locator("#sync-status")).to_have_text("2 changes waiting to sync")
    banner.get_by_role("button", name="Update now").click()
    page.wait_for_function(
        "() => document.readyState === 'complete'"
        " && document.getElementById('update-banner').hidden"
    )
    version = page.evaluate("caches.keys().then(k => k.filter(n => n.startsWith('razem-shell-')))")
    assert version == ["razem-shell-0.1.0-next"]
    expect(page.locator("#sync-status")).to_have_text("2 changes waiting to sync")
    server.inject()
    expect(page.locator("#sync-status")).to_have_text(SYNCED, timeout=45000)
    assert db_rows(
        server, "SELECT count(*) FROM attendance_marks WHERE session_id = ?", hex_id(session_id)
    ) == [(2,)]
    context.close()


def test_offline_page_sign_out_and_another_person_on_the_same_phone(
    playwright: Playwright, server: ServerProcess, tmp_path: Path
) -> None:
    context, page, session_id = phone_at_todays_choir(playwright, server, tmp_path / "shared-phone")
    server.stop()
    tap(page, 0, "Present")
    page.goto(f"{server.url}/people")  # a page that is not saved offline
    expect(page.get_by_role("heading", level=1)).to_have_text("No connection")
    expect(page.locator("#offline-pages")).to_contain_text("Multicultural Choir")

    server.inject(refuse_batches=1000)  # back, but answering 503: the write keeps waiting
    server.start()
    page.goto(f"{server.url}/sessions/{session_id}")
    expect(page.locator("#sync-status")).to_have_text("1 change waiting to sync")
    warnings: list[str] = []
    page.once("dialog", lambda dialog: (warnings.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile("/sign-in"))
    assert "not been sent yet" in warnings[0]
    wait_for(lambda: page.evaluate("caches.open('razem-pages').then(c => c.keys())") == [])

    server.inject()  # batches accepted again, but the facilitator is not signed in
    sign_in(page, server, "teacher@example.org")
    expect(page.locator("#sync-status")).to_have_text(SYNCED)
    time.sleep(6)  # more than one flush period
    assert session_marks(server, session_id) == {}  # never sent under the teacher's sign-in
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile("/sign-in"))
    sign_in(page, server)
    wait_for(lambda: len(session_marks(server, session_id)) == 1)
    context.close()


def test_the_worker_installs_when_the_htmx_cdn_cannot_be_reached(
    playwright: Playwright, server: ServerProcess, tmp_path: Path
) -> None:
    """These machines reach no CDN: the pinned CDN URL fails, the install still succeeds, and
    the pages work offline without htmx (every control is a plain form)."""
    server.stop()
    server.htmx_url = "https://cdn.jsdelivr.net/npm/htmx.org@2.0.11/dist/htmx.min.js"
    server.start()
    context, page, session_id = phone_at_todays_choir(playwright, server, tmp_path / "phone")
    server.stop()
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Multicultural Choir")
    person_id = tap(page, 0, "Present")
    server.start()
    wait_for(lambda: session_marks(server, session_id) == {hex_id(person_id): "present"}, 30)
    context.close()


def test_a_batch_answer_lost_on_the_wire_after_commit_is_not_applied_twice(
    playwright: Playwright, server: ServerProcess, tmp_path: Path
) -> None:
    """A real cut: a proxy between phone and server drops the connection as the answer to a
    committed batch starts; the phone sends the batch again later, and nothing is doubled."""
    proxy = CuttingProxy(server.port)
    proxy.start()
    try:
        front = SimpleNamespace(url=proxy.url)  # the phone talks to the proxy
        context = launch(playwright, tmp_path / "phone")
        page = context.new_page()
        sign_in(page, front)  # type: ignore[arg-type]
        wait_until_offline_ready(page)
        session_id = open_todays_choir(page)
        server.stop()
        people = [tap(page, i, "Present") for i in range(4)]
        proxy.cut_batch_responses = 1
        server.start()
        expect(page.locator("#sync-status")).to_have_text(SYNCED, timeout=45000)
        assert proxy.cut == 1
        context.close()
    finally:
        proxy.stop()
    marks = session_marks(server, session_id)
    assert sorted(marks) == sorted(hex_id(p) for p in people)
    assert db_rows(server, "SELECT count(*) FROM applied_writes") == [(4,)]
    audits = db_rows(server, MARK_AUDITS)
    assert audits == [(4,)]

"""The offline scenario of the offline issue, in real Chromium, through the cluster's HTTPS
proxy with two instances on PostgreSQL behind it: the phone trusts the cluster's local CA (in
its NSS database, as a person would install it), so the service worker registers over HTTPS.
One instance is stopped in the middle, then the proxy itself (the phone is offline for real);
nothing is lost and everything reaches PostgreSQL once."""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Error, Page, Playwright, expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.test_offline import (
    SYNCED,
    WORKER_STATE,
    open_todays_choir,
    row,
    tap,
    wait_for,
    wait_until_offline_ready,
)
from tests.deploy.conftest import Cluster

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def phone_home(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A HOME whose NSS database (where Chromium on Linux looks for certificates a person
    added) trusts the cluster's local CA to identify web sites."""
    if subprocess.run(["which", "certutil"], capture_output=True).returncode != 0:
        pytest.fail("certutil is not installed (libnss3-tools; scripts/test.sh installs it)")
    home = tmp_path_factory.mktemp("phone-home")
    nssdb = home / ".pki" / "nssdb"
    nssdb.mkdir(parents=True)
    subprocess.run(["certutil", "-d", f"sql:{nssdb}", "-N", "--empty-password"], check=True)
    subprocess.run(
        ["certutil", "-d", f"sql:{nssdb}", "-A", "-t", "C,,", "-n", "razem-local-ca", "-i",
         cluster.ca_file],
        check=True,
    )  # fmt: skip
    return home


def launch(playwright: Playwright, profile: Path, home: Path | None) -> BrowserContext:
    env = {**os.environ, "HOME": str(home)} if home else {**os.environ, "HOME": str(profile)}
    return playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, locale="en-GB", env=env
    )


def sign_in(page: Page, cluster: Cluster) -> None:
    page.goto(f"{cluster.url}/sign-in")
    page.get_by_label("Email").fill("facilitator@example.org")
    page.get_by_label("Password").fill("razem-demo")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile(r"/(sessions|activities|courses)$"))


@pytest.fixture
def restore_cluster(cluster: Cluster) -> Iterator[None]:
    yield
    cluster.run("start-proxy")
    cluster.run("start-app", "1")
    cluster.run("start-app", "2")


def test_without_the_local_ca_chromium_refuses_the_cluster(
    playwright: Playwright, cluster: Cluster, tmp_path: Path
) -> None:
    """The trust comes from the CA in the phone's NSS database, nothing else."""
    context = launch(playwright, tmp_path / "stranger", None)
    try:
        with pytest.raises(Error, match="ERR_CERT_AUTHORITY_INVALID"):
            context.new_page().goto(f"{cluster.url}/sign-in")
    finally:
        context.close()


def marks(cluster: Cluster, session_id: str) -> dict[str, str]:
    rows = cluster.rows(
        "SELECT person_id::text, status FROM attendance_marks WHERE session_id = %s::uuid",
        session_id,
    )
    return {str(person): str(status) for person, status in rows}


def mark_audits(cluster: Cluster) -> int:
    # An entry a mark, or an item a mark in a sync batch's entry for its session (decision 20).
    rows = cluster.rows(
        "SELECT (SELECT count(*) FROM audit_entries WHERE action = 'attendance.mark')"
        " + (SELECT coalesce(sum(json_array_length(details -> 'marks')), 0)"
        " FROM audit_entries WHERE action = 'attendance.marks')"
    )
    return int(rows[0][0])  # type: ignore[call-overload]


def test_offline_roster_through_the_proxy_with_an_instance_stopped_syncs_once(
    playwright: Playwright,
    cluster: Cluster,
    phone_home: Path,
    tmp_path: Path,
    restore_cluster: None,
) -> None:
    audits_before = mark_audits(cluster)
    profile = tmp_path / "phone"
    context = launch(playwright, profile, phone_home)
    page = context.new_page()
    sign_in(page, cluster)
    wait_until_offline_ready(page)
    workers = page.evaluate(WORKER_STATE)
    assert f'"scope":"{cluster.url}/"' in workers and '"active":"activated"' in workers, workers
    assert page.evaluate("window.isSecureContext") is True
    session_id = open_todays_choir(page)
    roster_url = page.url
    expected: dict[str, str] = {}

    # One instance goes away in the middle of the session: the phone goes on through the other.
    cluster.run("stop-app", "1")
    for i in range(2):
        expected[tap(page, i, "Present")] = "present"
    wait_for(lambda: marks(cluster, session_id) == expected, timeout=45)
    expect(page.locator("#sync-status")).to_have_text(SYNCED, timeout=45000)

    # The basement: the proxy is gone, no connection at all.
    cluster.run("stop-proxy")
    labels = ["Present", "Absent", "Late", "Excused"]
    for i in range(2, 8):
        expected[tap(page, i, labels[i % 4])] = labels[i % 4].lower()
    expect(page.locator("#sync-status")).to_have_text("6 changes waiting to sync")
    page.get_by_role("link", name="Register a newcomer").click()  # the cached form
    page.get_by_label("Given name").fill("Olena")
    page.get_by_label("Family name").fill("Cluster-Test")
    page.get_by_label("Birth year").fill("1988")
    page.get_by_role("button", name="Register and mark present").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Multicultural Choir")
    expect(page.locator("#sync-status")).to_have_text("7 changes waiting to sync")
    page.reload()  # still offline: the cached page with the queued writes applied again
    expect(page.locator("li.roster-item.pending")).to_have_count(7)
    assert page.url.startswith(roster_url)

    # Back, with only the second instance behind the proxy.
    started = time.monotonic()
    cluster.run("start-proxy")
    expect(page.locator("#sync-status")).to_have_text(SYNCED, timeout=45000)
    print(f"synced {time.monotonic() - started:.1f} s after the proxy came back")
    expect(page.locator("li.roster-item.pending")).to_have_count(0)

    # The other way round: the first instance back, the second one stopped.
    cluster.run("start-app", "1")
    cluster.run("stop-app", "2")
    expected[tap(page, 8, "Late")] = "late"
    wait_for(lambda: marks(cluster, session_id).get(list(expected)[-1]) == "late", timeout=45)
    expect(page.locator("#sync-status")).to_have_text(SYNCED, timeout=45000)
    page.reload()
    expect(row(page, 8).get_by_role("button", name="Late", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    context.close()

    found = marks(cluster, session_id)
    for person_id, value in expected.items():
        assert found[person_id] == value
    assert len(found) == len(expected) + 1  # and the newcomer, present
    newcomer = cluster.rows("SELECT id::text FROM people WHERE family_name = 'Cluster-Test'")
    assert len(newcomer) == 1 and found[str(newcomer[0][0])] == "present"
    assert mark_audits(cluster) == audits_before + len(expected) + 1  # each write once
    # both instances applied some of the phone's writes (the roster's own form or the batch)
    for name in ("app-1", "app-2"):
        # the app's access line (JSON or text) carries "POST <path> 200 <ms>ms"
        posts = re.findall(r"POST (/\S+) 200 [\d.]+ms", cluster.log(name))
        assert any(p == "/api/sync/batch" or p.endswith("/marks") for p in posts), (name, posts)

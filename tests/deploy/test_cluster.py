"""The local cluster over real HTTPS: the proxy balances over both instances, sessions are
shared (they are in the database), one instance stopped loses nothing, and the app behind the
proxy sends Secure cookies, HSTS outside loopback, and takes the client address from
X-Forwarded-For only from the trusted proxy."""

from __future__ import annotations

import re
import threading
import time
import uuid
from datetime import UTC, datetime

import httpx

from tests.browser.servers import ServerProcess, seed_database
from tests.deploy.conftest import Cluster

PASSWORD = "razem-demo"
FACILITATOR = "facilitator@example.org"


def client(cluster: Cluster, base_url: str | None = None) -> httpx.Client:
    return httpx.Client(base_url=base_url or cluster.url, verify=cluster.ssl, timeout=20)


def sign_in(http: httpx.Client, email: str = FACILITATOR, **headers: str) -> None:
    page = http.get("/sign-in")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token is not None, page.text[:500]
    answer = http.post(
        "/sign-in",
        data={"email": email, "password": PASSWORD, "_csrf_token": token.group(1)},
        headers=headers,
    )
    assert answer.status_code in (200, 303), answer.text[:500]
    assert "razem_session" in http.cookies


def test_the_cluster_is_up_healthy_and_its_status_says_so(cluster: Cluster) -> None:
    status = cluster.run("status")
    for name in ("proxy", "scheduler", "app-1", "app-2"):
        assert re.search(rf"^{name}\s+pid \d+", status, re.M), status
    assert status.count("/healthz 200") == 3
    with client(cluster) as http:
        answer = http.get("/healthz")
    assert answer.json() == {"status": "ok", "database": "ok"}
    assert answer.headers["server"].startswith("Caddy") or "Caddy" in answer.headers.get_list(
        "server"
    )
    # plain HTTP to the proxy's port never reaches the app: the proxy speaks TLS only
    plain = httpx.get(cluster.url.replace("https://", "http://") + "/healthz", timeout=5)
    assert plain.status_code == 400
    assert "database" not in plain.text


def test_the_proxy_balances_over_both_instances_and_sessions_are_shared(cluster: Cluster) -> None:
    with client(cluster) as http:
        sign_in(http)
        for _ in range(6):
            assert http.get("/sessions").status_code == 200
        token = http.cookies["razem_session"]
    # both instances answered signed-in pages (round robin): each one's own access log says so
    # (the app's access line, JSON or text, carries "GET /sessions 200 <ms>ms" as its message)
    for name in ("app-1", "app-2"):
        assert re.search(r"GET /sessions 200 [\d.]+ms", cluster.log(name)), name
    # the cookie from a sign-in through the proxy works on each instance directly
    for app_url in cluster.app_urls:
        with httpx.Client(base_url=app_url, cookies={"razem_session": token}) as direct:
            page = direct.get("/sessions")
            assert page.status_code == 200
            assert "Multicultural Choir" in page.text


def test_behind_the_proxy_cookies_are_secure_and_hsts_is_sent_outside_loopback(
    cluster: Cluster,
) -> None:
    with client(cluster) as http:
        page = http.get("/sign-in")
        assert "Strict-Transport-Security" not in page.headers  # localhost: development
        cookies = page.headers.get_list("set-cookie")
        assert cookies and all("Secure" in c for c in cookies)
    # The same proxy reached under a real name (the certificate carries razem.test).
    port = cluster.url.rsplit(":", 1)[1]
    transport = httpx.HTTPTransport(verify=cluster.ssl)
    with httpx.Client(transport=transport, timeout=20) as http:
        answer = http.get(
            f"https://127.0.0.1:{port}/healthz",
            headers={"Host": "razem.test"},
            extensions={"sni_hostname": "razem.test"},
        )
    assert answer.status_code == 200
    assert answer.headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"


def last_sign_in_address(cluster: Cluster) -> str:
    rows = cluster.rows(
        "SELECT ip_address FROM audit_entries WHERE action = 'auth.sign_in' "
        "ORDER BY at DESC LIMIT 1"
    )
    return str(rows[0][0])


def test_a_forged_x_forwarded_for_through_the_proxy_is_not_believed(cluster: Cluster) -> None:
    with client(cluster) as http:
        sign_in(http, "teacher@example.org", **{"X-Forwarded-For": "203.0.113.9"})
    assert last_sign_in_address(cluster) == "127.0.0.1"  # the phone's real address here


def test_x_forwarded_for_is_taken_only_from_the_trusted_proxy(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """RAZEM_TRUSTED_PROXIES names the proxy; a request from anywhere else keeps its own
    address whatever header it sends. (SQLite, one process: the setting is the app's.)"""
    forged = {"X-Forwarded-For": "203.0.113.9"}
    for trusted, expected in (("192.0.2.1", "127.0.0.1"), ("127.0.0.1", "203.0.113.9")):
        server = ServerProcess(
            seed_database(tmp_path / f"{trusted}.db"),
            tmp_path,
            env={"RAZEM_TRUSTED_PROXIES": trusted},
        )
        server.start()
        try:
            with httpx.Client(base_url=server.url, timeout=20) as http:
                sign_in(http, **forged)
        finally:
            server.stop()
        import sqlite3

        path = server.database_url.removeprefix("sqlite+aiosqlite:///")
        with sqlite3.connect(path) as conn:
            (address,) = conn.execute(
                "SELECT ip_address FROM audit_entries WHERE action = 'auth.sign_in'"
            ).fetchone()
        assert address == expected, trusted


def test_one_instance_stopped_the_other_serves_everything_and_it_comes_back(
    cluster: Cluster,
) -> None:
    with client(cluster) as http:
        sign_in(http)
        cluster.run("stop-app", "1")
        try:
            assert re.search(r"^app-1\s+stopped", cluster.run("status", check=False), re.M)
            answers = [http.get("/sessions").status_code for _ in range(10)]
            assert answers == [200] * 10  # none lost to the stopped instance
        finally:
            cluster.run("start-app", "1")
        assert re.search(r"^app-1\s+pid \d+, /healthz 200", cluster.run("status"), re.M)


def test_batches_sent_while_instances_stop_and_start_are_applied_each_once(
    cluster: Cluster,
) -> None:
    """A phone keeps pushing batches (it would send a batch that got no answer again, with the
    same keys) while one instance, then the other, is stopped and started again: every write
    is applied, none twice, and no batch even needs sending again."""
    (user_id,) = cluster.rows("SELECT id FROM staff_users WHERE email = %s", FACILITATOR)[0]
    session_id, activity_id = cluster.rows(
        "SELECT s.id, s.activity_id FROM sessions s "
        "JOIN activity_staff st ON st.activity_id = s.activity_id AND st.user_id = %s "
        "JOIN activities a ON a.id = s.activity_id AND a.title = 'Multicultural Choir' "
        # the choir's latest meeting before today (it meets weekly on today's weekday)
        "WHERE s.date < current_date "
        "ORDER BY s.date DESC, s.id LIMIT 1",
        user_id,
    )[0]
    people = [
        str(person)
        for (person,) in cluster.rows(
            "SELECT person_id FROM enrollments WHERE activity_id = %s ORDER BY person_id LIMIT 4",
            activity_id,
        )
    ]
    assert len(people) == 4
    device = str(uuid.uuid4())
    keys: list[str] = []
    retries = 0
    outcomes: list[str] = []
    failures: list[str] = []
    done = threading.Event()

    def push(http: httpx.Client) -> None:
        nonlocal retries
        round_ = 0
        while not done.is_set() and round_ < 200:
            round_ += 1
            status = ("present", "late", "absent", "excused")[round_ % 4]
            writes = [
                {
                    "key": str(uuid.uuid4()),
                    "kind": "attendance.mark",
                    "payload": {"session_id": str(session_id), "person_id": p, "status": status},
                    "device_time": datetime.now(UTC).isoformat(),
                    "user_id": str(user_id),
                }
                for p in people
            ]
            keys.extend(w["key"] for w in writes)
            for _attempt in range(20):
                body = {"device_id": device, "sent_at": datetime.now(UTC).isoformat()}
                try:
                    answer = http.post(
                        "/api/sync/batch",
                        json={**body, "writes": writes},
                        headers={"X-Razem-Device": device},
                    )
                except httpx.HTTPError as error:
                    failures.append(repr(error))
                    answer = None
                if answer is not None and answer.status_code == 200:
                    results = answer.json()["results"]
                    outcomes.extend(r["outcome"] for r in results)
                    failures.extend(str(r) for r in results if r["outcome"] == "refused")
                    break
                if answer is not None:
                    failures.append(f"{answer.status_code} {answer.text[:200]}")
                retries += 1
                time.sleep(0.2)
            else:
                raise AssertionError(f"a batch was never answered: {failures[-3:]}")
            time.sleep(0.1)

    with client(cluster) as http:
        sign_in(http)
        pusher = threading.Thread(target=push, args=(http,))
        pusher.start()
        try:
            for number in ("1", "2"):
                time.sleep(1.5)
                cluster.run("stop-app", number)
                time.sleep(1.5)
                cluster.run("start-app", number)
                time.sleep(3)  # as an operator waits for it: the proxy's next health check
        finally:
            done.set()
            pusher.join(timeout=120)
    print(f"{len(keys)} writes in {len(keys) // 4} batches, {retries} sent again: {failures[:5]}")
    assert keys and set(outcomes) <= {"applied", "duplicate", "superseded"}, failures[:3]
    applied = cluster.rows(
        "SELECT count(*), count(DISTINCT idempotency_key) FROM applied_writes "
        "WHERE device_id = %s::uuid",
        device,
    )
    assert applied == [(len(keys), len(keys))]  # none lost, none twice
    # and the phone never noticed: the proxy sent what one instance could not take to the
    # other (needs the request body kept for the retry: `buffer_requests` in the Caddyfile)
    assert retries == 0, failures[:5]
    audits = cluster.rows(  # an item a mark in the batches' entries (decision 20)
        "SELECT (SELECT count(*) FROM audit_entries WHERE action = 'attendance.mark'"
        " AND device_id = %s::uuid) + (SELECT coalesce(sum(json_array_length(details ->"
        " 'marks')), 0) FROM audit_entries WHERE action = 'attendance.marks'"
        " AND device_id = %s::uuid)",
        device,
        device,
    )
    assert audits == [(len(keys),)]

"""The local cluster over real HTTPS: the proxy balances over both instances, sessions are
shared (they are in the database), one instance stopped loses nothing, and the app behind the
proxy sends Secure cookies, HSTS outside loopback, and takes the client address from
X-Forwarded-For only from the trusted proxy."""

from __future__ import annotations

import re

import httpx

from tests.browser.servers import ServerProcess, seed_database
from tests.deploy.conftest import Cluster

PASSWORD = "razem-demo"


def client(cluster: Cluster, base_url: str | None = None) -> httpx.Client:
    return httpx.Client(base_url=base_url or cluster.url, verify=cluster.ssl, timeout=20)


def sign_in(http: httpx.Client, email: str = "facilitator@example.org", **headers: str) -> None:
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
    # both instances answered signed-in pages (round robin): each one's own log says so
    for name in ("app-1", "app-2"):
        assert re.search(r'"GET /sessions HTTP/[\d.]+" 200', cluster.log(name)), name
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

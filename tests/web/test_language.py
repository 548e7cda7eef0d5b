"""The language comes from the person's choice, else Accept-Language; the choice sticks."""

from __future__ import annotations

from datetime import date

from babel.messages.pofile import read_po
from litestar import Litestar
from litestar.testing import TestClient

from server.auth.models import Role
from server.i18n import get_translator
from server.i18n.catalogs import LOCALES_DIR
from tests.factories import make_user, run_in_db
from tests.helpers import Client, csrf_token, sign_in


def _catalog(language: str) -> dict[str, str]:
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return {m.id: m.string for m in read_po(po) if m.id and isinstance(m.id, str)}


def test_accept_language_picks_the_interface_language(client: Client) -> None:
    uk = _catalog("uk")
    page = client.get("/sign-in", headers={"Accept-Language": "uk-UA,uk;q=0.9,en;q=0.5"})
    assert '<html lang="uk">' in page.text
    assert uk["Sign in"] in page.text
    page = client.get("/sign-in", headers={"Accept-Language": "de-DE,en;q=0.8,pl;q=0.5"})
    assert '<html lang="en">' in page.text


def test_default_language_when_nothing_matches(app: Litestar) -> None:
    with TestClient(app=app, base_url="http://127.0.0.1") as client:
        page = client.get("/sign-in", headers={"Accept-Language": "de"})
    assert '<html lang="en">' in page.text  # the test settings default to English


def test_chosen_language_sticks_in_a_cookie_and_on_the_account(
    app: Litestar, database_url: str
) -> None:
    run_in_db(database_url, lambda db: make_user(db, Role.COORDINATOR, "c@example.org"))
    pl = _catalog("pl")
    with TestClient(app=app, base_url="http://127.0.0.1") as phone:
        sign_in(phone, "c@example.org")
        response = phone.post(
            "/language",
            data={
                "language": "pl",
                "next": "/activities",
                "_csrf_token": csrf_token(phone, "/activities"),
            },
            follow_redirects=False,
        )
        assert response.headers["location"] == "/activities"
        page = phone.get("/activities", headers={"Accept-Language": "en"})
        assert '<html lang="pl">' in page.text
        assert pl["Activities"] in page.text
    with TestClient(app=app, base_url="http://127.0.0.1") as laptop:
        sign_in(laptop, "c@example.org")  # a new device: the account remembers Polish
        page = laptop.get("/activities", headers={"Accept-Language": "en"})
        assert '<html lang="pl">' in page.text


def test_unknown_language_is_ignored(client: Client) -> None:
    response = client.post(
        "/language",
        data={"language": "xx", "next": "/sign-in", "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "razem_lang" not in response.headers.get("set-cookie", "")


def test_dates_and_numbers_are_formatted_per_locale() -> None:
    assert get_translator("pl").format_date(date(2026, 11, 24)) == "24 lis 2026"
    assert get_translator("uk").format_weekday_date(date(2026, 11, 24)) == "вівторок, 24 листопада"
    assert get_translator("en").format_weekday_date(date(2026, 11, 24)) == "Tuesday, 24 November"
    assert get_translator("en").format_number(12345.5) == "12,345.5"
    assert get_translator("pl").format_number(12345.5) == "12\xa0345,5"

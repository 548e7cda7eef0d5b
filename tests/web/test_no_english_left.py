"""No English is left in the Polish or Ukrainian interface: every page a role sees, and the
error pages, contain none of the English source strings that have a translation."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from babel.messages.pofile import read_po
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import Activity, ActivityKind
from server.auth.models import Role
from server.i18n.catalogs import LOCALES_DIR
from tests.factories import enroll, make_activity, make_person, make_session, make_user, run_in_db
from tests.helpers import Client, csrf_token, sign_in


def _english_sources(language: str) -> list[str]:
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    sources = []
    for message in catalog:
        if not message.id or not isinstance(message.id, str) or message.string == message.id:
            continue
        # Compare the fixed text between placeholders, and only pieces long enough to be
        # unambiguous (one-word labels such as "Role" can be names, too).
        for piece in re.split(r"%\(\w+\)s", message.id):
            piece = piece.strip(" .,:;()")
            if len(piece) >= 12 and " " in piece:
                sources.append(piece)
    return sources


def _visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    attributes = " ".join(
        html.unescape(v) for v in re.findall(r'(?:aria-label|title|alt)="([^"]*)"', page)
    )
    return " ".join((text + " " + attributes).split())


def _seed(db: AsyncSession) -> Activity:
    async def build() -> Activity:
        facilitator = await make_user(db, Role.FACILITATOR, "f@example.org")
        teacher = await make_user(db, Role.TEACHER, "t@example.org")
        await make_user(db, Role.COORDINATOR, "c@example.org")
        await make_user(db, Role.ADMIN, "a@example.org")
        choir = await make_activity(db, staff=[facilitator, teacher])
        await make_activity(
            db, staff=[teacher], kind=ActivityKind.LANGUAGE_COURSE, title="Polish A1",
            course_language="pl",
        )  # fmt: skip
        await enroll(db, choir, await make_person(db))
        await make_session(db, choir, date.today())
        return choir

    return build()  # type: ignore[return-value]


@pytest.mark.parametrize("language", ["pl", "uk"])
def test_no_english_on_any_page(client: Client, database_url: str, language: str) -> None:
    choir = run_in_db(database_url, _seed)  # type: ignore[arg-type]
    english = _english_sources(language)
    client.headers["Accept-Language"] = language
    pages: dict[str, str] = {}
    pages["sign-in"] = client.get("/sign-in").text
    pages["sign-in error"] = client.post(
        "/sign-in", data={"email": "", "password": "", "_csrf_token": csrf_token(client)}
    ).text
    pages["404"] = client.get("/nowhere").text
    for email, paths in {
        "f@example.org": ["/sessions", f"/activities/{choir.id}", "/admin/staff"],
        "t@example.org": ["/sessions", "/courses"],
        "c@example.org": ["/activities", f"/activities/{choir.id}"],
        "a@example.org": ["/admin/staff", "/activities"],
    }.items():
        client.cookies.clear()
        sign_in(client, email)
        for path in paths:
            pages[f"{email} {path}"] = client.get(path).text
        if email == "a@example.org":
            pages["staff form error"] = client.post(
                "/admin/staff/", data={"_csrf_token": csrf_token(client, "/admin/staff")}
            ).text
    for name, page in pages.items():
        assert f'<html lang="{language}">' in page, name
        text = _visible_text(page)
        left = [source for source in english if source in text]
        assert not left, f"English left on {name} in {language}: {left}"

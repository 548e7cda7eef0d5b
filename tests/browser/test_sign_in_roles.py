"""Every demo role signs in, in every language, and lands on its home page; axe finds no
violation on the sign-in page or on any home page."""

from __future__ import annotations

from functools import cache

import pytest
from axe_playwright_python.sync_playwright import Axe
from babel.messages.pofile import read_po
from playwright.sync_api import Browser, Page, expect

from server.i18n.catalogs import LOCALES_DIR

pytestmark = pytest.mark.browser

PASSWORD = "razem-demo"
ROLES = {
    "facilitator@example.org": ("/sessions", "My sessions"),
    "teacher@example.org": ("/courses", "My courses"),
    "coordinator@example.org": ("/activities", "Activities"),
    "admin@example.org": ("/admin/staff", "Staff accounts"),
}
LOCALES = {"pl": "pl-PL", "uk": "uk-UA", "en": "en-GB"}
_axe = Axe()


@cache
def translate(language: str, msgid: str) -> str:
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    message = catalog.get(msgid)
    assert message is not None and message.string, f"{msgid!r} missing in {language}"
    return str(message.string)


def assert_accessible(page: Page) -> None:
    results = _axe.run(page)
    assert results.violations_count == 0, results.generate_report()


def _sign_in(page: Page, base_url: str, language: str, email: str) -> None:
    page.goto(f"{base_url}/sign-in")
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.get_by_label(translate(language, "Email")).fill(email)
    page.get_by_label(translate(language, "Password")).fill(PASSWORD)
    page.get_by_role("button", name=translate(language, "Sign in"), exact=True).click()


@pytest.mark.parametrize("language", list(LOCALES))
def test_sign_in_page_is_translated_and_accessible(
    browser: Browser, demo_server: str, language: str
) -> None:
    context = browser.new_context(locale=LOCALES[language])
    page = context.new_page()
    page.goto(f"{demo_server}/sign-in")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", level=1)).to_have_text(translate(language, "Sign in"))
    expect(page.get_by_role("status")).to_have_text(translate(language, "All changes synced"))
    assert_accessible(page)
    context.close()


@pytest.mark.parametrize("language", list(LOCALES))
@pytest.mark.parametrize("email", list(ROLES))
def test_each_role_signs_in_and_lands_on_its_home(
    browser: Browser, demo_server: str, language: str, email: str
) -> None:
    path, title = ROLES[email]
    context = browser.new_context(locale=LOCALES[language])
    page = context.new_page()
    _sign_in(page, demo_server, language, email)
    page.wait_for_url(f"{demo_server}{path}")
    expect(page.get_by_role("heading", level=1)).to_have_text(translate(language, title))
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert_accessible(page)
    context.close()


def test_wrong_password_shows_an_announced_translated_error(
    browser: Browser, demo_server: str
) -> None:
    context = browser.new_context(locale="uk-UA")
    page = context.new_page()
    page.goto(f"{demo_server}/sign-in")
    page.get_by_label(translate("uk", "Email")).fill("teacher@example.org")
    page.get_by_label(translate("uk", "Password")).fill("not-the-password")
    page.get_by_role("button", name=translate("uk", "Sign in"), exact=True).click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(translate("uk", "Wrong email or password."))
    expect(page.get_by_label(translate("uk", "Email"))).to_have_value("teacher@example.org")
    assert_accessible(page)
    context.close()


def test_facilitator_sees_todays_session_of_the_demo(browser: Browser, demo_server: str) -> None:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    _sign_in(page, demo_server, "en", "facilitator@example.org")
    page.wait_for_url(f"{demo_server}/sessions")
    today = page.locator("section", has=page.get_by_role("heading", name="Today"))
    expect(today.locator("li.session-card").first).to_be_visible()
    expect(today).to_contain_text("Multicultural Choir")
    context.close()


def test_language_switch_sticks_after_sign_in(browser: Browser, demo_server: str) -> None:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(f"{demo_server}/sign-in")
    page.get_by_role("button", name="Українська").click()
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    page.get_by_label(translate("uk", "Email")).fill("coordinator@example.org")
    page.get_by_label(translate("uk", "Password")).fill(PASSWORD)
    page.get_by_role("button", name=translate("uk", "Sign in"), exact=True).click()
    page.wait_for_url(f"{demo_server}/activities")
    expect(page.get_by_role("heading", level=1)).to_have_text(translate("uk", "Activities"))
    context.close()


def test_pages_fit_a_360px_phone(browser: Browser, demo_server: str) -> None:
    context = browser.new_context(locale="pl-PL", viewport={"width": 360, "height": 740})
    page = context.new_page()
    _sign_in(page, demo_server, "pl", "facilitator@example.org")
    page.wait_for_url(f"{demo_server}/sessions")
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert overflow is False
    context.close()

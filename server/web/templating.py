"""The Jinja environment: gettext in the request's language, locale-aware filters."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from importlib.resources import files
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from litestar.plugins.jinja import JinjaTemplateEngine

from server import __version__
from server.common.errors import Message
from server.i18n.catalogs import (
    LANGUAGE_NAMES,
    N_,
    SUPPORTED_LANGUAGES,
    Translator,
    get_translator,
)
from server.i18n.countries import country_choices
from server.i18n.labels import label_msgid
from server.people.consent import CONSENT_TEXT, PURPOSE_TEXT
from server.people.names import display_name, search_terms
from server.settings import HTMX_SRI, Settings

TEMPLATES_DIR = Path(str(files("web") / "templates"))
STATIC_DIR = Path(str(files("web") / "static"))


def translator_of(ctx: Context) -> Translator:
    request = ctx.get("request")
    if request is not None:
        found = request.scope.get("state", {}).get("translator")
        if isinstance(found, Translator):
            return found
    return get_translator("en")


@pass_context
def _gettext(ctx: Context, message: str, **variables: Any) -> str:
    return translator_of(ctx).gettext(message, **variables)


@pass_context
def _ngettext(ctx: Context, singular: str, plural: str, n: int, **variables: Any) -> str:
    # Jinja's newstyle gettext fills the placeholders (with `num` = n unless given).
    return translator_of(ctx).ngettext_template(singular, plural, n)


@pass_context
def _message(ctx: Context, message: Message | None) -> str:
    """Translate a service's error message."""
    if message is None:
        return ""
    return translator_of(ctx).gettext(message.msgid, **message.params)


@pass_context
def _format_date(ctx: Context, value: date | None, form: str = "medium") -> str:
    return "" if value is None else translator_of(ctx).format_date(value, form)


@pass_context
def _format_weekday_date(ctx: Context, value: date) -> str:
    return translator_of(ctx).format_weekday_date(value)


@pass_context
def _format_time(ctx: Context, value: time | None) -> str:
    return "" if value is None else translator_of(ctx).format_time(value)


def _datetime_filters(zone: str) -> dict[str, Any]:
    """The `datetime` and `iso_datetime` filters, in the centre's time zone (RAZEM_TIMEZONE)."""

    @pass_context
    def format_datetime(ctx: Context, value: datetime | None) -> str:
        return "" if value is None else translator_of(ctx).format_datetime(value, zone)

    @pass_context
    def format_iso_datetime(ctx: Context, value: str) -> str:
        return translator_of(ctx).format_datetime(datetime.fromisoformat(value), zone)

    return {"datetime": format_datetime, "iso_datetime": format_iso_datetime}


@pass_context
def _format_number(ctx: Context, value: float) -> str:
    return translator_of(ctx).format_number(value)


@pass_context
def _label(ctx: Context, group: str, value: object) -> str:
    return translator_of(ctx).gettext(label_msgid(group, value))


@pass_context
def _display_name(ctx: Context, person: Any) -> str:
    if getattr(person, "erased_at", None) is not None:
        return translator_of(ctx).gettext(N_("Erased person"))
    return display_name(person.given_name, person.family_name)


@pass_context
def _weekday(ctx: Context, weekday: int) -> str:
    names = translator_of(ctx).locale.days["format"]["wide"]
    return str(names[weekday])


@pass_context
def _countries(ctx: Context) -> tuple[tuple[str, str], ...]:
    return country_choices(translator_of(ctx).language)


def _matching(person: Any, query: str) -> bool:
    """Jinja test: the person's name matches every word of a query, in any script."""
    key = person.search_name
    return all(term in key for term in search_terms(query))


@pass_context
def _current_language(ctx: Context) -> str:
    return translator_of(ctx).language


def build_environment(settings: Settings) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        # Templates are the installed package's files: no stat() of each file every time a
        # template is used (the roster includes its row template once per person). A server
        # serves the templates it started with; restart it to see edited ones.
        auto_reload=False,
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext, ngettext=_ngettext, newstyle=True
    )
    env.filters.update(
        date=_format_date,
        weekday_date=_format_weekday_date,
        time=_format_time,
        number=_format_number,
        iso_date=date.fromisoformat,
        display_name=_display_name,
        **_datetime_filters(settings.timezone),
    )
    env.tests["matching"] = _matching
    env.globals.update(
        message=_message,
        countries=_countries,
        consent_text=CONSENT_TEXT,
        purpose_text=PURPOSE_TEXT,
        label=_label,
        weekday_name=_weekday,
        current_language=_current_language,
        languages=[(code, LANGUAGE_NAMES[code]) for code in SUPPORTED_LANGUAGES],
        htmx_url=settings.htmx_url,
        htmx_sri=HTMX_SRI,
        app_version=__version__,
        new_key=lambda: str(uuid.uuid4()),
    )
    return env


def build_template_engine(settings: Settings) -> JinjaTemplateEngine:
    return JinjaTemplateEngine.from_environment(build_environment(settings))

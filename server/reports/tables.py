"""The tables an export holds, with translated headings and labels (like a template would)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from server.i18n.catalogs import Translator
from server.i18n.countries import country_name
from server.i18n.labels import label_msgid
from server.reports.groups import NOT_STATED
from server.reports.service import Cell, Report

SMALL = 5  # counts of people below this (but above 0) are exported as "<5"


@dataclass(frozen=True)
class Table:
    key: str  # for element ids: report-{key}
    sheet: str  # a short name for the XLSX sheet
    title: str
    header: list[str]
    rows: list[Sequence[Any]] = field(default_factory=list)
    # On the page: which column a small bar chart draws, and the value of a full bar.
    bar: int | None = None
    bar_full: float = 100
    percent_column: int | None = None  # shown with "%" on the page


def identity(count: int) -> int | str:
    return count


def mask_small(count: int) -> int | str:
    """So no one can be singled out in a shared report: 1–4 people become "<5"."""
    return f"<{SMALL}" if 0 < count < SMALL else count


def percent(rate: float | None) -> int | str:
    return "" if rate is None else round(rate * 100)


def report_tables(report: Report, translator: Translator, *, mask: bool = True) -> list[Table]:
    """The summary, activities and each disaggregation; `mask` hides counts of 1–4 people
    (exports), the page shows them."""
    _ = translator.gettext
    masked = mask_small if mask else identity
    full = max(report.total.people, 1)

    def _group_rows(groups: dict[str, Cell], name: Any) -> list[Sequence[Any]]:
        return [
            (name(key), masked(cell.people), masked(cell.new), masked(cell.returning))
            for key, cell in groups.items()
        ]

    wanted = report.filter
    not_stated = _("Not stated")

    people = [_("People reached"), _("New"), _("Returning")]
    summary = Table(
        "summary",
        _("Summary"),
        _("Summary"),
        [_("Figure"), _("Value")],
        [
            (_("From"), wanted.start),
            (_("To"), wanted.end),
            (_("Sessions held"), report.sessions_held),
            (_("Participations"), masked(report.participations)),
            (_("Unique people reached"), masked(report.total.people)),
            (_("New people"), masked(report.total.new)),
            (_("Returning people"), masked(report.total.returning)),
            (_("Attendance rate (%)"), percent(report.rate)),
        ],
    )
    activities = Table(
        "activities",
        _("Activities"),
        _("Activities"),
        [_("Activity"), _("Kind"), _("Sessions held"), _("Participations"), _("People reached"),
         _("Attendance rate (%)")],
        [
            (line.title, _(label_msgid("kind", line.kind)), line.sessions_held,
             masked(line.participations), masked(line.people), percent(line.rate))
            for line in report.activities
        ],
        bar=5,
        percent_column=5,
    )  # fmt: skip
    # "0–5" with an en dash, as printed; the keys use a hyphen.
    ages = _group_rows(report.by_age, lambda key: not_stated if key == NOT_STATED else key)
    ages = [(str(row[0]).replace("-", "–"), *row[1:]) for row in ages]
    youth = report.youth
    ages.append(
        (_("16–19 (youth programme)"), masked(youth.people), masked(youth.new),
         masked(youth.returning))
    )  # fmt: skip
    language = translator.language

    def country(key: str) -> str:
        return not_stated if key == NOT_STATED else country_name(key, language)

    def population(key: str) -> str:
        return not_stated if key == NOT_STATED else _(label_msgid("population_group", key))

    def groups(key: str, column: str, title: str, rows: list[Sequence[Any]]) -> Table:
        return Table(key, column, title, [column, *people], rows, bar=1, bar_full=full)

    return [
        summary,
        activities,
        groups("sex", _("Sex"), _("People reached by sex"),
               _group_rows(report.by_sex, lambda key: _(label_msgid("sex", key)))),
        groups("age", _("Age group"), _("People reached by age group"), ages),
        groups("nationality", _("Nationality"), _("People reached by nationality"),
               _group_rows(report.by_nationality, country)),
        groups("population", _("Population group"), _("People reached by population group"),
               _group_rows(report.by_population, population)),
        groups("disability", _("Disability"),
               _("People reached by disability (Washington Group short set)"),
               _group_rows(report.by_disability,
                           lambda key: _(label_msgid("disability", key)))),
    ]  # fmt: skip

"""The certificate's words in two languages at once: always Polish, and English or Ukrainian
beside it, whatever language the teacher's interface is in."""

from __future__ import annotations

from dataclasses import dataclass

from server.i18n.catalogs import N_, get_translator
from server.i18n.labels import label_msgid
from server.people.names import display_name
from server.progress.assessments import SKILLS
from server.progress.service import Certificate

SECOND_LANGUAGES = ("en", "uk")

TITLE = N_("Certificate of attendance")
CERTIFIES = N_("This is to certify that")
TOOK_PART = N_("took part in the course “%(course)s”")
AT_PLACE = N_("at %(place)s")
PERIOD = N_("from %(first)s to %(last)s")
HOURS = N_("Hours attended")
HOURS_VALUE = N_("%(hours)s hours")
SESSIONS = N_("Sessions attended")
SESSIONS_VALUE = N_("%(attended)s of %(counted)s (%(percent)s%%)")
LEVELS = N_("Level reached")
NOT_ASSESSED = N_("not assessed")
ISSUED = N_("Issued on %(date)s")
SIGNATURE = N_("Teacher’s signature")


@dataclass(frozen=True)
class CertificateSide:
    language: str
    title: str
    certifies: str
    took_part: str
    at_place: str
    period: str
    hours_label: str
    hours: str
    sessions_label: str
    sessions: str
    levels_label: str
    levels: list[tuple[str, str]]
    issued: str
    signature: str


def second_language(requested: str, interface: str) -> str:
    """English or Ukrainian beside the Polish: as asked, else Ukrainian for a Ukrainian
    interface and English otherwise."""
    if requested in SECOND_LANGUAGES:
        return requested
    return "uk" if interface == "uk" else "en"


def certificate_side(cert: Certificate, language: str, issued_on: object) -> CertificateSide:
    t = get_translator(language)
    stats = cert.stats
    place = cert.location.name if cert.location else ""
    first, last = stats.first, stats.last
    return CertificateSide(
        language=language,
        title=t.gettext(TITLE),
        certifies=t.gettext(CERTIFIES),
        took_part=t.gettext(TOOK_PART, course=cert.course.title),
        at_place=t.gettext(AT_PLACE, place=place) if place else "",
        period=(
            t.gettext(PERIOD, first=t.format_date(first, "long"), last=t.format_date(last, "long"))
            if first and last
            else ""
        ),
        hours_label=t.gettext(HOURS),
        hours=t.gettext(HOURS_VALUE, hours=t.format_number(round(stats.hours, 1))),
        sessions_label=t.gettext(SESSIONS),
        sessions=t.gettext(
            SESSIONS_VALUE,
            attended=t.format_number(stats.attended),
            counted=t.format_number(stats.counted),
            percent=t.format_number(stats.percent or 0),
        ),
        levels_label=t.gettext(LEVELS),
        levels=[
            (
                t.gettext(label_msgid("skill", skill)),
                cert.latest[skill].level.value if skill in cert.latest else t.gettext(NOT_ASSESSED),
            )
            for skill in SKILLS
        ],
        issued=t.gettext(ISSUED, date=t.format_date(issued_on, "long")),  # type: ignore[arg-type]
        signature=t.gettext(SIGNATURE),
    )


def learner_name(cert: Certificate) -> str:
    return display_name(cert.person.given_name, cert.person.family_name)

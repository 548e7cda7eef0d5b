"""Attendance next to levels: the rate from the session records, learners below the course's
threshold highlighted, the threshold set by coordinators, and a certificate stating the hours
attended, only for learners who meet it."""

from __future__ import annotations

import re

from server.audit.models import AuditEntry
from server.progress.attendance import attendance_stats
from tests.factories import count_rows, run_in_db
from tests.helpers import Client, csrf_token, sign_in
from tests.progress.course_setup import COORDINATOR, TEACHER, make_course


def test_rates_count_marked_sessions_attended_present_or_late_and_leave_out_excused_and_cancelled(
    database_url: str,
) -> None:
    course = make_course(database_url)
    stats = run_in_db(database_url, lambda db: attendance_stats(db, course.id))
    first, second, third = course.learners
    assert (stats[first].attended, stats[first].missed, stats[first].percent) == (3, 1, 75)
    assert stats[first].hours == 4.5  # three sessions of 90 minutes
    assert (stats[second].attended, stats[second].missed, stats[second].excused) == (1, 2, 1)
    assert stats[second].percent == 33
    assert third not in stats  # nothing marked: no rate yet, not "0 %"
    assert stats[first].meets(70) and not stats[first].meets(80)


def test_the_class_view_highlights_learners_below_the_threshold(
    client: Client, database_url: str
) -> None:
    course = make_course(database_url)
    first, second, third = course.learners
    sign_in(client, TEACHER)
    page = client.get(f"/courses/{course.id}/progress").text
    assert re.search(rf'<tr id="learner-{second}" class="below">', page)
    assert re.search(rf'<tr id="learner-{first}">', page)
    assert re.search(rf'<tr id="learner-{third}">', page)
    assert "1 learner below the attendance threshold" in page
    assert "75%" in page and "33%" in page and "below 70%" in page


def test_a_coordinator_sets_the_threshold_with_validation_and_it_is_audited(
    client: Client, database_url: str
) -> None:
    course = make_course(database_url)
    first = course.learners[0]
    sign_in(client, COORDINATOR)
    path = f"/activities/{course.id}/threshold"
    for bad, message in (
        ("0", "Enter a percentage from 1 to 100."),
        ("abc", "Enter a whole number."),
    ):
        token = csrf_token(client, f"/activities/{course.id}")
        response = client.post(path, data={"threshold": bad, "_csrf_token": token})
        assert response.status_code == 400 and message in response.text
    audits = count_rows(database_url, AuditEntry)
    token = csrf_token(client, f"/activities/{course.id}")
    response = client.post(
        path, data={"threshold": "80", "_csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    assert count_rows(database_url, AuditEntry) == audits + 1
    page = client.get(f"/courses/{course.id}/progress").text
    assert re.search(rf'<tr id="learner-{first}" class="below">', page)  # 75 % < 80 %
    assert "2 learners below the attendance threshold" in page


def test_a_teacher_may_not_set_the_threshold(client: Client, database_url: str) -> None:
    course = make_course(database_url)
    sign_in(client, TEACHER)
    token = csrf_token(client, f"/activities/{course.id}")
    assert 'name="threshold"' not in client.get(f"/activities/{course.id}").text
    response = client.post(
        f"/activities/{course.id}/threshold", data={"threshold": "10", "_csrf_token": token}
    )
    assert response.status_code == 403


def test_the_certificate_states_the_hours_in_polish_and_the_second_language(
    client: Client, database_url: str
) -> None:
    course = make_course(database_url)
    first = course.learners[0]
    sign_in(client, TEACHER)
    learner = client.get(f"/courses/{course.id}/learners/{first}").text
    assert "Certificate in Polish and English" in learner
    page = client.get(f"/courses/{course.id}/learners/{first}/certificate?lang=en")
    assert page.status_code == 200
    assert "Zaświadczenie o uczestnictwie" in page.text and "Certificate of attendance" in page.text
    assert "4,5 godz." in page.text and "4.5 hours" in page.text
    assert "3 z 4 (75%)" in page.text and "3 of 4 (75%)" in page.text
    assert "Оксана Шевченко" in page.text
    ukrainian = client.get(f"/courses/{course.id}/learners/{first}/certificate?lang=uk").text
    assert "Сертифікат про участь" in ukrainian and "4,5 год" in ukrainian
    assert "Certificate of attendance" not in ukrainian.split("<article")[1]


def test_no_certificate_below_the_threshold(client: Client, database_url: str) -> None:
    course = make_course(database_url)
    second, third = course.learners[1], course.learners[2]
    sign_in(client, TEACHER)
    for person in (second, third):
        assert (
            "Certificate in Polish"
            not in client.get(f"/courses/{course.id}/learners/{person}").text
        )
        response = client.get(f"/courses/{course.id}/learners/{person}/certificate")
        assert response.status_code == 409
        assert "A certificate is available from 70% attendance." in response.text

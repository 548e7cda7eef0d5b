"""The teacher's course pages are part of the offline pack, with versions that change when
what a page shows changes; a coordinator's pack does not carry every course."""

from __future__ import annotations

from datetime import date

from tests.helpers import Client, csrf_token, sign_in
from tests.progress.course_setup import COORDINATOR, TEACHER, make_course

DEVICE = {"X-Razem-Device": "3f7d2a10-1111-4c1c-9a55-0d0a0b0c0d0e"}


def _pack(client: Client) -> dict[str, str]:
    response = client.get("/api/sync/pack")
    assert response.status_code == 200
    return {page["url"]: page["version"] for page in response.json()["pages"]}


def test_a_teachers_pack_holds_the_course_the_class_each_learner_and_each_lesson(
    client: Client, database_url: str
) -> None:
    course = make_course(database_url)
    sign_in(client, TEACHER)
    pack = _pack(client)
    base = f"/courses/{course.id}"
    for url in (f"/activities/{course.id}", f"{base}/progress", f"{base}/assess", "/courses"):
        assert url in pack, url
    for person in course.learners:
        assert f"{base}/learners/{person}" in pack
    assert f"/sessions/{course.today_session}/lesson" in pack
    assert not any(str(course.other_course) in url for url in pack)
    for url in list(pack)[:12]:
        assert client.get(url).status_code == 200, url

    # A new assessment changes that learner's page and the class pages, not the others'.
    learner, other = course.learners[0], course.learners[1]
    token = csrf_token(client, f"{base}/assess")
    client.post(
        f"{base}/assess",
        data={
            "assessed_on": date.today().isoformat(),
            f"level.{learner}.reading": "A2",
            "_csrf_token": token,
        },
    )
    after = _pack(client)
    assert after[f"{base}/learners/{learner}"] != pack[f"{base}/learners/{learner}"]
    assert after[f"{base}/progress"] != pack[f"{base}/progress"]
    assert after[f"{base}/learners/{other}"] == pack[f"{base}/learners/{other}"]


def test_a_coordinators_pack_does_not_carry_course_progress(
    client: Client, database_url: str
) -> None:
    course = make_course(database_url)
    sign_in(client, COORDINATOR)
    pack = _pack(client)
    assert not any(url.startswith("/courses/") for url in pack)
    assert f"/sessions/{course.today_session}" in pack

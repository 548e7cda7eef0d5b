"""A centre with a facilitator's choir, a coordinator, and phones that send batches."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import SessionStatus
from server.auth.models import Role
from tests.factories import enroll, make_activity, make_person, make_session, make_user, run_in_db
from tests.helpers import Client

FACILITATOR = "facilitator@example.org"
COORDINATOR = "coordinator@example.org"
ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


@dataclass
class Centre:
    facilitator_id: uuid.UUID
    activity_id: uuid.UUID
    people: list[uuid.UUID]
    ended_unmarked: uuid.UUID  # yesterday, nobody marked
    ended_marked: uuid.UUID  # two days ago, everyone marked (by the test)
    cancelled: uuid.UUID  # three days ago, cancelled: never "not marked"
    upcoming: uuid.UUID  # tomorrow


def make_centre(database_url: str, people: int = 3) -> Centre:
    async def build(db: AsyncSession) -> Centre:
        facilitator = await make_user(
            db, Role.FACILITATOR, FACILITATOR, display_name="Olena Facilitator"
        )
        await make_user(db, Role.COORDINATOR, COORDINATOR, display_name="Kasia Coordinator")
        activity = await make_activity(db, staff=[facilitator], title="Multicultural Choir")
        persons = [await make_person(db, f"Person{i}", "Test") for i in range(people)]
        for person in persons:
            await enroll(db, activity, person)
        today = date.today()
        sessions = [
            await make_session(db, activity, today + timedelta(days=offset), start)
            for offset, start in ((-1, time(17)), (-2, time(17)), (-3, time(17)), (1, time(17)))
        ]
        sessions[2].status = SessionStatus.CANCELLED
        db.add(sessions[2])
        return Centre(
            facilitator.id, activity.id, [p.id for p in persons], *[s.id for s in sessions]
        )

    return run_in_db(database_url, build)


def mark_write(
    centre: Centre, session_id: uuid.UUID, person: int, status: str, at: datetime | None = None
) -> dict[str, Any]:
    return {
        "key": str(uuid.uuid4()),
        "kind": "attendance.mark",
        "payload": {
            "session_id": str(session_id),
            "person_id": str(centre.people[person]),
            "status": status,
        },
        "device_time": (at or datetime.now(UTC)).isoformat(),
        "user_id": str(centre.facilitator_id),
    }


def send_batch(
    client: Client,
    device: uuid.UUID,
    writes: list[dict[str, Any]],
    *,
    user_agent: str = ANDROID_CHROME,
    **extra: Any,
) -> Any:
    body = {"device_id": str(device), "sent_at": datetime.now(UTC).isoformat(), "writes": writes,
            **extra}  # fmt: skip
    response = client.post(
        "/api/sync/batch",
        json=body,
        headers={"X-Razem-Device": str(device), "User-Agent": user_agent},
    )
    assert response.status_code == 200, response.text
    return response.json()

"""The offline pack: every page a person needs for their sessions from 7 days back to 14 days
ahead, each with a version that changes when what the page shows changes, so the service
worker refreshes only what changed."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import __version__
from server.activities.models import Activity, ActivityKind, ActivitySession, Enrollment
from server.activities.scope import visible_activity_ids
from server.attendance.models import AttendanceMark
from server.auth.actor import Actor
from server.common.models import utcnow

DAYS_BACK = 7
DAYS_AHEAD = 14


@dataclass(frozen=True)
class OfflinePack:
    generated_at: datetime
    pages: list[tuple[str, str]]  # (url, version)


def _version(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, (__version__, *parts))).encode()).hexdigest()[:16]


async def offline_pack(db: AsyncSession, actor: Actor, *, timezone: str) -> OfflinePack:
    today = datetime.now(ZoneInfo(timezone)).date()
    sessions = (
        await db.exec(
            select(ActivitySession, Activity)
            .join(Activity, col(Activity.id) == ActivitySession.activity_id)
            .where(col(ActivitySession.date) >= today - timedelta(days=DAYS_BACK))
            .where(col(ActivitySession.date) <= today + timedelta(days=DAYS_AHEAD))
            .where(col(Activity.id).in_(visible_activity_ids(actor)))
            .order_by(col(ActivitySession.date), col(ActivitySession.start_time))
        )
    ).all()
    session_ids = [s.id for s, _ in sessions]
    marks = await _mark_stamps(db, session_ids)
    enrolments = await _enrolment_stamps(db, {a.id for _, a in sessions})
    pages: list[tuple[str, str]] = []
    for session, activity in sessions:
        stamp = (session.status.value, session.note, session.updated_at, activity.title,
                 marks.get(session.id), enrolments.get(activity.id))  # fmt: skip
        base = f"/sessions/{session.id}"
        pages.append((base, _version(*stamp)))
        pages.append((f"{base}/newcomer", _version(activity.title, session.date)))
        if activity.kind in (ActivityKind.EVENT, ActivityKind.DISTRIBUTION):
            pages.append((f"{base}/check-in", _version(*stamp)))
    home = _version(today, *(version for url, version in pages if url.count("/") == 2))
    pages.insert(0, ("/sessions", home))
    return OfflinePack(generated_at=utcnow(), pages=pages)


async def _mark_stamps(db: AsyncSession, session_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not session_ids:
        return {}
    rows = await db.exec(
        select(AttendanceMark.session_id, func.count(), func.max(AttendanceMark.recorded_at))
        .where(col(AttendanceMark.session_id).in_(session_ids))
        .group_by(col(AttendanceMark.session_id))
    )
    return {session_id: f"{n}:{latest}" for session_id, n, latest in rows.all()}


async def _enrolment_stamps(db: AsyncSession, activity_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not activity_ids:
        return {}
    rows = await db.exec(
        select(Enrollment.activity_id, func.count(), func.max(Enrollment.enrolled_at))
        .where(col(Enrollment.activity_id).in_(activity_ids))
        .group_by(col(Enrollment.activity_id))
    )
    return {activity_id: f"{n}:{latest}" for activity_id, n, latest in rows.all()}

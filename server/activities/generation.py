"""Sessions generated from weekly schedules, and kept generated ahead.

`reconcile_sessions` makes an activity's sessions from a date on match its schedule: missing
meetings are added; planned meetings the schedule no longer has are removed unless someone has
marked attendance in them (records are never deleted). `generate_ahead` is the scheduled job:
every active activity gets its meetings up to `ahead_days` from today."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import Activity, ActivitySession, SessionStatus, WeeklySlot
from server.activities.schedule import Slot, session_dates
from server.attendance.models import AttendanceMark
from server.common.models import new_id, utcnow


@dataclass(frozen=True)
class Reconciled:
    added: int = 0
    removed: int = 0
    kept: int = 0


def _skipped(activity: Activity) -> list[date]:
    return [date.fromisoformat(d) for d in activity.skipped_dates]


async def reconcile_sessions(
    db: AsyncSession,
    activity: Activity,
    slots: Sequence[Slot],
    *,
    today: date,
    ahead_days: int,
    from_date: date,
) -> Reconciled:
    start = max(activity.start_date, from_date)
    horizon = today + timedelta(days=ahead_days)
    end = min(activity.end_date, horizon) if activity.end_date else horizon
    wanted = set(
        session_dates(
            slots,
            start,
            end,
            _skipped(activity),
        )
    )
    existing = (
        await db.exec(
            select(ActivitySession)
            .where(ActivitySession.activity_id == activity.id)
            .where(col(ActivitySession.date) >= start)
        )
    ).all()
    have = {(s.date, s.start_time): s for s in existing}
    marked = await _marked(db, [s.id for s in existing])
    removed = kept = 0
    for (day, start_time), session in have.items():
        if (day, start_time, session.end_time) in wanted:
            continue
        if any(w[0] == day and w[1] == start_time for w in wanted):
            session.end_time = next(w[2] for w in wanted if w[:2] == (day, start_time))
            db.add(session)
            continue
        if session.id in marked or session.status != SessionStatus.PLANNED:
            kept += 1
            continue
        await db.exec(delete(ActivitySession).where(col(ActivitySession.id) == session.id))
        removed += 1
    now = utcnow()
    added = 0
    for day, start_time, end_time in sorted(wanted):
        if (day, start_time) in have:
            continue
        db.add(
            ActivitySession(
                id=new_id(),
                activity_id=activity.id,
                date=day,
                start_time=start_time,
                end_time=end_time,
                updated_at=now,
            )
        )
        added += 1
    await db.flush()
    return Reconciled(added, removed, kept)


async def _marked(db: AsyncSession, session_ids: list[object]) -> set[object]:
    if not session_ids:
        return set()
    rows = await db.exec(
        select(AttendanceMark.session_id)
        .where(col(AttendanceMark.session_id).in_(session_ids))
        .group_by(col(AttendanceMark.session_id))
        .having(func.count() > 0)
    )
    return set(rows.all())


async def generate_ahead(db: AsyncSession, *, today: date, ahead_days: int) -> int:
    """The scheduled job: add every active activity's missing meetings up to the horizon.
    Only adds (a schedule edit removes meetings; this job never does)."""
    activities = (
        await db.exec(
            select(Activity)
            .where(col(Activity.archived_at).is_(None))
            .where((col(Activity.end_date).is_(None)) | (col(Activity.end_date) >= today))
        )
    ).all()
    slots = (
        await db.exec(
            select(WeeklySlot).where(col(WeeklySlot.activity_id).in_([a.id for a in activities]))
        )
    ).all()
    by_activity: dict[object, list[WeeklySlot]] = {}
    for slot in slots:
        by_activity.setdefault(slot.activity_id, []).append(slot)
    added = 0
    for activity in activities:
        added += await _add_missing(
            db, activity, by_activity.get(activity.id, []), today, ahead_days
        )
    return added


async def _add_missing(
    db: AsyncSession, activity: Activity, slots: list[WeeklySlot], today: date, ahead_days: int
) -> int:
    if not slots:
        return 0
    start = max(activity.start_date, today)
    horizon = today + timedelta(days=ahead_days)
    end = min(activity.end_date, horizon) if activity.end_date else horizon
    wanted = session_dates(
        [(s.weekday, s.start_time, s.end_time) for s in slots], start, end, _skipped(activity)
    )
    have = set(
        (
            await db.exec(
                select(col(ActivitySession.date), col(ActivitySession.start_time))
                .where(ActivitySession.activity_id == activity.id)
                .where(col(ActivitySession.date) >= start)
            )
        ).all()
    )
    missing = [(d, s, e) for d, s, e in wanted if (d, s) not in have]
    now = utcnow()
    for day, start_time, end_time in missing:
        db.add(
            ActivitySession(
                id=new_id(),
                activity_id=activity.id,
                date=day,
                start_time=start_time,
                end_time=end_time,
                updated_at=now,
            )
        )
    await db.flush()
    return len(missing)

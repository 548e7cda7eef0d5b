"""Pages for activities and sessions: a facilitator's sessions, a teacher's courses, the
coordinators' list of activities, and one activity's page."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import ActivityKind
from server.activities.service import (
    enrolled_people,
    list_activities,
    list_courses,
    list_sessions_between,
    set_attendance_threshold,
    show_activity,
)
from server.auth.actor import Actor
from server.auth.models import OWN_COURSES_ROLES, OWN_SESSIONS_ROLES, Role
from server.common.errors import ValidationFailed
from server.people.service import search_people
from server.progress.courses import teaches
from server.progress.lessons import lesson_log
from server.web.appstate import AppState
from server.web.deps import QUICK_READS, provide_actor
from server.web.forms import form_data
from server.web.guards import roles, signed_in


class ActivityPages(Controller):
    opt = {QUICK_READS: True}  # a page's few indexed reads (decision 27)
    guards = [signed_in]
    dependencies = {
        "actor": Provide(provide_actor, sync_to_thread=False),
    }

    @get("/sessions", guards=[roles(*OWN_SESSIONS_ROLES)], name="my_sessions")
    async def my_sessions(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        app_state: NamedDependency[AppState],
    ) -> Template:
        today = app_state.settings.today()
        sessions = await list_sessions_between(
            db, actor, today - timedelta(days=7), today + timedelta(days=14)
        )
        return Template(
            template_name="activities/my_sessions.html",
            context={
                "today": today,
                "today_sessions": [s for s in sessions if s.session.date == today],
                "upcoming": [s for s in sessions if s.session.date > today],
                "recent": [s for s in reversed(sessions) if s.session.date < today],
            },
        )

    @get("/courses", guards=[roles(*OWN_COURSES_ROLES)], name="my_courses")
    async def my_courses(
        self, db: NamedDependency[AsyncSession], actor: NamedDependency[Actor]
    ) -> Template:
        courses = await list_courses(db, actor)
        return Template(template_name="activities/my_courses.html", context={"courses": courses})

    @get("/activities", guards=[roles(Role.COORDINATOR, Role.ADMIN)], name="activities")
    async def all_activities(
        self, db: NamedDependency[AsyncSession], actor: NamedDependency[Actor]
    ) -> Template:
        activities = await list_activities(db, actor)
        return Template(template_name="activities/list.html", context={"activities": activities})

    @get("/activities/{activity_id:uuid}", name="activity")
    async def activity(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        activity_id: FromPath[uuid.UUID],
        app_state: NamedDependency[AppState],
        saved: FromQuery[str] = "",
        q: FromQuery[str] = "",
        created: FromQuery[int | None] = None,
        added: FromQuery[int | None] = None,
        removed: FromQuery[int | None] = None,
        kept: FromQuery[int | None] = None,
        enrolled: FromQuery[str] = "",
    ) -> Template:
        changes = {"created": created, "added": added, "removed": removed, "kept": kept}
        return await activity_page(
            db,
            actor,
            activity_id,
            app_state,
            saved=bool(saved),
            q=q[:100],
            changes=changes,
            just_enrolled=enrolled,
        )

    @post(
        "/activities/{activity_id:uuid}/threshold",
        guards=[roles(Role.COORDINATOR, Role.ADMIN)],
        name="activity_threshold",
    )
    async def threshold(
        self,
        request: Request,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        activity_id: FromPath[uuid.UUID],
        app_state: NamedDependency[AppState],
    ) -> Response:
        form = await form_data(request)
        try:
            await set_attendance_threshold(db, actor, activity_id, form.get("threshold", ""))
        except ValidationFailed as exc:
            return await activity_page(
                db, actor, activity_id, app_state, errors=exc.errors, values=form
            )
        return Redirect(f"/activities/{activity_id}?saved=1", status_code=HTTP_303_SEE_OTHER)


async def activity_page(
    db: AsyncSession,
    actor: Actor,
    activity_id: uuid.UUID,
    app_state: AppState,
    **context: Any,
) -> Template:
    """One activity: its facts and sessions (or lesson log); for coordinators also who is
    enrolled and a search to enrol more."""
    detail = await show_activity(db, actor, activity_id)
    today = app_state.settings.today()
    is_course = detail.activity.kind == ActivityKind.LANGUAGE_COURSE
    defaults: dict[str, Any] = {
        "errors": {},
        "values": {},
        "saved": False,
        "q": "",
        "changes": {},
        "just_enrolled": "",
        "enrol_error": None,
    }
    q = str(context.get("q") or "")
    if actor.sees_all_activities:
        defaults["enrolled_people"] = await enrolled_people(db, activity_id)
        defaults["found"] = await search_people(db, q, scope=None) if q else []
    return Template(
        template_name="activities/detail.html",
        context={
            **defaults,
            **context,
            "detail": detail,
            "today": today,
            "lessons": await lesson_log(db, activity_id) if is_course else None,
            "teaches": await teaches(db, actor, activity_id),
        },
        status_code=400 if context.get("errors") else 200,
    )

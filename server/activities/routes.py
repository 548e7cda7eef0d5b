"""Pages for activities and sessions: a facilitator's sessions, a teacher's courses, the
coordinators' list of activities, and one activity's page."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.service import (
    list_activities,
    list_courses,
    list_sessions_between,
    show_activity,
)
from server.auth.actor import Actor
from server.auth.models import Role
from server.web.appstate import AppState
from server.web.deps import provide_actor
from server.web.guards import roles, signed_in


class ActivityPages(Controller):
    guards = [signed_in]
    dependencies = {
        "actor": Provide(provide_actor, sync_to_thread=False),
    }

    @get("/sessions", guards=[roles(Role.FACILITATOR, Role.TEACHER)], name="my_sessions")
    async def my_sessions(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        app_state: NamedDependency[AppState],
    ) -> Template:
        today = datetime.now(ZoneInfo(app_state.settings.timezone)).date()
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

    @get("/courses", guards=[roles(Role.TEACHER)], name="my_courses")
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
    ) -> Template:
        detail = await show_activity(db, actor, activity_id)
        today = datetime.now(ZoneInfo(app_state.settings.timezone)).date()
        return Template(
            template_name="activities/detail.html", context={"detail": detail, "today": today}
        )

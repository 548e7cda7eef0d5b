"""The teacher's pages: a session's lesson log, a class's progress, recording assessments, one
learner's history, and the certificate. Writes go through the same handlers as the phone's
queued batches."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.actor import Actor
from server.common.errors import Forbidden
from server.i18n.catalogs import Translator
from server.progress.assessments import LEVELS, SKILLS
from server.progress.certificate import (
    SECOND_LANGUAGES,
    certificate_side,
    learner_name,
    second_language,
)
from server.progress.courses import course_of_session, get_course_to_teach, teaches
from server.progress.lessons import current_lesson
from server.progress.service import certificate, class_progress, learner_progress
from server.sync.writes import WriteResult
from server.web.appstate import AppState
from server.web.deps import QUICK_READS, provide_actor
from server.web.forms import form_data
from server.web.guards import signed_in
from server.web.writes import form_payload, submit_write

PROGRESS_CONTEXT = {"skills": SKILLS, "levels": LEVELS}


async def _submit_assessments(
    request: Request, db: AsyncSession, actor: Actor, activity_id: uuid.UUID
) -> tuple[WriteResult, dict[str, Any]]:
    """The class form and a learner's form post the same write: a course's assessments."""
    await get_course_to_teach(db, actor, activity_id)
    form = await form_data(request)
    payload = form_payload(form, activity_id=str(activity_id))
    return await submit_write(request, db, actor, form, "progress.assess", payload), form


def _see_other(target: str) -> Redirect:
    return Redirect(target, status_code=HTTP_303_SEE_OTHER)


class LessonPages(Controller):
    opt = {QUICK_READS: True}  # a page's few indexed reads (decision 27)
    path = "/sessions/{session_id:uuid}/lesson"
    guards = [signed_in]
    dependencies = {"actor": Provide(provide_actor, sync_to_thread=False)}

    async def _page(
        self, db: AsyncSession, actor: Actor, session_id: uuid.UUID, **context: Any
    ) -> Template:
        session, course = await course_of_session(db, actor, session_id)
        entry = await current_lesson(db, session.id)
        values = {
            "topic": entry.topic if entry else "",
            "materials": entry.materials if entry else "",
            "homework": entry.homework if entry else "",
        }
        defaults: dict[str, Any] = {"errors": {}, "saved": False, "queued": False}
        return Template(
            template_name="progress/lesson.html",
            context={
                **defaults,
                "values": values,
                **context,
                "session": session,
                "course": course,
                "entry": entry,
                "may_edit": await teaches(db, actor, course.id),
            },
            status_code=400 if context.get("errors") else 200,
        )

    @get("/", name="lesson")
    async def show(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        session_id: FromPath[uuid.UUID],
        saved: FromQuery[str] = "",
        queued: FromQuery[str] = "",
    ) -> Template:
        return await self._page(db, actor, session_id, saved=bool(saved), queued=bool(queued))

    @post("/")
    async def save(
        self,
        request: Request,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        session_id: FromPath[uuid.UUID],
    ) -> Response:
        _, course = await course_of_session(db, actor, session_id)
        if not await teaches(db, actor, course.id):
            raise Forbidden
        form = await form_data(request)
        payload = form_payload(form, session_id=str(session_id))
        result = await submit_write(request, db, actor, form, "lesson.update", payload)
        if result.refused:
            values = {
                name: str(form.get(name) or "") for name in ("topic", "materials", "homework")
            }
            return await self._page(db, actor, session_id, errors=result.errors, values=values)
        return _see_other(f"/sessions/{session_id}/lesson?saved=1")


class ProgressPages(Controller):
    opt = {QUICK_READS: True}  # a page's few indexed reads (decision 27)
    path = "/courses/{activity_id:uuid}"
    guards = [signed_in]
    dependencies = {"actor": Provide(provide_actor, sync_to_thread=False)}

    @get("/progress", name="class_progress")
    async def show_class(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        activity_id: FromPath[uuid.UUID],
        saved: FromQuery[str] = "",
        queued: FromQuery[str] = "",
    ) -> Template:
        progress = await class_progress(db, actor, activity_id)
        return Template(
            template_name="progress/class.html",
            context={
                **PROGRESS_CONTEXT,
                "progress": progress,
                "saved": bool(saved),
                "queued": bool(queued),
            },
        )

    async def _assess_page(
        self,
        db: AsyncSession,
        actor: Actor,
        activity_id: uuid.UUID,
        today: date,
        errors: dict[str, Any] | None = None,
        values: dict[str, Any] | None = None,
    ) -> Template:
        await get_course_to_teach(db, actor, activity_id)
        progress = await class_progress(db, actor, activity_id)
        return Template(
            template_name="progress/assess.html",
            context={
                **PROGRESS_CONTEXT,
                "progress": progress,
                "today": today,
                "errors": errors or {},
                "values": values or {"assessed_on": today.isoformat()},
            },
            status_code=400 if errors else 200,
        )

    @get("/assess", name="assess_class")
    async def assess_form(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        activity_id: FromPath[uuid.UUID],
        app_state: NamedDependency[AppState],
    ) -> Template:
        return await self._assess_page(db, actor, activity_id, app_state.settings.today())

    @post("/assess")
    async def assess(
        self,
        request: Request,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        activity_id: FromPath[uuid.UUID],
        app_state: NamedDependency[AppState],
    ) -> Response:
        result, form = await _submit_assessments(request, db, actor, activity_id)
        if result.refused:
            today = app_state.settings.today()
            return await self._assess_page(db, actor, activity_id, today, result.errors, form)
        return _see_other(f"/courses/{activity_id}/progress?saved=1")

    async def _learner_page(
        self,
        db: AsyncSession,
        actor: Actor,
        activity_id: uuid.UUID,
        person_id: uuid.UUID,
        today: date,
        **context: Any,
    ) -> Template:
        progress = await learner_progress(db, actor, activity_id, person_id)
        defaults: dict[str, Any] = {
            "errors": {},
            "values": {"assessed_on": today.isoformat()},
            "saved": False,
            "queued": False,
        }
        return Template(
            template_name="progress/learner.html",
            context={
                **PROGRESS_CONTEXT,
                **defaults,
                **context,
                "learner": progress,
                "today": today,
            },
            status_code=400 if context.get("errors") else 200,
        )

    @get("/learners/{person_id:uuid}", name="learner_progress")
    async def show_learner(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        activity_id: FromPath[uuid.UUID],
        person_id: FromPath[uuid.UUID],
        app_state: NamedDependency[AppState],
        saved: FromQuery[str] = "",
        queued: FromQuery[str] = "",
    ) -> Template:
        return await self._learner_page(
            db,
            actor,
            activity_id,
            person_id,
            app_state.settings.today(),
            saved=bool(saved),
            queued=bool(queued),
        )

    @post("/learners/{person_id:uuid}/assess")
    async def assess_learner(
        self,
        request: Request,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        activity_id: FromPath[uuid.UUID],
        person_id: FromPath[uuid.UUID],
        app_state: NamedDependency[AppState],
    ) -> Response:
        result, form = await _submit_assessments(request, db, actor, activity_id)
        if result.refused:
            today = app_state.settings.today()
            return await self._learner_page(
                db, actor, activity_id, person_id, today, errors=result.errors, values=form
            )
        return _see_other(f"/courses/{activity_id}/learners/{person_id}?saved=1")

    @get("/learners/{person_id:uuid}/certificate", name="certificate")
    async def show_certificate(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        activity_id: FromPath[uuid.UUID],
        person_id: FromPath[uuid.UUID],
        app_state: NamedDependency[AppState],
        translator: NamedDependency[Translator],
        lang: FromQuery[str] = "",
    ) -> Template:
        try:
            cert = await certificate(db, actor, activity_id, person_id)
        except Forbidden:
            progress = await learner_progress(db, actor, activity_id, person_id)
            return Template(
                template_name="progress/certificate_unavailable.html",
                context={"learner": progress},
                status_code=409,
            )
        today = app_state.settings.today()
        second = second_language(lang, translator.language)
        return Template(
            template_name="progress/certificate.html",
            context={
                "cert": cert,
                "name": learner_name(cert),
                "sides": [
                    certificate_side(cert, "pl", today),
                    certificate_side(cert, second, today),
                ],
                "second": second,
                "second_languages": SECOND_LANGUAGES,
            },
        )

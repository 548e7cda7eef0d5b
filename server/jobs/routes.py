"""The scheduled jobs admin page: schedules, next and last runs, history, "Run now"."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from litestar import Controller, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.actor import Actor
from server.auth.models import Role
from server.common.errors import NotFound
from server.jobs.registry import COMMON_LABELS, JOBS, get_job
from server.jobs.runner import execute
from server.jobs.service import is_manual, job_overview, start_manual_run
from server.web.appstate import AppState
from server.web.deps import provide_actor
from server.web.guards import roles


class JobsAdmin(Controller):
    path = "/admin/jobs"
    guards = [roles(Role.ADMIN)]
    dependencies = {"actor": Provide(provide_actor, sync_to_thread=False)}

    @get("/", name="jobs")
    async def show_jobs(
        self, db: NamedDependency[AsyncSession], app_state: NamedDependency[AppState]
    ) -> Template:
        settings = app_state.settings
        now = datetime.now(ZoneInfo(settings.timezone))
        return Template(
            template_name="jobs/jobs.html",
            context={
                "jobs": await job_overview(db, JOBS, settings, now),
                "common_labels": COMMON_LABELS,
                "is_manual": is_manual,
                "timezone": settings.timezone,
                "runs_here": settings.run_jobs,
            },
        )

    @post("/{name:str}/run")
    async def run_now(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        app_state: NamedDependency[AppState],
        name: FromPath[str],
    ) -> Response:
        job = get_job(name)
        if job is None:
            raise NotFound
        run = await start_manual_run(db, actor, job)
        # Runs after the answer is sent, so after the claim and its audit entry are committed.
        return Redirect(
            f"/admin/jobs#job-{job.name}",
            status_code=HTTP_303_SEE_OTHER,
            background=BackgroundTask(execute, app_state, job, run.id),
        )

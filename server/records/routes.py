"""Coordinators' people pages: one person's record, likely duplicates, merging two records."""

from __future__ import annotations

import uuid

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.actor import Actor
from server.auth.models import Role
from server.common.errors import NotFound, ValidationFailed
from server.people.duplicates import (
    dismiss_pair,
    dismissed_pairs,
    likely_duplicates,
    undo_dismissal,
)
from server.progress.assessments import SKILLS
from server.records.merge import merge_people
from server.records.profile import person_record
from server.web.deps import provide_actor
from server.web.forms import form_data
from server.web.guards import roles, signed_in
from server.web.writes import parse_uuid


class PeopleRecords(Controller):
    path = "/people"
    guards = [signed_in, roles(Role.COORDINATOR, Role.ADMIN)]
    dependencies = {"actor": Provide(provide_actor, sync_to_thread=False)}

    @get("/{person_id:uuid}", name="person")
    async def person(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        person_id: FromPath[uuid.UUID],
        merged: FromQuery[str] = "",
    ) -> Template:
        record = await person_record(db, actor, person_id)
        return Template(
            template_name="people/person.html",
            context={"record": record, "skills": SKILLS, "merged": merged[:12]},
        )

    @get("/duplicates", name="duplicates")
    async def duplicates(
        self, db: NamedDependency[AsyncSession], done: FromQuery[str] = ""
    ) -> Template:
        context = {
            "pairs": await likely_duplicates(db),
            "dismissed": await dismissed_pairs(db),
            "done": done if done in ("dismissed", "undone") else "",
        }
        return Template(template_name="people/duplicates.html", context=context)

    async def _pair_form(
        self, request: Request, db: AsyncSession, actor: Actor, dismiss: bool
    ) -> Response:
        form = await form_data(request)
        first_id, second_id = parse_uuid(form.get("first")), parse_uuid(form.get("second"))
        if first_id is None or second_id is None:
            raise NotFound
        change = dismiss_pair if dismiss else undo_dismissal
        try:
            await change(db, actor, first_id, second_id)
        except ValidationFailed:
            raise NotFound from None
        done = "dismissed" if dismiss else "undone"
        return Redirect(f"/people/duplicates?done={done}", status_code=HTTP_303_SEE_OTHER)

    @post("/duplicates/dismiss", name="duplicates_dismiss")
    async def dismiss(
        self, request: Request, db: NamedDependency[AsyncSession], actor: NamedDependency[Actor]
    ) -> Response:
        """Not the same person: the pair is no longer listed."""
        return await self._pair_form(request, db, actor, dismiss=True)

    @post("/duplicates/undo", name="duplicates_undo")
    async def undo(
        self, request: Request, db: NamedDependency[AsyncSession], actor: NamedDependency[Actor]
    ) -> Response:
        """List a dismissed pair again."""
        return await self._pair_form(request, db, actor, dismiss=False)

    @get("/merge", name="merge_confirm")
    async def confirm(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        keep: FromQuery[str] = "",
        merge: FromQuery[str] = "",
    ) -> Template:
        kept_id, merged_id = parse_uuid(keep), parse_uuid(merge)
        if kept_id is None or merged_id is None or kept_id == merged_id:
            raise NotFound
        return Template(
            template_name="people/merge.html",
            context={
                "kept": await person_record(db, actor, kept_id),
                "merged": await person_record(db, actor, merged_id),
            },
        )

    @post("/merge", name="merge")
    async def merge(
        self, request: Request, db: NamedDependency[AsyncSession], actor: NamedDependency[Actor]
    ) -> Response:
        form = await form_data(request)
        kept_id, merged_id = parse_uuid(form.get("keep")), parse_uuid(form.get("merge"))
        if kept_id is None or merged_id is None:
            raise NotFound
        try:
            done = await merge_people(db, actor, kept_id, merged_id)
        except ValidationFailed:
            raise NotFound from None
        return Redirect(
            f"/people/{done.kept.id}?merged={done.merged_code}", status_code=HTTP_303_SEE_OTHER
        )

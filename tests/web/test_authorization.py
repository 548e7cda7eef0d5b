"""Every route the app registers, requested as every role and as nobody, and every kind of write
sent through the sync batch as every role, against the tables in docs/authorization.md. A route
or write kind without a row, or a row without one, fails; so does any answer that differs from
the row, a page that shows someone else's activity or people, and a refused request that
changed the database."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy
from litestar import Litestar
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import ActivityKind
from server.app import CSRF_COOKIE
from server.attendance.models import AttendanceMark, MarkStatus
from server.auth.models import Role, StaffUser
from server.common.models import utcnow
from server.common.vocab import CefrLevel
from server.sync.writes import write_kinds
from server.web.middleware import SESSION_COOKIE
from tests.factories import enroll, make_activity, make_person, make_session, make_user, run_in_db
from tests.helpers import Client, sign_in

TABLE = Path(__file__).resolve().parents[2] / "docs" / "authorization.md"
HEADER = ("method", "path", "nobody", "facilitator", "teacher", "coordinator", "admin", "notes")
WHO = HEADER[2:7]
CELLS = {"ok", "sign-in", "403", "404", "own/404", "own/403"}
EMAILS = {
    "facilitator": "facilitator@example.org",
    "teacher": "teacher@example.org",
    "coordinator": "coordinator@example.org",
    "admin": "admin@example.org",
}
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

Route = tuple[str, str]  # (method, path as Litestar registers it)


# --- the table --------------------------------------------------------------------------------


def read_rows(header: tuple[str, ...]) -> list[list[str]]:
    """The cells of each row of the table in docs/authorization.md with this header."""
    lines = TABLE.read_text(encoding="utf-8").splitlines()
    start = lines.index("| " + " | ".join(header) + " |")  # ValueError: the header changed
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
        assert len(cells) == len(header), f"a row needs {len(header)} cells: {line}"
        rows.append(cells)
    return rows


def _cells(
    key: object, names: tuple[str, ...], cells: list[str], allowed: set[str]
) -> dict[str, str]:
    by_role = dict(zip(names, cells, strict=True))
    unknown = {c for c in by_role.values() if c not in allowed}
    assert not unknown, f"{key}: unknown cells {unknown}; use one of {allowed}"
    return by_role


def read_table() -> dict[Route, dict[str, str]]:
    """The routes' table: (method, path) → cell by role."""
    rules: dict[Route, dict[str, str]] = {}
    for cells in read_rows(HEADER):
        route = (cells[0].upper(), cells[1])
        assert route not in rules, f"two rows for {route}"
        rules[route] = _cells(route, WHO, cells[2:7], CELLS)
    return rules


def _is_automatic_options(handler: Any) -> bool:
    """Litestar adds an OPTIONS handler to every path that has none (204 and `Allow`)."""
    return "create_options_handler" in getattr(handler.fn, "__qualname__", "")


def registered_routes(app: Litestar) -> set[Route]:
    routes: set[Route] = set()
    for route in app.routes:
        for handler in route.route_handlers:  # type: ignore[attr-defined]
            if _is_automatic_options(handler):
                continue
            routes.update((method, route.path) for method in handler.http_methods)
    return routes


def test_every_route_has_a_row_and_every_row_a_route(app: Litestar) -> None:
    rules, routes = read_table(), registered_routes(app)
    missing = sorted(routes - set(rules))
    stale = sorted(set(rules) - routes)
    assert not missing, "routes without a row in docs/authorization.md:\n" + "\n".join(
        f"| {m} | `{p}` | ? | ? | ? | ? | ? | |" for m, p in missing
    )
    assert not stale, f"rows in docs/authorization.md for routes that do not exist: {stale}"


# --- the data the walk uses --------------------------------------------------------------------


@dataclass(frozen=True)
class Reach:
    """Ids of one staff member's own things: an activity, a session of it today, a person
    enrolled in it and their mark there (flagged as a disagreement between devices); and a
    language course, a session of it today and a learner."""

    activity: uuid.UUID
    session: uuid.UUID
    person: uuid.UUID
    mark: uuid.UUID
    course: uuid.UUID
    course_session: uuid.UUID
    learner: uuid.UUID


# Each activity's title and its enrolled person's family name, by whose they are: a page must
# never show them to someone whose own they are not (coordinators and admins see everything).
NAMES = {
    "choir": ("Evening choir", "Choirova"),
    "club": ("Polish conversation club", "Clubowski"),
    "polish": ("Polish A1 evening", "Polanska"),
    "film": ("Film workshop", "Filmenko"),
    "english": ("English B1 Dietla", "Englisova"),
    "twins": ("Petrenko", "Петренко"),
}
OWN_NAMES = {"facilitator": {"choir", "club"}, "teacher": {"polish"}}


@dataclass(frozen=True)
class World:
    own: dict[str, Reach]  # the facilitator's and the teacher's
    others: Reach  # a second facilitator's and teacher's
    spare_user: uuid.UUID  # an account the admin may disable and enable
    twins: tuple[uuid.UUID, uuid.UUID]  # one person registered twice, for merging
    stranger_code: str  # the card code of the second facilitator's person

    def reach(self, who: str, whose: str) -> Reach:
        """ "own", a colleague's ("other"), or "mixed": one's own activity, session and course
        with a colleague's person, mark and learner."""
        own = self.own.get(who, self.own["facilitator"])  # coordinators see everything
        if whose == "other":
            return self.others
        if whose == "mixed":
            theirs = self.others
            return replace(own, person=theirs.person, mark=theirs.mark, learner=theirs.learner)
        return own


def hidden_from(who: str) -> list[str]:
    if who in ("coordinator", "admin"):
        return []
    own = OWN_NAMES.get(who, set())
    return [name for key, names in NAMES.items() if key not in own for name in names]


async def _with_session(
    db: AsyncSession, staff: StaffUser, key: str, kind: ActivityKind, **fields: Any
) -> tuple[Any, ...]:
    title, family_name = NAMES[key]
    activity = await make_activity(db, staff=[staff], kind=kind, title=title, **fields)
    session = await make_session(db, activity, date.today())
    person = await make_person(db, "Olha", family_name)
    await enroll(db, activity, person)
    mark = AttendanceMark(
        session_id=session.id,
        person_id=person.id,
        status=MarkStatus.PRESENT,
        marked_at=utcnow() - timedelta(hours=1),
        marked_by_id=staff.id,
        disagreement=True,
    )
    db.add(mark)
    return activity, session, person, mark


async def _course(db: AsyncSession, staff: StaffUser, key: str) -> Any:
    return await _with_session(
        db,
        staff,
        key,
        ActivityKind.LANGUAGE_COURSE,
        course_language="pl",
        cefr_level=CefrLevel.A1,
    )


def _reach(plain: tuple[Any, ...], course: tuple[Any, ...]) -> Reach:
    return Reach(*(row.id for row in plain), *(row.id for row in course[:3]))


def build_world(database_url: str) -> World:
    async def build(db: AsyncSession) -> World:
        users = {who: await make_user(db, Role(who), email) for who, email in EMAILS.items()}
        marta = await make_user(db, Role.FACILITATOR, "marta@example.org")
        iryna = await make_user(db, Role.TEACHER, "iryna@example.org")
        spare = await make_user(db, Role.FACILITATOR, "spare@example.org")
        choir = await _with_session(db, users["facilitator"], "choir", ActivityKind.CHOIR)
        # Scope follows assignment: a facilitator assisting in a course keeps its lesson log.
        club = await _course(db, users["facilitator"], "club")
        polish = await _course(db, users["teacher"], "polish")
        film = await _with_session(db, marta, "film", ActivityKind.WORKSHOP)
        english = await _course(db, iryna, "english")
        twins = [await make_person(db, "Ivan", NAMES["twins"][0])]
        twins.append(await make_person(db, "Іван", NAMES["twins"][1]))
        return World(
            own={"facilitator": _reach(choir, club), "teacher": _reach(polish, polish)},
            others=_reach(film, english),
            spare_user=spare.id,
            twins=(twins[0].id, twins[1].id),
            stranger_code=film[2].code,
        )

    return run_in_db(database_url, build)


def path_values(path: str, reach: Reach, world: World) -> dict[str, str]:
    """Real ids (and names) for a route's path parameters, from the reach being tried."""
    on_course = path.startswith("/courses/") or path.endswith("/lesson")
    values = {
        "activity_id": reach.course if on_course else reach.activity,
        "session_id": reach.course_session if on_course else reach.session,
        "person_id": reach.learner if on_course else reach.person,
        "mark_id": reach.mark,
        "user_id": world.spare_user,
        # a worker module, or a job (one that only counts: running it changes no record)
        "name": "silent_devices" if path.startswith("/admin/jobs") else "outbox-store.js",
        "file_path": "css/app.css",
        "what": "attendance",
        "form": "csv",
        "path": "no-such-page",
    }
    return {name: str(value) for name, value in values.items()}


def fill(path: str, values: dict[str, str], *, missing: bool = False) -> str:
    """The path with its parameters filled in; with `missing`, every id is one nobody has."""

    def value(found: re.Match[str]) -> str:
        name, kind = found.group(1), found.group(2)
        if missing and kind == "uuid":
            return str(uuid.uuid4())
        assert name in values, f"{path}: give the parameter {name!r} a value in path_values()"
        return values[name]

    return re.sub(r"\{(\w+)(?::(\w+))?\}", value, path)


# Routes an empty form or query cannot reach meaningfully: what they are sent instead.
Extra = Callable[[World], dict[str, str]]
SEARCH = {"q": "Olha"}  # every enrolled person's given name: searches must keep to scope
QUERIES: dict[Route, Extra] = {
    ("GET", "/people"): lambda w: SEARCH,
    ("GET", "/sessions/{session_id:uuid}/add"): lambda w: SEARCH,
    ("GET", "/sessions/{session_id:uuid}/check-in"): lambda w: SEARCH,
    ("GET", "/activities/{activity_id:uuid}"): lambda w: SEARCH,
    ("GET", "/people/merge"): lambda w: {
        "keep": str(w.own["facilitator"].person),
        "merge": str(w.others.person),
    },
}
FORMS: dict[Route, Extra] = {
    ("POST", "/sessions/{session_id:uuid}/check-in"): lambda w: {"code": w.stranger_code},
    ("POST", "/people/merge"): lambda w: {"keep": str(w.twins[0]), "merge": str(w.twins[1])},
    ("POST", "/people/duplicates/dismiss"): lambda w: {
        "first": str(w.own["facilitator"].person),
        "second": str(w.others.person),
    },
    ("POST", "/people/duplicates/undo"): lambda w: {
        "first": str(w.own["facilitator"].person),
        "second": str(w.others.person),
    },
}
# Routes whose unknown ids are not a 404, and why.
MISSING: dict[Route, str] = {
    # A stale page's mark (merged away since) gets the disagreements page saying "This mark
    # does not exist (any more)": the id goes through the write path, which records the refusal.
    ("POST", "/coordination/disagreements/{mark_id:uuid}/resolve"): "ok",
}


# --- the walk ----------------------------------------------------------------------------------


def answer(response: httpx.Response) -> str:
    """What an answer means, in the table's words (or what went wrong)."""
    status = response.status_code
    location = response.headers.get("location", "")
    if status == 401 or (300 <= status < 400 and location.startswith("/sign-in?")):
        return "sign-in"
    if status in (403, 404):
        return str(status)
    if status == 405 or status >= 500:
        return f"error {status}"
    return "ok"


def database_state(engine: sqlalchemy.Engine) -> dict[str, list[str]]:
    """Every row of every table, to show that a refused request changed nothing."""
    with engine.connect() as conn:
        tables = sqlalchemy.inspect(conn).get_table_names()
        return {
            table: sorted(map(repr, conn.execute(sqlalchemy.text(f'SELECT * FROM "{table}"'))))
            for table in tables
        }


@pytest.fixture
def sync_engine(database_url: str) -> Iterator[sqlalchemy.Engine]:
    engine = sqlalchemy.create_engine(database_url.replace("+aiosqlite", ""))
    try:
        yield engine
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Probe:
    method: str
    path: str
    whose: str  # "own", "other", "mixed" (see World.reach) or "missing" (ids nobody has)
    expected: str


def probes(rules: dict[Route, dict[str, str]], who: str) -> list[Probe]:
    found = []
    for (method, path), cells in rules.items():
        cell = cells[who]
        if cell.startswith("own/"):
            found.append(Probe(method, path, "own", "ok"))
            found.append(Probe(method, path, "other", cell.removeprefix("own/")))
            if "{person_id" in path:  # one's own session or course, a colleague's person
                found.append(Probe(method, path, "mixed", cell.removeprefix("own/")))
        else:
            found.append(Probe(method, path, "own", cell))
        if ":uuid}" in path and cell not in ("sign-in", "403"):
            # Ids that do not exist: not found, never a server error or a page.
            found.append(Probe(method, path, "missing", MISSING.get((method, path), "404")))
    return found


def request(client: Client, who: str, probe: Probe, world: World) -> httpx.Response:
    values = path_values(probe.path, world.reach(who, probe.whose), world)
    url = fill(probe.path, values, missing=probe.whose == "missing")
    route = (probe.method, probe.path)
    query = QUERIES[route](world) if route in QUERIES else {}
    if probe.method not in UNSAFE:
        return client.request(probe.method, url, params=query, follow_redirects=False)
    form = FORMS[route](world) if route in FORMS else {}
    form["_csrf_token"] = client.cookies.get(CSRF_COOKIE) or ""
    return client.request(probe.method, url, params=query, data=form, follow_redirects=False)


@pytest.mark.parametrize("who", WHO)
def test_every_route_answers_each_role_as_the_table_says(
    client: Client, database_url: str, sync_engine: sqlalchemy.Engine, who: str
) -> None:
    world = build_world(database_url)
    client.get("/sign-in")  # the CSRF cookie; its value is also the form's token
    if who != "nobody":
        sign_in(client, EMAILS[who])
    hidden = hidden_from(who)
    wrong: list[str] = []
    for probe in probes(read_table(), who):
        before = database_state(sync_engine) if probe.expected != "ok" else None
        response = request(client, who, probe, world)
        got = answer(response)
        label = f"{probe.method} {probe.path} ({probe.whose})"
        if got != probe.expected:
            wrong.append(f"{label}: expected {probe.expected}, got {got} [{response.status_code}]")
        if shown := [name for name in hidden if name in response.text]:
            wrong.append(f"{label}: shows {shown}, which are not theirs to see")
        if before is not None:
            after = database_state(sync_engine)
            changed = sorted(t for t in after if after[t] != before.get(t))
            if changed:
                wrong.append(f"{label}: refused, but changed {changed}")
        if who != "nobody" and SESSION_COOKIE not in client.cookies:
            sign_in(client, EMAILS[who])  # signed out by /sign-out: sign in again
    assert not wrong, f"{who}:\n" + "\n".join(wrong)


def test_options_never_answers_with_content(client: Client, database_url: str) -> None:
    """Litestar's automatic OPTIONS: an `Allow` header and nothing else, or sign-in."""
    world = build_world(database_url)
    reach = world.own["facilitator"]
    for path in sorted({path for _, path in read_table()}):
        response = client.options(fill(path, path_values(path, reach, world)))
        assert answer(response) in ("ok", "sign-in"), (path, response.status_code)
        if answer(response) == "ok":
            assert response.status_code == 204, path
            assert response.content == b"", path


@pytest.mark.parametrize("who", WHO[1:])
def test_the_offline_pack_lists_only_pages_the_role_may_open(
    client: Client, database_url: str, who: str
) -> None:
    """The worker fetches every page of the pack: none may be refused or out of scope."""
    build_world(database_url)
    sign_in(client, EMAILS[who])
    pages = [page["url"] for page in client.get("/api/sync/pack").json()["pages"]]
    assert pages or who not in ("facilitator", "teacher")
    hidden = hidden_from(who)
    for url in pages:
        response = client.get(url, follow_redirects=False)
        assert answer(response) == "ok", (who, url, response.status_code)
        assert not [name for name in hidden if name in response.text], (who, url)


# --- writes through the sync batch -------------------------------------------------------------

WRITE_HEADER = ("write kind", "facilitator", "teacher", "coordinator", "admin", "notes")
STAFF = WRITE_HEADER[1:5]
WRITE_CELLS = {"ok", "own", "refused"}
# Refused writes still leave these: the refusal (a resent write gets the same answer), the
# phone's last sync, and the audit of the attempt.
WRITE_LEDGERS = frozenset({"applied_writes", "devices", "audit_entries"})


def read_write_table() -> dict[str, dict[str, str]]:
    return {
        cells[0]: _cells(cells[0], STAFF, cells[1:5], WRITE_CELLS)
        for cells in read_rows(WRITE_HEADER)
    }


def write_payloads(reach: Reach) -> dict[str, dict[str, Any]]:
    """A valid write of each kind aimed at `reach`, in the order they are sent (a closed
    session last; the flagged mark resolved before anyone marks it again)."""
    return {
        "attendance.resolve": {"mark_id": reach.mark, "status": "absent"},
        "attendance.mark": {"session_id": reach.session, "person_id": reach.person,
                            "status": "late"},
        "attendance.check_in": {"session_id": reach.session, "person_id": reach.person},
        "activities.enroll": {"session_id": reach.session, "person_id": reach.person},
        "people.register_newcomer": {"session_id": reach.session,
                                     "given_name": "Nadia", "family_name": "Nowak",
                                     "consent_purposes": ["attendance"], "confirm_new": True},
        "lesson.update": {"session_id": reach.course_session, "topic": "The verb być"},
        "progress.assess": {"activity_id": reach.course, "assessed_on": date.today(),
                            f"level.{reach.learner}.speaking": "A2"},
        "session.update": {"session_id": reach.session, "status": "held", "note": "Warm hall"},
        "session.close": {"session_id": reach.session},
    }  # fmt: skip


def test_every_write_kind_has_a_row_and_a_payload() -> None:
    kinds = set(write_kinds())
    assert set(read_write_table()) == kinds, "docs/authorization.md: one row per write kind"
    payloads = write_payloads(Reach(*(uuid.uuid4() for _ in range(7))))
    assert set(payloads) == kinds, "give each write kind a payload in write_payloads()"


def _send_one(client: Client, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    device = str(uuid.uuid4())
    write = {"key": str(uuid.uuid4()), "kind": kind, "payload": payload}
    body = {"device_id": device, "writes": [write]}
    response = client.post(
        "/api/sync/batch",
        content=json.dumps(body, default=str),
        headers={"X-Razem-Device": device, "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["results"][0]
    return result


@pytest.mark.parametrize("who", STAFF)
def test_every_write_kind_through_the_batch_as_the_table_says(
    client: Client, database_url: str, sync_engine: sqlalchemy.Engine, who: str
) -> None:
    world = build_world(database_url)
    sign_in(client, EMAILS[who])
    rules = read_write_table()
    wrong: list[str] = []
    own_payloads = write_payloads(world.reach(who, "own"))
    # A colleague's first, then a colleague's person in one's own session: nothing of theirs
    # may change. Then one's own.
    for whose in ("other", "mixed", "own"):
        for kind, payload in write_payloads(world.reach(who, whose)).items():
            cell = rules[kind][who]
            if whose == "mixed" and (cell != "own" or payload == own_payloads[kind]):
                continue  # coordinators may; or this kind names no person
            expected = (
                "applied" if cell == "ok" or (cell == "own" and whose == "own") else "refused"
            )
            before = database_state(sync_engine)
            result = _send_one(client, kind, payload)
            outcome = "applied" if result["outcome"] in ("applied", "superseded") else "refused"
            if outcome != expected:
                wrong.append(f"{kind} ({whose}): expected {expected}, got {result}")
            if expected == "refused":
                after = database_state(sync_engine)
                changed = sorted(
                    t for t in after if after[t] != before[t] and t not in WRITE_LEDGERS
                )
                if changed:
                    wrong.append(f"{kind} ({whose}): refused, but changed {changed}")
    assert not wrong, f"{who}:\n" + "\n".join(wrong)

// The real service_worker/queued-page.js in Node: queued marks written into a cached roster's
// HTML (rows pressed and pending), other sessions, other pages and odd values left alone.
// Run through tests/js/test_queued_page.py (which also feeds it the real rendered roster), or:
//   node --test tests/js/queued-page.test.js
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const SOURCE = path.join(__dirname, "../../service_worker/queued-page.js");

function load() {
  const scope = { Headers, Response, URL };
  scope.self = scope;
  vm.runInNewContext(fs.readFileSync(SOURCE, "utf8"), scope);
  return scope.RazemQueuedPage;
}

const S = "11111111-1111-4111-8111-111111111111";
const A = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const B = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
const C = "cccccccc-cccc-4ccc-8ccc-cccccccccccc";
const STATUSES = ["present", "absent", "late", "excused"];

function row(id, pressed, extraClass) {
  const buttons = STATUSES.map((s) => `<button name="status" value="${s}" class="mark mark-${s}" aria-pressed="${s === pressed}">${s}</button>`).join("\n");
  return `<li class="roster-item${extraClass || ""}" id="roster-row-${id}" data-search="x &gt; y" data-person-id="${id}" data-status="${pressed || ""}">
<form method="post" action="/sessions/${S}/marks" data-write="attendance.mark">
<div class="mark-buttons">
${buttons}
</div>
</form>
</li>`;
}

function page(rows) {
  return `<!doctype html><html><body><ul class="roster" id="roster-list">${rows.join("\n")}</ul>
<template id="pending-row-template"><li class="roster-item pending"><button type="button" class="mark mark-present" value="present" aria-pressed="true" disabled>P</button></li></template>
</body></html>`;
}

function mark(person, status, session) {
  return { kind: "attendance.mark", payload: { session_id: session || S, person_id: person, status } };
}

// The state of each row: [id, classes, pressed value]
function rows(html) {
  const out = [];
  const re = /<li class="([^"]*)" id="roster-row-([0-9a-f-]+)"[\s\S]*?<\/li>/g;
  let m;
  while ((m = re.exec(html))) {
    const pressed = [...m[0].matchAll(/value="([a-z]+)" class="mark[^"]*" aria-pressed="true"/g)].map((x) => x[1]);
    out.push([m[2], m[1], pressed.join(",")]);
  }
  return out;
}

test("queued marks press their button and mark the row pending; the last one wins", () => {
  const Q = load();
  const statuses = Q.queuedStatuses([mark(A, "late"), mark(B, "absent"), mark(A, "excused"), mark(C, "present", B)], S);
  const html = Q.apply(page([row(A, "present"), row(B, null, " just-added"), row(C, "absent")]), statuses);
  assert.deepEqual(rows(html), [
    [A, "roster-item pending", "excused"],
    [B, "roster-item pending just-added", "absent"],
    [C, "roster-item", "absent"], // a mark for another session changes nothing
  ]);
  assert.ok(html.includes('data-search="x &gt; y"'));
  assert.ok(html.includes('<template id="pending-row-template"><li class="roster-item pending">'));
});

test("a check-in or enrolment presses present, or received on a distribution", () => {
  const Q = load();
  const statuses = Q.queuedStatuses([
    { kind: "attendance.check_in", payload: { session_id: S, person_id: A } },
    { kind: "activities.enroll", payload: { session_id: S, person_id: B } },
  ], S);
  const received = row(B, null).replace(/value="present" class="mark mark-present"/, 'value="received" class="mark mark-received"');
  const html = Q.apply(page([row(A, null), received]), statuses);
  assert.deepEqual(rows(html), [[A, "roster-item pending", "present"], [B, "roster-item pending", "received"]]);
});

test("nothing queued, odd values, other pages: nothing changes", async () => {
  const Q = load();
  assert.equal(Q.queuedStatuses([], S), null);
  assert.equal(Q.queuedStatuses([mark("not-a-uuid", "late"), mark(A, 'late" onclick="x'), { kind: "session.close", payload: { session_id: S } }], S), null);
  assert.equal(Q.rosterSession(`/sessions/${S}`), S);
  assert.equal(Q.rosterSession(`/sessions/${S}/newcomer`), null);
  assert.equal(Q.rosterSession("/sessions"), null);
  const original = new Response(page([row(A, "present")]), { headers: { "Content-Type": "text/html" } });
  const same = await Q.serve(original, new URL(`https://x/sessions/${S}/newcomer`), async () => [mark(A, "late")]);
  assert.equal(same, original);
});

test("serve: the page as cached, with the queue written in and no stale length", async () => {
  const Q = load();
  const body = page([row(A, "present"), row(B, null)]);
  const cached = new Response(body, { headers: { "Content-Type": "text/html; charset=utf-8", "Content-Length": String(body.length), "Content-Security-Policy": "default-src 'self'" } });
  const served = await Q.serve(cached, new URL(`https://x/sessions/${S}`), async () => [mark(B, "late")]);
  assert.equal(served.status, 200);
  assert.equal(served.headers.get("Content-Length"), null);
  assert.equal(served.headers.get("Content-Security-Policy"), "default-src 'self'");
  assert.deepEqual(rows(await served.text()), [[A, "roster-item", "present"], [B, "roster-item pending", "late"]]);
});

// The real roster as the server renders it (written by tests/js/test_queued_page.py).
test("the real rendered roster", { skip: !process.env.RAZEM_ROSTER_HTML }, () => {
  const Q = load();
  const html = fs.readFileSync(process.env.RAZEM_ROSTER_HTML, "utf8");
  const sessionId = process.env.RAZEM_ROSTER_SESSION;
  const before = rows(html);
  assert.ok(before.length >= 10, "rows found in the rendered roster: " + before.length);
  const [first, second] = [before[0][0], before[1][0]];
  const out = Q.apply(html, Q.queuedStatuses([mark(first, "late", sessionId), mark(second, "excused", sessionId)], sessionId));
  const after = rows(out);
  assert.deepEqual(after[0].slice(1), ["roster-item pending", "late"]);
  assert.deepEqual(after[1].slice(1), ["roster-item pending", "excused"]);
  assert.deepEqual(after.slice(2), before.slice(2));
});

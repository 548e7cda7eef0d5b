// The real service_worker/outbox-sync.js in Node, against a stand-in server: batches of up to
// 1,000 writes sent gzipped, halved after a timeout, and sent again as plain JSON when a server
// refuses gzip. Run through tests/js/test_outbox_sync.py, or by hand:
//   node --test tests/js/outbox-sync.test.js
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const zlib = require("node:zlib");

const SOURCE = path.join(__dirname, "../../service_worker/outbox-sync.js");

// A fresh worker scope: the outbox store stand-in holding `count` writes of one person, and a
// server answering with `answer(request)`; every request the worker made is in `requests`.
function worker(count, answer) {
  const outbox = [];
  for (let i = 1; i <= count; i++) {
    outbox.push({ seq: i, key: "k" + i, kind: "attendance.mark", payload: { status: "present" },
      deviceTime: "2026-11-25T10:00:00Z", userId: "u1", format: 1 });
  }
  const meta = { userId: "u1", deviceId: "d1" };
  const requests = [];
  const scope = {
    CompressionStream, Blob, Response,
    RazemStore: {
      getMeta: async (name) => meta[name],
      setMeta: async (name, value) => { meta[name] = value; },
      list: async (userId) => outbox.filter((item) => item.userId === userId),
      remove: async (seqs) => {
        const gone = new Set(seqs);
        for (let i = outbox.length - 1; i >= 0; i--) if (gone.has(outbox[i].seq)) outbox.splice(i, 1);
      },
      toAttention: async () => { throw new Error("nothing should need attention here"); },
    },
  };
  scope.fetch = async (url, options) => {
    const raw = Buffer.from(options.body instanceof ArrayBuffer ? new Uint8Array(options.body) : options.body);
    const gzipped = options.headers["Content-Encoding"] === "gzip";
    const batch = JSON.parse((gzipped ? zlib.gunzipSync(raw) : raw).toString("utf8"));
    const request = { gzipped: gzipped, bytes: raw.length, writes: batch.writes.length, batch: batch };
    requests.push(request);
    return answer(request);
  };
  scope.setTimeout = setTimeout;
  scope.clearTimeout = clearTimeout;
  scope.self = scope;
  vm.createContext(scope);
  vm.runInContext("var self = this;\n" + fs.readFileSync(SOURCE, "utf8"), scope, { filename: SOURCE });
  return { sync: scope.RazemSync, outbox: outbox, requests: requests };
}

function applied(request) {
  const results = request.batch.writes.map((w) => ({ key: w.key, outcome: "applied" }));
  return new Response(JSON.stringify({ server_time: "2026-11-25T10:00:01Z", results: results }),
    { status: 200, headers: { "Content-Type": "application/json" } });
}

test("2,500 writes go in gzipped batches of 1,000, 1,000 and 500, and leave the outbox", async () => {
  const phone = worker(2500, applied);
  const outcome = await phone.sync.flush({ force: true });
  assert.equal(outcome.status, "done");
  assert.deepEqual(phone.requests.map((r) => r.writes), [1000, 1000, 500]);
  assert.ok(phone.requests.every((r) => r.gzipped));
  const plain = JSON.stringify(phone.requests[0].batch).length;
  assert.ok(phone.requests[0].bytes < plain / 3, `gzip: ${phone.requests[0].bytes} of ${plain}`);
  assert.equal(phone.outbox.length, 0);
});

test("a batch that times out is sent again in halves, and the size grows back", async () => {
  let timeouts = 2;
  const phone = worker(1200, (request) => {
    if (timeouts > 0) { timeouts -= 1; throw new Error("timeout"); }
    return applied(request);
  });
  assert.equal((await phone.sync.flush({ force: true })).status, "offline");
  assert.equal((await phone.sync.flush({ force: true })).status, "offline");
  assert.equal(phone.outbox.length, 1200, "nothing is lost by a timeout");
  assert.equal((await phone.sync.flush({ force: true })).status, "done");
  assert.deepEqual(phone.requests.map((r) => r.writes), [1000, 500, 250, 500, 450]);
  assert.equal(phone.outbox.length, 0);
});

test("a server that refuses gzip gets the same batch as plain JSON, and no more gzip", async () => {
  const phone = worker(30, (request) => (request.gzipped ? new Response("", { status: 415 }) : applied(request)));
  assert.equal((await phone.sync.flush({ force: true })).status, "done");
  assert.deepEqual(phone.requests.map((r) => [r.gzipped, r.writes]), [[true, 30], [false, 30]]);
  assert.equal(phone.outbox.length, 0);
});

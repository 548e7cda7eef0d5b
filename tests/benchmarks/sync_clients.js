/* The two clients of tests/benchmarks/bench_pouchdb.py, run by Node one phase at a time:
 *
 *   node sync_clients.js PHASE INPUT.json
 *
 * PHASE is razem-push | razem-pull | razem-pull-rosters | pouch-push | pouch-replay | pouch-pull. INPUT holds the
 * base URL (the counting proxy), the work folder, the folder of node_modules (PouchDB from the
 * npm registry, installed at run time) and, for the pushes, the marks. One JSON line is printed:
 * the phase's seconds (the clock starts when the client's own data is ready), the requests the
 * client made, and what it checked.
 *
 * Razem's side runs the real service worker code: service_worker/outbox-sync.js builds and sends
 * the batches (up to 1,000 writes each, as on a phone) from an in-memory stand-in for the IndexedDB
 * outbox, and service_worker/offline-pack.js fetches a second phone's offline pack into an
 * in-memory stand-in for the Cache API. Items enter the stand-in outbox in the shape
 * service_worker/strategies.js (buildWrite) stores a roster tap. */
"use strict";

const fs = require("fs");
const http = require("http");
const path = require("path");
const vm = require("vm");

const [phase, inputFile] = process.argv.slice(2);
const input = JSON.parse(fs.readFileSync(inputFile, "utf8"));
const SERVICE_WORKER = path.join(__dirname, "..", "..", "service_worker");
const nativeFetch = globalThis.fetch;
let requests = 0;

function out(result) {
  process.stdout.write(JSON.stringify(Object.assign({ phase: phase, requests: requests }, result)) + "\n");
}

function fail(message) {
  out({ error: message });
  process.exit(1);
}

// --- Razem: the real service worker scripts with stand-ins for IndexedDB and the Cache API ---

function razemScope() {
  const meta = { userId: input.user_id, deviceId: input.device_id };
  const outbox = [];
  const attention = [];
  globalThis.self = globalThis;
  globalThis.RazemStore = {
    getMeta: async (name) => meta[name],
    setMeta: async (name, value) => { meta[name] = value; },
    list: async (userId) => outbox.filter((item) => item.userId === userId),
    remove: async (seqs) => {
      const gone = new Set(seqs);
      for (let i = outbox.length - 1; i >= 0; i--) if (gone.has(outbox[i].seq)) outbox.splice(i, 1);
    },
    toAttention: async (item, errors) => {
      attention.push(Object.assign({}, item, { errors: errors }));
      outbox.splice(outbox.indexOf(item), 1);
    },
  };
  globalThis.RazemPrecache = { PAGES: "razem-pages" };
  // What the browser adds: the origin, the session cookie (credentials: "same-origin").
  globalThis.fetch = function (url, options) {
    requests += 1;
    const opts = Object.assign({}, options || {});
    delete opts.cache; // Node's fetch has no HTTP cache to bypass
    delete opts.credentials;
    opts.headers = Object.assign({}, opts.headers || {}, { Cookie: input.cookie });
    return nativeFetch(new URL(url, input.base_url).href, opts);
  };
  return { meta: meta, outbox: outbox, attention: attention };
}

function load(script) {
  vm.runInThisContext(fs.readFileSync(path.join(SERVICE_WORKER, script), "utf8"), { filename: script });
}

async function razemPush() {
  const state = razemScope();
  load("outbox-sync.js");
  input.marks.forEach(function (mark, i) {
    // service_worker/strategies.js buildWrite() for a roster tap, plus the user id it adds
    state.outbox.push({
      seq: i + 1,
      key: mark.key,
      kind: "attendance.mark",
      payload: { person_id: mark.person_id, status: mark.status, session_id: mark.session_id },
      deviceTime: mark.device_time,
      format: 1,
      htmx: true,
      action: "marks",
      back: "/sessions/" + mark.session_id,
      createdAt: mark.device_time,
      userId: input.user_id,
    });
  });
  const start = process.hrtime.bigint();
  const outcome = await self.RazemSync.flush({ force: true });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const outcomes = {};
  outcome.settled.forEach(function (entry) {
    outcomes[entry.result.outcome] = (outcomes[entry.result.outcome] || 0) + 1;
  });
  if (outcome.status !== "done") fail("flush ended " + outcome.status);
  out({ seconds: seconds, outcomes: outcomes, left: state.outbox.length, attention: state.attention.length });
}

async function razemPull() {
  razemScope();
  const pages = {};
  globalThis.caches = {
    open: async () => ({
      match: async () => undefined,
      put: async (url, response) => { pages[url] = await response.text(); },
      keys: async () => [],
      delete: async () => true,
    }),
  };
  load("offline-pack.js");
  const start = process.hrtime.bigint();
  await self.RazemPack.refresh();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  // The marks a phone now has offline: the roster rows of the cached roster pages.
  const roster = /^\/sessions\/[0-9a-f-]{36}$/;
  let rosters = 0;
  let marks = 0;
  let rows = 0;
  Object.keys(pages).forEach(function (url) {
    if (!roster.test(url)) return;
    rosters += 1;
    rows += (pages[url].match(/id="roster-row-/g) || []).length;
    marks += (pages[url].match(/data-status="present"/g) || []).length;
  });
  out({ seconds: seconds, pages: Object.keys(pages).length, rosters: rosters, rows: rows, marks: marks });
}

async function razemPullRosters() {
  // Not the service worker's path: only the pack's roster pages (the pages that carry the
  // marks), one after another as offline-pack.js fetches them.
  razemScope();
  const roster = /^\/sessions\/[0-9a-f-]{36}$/;
  const start = process.hrtime.bigint();
  const pack = await (await fetch("/api/sync/pack", { credentials: "same-origin" })).json();
  const pages = {};
  for (const page of pack.pages) {
    if (!roster.test(page.url)) continue;
    const response = await fetch(page.url, { credentials: "same-origin" });
    if (response.ok) pages[page.url] = await response.text();
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  let marks = 0;
  Object.values(pages).forEach(function (html) {
    marks += (html.match(/data-status="present"/g) || []).length;
  });
  out({ seconds: seconds, rosters: Object.keys(pages).length, marks: marks });
}

// --- PouchDB 9, replicating to pouchdb-server ---------------------------------------------

function pouch() {
  const PouchDB = require(path.join(input.node_modules, "pouchdb"));
  // PouchDB's fetch in Node is node-fetch 2, which sends "Connection: close" unless it is
  // given an agent: a keep-alive one, as Razem's client (Node's own fetch) keeps connections.
  const agent = new http.Agent({ keepAlive: true });
  const remote = new PouchDB(input.base_url + "/" + input.db, {
    skip_setup: true,
    fetch: function (url, options) {
      requests += 1;
      return PouchDB.fetch(url, Object.assign({}, options, { agent: agent }));
    },
  });
  return { PouchDB: PouchDB, remote: remote };
}

async function pouchPush() {
  const { PouchDB, remote } = pouch();
  const local = new PouchDB(path.join(input.work, "pouch-push"));
  const docs = input.marks.map(function (mark) {
    return {
      _id: mark.session_id + ":" + mark.person_id,
      session_id: mark.session_id, person_id: mark.person_id, status: mark.status,
      device_time: mark.device_time, user_id: input.user_id,
    };
  });
  for (let i = 0; i < docs.length; i += 1000) await local.bulkDocs(docs.slice(i, i + 1000));
  const start = process.hrtime.bigint();
  const result = await local.replicate.to(remote, { batch_size: input.batch_size });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await local.close();
  out({ seconds: seconds, ok: result.ok, docs_read: result.docs_read, docs_written: result.docs_written,
    errors: result.errors.length });
}

async function pouchReplay() {
  // A fresh client database holding the same documents at the same revisions (copied from
  // the push's client database, before the clock starts), replicated again: the server is
  // asked about every revision and already has them all.
  const { PouchDB, remote } = pouch();
  const first = new PouchDB(path.join(input.work, "pouch-push"));
  const all = await first.allDocs({ include_docs: true });
  await first.close();
  const local = new PouchDB(path.join(input.work, "pouch-replay"));
  const docs = all.rows.map((row) => row.doc);
  for (let i = 0; i < docs.length; i += 1000) {
    await local.bulkDocs(docs.slice(i, i + 1000), { new_edits: false });
  }
  const start = process.hrtime.bigint();
  const result = await local.replicate.to(remote, { batch_size: input.batch_size });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await local.close();
  out({ seconds: seconds, ok: result.ok, docs_read: result.docs_read, docs_written: result.docs_written,
    local_docs: docs.length, errors: result.errors.length });
}

async function pouchPull() {
  const { PouchDB, remote } = pouch();
  const local = new PouchDB(path.join(input.work, "pouch-pull"));
  const start = process.hrtime.bigint();
  const result = await local.replicate.from(remote, { batch_size: input.batch_size });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const info = await local.info();
  await local.close();
  out({ seconds: seconds, ok: result.ok, docs_written: result.docs_written, marks: info.doc_count,
    errors: result.errors.length });
}

const PHASES = {
  "razem-push": razemPush, "razem-pull": razemPull, "razem-pull-rosters": razemPullRosters,
  "pouch-push": pouchPush, "pouch-replay": pouchReplay, "pouch-pull": pouchPull,
};
if (!PHASES[phase]) fail("unknown phase " + phase);
// Exit at once: kept-alive sockets would hold the process open.
PHASES[phase]().then(function () { process.exit(0); },
  function (error) { fail(String(error && error.stack || error)); });

/* Razem service worker: wires events only; the work is in the modules it imports. */
"use strict";

importScripts(
  "/sw/outbox-store.js",
  "/sw/precache.js",
  "/sw/offline-pack.js",
  "/sw/outbox-sync.js",
  "/sw/queued-page.js",
  "/sw/strategies.js"
);

var Store = self.RazemStore;

self.addEventListener("install", function (event) {
  // No skipWaiting here: a new version waits until the person chooses to reload, so a
  // half-marked roster is never interrupted (the page offers the update).
  event.waitUntil(self.RazemPrecache.install());
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.RazemPrecache.cleanup().then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var handler = self.RazemStrategies.route(event.request);
  if (handler) event.respondWith(handler(event));
});

// Chromium's Background Sync: retried by the browser until the promise resolves.
self.addEventListener("sync", function (event) {
  if (event.tag !== "razem-outbox") return;
  event.waitUntil(self.RazemSync.flush({ force: true }).then(self.RazemStrategies.afterFlush).then(function (outcome) {
    if (outcome.status === "offline" || outcome.status === "retry") throw new Error("outbox not sent yet");
  }));
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "hello") event.waitUntil(hello(data));
  else if (data.type === "flush") event.waitUntil(flushNow({ force: !!data.force }));
  else if (data.type === "refresh-pack") event.waitUntil(self.RazemPack.refresh().catch(function () {}));
  else if (data.type === "skip-waiting") self.skipWaiting();
  else if (data.type === "claim") event.waitUntil(self.clients.claim());
});

// A page says who is signed in. Another person's pages are never shown from the cache, and
// writes are only ever sent under the sign-in of the person who made them.
async function hello(data) {
  var previous = await Store.getMeta("userId");
  if (data.deviceId) await Store.setMeta("deviceId", data.deviceId);
  if (data.userId !== previous) {
    await self.RazemPrecache.clearPersonal();
    await Store.setMeta("pack", {});
    await Store.setMeta("userId", data.userId || null);
  }
  if (data.userId) {
    await flushNow({ force: true });
    await self.RazemPack.refresh().catch(function () {});
  }
}

async function flushNow(options) {
  var outcome = await self.RazemSync.flush(options).then(self.RazemStrategies.afterFlush).catch(function () {
    return { status: "retry" };
  });
  if (outcome.status === "offline" || outcome.status === "retry") {
    if (self.registration.sync) {
      await self.registration.sync.register("razem-outbox").catch(function () {});
    }
  }
  return outcome;
}

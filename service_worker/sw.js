/* Razem service worker.
 *
 * This first version only installs and takes control, so that the app is installable and the
 * worker is in place; the offline behaviour (pre-cache, offline pack, outbox, sync) is built on
 * top of it in the offline issue, in small modules beside this file.
 */
"use strict";

const VERSION = "razem-sw-1";

self.addEventListener("install", (event) => {
  event.waitUntil(self.skipWaiting());
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

// A fetch handler that passes requests through: Chromium asks for one before it offers
// to install the app.
self.addEventListener("fetch", () => {});

self.addEventListener("message", (event) => {
  if (event.data === "version" && event.source) {
    event.source.postMessage({ version: VERSION });
  }
});

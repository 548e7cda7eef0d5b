/* Page script: registers the service worker. Kept small; the offline outbox and sync status
 * arrive with the offline issue. */
"use strict";

if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
      /* The app works without the worker; offline use needs it. */
    });
  });
}

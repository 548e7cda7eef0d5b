/* The page's side of offline work: tells the worker who is signed in, shows how many changes
 * wait (header status), re-applies queued writes to a cached page, asks for a flush (on load,
 * when back online, on a timer, on "Sync now"), warns before signing out with writes waiting,
 * asks for persistent storage, and offers a new version without interrupting anyone. */
"use strict";

(function () {
  var Store = window.RazemStore;
  var status = document.getElementById("sync-status");
  var userMeta = document.querySelector('meta[name="razem-user"]');
  var userId = userMeta ? userMeta.content : "";
  var FLUSH_EVERY_MS = 5000; // only while something waits

  // The active worker, even before it controls this page (right after the first install).
  function tell(message) {
    if (!navigator.serviceWorker) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) registration.active.postMessage(message);
    });
  }

  function plural(element, n) {
    var category = "other";
    try { category = new Intl.PluralRules(document.documentElement.lang).select(n); } catch (e) { /* old browser */ }
    var template = element.getAttribute("data-" + category) || element.getAttribute("data-other") || "";
    return template.replace("{n}", String(n));
  }

  // --- the header status ---------------------------------------------------------------------

  async function refreshStatus() {
    if (!status || !Store || !userId) return { pending: 0 };
    var pending = (await Store.list(userId)).length;
    var attention = (await Store.listAttention(userId)).length;
    var needsSignIn = await Store.getMeta("needsSignIn");
    var text = pending ? plural(status, pending) : status.getAttribute("data-synced");
    if (pending && needsSignIn) text += " " + status.getAttribute("data-signin");
    if (attention) text += " " + status.getAttribute("data-attention").replace("{n}", String(attention));
    if (status.textContent !== text) status.textContent = text;
    status.setAttribute("data-pending", String(pending));
    status.classList.toggle("has-pending", pending > 0);
    document.dispatchEvent(new CustomEvent("razem:status", { detail: { pending: pending, attention: attention } }));
    return { pending: pending, attention: attention };
  }

  // --- queued writes shown on a (possibly cached) roster --------------------------------------

  function press(row, value) {
    row.querySelectorAll("button.mark").forEach(function (button) {
      button.setAttribute("aria-pressed", button.value === value ? "true" : "false");
    });
  }

  function syntheticRow(list, write) {
    var template = document.getElementById("pending-row-template");
    if (!template || document.getElementById("roster-row-" + write.payload.person_id)) return;
    var row = template.content.firstElementChild.cloneNode(true);
    row.id = "roster-row-" + write.payload.person_id;
    row.querySelector(".person-name").textContent = (write.payload.given_name || "") + " " + (write.payload.family_name || "");
    list.appendChild(row);
  }

  function recount() {
    var counts = document.getElementById("roster-counts");
    var rows = document.querySelectorAll("#roster-list > li.roster-item");
    if (!counts || !counts.getAttribute("data-template")) return;
    var attended = 0, marked = 0;
    rows.forEach(function (row) {
      var pressed = row.querySelector('button.mark[aria-pressed="true"]');
      if (pressed) marked += 1;
      if (pressed && ["present", "late", "received"].indexOf(pressed.value) !== -1) attended += 1;
    });
    counts.textContent = counts.getAttribute("data-template")
      .replace("{attended}", attended).replace("{marked}", marked).replace("{enrolled}", rows.length);
  }

  async function reapplyQueued() {
    var list = document.getElementById("roster-list");
    if (!list || !Store || !userId) return;
    var sessionId = list.getAttribute("data-session-id");
    var items = await Store.list(userId);
    items.forEach(function (write) {
      if (write.payload.session_id !== sessionId) return;
      if (write.kind === "people.register_newcomer") syntheticRow(list, write);
      var row = write.payload.person_id && document.getElementById("roster-row-" + write.payload.person_id);
      if (!row) return;
      if (write.kind === "attendance.mark") press(row, write.payload.status);
      if (write.kind === "attendance.check_in" || write.kind === "activities.enroll") {
        press(row, row.querySelector('button.mark[value="received"]') ? "received" : "present");
      }
      row.classList.add("pending");
    });
    recount();
  }

  // Once the server has confirmed writes for this roster, show its rows as the server has
  // them (one request for the whole list; the counts follow from the rows).
  function confirmRows(confirmed) {
    var list = document.getElementById("roster-list");
    if (!list || !window.htmx) return;
    var sessionId = list.getAttribute("data-session-id");
    var mine = confirmed.some(function (entry) { return entry.payload && entry.payload.session_id === sessionId; });
    if (!mine) return;
    window.htmx.ajax("GET", "/sessions/" + sessionId, {
      target: "#roster-list", select: "#roster-list", swap: "outerHTML",
    }).then(function () { reapplyQueued(); });
  }

  // --- when to send ----------------------------------------------------------------------------

  function flush(force) { tell({ type: "flush", force: force === true }); }

  // Only a page rendered for a signed-in person says who that is. The sign-in page and the
  // cached offline page know nobody, and must not make the worker forget the person's pages
  // (signing out does that, in the worker, when the sign-out form is posted).
  async function hello() {
    if (!userId) return;
    var deviceId = "";
    try { deviceId = localStorage.getItem("razem-device-id") || ""; } catch (e) { /* private mode */ }
    tell({ type: "hello", userId: userId, deviceId: deviceId });
  }

  async function askPersistence() {
    if (!userId || !navigator.storage || !navigator.storage.persist || !Store) return;
    var asked = await Store.getMeta("persistAskedFor");
    if (asked === userId) return;
    var granted = await navigator.storage.persist().catch(function () { return false; });
    await Store.setMeta("persisted", granted);
    await Store.setMeta("persistAskedFor", userId);
  }

  // --- signing out with writes waiting ---------------------------------------------------------

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches('form[action="/sign-out"]')) return;
    var pending = Number(status ? status.getAttribute("data-pending") : 0);
    if (pending > 0 && !window.confirm(form.getAttribute("data-warning") || "")) event.preventDefault();
  });

  // --- a new version ---------------------------------------------------------------------------

  function offerUpdate(registration) {
    var banner = document.getElementById("update-banner");
    if (!banner || !registration.waiting) return;
    banner.hidden = false;
    banner.querySelector("button").onclick = function () {
      registration.waiting.postMessage({ type: "skip-waiting" });
    };
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      var data = event.data || {};
      if (data.type === "synced") confirmRows(data.confirmed || []);
      refreshStatus();
    });
    var reloading = false;
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      // The first install takes control silently; a chosen update reloads the page.
      if (reloading || !document.documentElement.hasAttribute("data-updating")) return;
      reloading = true;
      window.location.reload();
    });
    navigator.serviceWorker.ready.then(function (registration) {
      // A page loaded while the first worker was activating (the redirect after signing in)
      // is left uncontrolled by its clients.claim(): ask again, or it would not work offline.
      if (!navigator.serviceWorker.controller && registration.active) {
        registration.active.postMessage({ type: "claim" });
      }
      hello();
      offerUpdate(registration);
      registration.addEventListener("updatefound", function () {
        var next = registration.installing;
        if (next) next.addEventListener("statechange", function () {
          if (next.state === "installed") offerUpdate(registration);
        });
      });
    });
    document.addEventListener("click", function (event) {
      if (event.target.closest && event.target.closest("#update-banner button")) {
        document.documentElement.setAttribute("data-updating", "");
      }
    });
  }

  window.addEventListener("online", function () { flush(true); });
  setInterval(function () {
    refreshStatus().then(function (state) { if (state.pending) flush(); });
  }, FLUSH_EVERY_MS);
  document.addEventListener("htmx:afterRequest", function () { refreshStatus(); recount(); });
  // A deferred script runs once the document is parsed: start reading the outbox now rather
  // than after DOMContentLoaded's other listeners (htmx processing the page), so a cached
  // roster shows its queued marks sooner.
  function ready() {
    var notice = document.getElementById("queued-notice");
    if (notice && /[?&]queued=/.test(window.location.search)) notice.hidden = false;
    reapplyQueued().then(refreshStatus);
    askPersistence();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();

  window.RazemOutbox = {
    refreshStatus: refreshStatus,
    flush: function () { flush(true); }, // a person asked: now, whatever the back-off
  };
})();

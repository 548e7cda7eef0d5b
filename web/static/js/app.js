/* Page script for every page: the device id, stamping writes with a key and the device's
 * clock, the consent-language switch, and the service worker. Kept small and CSP-friendly
 * (no inline code, no eval). */
"use strict";

(function () {
  var DEVICE_KEY = "razem-device-id";

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function deviceId() {
    try {
      var id = localStorage.getItem(DEVICE_KEY);
      if (!id) {
        id = newId();
        localStorage.setItem(DEVICE_KEY, id);
      }
      return id;
    } catch (e) {
      return "";
    }
  }

  function setHidden(form, name, value) {
    var input = form.querySelector('input[type="hidden"][name="' + name + '"]');
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      form.appendChild(input);
    }
    input.value = value;
  }

  deviceId(); // made on first load, so the worker learns it before the first write

  // Each time a page is shown is a new chance to act: a cached page (offline) or one restored
  // from the back-forward cache would otherwise send the key of an act already made.
  function freshKeys() {
    document.querySelectorAll("form[data-write]").forEach(function (form) {
      var key = form.querySelector('input[type="hidden"][name="key"]');
      if (key) key.value = newId();
    });
  }
  document.addEventListener("DOMContentLoaded", freshKeys);
  window.addEventListener("pageshow", function (event) { if (event.persisted) freshKeys(); });

  // Within one showing, a plain form post keeps its key, so a double submit is one write.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-write")) return;
    // Roster rows carry no key in their HTML (40 random keys do not compress): made here,
    // once, and kept by the input for a second submit of the same showing.
    if (!form.querySelector('input[type="hidden"][name="key"]')) setHidden(form, "key", newId());
    setHidden(form, "device_id", deviceId());
    setHidden(form, "device_time", new Date().toISOString());
  }, true);

  // Through htmx every tap is its own act: a fresh key, the device and its clock.
  document.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail;
    var form = detail.elt && detail.elt.closest ? detail.elt.closest("form") : null;
    var id = deviceId();
    if (id) detail.headers["X-Razem-Device"] = id;
    if (form && form.hasAttribute("data-write") && detail.verb !== "get") {
      detail.parameters.key = newId();
      detail.parameters.device_time = new Date().toISOString();
    }
  });

  // The consent text is shown in the person's language; without script all three show.
  function showConsent(language) {
    document.querySelectorAll("[data-consent-lang]").forEach(function (block) {
      block.hidden = block.getAttribute("data-consent-lang") !== language;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-consent-switch]")) showConsent(event.target.value);
  });
  document.addEventListener("DOMContentLoaded", function () {
    var chosen = document.querySelector("[data-consent-switch]:checked");
    if (chosen) showConsent(chosen.value);
  });

  // The app works without the worker, but offline use needs it: an install that failed (a
  // shell file lost on a weak connection) is tried again a few times while the page is open,
  // so a phone does not leave for the basement without its offline copy.
  function registerWorker(attempt) {
    function retry() {
      if (attempt < 4) setTimeout(function () { registerWorker(attempt + 1); }, 3000 * attempt);
    }
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function (registration) {
      var installing = registration.installing;
      if (!installing || registration.active) return;
      installing.addEventListener("statechange", function () {
        if (installing.state === "redundant" && !registration.active) retry();
      });
    }, retry);
  }
  // After the page has loaded: the first install fetches the shell and the offline pack,
  // which would otherwise compete with the page's own first load on a slow phone.
  if ("serviceWorker" in navigator) {
    if (document.readyState === "complete") registerWorker(1);
    else window.addEventListener("load", function () { registerWorker(1); });
  }
})();

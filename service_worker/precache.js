/* What the app shell is, and keeping it cached: versioned cache names, clean-up on activate. */
(function (scope) {
  "use strict";

  var config = scope.RAZEM_CONFIG || { version: "dev", htmxUrl: "" };
  var SHELL = "razem-shell-" + config.version;
  var PAGES = "razem-pages"; // the offline pack: pages with personal data, cleared at sign-out
  var FRAGMENTS = "razem-fragments"; // htmx fragments, apart from full pages (one entry per URL)
  var SHELL_FILES = [
    "/offline",
    "/static/css/app.css",
    "/static/css/pages.css",
    "/static/js/app.js",
    "/static/js/names.js",
    "/static/js/outbox.js",
    "/static/js/roster.js",
    "/static/js/checkin.js",
    "/static/js/sync-page.js",
    "/static/js/progress.js",
    "/static/js/print.js",
    "/static/icons/icon-192.png",
    "/static/icons/icon-512.png",
    "/manifest.webmanifest",
    "/sw/outbox-store.js",
  ];

  function install() {
    return caches.open(SHELL).then(function (cache) {
      var own = cache.addAll(SHELL_FILES);
      // CORS mode, so the SRI check on the script tag holds for the cached copy too. A CDN
      // that cannot be reached does not fail the install: pages still work without htmx.
      var htmx = config.htmxUrl
        ? cache.add(new Request(config.htmxUrl, { mode: "cors", credentials: "omit" })).catch(function () {})
        : Promise.resolve();
      return Promise.all([own, htmx]);
    });
  }

  function cleanup() {
    return caches.keys().then(function (names) {
      return Promise.all(names.map(function (name) {
        var ours = name.indexOf("razem-shell-") === 0;
        return ours && name !== SHELL ? caches.delete(name) : null;
      }));
    });
  }

  function clearPersonal() {
    return Promise.all([caches.delete(PAGES), caches.delete(FRAGMENTS)]);
  }

  scope.RazemPrecache = {
    SHELL: SHELL, PAGES: PAGES, FRAGMENTS: FRAGMENTS, install: install, cleanup: cleanup,
    clearPersonal: clearPersonal, htmxUrl: config.htmxUrl, version: config.version,
  };
})(self);

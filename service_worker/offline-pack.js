/* The offline pack: every page the signed-in person needs for their sessions (7 days back,
 * 14 ahead), refreshed after sign-in and after each sync; only changed versions are fetched. */
(function (scope) {
  "use strict";

  var Store = scope.RazemStore;
  var Precache = scope.RazemPrecache;
  var running = null;

  function refresh() {
    if (running) return running;
    running = doRefresh().finally(function () { running = null; });
    return running;
  }

  async function doRefresh() {
    var userId = await Store.getMeta("userId");
    if (!userId) return;
    var response = await fetch("/api/sync/pack", { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) return;
    var pack = await response.json();
    if (pack.user_id !== userId) return; // someone else signed in meanwhile
    var known = (await Store.getMeta("pack")) || {};
    var cache = await caches.open(Precache.PAGES);
    for (var i = 0; i < pack.pages.length; i++) {
      var page = pack.pages[i];
      if (known[page.url] === page.version && (await cache.match(page.url))) continue;
      var fresh = await fetch(page.url, { credentials: "same-origin", cache: "no-store" });
      if (fresh.ok && !fresh.redirected) {
        await cache.put(page.url, fresh);
        known[page.url] = page.version;
      }
    }
    var listed = {};
    pack.pages.forEach(function (page) { listed[page.url] = true; });
    for (var url in known) {
      if (!listed[url]) {
        await cache.delete(url);
        delete known[url];
      }
    }
    await Store.setMeta("pack", known);
    await Store.setMeta("packRefreshedAt", new Date().toISOString());
  }

  scope.RazemPack = { refresh: refresh };
})(self);

/* The offline pack: every page the signed-in person needs for their sessions (7 days back,
 * 14 ahead), refreshed after sign-in and after each sync; only changed versions are fetched. */
(function (scope) {
  "use strict";

  var Store = scope.RazemStore;
  var Precache = scope.RazemPrecache;
  var running = null;
  var queued = null;

  // One refresh at a time. Asked again while one runs (a sync just brought news), one more
  // runs after it: the running one may have read the pack before the news.
  function refresh() {
    if (!running) {
      running = doRefresh().finally(function () { running = null; });
      return running;
    }
    if (!queued) {
      queued = running.catch(function () {}).then(function () {
        queued = null;
        return refresh();
      });
    }
    return queued;
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
      if (!listed[url]) delete known[url];
    }
    // Only what the pack lists stays: a page kept from an earlier visit could still show a
    // person who has since been erased or merged away.
    var cachedPages = await cache.keys();
    for (var j = 0; j < cachedPages.length; j++) {
      if (!listed[new URL(cachedPages[j].url).pathname]) await cache.delete(cachedPages[j]);
    }
    await Store.setMeta("pack", known);
    await Store.setMeta("packRefreshedAt", new Date().toISOString());
  }

  scope.RazemPack = { refresh: refresh };
})(self);

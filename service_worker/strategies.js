/* How each request is answered: navigation network-first with a short timeout, then the
 * cached page, then the offline page; the shell from its cache; writes through the outbox. */
(function (scope) {
  "use strict";

  var Store = scope.RazemStore;
  var Sync = scope.RazemSync;
  var Precache = scope.RazemPrecache;
  var NAVIGATION_TIMEOUT_MS = 3500;
  var WRITE_TIMEOUT_MS = 8000;
  var UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
  var SESSION = new RegExp("^/sessions/(" + UUID + ")/(marks|close|details|newcomer|add|check-in)$");
  var KINDS = {
    marks: "attendance.mark", close: "session.close", details: "session.update",
    newcomer: "people.register_newcomer", add: "activities.enroll", "check-in": "attendance.check_in",
  };
  var CONTROL_FIELDS = { _csrf_token: 1, key: 1, device_time: 1, device_id: 1 };
  var LISTS = { consent_purposes: 1 };
  var waiters = {};

  function timeout(promise, ms) {
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () { reject(new Error("timeout")); }, ms);
      promise.then(function (v) { clearTimeout(timer); resolve(v); },
        function (e) { clearTimeout(timer); reject(e); });
    });
  }

  function newKey() { return scope.crypto.randomUUID(); }

  function pageKey(url) { return url.origin + url.pathname; }

  // --- pages -------------------------------------------------------------------------------

  async function navigate(event) {
    var url = new URL(event.request.url);
    try {
      var response = await timeout(fetch(event.request), NAVIGATION_TIMEOUT_MS);
      if (response.status < 500) {
        if (response.ok && !response.redirected && url.pathname.indexOf("/sessions") === 0) {
          var copy = response.clone();
          caches.open(Precache.PAGES).then(function (cache) { return cache.put(pageKey(url), copy); });
        }
        return response;
      }
    } catch (error) { /* no network, or too slow: the cached copy */ }
    var cached = await caches.match(pageKey(url), { cacheName: Precache.PAGES });
    if (cached) return cached;
    var shell = await caches.match(url.pathname, { cacheName: Precache.SHELL });
    if (shell) return shell;
    return (await caches.match("/offline", { cacheName: Precache.SHELL })) ||
      new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain" } });
  }

  async function fromShell(event) {
    var cached = await caches.match(event.request, { cacheName: Precache.SHELL });
    return cached || fetch(event.request);
  }

  // --- writes ------------------------------------------------------------------------------

  function buildWrite(match, form, htmx) {
    var payload = { session_id: match[1] };
    form.forEach(function (value, name) {
      if (CONTROL_FIELDS[name] || value === "") return;
      if (LISTS[name]) (payload[name] = payload[name] || []).push(value);
      else payload[name] = value;
    });
    if (match[2] === "newcomer") {
      payload.consent_purposes = payload.consent_purposes || [];
      payload.confirm_new = payload.confirm_new === "1";
    }
    return {
      key: form.get("key") || newKey(),
      kind: KINDS[match[2]],
      payload: payload,
      deviceTime: form.get("device_time") || new Date().toISOString(),
      format: 1,
      htmx: htmx,
      action: match[2],
      createdAt: new Date().toISOString(),
    };
  }

  function queuedAnswer(write) {
    if (write.htmx) {
      return new Response("", { status: 202, headers: { "HX-Reswap": "none", "X-Razem-Queued": write.key } });
    }
    var back = "/sessions/" + write.payload.session_id;
    var person = write.payload.person_id;
    var target = back + "?queued=" + write.key + (person ? "#roster-row-" + person : "");
    return Response.redirect(new URL(target, scope.location.origin).href, 303);
  }

  async function handleWrite(event, match) {
    var request = event.request;
    var direct = request.clone();
    var form = await request.clone().formData();
    var htmx = request.headers.get("HX-Request") === "true";
    var write = buildWrite(match, form, htmx);
    var userId = await Store.getMeta("userId");
    write.userId = userId;
    var waiting = userId ? await Store.list(userId) : [];
    if (!waiting.length) {
      // Nothing older is queued, so sending this one directly keeps the order.
      try {
        var response = await timeout(fetch(direct), WRITE_TIMEOUT_MS);
        if (response.status < 500 && response.status !== 401 && response.status !== 403) return response;
      } catch (error) { /* offline or too slow: queue it (the key makes a late arrival harmless) */ }
    }
    if (!userId || match[2] === "check-in" && !write.payload.person_id) {
      // A card code is looked up by the server: it cannot wait in the queue.
      return new Response("", { status: 503 });
    }
    await Store.add(write);
    notify({ type: "queued", key: write.key });
    Sync.flush().then(afterFlush).catch(function () {});
    return queuedAnswer(write);
  }

  // --- after a flush -----------------------------------------------------------------------

  function notify(message) {
    return scope.clients.matchAll({ includeUncontrolled: true, type: "window" }).then(function (clients) {
      clients.forEach(function (client) { client.postMessage(message); });
    });
  }

  function afterFlush(outcome) {
    var confirmed = (outcome.settled || []).map(function (entry) {
      return { key: entry.item.key, kind: entry.item.kind, payload: entry.item.payload,
        outcome: entry.result.outcome };
    });
    notify({ type: "synced", status: outcome.status, confirmed: confirmed });
    if (confirmed.length) scope.RazemPack.refresh().catch(function () {});
    return outcome;
  }

  function route(request) {
    var url = new URL(request.url);
    if (request.method === "POST" && url.origin === scope.location.origin) {
      var match = SESSION.exec(url.pathname);
      if (match) return function (event) { return handleWrite(event, match); };
      if (url.pathname === "/sign-out") {
        return function (event) {
          return fetch(event.request).then(function (response) {
            return Precache.clearPersonal().then(function () {
              return Store.setMeta("userId", null);
            }).then(function () { return Store.setMeta("pack", {}); }).then(function () { return response; });
          });
        };
      }
      return null;
    }
    if (request.method !== "GET") return null;
    if (request.mode === "navigate") return navigate;
    if (url.origin === scope.location.origin && (url.pathname.indexOf("/static/") === 0 ||
        url.pathname.indexOf("/sw/") === 0 || url.pathname === "/manifest.webmanifest")) {
      return fromShell;
    }
    if (Precache.htmxUrl && request.url === new URL(Precache.htmxUrl, scope.location.origin).href) {
      return fromShell;
    }
    return null;
  }

  scope.RazemStrategies = { route: route, notify: notify, afterFlush: afterFlush };
})(self);

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
  // Every form a person may send offline: the URL says what it is and where to go back to.
  var SESSION_KINDS = {
    marks: "attendance.mark", close: "session.close", details: "session.update",
    newcomer: "people.register_newcomer", add: "activities.enroll", "check-in": "attendance.check_in",
    lesson: "lesson.update",
  };
  var WRITE_ROUTES = [
    {
      pattern: new RegExp("^/sessions/(" + UUID + ")/(marks|close|details|newcomer|add|check-in|lesson)$"),
      route: function (m) {
        var back = m[2] === "lesson" || m[2] === "check-in" ? "/" + m[2] : "";
        return { action: m[2], kind: SESSION_KINDS[m[2]], base: { session_id: m[1] },
          back: "/sessions/" + m[1] + back };
      },
    },
    {
      pattern: new RegExp("^/courses/(" + UUID + ")/(?:learners/(" + UUID + ")/)?assess$"),
      route: function (m) {
        return { action: "assess", kind: "progress.assess", base: { activity_id: m[1] },
          back: "/courses/" + m[1] + (m[2] ? "/learners/" + m[2] : "/progress") };
      },
    },
  ];
  // Pages kept when visited (the offline pack fetches the rest ahead).
  var CACHED_PAGES = /^\/(sessions|courses|activities)(\/|$)/;
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
        if (response.ok && !response.redirected && CACHED_PAGES.test(url.pathname)) {
          var copy = response.clone();
          caches.open(Precache.PAGES).then(function (cache) { return cache.put(pageKey(url), copy); });
        }
        return response;
      }
    } catch (error) { /* no network, or too slow: the cached copy */ }
    var cached = await caches.match(pageKey(url), { cacheName: Precache.PAGES });
    if (cached) return withQueued(cached, url);
    var shell = await caches.match(url.pathname, { cacheName: Precache.SHELL });
    if (shell) return shell;
    return (await caches.match("/offline", { cacheName: Precache.SHELL })) ||
      new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain" } });
  }

  // A cached roster comes with the person's queued marks already in it (queued-page.js), so
  // it is shown right on its first paint; should the outbox not be read, the page as cached
  // (the page's own script applies the queue then).
  async function withQueued(cached, url) {
    var backup = cached.clone();
    try {
      return await scope.RazemQueuedPage.serve(cached, url, async function () {
        var userId = await Store.getMeta("userId");
        return userId ? Store.list(userId) : [];
      });
    } catch (error) {
      return backup;
    }
  }

  async function fromShell(event) {
    var cached = await caches.match(event.request, { cacheName: Precache.SHELL });
    return cached || fetch(event.request);
  }

  // --- writes ------------------------------------------------------------------------------

  function matchWrite(pathname) {
    for (var i = 0; i < WRITE_ROUTES.length; i++) {
      var m = WRITE_ROUTES[i].pattern.exec(pathname);
      if (m) return WRITE_ROUTES[i].route(m);
    }
    return null;
  }

  function buildWrite(match, form, htmx) {
    var payload = {};
    form.forEach(function (value, name) {
      if (CONTROL_FIELDS[name] || value === "") return;
      if (LISTS[name]) (payload[name] = payload[name] || []).push(value);
      else payload[name] = value;
    });
    Object.assign(payload, match.base);
    if (match.action === "newcomer") {
      payload.consent_purposes = payload.consent_purposes || [];
      payload.confirm_new = payload.confirm_new === "1";
    }
    return {
      key: form.get("key") || newKey(),
      kind: match.kind,
      payload: payload,
      deviceTime: form.get("device_time") || new Date().toISOString(),
      format: 1,
      htmx: htmx,
      action: match.action,
      back: match.back,
      createdAt: new Date().toISOString(),
    };
  }

  function queuedAnswer(write) {
    if (write.htmx) {
      return new Response("", { status: 202, headers: { "HX-Reswap": "none", "X-Razem-Queued": write.key } });
    }
    var person = write.action !== "assess" && write.payload.person_id;
    var target = write.back + "?queued=" + write.key + (person ? "#roster-row-" + person : "");
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
    if (!userId) return new Response("", { status: 503 });
    // A check-in by a card code the phone could not find in its list is queued all the same:
    // the server looks the code up when the write arrives (a code it does not know is refused
    // into "needs attention", never dropped).
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
      var match = matchWrite(url.pathname);
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

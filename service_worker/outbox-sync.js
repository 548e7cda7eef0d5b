/* Sending the outbox: in order, in batches, one flush at a time across tabs. Network errors,
 * 5xx, 408 and 429 keep entries and wait; a refusal moves the entry to "needs attention";
 * 401 keeps everything and asks the person to sign in. Nothing is dropped. */
(function (scope) {
  "use strict";

  var Store = scope.RazemStore;
  // Up to 1,000 writes a batch (the server's limit): each request costs the server a fixed
  // amount besides its writes, and a slow line a round trip. A batch that times out is sent
  // again in halves (down to 50), so a phone on a very slow line still gets through; each
  // answered batch lets the next one grow back.
  var MAX_BATCH = 1000;
  var MIN_BATCH = 50;
  var batchSize = MAX_BATCH;
  var TIMEOUT_MS = 15000;
  var FORMAT = 1;
  var inFlight = null;
  var listeners = [];
  // Back-off after failures (2 s, 4 s, 8 s … up to 20 s), so a phone on a bad line does not
  // drain its battery; a person's "Sync now", coming back online or signing in skips it.
  var failures = 0;
  var notBefore = 0;

  function onResults(listener) { listeners.push(listener); }

  function wire(item) {
    return {
      key: item.key, kind: item.kind, payload: item.payload, device_time: item.deviceTime,
      user_id: item.userId, format: item.format || FORMAT,
    };
  }

  // A batch goes gzipped where the browser can compress (CompressionStream): a fifth of the
  // bytes on a slow line. A server that refuses it (400/415: an older instance during an
  // upgrade) gets the same batch again uncompressed, and no more gzip from this worker.
  var gzipOk = typeof scope.CompressionStream === "function";

  async function gzipped(text) {
    if (!gzipOk) return null;
    try {
      var stream = new Blob([text]).stream().pipeThrough(new scope.CompressionStream("gzip"));
      return await new Response(stream).arrayBuffer();
    } catch (error) {
      return null;
    }
  }

  function withTimeout(promise, ms) {
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () { reject(new Error("timeout")); }, ms);
      promise.then(function (v) { clearTimeout(timer); resolve(v); },
        function (e) { clearTimeout(timer); reject(e); });
    });
  }

  // One flush at a time: within this worker by the promise, across workers (an old and a new
  // version during an update) by a Web Lock where the browser has them.
  function flush(options) {
    if (inFlight) return inFlight;
    if (!(options && options.force) && Date.now() < notBefore) {
      return Promise.resolve({ status: "waiting", settled: [] });
    }
    var run = function () { return send(); };
    var locked = scope.navigator && scope.navigator.locks
      ? scope.navigator.locks.request("razem-outbox-flush", run)
      : run();
    inFlight = locked.finally(function () { inFlight = null; });
    return inFlight;
  }

  async function send() {
    var userId = await Store.getMeta("userId");
    var deviceId = await Store.getMeta("deviceId");
    if (!userId || !deviceId) return { status: "no-user" };
    var items = await Store.list(userId);
    var settled = [];
    while (items.length) {
      var chunk = items.slice(0, batchSize);
      var response;
      var text = JSON.stringify({
        device_id: deviceId, sent_at: new Date().toISOString(), pending_count: items.length,
        app_version: (scope.RAZEM_CONFIG || {}).version || "", writes: chunk.map(wire),
      });
      var packed = await gzipped(text);
      var headers = { "Content-Type": "application/json", "X-Razem-Device": deviceId };
      if (packed) headers["Content-Encoding"] = "gzip";
      try {
        response = await withTimeout(fetch("/api/sync/batch", {
          method: "POST", credentials: "same-origin", headers: headers, body: packed || text,
        }), TIMEOUT_MS);
      } catch (error) {
        if (error && error.message === "timeout") batchSize = Math.max(MIN_BATCH, batchSize >> 1);
        return finish(settled, "offline");
      }
      batchSize = Math.min(MAX_BATCH, batchSize * 2);
      if (packed && (response.status === 400 || response.status === 415)) {
        gzipOk = false;  // sent again below, as plain JSON: only then is a 400 the batch's own
        continue;
      }
      if (response.status === 401) {
        await Store.setMeta("needsSignIn", true);
        return finish(settled, "signin");
      }
      if (response.status === 400) {
        // The server could not read this batch at all (a format it no longer knows): show
        // the entries to a person instead of sending them forever.
        for (var j = 0; j < chunk.length; j++) {
          await Store.toAttention(chunk[j], { "": "unreadable" });
        }
        items = items.slice(chunk.length);
        continue;
      }
      if (!response.ok) return finish(settled, "retry");
      var body = await response.json();
      var byKey = {};
      chunk.forEach(function (item) { byKey[item.key] = item; });
      var done = [];
      for (var i = 0; i < body.results.length; i++) {
        var result = body.results[i];
        var item = byKey[result.key];
        if (!item) continue;
        if (result.outcome === "refused") await Store.toAttention(item, result.errors);
        else done.push(item.seq);
        settled.push({ item: item, result: result });
      }
      await Store.remove(done);
      await Store.setMeta("needsSignIn", false);
      await Store.setMeta("lastSync", body.server_time);
      items = items.slice(chunk.length);
    }
    return finish(settled, "done");
  }

  function finish(settled, status) {
    if (status === "done") {
      failures = 0;
      notBefore = 0;
    } else if (status === "offline" || status === "retry") {
      failures += 1;
      notBefore = Date.now() + Math.min(2000 * Math.pow(2, failures - 1), 20000);
    }
    listeners.forEach(function (listener) { listener(settled, status); });
    return { status: status, settled: settled };
  }

  scope.RazemSync = { flush: flush, onResults: onResults };
})(self);

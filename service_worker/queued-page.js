/* Queued marks written into a cached roster before the worker serves it. The worker has the
 * outbox open; the page would otherwise have to open IndexedDB itself, after its scripts, and
 * show the rows unmarked until then (on a slow phone a few hundred milliseconds). The rows come
 * out as the page's own script would leave them (outbox.js re-applies the same writes later,
 * which changes nothing): the button of the queued status pressed and the row "pending".
 * The rows are our own template's (attendance/_roster_row.html); only the attributes named
 * here are touched, and only for ids and statuses of the expected shape. */
(function (scope) {
  "use strict";

  var UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  var STATUS = /^[a-z_]{1,20}$/;
  var ROSTER = new RegExp("^/sessions/([0-9a-f-]{36})$");
  var ROW_START = '<li class="roster-item';
  var ROW_ID = /\bid="roster-row-([0-9a-f-]{36})"/;
  var BUTTON = /<button\b[^>]*\bclass="mark\b[^>]*>/g;

  // The session a roster page is for, or null for any other page.
  function rosterSession(pathname) {
    var m = ROSTER.exec(pathname);
    return m && UUID.test(m[1]) ? m[1] : null;
  }

  // What each person's row should show, from the outbox in order (the last write wins):
  // a status, or "checked-in" (present, or received on a distribution).
  function queuedStatuses(items, sessionId) {
    var rows = {};
    var count = 0;
    items.forEach(function (write) {
      var payload = write.payload || {};
      if (payload.session_id !== sessionId || !UUID.test(payload.person_id || "")) return;
      var status = null;
      if (write.kind === "attendance.mark" && STATUS.test(payload.status || "")) status = payload.status;
      else if (write.kind === "attendance.check_in" || write.kind === "activities.enroll") status = "checked-in";
      if (!status) return;
      if (!(payload.person_id in rows)) count += 1;
      rows[payload.person_id] = status;
    });
    return count ? rows : null;
  }

  function pressButtons(row, status) {
    if (status === "checked-in") status = row.indexOf('value="received"') !== -1 ? "received" : "present";
    return row.replace(BUTTON, function (button) {
      var value = /\bvalue="([a-z_]+)"/.exec(button);
      var pressed = value && value[1] === status ? "true" : "false";
      return button.replace(/\baria-pressed="(true|false)"/, 'aria-pressed="' + pressed + '"');
    });
  }

  // The page's HTML with each queued row pressed and marked pending.
  function apply(html, statuses) {
    var parts = html.split(ROW_START);
    for (var i = 1; i < parts.length; i++) {
      var id = ROW_ID.exec(parts[i].slice(0, parts[i].indexOf(">")));
      if (!id || !(id[1] in statuses)) continue;
      var end = parts[i].indexOf("</li>");
      var row = end === -1 ? parts[i] : parts[i].slice(0, end);
      row = pressButtons(row, statuses[id[1]]);
      // The class attribute goes on: `<li class="roster-item` + ` pending` + the rest.
      parts[i] = " pending" + row + (end === -1 ? "" : parts[i].slice(end));
    }
    return parts.join(ROW_START);
  }

  // A cached page as the worker serves it: a roster with its queued marks written in, any
  // other page (or a roster with nothing queued) unchanged.
  async function serve(response, url, list) {
    var sessionId = rosterSession(url.pathname);
    if (!sessionId || !response || !response.ok) return response;
    var statuses = queuedStatuses(await list(), sessionId);
    if (!statuses) return response;
    var html = apply(await response.text(), statuses);
    var headers = new Headers(response.headers);
    headers.delete("Content-Length");
    headers.delete("Content-Encoding");
    return new Response(html, { status: response.status, statusText: response.statusText, headers: headers });
  }

  scope.RazemQueuedPage = { rosterSession: rosterSession, queuedStatuses: queuedStatuses, apply: apply, serve: serve };
})(self);

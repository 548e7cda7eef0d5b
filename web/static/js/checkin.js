/* Event check-in: scan a card's QR code with the camera where the browser can
 * (BarcodeDetector), otherwise the search and the code box do the job.
 *
 * Without a connection: the page carries this event's list with card codes (#check-in-people),
 * so a code or a name is found on the phone; the service worker queues the check-in (a code
 * the phone does not know is queued too, and looked up by the server when it arrives), and
 * this page lists what waits to be sent (#check-in-pending). */
"use strict";

(function () {
  var form = document.querySelector("[data-scan-form]");
  if (!form) return;
  var Store = window.RazemStore;
  var userMeta = document.querySelector('meta[name="razem-user"]');
  var userId = userMeta ? userMeta.content : "";
  var sessionId = (/\/sessions\/([0-9a-f-]{36})\/check-in/.exec(form.getAttribute("action")) || [])[1];
  var texts = document.getElementById("check-in-texts");
  var people = [];
  var byCode = {};
  var byId = {};

  function text(name) { return texts ? texts.getAttribute("data-" + name) || "" : ""; }

  var listed = document.getElementById("check-in-people");
  if (listed) {
    listed.content.querySelectorAll("li").forEach(function (li) {
      var person = {
        id: li.getAttribute("data-person-id"), code: li.getAttribute("data-code") || "",
        search: li.getAttribute("data-search") || "", name: li.textContent.trim(),
        checked: li.hasAttribute("data-checked"),
      };
      people.push(person);
      if (person.code) byCode[person.code] = person;
      byId[person.id] = person;
    });
  }

  // As the server compares codes (server/people/service.py find_by_code); a scanned QR code
  // reads "RAZEM:<code>".
  function normalCode(value) {
    return value.replace(/^\s*RAZEM:/i, "").trim().toUpperCase().slice(0, 12);
  }

  function setHidden(target, name, value) {
    var input = target.querySelector('input[type="hidden"][name="' + name + '"]');
    if (!value) {
      if (input) input.remove();
      return;
    }
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      target.appendChild(input);
    }
    input.value = value;
  }

  // Before the post leaves (htmx reads the form after this): the code as the server keeps it,
  // and who it is on this phone's list, so a queued check-in can show the person's name.
  document.addEventListener("submit", function (event) {
    if (event.target !== form) return;
    var input = form.querySelector('input[name="code"]');
    input.value = normalCode(input.value);
    var person = byCode[input.value];
    setHidden(form, "person_id", person ? person.id : "");
  }, true);

  // --- what waits to be sent ---------------------------------------------------------------

  async function queuedHere() {
    if (!Store || !userId || !sessionId) return [];
    var items = await Store.list(userId);
    return items.filter(function (item) {
      return item.kind === "attendance.check_in" && item.payload.session_id === sessionId;
    });
  }

  function describe(payload) {
    var person = payload.person_id && byId[payload.person_id];
    if (person) return person.name;
    return text("card") + " " + (payload.code || "");
  }

  async function showPending() {
    var section = document.getElementById("check-in-pending");
    if (!section) return;
    var items = await queuedHere();
    var list = section.querySelector("ul");
    list.innerHTML = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "row pending";
      li.setAttribute("data-key", item.key);
      li.textContent = describe(item.payload);
      list.appendChild(li);
    });
    section.hidden = items.length === 0;
  }

  function showQueued(payload) {
    var result = document.getElementById("check-in-result");
    if (!result) return;
    var person = payload.person_id && byId[payload.person_id];
    var p = document.createElement("p");
    p.className = "outcome pending";
    p.textContent = person
      ? text("queued").replace("{name}", person.name)
      : text("queued-code").replace("{code}", payload.code || "");
    result.innerHTML = "";
    result.appendChild(p);
  }

  // Ready for the next person: the box that was used is emptied and has the focus.
  function clearAndFocus(source) {
    var code = source.querySelector('input[name="code"]');
    var search = document.getElementById("check-in-q");
    var results = document.getElementById("check-in-results");
    if (code) {
      code.value = "";
      code.focus();
    } else if (search) {
      search.value = "";
      if (results) results.innerHTML = "";
      search.focus();
    }
  }

  // The worker answered "queued" (202, X-Razem-Queued) instead of the server's outcome. (The
  // event may reach us from an ancestor when the form has left the page: read what was sent.)
  var answered = {};
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    var config = event.detail.requestConfig || {};
    var source = config.elt && config.elt.closest ? config.elt.closest('form[data-write="attendance.check_in"]') : null;
    var key = xhr && xhr.getResponseHeader("X-Razem-Queued");
    if (!source || !key || answered[key]) return;
    answered[key] = true;
    var sent = config.parameters || {};
    showQueued({ code: sent.code || "", person_id: sent.person_id || "" });
    clearAndFocus(source);
    showPending();
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id !== "check-in-result") return;
    var search = document.getElementById("check-in-q");
    var results = document.getElementById("check-in-results");
    if (search) search.value = "";
    if (results) results.innerHTML = "";
    if (search) search.focus();
  });

  document.addEventListener("razem:status", showPending);

  // --- searching this list when the server cannot be reached ---------------------------------

  function card(person, pending) {
    var template = document.getElementById("check-in-card");
    var li = template.content.firstElementChild.cloneNode(true);
    li.querySelector("[data-name]").textContent = person.name;
    var meta = li.querySelector("[data-meta]");
    meta.textContent = meta.getAttribute("data-meta").replace("{code}", person.code) +
      (person.checked || pending[person.id] ? " · " + meta.getAttribute("data-checked-note") : "");
    li.querySelector('input[name="person_id"]').value = person.id;
    li.querySelector('input[name="key"]').value = crypto.randomUUID();
    var button = li.querySelector("button");
    button.textContent = button.getAttribute("data-label").replace("{name}", person.name);
    return li;
  }

  async function searchHere(query) {
    var results = document.getElementById("check-in-results");
    if (!results || !window.RazemNames) return;
    var terms = window.RazemNames.searchTerms(query);
    var code = normalCode(query);
    var found = terms.length ? people.filter(function (person) {
      return person.code === code || window.RazemNames.matches(terms, person.search);
    }).slice(0, 25) : [];
    var pending = {};
    (await queuedHere()).forEach(function (item) { if (item.payload.person_id) pending[item.payload.person_id] = true; });
    results.innerHTML = "";
    if (!terms.length) return;
    var hint = document.createElement("p");
    hint.className = "hint";
    hint.textContent = text("offline-search");
    results.appendChild(hint);
    if (!found.length) {
      var empty = document.createElement("p");
      empty.className = "empty";
      empty.textContent = text("nobody");
      results.appendChild(empty);
      return;
    }
    var list = document.createElement("ul");
    list.className = "cards";
    found.forEach(function (person) { list.appendChild(card(person, pending)); });
    results.appendChild(list);
    if (window.htmx) window.htmx.process(list);
  }

  function searchFailed(event) {
    var elt = event.detail.elt;
    var search = elt && elt.closest ? elt.closest('form[role="search"]') : null;
    if (!search || !search.querySelector("#check-in-q")) return;
    searchHere(search.querySelector("#check-in-q").value);
  }
  document.addEventListener("htmx:sendError", searchFailed);
  document.addEventListener("htmx:responseError", searchFailed);

  document.addEventListener("DOMContentLoaded", function () {
    showPending();
    // A plain form post queued by the worker comes back here with ?queued=<key>.
    var key = (/[?&]queued=([0-9a-f-]{36})/.exec(window.location.search) || [])[1];
    if (key) {
      queuedHere().then(function (items) {
        var item = items.filter(function (i) { return i.key === key; })[0];
        if (item) showQueued(item.payload);
      });
    }
  });

  // --- the camera ------------------------------------------------------------------------------

  var section = document.querySelector("[data-scanner]");
  if (!section || !("BarcodeDetector" in window)) return;
  section.hidden = false;
  var video = section.querySelector("[data-scan-video]");
  var lastCode = "";
  var lastAt = 0;

  function submitCode(value) {
    var code = normalCode(value);
    var now = Date.now();
    if (!code || (code === lastCode && now - lastAt < 3000)) return;
    lastCode = code;
    lastAt = now;
    form.querySelector('input[name="code"]').value = code;
    form.requestSubmit();
  }

  section.querySelector("[data-scan-start]").addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      return video.play();
    }).then(function () {
      setInterval(function () {
        detector.detect(video).then(function (codes) {
          if (codes.length) submitCode(codes[0].rawValue);
        }).catch(function () {});
      }, 300);
    }).catch(function () {
      section.hidden = true; // no camera or no permission: the search stays
    });
  });
})();

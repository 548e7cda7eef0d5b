/* The sync page, the offline page and the install page: what lives on this device. */
"use strict";

(function () {
  var Store = window.RazemStore;
  var userMeta = document.querySelector('meta[name="razem-user"]');
  var userId = userMeta ? userMeta.content : "";
  var labels = document.getElementById("write-labels");

  function label(name) { return labels ? labels.getAttribute("data-" + name) || name : name; }

  function when(iso) {
    try {
      return new Intl.DateTimeFormat(document.documentElement.lang, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
    } catch (e) { return iso; }
  }

  function describe(item) {
    var li = document.createElement("li");
    li.className = "row";
    var text = document.createElement("span");
    var who = item.payload.given_name ? " · " + item.payload.given_name + " " + (item.payload.family_name || "")
      : item.payload.code ? " · " + label("card") + " " + item.payload.code : "";
    text.textContent = label(item.kind) + who + " · " + when(item.createdAt || item.deviceTime);
    li.appendChild(text);
    return li;
  }

  async function render() {
    if (!Store || !userId) return;
    var pending = await Store.list(userId);
    var attention = await Store.listAttention(userId);
    fill(document.getElementById("pending-list"), pending, false);
    fill(document.getElementById("attention-list"), attention, true);
    var last = await Store.getMeta("lastSync");
    var lastNode = document.getElementById("last-sync");
    if (lastNode) lastNode.textContent = last ? when(last) : lastNode.getAttribute("data-never");
    var persisted = await Store.getMeta("persisted");
    var persistNode = document.getElementById("persisted");
    if (persistNode) {
      var key = persisted === true ? "data-yes" : persisted === false ? "data-no" : "data-unknown";
      persistNode.textContent = persistNode.getAttribute(key);
    }
  }

  function fill(list, items, refused) {
    if (!list) return;
    list.innerHTML = "";
    if (!items.length) {
      var empty = document.createElement("li");
      empty.className = "empty";
      empty.textContent = list.getAttribute("data-empty");
      list.appendChild(empty);
      return;
    }
    items.forEach(function (item) {
      var li = describe(item);
      if (refused) {
        var reasons = Object.keys(item.errors || {}).map(function (field) {
          var reason = item.errors[field];
          return reason === "unreadable" ? label("unreadable") : reason;
        });
        var why = document.createElement("strong");
        why.className = "field-error";
        why.textContent = reasons.join(" ");
        li.appendChild(why);
        if (item.back || item.payload.session_id) {
          var open = document.createElement("a");
          open.href = item.back || "/sessions/" + item.payload.session_id;
          open.textContent = label("open");
          li.appendChild(open);
        }
        var again = document.createElement("button");
        again.type = "button";
        again.className = "button secondary";
        again.textContent = label("send-again");
        again.onclick = function () { resend(item, null); };
        li.appendChild(again);
        if (item.kind === "people.register_newcomer") {
          var anyway = document.createElement("button");
          anyway.type = "button";
          anyway.className = "button secondary";
          anyway.textContent = label("register-anyway");
          anyway.onclick = function () {
            resend(item, { payload: Object.assign({}, item.payload, { confirm_new: true }) });
          };
          li.appendChild(anyway);
        }
        var discard = document.createElement("button");
        discard.type = "button";
        discard.className = "button secondary";
        discard.textContent = label("discard");
        discard.onclick = function () {
          if (window.confirm(label("discard-confirm"))) Store.discard(item.key).then(render);
        };
        li.appendChild(discard);
      }
      list.appendChild(li);
    });
  }

  function resend(item, changes) {
    Store.requeue(item, changes).then(function () {
      render();
      if (window.RazemOutbox) {
        window.RazemOutbox.refreshStatus();
        window.RazemOutbox.flush();
      }
    });
  }

  async function listOffline() {
    var list = document.getElementById("offline-pages");
    if (!list || !Store) return;
    var pack = (await Store.getMeta("pack")) || {};
    var urls = Object.keys(pack).filter(function (url) { return /^\/(sessions(\/[0-9a-f-]{36})?|activities\/[0-9a-f-]{36}|courses\/[0-9a-f-]{36}\/progress)$/.test(url); });
    list.innerHTML = "";
    if (!urls.length) {
      var empty = document.createElement("li");
      empty.textContent = list.getAttribute("data-empty");
      list.appendChild(empty);
    }
    var cache = await caches.open("razem-pages");
    for (var i = 0; i < urls.length; i++) {
      var response = await cache.match(urls[i]);
      if (!response) continue;
      var html = await response.text();
      var title = (/<title>([^<]*)<\/title>/.exec(html) || [])[1] || urls[i];
      var li = document.createElement("li");
      li.className = "card";
      var link = document.createElement("a");
      link.className = "card-link";
      link.href = urls[i];
      link.textContent = title.replace(/\s*·\s*Razem\s*$/, "");
      li.appendChild(link);
      list.appendChild(li);
    }
  }

  var installEvent = null;
  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault();
    installEvent = event;
    var button = document.getElementById("install-button");
    if (button) {
      button.hidden = false;
      button.onclick = function () { installEvent.prompt(); };
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var now = document.getElementById("sync-now");
    if (now) now.addEventListener("click", function () { if (window.RazemOutbox) window.RazemOutbox.flush(); });
    render();
    listOffline();
    if (navigator.serviceWorker) navigator.serviceWorker.addEventListener("message", render);
  });
})();

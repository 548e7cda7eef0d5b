/* The roster: a tap shows its result at once (htmx then swaps the confirmed row), and the
 * filter box narrows the list as the person types, in any script. */
"use strict";

(function () {
  // A tap is painted first, then sent: the click only presses the button and marks the row
  // pending; the request (htmx's, through the service worker's queue when offline) goes in
  // the next task after the frame that shows it. The rows have no hx- attributes, so htmx
  // has nothing to set up for them when the page loads. Without script the plain form posts.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.mark") : null;
    if (!button) return;
    var row = button.closest(".roster-item");
    if (!row) return;
    row.querySelectorAll("button.mark").forEach(function (other) {
      other.setAttribute("aria-pressed", other === button ? "true" : "false");
    });
    row.classList.add("pending");
    var form = button.form;
    if (!form || !form.hasAttribute("data-write") || event.defaultPrevented) return;
    event.preventDefault();
    requestAnimationFrame(function () {
      setTimeout(function () { send(form, button, row); }, 0);
    });
  });

  function send(form, button, row) {
    if (!form.isConnected) return;
    if (!window.htmx) { // htmx could not be loaded: a plain post, as without script
      form.requestSubmit(button);
      return;
    }
    var values = {};
    values[button.name] = button.value;
    window.htmx.ajax("POST", form.getAttribute("action"), {
      source: form, target: row, swap: "outerHTML", values: values,
    });
  }

  // The name matching (names.js) is loaded when the filter is first used, not with the page.
  var names = null;
  function withNames(done) {
    if (window.RazemNames) { done(); return; }
    if (!names) {
      names = document.createElement("script");
      names.src = "/static/js/names.js";
      document.head.appendChild(names);
    }
    names.addEventListener("load", done);
  }

  function applyFilter(input) {
    var list = document.getElementById("roster-list");
    if (!list || !window.RazemNames) return;
    var terms = window.RazemNames.searchTerms(input.value);
    var rows = list.querySelectorAll("li.roster-item");
    var shown = 0;
    rows.forEach(function (row) {
      var match = window.RazemNames.matches(terms, row.getAttribute("data-search") || "");
      row.hidden = !match;
      if (match) shown += 1;
    });
    var status = document.getElementById("roster-filter-status");
    if (status) {
      status.textContent = terms.length
        ? (input.getAttribute("data-status-template") || "")
            .replace("{shown}", String(shown)).replace("{total}", String(rows.length))
        : "";
    }
  }

  function filterWhenReady(input) { withNames(function () { applyFilter(input); }); }

  document.addEventListener("focusin", function (event) {
    if (event.target.id === "roster-filter") withNames(function () {});
  });
  document.addEventListener("input", function (event) {
    if (event.target.id === "roster-filter") filterWhenReady(event.target);
  });
  document.addEventListener("submit", function (event) {
    var input = event.target.querySelector ? event.target.querySelector("#roster-filter") : null;
    if (input) {
      event.preventDefault();
      filterWhenReady(input);
    }
  });
  document.addEventListener("htmx:afterSwap", function () {
    var input = document.getElementById("roster-filter");
    if (input && input.value) filterWhenReady(input);
  });
})();

/* The roster: a tap shows its result at once (htmx then swaps the confirmed row), and the
 * filter box narrows the list as the person types, in any script. */
"use strict";

(function () {
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.mark") : null;
    if (!button) return;
    var row = button.closest(".roster-item");
    if (!row) return;
    row.querySelectorAll("button.mark").forEach(function (other) {
      other.setAttribute("aria-pressed", other === button ? "true" : "false");
    });
    row.classList.add("pending");
  });

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

  document.addEventListener("input", function (event) {
    if (event.target.id === "roster-filter") applyFilter(event.target);
  });
  document.addEventListener("submit", function (event) {
    var input = event.target.querySelector ? event.target.querySelector("#roster-filter") : null;
    if (input && window.RazemNames) {
      event.preventDefault();
      applyFilter(input);
    }
  });
  document.addEventListener("htmx:afterSwap", function () {
    var input = document.getElementById("roster-filter");
    if (input && input.value) applyFilter(input);
  });
})();

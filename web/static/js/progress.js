/* Course pages (lesson log, class progress, a learner, the course's lesson list): show what
 * waits in the outbox on top of the (possibly cached) page, marked as waiting to sync, and
 * drop the marks once the server has it. */
"use strict";

(function () {
  var Store = window.RazemStore;
  var userMeta = document.querySelector('meta[name="razem-user"]');
  var userId = userMeta ? userMeta.content : "";
  var LESSON_FIELDS = ["topic", "materials", "homework"];
  var filledLesson = false;

  function pendingText() {
    var holder = document.querySelector("[data-pending-text]");
    return holder ? holder.getAttribute("data-pending-text") : "";
  }

  function clearMarks() {
    document.querySelectorAll(".pending-value").forEach(function (cell) {
      cell.classList.remove("pending-value");
      var hidden = cell.querySelector(".pending-label");
      if (hidden) hidden.remove();
    });
  }

  function markPending(cell, text) {
    cell.textContent = text;
    cell.classList.add("pending-value");
    var label = document.createElement("span");
    label.className = "visually-hidden pending-label";
    label.textContent = " (" + pendingText() + ")";
    cell.appendChild(label);
  }

  function showAssessment(write, pendingList) {
    var levels = [];
    Object.keys(write.payload).sort().forEach(function (name) {
      var parts = name.split(".");
      if (parts[0] !== "level" || !write.payload[name]) return;
      var cell = document.getElementById("level-" + parts[1] + "-" + parts[2]);
      if (cell) {
        markPending(cell, write.payload[name]);
        var heading = cell.previousElementSibling;
        levels.push((heading && heading.tagName === "DT" ? heading.textContent + " " : "") + write.payload[name]);
      }
    });
    if (pendingList && levels.length) {
      var item = document.createElement("li");
      item.textContent = write.payload.assessed_on + ": " + levels.join(", ");
      pendingList.appendChild(item);
      pendingList.hidden = false;
    }
  }

  function showLesson(write) {
    var topic = document.getElementById("lesson-topic-" + write.payload.session_id);
    if (topic) markPending(topic, write.payload.topic || "");
    var form = document.getElementById("lesson-form");
    if (!form || filledLesson || form.getAttribute("data-session-id") !== write.payload.session_id) return;
    LESSON_FIELDS.forEach(function (name) {
      var field = form.elements[name];
      if (field) field.value = write.payload[name] || "";
    });
    var notice = document.getElementById("queued-notice");
    if (notice) notice.hidden = false;
  }

  async function overlay() {
    if (!Store || !userId) return;
    var items = await Store.list(userId);
    var pendingList = document.getElementById("pending-assessments");
    var holder = document.querySelector("[data-activity-id]");
    var activityId = holder ? holder.getAttribute("data-activity-id") : "";
    var personId = holder ? holder.getAttribute("data-person-id") : "";
    clearMarks();
    if (pendingList) { pendingList.textContent = ""; pendingList.hidden = true; }
    var lessons = [];
    items.forEach(function (write) {
      if (write.kind === "progress.assess" && write.payload.activity_id === activityId) {
        var mine = !personId || Object.keys(write.payload).some(function (name) {
          return name.indexOf("level." + personId + ".") === 0;
        });
        if (mine) showAssessment(write, pendingList);
      }
      if (write.kind === "lesson.update") lessons.push(write);
    });
    // The newest save of each lesson last, so it is the one shown.
    lessons.sort(function (a, b) { return a.deviceTime < b.deviceTime ? -1 : 1; }).forEach(showLesson);
    filledLesson = true;
  }

  document.addEventListener("DOMContentLoaded", overlay);
  document.addEventListener("razem:status", overlay);
})();

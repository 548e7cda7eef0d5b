/* Event check-in: scan a card's QR code with the camera where the browser can
 * (BarcodeDetector), otherwise the search and the code box do the job. */
"use strict";

(function () {
  var section = document.querySelector("[data-scanner]");
  var form = document.querySelector("[data-scan-form]");
  if (!section || !form || !("BarcodeDetector" in window)) return;
  section.hidden = false;
  var video = section.querySelector("[data-scan-video]");
  var lastCode = "";
  var lastAt = 0;

  function submitCode(text) {
    var code = text.replace(/^RAZEM:/i, "").trim();
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

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id !== "check-in-result") return;
    var search = document.getElementById("check-in-q");
    var results = document.getElementById("check-in-results");
    if (search) search.value = "";
    if (results) results.innerHTML = "";
    if (search) search.focus();
  });
})();

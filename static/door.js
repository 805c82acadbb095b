/* door.js — the door page, enhanced: answers without reloading the page,
 * and a phone's camera reads QR codes. Progressive only: without
 * JavaScript the code box is a plain form and the page answers it.
 *
 * Submitting posts the same form with fetch and takes the answer (the
 * verdict, the counts, the code box) from the page the server sends back,
 * so there is one place that decides what an answer says: page_door.c.
 * The camera needs BarcodeDetector (Chrome on Android, Safari 17+ …);
 * where the browser lacks it, the scanner button stays hidden and typing
 * works as before. No library, nothing from another origin (CSP 'self').
 */
"use strict";

(function door() {
  var form = document.getElementById("door-form");
  if (!form || !window.fetch || !window.DOMParser) return;
  var input = document.getElementById("code");
  var busy = false;

  // Replaces the element with id in this page by the one in doc (or
  // removes it when doc has none); a new verdict goes before the form.
  function swap(doc, id) {
    var now = document.getElementById(id), next = doc.getElementById(id);
    if (next) next = document.importNode(next, true);
    if (now && next) now.replaceWith(next);
    else if (now) now.remove();
    else if (next) form.parentNode.insertBefore(next, form);
  }

  function check() {
    if (busy) return;
    busy = true;
    var body = new URLSearchParams(new FormData(form));
    fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "content-type": "application/x-www-form-urlencoded" }
    }).then(function (res) {
      return res.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      if (!doc.getElementById("door-form")) throw new Error("not the door page");
      swap(doc, "verdict");
      swap(doc, "counts");
      var typed = doc.getElementById("code");
      input.value = typed ? typed.value : "";
      var v = document.getElementById("verdict");
      if (v && v.classList.contains("refused") && navigator.vibrate) navigator.vibrate([200, 100, 200]);
      input.focus();
    }).catch(function () {
      form.submit(); // the page answers it the plain way
    }).then(function () { busy = false; });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    check();
  });

  // The camera.
  var scanner = document.getElementById("scanner");
  if (!scanner || !("BarcodeDetector" in window) || !navigator.mediaDevices ||
      !navigator.mediaDevices.getUserMedia) return;
  var start = document.getElementById("scan-start");
  var video = document.getElementById("scan-video");
  var status = document.getElementById("scan-status");
  var last = "", lastAt = 0, detector;
  scanner.hidden = false;

  function scan() {
    if (video.readyState < 2) { setTimeout(scan, 200); return; }
    detector.detect(video).then(function (codes) {
      var now = Date.now();
      if (codes.length > 0) {
        var value = codes[0].rawValue;
        // One code held in front of the camera is one check, not many.
        if (value && !busy && (value !== last || now - lastAt > 4000)) {
          last = value;
          lastAt = now;
          input.value = value;
          check();
        }
      }
      setTimeout(scan, 150);
    }).catch(function () { setTimeout(scan, 500); });
  }

  start.addEventListener("click", function () {
    BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf("qr_code") < 0) throw new Error("no QR codes here");
      detector = new BarcodeDetector({ formats: ["qr_code"] });
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      start.hidden = true;
      status.textContent = "Hold a ticket's QR code in front of the camera.";
      return video.play();
    }).then(scan).catch(function (e) {
      status.textContent = "The camera cannot be used here (" + e.message + "): type the code instead.";
    });
  });
})();

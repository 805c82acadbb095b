/* door.js — the door page, enhanced: answers without reloading the page,
 * and a phone's camera reads QR codes. Progressive only: without
 * JavaScript the code box is a plain form and the page answers it.
 *
 * Submitting posts the same form with fetch and takes the answer (the
 * verdict, the counts, the code box) from the page the server sends back,
 * so there is one place that decides what an answer says: page_door.c.
 * The camera reads QR codes with the browser's BarcodeDetector where it
 * has one (Chrome on Android, ChromeOS, macOS); elsewhere (Safari on an
 * iPhone, Firefox, Chromium on Linux) with jsQR, an npm package make
 * copies to /static/vendor/jsqr/ and this script loads only when the
 * scanner starts there: a frame of the video drawn on a canvas, read in
 * the page. Nothing from another origin (CSP 'self'). Without a camera
 * the scanner button stays hidden and typing works as before.
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
  if (!scanner || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
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

  // jsQR behind BarcodeDetector's one call: detect(video) → [{ rawValue }].
  function jsqrDetector() {
    return new Promise(function (resolve, reject) {
      var el = document.createElement("script");
      el.src = "/static/vendor/jsqr/jsQR.js";
      el.onload = function () {
        var canvas = document.createElement("canvas");
        var ctx = canvas.getContext("2d", { willReadFrequently: true });
        resolve({ detect: function (v) {
          /* A phone's frame at most 640 wide: enough for a ticket's
           * code held up to the camera, and quick to read. */
          var scale = Math.min(1, 640 / v.videoWidth);
          canvas.width = Math.round(v.videoWidth * scale);
          canvas.height = Math.round(v.videoHeight * scale);
          ctx.drawImage(v, 0, 0, canvas.width, canvas.height);
          var img = ctx.getImageData(0, 0, canvas.width, canvas.height);
          var code = window.jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" });
          return Promise.resolve(code ? [{ rawValue: code.data }] : []);
        } });
      };
      el.onerror = function () { reject(new Error("no QR reader")); };
      document.head.appendChild(el);
    });
  }

  // The browser's own reader when it reads QR codes, else jsQR.
  function makeDetector() {
    if (!("BarcodeDetector" in window)) return jsqrDetector();
    return BarcodeDetector.getSupportedFormats().then(function (formats) {
      return formats.indexOf("qr_code") < 0 ? jsqrDetector() :
        new BarcodeDetector({ formats: ["qr_code"] });
    });
  }

  start.addEventListener("click", function () {
    makeDetector().then(function (d) {
      detector = d;
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      start.hidden = true;
      status.textContent = scanner.getAttribute("data-t-aim"); /* the page's words */
      return video.play();
    }).then(scan).catch(function (e) {
      status.textContent = scanner.getAttribute("data-t-nocamera").replace("{why}", e.message);
    });
  });
})();

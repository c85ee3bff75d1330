// Door check-in: camera scanning and quick JSON posts for templates/events/check_in.html.
// Without this script the page still works through plain form posts.
// Scanning uses the browser's BarcodeDetector where there is one, else jsQR served from
// our own static files (loaded only then). Every request carries an attempt id, and a
// retry after a dropped connection reuses it, so the server answers it once.
// Every word it shows comes from the page (data-text-* on #door, in the page's language).
(function () {
  "use strict";
  var root = document.getElementById("door");
  if (!root || !window.fetch) { return; }
  var scanUrl = root.getAttribute("data-scan-url");
  var decoderUrl = root.getAttribute("data-decoder-url");
  var csrfInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var csrfToken = csrfInput ? csrfInput.value : "";
  var resultBox = document.getElementById("door-result");
  var codeInput = document.getElementById("ticket-code");
  var inFlight = {};

  // The words for people, from the page (data-text-<name> on #door).
  function say(name) {
    return root.getAttribute("data-text-" + name) || "";
  }

  function newAttempt() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return "a" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function button(label, className, onClick) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = className;
    element.textContent = label;
    element.addEventListener("click", onClick);
    return element;
  }

  function showResult(outcome, message, undoCode) {
    resultBox.className = "door-result door-result--" + outcome;
    resultBox.textContent = "";
    var paragraph = document.createElement("p");
    paragraph.id = "door-message";
    paragraph.textContent = message;
    resultBox.appendChild(paragraph);
    if (undoCode) {
      var undo = button(say("undo-check-in"), "door-button door-button--secondary door-undo", function () {
        send(undoCode, "undo");
      });
      resultBox.appendChild(undo);
    }
  }

  function showRecent(recent) {
    var list = document.getElementById("recent-list");
    list.textContent = "";
    if (!recent.length) {
      var empty = document.createElement("li");
      empty.textContent = say("nobody");
      list.appendChild(empty);
    }
    recent.forEach(function (ticket) {
      var item = document.createElement("li");
      var text = document.createElement("span");
      text.textContent = ticket.name + " · " + ticket.ticket_type + " · " + ticket.checked_in_at;
      var undo = button(say("undo"), "door-link", function () { send(ticket.code, "undo"); });
      // Placeholders replaced in one pass, so a name holding "{code}" stays as typed.
      undo.setAttribute("aria-label", say("undo-label").replace(/\{(name|code)\}/g, function (whole, key) {
        return key === "name" ? ticket.name : ticket.code;
      }));
      item.appendChild(text);
      item.appendChild(undo);
      list.appendChild(item);
    });
  }

  function showState(data) {
    document.getElementById("count-in").textContent = data.counts["in"];
    document.getElementById("count-expected").textContent = data.counts.expected;
    showRecent(data.recent);
  }

  function post(body, tries) {
    return fetch(scanUrl, {
      method: "POST",
      credentials: "same-origin",
      // X-Requested-With makes the admin answer 403 (not a redirect) when the session has ended.
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrfToken,
        "X-Requested-With": "XMLHttpRequest"
      },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (response.status === 403) { throw new Error("forbidden"); }
      if (!response.ok && response.status !== 400) { throw new TypeError("server " + response.status); }
      return response.json();
    }).catch(function (error) {
      if (error.message === "forbidden" || tries >= 6) { throw error; }
      showResult("offline", say("retrying"));
      return new Promise(function (resolve) { window.setTimeout(resolve, 500 * Math.pow(2, tries)); })
        .then(function () { return post(body, tries + 1); });
    });
  }

  function send(code, action) {
    code = String(code || "").trim();
    var key = action + ":" + code.toUpperCase();
    if (inFlight[key]) { return; }
    inFlight[key] = true;
    post({ code: code, action: action, attempt: newAttempt() }, 0).then(function (data) {
      showResult(data.outcome, data.message, data.outcome === "checked_in" ? data.ticket.code : "");
      if (data.counts) { showState(data); }
      if (navigator.vibrate && data.outcome === "checked_in") { navigator.vibrate(80); }
    }).catch(function (error) {
      showResult("refused", error.message === "forbidden" ? say("forbidden") : say("offline"));
    }).then(function () { delete inFlight[key]; });
  }

  // Progressive enhancement of every check-in and undo form on the page.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("door-post")) { return; }
    event.preventDefault();
    var submitter = event.submitter || form.querySelector("button[name=action]");
    send(form.elements.code.value, submitter ? submitter.value : "check_in");
    if (form.id === "door-form") {
      codeInput.value = "";
      codeInput.focus();
    }
  });

  // Camera scanning.
  var toggle = document.getElementById("scan-toggle");
  var video = document.getElementById("scan-video");
  var note = document.getElementById("scan-note");
  var stream = null;
  var detect = null;
  var lastCode = "";
  var lastAt = 0;
  var canvas = document.createElement("canvas");

  function ticketCode(text) {
    var found = String(text).toUpperCase().match(/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/g);
    return found ? found[found.length - 1] : String(text).trim();
  }

  function setNote(text) {
    note.textContent = text;
    note.hidden = !text;
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function nativeDetector() {
    if (!("BarcodeDetector" in window)) { return Promise.resolve(null); }
    return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf("qr_code") < 0) { return null; }
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      return function () {
        return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
      };
    }).catch(function () { return null; });
  }

  function loadDecoder() {
    return window.jsQR ? Promise.resolve() : loadScript(decoderUrl);
  }

  // jsQR reads the pixels of `source` (a video frame or a photo) drawn at most `longest` wide.
  function decodePixels(source, width, height, longest, inversion) {
    if (!width || !height) { return null; }
    var context = canvas.getContext("2d", { willReadFrequently: true });
    var scale = Math.min(1, longest / Math.max(width, height));
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    context.fillStyle = "#fff";  // a transparent image reads as white paper, not black
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
    var image = context.getImageData(0, 0, canvas.width, canvas.height);
    var found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: inversion });
    return found ? found.data : null;
  }

  function fallbackDetector() {
    return loadDecoder().then(function () {
      return function () {
        return Promise.resolve(decodePixels(video, video.videoWidth, video.videoHeight, 640, "dontInvert"));
      };
    });
  }

  function scanLoop() {
    if (!stream) { return; }
    detect().then(function (value) {
      if (value) {
        var code = ticketCode(value);
        var now = Date.now();
        if (code !== lastCode || now - lastAt > 4000) {
          lastCode = code;
          lastAt = now;
          send(code, "check_in");
        }
      }
    }).catch(function () { /* a frame that could not be read: try the next */ })
      .then(function () { window.setTimeout(scanLoop, 250); });
  }

  function stopCamera() {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
    video.hidden = true;
    toggle.textContent = say("scan");
    setNote("");
  }

  function startCamera() {
    toggle.disabled = true;
    navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
      .then(function (mediaStream) {
        stream = mediaStream;
        video.srcObject = mediaStream;
        video.hidden = false;
        toggle.textContent = say("stop");
        setNote(say("hold"));
        return video.play();
      })
      .then(nativeDetector)
      .then(function (native) { return native || fallbackDetector(); })
      .then(function (detector) {
        detect = detector;
        scanLoop();
      })
      .catch(function () {
        stopCamera();
        setNote(say("no-camera"));
      })
      .then(function () { toggle.disabled = false; });
  }

  // A photo of the ticket (or a saved ticket image), for phones whose camera will not stream:
  // read by the same jsQR, then checked in like a scan.
  var photo = document.getElementById("scan-photo");
  var photoInput = document.getElementById("scan-photo-input");

  function readPhoto(file) {
    return Promise.all([loadDecoder(), window.createImageBitmap(file)]).then(function (loaded) {
      var bitmap = loaded[1];
      var value = decodePixels(bitmap, bitmap.width, bitmap.height, 1600, "attemptBoth");
      if (bitmap.close) { bitmap.close(); }
      return value;
    });
  }

  if (photo && photoInput && window.createImageBitmap) {
    photo.hidden = false;
    photoInput.addEventListener("change", function () {
      var file = photoInput.files && photoInput.files[0];
      if (!file) { return; }
      showResult("reading", say("reading"));
      readPhoto(file).then(function (value) {
        if (value) {
          send(ticketCode(value), "check_in");
        } else {
          showResult("refused", say("no-code"));
        }
      }).catch(function () {
        showResult("refused", say("unreadable"));
      }).then(function () { photoInput.value = ""; });
    });
  }

  if (toggle && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      if (stream) { stopCamera(); } else { startCamera(); }
    });
  }
})();

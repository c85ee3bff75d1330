// Door check-in: camera scanning and quick JSON posts for templates/events/check_in.html.
// Without this script the page still works through plain form posts.
// Scanning uses the browser's BarcodeDetector where there is one, else jsQR served from
// our own static files (loaded only then). Every request carries an attempt id, and a
// retry after a dropped connection reuses it, so the server answers it once.
// Every word it shows comes from the page (data-text-* on #door, in the page's language).
//
// Offline (issue 21): a service worker keeps the page's shell, this script and the decoder.
// The page downloads the event's public key, the ids of tickets that can no longer be used and
// the usable tickets' codes as salted SHA-256 hashes (no names, emails or ticket types), and
// keeps them in IndexedDB. With no connection a QR code's signed token is checked here
// (WebCrypto Ed25519), a typed code by its hash, and the scan is queued in IndexedDB as a
// ticket id and a time; the queue is sent when the connection returns and then cleared, and
// everything the door kept is forgotten when staff sign out from this page.
(function () {
  "use strict";
  var root = document.getElementById("door");
  if (!root || !window.fetch) { return; }
  var scanUrl = root.getAttribute("data-scan-url");
  var decoderUrl = root.getAttribute("data-decoder-url");
  var csrfInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var csrfToken = csrfInput ? csrfInput.value : "";
  var door = null;  // the offline door (below), once set up
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

  // `body` is {code, action} for a typed or printed code, {token} for a signed QR code.
  // With no connection a check-in goes to the offline door instead (undo needs the server).
  function send(code, action, token) {
    code = String(code || "").trim();
    var key = action + ":" + (token || code.toUpperCase());
    if (inFlight[key]) { return; }
    var body = token ? { token: token } : { code: code, action: action };
    if (door && action === "check_in" && door.isOffline()) {
      door.checkIn(body);
      return;
    }
    inFlight[key] = true;
    body.attempt = newAttempt();
    post(body, door && action === "check_in" ? 6 : 0).then(function (data) {
      if (door) { door.online(); }
      showResult(data.outcome, data.message, data.outcome === "checked_in" ? data.ticket.code : "");
      if (data.counts) { showState(data); }
      if (navigator.vibrate && data.outcome === "checked_in") { navigator.vibrate(80); }
    }).catch(function (error) {
      if (error.message !== "forbidden" && door && action === "check_in") {
        door.wentOffline();
        door.checkIn(body);
        return;
      }
      showResult("refused", error.message === "forbidden" ? say("forbidden") : say("offline"));
    }).then(function () { delete inFlight[key]; });
  }

  // What a QR code held: a signed token (checked in by token) or a printed ticket code.
  function scanned(value) {
    var text = String(value).trim();
    if (/^[A-Za-z0-9_-]{100,}$/.test(text)) {
      send("", "check_in", text);
    } else {
      send(ticketCode(text), "check_in");
    }
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
        var code = String(value).trim();
        var now = Date.now();
        if (code !== lastCode || now - lastAt > 4000) {
          lastCode = code;
          lastAt = now;
          scanned(value);
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
          scanned(value);
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

  // ---- The offline door (issue 21) ------------------------------------------------------
  door = (function () {
    var eventId = Number(root.getAttribute("data-event"));
    var dataUrl = root.getAttribute("data-data-url");
    var syncUrl = root.getAttribute("data-sync-url");
    var workerUrl = root.getAttribute("data-worker-url");
    if (!eventId || !dataUrl || !window.indexedDB) { return null; }
    var DB_NAME = "thrive-door";
    var DEVICE_KEY = "thrive-door-device";
    var banner = document.getElementById("door-offline");
    var offline = !navigator.onLine || root.hasAttribute("data-shell");
    var data = null;      // {event, key, salt, cancelled, tickets, in, generated_at, csrf}
    var lookup = null;    // hash prefix -> ticket id, ticket id -> hash prefix, sets
    var syncing = null;
    var dbOpening = null;

    function db() {
      if (!dbOpening) {
        dbOpening = new Promise(function (resolve, reject) {
          var request = window.indexedDB.open(DB_NAME, 1);
          request.onupgradeneeded = function () {
            request.result.createObjectStore("data", { keyPath: "event" });
            request.result.createObjectStore("queue", { keyPath: "id" });
          };
          request.onsuccess = function () { resolve(request.result); };
          request.onerror = function () { reject(request.error); };
        });
      }
      return dbOpening;
    }

    function store(name, mode, work) {
      return db().then(function (database) {
        return new Promise(function (resolve, reject) {
          var transaction = database.transaction(name, mode);
          var result = work(transaction.objectStore(name));
          transaction.oncomplete = function () { resolve(result && "result" in result ? result.result : result); };
          transaction.onerror = function () { reject(transaction.error); };
          transaction.onabort = function () { reject(transaction.error); };
        });
      });
    }

    function queued() {
      return store("queue", "readonly", function (queue) { return queue.getAll(); }).then(function (all) {
        return (all || []).filter(function (scan) { return scan.event === eventId; });
      });
    }

    function deviceId() {
      var id = window.localStorage.getItem(DEVICE_KEY);
      if (!id) {
        id = newAttempt();
        window.localStorage.setItem(DEVICE_KEY, id);
      }
      return id;
    }

    function fill(text, values) {
      return text.replace(/\{(\w+)\}/g, function (whole, name) { return name in values ? values[name] : whole; });
    }

    function clock(ms) {
      var moment = new Date(ms);
      return ("0" + moment.getHours()).slice(-2) + ":" + ("0" + moment.getMinutes()).slice(-2);
    }

    function use(loaded) {
      data = loaded;
      lookup = { byHash: {}, byTicket: {}, cancelled: {}, in: {} };
      if (!data) { return; }
      data.tickets.forEach(function (row) {
        lookup.byHash[row[1]] = row[0];
        lookup.byTicket[row[0]] = row[1];
      });
      data.cancelled.forEach(function (id) { lookup.cancelled[id] = true; });
      data["in"].forEach(function (id) { lookup["in"][id] = true; });
      if (data.csrf) { csrfToken = data.csrf; }
    }

    function showBanner() {
      return queued().then(function (scans) {
        var waiting = document.getElementById("door-offline-waiting");
        var list = document.getElementById("door-offline-list");
        document.getElementById("door-offline-message").textContent = offline ? say("working-offline") : say("sending");
        waiting.textContent = fill(say("waiting"), { count: scans.length });
        list.textContent = data ? fill(say("list-from"), { time: clock(Date.parse(data.generated_at)) }) : say("no-list");
        banner.hidden = !offline && !scans.length;
        if (offline && data) {
          // Offline counts: those in when the list was downloaded and those scanned here since.
          document.getElementById("count-in").textContent = data["in"].length + scans.length;
          document.getElementById("count-expected").textContent = data.tickets.length;
        }
        root.classList.toggle("door--offline", offline);
      });
    }

    function getJson(url) {
      return fetch(url, {
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-Requested-With": "XMLHttpRequest" }
      }).then(function (response) {
        if (response.status === 403) { throw new Error("forbidden"); }
        if (!response.ok) { throw new TypeError("server " + response.status); }
        return response.json();
      });
    }

    // The event's offline list, fresh from the server (kept in IndexedDB for offline use).
    function refresh() {
      return getJson(dataUrl).then(function (fresh) {
        offline = false;
        use(fresh);
        return store("data", "readwrite", function (kept) { kept.put(fresh); });
      });
    }

    function sync() {
      if (syncing) { return syncing; }
      syncing = refresh().then(queued).then(function (scans) {
        if (!scans.length) { return null; }
        showBanner();
        return fetch(syncUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-CSRFToken": csrfToken,
            "X-Requested-With": "XMLHttpRequest"
          },
          body: JSON.stringify({
            device: deviceId(),
            scans: scans.map(function (scan) { return { id: scan.id, ticket: scan.ticket, at: scan.at }; })
          })
        }).then(function (response) {
          if (response.status === 403) { throw new Error("forbidden"); }
          if (!response.ok) { throw new TypeError("server " + response.status); }
          return response.json();
        }).then(function (answer) {
          var done = answer.results.map(function (result) { return result.id; });
          report(answer.results);
          if (answer.counts) { showState(answer); }
          return store("queue", "readwrite", function (queue) {
            done.forEach(function (id) { queue["delete"](id); });
          }).then(refresh);
        });
      }).catch(function (error) {
        if (error.message === "forbidden") {
          showResult("refused", say("forbidden"));
        } else {
          offline = true;
        }
      }).then(function () {
        syncing = null;
        return showBanner();
      });
      return syncing;
    }

    // Scans the server counted twice or refused, for staff (names here only, never stored).
    function report(results) {
      var lines = results.filter(function (result) { return result.message; });
      if (!lines.length) { return; }
      var section = document.getElementById("door-reports");
      var list = document.getElementById("reports-list");
      lines.forEach(function (result) {
        var item = document.createElement("li");
        item.textContent = result.message;
        list.insertBefore(item, list.firstChild);
      });
      section.hidden = false;
    }

    function base64url(text) {
      var binary = window.atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
      var bytes = new Uint8Array(binary.length);
      for (var i = 0; i < binary.length; i += 1) { bytes[i] = binary.charCodeAt(i); }
      return bytes;
    }

    function hex(bytes) {
      return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    }

    // What a person typed, in the stored form (core.codes.normalise_code).
    function normalise(text) {
      var cleaned = String(text).toUpperCase().replace(/[^0-9A-Z]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
      return (cleaned.match(/.{1,4}/g) || []).join("-");
    }

    function codeHash(code) {
      var salt = base64url(data.salt);
      var typed = new TextEncoder().encode(normalise(code));
      var joined = new Uint8Array(salt.length + typed.length);
      joined.set(salt);
      joined.set(typed, salt.length);
      return window.crypto.subtle.digest("SHA-256", joined).then(function (digest) {
        return hex(new Uint8Array(digest).slice(0, 16));
      });
    }

    // A token's ticket id, after checking its event and signature: {ticket, tag} or {refused}.
    function readToken(token) {
      var bytes;
      try { bytes = base64url(token); } catch (error) { return Promise.resolve({ refused: "not-ticket" }); }
      if (bytes.length !== 85 || bytes[0] !== 1) { return Promise.resolve({ refused: "not-ticket" }); }
      var view = new DataView(bytes.buffer);
      if (view.getUint32(5) !== eventId) { return Promise.resolve({ refused: "other-event" }); }
      if (!window.crypto || !window.crypto.subtle) { return Promise.resolve({ refused: "no-crypto" }); }
      return window.crypto.subtle.importKey("raw", base64url(data.key), { name: "Ed25519" }, false, ["verify"])
        .then(function (key) {
          return window.crypto.subtle.verify({ name: "Ed25519" }, key, bytes.slice(21), bytes.slice(0, 21));
        }, function () { return null; })
        .then(function (valid) {
          if (valid === null) { return { refused: "no-crypto" }; }
          if (!valid) { return { refused: "bad-signature" }; }
          return { ticket: view.getUint32(1), tag: hex(bytes.slice(17, 21)) };
        });
    }

    function refuse(reason) {
      showResult("refused", say(reason));
    }

    // Check a ticket in with no connection: {token} from a QR code or {code} typed.
    function checkIn(body) {
      showBanner();
      if (!data) { refuse("no-list"); return Promise.resolve(); }
      var found = body.token ? readToken(body.token) : codeHash(body.code).then(function (hash) {
        var ticket = lookup.byHash[hash];
        return ticket ? { ticket: ticket, tag: null } : { refused: "unknown-code" };
      });
      return found.then(function (read) {
        if (read.refused) {
          if (read.refused === "unknown-code") {
            showResult("refused", fill(say("unknown-code"), { time: clock(Date.parse(data.generated_at)) }));
          } else {
            refuse(read.refused);
          }
          return null;
        }
        var ticket = read.ticket;
        if (lookup.cancelled[ticket]) { refuse("cancelled"); return null; }
        if (read.tag && lookup.byTicket[ticket] && lookup.byTicket[ticket].slice(0, 8) !== read.tag) {
          refuse("replaced");
          return null;
        }
        if (lookup["in"][ticket]) {
          showResult("already", fill(say("already-in"), { time: clock(Date.parse(data.generated_at)) }));
          return null;
        }
        return queued().then(function (scans) {
          var earlier = scans.filter(function (scan) { return scan.ticket === ticket; })[0];
          if (earlier) {
            showResult("already", fill(say("already-queued"), { time: clock(earlier.at) }));
            return null;
          }
          var scan = { id: newAttempt(), event: eventId, ticket: ticket, at: Date.now() };
          return store("queue", "readwrite", function (queue) { queue.put(scan); }).then(function () {
            queuedResult(scan);
            if (navigator.vibrate) { navigator.vibrate(80); }
            if (navigator.onLine) { sync(); }
          });
        });
      }).then(showBanner);
    }

    function queuedResult(scan) {
      showResult("queued", fill(say("queued"), { ticket: scan.ticket }));
      resultBox.appendChild(button(say("unqueue"), "door-button door-button--secondary door-undo", function () {
        store("queue", "readwrite", function (queue) { queue["delete"](scan.id); }).then(function () {
          showResult("undone", say("unqueued"));
          return showBanner();
        });
      }));
    }

    // Signing out from this page: send what is waiting, then forget everything the door kept.
    function forget() {
      window.localStorage.removeItem(DEVICE_KEY);
      var closing = dbOpening ? dbOpening.then(function (database) { database.close(); }) : Promise.resolve();
      return closing.then(function () {
        return new Promise(function (resolve) {
          var request = window.indexedDB.deleteDatabase(DB_NAME);
          request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
        });
      }).then(function () {
        if (!window.caches) { return null; }
        return window.caches.keys().then(function (names) {
          return Promise.all(names.filter(function (name) { return name.indexOf("thrive-door-") === 0; })
            .map(function (name) { return window.caches["delete"](name); }));
        });
      }).then(function () {
        if (!navigator.serviceWorker) { return null; }
        return navigator.serviceWorker.getRegistrations().then(function (registrations) {
          return Promise.all(registrations.map(function (registration) { return registration.unregister(); }));
        });
      })["catch"](function () { return null; });
    }

    var signOut = document.getElementById("door-sign-out");
    if (signOut) {
      signOut.addEventListener("submit", function (event) {
        if (signOut.getAttribute("data-forgotten")) { return; }
        event.preventDefault();
        sync().then(queued).then(function (scans) {
          if (scans.length && !signOut.getAttribute("data-anyway")) {
            showResult("refused", fill(say("unsent"), { count: scans.length }));
            resultBox.appendChild(button(say("sign-out-anyway"), "door-button door-button--secondary door-undo", function () {
              signOut.setAttribute("data-anyway", "1");
              signOut.requestSubmit();
            }));
            return;
          }
          forget().then(function () {
            signOut.setAttribute("data-forgotten", "1");
            var token = signOut.querySelector("input[name=csrfmiddlewaretoken]");
            if (token) { token.value = csrfToken; }
            signOut.submit();
          });
        });
      });
    }

    window.addEventListener("online", function () { offline = false; sync(); });
    window.addEventListener("offline", function () { offline = true; showBanner(); });
    window.setInterval(function () { if (navigator.onLine) { sync(); } }, 20000);

    if (navigator.serviceWorker && workerUrl) {
      navigator.serviceWorker.register(workerUrl)["catch"](function () { return null; });
    }
    store("data", "readonly", function (kept) { return kept.get(eventId); }).then(function (kept) {
      if (kept && !data) { use(kept); }
      return showBanner();
    }).then(function () {
      if (navigator.onLine) { return sync(); }
      return null;
    })["catch"](function () { return null; });

    return {
      isOffline: function () { return offline || !navigator.onLine; },
      wentOffline: function () { offline = true; },
      online: function () {
        if (offline) { offline = false; sync(); }
      },
      checkIn: checkIn,
      sync: sync,
      forget: forget
    };
  })();
})();

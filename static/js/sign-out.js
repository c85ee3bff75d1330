// Signing out anywhere makes the browser forget what the site kept on this device (the
// server answers with Clear-Site-Data). An offline door may still hold scans it has not
// sent; this asks before they are lost, on every sign-out form of the site and the admin.
// The door page's own Sign out sends them first (check-in.js) and is left to it.
(function () {
  "use strict";
  var script = document.currentScript;
  var question = script ? script.getAttribute("data-unsent") : "";
  var DB_NAME = "thrive-door";

  function isSignOut(form) {
    if (!form || form.tagName !== "FORM" || form.id === "door-sign-out") { return false; }
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") { return false; }
    var path;
    try { path = new URL(form.getAttribute("action") || "", window.location.href).pathname; } catch (error) { return false; }
    return /\/(accounts|admin)\/logout\/$/.test(path);
  }

  function unsentScans() {
    if (!window.indexedDB || !window.indexedDB.databases) { return Promise.resolve(0); }
    return window.indexedDB.databases().then(function (databases) {
      var kept = databases.some(function (database) { return database.name === DB_NAME; });
      if (!kept) { return 0; }
      return new Promise(function (resolve) {
        var opening = window.indexedDB.open(DB_NAME);
        opening.onerror = function () { resolve(0); };
        opening.onsuccess = function () {
          var database = opening.result;
          if (!database.objectStoreNames.contains("queue")) { database.close(); resolve(0); return; }
          var counting = database.transaction("queue").objectStore("queue").count();
          counting.onsuccess = function () { database.close(); resolve(counting.result); };
          counting.onerror = function () { database.close(); resolve(0); };
        };
      });
    })["catch"](function () { return 0; });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!isSignOut(form) || form.getAttribute("data-unsent-asked")) { return; }
    event.preventDefault();
    unsentScans().then(function (count) {
      if (count && !window.confirm((question || "{count}").replace("{count}", String(count)))) { return; }
      form.setAttribute("data-unsent-asked", "1");
      form.submit();
    });
  }, true);
})();

// Quick exit: leave this site at once, by the button or by pressing Shift three times.
// The page is blanked first (so nothing stays on screen while the next site loads), then
// location.replace() swaps this page out of the tab's history, so Back does not return here.
(function () {
  "use strict";
  var SHIFT_PRESSES = 3;
  var WINDOW_MS = 2000;
  var presses = [];

  function exitUrl() {
    var button = document.getElementById("quick-exit");
    return (button && button.getAttribute("data-exit-url")) || "https://www.bbc.co.uk/weather";
  }

  function quickExit(event) {
    if (event) { event.preventDefault(); }
    var url = exitUrl();
    document.title = "";
    document.documentElement.style.background = "#fff";
    if (document.body) { document.body.replaceChildren(); }
    try { window.sessionStorage.clear(); } catch (e) { /* storage may be disabled */ }
    window.location.replace(url);
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Shift" || event.repeat) { return; }
    var now = Date.now();
    presses = presses.filter(function (t) { return now - t < WINDOW_MS; });
    presses.push(now);
    if (presses.length >= SHIFT_PRESSES) { quickExit(); }
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("#quick-exit") : null;
    if (target) { quickExit(event); }
  });
})();

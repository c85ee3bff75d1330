// The time left on a reservation at checkout (no inline scripts). The server says how many
// seconds are left when it sent the page (the visitor's clock may be wrong); the page counts
// down from its own load. The visible text changes every few seconds; screen readers hear
// it only at 5 minutes, 1 minute and when the hold ends (WCAG 2.2.1: a warning before the
// time runs out, not a running commentary).
(function () {
  "use strict";
  var hold = document.querySelector("[data-hold-seconds]");
  if (!hold) { return; }
  var left = parseInt(hold.dataset.holdSeconds, 10);
  if (isNaN(left)) { return; }
  var shown = hold.querySelector("[data-countdown]");
  var announce = document.querySelector("[data-countdown-announce]");
  var ended = document.querySelector("[data-countdown-ended]");
  var deadline = Date.now() + left * 1000;
  var said = {};

  function words(seconds) {
    if (seconds >= 120) { return Math.floor(seconds / 60) + " minutes left"; }
    if (seconds >= 60) { return "1 minute left"; }
    return seconds + (seconds === 1 ? " second left" : " seconds left");
  }
  function tell(key, text) {
    if (said[key] || !announce) { return; }
    said[key] = true;
    announce.textContent = text;
  }
  function tick() {
    var seconds = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    if (seconds === 0) {
      shown.hidden = true;
      if (ended) { ended.hidden = false; }
      tell("ended", "The hold on your places has ended.");
      return;
    }
    shown.textContent = " (" + words(seconds) + ")";
    shown.hidden = false;
    if (seconds <= 60) { tell("1", "1 minute left to pay before the hold on your places ends."); }
    else if (seconds <= 300) { tell("5", "5 minutes left to pay before the hold on your places ends."); }
    window.setTimeout(tick, seconds > 120 ? 5000 : 1000);
  }
  tick();
}());

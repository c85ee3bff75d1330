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
  // The words, in the page's language: hold.dataset (data-countdown-*-words) and, for each
  // number of minutes or seconds left, the "countdown-words" JSON the server wrote.
  var source = document.getElementById("countdown-words");
  var counts = source ? JSON.parse(source.textContent) : null;

  function words(seconds) {
    var minutes = seconds >= 120 ? Math.floor(seconds / 60) : 1;
    var table = seconds >= 60 ? "minutes" : "seconds";
    var count = seconds >= 60 ? minutes : seconds;
    return (counts && counts[table] && counts[table][count]) || String(count);
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
      tell("ended", hold.dataset.countdownEndedWords);
      return;
    }
    shown.textContent = " (" + words(seconds) + ")";
    shown.hidden = false;
    if (seconds <= 60) { tell("1", hold.dataset.countdownOneMinuteWords); }
    else if (seconds <= 300) { tell("5", hold.dataset.countdownFiveMinutesWords); }
    window.setTimeout(tick, seconds > 120 ? 5000 : 1000);
  }
  tick();
}());

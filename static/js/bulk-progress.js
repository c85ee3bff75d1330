// Polls the bulk issuing job and updates its progress bar until it is done. Its words come from
// the page (data-label-text, data-count-text: translated there), with {status}, {done}, {total}.
(function () {
  "use strict";
  var root = document.getElementById("bulk-job");
  if (!root) { return; }
  var url = root.getAttribute("data-status-url");
  var labelText = root.getAttribute("data-label-text") || "{status}:";
  var countText = root.getAttribute("data-count-text") || "{done} / {total}";
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        document.getElementById("bulk-progress").value = job.percent;
        document.getElementById("bulk-progress").textContent = job.percent + "%";
        document.getElementById("bulk-label").firstChild.nodeValue = fill(labelText, { status: job.label }) + " ";
        document.getElementById("bulk-count").textContent = fill(countText, { done: job.done, total: job.total });
        if (job.status !== "done") { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
})();

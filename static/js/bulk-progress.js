// Polls the bulk issuing job and updates its progress bar until it is done.
(function () {
  "use strict";
  var root = document.getElementById("bulk-job");
  if (!root) { return; }
  var url = root.getAttribute("data-status-url");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        document.getElementById("bulk-progress").value = job.percent;
        document.getElementById("bulk-progress").textContent = job.percent + "%";
        document.getElementById("bulk-label").firstChild.nodeValue = job.label + ": ";
        document.getElementById("bulk-count").textContent = job.done + " of " + job.total;
        if (job.status !== "done") { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
})();

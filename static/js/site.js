// Small enhancements that the site works without.
(function () {
  "use strict";
  // Contact addresses arrive reversed so that harvesting robots cannot read them.
  document.querySelectorAll(".protected-email[data-reversed]").forEach(function (el) {
    var address = el.getAttribute("data-reversed").split("").reverse().join("");
    var link = document.createElement("a");
    link.href = "mailto:" + address;
    link.textContent = address;
    el.replaceWith(link);
  });
})();

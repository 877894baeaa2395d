/* Verbund staff screens: live document status (forms: verbund-forms.js). No inline scripts. */
(function () {
  "use strict";

  // documents being produced: ask for their status until they are finished or failed
  var labels = { queued: "wartet", started: "wird erstellt", finished: "fertig", failed: "fehlgeschlagen" };
  function poll(item) {
    var status = item.getAttribute("data-status");
    if (status === "finished" || status === "failed") { return; }
    window.setTimeout(function () {
      fetch(item.getAttribute("data-status-url"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (doc) {
          if (!doc) { return; }
          item.setAttribute("data-status", doc.status);
          var badge = item.querySelector(".verbund-status");
          badge.textContent = labels[doc.status] || doc.status;
          badge.className = "badge verbund-status badge-" +
            (doc.status === "finished" ? "success" : doc.status === "failed" ? "danger" : "secondary");
          if (doc.status === "finished") {
            item.querySelectorAll(".verbund-download, .verbund-download-pdf").forEach(function (link) { link.classList.remove("d-none"); });
          }
          item.querySelector(".verbund-error").textContent = doc.error || "";
          var retry = item.querySelector(".verbund-retry");
          if (retry && doc.status === "failed") { retry.classList.remove("d-none"); }
          poll(item);
        })
        .catch(function () { poll(item); });
    }, 1000);
  }
  document.querySelectorAll(".verbund-document").forEach(poll);
})();

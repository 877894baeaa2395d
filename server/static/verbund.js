/* Verbund staff screens: table rows and live document status. No inline scripts anywhere. */
(function () {
  "use strict";

  // "Zeile hinzufügen": copy the last row of a table field with fresh names and empty inputs
  document.querySelectorAll(".verbund-add-row").forEach(function (button) {
    button.addEventListener("click", function () {
      var name = button.getAttribute("data-table");
      var table = document.querySelector('table[data-name="' + name + '"] tbody');
      var rows = table.querySelectorAll("tr.verbund-row");
      var last = rows[rows.length - 1];
      var next = 0;
      table.querySelectorAll("[name]").forEach(function (el) {
        var rest = el.name.slice(name.length + 1);
        var n = parseInt(rest.split("-")[0], 10);
        if (!isNaN(n) && n >= next) { next = n + 1; }
      });
      var copy = last.cloneNode(true);
      copy.querySelectorAll("[name]").forEach(function (el) {
        var rest = el.name.slice(name.length + 1);
        var col = rest.slice(rest.indexOf("-") + 1);
        el.name = name + "-" + next + "-" + col;
        if (el.id) { el.id = el.name; }
        if (el.type === "checkbox") { el.checked = false; } else { el.value = ""; }
        el.classList.remove("is-invalid");
      });
      copy.querySelectorAll(".invalid-feedback").forEach(function (el) { el.remove(); });
      table.appendChild(copy);
    });
  });

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
          if (doc.status === "finished") { item.querySelector(".verbund-download").classList.remove("d-none"); }
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

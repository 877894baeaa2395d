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

/* Verbund staff screens: focus after a form was sent (WCAG 2.4.3, 4.1.3). Errors and help
   are tied to their inputs by the server (templates/verbund/_widgets.html, aria-describedby,
   aria-invalid, required), so they are right without this script too. */
(function () {
  "use strict";
  // after sending a form: the error summary, else the message, takes the focus (and is read)
  var target = document.querySelector(".verbund-error-summary") ||
    document.querySelector("#meldungen-fehler:not(:empty)") ||
    document.querySelector("#meldungen:not(:empty)");
  if (target && target.children.length) { target.focus(); }
})();

/* Verbund staff screens: data tables at 320 CSS px (WCAG 1.4.10 reflow). A table wider than the
   screen scrolls inside its own box instead of the page; a box that scrolls is a named region
   in the Tab order, so keyboard users can scroll it too. Form tables stack instead (verbund.css). */
(function () {
  "use strict";
  var boxes = [];
  document.querySelectorAll("main table:not(.verbund-table)").forEach(function (table) {
    var box = table.parentElement;
    if (!box.classList.contains("table-responsive")) {
      box = document.createElement("div");
      box.className = "table-responsive";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    }
    boxes.push(box);
  });
  function name(table) {
    var caption = table.querySelector("caption");
    if (caption) { return caption.textContent.trim(); }
    var label = table.getAttribute("aria-label");
    if (label) { return label; }
    var heading = table.closest("section, .card, details, main").querySelector("h1, h2, h3, summary");
    return heading ? heading.textContent.trim() : "";
  }
  function mark() {
    boxes.forEach(function (box) {
      if (box.hasAttribute("tabindex") && !box.hasAttribute("data-verbund-scroll")) {
        return;  // the screen's template made it a region itself
      }
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("data-verbund-scroll", "");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", ("Tabelle " + name(box.querySelector("table"))).trim() + " (seitlich verschiebbar)");
      } else if (box.hasAttribute("data-verbund-scroll")) {
        box.removeAttribute("data-verbund-scroll");
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  mark();
  window.addEventListener("resize", mark);
})();

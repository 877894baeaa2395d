/* Verbund record page: the "Verlauf" read on demand (server/web/record_history.py). The
   link opens the page with the history without JavaScript; with it, the history is fetched
   and put into the card, the list takes the focus and the status line says what happened. */
(function () {
  "use strict";
  document.querySelectorAll("a.verbund-history-load").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) { return; }
      event.preventDefault();
      var card = link.closest("#verlauf");
      var slot = card.querySelector(".verbund-history-slot");
      var status = card.querySelector("#verlauf-status");
      status.textContent = "Verlauf wird geladen …";
      fetch(link.getAttribute("data-fragment"), { credentials: "same-origin" })
        .then(function (answer) {
          if (!answer.ok) { throw new Error("HTTP " + answer.status); }
          return answer.text();
        })
        .then(function (html) {
          slot.innerHTML = html;  // rendered (and escaped) by the server's template
          var list = slot.querySelector("#verlauf-liste");
          var count = list ? list.querySelectorAll(":scope > li").length : 0;
          status.textContent = "Verlauf geladen: " + count + (count === 1 ? " Eintrag." : " Einträge.");
          if (list) { list.focus(); }
        })
        .catch(function () { window.location.href = link.href; });  // the page with it
    });
  });
})();

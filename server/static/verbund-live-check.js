/* Verbund builders: check the draft while typing (progressive enhancement, no framework).

   An editor form with data-live-check="<url>" is posted there (draft, CSRF token, inputs)
   after a pause in typing. The answer's German messages appear at their input (tied with
   aria-describedby, the input marked aria-invalid), the others in a list at the top of the
   editor; a polite live region announces the count. Nothing is saved: "Übernehmen" still
   applies the inputs, and without JavaScript the check after each button stays. */
(function () {
  "use strict";
  var PAUSE = 700; // milliseconds without typing before the draft is checked

  function inputFor(form, key) {
    if (!key) { return null; }
    var names = [key, "set-" + key];
    for (var i = 0; i < names.length; i++) {
      var found = form.querySelector('[name="' + names[i] + '"]:not([type="hidden"])');
      if (found) { return found; }
    }
    return null;
  }

  function setup(form, number) {
    var url = form.getAttribute("data-live-check");
    var status = document.createElement("p");
    status.className = "small text-muted mb-2";
    status.id = "live-status-" + number;
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    var list = document.createElement("ul");
    list.className = "small text-danger mb-2 verbund-live-list";
    list.id = "live-list-" + number;
    list.hidden = true;
    var anchor = form.querySelector("textarea[name=toml]");
    form.insertBefore(list, anchor ? anchor.nextSibling : form.firstChild);
    form.insertBefore(status, list);
    var timer = null;
    var sequence = 0;

    function clear() {
      form.querySelectorAll(".verbund-live-error").forEach(function (el) { el.remove(); });
      form.querySelectorAll("[data-live-invalid]").forEach(function (input) {
        var base = input.getAttribute("data-described") || "";
        if (base) { input.setAttribute("aria-describedby", base); }
        else { input.removeAttribute("aria-describedby"); }
        input.removeAttribute("aria-invalid");
        input.removeAttribute("data-live-invalid");
      });
      list.innerHTML = "";
      list.hidden = true;
    }

    function message(problem) {
      return problem.message + (problem.where ? " (" + problem.where + ")" : "");
    }

    function show(result) {
      clear();
      result.problems.forEach(function (problem, index) {
        var input = inputFor(form, problem.key);
        if (!input) {
          var item = document.createElement("li");
          item.textContent = message(problem);
          list.appendChild(item);
          list.hidden = false;
          return;
        }
        var note = document.createElement("div");
        note.className = "small text-danger verbund-live-error";
        note.id = "live-error-" + number + "-" + index;
        note.textContent = message(problem);
        input.parentNode.appendChild(note);
        if (!input.hasAttribute("data-live-invalid")) {
          input.setAttribute("data-described", input.getAttribute("aria-describedby") || "");
          input.setAttribute("data-live-invalid", "1");
        }
        var described = (input.getAttribute("aria-describedby") || "").trim();
        input.setAttribute("aria-describedby", (described + " " + note.id).trim());
        input.setAttribute("aria-invalid", "true");
      });
      status.textContent = result.summary;
      status.className = "small mb-2 " + (result.count ? "text-danger" : "text-success");
    }

    function check() {
      var data = new FormData(form);
      data.set("action", "save");
      var mine = ++sequence;
      fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (result) {
        if (result && mine === sequence) { show(result); }
      }).catch(function () { /* offline: the button still checks */ });
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, PAUSE);
    }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
  }

  document.querySelectorAll("form[data-live-check]").forEach(setup);
})();

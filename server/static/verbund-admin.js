/* Verbund administration: line numbers for the TOML editor, jumping to an error's line,
   and confirmation before destructive buttons. No inline scripts anywhere. */
(function () {
  "use strict";

  document.querySelectorAll(".verbund-editor").forEach(function (editor) {
    var gutter = editor.querySelector(".verbund-gutter");
    var area = editor.querySelector("textarea");
    var errors = (editor.getAttribute("data-error-lines") || "").split(",")
      .filter(Boolean).map(Number);
    var shown = -1;

    function number() {
      var count = area.value.split("\n").length;
      if (count === shown) { return; }
      shown = count;
      var html = [];
      for (var i = 1; i <= count; i++) {
        var cls = errors.indexOf(i) >= 0 ? ' class="verbund-error-line"' : "";
        html.push('<span id="zeile-' + i + '"' + cls + ">" + i + "</span>");
      }
      gutter.innerHTML = html.join("");
      gutter.scrollTop = area.scrollTop;
    }
    area.addEventListener("input", number);
    area.addEventListener("scroll", function () { gutter.scrollTop = area.scrollTop; });
    number();
  });

  // "Zeile 12": put the cursor on that line of the editor and scroll it into view
  document.querySelectorAll(".verbund-goto").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var area = document.getElementById("toml");
      if (!area) { return; }
      event.preventDefault();
      var line = parseInt(link.getAttribute("data-line"), 10) || 1;
      var lines = area.value.split("\n");
      var start = 0;
      for (var i = 0; i < line - 1 && i < lines.length; i++) { start += lines[i].length + 1; }
      var end = start + (lines[line - 1] || "").length;
      area.focus();
      area.setSelectionRange(start, end);
      var lineHeight = parseFloat(window.getComputedStyle(area).lineHeight) || 20;
      area.scrollTop = Math.max(0, (line - 4) * lineHeight);
    });
  });

  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
})();

/* Verbund: forms on the record page — show_if while typing, table rows and their per-row
 * conditions, calculated fields shown live, file size check.
 * Needs verbund-expr.js, verbund-compute.js and verbund-input.js first. No inline scripts: data attributes only. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("verbund-js");

  // ---- table rows: add, remove, move; names stay <table>-<n>-<column> with n = position ----
  function rows(table) { return Array.prototype.slice.call(table.tBodies[0].rows); }

  function renumber(table) {
    var name = table.getAttribute("data-name");
    var pattern = new RegExp("^" + name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "-(\\d+|__ROW__)-");
    rows(table).forEach(function (row, n) {
      row.querySelectorAll("[name], [id], label[for], [aria-describedby]").forEach(function (el) {
        // aria-describedby lists the ids of the cell's messages (rendered by the server)
        ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (!value) { return; }
          var renamed = value.split(" ").map(function (part) {
            return pattern.test(part) ? part.replace(pattern, name + "-" + n + "-") : part;
          }).join(" ");
          if (renamed !== value) { el.setAttribute(attr, renamed); }
        });
      });
    });
  }

  function addRow(table) {
    var name = table.getAttribute("data-name");
    var template = document.querySelector('template.verbund-row-template[data-table="' + name + '"]');
    if (!template) { return null; }
    var row = template.content.firstElementChild.cloneNode(true);
    table.tBodies[0].appendChild(row);
    renumber(table);
    return row;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".verbund-add-row, .verbund-row-up, .verbund-row-down, .verbund-row-remove");
    if (!button) { return; }
    var table, row;
    if (button.classList.contains("verbund-add-row")) {
      table = document.querySelector('table.verbund-table[data-name="' + button.getAttribute("data-table") + '"]');
      row = table && addRow(table);
      var first = row && row.querySelector("input:not([type=checkbox]), select, textarea");
      if (first) { first.focus(); }
    } else {
      row = button.closest("tr.verbund-row");
      table = row.closest("table.verbund-table");
      if (button.classList.contains("verbund-row-up") && row.previousElementSibling) {
        row.parentNode.insertBefore(row, row.previousElementSibling);
      } else if (button.classList.contains("verbund-row-down") && row.nextElementSibling) {
        row.parentNode.insertBefore(row.nextElementSibling, row);
      } else if (button.classList.contains("verbund-row-remove")) {
        // the focus must not vanish with the row: the same button of the next (or previous)
        // row takes it, or "Zeile hinzufügen" when the table is empty
        var neighbour = row.nextElementSibling || row.previousElementSibling;
        var add = document.querySelector('.verbund-add-row[data-table="' + table.getAttribute("data-name") + '"]');
        row.remove();
        button = (neighbour && neighbour.querySelector(".verbund-row-remove")) || add || button;
      }
      renumber(table);
      button.focus();
    }
    if (table) { update(table.closest("form")); }
  });

  // ---- show_if: the raw values the form would submit, evaluated like on the server ---------
  function control(form, name) { return form.querySelector('[name="' + name + '"]'); }

  function rawValue(form, name, field) {
    var el;
    // by the widget the field type draws (templates/verbund/_widgets.html)
    switch (field.widget) {
      case "checkbox":
        el = control(form, name);
        return el && el.checked ? (el.value || "on") : "";
      case "scale": {
        var chosen = form.querySelector('[name="' + name + '"]:checked');
        return chosen ? chosen.value : "";
      }
      case "checkboxes":
        return Array.prototype.slice.call(form.querySelectorAll('[name="' + name + '"]'))
          .filter(function (box) { return box.checked; })
          .map(function (box) { return box.value; });
      case "table": {
        var table = form.querySelector('table.verbund-table[data-name="' + name + '"]');
        if (!table) { return []; }
        return rows(table).map(function (row, n) {
          var remove = control(row, name + "-" + n + "-_remove");
          if (remove && remove.checked) { return null; }
          var values = {};
          field.columns.forEach(function (column) {
            values[column.name] = rawValue(row, name + "-" + n + "-" + column.name, column);
          });
          return values;
        }).filter(Boolean);
      }
      case "file": {
        var remove = control(form, name + "-_remove");
        var chooser = control(form, name + "-_upload");
        if (remove && remove.checked) { return ""; }
        if (chooser && chooser.files && chooser.files.length) { return chooser.files[0].name; }
        var kept = control(form, name);
        var current = kept && kept.value ? kept.parentNode.querySelector(".verbund-file-current") : null;
        return current ? current.getAttribute("data-file-name") : "";
      }
      default:
        el = control(form, name);
        return el ? el.value : "";
    }
  }

  function update(form) {
    if (!form || !form.hasAttribute("data-show-if")) { return; }
    var spec = form._verbundSpec || (form._verbundSpec = JSON.parse(form.getAttribute("data-show-if")));
    var prefix = form.getAttribute("data-form") + "-";
    var raw = {};
    Object.keys(spec.fields).forEach(function (name) {
      raw[name] = rawValue(form, prefix + name, spec.fields[name]);
    });
    var hidden;
    try {
      hidden = window.VerbundInput.hiddenFields(spec, raw);
    } catch (e) {
      return; // never hide a field because of a fault here; the server decides on saving
    }
    spec.order.forEach(function (name) {
      var box = form.querySelector('.verbund-field[data-field="' + name + '"]');
      if (box) { box.hidden = hidden.indexOf(name) !== -1; }
    });
    (spec.tables || []).forEach(function (name) { updateRows(form, prefix + name, spec.fields[name]); });
    if (spec.compute) { showComputed(form, prefix, spec, raw); }
  }

  // ---- calculated fields: the server's computation, shown while typing ---------------------
  function showComputed(form, prefix, spec, raw) {
    var values;
    try {
      values = window.VerbundInput.computedValues(spec, raw);
    } catch (e) {
      return; // the server computes on saving in any case
    }
    Object.keys(values).forEach(function (name) {
      var el = control(form, prefix + name);
      var text = window.VerbundCompute.inputText(values[name]);
      if (el && el.value !== text) { el.value = text; }
    });
  }

  // ---- conditions inside tables: each row shows and requires its cells by its own values ---
  function updateRows(form, name, field) {
    var table = form.querySelector('table.verbund-table[data-name="' + name + '"]');
    if (!table || !field || !field.rows) { return; }
    rows(table).forEach(function (row, n) {
      var raw = {};
      field.columns.forEach(function (column) {
        raw[column.name] = rawValue(row, name + "-" + n + "-" + column.name, column);
      });
      var states;
      try {
        states = window.VerbundInput.rowStates(field, raw);
      } catch (e) {
        return;
      }
      field.columns.forEach(function (column, index) {
        var cell = row.cells[index];
        if (!cell) { return; }
        var hide = states.hidden.indexOf(column.name) !== -1;
        Array.prototype.forEach.call(cell.children, function (child) { child.hidden = hide; });
        if (!(column.name in field.rows.required_if)) { return; }
        var needed = states.required.indexOf(column.name) !== -1;
        var input = control(cell, name + "-" + n + "-" + column.name);
        if (input) { input.required = needed; }
        var label = cell.querySelector(".verbund-cell-label");
        var star = label && label.querySelector(".verbund-row-required");
        if (label && needed && !star) {
          star = document.createElement("span");
          star.className = "verbund-row-required";
          star.setAttribute("aria-hidden", "true");
          star.textContent = " *";
          label.appendChild(star);
        } else if (star && !needed) {
          star.remove();
        }
      });
    });
  }

  document.querySelectorAll("form[data-show-if]").forEach(function (form) {
    form.addEventListener("input", function () { update(form); });
    form.addEventListener("change", function () { update(form); });
    update(form);
  });

  // ---- files: refuse one that is too big before sending the whole form ---------------------
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) { return; }
    var box = input.parentNode, old = box.querySelector(".verbund-too-large");
    if (old) { old.remove(); }
    input.classList.remove("is-invalid");
    var file = input.files && input.files[0];
    if (file && file.size > Number(input.getAttribute("data-max-bytes"))) {
      var message = document.createElement("div");
      message.className = "invalid-feedback d-block verbund-too-large";
      message.textContent = input.getAttribute("data-too-large");
      input.classList.add("is-invalid");
      input.value = "";
      input.insertAdjacentElement("afterend", message);
      update(input.closest("form"));
    }
  });
})();

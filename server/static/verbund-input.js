/* Verbund: what the user typed, cleaned as the field types (server/schema/fieldtypes/) clean
 * it, and the fields a form's show_if conditions hide for it (with verbund-expr.js, loaded
 * first). CLEAN is the one table of field types in the browser: a type names its entry in
 * its ``browser_clean`` (default: its own name), sent as ``clean`` in the form's spec.
 *
 * A value the server would refuse is empty here too, so the browser hides and shows fields
 * exactly as the server will decide on saving. Runs in the browser (window.VerbundInput)
 * and under node for tests/forms/test_show_if_agreement.py.
 */
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) {
    module.exports = factory(require("./verbund-expr.js"), require("./verbund-compute.js"));
  } else {
    root.VerbundInput = factory(root.VerbundExpr, root.VerbundCompute);
  }
})(this, function (expr, calc) {
  "use strict";
  var Decimal = expr.Decimal, PyDate = expr.PyDate, PyDict = expr.PyDict;
  var WS = expr.WS, strip = expr.strip, codePoints = expr.codePoints;
  var SPLIT = new RegExp("[" + WS + "]+");

  var MAX_TEXT = 100000;
  var DIGIT = /\p{Nd}/u;

  function digitValue(ch) {
    // Unicode decimal digits come in runs of ten: the value is the distance from the run's 0
    var cp = ch.codePointAt(0), start = cp;
    while (start > 0 && DIGIT.test(String.fromCodePoint(start - 1))) { start -= 1; }
    return (cp - start) % 10;
  }

  function toBigInt(digits) {
    var out = 0n;
    Array.from(digits).forEach(function (d) { out = out * 10n + BigInt(digitValue(d)); });
    return out;
  }

  function textInput(raw) {
    if (raw === null || raw === undefined) { return ""; }
    if (typeof raw !== "string") { return null; }
    if (raw.indexOf("\u0000") !== -1) { return null; }
    if (raw.length > MAX_TEXT && codePoints(raw).length > MAX_TEXT) { return null; }
    return raw;
  }

  var EMAIL = new RegExp("^[^@" + WS + "]+@[^@" + WS + "]+\\.[^@" + WS + "]+$", "u");
  var INTEGER = /^[-+]?\p{Nd}{1,18}$/u;
  var DECIMAL = /^([-+]?)(?:(\p{Nd}{1,18})(?:\.(\p{Nd}{0,10}))?|\.(\p{Nd}{1,10}))$/u;
  var GERMAN_DATE = /^(\p{Nd}{1,2})\.(\p{Nd}{1,2})\.(\p{Nd}{4})$/u;
  var ISO_DATE = /^\p{Nd}{4}-\p{Nd}{2}-\p{Nd}{2}$/u;
  var TRUE_WORDS = ["true", "1", "on", "yes", "ja", "y"];
  var FALSE_WORDS = ["false", "0", "off", "no", "nein", "n", ""];

  function blank(raw) { return raw === null || raw === undefined || strip(String(raw)) === ""; }

  function makeDate(y, m, d) {
    var days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30,
      31, 31, 30, 31, 30, 31];
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > days[m - 1]) { return null; }
    return new PyDate(y, m, d);
  }

  /* A file name as the server keeps it (server/forms/filekinds.py safe_filename). */
  function safeFilename(name) {
    var base = String(name).split(/[\\/]/).pop();
    var cleaned = strip(Array.from(base).filter(function (c) {
      var cp = c.codePointAt(0);
      return cp >= 0x20 && cp !== 0x7f && !(cp >= 0x80 && cp < 0xa0) &&
        !(cp >= 0x202a && cp <= 0x202e) && !(cp >= 0x2066 && cp <= 0x2069);
    }).join(""));
    var chars = Array.from(cleaned);
    if (chars.length > 200) { cleaned = strip(chars.slice(chars.length - 200).join("")); }
    return cleaned && cleaned !== "." && cleaned !== ".." ? cleaned : "datei";
  }

  // each returns the typed value (what a condition sees), null for empty or refused input
  var CLEAN = {
    text: function (raw) {
      var text = textInput(raw);
      if (text === null) { return null; }
      text = strip(text);
      if (/[\n\r]/.test(text)) { text = text.split(SPLIT).filter(Boolean).join(" "); }
      return text || null;
    },
    textarea: function (raw) {
      var text = textInput(raw);
      return text === null ? null : (strip(text.replace(/\r\n/g, "\n")) || null);
    },
    email: function (raw) {
      var text = CLEAN.text(raw);
      return text !== null && EMAIL.test(text) ? text : null;
    },
    integer: function (raw) {
      if (blank(raw)) { return null; }
      var text = strip(raw);
      return INTEGER.test(text) ? (text[0] === "-" ? -1n : 1n) * toBigInt(text.replace(/^[-+]/, "")) : null;
    },
    decimal: function (raw) {
      if (blank(raw)) { return null; }
      var text = strip(raw);
      if (text.indexOf(",") !== -1) { text = text.replace(/\./g, "").replace(/,/g, "."); }
      var m = DECIMAL.exec(text);
      if (!m) { return null; }
      var whole = m[2] || "", frac = m[3] !== undefined ? m[3] : (m[4] || "");
      var mantissa = toBigInt(whole + frac) * (m[1] === "-" ? -1n : 1n);
      return new Decimal(mantissa, Array.from(frac).length);
    },
    date: function (raw) {
      if (blank(raw)) { return null; }
      var text = strip(raw), m = GERMAN_DATE.exec(text);
      if (m) {
        return makeDate(Number(toBigInt(m[3])), Number(toBigInt(m[2])), Number(toBigInt(m[1])));
      }
      // Python's date.fromisoformat takes ASCII digits only
      if (ISO_DATE.test(text) && /^[0-9-]+$/.test(text)) {
        return makeDate(+text.slice(0, 4), +text.slice(5, 7), +text.slice(8, 10));
      }
      return null;
    },
    boolean: function (raw) {
      if (raw === null || raw === undefined || typeof raw === "boolean") { return !!raw; }
      var word = strip(String(raw)).toLowerCase();
      if (TRUE_WORDS.indexOf(word) !== -1) { return true; }
      return FALSE_WORDS.indexOf(word) !== -1 ? false : null;
    },
    select: function (raw, field) {
      if (raw === null || raw === undefined || raw === "") { return null; }
      return field.choices.indexOf(String(raw)) !== -1 ? String(raw) : null;
    },
    multiselect: function (raw, field) {
      if (raw === null || raw === undefined || raw === "") { return []; }
      var items = typeof raw === "string" ? [raw] : raw;
      if (!items.every(function (x) { return field.choices.indexOf(x) !== -1; })) { return null; }
      return field.choices.filter(function (c) { return items.indexOf(c) !== -1; });
    },
    reference: function (raw) {
      if (raw === null || raw === undefined || raw === "") { return null; }
      var text = strip(String(raw));
      if (!/^[0-9]{1,19}$/.test(text)) { return null; }
      var id = BigInt(text);
      return id > 0n && id < 2n ** 63n ? id : null;
    },
    file: function (raw) {
      // the screen's raw value is the file's name (chosen or kept); the server sees the same
      return raw ? safeFilename(raw) : null;
    },
    table: function (raw, field) {
      if (!Array.isArray(raw) || raw.length > 1000) { return null; }
      var rows = [];
      raw.forEach(function (row) {
        var values = field.columns.map(function (c) { return row[c.name]; });
        var empty = values.every(function (v) {
          return v === null || v === undefined || v === "" || v === false ||
            (Array.isArray(v) && v.length === 0);
        });
        if (empty) { return; } // the screen always offers a blank row; it is not a row
        var cells = new Map();
        field.columns.forEach(function (c) {
          var value = cleaner(c)(row[c.name], c);
          cells.set(c.name, value === null && c.list ? [] : value);
        });
        rows.push(new PyDict(cells));
      });
      return rows;
    }
  };

  /* The entry of CLEAN for a field of the spec (older specs name only the type). */
  function cleaner(field) { return CLEAN[field.clean || field.type]; }

  /* The value of an unfilled field: a list for list types (multiselect, table). */
  function emptyValue(field) { return field.list ? [] : null; }

  /* The cleaned values and the fields show_if hides, for raw input {field: value as the
     form would submit it}; a hidden field counts as empty from then on.
     spec: {"fields": {name: {type, choices?, columns?}}, "order": [...], "conditions": {...}} */
  function decide(spec, raw) {
    var names = new Map();
    Object.keys(spec.fields).forEach(function (name) {
      var field = spec.fields[name], value = cleaner(field)(raw[name], field);
      names.set(name, value === null ? emptyValue(field) : value);
    });
    var hidden = [];
    spec.order.forEach(function (name) {
      if (!expr.condition(spec.conditions[name], names)) {
        hidden.push(name);
        if (names.has(name)) { names.set(name, emptyValue(spec.fields[name])); }
      }
    });
    return { names: names, hidden: hidden };
  }

  function hiddenFields(spec, raw) { return decide(spec, raw).hidden; }

  function isoDate(text) {
    return new PyDate(+text.slice(0, 4), +text.slice(5, 7), +text.slice(8, 10));
  }

  /* The computed fields' values as the server will store them ({field: text or null}),
     like server/forms/computed.py apply_computed: after show_if, what was typed into a
     computed field is ignored, each computation sees those before it. */
  function computedValues(spec, raw) {
    var c = spec.compute, out = {};
    if (!c) { return out; }
    var decided = decide(spec, raw), names = decided.names, today = isoDate(c.today);
    c.order.forEach(function (name) { names.set(name, null); });
    c.order.forEach(function (name) {
      var stored = null;
      if (decided.hidden.indexOf(name) === -1) {
        stored = calc.storedValue(c.types[name], calc.compute(c.trees[name], names, today));
      }
      out[name] = stored;
      names.set(name, calc.typedStored(c.types[name], stored));
    });
    return out;
  }

  /* One table row's column states, like server/schema/row_conditions.py row_states:
     {hidden: [...], required: [...]} for the raw cells {column: value} of the row. */
  function rowStates(field, rawRow) {
    var rows = field.rows, names = new Map(), byName = {};
    field.columns.forEach(function (column) {
      byName[column.name] = column;
      var value = cleaner(column)(rawRow[column.name], column);
      names.set(column.name, value === null ? emptyValue(column) : value);
    });
    var hidden = [];
    rows.order.forEach(function (name) {
      if (!expr.condition(rows.show_if[name], names)) {
        hidden.push(name);
        names.set(name, emptyValue(byName[name]));
      }
    });
    var required = Object.keys(rows.required_if).filter(function (name) {
      return hidden.indexOf(name) === -1 && expr.condition(rows.required_if[name], names);
    });
    return { hidden: hidden, required: required };
  }

  return {
    clean: CLEAN,
    computedValues: computedValues,
    hiddenFields: hiddenFields,
    rowStates: rowStates,
    safeFilename: safeFilename
  };
});

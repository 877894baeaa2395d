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


  // ---- issue 20: time, datetime, phone, money, scale (server/schema/fieldtypes/) ----------
  var ASCII_WS = "[ \\t\\n\\r\\f\\v]*";
  var TIME = new RegExp("^([0-9]{1,2})(?:[:.]([0-9]{2})(?::([0-9]{2}))?)?(?:" + ASCII_WS + "Uhr)?$");
  var ISO_LOCAL = /^([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?$/;
  var ISO_ZONED = /^([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]{1,6})?)?(Z|([+-])([01][0-9]|2[0-3]):([0-5][0-9]))$/;
  var GERMAN_MOMENT = new RegExp("^([0-9]{1,2})\\.([0-9]{1,2})\\.([0-9]{4}),?[ \\t\\n\\r\\f\\v]+" +
    "([0-9]{1,2})[:.]([0-9]{2})(?::([0-9]{2}))?(?:" + ASCII_WS + "Uhr)?(?:" + ASCII_WS +
    "(MESZ|MEZ))?$", "i");
  var HOUR = 3600000, FIRST_YEAR = 1900, LAST_YEAR = 2199;
  var BERLIN = null;

  function pad(n, width) { return String(n).padStart(width || 2, "0"); }

  /* Berlin's wall clock at a UTC instant (ms), as [y, m, d, h, mi, s]. */
  function berlinWall(ms) {
    BERLIN = BERLIN || new Intl.DateTimeFormat("en-US", { timeZone: "Europe/Berlin",
      hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric",
      minute: "numeric", second: "numeric" });
    var out = {};
    BERLIN.formatToParts(new Date(ms)).forEach(function (p) { out[p.type] = Number(p.value); });
    return [out.year, out.month, out.day, out.hour, out.minute, out.second];
  }

  function validWall(y, mo, d, h, mi, s) {
    return makeDate(y, mo, d) !== null && h <= 23 && mi <= 59 && s <= 59;
  }

  /* Berlin wall time to UTC ms like the server (moments.py from_local): a time that does not
     exist is null, the doubled hour is the first (summer time) unless zone names MEZ/MESZ. */
  function fromBerlin(y, mo, d, h, mi, s, zone) {
    if (!validWall(y, mo, d, h, mi, s) || y < FIRST_YEAR || y > LAST_YEAR) { return null; }
    var naive = Date.UTC(y, mo - 1, d, h, mi, s), wall = [y, mo, d, h, mi, s].join(",");
    var offsets = zone ? [zone.toUpperCase() === "MESZ" ? 2 : 1] : [3, 2, 1];
    for (var i = 0; i < offsets.length; i += 1) {
      if (berlinWall(naive - offsets[i] * HOUR).join(",") === wall) { return naive - offsets[i] * HOUR; }
    }
    return null;
  }

  function utcText(ms) {
    if (ms === null) { return null; }
    var year = berlinWall(ms)[0];
    if (year < FIRST_YEAR || year > LAST_YEAR) { return null; }
    return new Date(ms).toISOString().slice(0, 19) + "Z";
  }

  function moment(raw) {
    if (blank(raw) || typeof raw !== "string") { return null; }
    var text = strip(raw), m = ISO_ZONED.exec(text);
    if (m) {
      var n = m.slice(1, 7).map(function (x) { return Number(x || 0); });
      if (!validWall(n[0], n[1], n[2], n[3], n[4], n[5])) { return null; }
      var offset = m[7] === "Z" ? 0 : (m[8] === "-" ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10])) * 60000;
      return utcText(Date.UTC(n[0], n[1] - 1, n[2], n[3], n[4], n[5]) - offset);
    }
    if ((m = ISO_LOCAL.exec(text))) {
      return utcText(fromBerlin(+m[1], +m[2], +m[3], +m[4], +m[5], +(m[6] || 0), null));
    }
    if ((m = GERMAN_MOMENT.exec(text))) {
      return utcText(fromBerlin(+m[3], +m[2], +m[1], +m[4], +m[5], +(m[6] || 0), m[7] || null));
    }
    return null;
  }

  var GERMAN_AMOUNT = /^(?:[-+]?[0-9]{1,3}(\.[0-9]{3})*(,[0-9]*)?|[-+]?[0-9]+(,[0-9]*)?|[-+]?,[0-9]+)$/;
  var PLAIN_AMOUNT = /^([-+]?)([0-9]*)(?:\.([0-9]*))?$/;
  var GROUPS_ONLY = /^[-+]?[0-9]{1,3}(\.[0-9]{3})+$/;

  /* An amount like money.py parse_amount: a Decimal with two places, or null. */
  function amount(raw, currency) {
    if (blank(raw) || typeof raw !== "string") { return null; }
    var text = strip(raw);
    ["€", "EUR", currency || "EUR"].forEach(function (sign) {
      if (text.toUpperCase().endsWith(sign)) { text = text.slice(0, text.length - sign.length); }
      if (text.toUpperCase().startsWith(sign)) { text = text.slice(sign.length); }
    });
    text = text.replace(/[\u00a0 ]/g, "");
    if (text.indexOf(",") !== -1 || GROUPS_ONLY.test(text)) {
      if (!GERMAN_AMOUNT.test(text)) { return null; }
      text = text.replace(/\./g, "").replace(/,/g, ".");
    }
    var m = PLAIN_AMOUNT.exec(text);
    if (!m || (m[2] === "" && !m[3]) || (m[2] + (m[3] || "")).length > 17) { return null; }
    var frac = m[3] || "";
    if (/[1-9]/.test(frac.slice(2)) || m[2].replace(/^0+/, "").length > 15) { return null; }
    var mantissa = BigInt((m[2] || "0") + (frac + "00").slice(0, 2));
    return new Decimal(m[1] === "-" ? -mantissa : mantissa, 2);
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
    time: function (raw) {
      if (blank(raw) || typeof raw !== "string") { return null; }
      var m = TIME.exec(strip(raw));
      if (!m || (m[2] === undefined && raw.indexOf("Uhr") === -1)) { return null; }
      var h = Number(m[1]), mi = Number(m[2] || 0);
      if (h > 23 || mi > 59 || (m[3] !== undefined && Number(m[3]) !== 0)) { return null; }
      return pad(h) + ":" + pad(mi);
    },
    datetime: function (raw) { return moment(raw); },
    phone: function (raw) {
      // the shape of E.164 only: libphonenumber's list of valid numbers is not here, and a
      // number the server refuses cannot be saved anyway (docs/configuration.md)
      if (blank(raw) || typeof raw !== "string") { return null; }
      var text = strip(raw);
      if (text.length > 60) { return null; }
      text = text.replace(/\(0\)/g, "").replace(/[ \-\/().]/g, "");
      if (/^00/.test(text)) { text = "+" + text.slice(2); }
      else if (/^0/.test(text)) { text = "+49" + text.slice(1); }
      else if (text[0] !== "+") { text = "+49" + text; }
      return /^\+[1-9][0-9]{6,14}$/.test(text) ? text : null;
    },
    money: function (raw, field) { return amount(raw, field.currency); },
    scale: function (raw, field) {
      if (typeof raw === "number") { raw = Number.isInteger(raw) ? String(raw) : "x"; }
      if (blank(raw) || typeof raw !== "string") { return null; }
      var text = strip(raw);
      if (!/^[0-9]{1,2}$/.test(text)) { return null; }
      var point = Number(text);
      return point >= 1 && point <= (field.points || 5) ? BigInt(point) : null;
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

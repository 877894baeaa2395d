/* Verbund: show_if in the browser, with the server's semantics.
 *
 * The server evaluates a show_if with Jinja on Python values (server/schema/expressions.py).
 * This file reproduces exactly the part of that which `verbund check` allows in a show_if
 * (server/schema/show_if.py): the server sends the condition as a tree from Jinja's own
 * parser, so only evaluation happens here. Python values are modelled precisely, because
 * "the same answer" depends on details: whole numbers are BigInt (fields go up to 10^18),
 * decimals are exact, 1 == 1.0 == True, comparing text with a number is an error, an error
 * makes the whole condition false, and an empty field is Jinja's "undefined".
 *
 * The input side mirrors server/forms/types.py: what the user typed is cleaned by the same
 * rules as on the server (German decimals, dates, choices), so a value the server would
 * refuse is empty here too. Runs in the browser (window.VerbundExpr) and under node, where
 * tests/forms/test_show_if_agreement.py compares it with the server on many cases.
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) { module.exports = api; }
  else { root.VerbundExpr = api; }
})(this, function () {
  "use strict";

  // ---- Python values --------------------------------------------------------------------
  var UNDEF = Object.freeze({ jinjaUndefined: true });

  function Decimal(mantissa, scale) { this.m = mantissa; this.s = scale; } // m / 10**s
  function PyDate(y, m, d) { this.year = y; this.month = m; this.day = d; }
  function PyDict(map) { this.map = map; }

  function PyError(message) { this.message = message; }  // a Python exception: condition false
  function fail(message) { throw new PyError(message); }

  function isNumber(v) {
    return typeof v === "boolean" || typeof v === "bigint" || typeof v === "number" ||
      v instanceof Decimal;
  }

  // an exact fraction [numerator, denominator] (BigInt), or +-Infinity for float infinities
  function rational(v) {
    if (typeof v === "boolean") { return [v ? 1n : 0n, 1n]; }
    if (typeof v === "bigint") { return [v, 1n]; }
    if (v instanceof Decimal) { return [v.m, 10n ** BigInt(v.s)]; }
    if (!isFinite(v)) { return v; }
    var k = 0;
    while (!Number.isInteger(v)) { v *= 2; k += 1; } // exact: doubling a double is exact
    return [BigInt(v), 2n ** BigInt(k)];
  }

  function numCompare(a, b) {
    var x = rational(a), y = rational(b);
    if (typeof x === "number" || typeof y === "number") {
      var fx = typeof x === "number" ? x : 0, fy = typeof y === "number" ? y : 0;
      if (typeof x !== "number") { return fy > 0 ? -1 : 1; }
      if (typeof y !== "number") { return fx > 0 ? 1 : -1; }
      return fx === fy ? 0 : (fx < fy ? -1 : 1);
    }
    var left = x[0] * y[1], right = y[0] * x[1];
    return left === right ? 0 : (left < right ? -1 : 1);
  }

  function codePoints(s) { return Array.from(s, function (c) { return c.codePointAt(0); }); }

  function strCompare(a, b) {
    if (a === b) { return 0; }
    var x = codePoints(a), y = codePoints(b);
    for (var i = 0; i < Math.min(x.length, y.length); i++) {
      if (x[i] !== y[i]) { return x[i] < y[i] ? -1 : 1; }
    }
    return x.length === y.length ? 0 : (x.length < y.length ? -1 : 1);
  }

  function truthy(v) {
    if (v === UNDEF || v === null) { return false; }
    if (typeof v === "boolean") { return v; }
    if (typeof v === "bigint") { return v !== 0n; }
    if (typeof v === "number") { return v !== 0; }
    if (v instanceof Decimal) { return v.m !== 0n; }
    if (typeof v === "string" || Array.isArray(v)) { return v.length > 0; }
    if (v instanceof PyDict) { return v.map.size > 0; }
    return true; // dates
  }

  function equal(a, b) {
    if (a === UNDEF || b === UNDEF) { return a === b; }
    if (isNumber(a) && isNumber(b)) { return numCompare(a, b) === 0; }
    if (typeof a === "string" || typeof b === "string" || a === null || b === null) {
      return a === b;
    }
    if (a instanceof PyDate && b instanceof PyDate) {
      return a.year === b.year && a.month === b.month && a.day === b.day;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      return a.length === b.length && a.every(function (x, i) { return equal(x, b[i]); });
    }
    if (a instanceof PyDict && b instanceof PyDict) {
      if (a.map.size !== b.map.size) { return false; }
      var same = true;
      a.map.forEach(function (value, key) {
        same = same && b.map.has(key) && equal(value, b.map.get(key));
      });
      return same;
    }
    return false;
  }

  var ORDER = {
    lt: function (c) { return c < 0; }, lteq: function (c) { return c <= 0; },
    gt: function (c) { return c > 0; }, gteq: function (c) { return c >= 0; }
  };

  function order(op, a, b) {
    var c;
    if (isNumber(a) && isNumber(b)) { c = numCompare(a, b); }
    else if (typeof a === "string" && typeof b === "string") { c = strCompare(a, b); }
    else if (a instanceof PyDate && b instanceof PyDate) {
      c = (a.year - b.year) || (a.month - b.month) || (a.day - b.day);
    } else if (Array.isArray(a) && Array.isArray(b)) {
      // Python: the first elements that differ decide, with the same operator
      for (var i = 0; i < Math.min(a.length, b.length); i++) {
        if (!equal(a[i], b[i])) { return order(op, a[i], b[i]); }
      }
      c = a.length - b.length;
    } else {
      fail("'" + op + "' not supported between these types");
    }
    return ORDER[op](c);
  }

  function contains(container, item) {
    if (typeof container === "string") {
      if (typeof item !== "string") { fail("'in <string>' requires string as left operand"); }
      return container.indexOf(item) !== -1;
    }
    if (Array.isArray(container)) {
      return container.some(function (x) { return equal(x, item); });
    }
    if (container instanceof PyDict) {
      if (Array.isArray(item) || item instanceof PyDict) { fail("unhashable type"); }
      var found = false;
      container.map.forEach(function (value, key) { found = found || equal(key, item); });
      return found;
    }
    if (container === UNDEF) { return false; } // iterating undefined gives nothing
    return fail("argument of type is not iterable");
  }

  function negate(v, sign) {
    if (typeof v === "boolean") { v = v ? 1n : 0n; }
    if (sign > 0 && isNumber(v)) { return v; }
    if (typeof v === "bigint" || typeof v === "number") { return -v; }
    if (v instanceof Decimal) { return new Decimal(-v.m, v.s); }
    return fail("bad operand type for unary -");
  }

  // Python's str.isspace(), which strip() and split() use (JS's trim() differs slightly)
  var WS = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029" +
    "\\u202f\\u205f\\u3000";
  var STRIP = new RegExp("^[" + WS + "]+|[" + WS + "]+$", "g");
  var SPLIT = new RegExp("[" + WS + "]+");
  function strip(s) { return s.replace(STRIP, ""); }

  function textFilter(op) {
    return function (v) {
      if (v === UNDEF) { return ""; }
      if (typeof v !== "string") { fail("text filter on a non-text value"); }
      return op(v);
    };
  }

  var FILTERS = {
    length: function (v) {
      if (v === UNDEF) { return 0n; }
      if (typeof v === "string") { return BigInt(codePoints(v).length); }
      if (Array.isArray(v)) { return BigInt(v.length); }
      if (v instanceof PyDict) { return BigInt(v.map.size); }
      return fail("object has no len()");
    },
    lower: textFilter(function (s) { return s.toLowerCase(); }),
    upper: textFilter(function (s) { return s.toUpperCase(); }),
    trim: textFilter(strip)
  };
  FILTERS.count = FILTERS.length;

  var TESTS = {
    defined: function (v) { return v !== UNDEF; },
    undefined: function (v) { return v === UNDEF; },
    none: function (v) { return v === null || v === UNDEF; },
    number: isNumber,
    string: function (v) { return typeof v === "string"; },
    boolean: function (v) { return typeof v === "boolean"; },
    true: function (v) { return v === true; },
    false: function (v) { return v === false; }
  };

  function constant(node) {
    switch (node.t) {
      case "str": return node.v;
      case "int": return BigInt(node.v);
      case "float": return node.v;
      case "bool": return node.v;
      default: return null; // "none"
    }
  }

  function evaluate(node, names) {
    switch (node.t) {
      case "name": {
        var value = names.get(node.n);
        return value === undefined || value === null ? UNDEF : value;
      }
      case "attr": {
        var obj = evaluate(node.o, names);
        return obj instanceof PyDate ? BigInt(obj[node.n]) : UNDEF;
      }
      case "list":
        return node.items.map(function (item) { return evaluate(item, names); });
      case "and": {
        var left = evaluate(node.l, names);
        return truthy(left) ? evaluate(node.r, names) : left;
      }
      case "or": {
        var first = evaluate(node.l, names);
        return truthy(first) ? first : evaluate(node.r, names);
      }
      case "not": return !truthy(evaluate(node.x, names));
      case "neg": return negate(evaluate(node.x, names), -1);
      case "pos": return negate(evaluate(node.x, names), 1);
      case "cond":
        if (truthy(evaluate(node.test, names))) { return evaluate(node.a, names); }
        return node.b ? evaluate(node.b, names) : UNDEF;
      case "cmp": {
        var a = evaluate(node.first, names);
        for (var i = 0; i < node.ops.length; i++) {
          var op = node.ops[i][0], b = evaluate(node.ops[i][1], names), ok;
          if (op === "eq") { ok = equal(a, b); }
          else if (op === "ne") { ok = !equal(a, b); }
          else if (op === "in") { ok = contains(b, a); }
          else if (op === "notin") { ok = !contains(b, a); }
          else { ok = order(op, a, b); }
          if (!ok) { return false; } // chained like Python: stops at the first false
          a = b;
        }
        return true;
      }
      case "filter": return FILTERS[node.n](evaluate(node.x, names));
      case "test": return TESTS[node.n](evaluate(node.x, names));
      default: return constant(node);
    }
  }

  /* The truth of a condition tree for names (a Map of typed values); any error is false. */
  function condition(tree, names) {
    try {
      return truthy(evaluate(tree, names));
    } catch (e) {
      if (e instanceof PyError) { return false; }
      throw e; // a bug here, not a Python error: let it show up in tests and the console
    }
  }

  // ---- cleaning what the user typed, as server/forms/types.py does ------------------------
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
          var value = CLEAN[c.type](row[c.name], c);
          cells.set(c.name, value === null && c.type === "multiselect" ? [] : value);
        });
        rows.push(new PyDict(cells));
      });
      return rows;
    }
  };

  var LIST_TYPES = ["multiselect", "table"];

  function emptyValue(type) { return LIST_TYPES.indexOf(type) !== -1 ? [] : null; }

  /* The fields show_if hides, for raw input {field: value as the form would submit it}.
     spec: {"fields": {name: {type, choices?, columns?}}, "order": [...], "conditions": {...}} */
  function hiddenFields(spec, raw) {
    var names = new Map();
    Object.keys(spec.fields).forEach(function (name) {
      var field = spec.fields[name], value = CLEAN[field.type](raw[name], field);
      names.set(name, value === null ? emptyValue(field.type) : value);
    });
    var hidden = [];
    spec.order.forEach(function (name) {
      if (!condition(spec.conditions[name], names)) {
        hidden.push(name);
        if (names.has(name)) { names.set(name, emptyValue(spec.fields[name].type)); }
      }
    });
    return hidden;
  }

  return {
    UNDEF: UNDEF,
    Decimal: Decimal,
    PyDate: PyDate,
    condition: condition,
    clean: CLEAN,
    hiddenFields: hiddenFields,
    safeFilename: safeFilename,
    strip: strip
  };
});

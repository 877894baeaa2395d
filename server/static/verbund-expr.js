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
 * What the user typed becomes such values in verbund-input.js. Runs in the browser
 * (window.VerbundExpr) and under node, where tests/forms/test_show_if_agreement.py compares
 * it with the server on many cases.
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

  return {
    UNDEF: UNDEF,
    Decimal: Decimal,
    PyDate: PyDate,
    PyDict: PyDict,
    WS: WS,
    codePoints: codePoints,
    ORDER: ORDER,
    codePointCompare: strCompare,
    condition: condition,
    strip: strip
  };
});

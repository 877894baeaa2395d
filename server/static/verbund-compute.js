/* Verbund: calculated fields (compute) in the browser, the twin of
 * server/schema/compute_eval.py. The server sends each computation as a tree
 * (server/schema/compute.py); this file walks it with the server's rules step for step:
 * exact numbers (BigInt mantissa and scale, never floats), "/" to 20 places, rounding half
 * away from zero, an empty operand or an error making the value empty. Values come cleaned
 * by verbund-input.js. Runs in the browser (window.VerbundCompute) and under node, where
 * tests/forms/test_compute_agreement.py compares it with the server.
 */
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) {
    module.exports = factory(require("./verbund-expr.js"));
  } else {
    root.VerbundCompute = factory(root.VerbundExpr);
  }
})(this, function (expr) {
  "use strict";
  var Decimal = expr.Decimal, PyDate = expr.PyDate, PyDict = expr.PyDict, UNDEF = expr.UNDEF;
  var ORDER = expr.ORDER, strCompare = expr.codePointCompare;

  // Numbers are exact {m: BigInt mantissa, s: scale} (m / 10**s); the rules, limits and
  // rounding (half away from zero) are the server's, step for step.
  var MAX_SCALE = 20, MAX_WHOLE = 10n ** 30n;

  function Num(m, s) { this.m = m; this.s = s; }
  function ComputeFail() {}
  function cfail() { throw new ComputeFail(); }
  function pow10(k) { return 10n ** BigInt(k); }
  function abs(x) { return x < 0n ? -x : x; }

  function roundHalfUp(n, places) {
    if (n.s <= places) { return n; }
    var unit = pow10(n.s - places), q = abs(n.m) / unit, rest = abs(n.m) % unit;
    if (2n * rest >= unit) { q += 1n; }
    return new Num(n.m < 0n ? -q : q, places);
  }

  function checked(n) {
    n = roundHalfUp(n, MAX_SCALE);
    if (abs(n.m) >= MAX_WHOLE * pow10(n.s)) { cfail(); }
    return n;
  }

  function align(a, b) {
    var s = Math.max(a.s, b.s);
    return [a.m * pow10(s - a.s), b.m * pow10(s - b.s), s];
  }

  function arith(op, a, b) {
    var x;
    if (op === "+") { x = align(a, b); return checked(new Num(x[0] + x[1], x[2])); }
    if (op === "-") { x = align(a, b); return checked(new Num(x[0] - x[1], x[2])); }
    if (op === "*") { return checked(new Num(a.m * b.m, a.s + b.s)); }
    if (b.m === 0n) { cfail(); }
    var numerator = abs(a.m) * pow10(MAX_SCALE + b.s - a.s), denominator = abs(b.m);
    var q = numerator / denominator, rest = numerator % denominator;
    if (2n * rest >= denominator) { q += 1n; }
    var m = (a.m < 0n) === (b.m < 0n) ? q : -q, s = MAX_SCALE;
    while (s > 0 && m % 10n === 0n) { m /= 10n; s -= 1; }
    return checked(new Num(m, s));
  }

  /* A cleaned field value as the evaluator holds it: numbers as Num (decimals without the
     trailing zeros the server's stored form drops), empty as null. */
  function cvalue(v) {
    if (v === undefined || v === null || v === UNDEF || v === "") { return null; }
    if (typeof v === "bigint") { return new Num(v, 0); }
    if (v instanceof Decimal) {
      var m = v.m, s = v.s;
      while (s > 0 && m % 10n === 0n) { m /= 10n; s -= 1; }
      return new Num(m, s);
    }
    return v;
  }

  function num(v) { if (!(v instanceof Num)) { cfail(); } return v; }
  function pydate(v) { if (!(v instanceof PyDate)) { cfail(); } return v; }

  // Python's date.toordinal()
  function ordinal(d) {
    var y = d.year - 1, before = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    var leap = (d.year % 4 === 0 && d.year % 100 !== 0) || d.year % 400 === 0;
    return y * 365 + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400) +
      before[d.month - 1] + (leap && d.month > 2 ? 1 : 0) + d.day;
  }

  function ccompare(a, b) {
    if (a instanceof Num && b instanceof Num) {
      var x = align(a, b);
      return x[0] === x[1] ? 0 : (x[0] < x[1] ? -1 : 1);
    }
    if (typeof a === "string" && typeof b === "string") { return strCompare(a, b); }
    if (a instanceof PyDate && b instanceof PyDate) {
      return Math.sign(ordinal(a) - ordinal(b));
    }
    return null;
  }

  function cequal(a, b) {
    if (a === null || b === null) { return a === b; }
    var c = ccompare(a, b);
    if (c !== null) { return c === 0; }
    return typeof a === "boolean" && typeof b === "boolean" && a === b;
  }

  function ctruthy(v) {
    if (v instanceof Num) { return v.m !== 0n; }
    if (v === null) { return false; }
    if (typeof v === "string" || Array.isArray(v)) { return v.length > 0; }
    if (typeof v === "boolean") { return v; }
    return true;
  }

  function crun(node, names, today) {
    switch (node.t) {
      case "name": return cvalue(names.get(node.n));
      case "col": {
        var rows = names.get(node.n) || [];
        return rows.filter(function (row) { return row instanceof PyDict; })
          .map(function (row) { return cvalue(row.map.get(node.c)); });
      }
      case "num": return new Num(BigInt(node.m), node.s);
      case "str": case "bool": return node.v;
      case "none": return null;
      case "arith": {
        var a = crun(node.l, names, today), b = crun(node.r, names, today);
        if (a === null || b === null) { return null; }
        return arith(node.op, num(a), num(b));
      }
      case "neg": {
        var x = crun(node.x, names, today);
        return x === null ? null : new Num(-num(x).m, x.s);
      }
      case "part": {
        var day = crun(node.x, names, today);
        return day === null ? null : new Num(BigInt(pydate(day)[node.n]), 0);
      }
      case "and": return ctruthy(crun(node.l, names, today)) && ctruthy(crun(node.r, names, today));
      case "or": return ctruthy(crun(node.l, names, today)) || ctruthy(crun(node.r, names, today));
      case "not": return !ctruthy(crun(node.x, names, today));
      case "cond":
        return crun(ctruthy(crun(node.test, names, today)) ? node.a : node.b, names, today);
      case "cmp": {
        var left = crun(node.first, names, today);
        for (var i = 0; i < node.ops.length; i++) {
          var op = node.ops[i][0], right = crun(node.ops[i][1], names, today), ok;
          if (op === "eq" || op === "ne") { ok = cequal(left, right) === (op === "eq"); }
          else {
            var c = ccompare(left, right);
            ok = c !== null && ORDER[op](c);
          }
          if (!ok) { return false; }
          left = right;
        }
        return true;
      }
      default: return call(node.f, node.a.map(function (arg) { return crun(arg, names, today); }), today);
    }
  }

  function call(name, args, today) {
    if (name === "sum") {
      var total = new Num(0n, 0);
      (args[0] || []).forEach(function (item) {
        if (item !== null) { total = arith("+", total, num(item)); }
      });
      return total;
    }
    if (name === "count") {
      return new Num(BigInt((args[0] || []).filter(function (item) {
        return item !== null && !(Array.isArray(item) && item.length === 0);
      }).length), 0);
    }
    if (args.some(function (a) { return a === null; })) { return null; }
    if (name === "round") {
      return roundHalfUp(num(args[0]), args.length > 1 ? Number(num(args[1]).m) : 0);
    }
    var dates = args.map(pydate);
    if (name === "days") { return new Num(BigInt(ordinal(dates[1]) - ordinal(dates[0])), 0); }
    var born = dates[0];  // age
    if (ordinal(born) > ordinal(today)) { return null; }
    var years = today.year - born.year;
    if (today.month < born.month || (today.month === born.month && today.day < born.day)) {
      years -= 1;
    }
    return new Num(BigInt(years), 0);
  }

  /* The value of a compute tree for names (a Map of cleaned values), or null. */
  function compute(tree, names, today) {
    try {
      var value = crun(tree, names, today);
      return value instanceof Num ? value : null;
    } catch (e) {
      if (e instanceof ComputeFail) { return null; }
      throw e;
    }
  }

  /* A computed Num as the field type stores it (text), like compute_eval.stored_value. */
  function storedValue(type, n) {
    if (n === null) { return null; }
    if (type === "integer") {
      var whole = roundHalfUp(n, 0).m;
      return abs(whole) < 10n ** 18n ? whole.toString() : null;
    }
    n = roundHalfUp(n, 10);
    if (abs(n.m) >= 10n ** 18n * pow10(n.s)) { return null; }
    var m = n.m, s = n.s;
    while (s > 0 && m % 10n === 0n) { m /= 10n; s -= 1; }
    if (m === 0n) { return "0"; }
    var digits = abs(m).toString();
    if (s > 0) {
      digits = digits.padStart(s + 1, "0");
      digits = digits.slice(0, digits.length - s) + "." + digits.slice(digits.length - s);
    }
    return (m < 0n ? "-" : "") + digits;
  }

  /* A stored value as the read-only input shows it (German decimal comma, no grouping). */
  function inputText(stored) { return stored === null ? "" : stored.replace(".", ","); }

  /* A stored computed value as the typed value later computations read. */
  function typedStored(type, stored) {
    if (stored === null) { return null; }
    if (type === "integer") { return BigInt(stored); }
    var parts = stored.replace("-", "").split("."), frac = parts[1] || "";
    var m = BigInt(parts[0] + frac) * (stored[0] === "-" ? -1n : 1n);
    return new Decimal(m, frac.length);
  }

  return {
    compute: compute,
    inputText: inputText,
    storedValue: storedValue,
    typedStored: typedStored
  };
});

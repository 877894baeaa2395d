/* Test helper: evaluates show_if in node exactly as the browser does (verbund-input.js).
   One JSON request per input line: {"spec": {...}, "raw": {...}} -> {"hidden": [...]};
   with "op": "compute" -> {"values": {field: stored text}}; "op": "row" with "field" (a
   table's spec) -> {"hidden": [...], "required": [...]};
   or {"error": "..."} when the script itself failed (a bug, which the test reports). */
"use strict";
var path = require("path");
var readline = require("readline");
var input = require(path.join(__dirname, "..", "..", "server", "static", "verbund-input.js"));

var lines = readline.createInterface({ input: process.stdin });
lines.on("line", function (line) {
  var answer;
  try {
    var request = JSON.parse(line);
    if (request.op === "compute") {
      answer = { values: input.computedValues(request.spec, request.raw) };
    } else if (request.op === "row") {
      answer = input.rowStates(request.field, request.raw);
    } else {
      answer = { hidden: input.hiddenFields(request.spec, request.raw) };
    }
  } catch (e) {
    answer = { error: String(e && e.stack || e) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});

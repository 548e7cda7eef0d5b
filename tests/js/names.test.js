// Parity of web/static/js/names.js with server/people/names.py. The vectors are written by
// tests/js/test_names_parity.py from the Python functions; run through pytest, or by hand:
//   RAZEM_NAME_VECTORS=/path/to/vectors.json node --test tests/js/names.test.js
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const SOURCE = path.join(__dirname, "../../web/static/js/names.js");
const names = require("../../web/static/js/names.js");
const { fold, loose, searchTerms, matches } = names;

test("every vector folds exactly as in Python", () => {
  const file = process.env.RAZEM_NAME_VECTORS;
  assert.ok(file, "RAZEM_NAME_VECTORS must name the JSON vector file (tests/js/test_names_parity.py)");
  const vectors = JSON.parse(fs.readFileSync(file, "utf8"));
  assert.ok(Array.isArray(vectors) && vectors.length > 0, `no vectors in ${file}`);
  const failures = [];
  for (const v of vectors) {
    const got = { fold: fold(v.input), loose: loose(v.input), terms: searchTerms(v.input) };
    if ("transliterate" in v) got.transliterate = names.transliterate(v.input);
    for (const field of Object.keys(got)) {
      if (!(field in v)) throw new Error(`vector ${JSON.stringify(v.input)} lacks ${field}`);
      if (JSON.stringify(got[field]) !== JSON.stringify(v[field])) {
        failures.push({ input: v.input, field, python: v[field], js: got[field] });
      }
    }
  }
  assert.deepEqual(failures, [], `${failures.length} mismatches with Python`);
});

test("a typed query finds the name in another script or spelling", () => {
  const finds = (query, name) => matches(searchTerms(query), loose(name));
  assert.ok(finds("oksana", "Оксана Шевченко"));
  assert.ok(finds("shevch oks", "Оксана Шевченко"));
  assert.ok(finds("lukasz", "Łukasz Wójcik"));
  assert.ok(finds("WOJCIK", "Łukasz Wójcik"));
  assert.ok(finds("андрій", "Andrii Kovalenko"));
  assert.ok(finds("andriy", "Андрій Коваленко"));
  assert.ok(finds("gennadiy", "Геннадій"));
  assert.ok(finds("olexandr", "Олександр"));
  assert.ok(finds("nguyen thi", "Nguyễn Thị Ánh"));
  assert.ok(finds("strasse", "Straße"));
  assert.ok(finds("marjana", "Мар’яна"));
  assert.ok(!finds("olena", "Оксана Шевченко"));
  assert.ok(!finds("oksana petrenko", "Оксана Шевченко"));
});

test("queries are cut into at most five terms; no terms match everything", () => {
  assert.deepEqual(searchTerms("  Ірина   Мельник "), ["irina", "melnik"]);
  assert.deepEqual(searchTerms("a b c d e f g"), ["a", "b", "c", "d", "e"]);
  assert.deepEqual(searchTerms(""), []);
  assert.deepEqual(searchTerms(" - ’ "), []);
  assert.ok(matches([], "anything"));
  assert.ok(matches([], ""));
});

test("fold and loose on a few names", () => {
  assert.equal(fold("Żółć Gęślą"), "zolc gesla");
  assert.equal(fold("Щука Юрій"), "shchuka yurii");
  assert.equal(fold("İsmail Yıldız"), "ismail yildiz");
  assert.equal(fold("Γιώργος"), "γιωργοσ");
  assert.equal(loose("Anna-Maria  O'Brien"), "ana maria obrien");
  assert.equal(names.transliterate("Щука Юрій"), "Shchuka Yurii");
});

test("in a browser the script attaches window.RazemNames", () => {
  const window = {};
  vm.runInNewContext(fs.readFileSync(SOURCE, "utf8"), { window });
  for (const name of ["fold", "loose", "searchTerms", "matches"]) {
    assert.equal(typeof window.RazemNames[name], "function", name);
  }
  assert.deepEqual(Array.from(window.RazemNames.searchTerms("Оксана")), ["oksana"]);
});

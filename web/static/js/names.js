/* Name folding for search in the browser: an exact port of server/people/names.py
 * (transliterate, fold, loose, search_terms). Change both together; tests/js checks parity. */
(function () {
  "use strict";

  var CYRILLIC = {
    а: "a", б: "b", в: "v", г: "h", ґ: "g", д: "d", е: "e", є: "ie", ж: "zh", з: "z", и: "y",
    і: "i", ї: "i", й: "i", к: "k", л: "l", м: "m", н: "n", о: "o", п: "p", р: "r", с: "s",
    т: "t", у: "u", ф: "f", х: "kh", ц: "ts", ч: "ch", ш: "sh", щ: "shch", ь: "", ю: "iu",
    я: "ia", "'": "", "’": "", "ʼ": "", "‘": "", "´": "", "`": "", ё: "e", ъ: "", ы: "y", э: "e", ў: "u",
  };
  var INITIAL = { є: "ye", ї: "yi", й: "y", ю: "yu", я: "ya" };
  var APOSTROPHES = "'’ʼ‘´`";
  var LATIN = { ł: "l", ø: "o", đ: "d", ß: "ss", æ: "ae", œ: "oe", ı: "i", ð: "d", þ: "th", ħ: "h" };
  // Where Python's casefold() differs from toLowerCase() in a way that NFKD does not undo.
  var CASEFOLD = {
    ß: "ss", ς: "σ", ŉ: "ʼn", ᲀ: "в", ᲁ: "д", ᲂ: "о", ᲃ: "с", ᲄ: "т", ᲅ: "т", ᲆ: "ъ", ᲇ: "ѣ", ᲈ: "ꙋ",
  };
  var LOOSE = [
    ["sz", "sh"], ["cz", "ch"], ["shch", "sc"], ["kh", "h"], ["x", "ks"],
    ["w", "v"], ["g", "h"], ["j", "i"], ["y", "i"],
  ];

  function transliterate(text) {
    var out = "";
    var prev = "";
    for (var ch of text) {
      var lower = ch.toLowerCase();
      var latin = CYRILLIC.hasOwnProperty(lower) ? CYRILLIC[lower] : null;
      var inWord = /\p{L}/u.test(prev) || (prev !== "" && APOSTROPHES.indexOf(prev) !== -1);
      if (latin !== null && INITIAL.hasOwnProperty(lower) && !inWord) latin = INITIAL[lower];
      else if (latin !== null && lower === "г" && prev.toLowerCase() === "з") latin = "gh";
      prev = ch;
      if (latin === null) out += ch;
      else if (ch !== lower && latin) out += latin[0].toUpperCase() + latin.slice(1);
      else out += latin;
    }
    return out;
  }

  // Python's unicodedata.combining(): a mark with a non-zero combining class. U+0345 is the
  // only class 240; canonical ordering moves any mark of class 1..239 in front of it.
  function combining(mark) {
    return mark === "\u0345" || ("\u0345" + mark).normalize("NFD")[0] !== "\u0345";
  }

  function casefold(text) {
    return text
      .toLowerCase()
      .replace(/[ßςŉ\u1c80-\u1c88]/g, (c) => CASEFOLD[c])
      .replace(/[\u0345\u1f80-\u1ffc]/g, (c) => c.normalize("NFD").replace("\u0345", "ι"))
      .replace(/[\u13f8-\u13fd\uab70-\uabbf]/g, (c) =>
        String.fromCharCode(c.charCodeAt(0) - (c < "\uab70" ? 8 : 0x97d0)));
  }

  function fold(text) {
    return transliterate(casefold(text.normalize("NFC")))
      .normalize("NFKD")
      .replace(/\p{M}/gu, (m) => (combining(m) ? "" : m))
      .replace(/[łøđßæœıðþħ]/g, (c) => LATIN[c]);
  }

  function loose(text) {
    // Marks that stay after folding (Indic vowel signs) belong to their word.
    var out = fold(text).replace(/[^\p{L}\p{N}\p{M}]/gu, " ");
    for (var i = 0; i < LOOSE.length; i++) out = out.split(LOOSE[i][0]).join(LOOSE[i][1]);
    return out.replace(/([^ ])\1+/gu, "$1").split(" ").filter(Boolean).join(" ");
  }

  function searchTerms(query) {
    return loose(query).split(" ").filter(Boolean).slice(0, 5);
  }

  function matches(terms, key) {
    return terms.every((term) => key.indexOf(term) !== -1);
  }

  var api = { fold: fold, loose: loose, searchTerms: searchTerms, matches: matches,
    transliterate: transliterate };
  if (typeof window !== "undefined") window.RazemNames = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})();

/* nbgrad.sphinxext: the widgets' HTMLMath (html-manager 1.0.15) typesets with MathJax 2's
   MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]); this page has MathJax 3, whose call is
   MathJax.typesetPromise([element]). The Hub below passes one to the other, waiting for MathJax 3 to start
   if a widget renders first; MathJax 3 keeps the Hub when it starts (it extends the window.MathJax it finds). */
(function () {
  "use strict";
  function typeset(element) {
    var mj = window.MathJax;
    if (mj && mj.startup && mj.startup.promise && mj.typesetPromise) {
      mj.startup.promise.then(function () { return mj.typesetPromise([element]); }).catch(function (error) {
        console.warn("MathJax", error);
      });
    } else {
      setTimeout(function () { typeset(element); }, 50);
    }
  }
  var hub = {
    Queue: function () {
      for (var i = 0; i < arguments.length; i++) {
        var call = arguments[i];
        if (Array.isArray(call) && call[0] === "Typeset" && call[2]) {
          typeset(call[2]);
        }
      }
    }
  };
  window.MathJax = window.MathJax || {};
  window.MathJax.Hub = hub;
  document.addEventListener("DOMContentLoaded", function () {
    if (window.MathJax && !window.MathJax.Hub) {
      window.MathJax.Hub = hub;
    }
  });
})();

/* Sphinx 9.0's Chinese search data (language_data.js) ends with window.Stemmer = ChineseStemmer, a name it never
   defines: its Chinese search stems the Latin words of a page with the English stemmer, whose code it ships. */
if (typeof window.ChineseStemmer === "undefined") {
  window.ChineseStemmer = function () { return new window.EnglishStemmer(); };
}

/* Chinese has no spaces: Sphinx indexes a Chinese page by jieba's words, but splits a query only at spaces and
   punctuation, so "反向传播" finds nothing although both of its words are indexed. In a Chinese page, a run of Han
   characters is split into the longest words the index knows, and a lone character it does not know is dropped
   (every term must match, and jieba indexes no single characters). searchtools.js keeps a splitQuery defined
   before it. */
if (/^zh/i.test(document.documentElement.lang || "")) {
  window.splitQuery = function (query) {
    // searchtools.js declares Search with const: a global name, not a property of window
    var index = typeof Search !== "undefined" && Search._index;
    var terms = (index && index.terms) || {};
    var titles = (index && index.titleterms) || {};
    function known(word) { return terms[word] !== undefined || titles[word] !== undefined; }
    var out = [];
    query.split(/[^\p{L}\p{N}_]+/gu).forEach(function (word) {
      if (!word) { return; }
      if (!/\p{Script=Han}/u.test(word) || known(word)) { out.push(word); return; }
      for (var i = 0; i < word.length;) {
        var j = word.length;
        while (j > i + 1 && !known(word.slice(i, j))) { j--; }
        if (j > i + 1 || known(word.slice(i, j))) { out.push(word.slice(i, j)); }
        i = j;
      }
    });
    return out.length ? out : query.split(/\s+/).filter(Boolean);
  };
}

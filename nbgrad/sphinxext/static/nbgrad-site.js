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

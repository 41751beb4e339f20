/* Behaviour that templates used to write inline, declared as data attributes instead, because the
   Content-Security-Policy (script-src 'self'; style-src 'self') refuses inline handlers and style attributes.
   Loaded on every page and in the admin. Plain JS, no dependencies.

     <form data-confirm="Really?">      asks before submitting; Cancel keeps the page as it is
     <a href="…" data-back>             goes back in history (the link's href is the fallback without JS)
     <span data-percent="42">           width: 42% (a bar or meter fill), set through the CSSOM, which CSP allows */
(function () {
  "use strict";

  // Capture phase, so the question is asked before any other submit handler sees the form.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var question = form && form.getAttribute && form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) event.preventDefault();
    },
    true
  );

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-back]");
    // Only when there is a page to go back to; otherwise the href (the list page) is followed.
    if (!link || window.history.length < 2) return;
    event.preventDefault();
    window.history.back();
  });

  function applyPercent(el) {
    var value = parseFloat(el.getAttribute("data-percent"));
    if (isNaN(value)) return;
    el.style.width = Math.max(0, Math.min(100, value)) + "%";
  }

  function applyAll() {
    document.querySelectorAll("[data-percent]").forEach(applyPercent);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", applyAll);
  else applyAll();
})();

/* The Actions page's "Run an action" form: choosing an action puts that action's example body (filled by the server
   with records of the org) into the JSON box, unless the person has already written something of their own there,
   which is never overwritten. Without JS the box keeps the first action's example. Plain JS, no dependencies.

     <form data-action-examples='{"create_task": "{…}", …}'> with a <select name="name"> and a <textarea name="body"> */
(function () {
  "use strict";

  function wire(form) {
    var examples;
    try {
      examples = JSON.parse(form.getAttribute("data-action-examples") || "{}");
    } catch (error) {
      return;
    }
    var select = form.querySelector("select[name=name]");
    var body = form.querySelector("textarea[name=body]");
    if (!select || !body) return;

    function pretty(text) {
      try {
        return JSON.stringify(JSON.parse(text), null, 2);
      } catch (error) {
        return text;
      }
    }

    function untouched() {
      var current = body.value.trim();
      if (!current) return true;
      return Object.keys(examples).some(function (name) {
        return current === examples[name] || current === pretty(examples[name]);
      });
    }

    if (untouched() && examples[select.value]) body.value = pretty(examples[select.value]);
    select.addEventListener("change", function () {
      if (examples[select.value] && untouched()) body.value = pretty(examples[select.value]);
    });
  }

  function wireAll() {
    document.querySelectorAll("form[data-action-examples]").forEach(wire);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wireAll);
  else wireAll();
})();

// Polls a sync run's progress every second and updates the bar in place; stops when the run is finished.
(function () {
  "use strict";
  function fmtEta(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    if (seconds < 90) return seconds + " s";
    return Math.round(seconds / 60) + " min";
  }
  function render(box, data) {
    var set = function (name, value) {
      var el = box.querySelector('[data-field="' + name + '"]');
      if (el) el.textContent = value;
    };
    set("status_label", data.status_label);
    set("records_done", data.records_done);
    set("records_expected", data.records_expected === null ? "?" : data.records_expected);
    set("percent", data.percent);
    set("rate", data.rate);
    set("eta", fmtEta(data.eta_seconds));
    set("current_object", data.current_object);
    set("error", data.error);
    var bar = box.querySelector('[data-field="bar"]');
    if (bar) bar.style.width = data.percent + "%";
    var meter = box.querySelector('[role="progressbar"]');
    if (meter) meter.setAttribute("aria-valuenow", data.percent);
    var cancel = box.querySelector("[data-cancel-form]");
    if (cancel) cancel.hidden = !data.active;
  }
  function poll(box) {
    fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data) render(box, data);
        if (!data || data.active) window.setTimeout(function () { poll(box); }, 1000);
      })
      .catch(function () { window.setTimeout(function () { poll(box); }, 3000); });
  }
  document.querySelectorAll(".sync-progress").forEach(function (box) {
    if (box.dataset.active === "1") window.setTimeout(function () { poll(box); }, 1000);
  });
})();

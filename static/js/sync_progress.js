// Polls a sync run's progress every second and updates the page in place from that one answer: the box's title,
// status, numbers, bar and per-object steps, and the run's row in the "Recent runs" table. When the status changes
// (queued -> running -> succeeded), the parts of the page that summarise finished work (the objects table, the
// start button, the runs table) are fetched again, so nothing on the page still describes an earlier state.
// Stops when the run is finished. No inline code: the Content-Security-Policy allows only our own scripts.
(function () {
  "use strict";
  function fmtEta(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    if (seconds < 90) return seconds + " s";
    return Math.round(seconds / 60) + " min";
  }
  function orUnknown(value) {
    return value === null || value === undefined ? "?" : value;
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function renderSteps(list, steps) {
    if (!list) return;
    while (list.firstChild) list.removeChild(list.firstChild);
    steps.forEach(function (step) {
      var item = el("li");
      item.setAttribute("data-step", step.sobject);
      item.setAttribute("data-status", step.status);
      item.appendChild(el("span", "sync-step-name", step.sobject));
      if (step.fields && step.fields.length) {
        item.appendChild(document.createTextNode(" "));
        item.appendChild(el("span", "muted", "(" + step.fields.join(", ") + ")"));
      }
      item.appendChild(document.createTextNode(" "));
      item.appendChild(el("span", "sync-step-count", step.records_done + " / " + orUnknown(step.records_expected)));
      item.appendChild(document.createTextNode(" "));
      var badge = step.status === "done" ? "badge ok" : step.status === "failed" ? "badge bad" : "badge";
      item.appendChild(el("span", badge, step.status_label));
      if (step.error) {
        item.appendChild(document.createTextNode(" "));
        item.appendChild(el("span", "error", step.error));
      }
      list.appendChild(item);
    });
  }
  function renderRunRow(data) {
    var row = document.querySelector('tr[data-run-id="' + data.id + '"]');
    if (!row) return;
    var cells = { status: data.status_label, records: data.records_done, deletes: data.deletes,
                  api_calls: data.api_calls, started: data.started };
    Object.keys(cells).forEach(function (name) {
      var cell = row.querySelector('[data-cell="' + name + '"]');
      if (cell) cell.textContent = cells[name];
    });
  }
  function render(box, data) {
    var set = function (name, value) {
      var node = box.querySelector('[data-field="' + name + '"]');
      if (node) node.textContent = value;
    };
    set("title", data.title);
    set("status_label", data.status_label);
    set("records_done", data.records_done);
    set("records_expected", orUnknown(data.records_expected));
    set("percent", data.percent);
    set("rate", data.rate);
    set("eta", fmtEta(data.eta_seconds));
    set("current_object", data.current_object);
    set("waiting", data.waiting);
    set("error", data.error);
    renderSteps(box.querySelector('[data-field="steps"]'), data.steps || []);
    var bar = box.querySelector('[data-field="bar"]');
    if (bar) {
      bar.setAttribute("data-percent", data.percent);
      bar.style.width = data.percent + "%";
    }
    var meter = box.querySelector('[role="progressbar"]');
    if (meter) meter.setAttribute("aria-valuenow", data.percent);
    var cancel = box.querySelector("[data-cancel-form]");
    if (cancel) cancel.hidden = !data.active;
    renderRunRow(data);
  }
  function refreshRegions() {
    // The page's own HTML, rendered now: swap in its live regions (same ids), leave the progress box alone.
    var regions = document.querySelectorAll("[data-live-region]");
    if (!regions.length) return Promise.resolve();
    return fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html");
        regions.forEach(function (region) {
          var replacement = fresh.getElementById(region.id);
          if (replacement) region.replaceWith(document.importNode(replacement, true));
        });
        document.dispatchEvent(new CustomEvent("sync:regions-refreshed"));
      });
  }
  function poll(box) {
    fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data) {
          render(box, data);
          if (data.status !== box.dataset.status) {
            box.dataset.status = data.status;
            return refreshRegions().then(function () { return data; });
          }
        }
        return data;
      })
      .then(function (data) {
        // Render again after a refresh: the swapped-in runs table must show this answer, not an older one.
        if (data) renderRunRow(data);
        if (!data || data.active) window.setTimeout(function () { poll(box); }, 1000);
        else box.dataset.active = "0";
      })
      .catch(function () { window.setTimeout(function () { poll(box); }, 3000); });
  }
  document.querySelectorAll(".sync-progress").forEach(function (box) {
    if (box.dataset.active === "1") window.setTimeout(function () { poll(box); }, 1000);
  });
})();

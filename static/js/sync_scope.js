// The sync scope page: a Remove button per filter row, values of picklist fields chosen from the field's values, and
// a live count of what the edited scope keeps. Without this script the page still works: the Remove box, a text
// value (checked against the picklist by the server) and the "Preview record count" button.
// No inline code: the Content-Security-Policy allows only our own scripts; the picklists come as a JSON data block.
(function () {
  "use strict";
  var form = document.querySelector('[data-testid="sync-scope-form"]');
  if (!form) return;
  var dataBlock = document.getElementById("scope-picklists");
  var picklists = dataBlock ? JSON.parse(dataBlock.textContent) : {};
  var MULTI = { in: true, not_in: true };
  var VALUELESS = { is_null: true, is_not_null: true };
  var TEXT_ONLY = { contains: true, starts_with: true };

  function splitValues(text) {
    return text.split(",").map(function (v) { return v.trim(); }).filter(function (v) { return v; });
  }

  // The text input stays the one that is posted; the chooser writes into it, so the server sees one format.
  function syncChooser(row) {
    var field = row.querySelector('select[name$="-field"]');
    var operator = row.querySelector('select[name$="-operator"]');
    var input = row.querySelector('input[name$="-values"]');
    if (!field || !operator || !input) return;
    var old = row.querySelector("[data-picklist-chooser]");
    if (old) old.remove();
    var values = picklists[field.value];
    if (!values || VALUELESS[operator.value] || TEXT_ONLY[operator.value]) {
      input.hidden = false;
      return;
    }
    var chosen = splitValues(input.value);
    var select = document.createElement("select");
    select.setAttribute("data-picklist-chooser", "");
    select.setAttribute("aria-label", "Value of " + field.options[field.selectedIndex].text);
    select.multiple = !!MULTI[operator.value];
    if (select.multiple) {
      select.size = Math.min(6, values.length);
      select.title = "Ctrl-click (⌘-click on a Mac) to choose more than one";
    } else {
      select.appendChild(new Option("— choose a value —", ""));
    }
    values.forEach(function (item) {
      var option = new Option(item.label, item.value);
      option.selected = chosen.indexOf(item.value) !== -1;
      select.appendChild(option);
    });
    // A value typed before (or saved) that the org no longer offers stays visible, so the server's error explains it.
    chosen.forEach(function (value) {
      var known = values.some(function (item) { return item.value === value; });
      if (!known) {
        var stale = new Option(value + " (not a value of this field)", value);
        stale.selected = true;
        select.appendChild(stale);
      }
    });
    select.addEventListener("change", function () {
      var picked = Array.prototype.filter.call(select.options, function (o) { return o.selected && o.value; });
      input.value = picked.map(function (o) { return o.value; }).join(", ");
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
    input.hidden = true;
    input.parentNode.insertBefore(select, input);
  }

  function wireRow(row) {
    var box = row.querySelector('input[name$="-DELETE"]');
    var button = row.querySelector("[data-remove-filter]");
    if (box && button) {
      box.closest("label").hidden = true;
      button.hidden = false;
      row.hidden = box.checked; // removed before the page asked to confirm: still removed
      button.addEventListener("click", function () {
        // Marked for deletion and hidden: the next Save (or preview) leaves it out, like every other edit.
        box.checked = true;
        row.hidden = true;
        box.dispatchEvent(new Event("change", { bubbles: true }));
      });
    }
    ["field", "operator"].forEach(function (name) {
      var select = row.querySelector('select[name$="-' + name + '"]');
      if (select) select.addEventListener("change", function () { syncChooser(row); });
    });
    syncChooser(row);
  }

  document.querySelectorAll("tbody [data-filter-row]").forEach(wireRow);

  // A new row from the formset's empty form, numbered after the last one (Django's __prefix__ placeholder).
  var addButton = form.querySelector("[data-add-filter]");
  var template = document.getElementById("scope-filter-template");
  var total = form.querySelector('input[name="filters-TOTAL_FORMS"]');
  if (addButton && template && total) {
    addButton.hidden = false;
    addButton.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var holder = document.createElement("tbody");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
      var row = holder.firstElementChild;
      form.querySelector("[data-testid='scope-filters'] tbody").appendChild(row);
      total.value = String(index + 1);
      wireRow(row);
      var first = row.querySelector("select");
      if (first) first.focus();
    });
  }

  var box = document.getElementById("scope-preview");
  var timer = null;
  var sequence = 0;
  function show(data) {
    while (box.firstChild) box.removeChild(box.firstChild);
    var summary = document.createElement("p");
    if (data.ok) {
      summary.setAttribute("data-testid", "scope-preview-summary");
      summary.textContent = data.summary;
      box.appendChild(summary);
      if (data.warning) {
        var warning = document.createElement("p");
        warning.className = "message warning";
        warning.setAttribute("data-testid", "scope-preview-warning");
        warning.textContent = data.warning;
        box.appendChild(warning);
      }
    } else {
      summary.className = "muted";
      summary.textContent = data.error;
      box.appendChild(summary);
    }
  }
  function preview() {
    var body = new FormData(form);
    body.set("action", "preview");
    body.delete("confirm_drops");
    var mine = ++sequence;
    fetch(form.dataset.previewUrl, {
      method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" }
    })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data && mine === sequence) show(data); })
      .catch(function () { /* the Preview button still works */ });
  }
  if (box && form.dataset.previewUrl) {
    form.addEventListener("change", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(preview, 400);
    });
  }
})();

/* CRM settings pages: show the value input that matches the source, add rows, offer a picklist's values,
   grey out variables the chosen field cannot take, and refresh the Task preview as the mapping is edited.
   Plain JS, no dependencies. */
(function () {
  "use strict";

  var OTHER = "__other__";

  function rowSync(row, targetChanged) {
    var source = row.querySelector("[data-role=source]");
    var target = row.querySelector("[data-role=target]");
    var mode = source ? source.value : "variable";
    var isConstant = mode === "constant";
    var variableCell = row.querySelector("[data-cell=variable]");
    var constantCell = row.querySelector("[data-cell=constant]");
    var templateCell = row.querySelector("[data-cell=template]");
    var fallbackCell = row.querySelector("[data-cell=fallback]");
    if (variableCell) variableCell.hidden = mode !== "variable";
    if (constantCell) constantCell.hidden = !isConstant;
    if (templateCell) templateCell.hidden = mode !== "template";
    // A class, not an inline style: the Content-Security-Policy allows no style attributes.
    if (fallbackCell) fallbackCell.classList.toggle("is-unused", isConstant);
    if (!target) return;
    var option = target.options[target.selectedIndex];
    greyOutIncompatible(row.querySelector("[data-role=variable]"), option);
    row.querySelectorAll("[data-value-input]").forEach(function (box) {
      if (targetChanged) valueInputRebuild(box, option);
      valueInputSync(box, target.disabled);
    });
  }

  // The value a value input holds now: the picked list values, or what is typed in its box.
  function valueInputCurrent(box) {
    var select = box.querySelector("select");
    var text = box.querySelector("input");
    if (box.dataset.mode === "text") return text.value;
    var picked = Array.prototype.filter.call(select.options, function (item) { return item.selected && item.value; })
      .map(function (item) { return item.value; });
    return picked.indexOf(OTHER) >= 0 ? text.value : picked.join(";");
  }

  function addOption(select, value, label) {
    var item = document.createElement("option");
    item.value = value;
    item.textContent = label;
    select.appendChild(item);
    return item;
  }

  // A new target field: a select of its values (the server's ValueInput, rebuilt here), or the plain text box.
  // The current value is kept when the new field has it; otherwise a new fixed value starts on the default.
  function valueInputRebuild(box, option) {
    var select = box.querySelector("select");
    var text = box.querySelector("input");
    var current = valueInputCurrent(box);
    var mode = option && option.dataset.valueMode ? option.dataset.valueMode : "text";
    box.dataset.mode = mode;
    select.innerHTML = "";
    if (mode === "text") {
      text.value = current;
      return;
    }
    var values = JSON.parse(option.dataset.picklist);
    var preset = box.dataset.preselect === "true" ? option.dataset.default : "";
    var known = values.map(function (pair) { return pair[0]; });
    var wanted = (mode === "multi" ? current.split(";") : [current]).filter(function (value) {
      return value && known.indexOf(value) >= 0;
    });
    if (!wanted.length && preset) wanted = [preset];
    select.multiple = mode === "multi";
    if (mode !== "multi" && (box.dataset.optional === "true" || !option.dataset.default)) {
      addOption(select, "", box.dataset.blank);
    }
    values.forEach(function (pair) { addOption(select, pair[0], pair[1]).selected = wanted.indexOf(pair[0]) >= 0; });
    if (mode === "open") addOption(select, OTHER, "Other value…");
    if (!wanted.length && select.options.length) select.options[0].selected = true;
    text.value = "";
  }

  // Show (and submit) only the control in use: disabled controls are left out of the POST and the preview query.
  function valueInputSync(box, locked) {
    var select = box.querySelector("select");
    var text = box.querySelector("input");
    var mode = box.dataset.mode;
    var listed = mode !== "text";
    var typed = !listed || (mode === "open" && select.value === OTHER);
    select.hidden = !listed;
    text.hidden = !typed;
    if (!locked) {
      select.disabled = !listed;
      text.disabled = !typed;
    }
    select.setAttribute("aria-label", listed ? box.dataset.label : box.dataset.listLabel);
    text.setAttribute("aria-label", listed ? box.dataset.otherLabel : box.dataset.label);
    text.placeholder = mode === "open" ? "Type another value" : "";
  }

  // Only variables whose kind the chosen field accepts stay selectable; the one already chosen stays visible
  // (and submitted) so the server can say why it does not fit.
  function greyOutIncompatible(variable, option) {
    if (!variable) return;
    var accepts = option && option.dataset.accepts ? JSON.parse(option.dataset.accepts) : null;
    Array.prototype.forEach.call(variable.options, function (item) {
      if (!item.dataset.kind) return;
      item.disabled = accepts !== null && accepts.indexOf(item.dataset.kind) < 0 && !item.selected;
    });
  }

  // "Insert a variable…" puts {key} into the text at the cursor (or at its end), then offers the list again.
  function insertVariable(select) {
    var box = select.parentNode.querySelector("[data-role=template]");
    if (!box || !select.value) return;
    var start = box.selectionStart === null ? box.value.length : box.selectionStart;
    var end = box.selectionEnd === null ? box.value.length : box.selectionEnd;
    box.value = box.value.slice(0, start) + select.value + box.value.slice(end);
    var caret = start + select.value.length;
    select.value = "";
    box.focus();
    box.setSelectionRange(caret, caret);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function bindRow(row) {
    rowSync(row, false);
    row.addEventListener("change", function (event) {
      if (event.target.matches("[data-insert-variable]")) {
        insertVariable(event.target);
        return;
      }
      var targetChanged = event.target.matches("[data-role=target]");
      rowSync(row, targetChanged);
      if (event.target.matches("[data-role$=-choice]") && event.target.value === OTHER) {
        var text = event.target.parentNode.querySelector("input");
        if (text) text.focus();
      }
    });
  }

  function setupFormset(form) {
    form.querySelectorAll("tr[data-row]").forEach(bindRow);
    // A form may hold several formsets (a Task section: its mapping rows and their value translations).
    var boxes = form.querySelectorAll("[data-formset-box]");
    (boxes.length ? Array.prototype.slice.call(boxes) : [form]).forEach(setupAddRow);
    setupTranslationTargets(form);
  }

  function setupAddRow(box) {
    var add = box.querySelector("[data-add-row]");
    var template = box.querySelector("template[data-empty-form]");
    var table = box.querySelector("table[data-formset]");
    if (!add || !template || !table) return;
    var prefix = table.dataset.formset;
    var total = box.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    add.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var holder = document.createElement("tbody");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
      var row = holder.querySelector("tr");
      var placeholder = table.querySelector("tr[data-empty-row]");
      if (placeholder) placeholder.remove();
      table.querySelector("tbody").appendChild(row);
      total.value = String(index + 1);
      if (row.hasAttribute("data-translation-row")) translationTargetsSync(box.closest("form"));
      bindRow(row);
      var first = row.querySelector("select, input");
      if (first) first.focus();
    });
  }

  // A value translation names a field the section maps from our data: its field list follows the mapping rows
  // as they are edited (options copied from the row's own field select, picklist values included).
  function translationTargetsSync(form) {
    var mapped = [];
    form.querySelectorAll("tr[data-row]:not([data-translation-row])").forEach(function (row) {
      var source = row.querySelector("[data-role=source]");
      var target = row.querySelector("[data-role=target]");
      var removed = row.querySelector("input[type=checkbox][name$=-DELETE]");
      if (!source || !target || source.value !== "variable" || !target.value || (removed && removed.checked)) return;
      if (mapped.some(function (item) { return item.value === target.value; })) return;
      mapped.push(target.options[target.selectedIndex]);
    });
    form.querySelectorAll("[data-translation-target]").forEach(function (select) {
      if (select.disabled) return;
      var current = select.value;
      var blank = select.options.length && !select.options[0].value ? select.options[0].cloneNode(true) : null;
      var keep = current && !mapped.some(function (item) { return item.value === current; })
        ? select.options[select.selectedIndex].cloneNode(true) : null;
      select.innerHTML = "";
      if (blank) select.appendChild(blank);
      mapped.forEach(function (item) { select.appendChild(item.cloneNode(true)); });
      if (keep) select.appendChild(keep);  // no longer mapped from our data: kept so the server can say so
      select.value = current;
    });
  }

  function setupTranslationTargets(form) {
    if (!form.querySelector("[data-translations]")) return;
    form.addEventListener("change", function (event) {
      var row = event.target.closest("tr[data-row]");
      if (row && !row.hasAttribute("data-translation-row")) translationTargetsSync(form);
    });
  }

  function setupPreview(form) {
    var url = form.dataset.previewUrl;
    // A page may hold several sections (Email: outgoing and incoming), each with its form and its own preview.
    var scope = form.closest("[data-task-section]") || document;
    var output = scope.querySelector("[data-testid=task-preview]");
    var warnings = scope.querySelector("[data-testid=preview-warnings]");
    var stateSelect = scope.querySelector("[data-preview-state]");
    if (!url || !output) return;
    var timer = null;
    var seq = 0;
    var editable = !!form.querySelector("button[type=submit]");

    function refresh() {
      var params = editable ? new URLSearchParams(new FormData(form)) : new URLSearchParams();
      params.delete("csrfmiddlewaretoken");
      if (stateSelect) params.set("state", stateSelect.value);
      var mine = ++seq;
      fetch(url + "?" + params.toString(), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data || mine !== seq) return;  // a newer request is on its way
          output.textContent = data.json;
          output.dataset.invalid = data.invalid ? "true" : "false";
          if (warnings) {
            warnings.innerHTML = "";
            data.warnings.forEach(function (text) {
              var li = document.createElement("li");
              li.textContent = text;
              warnings.appendChild(li);
            });
          }
        })
        .catch(function () { /* keep the last preview */ });
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    }
    if (editable) {
      form.addEventListener("input", later);
      form.addEventListener("change", later);
      form.addEventListener("click", function (event) {
        if (event.target.matches("[data-add-row]")) later();
      });
    }
    if (stateSelect) stateSelect.addEventListener("change", refresh);
  }

  document.querySelectorAll("form[data-mapping-form]").forEach(function (form) {
    setupFormset(form);
    setupPreview(form);
  });
  document.querySelectorAll("form[data-sync-form]").forEach(setupFormset);
})();

/* CRM settings pages: show the value input that matches the source, add rows, suggest picklist values,
   grey out variables the chosen field cannot take, and refresh the Task preview as the mapping is edited.
   Plain JS, no dependencies. */
(function () {
  "use strict";

  function rowSync(row) {
    var source = row.querySelector("[data-role=source]");
    var target = row.querySelector("[data-role=target]");
    var constant = row.querySelector("[data-role=constant]");
    var isConstant = source && source.value === "constant";
    var variableCell = row.querySelector("[data-cell=variable]");
    var constantCell = row.querySelector("[data-cell=constant]");
    var fallbackCell = row.querySelector("[data-cell=fallback]");
    if (variableCell) variableCell.hidden = isConstant;
    if (constantCell) constantCell.hidden = !isConstant;
    if (fallbackCell) fallbackCell.style.visibility = isConstant ? "hidden" : "visible";
    if (!target || !constant) return;
    var option = target.options[target.selectedIndex];
    greyOutIncompatible(row.querySelector("[data-role=variable]"), option);
    var values = option && option.dataset.picklist ? JSON.parse(option.dataset.picklist) : [];
    var list = constantCell.querySelector("datalist");
    if (!list) return;
    list.innerHTML = "";
    values.forEach(function (value) {
      var item = document.createElement("option");
      item.value = value;
      list.appendChild(item);
    });
    if (values.length) {
      constant.setAttribute("list", list.id);
      constant.placeholder = option.dataset.restricted === "true" ? "One of: " + values.join(", ") : values.join(", ");
    } else {
      constant.removeAttribute("list");
      constant.placeholder = option && option.dataset.type === "boolean" ? "true or false" : "";
    }
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

  function bindRow(row) {
    rowSync(row);
    row.addEventListener("change", function () { rowSync(row); });
  }

  function setupFormset(form) {
    form.querySelectorAll("tr[data-row]").forEach(bindRow);
    var add = form.querySelector("[data-add-row]");
    var template = form.querySelector("template[data-empty-form]");
    var table = form.querySelector("table[data-formset]");
    if (!add || !template || !table) return;
    var prefix = table.dataset.formset;
    var total = form.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    add.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var holder = document.createElement("tbody");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
      var row = holder.querySelector("tr");
      table.querySelector("tbody").appendChild(row);
      total.value = String(index + 1);
      bindRow(row);
      var first = row.querySelector("select, input");
      if (first) first.focus();
    });
  }

  function setupPreview(form) {
    var url = form.dataset.previewUrl;
    var output = document.querySelector("[data-testid=task-preview]");
    var warnings = document.querySelector("[data-testid=preview-warnings]");
    var stateSelect = document.querySelector("[data-preview-state]");
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
})();

// Cascading division picker: province -> city -> county -> township -> village.
// Works without a framework; the server renders <option> lists at /divisions/children/<code>/.
(function () {
  "use strict";
  function childrenUrl(picker, code) {
    return picker.dataset.childrenUrl.replace(/0\/$/, encodeURIComponent(code) + "/");
  }
  function setValue(picker, code, label) {
    picker.querySelector("[data-picker-value]").value = code;
    var codeInput = picker.querySelector("[data-picker-code]");
    if (codeInput && codeInput !== document.activeElement) codeInput.value = code;
    var labelEl = picker.querySelector("[data-picker-label]");
    if (labelEl && label !== undefined) labelEl.textContent = label;
  }
  function dropAfter(picker, level) {
    picker.querySelectorAll("select[data-level]").forEach(function (s) {
      if (parseInt(s.dataset.level, 10) > level) s.remove();
    });
  }
  function pathLabel(picker) {
    var names = [];
    picker.querySelectorAll("select[data-level]").forEach(function (s) {
      var opt = s.options[s.selectedIndex];
      if (opt && opt.value) names.push(opt.textContent.trim());
    });
    return names.join(" › ");
  }
  function loadChildren(picker, code, level) {
    return fetch(childrenUrl(picker, code), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        if (!html || (html.match(/<option/g) || []).length < 2) return null;
        var select = document.createElement("select");
        select.dataset.level = String(level + 1);
        select.innerHTML = html;
        picker.querySelector(".picker-selects").appendChild(select);
        return select;
      });
  }
  function onChange(picker, select) {
    var level = parseInt(select.dataset.level, 10);
    dropAfter(picker, level);
    var code = select.value;
    if (!code) {
      var prev = picker.querySelector('select[data-level="' + (level - 1) + '"]');
      setValue(picker, prev ? prev.value : "", pathLabel(picker));
      return;
    }
    setValue(picker, code, pathLabel(picker));
    loadChildren(picker, code, level);
  }
  function init(picker) {
    picker.addEventListener("change", function (ev) {
      if (ev.target.matches("select[data-level]")) onChange(picker, ev.target);
    });
    var codeInput = picker.querySelector("[data-picker-code]");
    if (codeInput) {
      codeInput.addEventListener("input", function () {
        var code = codeInput.value.replace(/\s/g, "");
        picker.querySelector("[data-picker-value]").value = code;
        var labelEl = picker.querySelector("[data-picker-label]");
        if (!labelEl) return;
        if (!/^(\d{6}|\d{9}|\d{12})$/.test(code)) { labelEl.textContent = ""; return; }
        // Say at once which place the typed code is, so a typo is seen before submitting.
        fetch(picker.dataset.lookupUrl.replace(/0$/, code), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (d) {
            if (codeInput.value.replace(/\s/g, "") !== code) return;
            labelEl.textContent = d ? d.path_name : picker.dataset.unknownText;
            labelEl.classList.toggle("error", !d);
          });
      });
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-picker]").forEach(init);
  });
})();

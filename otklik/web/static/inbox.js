// The inbox: ticking cases for the bulk bar, and the keyboard (Gmail and Chatwoot conventions):
// j / k move, o or Enter opens, x ticks, a opens the case at its answer form, e resolves.
(function () {
  "use strict";
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#inbox-table tbody tr")); }
  function boxes() { return Array.prototype.slice.call(document.querySelectorAll('input[name="case"][form="bulk"]')); }
  var current = -1;

  function count() {
    var label = document.getElementById("bulk-count");
    if (!label) { return; }
    var n = boxes().filter(function (b) { return b.checked; }).length;
    if (!label.hasAttribute("data-hint")) { label.setAttribute("data-hint", label.textContent); }
    label.textContent = n ? label.getAttribute("data-template").replace("{n}", n) : label.getAttribute("data-hint");
  }
  function focusRow(i) {
    var all = rows();
    if (!all.length) { return; }
    current = Math.max(0, Math.min(all.length - 1, i));
    all.forEach(function (r, j) { r.classList.toggle("current", j === current); });
    all[current].scrollIntoView({ block: "nearest" });
  }
  function currentCase() {
    var all = rows();
    return current >= 0 && all[current] ? all[current].getAttribute("data-case") : null;
  }
  function resolveCurrent() {
    var form = document.getElementById("bulk");
    var id = currentCase();
    if (!form || !id) { return; }
    boxes().forEach(function (b) { b.checked = b.value === id; });
    form.querySelector('select[name="operation"]').value = "resolve";
    form.requestSubmit();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var all = document.getElementById("bulk-all");
    if (all) {
      all.addEventListener("change", function () {
        boxes().forEach(function (b) { b.checked = all.checked; });
        count();
      });
    }
    boxes().forEach(function (b) { b.addEventListener("change", count); });
    var form = document.getElementById("bulk");
    if (form) {
      form.addEventListener("submit", function (evt) {
        var op = form.querySelector('select[name="operation"]').value;
        if (op === "answer" && !window.confirm(form.getAttribute("data-confirm-answer"))) {
          evt.preventDefault();
        }
      });
    }
  });

  document.addEventListener("keydown", function (evt) {
    var tag = (evt.target && evt.target.tagName) || "";
    if (evt.ctrlKey || evt.metaKey || evt.altKey || /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(tag)) { return; }
    var id;
    switch (evt.key) {
      case "j": focusRow(current + 1); break;
      case "k": focusRow(current < 0 ? 0 : current - 1); break;
      case "o": case "Enter":
        id = currentCase(); if (id) { window.location.href = "/cases/" + id; } break;
      case "a":
        id = currentCase(); if (id) { window.location.href = "/cases/" + id + "#answer-form"; } break;
      case "x":
        id = currentCase();
        boxes().forEach(function (b) { if (b.value === id) { b.checked = !b.checked; } });
        count(); break;
      case "e": resolveCurrent(); break;
      default: return;
    }
    evt.preventDefault();
  });
})();

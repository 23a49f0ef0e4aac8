// The admin's autocomplete fields (select2) made accessible: select2 hides the labelled
// <select> and draws a combobox, and for several values a search field, that no <label>
// names (axe: "aria-input-field-name", "label"). Each is named here by the label of its
// <select>, again whenever select2 redraws it (a value added or removed redraws the
// search field). Loaded by every page of /gestion/ (templates/admin/base_site.html).
(function () {
  "use strict";

  function labelFor(select) {
    if (!select.id) {
      return null;
    }
    var label = document.querySelector('label[for="' + select.id + '"]');
    if (label && !label.id) {
      label.id = select.id + "-label";
    }
    return label;
  }

  function name(container) {
    var select = container.previousElementSibling;
    while (select && select.tagName !== "SELECT") {
      select = select.previousElementSibling;
    }
    if (!select) {
      return;
    }
    var label = labelFor(select);
    if (!label) {
      return;
    }
    container.querySelectorAll(".select2-selection[role=combobox]").forEach(function (box) {
      var rendered = box.querySelector(".select2-selection__rendered");
      var ids = [label.id];
      if (rendered && rendered.id) {
        ids.push(rendered.id);
      }
      box.setAttribute("aria-labelledby", ids.join(" "));
      if (rendered && rendered.getAttribute("role") === "textbox") {
        rendered.setAttribute("aria-labelledby", label.id);
      }
    });
    container.querySelectorAll("input.select2-search__field").forEach(function (field) {
      field.setAttribute("aria-labelledby", label.id);
    });
    // The "clear all" cross of a multiple choice, drawn inside the list of choices
    // (axe: "list"), moved just before it (select2 finds and removes it there too).
    container.querySelectorAll("ul > .select2-selection__clear").forEach(function (cross) {
      cross.parentNode.parentNode.insertBefore(cross, cross.parentNode);
    });
  }

  function nameAll(root) {
    root.querySelectorAll("span.select2-container").forEach(name);
  }

  function start() {
    nameAll(document);
    new MutationObserver(function (mutations) {
      mutations.forEach(function (mutation) {
        var target = mutation.target;
        var container = target.closest ? target.closest("span.select2-container") : null;
        if (container) {
          name(container);
        } else if (target.querySelectorAll) {
          nameAll(target);
        }
      });
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      window.setTimeout(start, 0);
    });
  } else {
    window.setTimeout(start, 0);
  }
})();

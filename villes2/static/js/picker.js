/* Territory picker: keyboard and pointer behaviour of the ARIA 1.2 combobox whose
   suggestions htmx loads. Without JavaScript the field stays a plain text input. */
(function () {
  "use strict";
  function setup(root) {
    var input = root.querySelector("[role=combobox]");
    var listbox = root.querySelector("[role=listbox]");
    var status = root.querySelector("[data-picker-status]");
    var active = -1;
    function options() { return Array.prototype.slice.call(listbox.querySelectorAll("[role=option]")); }
    function open(state) {
      input.setAttribute("aria-expanded", state ? "true" : "false");
      if (!state) { listbox.innerHTML = ""; input.removeAttribute("aria-activedescendant"); active = -1; }
    }
    function highlight(index) {
      var items = options();
      items.forEach(function (item, i) { item.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      }
    }
    function choose(item) { input.value = item.dataset.value; open(false); input.focus(); }
    root.addEventListener("htmx:afterSwap", function () {
      var count = options().length;
      // New suggestions: nothing is highlighted until the user moves with the arrows.
      active = -1;
      input.removeAttribute("aria-activedescendant");
      input.setAttribute("aria-expanded", count > 0 ? "true" : "false");
      if (!input.value.trim()) { status.textContent = ""; return; }
      status.textContent = count > 1 ? root.dataset.countMany.replace("%s", count)
        : count === 1 ? root.dataset.countOne : root.dataset.noneText;
    });
    input.addEventListener("keydown", function (event) {
      var items = options();
      if (event.key === "ArrowDown" && items.length) { event.preventDefault(); highlight((active + 1) % items.length); }
      else if (event.key === "ArrowUp" && items.length) { event.preventDefault(); highlight((active - 1 + items.length) % items.length); }
      else if (event.key === "Enter" && active >= 0 && items[active]) { event.preventDefault(); choose(items[active]); }
      else if (event.key === "Escape") { open(false); }
    });
    listbox.addEventListener("mousedown", function (event) {
      var item = event.target.closest("[role=option]");
      if (item) { event.preventDefault(); choose(item); }
    });
    input.addEventListener("blur", function () { window.setTimeout(function () { open(false); }, 150); });
  }
  document.querySelectorAll("[data-picker]").forEach(setup);
})();

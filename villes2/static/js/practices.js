// Experience record page: the "Print" button, shown only when JavaScript runs (the
// browser's own print command gives the same result: the print styles do the work).
(function () {
  "use strict";
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();

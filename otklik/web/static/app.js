// otklik desk: the only page-wide script. No inline scripts anywhere (see the CSP header).
// Every HTMX request carries the CSRF token from the page's meta tag.
(function () {
  "use strict";
  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  document.addEventListener("htmx:configRequest", function (evt) {
    evt.detail.headers["X-CSRF-Token"] = csrf();
  });
  // A signed-out session answers HTMX requests with HX-Redirect to /login (handled by htmx).
  // Buttons that ask for confirmation carry data-confirm (no inline handlers).
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    var message = form && form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      evt.preventDefault();
    }
  }, true);
})();

// Starts Swagger UI on /api/docs (kept out of the page: no inline scripts under our CSP).
(function () {
  "use strict";
  var el = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: el.getAttribute("data-spec"), dom_id: "#swagger-ui",
                           deepLinking: true });
})();

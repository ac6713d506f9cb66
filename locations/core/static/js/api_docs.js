/* The API reference page: Swagger UI (from the flask-swagger-ui package) drawing /api/openapi.json. */
(function () {
  "use strict";
  var box = document.getElementById("api-docs");
  if (!box || !window.SwaggerUIBundle) { return; }
  window.SwaggerUIBundle({
    url: box.getAttribute("data-spec-url"),
    domNode: box,
    deepLinking: false,
    // "Try it out" sends real requests to this site; the planner and estimator only read.
    supportedSubmitMethods: ["get", "post"],
    validatorUrl: null
  });
})();

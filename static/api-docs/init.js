/* init.js — starts Swagger UI (swagger-ui/, from the swagger-ui-dist npm
 * package) on our own OpenAPI document. A file of its own because the CSP
 * of /api/docs allows scripts from this site only, never inline. */
"use strict";

window.addEventListener("DOMContentLoaded", function () {
  if (typeof window.SwaggerUIBundle !== "function") return; /* not installed: the page's text stays */
  window.ui = window.SwaggerUIBundle({
    url: "/api/v1/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null, /* no request to validator.swagger.io */
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
});

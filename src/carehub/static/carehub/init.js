// Loaded as a module so the content security policy can forbid inline scripts.
import { initAll } from "/static/govuk/govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();

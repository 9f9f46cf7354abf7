// Loaded as a module so the content security policy can forbid inline scripts. GOV.UK Frontend's components
// (Exit this page, the menu toggle, error summaries) start only in browsers that run modules, as GOV.UK intends.
import { initAll } from "/static/govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// Loaded as a module so the content security policy can forbid inline scripts. GOV.UK Frontend's components
// (Exit this page, the menu toggle, error summaries) start only in browsers that run modules, as GOV.UK intends.
import { initAll } from "/static/govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
document.querySelectorAll("form[data-replace-history]").forEach(replaceHistoryOnSubmit);

// The self-referral's steps must not pile up in the browser's history: someone who later looks at it, or presses
// Back, would walk through her answers one step at a time. A form marked data-replace-history is posted in the
// background and the page's <main> swapped for the answer's, so the whole form stays one history entry. Without
// JavaScript (or if the answer has no <main>) the form posts as usual and every step still works.
function replaceHistoryOnSubmit(form) {
  let sending = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (sending) return; // a double click must not post the same step twice
    sending = true;
    const submitter = event.submitter;
    const body = new FormData(form);
    if (submitter?.name) body.append(submitter.name, submitter.value);
    let page = null;
    try {
      // getAttribute, not form.action: the steps' buttons are named "action", which shadows the property.
      const url = form.getAttribute("action") || window.location.href;
      const response = await fetch(url, { method: "POST", body, credentials: "same-origin" });
      page = new DOMParser().parseFromString(await response.text(), "text/html");
    } catch {
      page = null;
    }
    const main = page?.querySelector("main");
    if (!main) {
      submitNormally(form, submitter);
      return;
    }
    document.title = page.title;
    const adopted = document.adoptNode(main);
    document.querySelector("main").replaceWith(adopted);
    startSwappedPage(adopted);
  });
}

function startSwappedPage(main) {
  window.scrollTo(0, 0);
  initAll(main); // the error summary, if any, takes focus itself, as on a page load
  main.querySelectorAll("form[data-replace-history]").forEach(replaceHistoryOnSubmit);
  if (!main.querySelector(".govuk-error-summary")) {
    // A new page for a screen reader too: start reading at its heading, as after a page load.
    const heading = main.querySelector("h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  }
}

function submitNormally(form, submitter) {
  if (submitter?.name) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = submitter.name;
    input.value = submitter.value;
    form.append(input);
  }
  form.submit(); // does not fire "submit" again
}

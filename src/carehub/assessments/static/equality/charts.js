// Draws each chart on the commissioner's page from the Vega-Lite spec in its JSON script tag. No inline script and
// no eval: vega-embed's `ast` option runs Vega's expressions through its interpreter, so the content security
// policy needs no 'unsafe-eval'; `defaultStyle: false` and `tooltip: false` keep vega-embed and its tooltip
// handler from adding <style> elements (the policy forbids inline styles). The figures
// are also in a table beside each chart, for screen readers and for anyone without scripts.
// Each chart ends with data-drawn "true" or, when it cannot be drawn, "false": a page is settled once none lacks it.
for (const container of document.querySelectorAll("[data-vega-spec]")) {
  const source = document.getElementById(container.dataset.vegaSpec);
  if (!source || typeof vegaEmbed !== "function") {
    container.setAttribute("data-drawn", "false");
    continue;
  }
  const spec = JSON.parse(source.textContent);
  vegaEmbed(container, spec, { actions: false, ast: true, defaultStyle: false, tooltip: false, renderer: "svg" })
    .then(() => container.setAttribute("data-drawn", "true"))
    .catch((error) => {
      container.textContent = "The chart could not be drawn; the table below has the same figures.";
      container.setAttribute("data-drawn", "false");
      console.warn(error);
    });
}

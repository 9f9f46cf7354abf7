"""A commissioner sees the equality headlines and charts in a real browser, under Care Hub's content security policy.

The charts are drawn by vega-embed from the Vega-Lite specs in the page's JSON script tags: no inline script, no
eval, no inline style, so a CSP violation or a script error fails the test (the harness records both), and axe-core
must find no serious or critical violation with the charts drawn and a data table open.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_a_commissioner_reads_headlines_and_charts_with_their_tables(sign_in) -> None:
    visitor = sign_in("cora")
    visitor.open("/insight/equality/hub/")
    page = visitor.page
    assert page.get_by_role("heading", name="Headlines").count() == 1
    assert "for everyone" in page.locator("li.govuk-body-l").first.inner_text()
    charts = page.locator("[data-vega-spec]")
    assert charts.count() >= 3
    page.wait_for_selector("[data-vega-spec][data-drawn='true']", timeout=15_000)
    first = charts.first
    assert first.locator("svg").count() >= 1  # vega-embed drew it
    assert first.locator("svg text").count() > 0  # with its axis labels
    visitor.check()  # axe with the charts drawn
    figure = page.locator("figure.eia-chart").first
    figure.locator("summary").click()
    table = figure.get_by_role("table")
    assert table.count() == 1 and table.locator("tbody tr").count() >= 2
    visitor.check()  # axe again with a data table open
    link = figure.get_by_role("link", name="Download these figures as CSV")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".csv")
    visitor.assert_clean()

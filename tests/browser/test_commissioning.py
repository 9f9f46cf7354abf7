"""A commissioner reads the commissioning evidence in a real browser, under the content security policy: findings
first, the charts drawn by vega-embed, a data table behind each, and axe-core finds no serious violation."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_a_commissioner_reads_the_headline_and_charts_with_their_tables(sign_in) -> None:
    visitor = sign_in("cora")
    visitor.open("/insight/commissioning/")
    page = visitor.page
    assert page.get_by_role("heading", name="Headline").count() == 1
    assert "Referrals rose" in page.locator("[data-findings] li").first.inner_text()
    assert "per 10,000 adult women" in page.locator("[data-headline='rates']").inner_text()
    charts = page.locator("[data-vega-spec]")
    # referrals per 10,000 adult women by borough first, then demand, waits, declines, then the funding gap and the
    # waiting list projected with today's caseworkers
    assert charts.count() == 6
    page.wait_for_selector("[data-vega-spec][data-drawn='true']", timeout=15_000)
    assert charts.first.locator("svg text").count() > 0
    visitor.check()  # axe with the charts drawn
    figure = page.locator("figure.eia-chart").nth(2)
    figure.locator("summary").click()
    assert figure.get_by_role("table").locator("tbody tr").count() == 4  # one row per wait stage
    visitor.check()  # axe again with a data table open
    gap = page.locator("[data-funding-gap]")
    assert "Full-time caseworkers recorded today" in gap.inner_text() and "3.5" in gap.inner_text()  # 2.0 + 1.5
    assert "Quaymarsh Refuge" in page.locator("[data-fte-not-recorded]").inner_text()  # none recorded: named
    capacity = page.locator("figure.eia-chart").nth(4)
    assert "recorded today" in capacity.locator("figcaption").inner_text()
    capacity.locator("summary").click()
    assert "not recorded" in capacity.get_by_role("table").inner_text()
    visitor.check()  # and with the funding gap's table open
    with page.expect_download() as download:
        page.get_by_role("link", name="Download every figure as CSV").click()
    assert download.value.suggested_filename == "commissioning-results.csv"
    visitor.assert_clean()


def test_a_commissioner_filters_the_figures_by_borough_service_type_and_period(sign_in) -> None:
    visitor = sign_in("cora")
    visitor.open("/insight/commissioning/")
    page = visitor.page
    page.get_by_label("Borough", exact=True).select_option(label="Barnet")
    page.get_by_label("Period", exact=True).select_option(label="The last 12 months")
    page.get_by_role("button", name="Show these figures").click()
    page.wait_for_selector("[data-filtered]")
    assert (
        "Figures for Barnet, all service types, over the last 12 months" in page.locator("[data-filtered]").inner_text()
    )
    assert page.locator("[data-findings]").count() == 0
    page.wait_for_selector("[data-vega-spec][data-drawn='true']", timeout=15_000)
    visitor.check()
    visitor.assert_clean()


def test_a_commissioner_changes_caseworkers_and_sees_the_projected_waits_change(sign_in) -> None:
    visitor = sign_in("cora")
    visitor.open("/insight/commissioning/")
    page = visitor.page
    page.get_by_role("link", name="Try a funding scenario").click()
    page.wait_for_selector("[data-scenario]")
    visitor.check()
    assert "recorded today" in page.locator("[data-funding-gap]").inner_text()
    assert page.locator("[data-today='idva']").inner_text() == "3.5"  # the directory's, where the scenario starts
    assert page.get_by_label("Full-time caseworkers for idva").input_value() == "3.5"
    service_type = page.locator("[data-p90]").first.get_attribute("data-p90")
    before = float(page.locator(f"[data-p90='{service_type}']").inner_text())
    box = page.get_by_label(f"Full-time caseworkers for {service_type}")
    fewer = float(box.input_value()) * 0.6
    box.fill(f"{fewer:.1f}")
    page.get_by_role("button", name="Project the waits").click()
    page.wait_for_selector("[data-scenario]")
    after = float(page.locator(f"[data-p90='{service_type}']").inner_text())
    assert after > before
    assert page.get_by_label(f"Full-time caseworkers for {service_type}").input_value() == f"{round(fewer * 2) / 2}"
    visitor.check()
    visitor.assert_clean()


def test_a_service_manager_reads_her_own_services_figures_and_no_other(sign_in, hub) -> None:
    """Quaymarsh's manager follows her home's link to her service's evidence: its headline and forecast, the demand,
    waits and declines charts drawn with their tables, the waiting list, its capacity today; another organisation's
    service answers 404 as if absent."""
    own, other = hub.facts["service_ids"]["solace"], hub.facts["service_ids"]["sistah"]
    visitor = sign_in("amara")
    visitor.open("/home/")
    page = visitor.page
    assert page.get_by_role("heading", name="Demand, waits and capacity for your services").count() == 1
    assert page.locator(f"a[href='/insight/commissioning/service/{other}/']").count() == 0
    visitor.follow(page.locator(f"a[href='/insight/commissioning/service/{own}/']"))
    visitor.check()
    assert page.get_by_role("heading", level=1).inner_text() == "Quaymarsh IDVA: demand, waits and capacity"
    headline = page.locator("[data-headline='service']").inner_text()
    assert "referrals were routed to Quaymarsh IDVA" in headline and "waited" in headline
    assert page.locator("[data-forecast]").inner_text().startswith("Forecast: about ")
    charts = page.locator("[data-vega-spec]")
    assert charts.count() == 3  # demand, waits, then the declines of the offers her service made
    page.wait_for_selector("[data-vega-spec][data-drawn='true']", timeout=15_000)
    assert charts.first.locator("svg text").count() > 0
    figure = page.locator("figure.eia-chart").nth(1)
    figure.locator("summary").click()
    assert figure.get_by_role("table").locator("tbody tr").count() == 4  # one row per wait stage
    assert page.locator("[data-waiting-list] tbody tr").count() > 12
    declines = page.locator("figure.eia-chart").nth(2)
    assert "Declines per 100 offers" in declines.locator("figcaption").inner_text()
    declines.locator("summary").click()
    assert declines.get_by_role("table").locator("tbody tr").count() > 0
    capacity = page.locator("[data-capacity]")
    assert (
        "Open cases it can hold at once" in capacity.inner_text()
        and "Waiting for a caseworker now" in capacity.inner_text()
    )
    visitor.check()  # axe with the charts drawn and a table open
    visitor.open(f"/insight/commissioning/service/{other}/", expect_status=404)
    assert "demand, waits and capacity" not in page.title() and page.locator("[data-vega-spec]").count() == 0
    visitor.assert_clean()

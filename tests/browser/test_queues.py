"""The hub's triage queue in a real browser: the high-risk referral comes first although it arrived last, the
filters narrow it by GET parameters that name no one, and every page is axe-core clean."""

from __future__ import annotations

import pytest

from tests.browser.harness import Hub

pytestmark = pytest.mark.browser


def test_a_high_risk_referral_is_first_in_the_triage_queue(sign_in, hub: Hub) -> None:
    reference = hub.facts["high_risk_reference"]
    visitor = sign_in("hana")
    page = visitor.page
    visitor.open("/referrals/queue/")
    first_row = page.locator("table.govuk-table tbody tr").first
    assert reference in first_row.inner_text()
    assert "High" in first_row.inner_text()

    # Filter to high risk with the form, as a hub worker would: the URL carries codes, never a person.
    page.get_by_label("Risk").select_option("high")
    visitor.follow(page.get_by_role("button", name="Apply filters"))
    visitor.check()
    assert "risk=high" in page.url
    rows = page.locator("table.govuk-table tbody tr")
    assert rows.count() == 1 and reference in rows.first.inner_text()
    for name in hub.facts["survivor_names"]:
        assert name.lower() not in page.url.lower()
    visitor.assert_clean()

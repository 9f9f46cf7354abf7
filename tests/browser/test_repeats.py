"""A hub worker, in a real browser, sees that a new referral is probably a woman supported before, and confirms it.

Every page is checked as in test_pages.py: axe-core (no serious or critical violation), no content security policy
violation, and no survivor's name in the title.
"""

from __future__ import annotations

import pytest

from tests.browser.harness import Hub

pytestmark = pytest.mark.browser


def test_a_hub_worker_sees_a_possible_earlier_referral_and_confirms_it(sign_in, hub: Hub) -> None:
    earlier, new = hub.facts["repeat_references"]["earlier"], hub.facts["repeat_references"]["new"]
    visitor = sign_in("hana")
    visitor.open(f"/referrals/{new}/")
    page = visitor.page
    heading = page.get_by_role("heading", name="Possible earlier referrals")
    assert heading.count() == 1
    card = page.locator(".govuk-summary-card", has_text=f"same person as referral {earlier}")
    text = card.inner_text()
    assert "% likely to be the same person" in text
    assert "Family name: one typing slip apart" in text
    assert "Date of birth: the same" in text
    assert "Phone number: differs" in text
    assert "Okonkwo" not in page.locator("main").inner_text()  # her earlier details are never shown

    visitor.follow(card.get_by_role("button", name=f"Confirm the same person as referral {earlier}"))
    visitor.check()
    assert page.url == hub.url(f"/referrals/{new}/")
    main = page.locator("main").inner_text()
    assert "this is a repeat referral" in page.locator(".govuk-notification-banner").inner_text()
    assert "Repeat referral" in main
    history = page.get_by_role("table", name="Her other referrals and their cases").inner_text()
    assert earlier in history
    assert "Quaymarsh IDVA" in history and "(support completed)" in history
    assert "No earlier referral looks like the same person." in main
    visitor.assert_clean()

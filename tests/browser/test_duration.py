"""A commissioner, in a real browser, reads the support-duration analysis and its full report.

Checked as every page is (test_pages.py): axe-core (no serious or critical violation), no content security policy
violation, nothing personal in the title. The small test world has too few episodes for the analysis, so the page
shows one of a synthetic extract (3,000 simulated episodes, seed 8), which build_world.py wrote where the server
reads it (its var folder), as it does for the equality pages.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_a_commissioner_reads_the_headline_the_curves_and_the_report(sign_in) -> None:
    visitor = sign_in("cora")
    visitor.open("/insight/duration/")
    visitor.check()
    page = visitor.page
    assert page.locator(".govuk-inset-text").inner_text().startswith("Commissioning 26 weeks of support")
    assert page.get_by_role("img", name="Repeat referrals after support ended, by length").count() == 1
    assert page.get_by_role("img", name="26 against 12 weeks of support").count() == 1
    group = page.locator("details", has_text="Borough").first
    group.locator("summary").click()
    visitor.check()  # axe again with a table open
    assert "Too few to show" in group.inner_text() or "%" in group.inner_text()
    visitor.follow(page.get_by_role("link", name="Open the full report (to read or print)"))
    visitor.check()
    assert page.locator("svg").count() == 2
    visitor.assert_clean()

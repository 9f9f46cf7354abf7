"""A commissioner, in a real browser, reads the equality impact assessment and its full report.

Every page is checked as in test_pages.py: axe-core (no serious or critical violation), no content security policy
violation (the report's inline styles are allowed for it alone), and no survivor's name in the title.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_a_commissioner_reads_the_findings_and_opens_the_report(sign_in) -> None:
    visitor = sign_in("cora")
    visitor.open("/insight/equality/")
    visitor.follow(visitor.page.get_by_role("link", name="Read the findings"))
    visitor.check()
    page = visitor.page
    assert page.get_by_role("heading", name="Findings").count() == 1
    measure = page.locator("details.eia-measure", has_text="Offered a by-and-for service when asked").first
    measure.locator("summary").click()
    visitor.check()  # axe again with a table open
    assert measure.get_by_role("table").count() == 1
    assert "Ethnic group" in measure.inner_text()
    visitor.follow(page.get_by_role("link", name="Open the full report (to read or print)"))
    visitor.check()
    assert "Equality impact assessment" in page.title()
    assert page.locator("svg").count() >= 1  # the forest plots drew
    visitor.assert_clean()

"""The independent service's manager, in a real browser, places a legal hold on a sealed-pathway survivor from his
home and lifts it. Every page is checked as in test_pages.py: axe-core, no content security policy violation, and
no survivor's name in the title."""

from __future__ import annotations

import pytest

from tests.browser.harness import Hub

pytestmark = pytest.mark.browser


def test_a_manager_places_and_lifts_a_legal_hold(sign_in, hub: Hub) -> None:
    reference = hub.facts["referral_references"]["sealed"]
    visitor = sign_in("ivan")
    page = visitor.page
    visitor.follow(page.get_by_role("link", name="Legal holds"))
    visitor.check()
    page.get_by_label("Referral reference").fill(reference)
    page.get_by_label("Why her records must be kept").fill("Misconduct hearing: the force asked us to keep records")
    visitor.follow(page.get_by_role("button", name="Place the hold"))
    visitor.check()
    table = page.get_by_role("table").inner_text()
    assert reference in table
    assert "Active" in table
    visitor.follow(page.get_by_role("link", name="Lift hold"))
    visitor.check()
    page.get_by_label("Why the hold can be lifted").fill("The hearing has concluded and reported")
    visitor.follow(page.get_by_role("button", name="Lift the hold"))
    visitor.check()
    assert "Lifted" in page.get_by_role("table").inner_text()
    visitor.assert_clean()

"""A specialist service, in a real browser, takes a referral from its inbox through to closure with outcomes recorded.

The browser counterpart of tests/cases/test_end_to_end.py: Quaymarsh's manager accepts the referral the hub offered
(build_world.py's `closure_reference`, used by no other test) and allocates it; the caseworker records her starting
measures, a goal and a contact, then closes the case with her closing measures. Every page is checked as in
test_pages.py: axe-core (no serious or critical violation), no content security policy violation, and no survivor's
name in the title.
"""

from __future__ import annotations

import re

import pytest

from carehub.core.public_ids import display
from tests.browser.harness import Hub, Visitor

pytestmark = pytest.mark.browser

GOAL = "Move somewhere he cannot find her"
NOTE = "Talked through the court date"
COERCIVE = "Controlling or coercive behaviour"
STALKING = "Stalking and harassment"


def done_banner(visitor: Visitor) -> str:
    return visitor.page.locator(".govuk-notification-banner--success").inner_text()


def answer_measures(visitor: Visitor, *, answered: str, question: str, abuse: dict[str, str], scales: dict) -> None:
    """Fill in the outcome questions as a caseworker would: by their legends and labels."""
    page = visitor.page
    page.get_by_role("group", name=answered).get_by_label("Yes", exact=True).check()
    for abuse_type, answer in abuse.items():
        page.get_by_role("group", name=f"{abuse_type}: {question}").get_by_label(answer, exact=True).check()
    for label, value in scales.items():
        page.get_by_label(label).fill(str(value))


def test_a_service_takes_a_referral_through_to_closure_with_outcomes_recorded(sign_in, hub: Hub) -> None:
    reference = hub.facts["closure_reference"]
    visitor = sign_in("amara")
    page = visitor.page

    # The manager accepts the referral offered to her service.
    visitor.follow(page.get_by_role("link", name="Referrals offered to your services"))
    visitor.check()
    visitor.follow(page.get_by_role("link", name=reference, exact=True))
    visitor.check()
    assert page.get_by_role("heading", name=f"Referral {reference}").count() == 1
    visitor.follow(page.get_by_role("button", name="Accept", exact=True))
    visitor.check()
    assert "the referral is on your waiting list" in done_banner(visitor)
    case_path = page.url.removeprefix(hub.base_url)
    case_number = display(re.fullmatch(r"/cases/([0-9A-Z]{12})/", case_path).group(1))
    assert "Waiting" in page.locator("main .govuk-tag").first.inner_text()

    # ... and allocates it to a caseworker from the waiting list.
    visitor.open("/home/")
    visitor.follow(page.get_by_role("link", name="Waiting list"))
    visitor.check()
    visitor.follow(page.get_by_role("link", name=f"Allocate case {case_number}", exact=True))
    visitor.check()
    page.get_by_role("group", name="Who will support her?").get_by_label(re.compile(r"^Alice \(")).check()
    visitor.follow(page.get_by_role("button", name="Allocate and open the case"))
    visitor.check()
    assert page.url == hub.url(case_path)
    assert "Allocated: the case is open." in done_banner(visitor)
    visitor.follow(page.get_by_role("button", name="Sign out"))
    visitor.check()

    # The caseworker finds the case on her caseload.
    visitor = sign_in("alice")
    visitor.follow(page.get_by_role("link", name="Your caseload"))
    visitor.check()
    visitor.follow(page.get_by_role("link", name=f"Case {case_number}", exact=True))
    visitor.check()
    assert page.url == hub.url(case_path)

    # Her starting measures.
    visitor.follow(page.get_by_role("link", name="Record starting measures"))
    visitor.check()
    answer_measures(
        visitor,
        answered="Did she answer the outcome questions?",
        question="how is it now, compared with before she came to the service?",
        abuse={COERCIVE: "Unchanged", STALKING: "Worse"},
        scales={
            "How safe does she feel?": 3,
            "How is her wellbeing?": 4,
            "How is her quality of life?": 5,
            "How confident is she that she knows where to get help?": 2,
        },
    )
    visitor.follow(page.get_by_role("button", name="Save her starting measures"))
    visitor.check()
    assert "Starting measures recorded." in done_banner(visitor)

    # A goal in her support plan.
    visitor.follow(page.get_by_role("link", name="Add a goal"))
    visitor.check()
    page.get_by_label("Goal", exact=True).fill(GOAL)
    visitor.follow(page.get_by_role("button", name="Add the goal"))
    visitor.check()
    assert "Goal added." in done_banner(visitor)

    # A phone call of half an hour, today (the date the form starts with).
    visitor.follow(page.get_by_role("link", name="Log a contact"))
    visitor.check()
    page.get_by_role("group", name="What kind of contact?").get_by_label("Phone call").check()
    page.get_by_label("How many minutes?").fill("30")
    page.get_by_label("Note").fill(NOTE)
    visitor.follow(page.get_by_role("button", name="Save the contact"))
    visitor.check()
    assert "Contact logged." in done_banner(visitor)
    main = page.locator("main").inner_text()
    assert GOAL in main and NOTE in main and "1 contact, 30 minutes in all" in main

    # Her goal reached: a goal never started would need a manager's confirmation to close (issue 12).
    visitor.follow(page.get_by_role("link", name="Update goal 1"))
    visitor.check()
    page.get_by_role("group", name="Where has this goal got to?").get_by_label("Achieved").check()
    visitor.follow(page.get_by_role("button", name="Save"))
    visitor.check()
    assert "Goal updated." in done_banner(visitor)

    # Closure, with her closing measures on the same page.
    visitor.follow(page.get_by_role("link", name="Close the case"))
    visitor.check()
    page.get_by_role("group", name="Why is the case closing?").get_by_label("Support completed").check()
    answer_measures(
        visitor,
        answered="Did she answer the closing outcome questions?",
        question="how has it changed since support began?",
        abuse={COERCIVE: "Reduced", STALKING: "Stopped"},
        scales={
            "How safe does she feel?": 8,
            "How is her wellbeing?": 7,
            "How is her quality of life?": 7,
            "How confident is she that she knows where to get help?": 9,
        },
    )
    visitor.follow(page.get_by_role("button", name="Close the case"))
    visitor.check()

    # The case page shows it closed, with what her support changed, and nothing more can be written to it.
    assert page.url == hub.url(case_path)
    assert "Case closed." in done_banner(visitor)
    assert page.locator("main .govuk-tag").first.inner_text() == "Closed"
    assert "support completed" in page.locator(".govuk-summary-list__row", has_text="Closed").inner_text()
    outcomes = page.locator("main table", has_text="At closure")
    rows = {
        row.locator("th").inner_text(): [cell.inner_text() for cell in row.locator("td").all()]
        for row in outcomes.locator("tbody tr").all()
    }
    assert rows["Feels safe"] == ["3", "8", "+5"]
    assert rows["Wellbeing"] == ["4", "7", "+3"]
    assert rows["Quality of life"] == ["5", "7", "+2"]
    assert rows["Confident she knows where to get help"] == ["2", "9", "+7"]
    assert rows[COERCIVE][:2] == ["Unchanged", "Reduced"]
    assert rows[STALKING][:2] == ["Worse", "Stopped"]
    assert page.get_by_role("link", name="Log a contact").count() == 0
    assert page.get_by_role("link", name="Close the case").count() == 0
    visitor.assert_clean()

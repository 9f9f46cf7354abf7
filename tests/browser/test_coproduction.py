"""Co-production in a real browser (issue 18): a commissioner registers a commitment, attaches a signed-off equality
impact assessment and opens a consultation; a by-and-for organisation answers openly and a specialist one in
confidence, and each reads only what it should; the commissioner answers each point and adds an action; the public
page shows the open point, the decisions and the progress and nothing confidential; a survivor answers the feedback
questionnaire from her one-time link, and her service sees the figures only once ten answers are in and the daily
flush has moved them out of the holding pool. Every page is checked with axe-core, for content security policy errors
and for a survivor's name in the title."""

from __future__ import annotations

import re

import pytest

from tests.browser.harness import Hub, Visitor

pytestmark = pytest.mark.browser

TITLE = "Recommission counselling for 26 weeks"
OPEN_POINT = "Fund interpreters for Somali and Tigrinya speakers"
SECRET_POINT = "Our waiting list is longer than we have told anyone"
RUN = "Care Hub: referral, routing to by-and-for services, and outcomes"


def _date(page, group: str, day: str, month: str, year: str) -> None:
    box = page.get_by_role("group", name=group)
    box.get_by_label("Day").fill(day)
    box.get_by_label("Month").fill(month)
    box.get_by_label("Year").fill(year)


def _follow(visitor: Visitor, control) -> None:
    """Follow a link or button, then check the page it leads to (axe-core, the content security policy, the title)."""
    visitor.follow(control)
    visitor.check()


def _sign_out(visitor: Visitor) -> None:
    _follow(visitor, visitor.page.get_by_role("button", name="Sign out"))


def _answer(visitor: Visitor, consultation_path: str, *, openly: bool, text: str) -> None:
    page = visitor.page
    visitor.open("/home/")
    _follow(visitor, page.get_by_role("link", name="Consultations on the plan's commitments"))
    _follow(visitor, page.get_by_role("link", name=TITLE))
    assert page.url.endswith(consultation_path)
    _follow(visitor, page.get_by_role("link", name="Answer this consultation"))
    page.get_by_role("group", name="Your organisation's view").get_by_label("Support with changes").check()
    who = page.get_by_role("group", name="Who may read your answer")
    who.get_by_label(re.compile("^Openly" if openly else "^In confidence")).check()
    page.get_by_label("Point 1", exact=True).fill(text)
    page.get_by_label("Evidence for point 1").fill("Our last two years of referrals")
    page.get_by_role("group", name="Communities point 1 speaks for").get_by_label("Migrant women").check()
    _follow(visitor, page.get_by_role("button", name="Send your answer"))
    assert "Your answer has been sent" in page.locator(".govuk-notification-banner--success").inner_text()


# The service build_world.py gave nine answers to. Kestrel Rise has other services (test_administration.py, which
# runs first, adds one), each with its own "fewer than ten answers" note: only this one's is looked at.
FEEDBACK_SERVICE = "Kestrel Rise Advocacy"


def _below_threshold(page, service: str) -> bool:
    """Whether the feedback page says `service` has too few answers to show (the note right after its heading)."""
    heading = page.get_by_role("heading", name=service, exact=True)
    assert heading.count() == 1, f"the feedback page has no section for {service}"
    return heading.locator("xpath=following-sibling::*[1][@data-below-threshold]").count() == 1


def test_commitment_consultation_you_said_we_did_and_survivor_feedback(sign_in, visitor: Visitor, hub: Hub) -> None:
    page = visitor.page

    # The commissioner registers a commitment: it has no current assessment yet.
    sign_in("cora")
    _follow(visitor, page.get_by_role("link", name="Commitments, consultations and what was done"))
    _follow(visitor, page.get_by_role("link", name="Add a commitment"))
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Description").fill("Counselling contracts move from 12 to 26 weeks of support.")
    page.get_by_label("Owner").fill("Commissioning team")
    page.get_by_role("group", name="Services it touches").get_by_label("Counselling and therapeutic support").check()
    page.get_by_role("group", name="Populations it touches").get_by_label("Migrant women").check()
    _follow(visitor, page.get_by_role("button", name="Add the commitment"))
    commitment_path = page.url.removeprefix(hub.base_url)
    assert "No current assessment" in page.locator("main").inner_text()

    # ... attaches an equality impact assessment resting on the published run, and signs it off.
    _follow(visitor, page.get_by_role("link", name="Attach an equality impact assessment"))
    page.get_by_label(RUN).check()
    _date(page, "Date of the assessment", "1", "12", "2026")
    page.get_by_label(re.compile("^What is the impact")).fill("Women with insecure immigration status wait longest.")
    page.get_by_label(re.compile("^What is done")).fill("Places ring-fenced for women with no recourse.")
    page.get_by_label(re.compile("^How is the impact")).fill("Quarterly, by the equality engine.")
    _follow(visitor, page.get_by_role("button", name="Attach the assessment"))
    _follow(visitor, page.get_by_role("link", name=re.compile("^Sign off")))
    page.get_by_label("Assessor's name").fill("Cora Commissioner")
    _follow(visitor, page.get_by_role("button", name="Sign off"))
    assert page.locator("[data-current-assessment]").count() == 1
    assert "No current assessment" not in page.locator("main").inner_text()

    # ... and opens a consultation: by-and-for and specialist organisations are invited by default.
    _follow(visitor, page.get_by_role("link", name="Open a consultation"))
    invited = page.get_by_role("group", name="Organisations to invite")
    assert invited.get_by_label(re.compile("^Kestrel Rise")).is_checked()
    assert invited.get_by_label(re.compile("^Quaymarsh")).is_checked()
    assert not invited.get_by_label(re.compile("^Independent Advisory")).is_checked()
    page.get_by_label("The question").fill("Is 26 weeks long enough for the women you support?")
    page.get_by_label("Equality impact assessment to share").select_option(index=1)
    _date(page, "Closing date", "31", "12", "2099")
    _follow(visitor, page.get_by_role("button", name="Open the consultation"))
    consultation_path = page.url.removeprefix(hub.base_url)
    _sign_out(visitor)

    # Kestrel Rise (by and for) answers openly; Quaymarsh (specialist) in confidence.
    sign_in("bea")
    _answer(visitor, consultation_path, openly=True, text=OPEN_POINT)
    _sign_out(visitor)
    sign_in("amara")
    _answer(visitor, consultation_path, openly=False, text=SECRET_POINT)
    main = page.locator("main").inner_text()
    assert OPEN_POINT in main and SECRET_POINT in main  # its own, and the other's open answer
    _sign_out(visitor)
    sign_in("bea")
    visitor.open(consultation_path)
    main = page.locator("main").inner_text()
    assert OPEN_POINT in main and SECRET_POINT not in main  # never another's answer given in confidence
    _sign_out(visitor)

    # The commissioner answers each point, and adds an action with progress on its timeline.
    sign_in("cora")
    visitor.open(consultation_path)
    for decision in ("Adopted in part", "Not adopted"):
        _follow(visitor, page.get_by_role("link", name=re.compile("^Answer this point")).first)
        page.get_by_role("group", name="Decision").get_by_label(decision, exact=True).check()
        page.get_by_label("Reasons").fill(f"{decision}: the budget allows part of it.")
        _follow(visitor, page.get_by_role("button", name="Record the decision"))
    assert page.get_by_role("link", name=re.compile("^Answer this point")).count() == 0
    visitor.open(commitment_path)
    _follow(visitor, page.get_by_role("link", name="Add an action"))
    page.get_by_label("What will be done").fill("Interpreting budget in the new contracts")
    page.get_by_label("Owner").fill("Commissioning team")
    _date(page, "Due date", "31", "3", "2027")
    page.get_by_role("group", name="Points it answers").get_by_label(re.compile("^Kestrel Rise")).check()
    _follow(visitor, page.get_by_role("button", name="Add the action"))
    _follow(visitor, page.get_by_role("link", name=re.compile("^Record progress")))
    page.get_by_role("group", name="Status").get_by_label("In progress").check()
    page.get_by_label("Progress (%)").fill("40")
    page.get_by_label("What happened").fill("Tender published")
    _follow(visitor, page.get_by_role("button", name="Record progress"))
    public_path = page.get_by_role("link", name="You said, we did").get_attribute("href")
    _sign_out(visitor)

    # Anyone, signed in or not, reads the public page: the open point, the decision, the progress; nothing else.
    visitor.open(public_path)
    main = page.locator("main").inner_text()
    assert OPEN_POINT in main and "Adopted in part" in main and "40% done" in main and "Tender published" in main
    assert SECRET_POINT not in main and "Not adopted" not in main

    # Kestrel Rise sees its own point's fate.
    sign_in("bea")
    visitor.open(consultation_path)
    assert "Adopted in part" in page.locator("[data-decision]").first.inner_text()
    # Nine answers so far: the service sees no figures yet.
    _follow(visitor, page.get_by_role("link", name="Home", exact=True))
    _follow(visitor, page.get_by_role("link", name="Survivors' feedback on your services"))
    assert _below_threshold(page, FEEDBACK_SERVICE)
    _sign_out(visitor)

    # Her caseworker offers the questionnaire by the one way she said is safe, and is shown the link once.
    sign_in("bola")
    visitor.open(f"/cases/{hub.facts['feedback_case']}/")
    _follow(visitor, page.get_by_role("link", name="Offer her the feedback questionnaire"))
    methods = page.get_by_role("group", name="How to send her the link")
    assert methods.get_by_role("radio").count() == 1  # email was not safe, so it is not offered
    methods.get_by_label("Text message").check()
    _follow(visitor, page.get_by_role("button", name="Make the link"))
    link = page.locator("[data-feedback-link]").inner_text().strip().removeprefix(hub.base_url)
    assert link.startswith("/coproduction/your-feedback/")
    _sign_out(visitor)

    # She answers from the link; the address bar loses the token at once.
    visitor.open(link)
    assert page.url == hub.url("/coproduction/your-feedback/")
    for question in (
        "Did you feel believed?", "Did you feel safe?", "Did the support fit your culture and language?",
        "Did you know your rights under the Victims' Code?", "Would you recommend the service to a friend?",
    ):  # fmt: skip
        page.get_by_role("group", name=question).get_by_label("Yes", exact=True).check()
    page.get_by_label("Is there anything else you want to tell us?").fill("She believed me from the first call")
    _follow(visitor, page.get_by_role("button", name="Send your answers"))
    assert page.get_by_role("heading", name="Thank you").count() == 1
    visitor.open(link)
    assert "cannot be used" in page.locator("main").inner_text()  # the link works once

    # Her answer waits in the holding pool beside nine others: the service still sees no figures until the daily
    # sweep (cron's `carehub notify sweep`, run by the task worker) moves the ten, shuffled, into the reported table.
    sign_in("bea")
    visitor.open("/coproduction/feedback/")
    assert _below_threshold(page, FEEDBACK_SERVICE)
    assert "Queued the feedback flush sweep" in hub.command("notify", "sweep")
    hub.command("db_worker", "--batch", "--no-startup-delay", "--no-reload")

    # Ten answers: the service now sees its figures, and what women wrote this quarter.
    visitor.open("/coproduction/feedback/")
    assert not _below_threshold(page, FEEDBACK_SERVICE)
    assert "She believed me from the first call" in page.locator("[data-free-text]").inner_text()
    visitor.assert_clean()

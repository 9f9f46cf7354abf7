"""Issue 12 in a real browser, persona by persona: what she told us reaches the people who act on it, and her risk
drives the work.

build_world.py's woman (`safe_contact_reference`) said "only text me, never call after 6pm, safe word BLUEBELL"; the
hub triaged her at high risk (so a MARAC referral in Hackney) and offered her to Quaymarsh IDVA. The hub worker sees
her safe-contact panel on the referral page and routes a woman at high risk to an IDVA first; the MARAC record is
listed and actioned; Quaymarsh's manager finds her first in the offers, sees no panel (and no name) before accepting
and the panel once accepted, finds her first on the waiting list; her caseworker's closure goes to the manager, who
confirms it. The independent adviser sees the panel in the sealed workspace. Every page is axe-core clean.
"""

from __future__ import annotations

import re

import pytest

from carehub.core.public_ids import display
from tests.browser.harness import Hub, Visitor

pytestmark = pytest.mark.browser

PANEL = "[data-testid=safe-contact]"


def done_banner(visitor: Visitor) -> str:
    return visitor.page.locator(".govuk-notification-banner--success").inner_text()


def sign_out(visitor: Visitor) -> None:
    visitor.follow(visitor.page.get_by_role("button", name="Sign out"))


def test_the_hub_sees_her_safe_contact_and_routes_high_risk_to_an_idva_first(sign_in, hub: Hub) -> None:
    visitor = sign_in("hana")
    page = visitor.page
    visitor.open(f"/referrals/{hub.facts['safe_contact_reference']}/")
    panel = page.locator(PANEL)
    assert panel.count() == 1
    warning = panel.locator(".govuk-warning-text").inner_text()
    assert "only by text message" in warning and "never call after 6pm" in warning and "Not safe: phone call" in warning
    assert hub.facts["safe_word"] in panel.inner_text()
    # Above everything else on the page that is about her.
    assert page.evaluate(
        "document.querySelector('[data-testid=safe-contact]').compareDocumentPosition("
        "document.querySelector('[data-testid=situation]')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )

    # A woman at high risk who also asked for immigration advice: the services that hold high-risk cases come first.
    visitor.open(f"/referrals/{hub.facts['high_risk_reference']}/route/")
    cards = page.locator(".govuk-summary-card")
    titles = [title.inner_text() for title in cards.locator(".govuk-summary-card__title").all()]
    assert titles and ("IDVA" in titles[0] or "Advocacy" in titles[0]), titles
    assert "holds high-risk cases" in cards.first.inner_text()
    immigration = next(i for i, t in enumerate(titles) if "Immigration Advice" in t)
    assert immigration > 0
    visitor.assert_clean()


def test_the_marac_record_is_listed_and_actioned(sign_in, hub: Hub) -> None:
    visitor = sign_in("hana")
    page = visitor.page
    marac_number = display(hub.facts["safe_contact_marac"])
    visitor.open("/marac/?borough=E09000012")
    assert "MARAC list: Hackney" in page.locator("h1").inner_text()
    visitor.follow(page.get_by_role("link", name=marac_number, exact=True))
    visitor.check()
    assert "MARAC referral" in page.locator("h1").inner_text()

    meeting = page.locator("form", has=page.locator("input[name=form][value=meeting]"))
    meeting.get_by_label("Day").fill("14")
    meeting.get_by_label("Month").fill("1")
    meeting.get_by_label("Year").fill("2030")
    visitor.follow(meeting.get_by_role("button", name="Save meeting date"))
    visitor.check()
    assert page.locator("#meeting-date").inner_text() == "14 Jan 2030"

    action = page.locator("form", has=page.locator("input[name=form][value=action]"))
    action.get_by_label("Action agreed").fill("Housing to move her to a safe address")
    action.get_by_label("Agency responsible").fill("Hackney Housing")
    action.get_by_label("Day").fill("21")
    action.get_by_label("Month").fill("1")
    action.get_by_label("Year").fill("2030")
    visitor.follow(action.get_by_role("button", name="Add action"))
    visitor.check()
    row = page.locator("table tbody tr", has_text="Hackney Housing")
    assert "Housing to move her" in row.inner_text()
    visitor.follow(row.get_by_role("button", name=re.compile("^Mark done")))
    visitor.check()
    assert page.locator("table tbody tr", has_text="Hackney Housing").locator(".govuk-tag").inner_text() == "Done"
    visitor.assert_clean()


def test_the_service_sees_her_first_decides_without_her_identity_then_acts_on_her_safe_contact(
    sign_in, hub: Hub
) -> None:
    reference = hub.facts["safe_contact_reference"]
    visitor = sign_in("amara")
    page = visitor.page

    # First in the offers, above the standard-risk referral offered before her.
    visitor.open("/referrals/offers/")
    first = page.locator("table.govuk-table tbody tr").first
    assert reference in first.inner_text() and "High" in first.inner_text()

    # Before accepting: what the service needs to decide, never who she is or how to reach her.
    visitor.follow(first.get_by_role("link", name=reference, exact=True))
    visitor.check()
    main = page.locator("main").inner_text()
    assert page.locator(PANEL).count() == 0
    assert hub.facts["safe_word"] not in main and "Safewordmarker" not in main and "07700 900321" not in main
    assert "High" in page.locator("[data-testid=situation]").inner_text()

    # Once accepted: the panel on the case page and on the accepted offer.
    offer_path = page.url.removeprefix(hub.base_url)
    visitor.follow(page.get_by_role("button", name="Accept", exact=True))
    visitor.check()
    case_path = page.url.removeprefix(hub.base_url)
    case_number = display(re.fullmatch(r"/cases/([0-9A-Z]{12})/", case_path).group(1))
    assert hub.facts["safe_word"] in page.locator(PANEL).inner_text()
    visitor.open(offer_path)
    assert hub.facts["safe_word"] in page.locator(PANEL).inner_text()

    # First on the waiting list.
    visitor.open("/cases/waiting/")
    waiting = page.locator("table", has_text="Allocate").locator("tbody tr").first
    assert f"Case {case_number}" in waiting.inner_text()
    visitor.follow(waiting.get_by_role("link", name=f"Allocate case {case_number}"))
    visitor.check()
    page.get_by_role("group", name="Who will support her?").get_by_label(re.compile(r"^Alice \(")).check()
    visitor.follow(page.get_by_role("button", name="Allocate and open the case"))
    visitor.check()
    sign_out(visitor)

    # Her caseworker closes the case: a high-risk closure goes to the manager, with a reason.
    visitor = sign_in("alice")
    visitor.open(case_path)
    assert hub.facts["safe_word"] in page.locator(PANEL).inner_text()
    visitor.follow(page.get_by_role("link", name="Close the case"))
    visitor.check()
    assert page.locator("h1").inner_text() == "Ask a manager to close the case"
    assert "She was assessed as high risk." in page.locator("main").inner_text()
    page.get_by_role("group", name="Why is the case closing?").get_by_label("Moved away").check()
    page.get_by_role("group", name="Did she answer the closing outcome questions?").get_by_label(
        "She could not be reached"
    ).check()
    visitor.follow(page.get_by_role("button", name="Send to a manager to confirm"))
    visitor.check()
    # No reason given: the error summary's link takes her to the field.
    assert page.title().startswith("Error: ")
    link = page.locator(".govuk-error-summary__list a", has_text="Give your reason")
    link.click()
    assert page.evaluate("document.activeElement.id") == "id_manager_reason"
    page.get_by_label("Why should the case close now?").fill("She has moved to Leeds and has an IDVA there")
    visitor.follow(page.get_by_role("button", name="Send to a manager to confirm"))
    visitor.check()
    assert "Sent to your service manager to confirm" in done_banner(visitor)
    assert page.locator("main .govuk-tag").first.inner_text() == "Open"
    sign_out(visitor)

    # The manager confirms it from "Closures to confirm".
    visitor = sign_in("amara")
    visitor.follow(page.get_by_role("link", name=re.compile("^Closures to confirm")))
    visitor.check()
    visitor.follow(page.get_by_role("link", name=f"Confirm or refuse the closure of case {case_number}"))
    visitor.check()
    assert "She has moved to Leeds" in page.locator("main").inner_text()
    page.get_by_role("group", name="Do you confirm the closure?").get_by_label("Yes, close the case").check()
    page.get_by_label("Your reason").fill("Handed over to the Leeds IDVA service")
    visitor.follow(page.get_by_role("button", name="Save your decision"))
    visitor.check()
    assert "Closure confirmed" in done_banner(visitor)
    assert page.locator("main .govuk-tag").first.inner_text() == "Closed"
    visitor.assert_clean()


def test_the_independent_adviser_sees_her_safe_contact_in_the_sealed_workspace(sign_in, hub: Hub) -> None:
    visitor = sign_in("ines")
    case_id = hub.facts["case_ids"]["sealed"]
    for path in (f"/independent/cases/{case_id}/", f"/cases/{case_id}/"):
        visitor.open(path)
        panel = visitor.page.locator(PANEL)
        assert panel.count() == 1, path
        assert "KINGFISHER" in panel.inner_text() and "only by email" in panel.inner_text()
    visitor.assert_clean()


def test_the_agency_form_takes_children_and_a_police_reference(sign_in, hub: Hub) -> None:
    visitor = sign_in("percy")
    page = visitor.page
    visitor.open("/referrals/new/")
    page.locator("[name=about-given_name]").fill("Hazel")
    page.locator("[name=about-family_name]").fill("Agencymarker")
    page.locator("input[name=contact-methods][value=text]").check()
    page.locator("[name=contact-phone]").fill("07700 900654")
    page.get_by_label("What has happened?").fill("Neighbours called us after hearing screaming.")
    page.get_by_label("Your own reference").fill("CAD 5120/03DEC")
    page.get_by_label("How many children live in her household?").fill("2")
    page.get_by_label("Their ages").fill("4 and 9")
    page.get_by_role("group", name="Do children's services know about the children?").get_by_label(
        "No", exact=True
    ).check()
    page.locator("input[name=situation-perpetrator_police][value=no]").check()
    page.locator("[name=consent-consent_to_referral]").check()
    page.locator("input[name=consent-share_with][value=children]").check()
    visitor.follow(page.get_by_role("button", name=re.compile("^Send")))
    visitor.check()
    text = page.locator("main").inner_text()
    found = re.search(r"CH-[0-9A-Z]{4}-[0-9A-Z]{4}", text)
    assert found, text
    sign_out(visitor)

    visitor = sign_in("hana")
    visitor.open(f"/referrals/{found.group(0)}/")
    situation = page.locator("[data-testid=situation]").inner_text()
    assert "CAD 5120/03DEC" in situation and "2, aged 4 and 9" in situation
    assert "Neighbours called us" in situation
    visitor.assert_clean()

"""Working at volume, in a real browser (issue 13): the hub finds a woman from what she says on the phone, and finds
nothing, exactly as for no match, when her record is sealed; a service manager is told of an offer and a caseworker
of a MARAC date by the real task worker. Every page is checked as in test_pages.py (axe-core, the content security
policy, no survivor's name in a title)."""

from __future__ import annotations

import pytest

from tests.browser.harness import Hub, Visitor

pytestmark = pytest.mark.browser

BOX = "Reference, name and date of birth, phone number, or postcode and name"


def _search(visitor: Visitor, typed: str) -> str:
    """Type into the one search box and search; the text of the results below it."""
    page = visitor.page
    page.get_by_label(BOX).fill(typed)
    visitor.follow(page.get_by_role("button", name="Search", exact=True))
    visitor.check()
    assert page.url == visitor.hub.url("/search/")  # a POST: what was typed never reaches the address bar
    return page.locator("main").inner_text().split(BOX, 1)[1]


def test_the_hub_finds_her_by_reference_and_by_name_and_finds_nothing_sealed(sign_in, hub: Hub) -> None:
    references = hub.facts["referral_references"]
    visitor = sign_in("hana")
    visitor.open("/search/")

    # Read aloud over the phone: lower case, a letter at a time, no dashes.
    spoken = " ".join(references["triage"].replace("-", "").lower())
    found = _search(visitor, spoken)
    assert "1 result" in found and references["triage"] in found

    # Her name with one letter dropped, and her date of birth.
    found = _search(visitor, "Solacemarkr 17/05/1990")
    assert references["solace"] in found and references["sistah"] not in found
    assert "Solacemarker" not in found  # the results show initials and year of birth, never her name

    # A sealed record, by reference and by name, reads exactly as a search for something that does not exist.
    for hidden, missing in (
        (references["sealed"], "CH-ZZZZ-ZZZZ"),
        ("Sealedmarker 17/05/1990", "Nobodyatall 17/05/1990"),
    ):
        sealed_answer, no_answer = _search(visitor, hidden), _search(visitor, missing)
        assert "No results" in sealed_answer and sealed_answer == no_answer
    visitor.assert_clean()


def _open_notice(visitor: Visitor, text: str) -> None:
    page = visitor.page
    visitor.open("/notifications/")
    # At least one: build_world.py offers more than one referral to Quaymarsh IDVA (this file's and
    # test_risk_drives_the_work.py's), and each offer is its own notice; any of them leads to the offers.
    notice = page.locator("li", has_text=text)
    assert notice.count() >= 1, page.locator("main").inner_text()
    notice = notice.first
    assert "Unread" in notice.inner_text()
    visitor.follow(notice.get_by_role("button"))
    visitor.check()


def test_a_service_manager_is_told_of_an_offer(sign_in, hub: Hub) -> None:
    """build_world.py offered a referral to Quaymarsh IDVA; the task worker tells its manager."""
    hub.command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    visitor = sign_in("amara")
    visitor.open("/home/")
    assert "unread" in visitor.page.get_by_role("link", name="Notifications").inner_text()
    _open_notice(visitor, "An offer is waiting for Quaymarsh IDVA.")
    assert "/offers/" in visitor.page.url
    visitor.assert_clean()


def test_a_caseworker_is_told_of_a_marac_date(sign_in, hub: Hub) -> None:
    """Cron's daily `carehub notify sweep` queues the sweeps; the worker finds the MARAC meeting in three days."""
    assert "Queued the MARAC date sweep" in hub.command("notify", "sweep")
    hub.command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    visitor = sign_in("alice")
    _open_notice(visitor, "A MARAC meeting on")
    assert visitor.page.url == hub.url(f"/cases/{hub.facts['case_ids']['solace']}/")
    # Her caseload: her name (alice holds the case), no contact yet, and a safety plan to agree before anything else.
    visitor.open("/cases/caseload/")
    row = visitor.page.get_by_role("row", name=hub.facts["case_ids"]["solace"][:4])
    assert "Solacemarker" in row.inner_text() and "None yet" in row.inner_text()
    assert "Agree a safety plan" in row.inner_text()
    visitor.assert_clean()

"""Her rights, in a real browser: Quaymarsh's manager answers a subject access request (opened, redacted, released,
downloaded) and an erasure request (recorded by one manager, decided and carried out by another: four eyes); the
hub's manager answers a subject access request for a woman only the hub holds, from her home. Every page is checked
as in test_pages.py: axe-core (no serious or critical violation), no content security policy violation, no
survivor's name in the title.

The women are build_world.py's `rights_cases` and `hub_rights_referral`, used by no other test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.harness import Hub, Visitor
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def done_banner(visitor: Visitor) -> str:
    return visitor.page.locator(".govuk-notification-banner--success").inner_text()


def fill_date(page, legend: str, day: int, month: int, year: int) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day))
    group.get_by_label("Month").fill(str(month))
    group.get_by_label("Year").fill(str(year))


def record_request(visitor: Visitor, link: str, button: str, received: tuple[int, int, int]) -> str:
    """Follow `link` to a new request's form, give the date it was received (day, month, year) and send it with
    `button`, checking each page on the way: the success banner's text (the request's page is then open)."""
    page = visitor.page
    visitor.follow(page.get_by_role("link", name=link))
    visitor.check()
    fill_date(page, "Date the request was received", *received)
    visitor.follow(page.get_by_role("button", name=button))
    visitor.check()
    return done_banner(visitor)


def download(visitor: Visitor, link_name: str, tmp_path: Path) -> str:
    page = visitor.page
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    return saved.read_text(encoding="utf-8")


def test_a_subject_access_request_is_opened_redacted_released_and_downloaded(sign_in, hub: Hub, tmp_path) -> None:
    case_id = hub.facts["rights_cases"]["access"]
    marker = hub.facts["rights_markers"]["access"]
    passage, referrer = hub.facts["rights_passage"], hub.facts["rights_referrer"]
    visitor = sign_in("amara")
    page = visitor.page

    # From her case, to her rights page, to a new request received on 31 January: due on 28 February.
    visitor.open(f"/cases/{case_id}/")
    visitor.follow(page.get_by_role("link", name="Subject access and erasure requests"))
    visitor.check()
    banner = record_request(visitor, "Open a subject access request", "Open the request", (31, 1, 2026))
    assert "due by 28 February 2026" in banner
    request_path = page.url.removeprefix(hub.base_url)

    # Nothing to download before release.
    assert page.get_by_role("link", name="Download the pack as data (JSON)").count() == 0
    assert page.get_by_role("button", name="Release the pack").count() == 0

    # The reviewer marks a passage and withholds one note whole; the preview shows the pack redacted.
    visitor.follow(page.get_by_role("link", name="Review and redact the pack"))
    visitor.check()
    main = page.locator("main").inner_text()
    assert passage in main and "Planned the court date." in main and referrer not in main
    page.get_by_label("Passages to redact, one per line").fill(passage)
    notes = page.locator(".carehub-pack-item", has_text="Planned the court date.")
    notes.get_by_label("Withhold this item whole").check()
    visitor.follow(page.get_by_role("button", name="Save the redactions", exact=True))
    visitor.check()
    assert "Redactions saved." in done_banner(visitor)
    main = page.locator("main").inner_text()
    assert passage not in main and "Planned the court date." not in main and "[Redacted]" in main

    # Released, then downloaded as HTML and as JSON: redacted alike, her own details hers.
    visitor.open(request_path)
    visitor.follow(page.get_by_role("button", name="Release the pack"))
    visitor.check()
    assert "Released" in done_banner(visitor)
    html = download(visitor, "Download the pack to read or print (HTML)", tmp_path)
    data = json.loads(download(visitor, "Download the pack as data (JSON)", tmp_path))
    for body in (html, json.dumps(data)):
        assert marker in body
        assert passage not in body and referrer not in body and "Planned the court date." not in body
        assert "[Redacted]" in body and "[Redacted: another person]" in body
    assert "<link" not in html and "<script" not in html
    visitor.assert_clean()


def test_an_erasure_request_is_decided_and_carried_out(sign_in, hub: Hub) -> None:
    case_id = hub.facts["rights_cases"]["erasure"]
    marker = hub.facts["rights_markers"]["erasure"]
    visitor = sign_in("amara")
    page = visitor.page

    visitor.open(f"/cases/{case_id}/")
    assert marker in page.locator("main").inner_text()
    visitor.follow(page.get_by_role("link", name="Subject access and erasure requests"))
    visitor.check()
    banner = record_request(visitor, "Record a request to be erased", "Record the request", (2, 3, 2026))
    assert "It now needs a decision." in banner
    # Four eyes: amara recorded it, so she is told another manager must decide it, and has no form to.
    assert "another manager of Quaymarsh Women's Service must decide it" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Record the decision").count() == 0
    request_path = page.url.removeprefix(hub.base_url)

    # Quaymarsh's other manager finds it waiting on her requests page, and decides it.
    visitor.follow(page.get_by_role("button", name="Sign out"))
    visitor.sign_in("amelia", PASSWORD)
    visitor.follow(page.get_by_role("link", name="Subject access and erasure requests"))
    visitor.check()
    visitor.follow(page.locator(f'a[href="{request_path}"]'))
    visitor.check()

    # A ground that does not fit the decision is refused on the form; the right one is recorded.
    page.get_by_role("group", name="Your decision").get_by_label("Approve: erase her").check()
    page.get_by_role("group", name="On what ground?").get_by_label(
        "Refused: needed to safeguard her or children"
    ).check()
    visitor.follow(page.get_by_role("button", name="Record the decision"))
    visitor.check()
    assert "That ground is for refusing an erasure." in page.locator(".govuk-error-summary").inner_text()
    page.get_by_role("group", name="Your decision").get_by_label("Approve: erase her").check()
    ground = "Approved: the records are no longer needed for their purpose"
    page.get_by_role("group", name="On what ground?").get_by_label(ground).check()
    visitor.follow(page.get_by_role("button", name="Record the decision"))
    visitor.check()
    assert "Decided: approved" in done_banner(visitor)

    visitor.follow(page.get_by_role("button", name="Carry out the erasure"))
    visitor.check()
    assert "Erased" in done_banner(visitor)
    assert marker not in page.locator("main").inner_text()

    # Her case page no longer shows who she was.
    visitor.open(f"/cases/{case_id}/")
    main = page.locator("main").inner_text()
    assert marker not in main and "identity has been erased" in main
    visitor.assert_clean()


def test_the_hub_manager_opens_redacts_releases_and_downloads_a_subject_access_request(
    sign_in, hub: Hub, tmp_path
) -> None:
    woman = hub.facts["hub_rights"]
    referrer = hub.facts["rights_referrer"]
    visitor = sign_in("hilda")
    page = visitor.page

    # From her home to the hub's requests, then to the woman by her referral reference.
    visitor.follow(page.get_by_role("link", name="Subject access and erasure requests"))
    visitor.check()
    page.get_by_label("Her referral reference or record number").fill(woman["reference"])
    visitor.follow(page.get_by_role("button", name="Find"))
    visitor.check()
    assert woman["marker"] in page.locator("main").inner_text()
    banner = record_request(visitor, "Open a subject access request", "Open the request", (2, 3, 2026))
    assert "due by 2 April 2026" in banner
    request_path = page.url.removeprefix(hub.base_url)

    # The hub's pack holds her referral: the referrer's account, with the GP's name already taken out as another
    # person's; the reviewer marks a passage of it.
    visitor.follow(page.get_by_role("link", name="Review and redact the pack"))
    visitor.check()
    main = page.locator("main").inner_text()
    assert woman["passage"] in main and referrer not in main
    page.get_by_label("Passages to redact, one per line").fill(woman["passage"])
    visitor.follow(page.get_by_role("button", name="Save the redactions", exact=True))
    visitor.check()
    assert "Redactions saved." in done_banner(visitor)
    assert woman["passage"] not in page.locator("main").inner_text()

    visitor.open(request_path)
    visitor.follow(page.get_by_role("button", name="Release the pack"))
    visitor.check()
    assert "Released" in done_banner(visitor)
    html = download(visitor, "Download the pack to read or print (HTML)", tmp_path)
    data = json.loads(download(visitor, "Download the pack as data (JSON)", tmp_path))
    for body in (html, json.dumps(data)):
        assert woman["marker"] in body and "London Victim Care Hub" in body
        assert woman["passage"] not in body and referrer not in body
        assert "[Redacted]" in body and "[Redacted: another person]" in body
    visitor.assert_clean()

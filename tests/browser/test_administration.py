"""Running the service from pages, in a real browser: an administrator adds a service and a user; the user follows
her invitation, chooses a password and sets up her authenticator app; a service manager stops referrals and changes
capacity, and the hub's very next routing shows it. Every page on the way is axe-core clean."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import totp

from tests.browser.harness import Hub, Tab, Visitor
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

NEW_PASSWORD = "plum orchard lantern 42"
INVITATION = re.compile(r"/accounts/invitation/([A-Za-z0-9_-]{20,})/")


def answer(visitor: Visitor, question: str, choice: str) -> None:
    visitor.page.get_by_role("group", name=question).get_by_label(choice, exact=True).check()


def invitation_path(hub: Hub, username: str) -> str:
    """The link in the last invitation e-mailed to `username`: the task worker mints and sends it (the request only
    queued the invitation's id), and the demo's console e-mail backend writes it to the worker's output, as it would
    to a developer's terminal."""
    output = hub.command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    mail = output.rsplit(f"Your username is {username}.", 1)[1]
    return INVITATION.search(mail).group(0)


def code_from_setup_key(setup_key: str) -> str:
    """What an authenticator app shows for the key the set-up page gives to type in."""
    key = setup_key.replace(" ", "")
    return f"{totp(base64.b32decode(key + '=' * (-len(key) % 8))):06d}"


def test_an_administrator_adds_a_service_and_a_user_who_then_signs_in_with_her_second_factor(
    sign_in, tab: Tab, hub: Hub
) -> None:
    admin = sign_in("adam")
    page = admin.page
    visitor_problems = [admin]

    # A service, from the administrator's home.
    admin.open("/administration/services/")
    admin.follow(page.get_by_role("link", name="Add a service"))
    admin.check()
    page.get_by_label("Organisation").select_option(label="Kestrel Rise")
    page.get_by_label("Name of the service").fill("Kestrel Rise Outreach")
    answer(admin, "Type of service", "Community outreach")
    page.get_by_label("Punjabi").check()
    answer(admin, "Does it cover all of London?", "No")
    page.get_by_label("Hackney").check()
    answer(admin, "Does it support women?", "Yes")
    answer(admin, "Does it support men?", "No")
    answer(admin, "Does it support people with No Recourse to Public Funds?", "Yes")
    page.get_by_label("Capacity").fill("15")
    answer(admin, "Is it taking referrals now?", "Yes")
    answer(admin, "Do its workers hold high-risk cases and represent them at MARAC?", "No")
    admin.follow(page.get_by_role("button", name="Add the service"))
    admin.check()
    assert "Kestrel Rise Outreach has been added" in page.locator("main").inner_text()
    assert page.get_by_role("link", name="Kestrel Rise Outreach").count() == 1

    # A user, invited by e-mail.
    admin.open("/administration/users/")
    admin.follow(page.get_by_role("link", name="Invite a user"))
    admin.check()
    page.get_by_label("Username").fill("nadia")
    page.get_by_label("Full name").fill("Nadia Quill")
    page.get_by_label("E-mail address").fill("nadia@kestrel.example")
    page.get_by_label("Organisation").select_option(label="Kestrel Rise")
    page.get_by_label("Role").select_option(label="Caseworker")
    admin.follow(page.get_by_role("button", name="Send the invitation"))
    admin.check()
    assert "An invitation has been sent to nadia" in page.locator("main").inner_text()
    admin.assert_clean()

    # She follows the link from her e-mail, on a computer where nobody is signed in.
    nadia = tab.fresh_visitor()
    visitor_problems.append(nadia)
    link = invitation_path(hub, "nadia")
    nadia.open(link)
    assert nadia.page.url.endswith("/accounts/invitation/set-password/")  # the secret left the address bar
    nadia.page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    nadia.page.get_by_label("Type the password again").fill(NEW_PASSWORD)
    nadia.follow(nadia.page.get_by_role("button", name="Continue"))
    nadia.check()
    assert "Set up an authenticator app" in nadia.page.locator("h1").inner_text()
    nadia.page.get_by_text("I cannot scan the code").click()
    code = code_from_setup_key(nadia.page.locator("#setup-key").inner_text())
    nadia.page.get_by_label("Code from your authenticator app").fill(code)
    nadia.follow(nadia.page.get_by_role("button", name="Confirm"))
    nadia.check()
    assert "Your authenticator app is set up" in nadia.page.locator("main").inner_text()
    assert "Caseworker at Kestrel Rise" in nadia.page.locator("main").inner_text()

    # The link worked once.
    nadia.follow(nadia.page.get_by_role("button", name="Sign out"))
    nadia.open(link, expect_status=404)
    assert "This link does not work" in nadia.page.locator("h1").inner_text()

    # She signs in again with the password she chose.
    nadia.sign_in("nadia", NEW_PASSWORD)
    nadia.check()
    assert "Welcome, Nadia Quill" in nadia.page.locator("main").inner_text()
    for visitor in visitor_problems:
        visitor.assert_clean()


def route_page_text(visitor: Visitor, reference: str) -> str:
    visitor.open(f"/referrals/{reference}/route/")
    visitor.page.get_by_text("excluded, and why").click()
    return visitor.page.locator("main").inner_text()


def test_a_service_manager_changes_capacity_and_the_next_routing_reflects_it(sign_in, tab: Tab, hub: Hub) -> None:
    reference = hub.facts["high_risk_reference"]
    hub_worker = sign_in("hana")
    before = route_page_text(hub_worker, reference)
    assert "Quaymarsh IDVA" in before and "of 7 places free" not in before
    hub_worker.assert_clean()

    manager = tab.fresh_visitor()
    manager.sign_in("amara", PASSWORD)
    page = manager.page
    manager.follow(page.get_by_role("link", name=re.compile(r"^Quaymarsh IDVA: capacity \d+, taking referrals$")))
    manager.check()
    page.get_by_label("Capacity").fill("7")
    manager.follow(page.get_by_role("button", name="Save"))
    manager.check()
    assert "Quaymarsh IDVA: capacity 7, taking referrals" in page.locator("main").inner_text()

    hub_worker = tab.fresh_visitor()
    hub_worker.sign_in("hana", PASSWORD)
    after = route_page_text(hub_worker, reference)
    ranked = after.split("excluded, and why", 1)[0]
    assert re.search(r"Quaymarsh IDVA[\s\S]*of 7 places free", ranked)

    # Then she stops referrals: the next routing leaves the service out, and says why.
    manager = tab.fresh_visitor()
    manager.sign_in("amara", PASSWORD)
    manager.follow(manager.page.get_by_role("link", name="Quaymarsh IDVA: capacity 7, taking referrals"))
    answer(manager, "Is it taking referrals now?", "No")
    manager.follow(manager.page.get_by_role("button", name="Save"))
    assert "Quaymarsh IDVA: capacity 7, not taking referrals" in manager.page.locator("main").inner_text()

    hub_worker = tab.fresh_visitor()
    hub_worker.sign_in("hana", PASSWORD)
    stopped = route_page_text(hub_worker, reference)
    ranked, excluded = stopped.split("excluded, and why", 1)
    assert "Offer to Quaymarsh IDVA" not in ranked
    assert re.search(r"Quaymarsh IDVA: [^\n]*not accepting referrals now", excluded)
    hub_worker.assert_clean()

    # Put the directory back as the other browser tests expect it.
    manager = tab.fresh_visitor()
    manager.sign_in("amara", PASSWORD)
    manager.follow(manager.page.get_by_role("link", name="Quaymarsh IDVA: capacity 7, not taking referrals"))
    manager.page.get_by_label("Capacity").fill("40")
    answer(manager, "Is it taking referrals now?", "Yes")
    manager.follow(manager.page.get_by_role("button", name="Save"))
    assert "Quaymarsh IDVA: capacity 40, taking referrals" in manager.page.locator("main").inner_text()
    manager.assert_clean()


def test_an_administrator_adds_an_organisation_and_an_api_key_on_pages_that_are_accessible(sign_in) -> None:
    admin = sign_in("adam")
    page = admin.page
    admin.open("/administration/")
    admin.follow(page.get_by_role("link", name="Add an organisation"))
    admin.check()
    answer(admin, "Kind of organisation", "'Led by and for' provider")
    admin.follow(page.get_by_role("button", name="Add the organisation"))  # no name, no communities: the errors
    admin.check()
    assert "There is a problem" in page.locator("main").inner_text()
    page.get_by_label("Name", exact=True).fill("Southside Women's Aid")
    page.get_by_label("Short name for web addresses").fill("southside-womens-aid")
    page.get_by_label("South Asian women").check()
    admin.follow(page.get_by_role("button", name="Add the organisation"))
    admin.check()
    assert "Led by and for: South Asian women" in page.locator("main").inner_text()
    admin.follow(page.get_by_role("link", name="Change the organisation"))
    admin.check()
    page.get_by_label("Migrant women").check()
    admin.follow(page.get_by_role("button", name="Save changes"))
    assert "Led by and for: Migrant women, South Asian women" in page.locator("main").inner_text()

    admin.open("/administration/api-keys/")
    page.get_by_label("Organisation").select_option(label="Southside Women's Aid")
    page.get_by_label("Name of the key").fill("case management system")
    admin.follow(page.get_by_role("button", name="Create the key"))
    admin.check()
    secret = page.locator("#new-key").inner_text()
    assert secret.startswith("chk_")
    prefix = secret.split("_")[1]
    admin.follow(page.get_by_role("button", name=f"Revoke key {prefix}"))
    admin.check()
    assert secret not in page.content()
    assert f"The key {prefix} has been revoked" in page.locator("main").inner_text()
    admin.assert_clean()

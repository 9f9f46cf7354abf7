"""Care Hub's pages in a real browser: every persona signs in through the form, every page it reaches is checked.

Each page visited is run through axe-core (no serious or critical violation), its console must show no content
security policy violation, and its <title> must name no survivor, since titles end up in browser history.
Public pages must offer a working "Exit this page".
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from carehub.accounts.models import Role
from tests.browser.harness import EXIT_URL_GLOB, LOCK_OUT_AFTER, AxeVerdicts, BackgroundWalks, Hub, Visitor
from tests.factories import PASSWORD
from tests.world import ORGANISATIONS, PERSONAS

if TYPE_CHECKING:
    from playwright.sync_api import Locator

pytestmark = pytest.mark.browser

PUBLIC_PAGES = [("/", 200), ("/accounts/sign-in/", 200), ("/refer/", 200), ("/no-such-page/", 404)]
MISSING_CASE = "/cases/ZZZZZZZZZZZZ/"  # a well-formed public identifier that no case has
MISSING_REFERRAL = "/referrals/CH-ZZZZ-ZZZZ/"
# Browsers walking at once, beside the one the other tests use: more only makes each of them slower.
PARALLEL_WALKS = min(2, os.cpu_count() or 1)


def same_site_links(visitor: Visitor, selector: str) -> list[str]:
    """The paths of this site's links inside `selector`, in page order, without repeats or in-page anchors."""
    hrefs = visitor.page.eval_on_selector_all(selector, "links => links.map(a => a.href)")
    paths = []
    for href in hrefs:
        path = href.split("#", 1)[0].removeprefix(visitor.hub.base_url)
        if path.startswith("/") and path not in paths:
            paths.append(path)
    return paths


def exit_this_page(visitor: Visitor) -> Locator:
    exit_button = visitor.page.get_by_role("button", name="Exit this page")
    assert exit_button.count() == 1, f"{visitor.page.url} has no 'Exit this page'"
    return exit_button


# --- every persona, walked in the background while the tests below run ------------------------------------------


@dataclass
class Tour:
    """What one persona met walking from their home: where sign-in landed, the home's text, every problem seen."""

    landing: str
    home_text: str
    problems: str


class FirstTime:
    """Remembers paths across the walks: the header and menu are the same for every persona, so their links are
    walked by whichever persona meets them first rather than by all fifteen."""

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, path: str) -> bool:
        with self._lock:
            first = path not in self._seen
            self._seen.add(path)
        return first


def walk_from_home(visitor: Visitor, username: str, *, menu_first_time: FirstTime) -> Tour:
    """Sign in, then open every page the home links to (and the menu, once) and the first record of each list."""
    visitor.sign_in(username, PASSWORD)
    landing = visitor.page.url.removeprefix(visitor.hub.base_url)
    visitor.check()
    home_text = visitor.page.locator("main").inner_text()
    own = same_site_links(visitor, "main a[href]")
    menu = [path for path in same_site_links(visitor, "header a[href], nav a[href]") if path not in own]
    for path in own + [path for path in menu if menu_first_time(path)]:
        if path == landing:
            continue
        visitor.open(path)
        for record in same_site_links(visitor, "main table a[href]")[:1]:
            visitor.open(record)
    return Tour(landing=landing, home_text=home_text, problems=visitor.problems())


PERSONA_TEST = "test_each_persona_signs_in_to_their_home_and_every_page_from_it_is_accessible"


@pytest.fixture(scope="module", autouse=True)
def tours(request: pytest.FixtureRequest, hub: Hub, axe_verdicts: AxeVerdicts) -> Iterator[BackgroundWalks]:
    """Start the walks of the personas whose tests were selected, as soon as the module starts."""
    usernames = [
        item.callspec.params["username"]
        for item in request.session.items
        if getattr(item, "originalname", None) == PERSONA_TEST
    ]
    walk = functools.partial(walk_from_home, menu_first_time=FirstTime())
    walks = BackgroundWalks(hub, axe_verdicts, walk, usernames, workers=PARALLEL_WALKS)
    yield walks
    walks.wait()


# --- public pages ------------------------------------------------------------------------------------------------


def test_public_pages_are_accessible_and_exit_this_page_leaves_them(visitor: Visitor, exit_answered: None) -> None:
    for path, status in PUBLIC_PAGES:
        visitor.open(path, expect_status=status)
        exit_this_page(visitor).click()
        visitor.page.wait_for_url(EXIT_URL_GLOB)
    visitor.assert_clean()


def test_the_server_error_page_is_accessible_and_can_be_left(visitor: Visitor, hub: Hub, exit_answered: None) -> None:
    visitor.open("/")
    visitor.page.set_content(hub.facts["server_error_page"])  # as the server sends it, on the server's origin
    visitor.check()
    assert "Sorry, there is a problem" in visitor.page.locator("h1").inner_text()
    exit_this_page(visitor).click()
    visitor.page.wait_for_url(EXIT_URL_GLOB)
    visitor.assert_clean()


def test_pressing_shift_three_times_leaves_the_site(visitor: Visitor, exit_answered: None) -> None:
    """The keyboard shortcut the start page promises: someone may not have time to find the button."""
    visitor.open("/")
    for _ in range(3):
        visitor.page.keyboard.press("Shift")
    visitor.page.wait_for_url(EXIT_URL_GLOB)


@pytest.fixture
def failed_sign_ins_forgotten(hub: Hub) -> Iterator[None]:
    """Clear the sign-in failures a test makes, with the server's own `axes_reset`, once it is done: every browser
    test signs in from 127.0.0.1, which the address-wide lock-out (accounts/lockout.py) counts across usernames, so
    failures left behind would bring the tests after it nearer to a lock-out that depends on the order they run in."""
    yield
    hub.command("axes_reset")


def test_failed_sign_ins_and_the_lock_out_are_accessible_and_can_be_left(
    visitor: Visitor, failed_sign_ins_forgotten: None, exit_answered: None
) -> None:
    visitor.try_sign_in("nobody", "not the password")
    visitor.check()
    assert "There is a problem" in visitor.page.locator("main").inner_text()
    exit_this_page(visitor)
    for _ in range(LOCK_OUT_AFTER):
        if "locked" in visitor.page.locator("h1").inner_text():
            break
        visitor.page.get_by_label("Password").fill("still not the password")
        visitor.follow(visitor.page.get_by_role("button", name="Sign in"))
    visitor.check()
    assert "locked" in visitor.page.locator("h1").inner_text()
    exit_this_page(visitor).click()
    visitor.page.wait_for_url(EXIT_URL_GLOB)
    visitor.assert_clean()


def test_the_self_referral_is_accessible_at_every_step_and_each_step_can_be_left(
    visitor: Visitor, exit_answered: None
) -> None:
    """The pages a survivor fills in, with their error states: she may be interrupted at any moment."""
    page = visitor.page
    visitor.open("/")
    visitor.follow(page.get_by_role("button", name="Ask for support"))
    visitor.check()
    visitor.submit_in_place(page.get_by_role("button", name="Continue"))  # nothing filled in: the error summary
    visitor.check()
    assert "There is a problem" in page.locator("main").inner_text()
    page.get_by_label("First name").fill("Browser")
    visitor.submit_in_place(page.get_by_role("button", name="Continue"))
    visitor.check()
    page.get_by_label("Text message").check()
    page.get_by_label("Phone number").fill("07700 900123")
    while "Check your answers" not in page.locator("h1").inner_text():
        step = page.locator("h1").inner_text()
        exit_this_page(visitor)
        visitor.submit_in_place(page.get_by_role("button", name="Continue"))
        visitor.check()
        if page.locator("h1").inner_text() == step:
            # A question she must answer: take the first answer of each one the page marks as missing.
            for group in page.locator(".govuk-form-group--error").all():
                group.locator(".govuk-radios__input, .govuk-checkboxes__input").first.check()
            visitor.submit_in_place(page.get_by_role("button", name="Continue"))
            visitor.check()
        assert page.locator("h1").inner_text() != step, f"the self-referral stopped at {step!r}"
    exit_this_page(visitor)
    visitor.submit_in_place(page.get_by_role("button", name="Send"))
    visitor.check()
    assert "Your answers have been sent" in page.locator("main").inner_text()
    exit_this_page(visitor).click()
    page.wait_for_url(EXIT_URL_GLOB)
    visitor.assert_clean()


# --- sealed records ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["percy", "pete"])
def test_a_police_user_guessing_a_sealed_record_sees_the_same_page_as_for_none(
    sign_in, hub: Hub, username: str
) -> None:
    """A different answer for "sealed" and "missing" would confirm to the force that a complaint exists."""
    visitor = sign_in(username)
    for sealed, missing in [
        (f"/cases/{hub.facts['case_ids']['sealed']}/", MISSING_CASE),
        (f"/referrals/{hub.facts['referral_references']['sealed']}/", MISSING_REFERRAL),
    ]:
        visitor.open(sealed, expect_status=404)
        seen_sealed = (visitor.page.title(), visitor.page.locator("body").inner_text())
        visitor.open(missing, expect_status=404)
        seen_missing = (visitor.page.title(), visitor.page.locator("body").inner_text())
        assert seen_sealed == seen_missing, f"{sealed} and {missing} look different to {username}"
        assert "Page not found" in seen_sealed[1]
    visitor.assert_clean()


def test_the_police_referrer_is_never_shown_a_sealed_referral_it_sent(sign_in, hub: Hub) -> None:
    visitor = sign_in("percy")
    visitor.open("/referrals/sent/")
    listed = visitor.page.locator("main").inner_text()
    assert hub.facts["referral_references"]["triage"] in listed
    assert hub.facts["referral_references"]["sealed"] not in listed
    visitor.assert_clean()


def test_the_independent_adviser_can_open_the_sealed_case(sign_in, hub: Hub) -> None:
    """The control for the police test: the sealed URLs are real records, not pages that never exist."""
    visitor = sign_in("ines")
    visitor.open(f"/cases/{hub.facts['case_ids']['sealed']}/")
    assert "Sealedmarker" in visitor.page.locator("main").inner_text()
    visitor.open(f"/referrals/{hub.facts['referral_references']['sealed']}/")
    assert "Sealedmarker" in visitor.page.locator("main").inner_text()
    visitor.assert_clean()


def test_signing_out_ends_the_session(sign_in, hub: Hub) -> None:
    """On a shared computer, the next person must not find the record still open behind the back button."""
    visitor = sign_in("ines")
    sealed_case = f"/cases/{hub.facts['case_ids']['sealed']}/"
    visitor.open(sealed_case)
    visitor.follow(visitor.page.get_by_role("button", name="Sign out"))
    assert visitor.page.url == hub.url("/accounts/sign-in/")
    visitor.page.go_back()
    assert "Sealedmarker" not in visitor.page.locator("body").inner_text()
    visitor.open(sealed_case)
    assert visitor.page.url.startswith(hub.url("/accounts/sign-in/"))
    visitor.assert_clean()


# --- every persona: the walks started above ----------------------------------------------------------------------


@pytest.mark.parametrize("username", list(PERSONAS))
def test_each_persona_signs_in_to_their_home_and_every_page_from_it_is_accessible(
    tours: BackgroundWalks, username: str
) -> None:
    tour: Tour = tours.result(username)
    assert tour.landing == "/home/", f"{username} landed on {tour.landing}"
    org_key, role = PERSONAS[username]
    role_home = f"{Role(role).label} at {ORGANISATIONS[org_key][1]}"
    assert role_home.lower() in tour.home_text.lower(), f"{username}'s home does not say {role_home!r}"
    assert not tour.problems, f"problems on the pages {username} visited:\n{tour.problems}"

"""The pages anyone can open: helplines and "cover your tracks" on each, no lasting cookie, honest titles, error
summaries whose links reach the field, and a check-answers page she can change from."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from carehub.core import helplines
from tests.referrals.test_self_referral import STEPS, post_step, state_of, walk_to_check

DEFAULT_NUMBERS = ["tel:08082000247", "tel:08085002222", "tel:08009995428", "tel:999"]


def title_of(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


def public_pages(client) -> dict[str, object]:
    """Every public page a survivor or a worker may reach without signing in, by a name for the test's messages."""
    pages = {"start": client.get("/"), "sign in": client.get("/accounts/sign-in/"), "missing": client.get("/nope/")}
    pages["sign in failed"] = client.post("/accounts/sign-in/", {"username": "nobody", "password": "wrong"})
    response = client.get("/refer/")
    pages["step about"] = response
    pages["step about, errors"] = post_step(client, state_of(response), "about", {})
    for step, data in STEPS.items():
        response = post_step(client, state_of(response), step, data)
        pages[f"after {step}"] = response
    pages["contact, errors"] = post_step(client, state_of(response), "contact", {"methods": []})
    pages["done"] = post_step(client, state_of(response), "check", {}, action="submit")
    return pages


# --- helplines and cover your tracks ------------------------------------------------------------------------------


def test_every_public_page_has_the_helplines_and_how_to_cover_her_tracks(db, client):
    for name, response in public_pages(client).items():
        body = response.content.decode()
        for number in DEFAULT_NUMBERS:
            assert f'href="{number}"' in body, f"{name} has no link to {number}"
        assert "press 55" in body, name
        assert 'id="cover-your-tracks"' in body and "private window" in body.lower(), name
        assert "Clear your history" in body and "Exit this page" in body, name


def test_the_helplines_come_from_settings(db, client, settings):
    settings.HELPLINES = helplines.parse('[{"name": "Borough night line", "number": "020 7946 0000"}]')
    body = client.get("/refer/").content.decode()
    assert 'href="tel:02079460000"' in body and "Borough night line" in body
    assert "tel:08082000247" not in body
    assert 'href="tel:999"' in body  # 999 and the Silent Solution are never configurable away


def test_helplines_default_when_unset_and_refuse_what_they_cannot_dial():
    assert helplines.parse("") == helplines.DEFAULT_HELPLINES
    assert [h.dial for h in helplines.DEFAULT_HELPLINES] == ["08082000247", "08085002222", "08009995428"]
    for bad in ["not json", "{}", "[]", '[{"name": "x"}]', '[{"name": "x", "number": "call us"}]']:
        with pytest.raises(ValueError):
            helplines.parse(bad)


# --- cookies -----------------------------------------------------------------------------------------------------


def test_no_public_page_sets_a_cookie_that_outlives_the_browser(db, client):
    """A cookie with an expiry stays on a shared device after the browser closes, and shows she was here."""
    seen = set()
    for name, response in public_pages(client).items():
        for cookie, morsel in response.cookies.items():
            seen.add(cookie)
            assert not morsel["expires"] and not morsel["max-age"], f"{name} sets {cookie} with {morsel.OutputString()}"
    assert "csrftoken" in seen  # the check ran on the cookie that used to last a year


# --- titles ------------------------------------------------------------------------------------------------------


def test_every_public_page_title_is_unique_and_starts_with_error_when_a_form_is_wrong(db, client):
    titles = {name: title_of(response) for name, response in public_pages(client).items()}
    for name, title in titles.items():
        assert title.endswith("Care Hub"), (name, title)
        assert title.startswith("Error: ") == ("error" in name or "failed" in name), (name, title)
    plain = [t.removeprefix("Error: ") for n, t in titles.items() if "error" not in n and "failed" not in n]
    assert len(plain) == len(set(plain)), titles
    assert titles["after equality"].startswith("Check your answers")
    assert titles["after about"].startswith("Contacting you safely - Step 2 of 6")


# --- error summaries ---------------------------------------------------------------------------------------------


class _Ids(HTMLParser):
    """The ids of the elements that can take focus, and the targets of the error summary's links."""

    def __init__(self) -> None:
        super().__init__()
        self.focusable: set[str] = set()
        self.targets: list[str] = []
        self._in_summary = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"input", "select", "textarea"} and attrs.get("type") != "hidden" and attrs.get("id"):
            self.focusable.add(attrs["id"])
        if "govuk-error-summary__list" in (attrs.get("class") or ""):
            self._in_summary = 1
        elif self._in_summary and tag == "a":
            self.targets.append(attrs["href"].removeprefix("#"))

    def handle_endtag(self, tag):
        if tag == "ul":
            self._in_summary = 0


def links_and_fields(response) -> tuple[list[str], set[str]]:
    ids = _Ids()
    ids.feed(response.content.decode())
    return ids.targets, ids.focusable


def test_every_error_summary_link_on_the_self_referral_reaches_a_field(db, client):
    pages = public_pages(client)
    for name in ("step about, errors", "contact, errors"):
        targets, focusable = links_and_fields(pages[name])
        assert targets, name
        assert not [t for t in targets if t not in focusable], (name, targets)
    assert links_and_fields(pages["contact, errors"])[0] == ["id_methods_0"]  # the first checkbox, not the group


def test_the_agency_forms_checkbox_groups_link_to_their_first_box(world, client_for):
    response = client_for("gina").post("/referrals/new/", {"about-given_name": "Rose", "contact-methods": []})
    targets, focusable = links_and_fields(response)
    assert "id_contact-methods_0" in targets
    assert not [t for t in targets if t not in focusable], targets


# --- check answers: change a row --------------------------------------------------------------------------------


def change_buttons(response) -> list[str]:
    return re.findall(r'name="action" value="change:([a-z]+)"', response.content.decode())


def test_check_answers_has_a_change_link_for_every_row(db, client):
    check = walk_to_check(client)
    body = check.content.decode()
    rows = body.count('class="govuk-summary-list__row"')
    assert rows and len(change_buttons(check)) == rows
    assert set(change_buttons(check)) == set(STEPS)
    assert 'Change<span class="govuk-visually-hidden"> phone number</span>' in body


def test_change_returns_to_the_step_and_continue_comes_back_to_check_answers(db, client):
    check = walk_to_check(client)
    contact = post_step(client, state_of(check), "check", {}, action="change:contact")
    assert "Contacting you safely" in contact.content.decode() and 'value="07700 900555"' in contact.content.decode()
    changed = dict(STEPS["contact"], phone="07700 900999")
    back_to_check = post_step(client, state_of(contact), "contact", changed)
    body = back_to_check.content.decode()
    assert "Check your answers" in body and "07700 900999" in body
    # Later changes start afresh: after another change and continue, check answers again, not the next step.
    about = post_step(client, state_of(back_to_check), "check", {}, action="change:about")
    assert "Check your answers" in post_step(client, state_of(about), "about", STEPS["about"]).content.decode()


def test_back_from_a_change_returns_to_check_answers(db, client):
    check = walk_to_check(client)
    situation = post_step(client, state_of(check), "check", {}, action="change:situation")
    back = post_step(client, state_of(situation), "situation", STEPS["situation"], action="back")
    assert "Check your answers" in back.content.decode()


def test_without_a_change_continue_still_walks_the_steps_in_order(db, client):
    about = post_step(client, state_of(client.get("/refer/")), "about", STEPS["about"])
    assert "Contacting you safely" in about.content.decode()
    assert change_buttons(about) == []

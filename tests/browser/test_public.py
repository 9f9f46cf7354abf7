"""The self-referral as she meets it in a real browser: one history entry for the whole form, error summary links
that put her in the field that is wrong, and a check-answers page she can change from. axe-core checks every page
(Visitor.check), and the content security policy must hold (no inline script does any of this)."""

from __future__ import annotations

import pytest

from tests.browser.harness import Visitor

pytestmark = pytest.mark.browser

ABOUT = {"First name": "Browser", "Last name": "Publicmarker"}


def start_the_form(visitor: Visitor) -> None:
    visitor.open("/")
    visitor.follow(visitor.page.get_by_role("button", name="Ask for support"))
    visitor.check()


def continue_(visitor: Visitor) -> None:
    visitor.submit_in_place(visitor.page.get_by_role("button", name="Continue"))
    visitor.check()


def fill_about(visitor: Visitor) -> None:
    for label, value in ABOUT.items():
        visitor.page.get_by_label(label).fill(value)


def error_links(visitor: Visitor) -> list[str]:
    return visitor.page.eval_on_selector_all(
        ".govuk-error-summary__list a", "links => links.map(a => a.getAttribute('href'))"
    )


def test_the_steps_replace_rather_than_add_history_entries(visitor: Visitor) -> None:
    """Someone pressing Back, or reading the history, must not find her answers step by step."""
    page = visitor.page
    start_the_form(visitor)
    entries = page.evaluate("history.length")
    fill_about(visitor)
    continue_(visitor)
    assert "Contacting you safely" in page.locator("h1").inner_text()
    page.get_by_label("Text message").check()
    page.get_by_label("Phone number").fill("07700 900123")
    continue_(visitor)
    assert page.evaluate("history.length") == entries
    assert "Contacting you safely" not in page.locator("h1").inner_text()
    assert page.title().startswith(page.locator("h1").inner_text())  # the title follows the step
    page.go_back()
    page.wait_for_url(visitor.hub.url("/"))  # one Back leaves the form altogether
    visitor.assert_clean()


def test_each_error_summary_link_moves_focus_to_the_field_that_is_wrong(visitor: Visitor) -> None:
    page = visitor.page
    start_the_form(visitor)
    continue_(visitor)  # nothing filled in
    assert page.title().startswith("Error: ")
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    links = error_links(visitor)
    assert links
    for href in links:
        page.locator(f'.govuk-error-summary__list a[href="{href}"]').click()
        assert page.evaluate("document.activeElement.id") == href.removeprefix("#")
    fill_about(visitor)
    continue_(visitor)
    continue_(visitor)  # no way to contact her chosen: the checkbox group is wrong
    assert error_links(visitor) == ["#id_methods_0"]
    page.locator(".govuk-error-summary__list a").click()
    assert page.evaluate("document.activeElement.id") == "id_methods_0"
    visitor.assert_clean()


def test_change_on_check_answers_returns_to_the_step_then_back_to_check_answers(visitor: Visitor) -> None:
    page = visitor.page
    start_the_form(visitor)
    fill_about(visitor)
    continue_(visitor)
    page.get_by_label("Text message").check()
    page.get_by_label("Phone number").fill("07700 900123")
    while "Check your answers" not in page.locator("h1").inner_text():
        step = page.locator("h1").inner_text()
        continue_(visitor)
        if page.locator("h1").inner_text() == step:  # a question she must answer: take its first answer
            for group in page.locator(".govuk-form-group--error").all():
                group.locator(".govuk-radios__input, .govuk-checkboxes__input").first.check()
            continue_(visitor)
    visitor.submit_in_place(page.get_by_role("button", name="Change phone number"))
    visitor.check()
    page.get_by_label("Phone number").fill("07700 900456")
    continue_(visitor)
    assert "Check your answers" in page.locator("h1").inner_text()
    assert "07700 900456" in page.locator("main").inner_text()
    visitor.assert_clean()


def test_the_helplines_are_links_that_dial(visitor: Visitor) -> None:
    visitor.open("/refer/")
    panel = visitor.page.locator("section", has=visitor.page.get_by_role("heading", name="Talk to someone now"))
    hrefs = panel.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert {"tel:999", "tel:08082000247", "tel:08085002222", "tel:08009995428"} <= set(hrefs)
    visitor.page.get_by_text("Cover your tracks online").click()
    assert visitor.page.get_by_text("Use a private window").is_visible()
    visitor.assert_clean()

"""The self-referral at /refer/, driven step by step as a browser without JavaScript would."""

from __future__ import annotations

import re

import pytest

from carehub.referrals.models import Referral

STEPS = {
    "about": {
        "given_name": "Amina",
        "family_name": "Selfmarker",
        "date_of_birth_day": "3",
        "date_of_birth_month": "4",
        "date_of_birth_year": "1991",
        "borough": "E09000025",
        "postcode": "E13 9AA",
    },
    "contact": {
        "methods": ["text", "email"],
        "phone": "07700 900555",
        "email": "amina@example.org",
        "safe_times": "after 7pm",
        "safe_word": "blue",
    },
    "situation": {
        "abuse_types": ["coercive_control", "economic"],
        "perpetrator_relationship": "partner",
        "perpetrator_police": "no",
    },
    "support": {
        "needs": ["idva", "counselling"],
        "wants_by_and_for": "black_minoritised",
        "language": "so",
        "worker_gender": "woman",
        "has_nrpf": "yes",
    },
    "equality": {
        "ethnicity": "black_african",
        "sex": "female",
        "sexual_orientation": "prefer_not_to_say",
        "immigration_status": "limited_leave_nrpf",
    },
}


def state_of(response) -> str:
    return re.search(r'name="state" value="([^"]+)"', response.content.decode()).group(1)


def post_step(client, state, step, data, action="continue"):
    return client.post("/refer/", {"state": state, "step": step, "action": action, **data})


def walk_to_check(client, steps=STEPS):
    response = client.get("/refer/")
    for step, data in steps.items():
        response = post_step(client, state_of(response), step, data)
        assert response.status_code == 200, (step, response.content.decode()[:2000])
    return response


def test_a_survivor_can_refer_herself_and_gets_a_reference(db, client):
    check = walk_to_check(client)
    assert "Check your answers" in check.content.decode()
    assert Referral.objects.count() == 0  # nothing stored before she sends it
    done = post_step(client, state_of(check), "check", {}, action="submit")
    body = done.content.decode()
    referral = Referral.objects.get()
    assert referral.reference in body
    assert referral.channel == "self" and referral.borough == "E09000025" and referral.has_nrpf
    assert referral.survivor.identity.family_name == "Selfmarker"
    assert referral.survivor.immigration_status == "limited_leave_nrpf"
    assert referral.wants_by_and_for == "black_minoritised"


def test_sending_twice_makes_one_referral(db, client):
    check = walk_to_check(client)
    state = state_of(check)
    first = post_step(client, state, "check", {}, action="submit")
    second = post_step(client, state, "check", {}, action="submit")
    assert Referral.objects.count() == 1
    reference = Referral.objects.get().reference
    assert reference in first.content.decode() and reference in second.content.decode()


def test_answers_survive_a_validation_error(db, client):
    start = client.get("/refer/")
    bad = dict(STEPS["about"], date_of_birth_day="31", date_of_birth_month="2")
    response = post_step(client, state_of(start), "about", bad)
    body = response.content.decode()
    assert response.status_code == 400
    assert "must be a real date" in body
    assert 'value="Selfmarker"' in body and 'value="E13 9AA"' in body


def test_contact_needs_the_detail_for_the_method_chosen(db, client):
    about = post_step(client, state_of(client.get("/refer/")), "about", STEPS["about"])
    response = post_step(client, state_of(about), "contact", {"methods": ["phone"]})
    assert "Enter a phone number" in response.content.decode()


def test_back_keeps_earlier_answers(db, client):
    about = post_step(client, state_of(client.get("/refer/")), "about", STEPS["about"])
    back = post_step(client, state_of(about), "contact", {}, action="back")
    assert 'value="Selfmarker"' in back.content.decode()


def test_nothing_personal_is_in_the_url_title_or_the_state_token(db, client):
    check = walk_to_check(client)
    body = check.content.decode()
    title = re.search(r"<title>(.*?)</title>", body, re.S).group(1)
    assert "Selfmarker" not in title
    assert "Selfmarker" not in state_of(check)
    assert check["Cache-Control"].startswith("no-store")


def test_a_tampered_or_expired_state_starts_again_and_stores_nothing(db, client):
    response = post_step(client, "not-a-token", "check", {}, action="submit")
    assert "start again" in response.content.decode()
    assert Referral.objects.count() == 0


def test_exit_this_page_is_on_every_step(db, client):
    response = client.get("/refer/")
    for step, data in STEPS.items():
        assert "Exit this page" in response.content.decode()
        response = post_step(client, state_of(response), step, data)
    assert "Exit this page" in response.content.decode()


def test_police_perpetrator_self_referral_is_sealed(world, client):
    steps = dict(STEPS, situation=dict(STEPS["situation"], perpetrator_police="former"))
    check = walk_to_check(client, steps)
    done = post_step(client, state_of(check), "check", {}, action="submit")
    reference = re.search(r"CH-[A-Z0-9]{4}-[A-Z0-9]{4}", done.content.decode()).group(0)
    referral = Referral.objects.get(reference=reference)
    assert referral.sealed and referral.routed_service == world.services["ias"]
    assert "independent advisory service" in done.content.decode()


@pytest.mark.parametrize("field", ["sex", "sexual_orientation", "ethnicity", "religion", "immigration_status"])
def test_every_equality_question_offers_prefer_not_to_say(db, client, field):
    response = walk_to_check(client, {k: v for k, v in STEPS.items() if k != "equality"})
    assert 'value="prefer_not_to_say"' in response.content.decode()


def test_the_police_question_starts_on_no_and_explains_itself_when_cleared(db, client):
    response = client.get("/refer/")
    for step in ("about", "contact"):
        response = post_step(client, state_of(response), step, STEPS[step])
    body = response.content.decode()
    assert 'value="no" checked' in body
    cleared = post_step(client, state_of(response), "situation", {"abuse_types": ["physical"]})
    assert "Select whether the person hurting you" in cleared.content.decode()

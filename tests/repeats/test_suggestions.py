"""suggest_matches: a misspelt repeat is found with its probability and field labels; strangers, sealed people,
erased people and pairs already decided are not."""

from __future__ import annotations

import dataclasses

import pytest

from carehub.people.models import LinkageRecord
from carehub.people.services import survivor_erase
from carehub.repeats import matching, services
from carehub.repeats.models import MatchDecision, Outcome
from tests.repeats.helpers import AMINA, AMINA_MISSPELT, STRANGER, intake


def fields_of(suggestion) -> dict[str, str]:
    return {f.label: f.wording for f in suggestion.fields}


def test_a_misspelt_repeat_is_suggested_with_its_probability_and_what_agrees(world):
    earlier = intake(AMINA, days_ago=400)
    new = intake(AMINA_MISSPELT)
    stats = {}
    [suggestion] = matching.suggest_matches(new, stats=stats)
    assert suggestion.survivor_id == earlier.survivor_id
    assert suggestion.earlier_referral == earlier
    assert 0.5 <= suggestion.probability < 1 and suggestion.percent >= 90
    assert fields_of(suggestion) == {
        "Given name": "the same",
        "Family name": "one typing slip apart",
        "Date of birth": "the same",
        "Phone number": "differs",
        "Email address": "not known for one of them",
        "Address and postcode": "differs",
    }
    assert [str(f) for f in suggestion.with_agreement("partly")] == ["Family name: one typing slip apart"]
    assert {f.label for f in suggestion.with_agreement("differ")} == {"Phone number", "Address and postcode"}
    assert stats["candidates"] >= 1


def test_an_unrelated_person_is_not_suggested_even_when_she_shares_a_block(world):
    intake(STRANGER, days_ago=300)
    new = intake(AMINA_MISSPELT)
    stats = {}
    assert matching.suggest_matches(new, stats=stats) == []
    assert stats["candidates"] == 1  # looked at (same date of birth) and scored below the threshold


def test_nobody_is_suggested_for_a_first_referral(world):
    assert matching.suggest_matches(intake(AMINA)) == []


def test_only_earlier_referrals_are_suggested(world):
    first = intake(AMINA, days_ago=30)
    later = intake(AMINA_MISSPELT)
    assert matching.suggest_matches(first) == []
    assert [s.earlier_referral for s in matching.suggest_matches(later)] == [first]


def test_the_latest_earlier_referral_of_the_person_is_shown(world):
    earlier = intake(AMINA, days_ago=400)
    new = intake(AMINA_MISSPELT)
    older_sibling = intake(AMINA, days_ago=500)  # another survivor record of the same details, older
    shown = {s.survivor_id: s.earlier_referral for s in matching.suggest_matches(new)}
    assert shown == {earlier.survivor_id: earlier, older_sibling.survivor_id: older_sibling}


def test_sealed_people_are_never_suggested(world):
    # The sealed pathway stores no keys at all...
    sealed = intake(AMINA, days_ago=200, police=True)
    assert not LinkageRecord.objects.filter(survivor_id=sealed.survivor_id).exists()
    # ...and a survivor who has keys but a sealed referral (tests/world.py makes one) is still never suggested.
    marked = world.referrals["sealed"]
    identity = marked.survivor.identity
    assert LinkageRecord.objects.filter(survivor_id=marked.survivor_id).exists()
    twin = intake(dataclasses.replace(identity, phone="07700 900321"), days_ago=0)
    new = intake(AMINA_MISSPELT)
    suggested = {s.survivor_id for s in matching.suggest_matches(new)} | {
        s.survivor_id for s in matching.suggest_matches(twin)
    }
    assert sealed.survivor_id not in suggested
    assert marked.survivor_id not in suggested


def test_a_sealed_referral_gets_no_suggestions(world):
    intake(AMINA, days_ago=400)
    assert matching.suggest_matches(intake(AMINA_MISSPELT, police=True)) == []


def test_an_erased_survivor_is_not_suggested(world):
    earlier = intake(AMINA, days_ago=400)
    survivor_erase(actor=world.users["adam"], survivor=earlier.survivor, reason="her request")
    assert not LinkageRecord.objects.filter(survivor_id=earlier.survivor_id).exists()
    assert matching.suggest_matches(intake(AMINA_MISSPELT)) == []


@pytest.mark.parametrize("outcome", [Outcome.CONFIRMED, Outcome.REJECTED])
def test_a_pair_already_decided_is_not_suggested_again(world, outcome):
    earlier = intake(AMINA, days_ago=400)
    new = intake(AMINA_MISSPELT)
    services.match_decide(actor=world.users["hana"], referral=new, earlier=earlier, outcome=outcome)
    assert matching.suggest_matches(new) == []


def test_someone_already_linked_to_her_is_not_suggested_again(world):
    first = intake(AMINA, days_ago=600)
    second = intake(AMINA, days_ago=300)
    new = intake(AMINA_MISSPELT)
    # The second referral is confirmed as the first woman; then the new one is confirmed as the second.
    services.match_decide(actor=world.users["hana"], referral=second, earlier=first, outcome=Outcome.CONFIRMED)
    services.match_decide(actor=world.users["hana"], referral=new, earlier=second, outcome=Outcome.CONFIRMED)
    assert matching.suggest_matches(new) == []  # the first is hers already, through the second
    assert matching.linked_survivor_ids(new.survivor_id) == {first.survivor_id, second.survivor_id, new.survivor_id}
    assert MatchDecision.objects.count() == 2


def test_best_first_and_no_more_than_the_limit(world, settings):
    exact = intake(dataclasses.replace(AMINA_MISSPELT), days_ago=100)  # the very same details
    close = intake(AMINA, days_ago=200)
    intake(dataclasses.replace(AMINA, phone="07700 900124", email=""), days_ago=300)
    new = intake(AMINA_MISSPELT)
    suggestions = matching.suggest_matches(new)
    assert len(suggestions) == 3
    assert [s.probability for s in suggestions] == sorted((s.probability for s in suggestions), reverse=True)
    assert suggestions[0].earlier_referral == exact
    settings.REPEATS_SUGGESTION_LIMIT = 2
    assert [s.earlier_referral for s in matching.suggest_matches(new)][:1] == [exact]
    assert len(matching.suggest_matches(new)) == 2
    assert close in [s.earlier_referral for s in suggestions]


def test_the_threshold_is_a_setting(world, settings):
    intake(AMINA, days_ago=400)
    new = intake(AMINA_MISSPELT)
    [suggestion] = matching.suggest_matches(new)
    settings.REPEATS_SUGGESTION_THRESHOLD = min(1.0, suggestion.probability + 1e-9)
    assert matching.suggest_matches(new) == []

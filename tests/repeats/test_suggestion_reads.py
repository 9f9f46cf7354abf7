"""suggest_matches reads her keys, her names' frequencies and every block's candidates in a fixed number of round
trips; what it reads in one statement must be what separate counts and look-ups would have read."""

from __future__ import annotations

import dataclasses

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carehub.core.compound import union_all
from carehub.people.models import LinkageRecord
from carehub.repeats import matching, scoring
from tests.repeats.helpers import AMINA, AMINA_MISSPELT, STRANGER, intake


@pytest.fixture
def crowd(world):
    """Amina's earlier referral, strangers sharing one block key each with her new one, and the new one."""
    earlier = intake(AMINA, days_ago=400)
    for number in range(4):
        intake(dataclasses.replace(STRANGER, phone=f"07700 91{number:04d}"), days_ago=300 + number)
    intake(dataclasses.replace(STRANGER, given_name="Amina", family_name="Okonkow"), days_ago=200)
    return earlier, intake(AMINA_MISSPELT)


def test_her_names_frequencies_and_the_people_count_come_with_her_keys(crowd):
    _earlier, new = crowd
    matching._count_cache.clear()
    own, people, holding = matching._linkage_keys_of(new)
    assert people == LinkageRecord.objects.count()
    for field in ("given", "family"):
        assert holding[field] == LinkageRecord.objects.filter(**{field: own[field]}).count()
    assert holding["family"] >= 2  # her misspelt family name is the stranger's too


def test_suggestions_are_scored_with_the_frequencies_counting_them_would_give(crowd, monkeypatch):
    earlier, new = crowd
    monkeypatch.setattr(matching, "FREQUENCIES_FROM", 1)  # a small world counts as a large one: frequencies apply
    matching._count_cache.clear()
    [suggestion] = [s for s in matching.suggest_matches(new) if s.survivor_id == earlier.survivor_id]
    own = scoring.prepare(LinkageRecord.objects.filter(survivor_id=new.survivor_id).values().get())
    weights, frequencies = matching._weights_and_frequencies(own)  # counted one by one, as before
    assert frequencies is not None and set(frequencies) == {"given", "family"}
    theirs = LinkageRecord.objects.filter(survivor_id=earlier.survivor_id).values().get()
    assert suggestion.probability == scoring.explain_pair(own, theirs, weights, frequencies).probability


def test_every_block_is_read_in_one_round_trip(crowd):
    _earlier, new = crowd
    own, _people, _holding = matching._linkage_keys_of(new)
    assert len(scoring.candidate_blocks(own)) >= 4
    with CaptureQueriesContext(connection) as queries:
        candidates = matching._candidates(own, new.survivor_id)
    assert len(queries) == 1
    blocks = scoring.candidate_blocks(own)
    expected = {
        survivor_id
        for field, key in blocks
        for survivor_id in LinkageRecord.objects.filter(**{field: key}).values_list("survivor_id", flat=True)
    } - {new.survivor_id}
    assert set(candidates) == expected and len(expected) >= 5


def test_each_arm_keeps_its_own_limit(crowd):
    dob = LinkageRecord.objects.filter(survivor_id=crowd[1].survivor_id).values_list("dob", flat=True).get()
    sharing = LinkageRecord.objects.filter(dob=dob).order_by().values_list("survivor_id")
    assert sharing.count() >= 5
    rows = union_all(
        sharing[:1], sharing[:2], LinkageRecord.objects.filter(dob="no such key").values_list("survivor_id")
    )
    assert len(rows) == 3


def test_a_survivor_stored_before_keys_were_is_matched_from_her_identity(crowd):
    earlier, new = crowd
    with_keys = [s.survivor_id for s in matching.suggest_matches(new)]
    assert earlier.survivor_id in with_keys
    LinkageRecord.objects.filter(survivor_id=new.survivor_id).delete()
    own, people, holding = matching._linkage_keys_of(new)
    assert own is not None and people is None and holding == {}
    assert [s.survivor_id for s in matching.suggest_matches(new)] == with_keys

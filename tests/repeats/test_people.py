"""Confirmed links join survivor records into one person (Survivor.person), the lowest survivor id among them, in the
same transaction as the decision; rejections, and the sealed pathway, join nobody; the migration rebuilds the same
people from the decisions alone."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from carehub.people.models import Survivor
from carehub.repeats import matching, services
from carehub.repeats.models import Outcome
from tests.repeats.helpers import AMINA, AMINA_MISSPELT, confirm, intake, person_of

backfill = importlib.import_module("carehub.repeats.migrations.0002_survivor_person_backfill")


def test_confirming_makes_both_records_one_person_of_the_lower_id(world):
    earlier = intake(AMINA, days_ago=200)
    new = intake(AMINA_MISSPELT)
    assert person_of(earlier) is None and person_of(new) is None  # a survivor on her own has no person set
    confirm(world, new, earlier)
    lowest = min(earlier.survivor_id, new.survivor_id)
    assert person_of(earlier) == person_of(new) == lowest


def test_rejecting_joins_nobody(world):
    earlier = intake(AMINA, days_ago=200)
    new = intake(AMINA_MISSPELT)
    confirm(world, new, earlier, Outcome.REJECTED)
    assert person_of(earlier) is None and person_of(new) is None


def test_a_chain_of_links_is_one_person(world):
    a = intake(AMINA, days_ago=300)
    b = intake(AMINA_MISSPELT, days_ago=200)
    c = intake(AMINA, days_ago=10)
    confirm(world, b, a)
    confirm(world, c, b)  # c is never linked to a directly
    assert person_of(a) == person_of(b) == person_of(c) == a.survivor_id
    linked = matching.linked_survivor_ids(c.survivor_id)
    assert set(Survivor.objects.filter(person_id=a.survivor_id).values_list("pk", flat=True)) == linked


def test_joining_two_people_moves_every_record_of_both(world):
    first = [intake(AMINA, days_ago=400), intake(AMINA_MISSPELT, days_ago=300)]
    second = [intake(AMINA, days_ago=200), intake(AMINA_MISSPELT, days_ago=100)]
    confirm(world, first[1], first[0])
    confirm(world, second[1], second[0])
    assert {person_of(r) for r in second} == {second[0].survivor_id}
    confirm(world, second[1], first[1])
    assert {person_of(r) for r in first + second} == {first[0].survivor_id}


def test_a_decision_that_fails_joins_nobody(world):
    sealed = intake(AMINA, days_ago=200, police=True)
    new = intake(AMINA_MISSPELT)
    with pytest.raises(services.RepeatError):
        confirm(world, new, sealed)
    assert person_of(sealed) is None and person_of(new) is None


def test_the_migration_rebuilds_the_same_people_from_the_decisions(world):
    a = intake(AMINA, days_ago=400)
    b = intake(AMINA_MISSPELT, days_ago=300)
    c = intake(AMINA, days_ago=200)
    d = intake(AMINA_MISSPELT, days_ago=100)
    rejected = intake(AMINA_MISSPELT, days_ago=50)
    confirm(world, d, c)
    confirm(world, b, a)
    confirm(world, d, b)  # joins {c, d} into {a, b}: the decisions in an order unlike the ids
    confirm(world, rejected, a, Outcome.REJECTED)
    kept = dict(Survivor.objects.values_list("pk", "person_id"))
    Survivor.objects.update(person=None)
    backfill.people_from_decisions(apps, None)
    assert dict(Survivor.objects.values_list("pk", "person_id")) == kept
    assert {person_of(r) for r in (a, b, c, d)} == {a.survivor_id} and person_of(rejected) is None

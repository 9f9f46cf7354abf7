"""The labelled generator: deterministic, about a fifth repeats, corrupted the way referrals are."""

from __future__ import annotations

from collections import Counter

from carehub.synthetic.linkage_records import generate


def test_same_seed_same_records_and_another_seed_others():
    assert list(generate(300, seed=3)) == list(generate(300, seed=3))
    assert list(generate(300, seed=3)) != list(generate(300, seed=4))


def test_about_a_fifth_are_repeats_and_repeats_differ_from_the_first_record():
    records = list(generate(5000, seed=1))
    people = Counter(r.person_id for r in records)
    repeats = len(records) - len(people)
    assert 0.17 < repeats / len(records) < 0.23
    first = {}
    changed = 0
    for r in records:
        if r.person_id in first:
            changed += (r.given_name, r.family_name, r.phone) != first[r.person_id]
        else:
            first[r.person_id] = (r.given_name, r.family_name, r.phone)
    assert changed / repeats > 0.4, "repeats are not copies"


def test_an_email_belongs_to_one_person():
    owners: dict[str, set[int]] = {}
    for r in generate(5000, seed=2):
        if r.email:
            owners.setdefault(r.email, set()).add(r.person_id)
    assert all(len(people) == 1 for people in owners.values())

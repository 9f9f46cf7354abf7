"""The plan (arrays, no database): deterministic, London-shaped, consistent in time. Fast, so it can be thorough."""

from __future__ import annotations

import datetime as dt
import os
import re
from concurrent.futures.process import BrokenProcessPool

import numpy as np
import pytest

from carehub.demo import identities
from carehub.demo import plan as plan_module
from carehub.demo.identities import build_identities, identity_inputs, sealing
from carehub.demo.plan import build_plan
from carehub.people import crypto
from carehub.people.monitoring import EQUALITY_FIELDS, PREFER_NOT_TO_SAY, ethnic_group
from carehub.referrals.models import REFERENCE_ALPHABET, Status
from carehub.synthetic import census
from carehub.synthetic.sampling import DAY, NA

END_DATE = dt.date(2026, 10, 31)  # fixed, so the plan never depends on the day the tests run
QUESTIONS = [f for f in (*EQUALITY_FIELDS, "immigration_status") if f not in ("first_language", "interpreter_needed")]


@pytest.fixture(scope="module")
def plan():
    return build_plan(5000, seed=11, end_date=END_DATE)


@pytest.fixture(scope="module")
def big_plan():
    return build_plan(40_000, seed=3, end_date=END_DATE)


def columns(plan) -> dict[str, np.ndarray]:
    return {
        "received": plan.received,
        "reference": plan.reference,
        "survivor": plan.linkage.survivor,
        "status": plan.outcome.status,
        "routed": plan.outcome.routed_service,
        "dash": plan.dash_score,
        **{f"survivor.{k}": v for k, v in plan.survivors.columns.items()},
        **{f"identity.{k}": v for k, v in plan.survivors.draws.items()},
        "case.closed": plan.cases.closed_at,
        "case.worker": plan.cases.caseworker,
    }


def test_same_seed_same_plan(plan):
    again = build_plan(5000, seed=11, end_date=END_DATE)
    for name, values in columns(plan).items():
        assert np.array_equal(values, columns(again)[name]), name


def test_different_seed_different_plan(plan):
    other = build_plan(5000, seed=12, end_date=END_DATE)
    assert not np.array_equal(plan.received, other.received)
    assert not set(plan.reference.tolist()) & set(other.reference.tolist())


def test_references_are_unique_and_in_the_app_format(plan):
    pattern = re.compile(rf"^CH-[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}$")
    assert all(pattern.match(r) for r in plan.reference.tolist())
    assert len(set(plan.reference.tolist())) == len(plan)


def test_ethnic_groups_follow_the_census(big_plan):
    """Among recorded answers, London's shares (White 53.8%, Asian 20.7%, Black 13.5%...) within 1.5 points."""
    recorded = big_plan.survivors.columns["ethnicity"]
    answered = recorded[(recorded != "") & (recorded != PREFER_NOT_TO_SAY)]
    groups = np.array([ethnic_group(c) for c in answered.tolist()])
    expected: dict[str, float] = {}
    for category, share in census.load().london_shares().items():
        expected[ethnic_group(category)] = expected.get(ethnic_group(category), 0) + share
    for group, share in expected.items():
        assert abs((groups == group).mean() - share) < 0.015, group


def test_ethnicity_follows_each_boroughs_mix(big_plan):
    """Newham is far less White British than Bromley in the census; so are its synthetic survivors."""
    table = census.load()
    survivors = big_plan.survivors
    white_british = np.array(table.categories) == "white_british"

    def share(code: str) -> tuple[float, float]:
        b = table.boroughs.index(code)
        drawn = (survivors.ethnicity_true[survivors.borough == b] == np.flatnonzero(white_british)[0]).mean()
        return drawn, table.ethnicity_shares()[b][white_british][0]

    for code in ("E09000025", "E09000006"):  # Newham, Bromley
        drawn, expected = share(code)
        assert abs(drawn - expected) < 0.05, code


def test_every_question_has_prefer_not_to_say_and_blanks(plan):
    for question in QUESTIONS:
        values = plan.survivors.columns[question]
        assert (values == PREFER_NOT_TO_SAY).any(), question
        assert (values == "").any(), question


def test_proportions_are_plausible_for_london(big_plan):
    cols = big_plan.survivors.columns
    assert 0.92 < (cols["sex"] == "female").mean() < 0.97
    assert 0.005 < np.isin(cols["gender_identity"], ["trans_woman", "trans_man", "non_binary", "other"]).mean() < 0.02
    lgb = ~np.isin(cols["sexual_orientation"], ["straight", PREFER_NOT_TO_SAY, ""])
    assert 0.04 < lgb.mean() < 0.09
    assert 0.03 < big_plan.intake.has_nrpf.mean() < 0.12
    assert 0.6 < (cols["immigration_status"] == "british_irish").mean() < 0.8
    assert 0.002 < big_plan.sealed.mean() < 0.005


def test_sealed_referrals_go_only_to_the_independent_advisory_service(plan):
    ias = plan.directory.ias
    routed = plan.outcome.routed_service
    assert set(routed[plan.sealed & (routed != NA)].tolist()) == {ias}
    assert not (routed[~plan.sealed] == ias).any()
    cases = plan.cases
    assert (cases.sealed == (cases.service == ias)).all()
    assert set(plan.intake.perpetrator_police[plan.sealed].tolist()) <= {"serving", "former", "staff"}


def test_repeat_referrals_point_at_an_earlier_referral_of_the_same_survivor(plan):
    outcome, survivor = plan.outcome, plan.linkage.survivor
    repeats = np.flatnonzero(outcome.is_repeat)
    previous = outcome.previous_referral[repeats]
    assert 0.15 < len(repeats) / len(plan) < 0.25
    assert (previous < repeats).all()
    assert (survivor[previous] == survivor[repeats]).all()
    assert (outcome.previous_referral[~outcome.is_repeat] == NA).all()


def test_statuses_agree_with_time(plan):
    status, received, now = plan.outcome.status, plan.received, plan.window.now
    old = received < now - 730 * DAY
    assert set(status[old].tolist()) <= {Status.CLOSED, Status.WITHDRAWN}
    newest = received > now - 2 * DAY
    waiting = np.isin(status[newest], [Status.RECEIVED, Status.IN_TRIAGE, Status.OFFERED])
    assert newest.any() and waiting.mean() > 0.7
    cases = plan.cases
    assert not (cases.closed_at[newest[cases.referral]] != NA).any()
    opened = cases.opened_at != NA
    assert (cases.opened_at[opened] >= cases.accepted_at[opened]).all()
    closed = cases.closed_at != NA
    assert (cases.closed_at[closed] > cases.accepted_at[closed]).all()
    assert (cases.closed_at[closed] <= now).all()


def test_case_lengths_have_a_mass_at_twelve_weeks_and_a_tail(big_plan):
    cases = big_plan.cases
    done = (cases.opened_at != NA) & (cases.closed_at != NA)
    weeks = (cases.closed_at[done] - cases.opened_at[done]) / (7 * DAY)
    assert ((weeks > 11.5) & (weeks < 12.5)).mean() > 2.5 * ((weeks > 9.5) & (weeks < 10.5)).mean()
    assert 0.04 < (weeks > 26).mean() < 0.25


def test_identities_are_rebuilt_the_same_and_sealed_in_parallel_the_same(plan):
    """Identities come from the plan's draws, so forked workers seal exactly what a single process would."""
    survivors = plan.survivors
    expected = build_identities(identity_inputs(survivors, 0, len(survivors)))
    with sealing(survivors, workers=2, chunk=1000) as chunks:
        rows = [row for chunk in chunks for row in chunk]
    assert len(rows) == len(survivors)
    for (wrapped, sealed, *_), identity in zip(rows[::97], expected[::97], strict=True):
        assert crypto.unseal(wrapped, sealed) == identity.to_payload()


def _die(inputs):
    os._exit(1)  # as a worker killed by a segfault or the out-of-memory killer


def test_a_sealing_worker_that_dies_fails_the_seed_instead_of_leaving_it_waiting(plan, monkeypatch):
    monkeypatch.setattr(identities, "seal_chunk", _die)
    with pytest.raises(BrokenProcessPool), sealing(plan.survivors, workers=2, chunk=1000) as chunks:
        list(chunks)


def test_without_an_end_date_the_plan_ends_yesterday_so_waits_read_as_in_use(monkeypatch):
    """A demo dated a month before the clock shows every queue item as "1 month" old."""
    monkeypatch.setattr(plan_module, "utc_today", lambda: dt.date(2027, 3, 15))
    # About three a day after the recording break: the newest lands hours before the end.
    plan = build_plan(4000, seed=4)
    assert plan.window.end == dt.date(2027, 3, 14)
    assert plan.window.now == (dt.date(2027, 3, 15) - dt.date(1970, 1, 1)).days * DAY  # never after the clock
    assert plan.window.now - plan.received.max() < 2 * DAY  # the newest referral is hours old, not weeks


def test_the_same_seed_and_end_date_give_the_same_plan_whatever_the_clock(monkeypatch):
    monkeypatch.setattr(plan_module, "utc_today", lambda: dt.date(2027, 3, 15))
    one = build_plan(300, seed=4, end_date=dt.date(2027, 1, 1))
    monkeypatch.setattr(plan_module, "utc_today", lambda: dt.date(2031, 7, 2))
    other = build_plan(300, seed=4, end_date=dt.date(2027, 1, 1))
    assert np.array_equal(one.received, other.received) and np.array_equal(one.reference, other.reference)

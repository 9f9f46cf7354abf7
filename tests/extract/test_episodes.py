"""episodes.parquet: one row per episode of support, with what the duration analysis needs (issue 16).

Her next referral is found on any of her records (Survivor.person) and never counts an onward referral the service
made itself; moving away, dying and an erased record end follow-up as competing events."""

from __future__ import annotations

import datetime as dt

import pyarrow.parquet as pq
from django.utils import timezone

from carehub.cases.models import Case, CaseStatus, ClosureReason, OnwardReferral
from carehub.extract.writer import extract_write, pseudonym
from carehub.people.models import Survivor
from tests.factories import CaseFactory, ReferralFactory
from tests.repeats.helpers import AMINA, AMINA_MISSPELT, closed_case, confirm, intake

END = timezone.now().replace(microsecond=0) + dt.timedelta(days=1)


def _episodes(tmp_path) -> dict[str, dict]:
    extract_write(out_dir=tmp_path, end_of_data=END)
    return {row["episode_key"]: row for row in pq.read_table(tmp_path / "episodes.parquet").to_pylist()}


def _day(days_ago: float) -> dt.date:
    return timezone.localdate(timezone.now() - dt.timedelta(days=days_ago))


def test_her_next_referral_is_on_any_of_her_records_and_never_an_onward_referral(world, tmp_path):
    earlier = intake(AMINA, days_ago=520)
    first = closed_case(world, earlier, closed_days_ago=400)  # support from 490 to 400 days ago
    second = intake(AMINA_MISSPELT, days_ago=450)  # during that support, on a new record confirmed to be her
    confirm(world, second, earlier)
    support = CaseFactory(referral=second, service=world.services["sistah"], opened_at=second.received_at)
    onward = ReferralFactory(survivor=second.survivor, received_at=timezone.now() - dt.timedelta(days=380))
    OnwardReferral.objects.create(from_case=support, referral=onward, created_at=onward.received_at)
    rows = _episodes(tmp_path)
    row = rows[pseudonym("case", first.pk)]
    assert row["survivor_key"] == rows[pseudonym("case", support.pk)]["survivor_key"]
    assert (row["started_on"], row["ended_on"]) == (_day(490), _day(400))
    assert row["next_referral_on"] == _day(450)  # a repeat during support counts for the trial
    assert row["next_referral_after_end_on"] is None  # the onward referral 380 days ago is not her coming back
    assert row["previous_referrals"] == 0 and row["competing_event"] is None
    assert rows[pseudonym("case", support.pk)]["previous_referrals"] == 1
    assert rows[pseudonym("case", support.pk)]["ended_on"] is None  # still in support

    again = intake(AMINA, days_ago=100)
    if again.survivor_id != earlier.survivor_id:
        confirm(world, again, earlier)
    row = _episodes(tmp_path / "again")[pseudonym("case", first.pk)]
    assert row["next_referral_after_end_on"] == timezone.localdate(again.received_at)


def test_moving_away_dying_and_erasure_are_competing_events(world, tmp_path):
    cases = {}
    for reason in (ClosureReason.MOVED_AWAY, ClosureReason.DIED, ClosureReason.COMPLETED):
        cases[reason] = closed_case(world, ReferralFactory(), closed_days_ago=200)
        Case.objects.filter(pk=cases[reason].pk).update(closure_reason=reason)
    erased = cases[ClosureReason.COMPLETED]
    Survivor.objects.filter(pk=erased.survivor_id).update(erased_at=timezone.now() - dt.timedelta(days=150))
    waiting = CaseFactory(status=CaseStatus.WAITING, opened_at=None)  # never supported: not an episode
    rows = _episodes(tmp_path)
    events = {
        reason: (rows[pseudonym("case", case.pk)]["competing_event"], rows[pseudonym("case", case.pk)]["competing_on"])
        for reason, case in cases.items()
    }
    assert events == {
        ClosureReason.MOVED_AWAY: ("moved_away", _day(200)),
        ClosureReason.DIED: ("died", _day(200)),
        ClosureReason.COMPLETED: ("erased", _day(150)),
    }
    assert pseudonym("case", waiting.pk) not in rows
    assert {row["extract_on"] for row in rows.values()} == {timezone.localdate(END)}

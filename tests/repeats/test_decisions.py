"""A hub worker's decisions: confirming links her history and marks a repeat within 12 months of an earlier case's
end (not after, not for an onward referral); rejecting stops the suggestion; a decision is made once, and audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from carehub.audit.models import AuditEvent
from carehub.cases.models import OnwardReferral
from carehub.referrals.models import Referral
from carehub.repeats import matching, services
from carehub.repeats.models import MatchDecision, Outcome
from carehub.repeats.services import RepeatError
from tests import factories as f
from tests.repeats.helpers import AMINA, AMINA_MISSPELT, STRANGER, closed_case, intake
from tests.world import PERSONAS


def decide(world, new, earlier, outcome=Outcome.CONFIRMED, who="hana"):
    return services.match_decide(actor=world.users[who], referral=new, earlier=earlier, outcome=outcome)


@pytest.mark.parametrize(("closed_days_ago", "repeat"), [(40, True), (363, True), (367, False), (700, False)])
def test_confirming_marks_a_repeat_only_within_12_months_of_an_earlier_case_closing(world, closed_days_ago, repeat):
    earlier = intake(AMINA, days_ago=closed_days_ago + 120)
    closed_case(world, earlier, closed_days_ago=closed_days_ago)
    new = intake(AMINA_MISSPELT)
    decision = decide(world, new, earlier)
    new.refresh_from_db()
    assert (decision.outcome, decision.decided_by) == (Outcome.CONFIRMED, world.users["hana"])
    assert decision.decided_at <= timezone.now() and 0.5 <= decision.probability < 1
    assert new.is_repeat is repeat
    assert new.previous_referral == (earlier if repeat else None)
    assert matching.linked_survivor_ids(new.survivor_id) == {new.survivor_id, earlier.survivor_id}


def test_the_latest_case_of_any_linked_record_counts(world):
    oldest = intake(AMINA, days_ago=900)
    closed_case(world, oldest, closed_days_ago=800)
    middle = intake(AMINA, days_ago=300)
    closed_case(world, middle, closed_days_ago=100)
    decide(world, middle, oldest)
    new = intake(AMINA_MISSPELT)
    decide(world, new, middle)
    new.refresh_from_db()
    assert (new.is_repeat, new.previous_referral) == (True, middle)


def test_a_case_still_open_does_not_make_a_repeat(world):
    earlier = intake(AMINA, days_ago=100)
    f.CaseFactory(referral=earlier, service=world.services["solace"])
    new = intake(AMINA_MISSPELT)
    decide(world, new, earlier)
    new.refresh_from_db()
    assert not new.is_repeat


def test_an_onward_referral_is_linked_but_never_marked_a_repeat(world):
    earlier = intake(AMINA, days_ago=300)
    closed_case(world, earlier, closed_days_ago=60)
    second = intake(AMINA_MISSPELT, days_ago=30)
    case = f.CaseFactory(referral=second, service=world.services["sistah"])
    onward = f.ReferralFactory(survivor=second.survivor)
    OnwardReferral.objects.create(from_case=case, referral=onward, created_at=timezone.now())
    decide(world, onward, earlier)
    onward.refresh_from_db()
    assert matching.linked_survivor_ids(onward.survivor_id) == {second.survivor_id, earlier.survivor_id}
    assert not onward.is_repeat and onward.previous_referral is None


def test_rejecting_records_the_decision_and_links_nothing(world):
    earlier = intake(AMINA, days_ago=200)
    closed_case(world, earlier, closed_days_ago=100)
    new = intake(AMINA_MISSPELT)
    decision = decide(world, new, earlier, Outcome.REJECTED)
    new.refresh_from_db()
    assert decision.outcome == Outcome.REJECTED
    assert not new.is_repeat
    assert matching.linked_survivor_ids(new.survivor_id) == {new.survivor_id}
    assert matching.suggest_matches(new) == []


@pytest.mark.parametrize("outcome", [Outcome.CONFIRMED, Outcome.REJECTED])
def test_the_same_decision_twice_is_recorded_once(world, outcome):
    earlier = intake(AMINA, days_ago=200)
    new = intake(AMINA_MISSPELT)
    first = decide(world, new, earlier, outcome)
    events = AuditEvent.objects.count()
    assert decide(world, new, earlier, outcome) == first
    assert MatchDecision.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_a_different_decision_on_a_decided_pair_is_refused(world):
    earlier = intake(AMINA, days_ago=200)
    new = intake(AMINA_MISSPELT)
    decide(world, new, earlier, Outcome.REJECTED)
    with pytest.raises(RepeatError, match="already been decided"):
        decide(world, new, earlier, Outcome.CONFIRMED)
    assert list(MatchDecision.objects.values_list("outcome", flat=True)) == [Outcome.REJECTED]


def test_a_pair_that_is_not_suggested_cannot_be_linked(world):
    stranger = intake(STRANGER, days_ago=200)
    new = intake(AMINA_MISSPELT)
    with pytest.raises(RepeatError, match="no longer suggested"):
        decide(world, new, stranger)
    later = intake(AMINA, days_ago=0)
    with pytest.raises(RepeatError, match="no longer suggested"):
        decide(world, intake(AMINA_MISSPELT, days_ago=10), later)  # the "earlier" one came after it
    assert not MatchDecision.objects.exists()


def test_sealed_referrals_can_never_be_linked(world):
    sealed = intake(AMINA, days_ago=200, police=True)
    new = intake(AMINA_MISSPELT)
    with pytest.raises(RepeatError):
        decide(world, new, sealed)
    with pytest.raises(RepeatError):
        decide(world, intake(AMINA_MISSPELT, police=True), intake(AMINA, days_ago=100))
    assert not MatchDecision.objects.exists()


def test_a_decision_is_audited_on_both_referrals_without_personal_values(world):
    earlier = intake(AMINA, days_ago=200)
    closed_case(world, earlier, closed_days_ago=100)
    new = intake(AMINA_MISSPELT)
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    decide(world, new, earlier)
    events = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq"))
    assert [(e.action, e.object_id, e.survivor_id, e.actor_username) for e in events] == [
        ("update", new.reference, new.survivor_id, "hana"),
        ("update", earlier.reference, earlier.survivor_id, "hana"),
    ]
    assert events[0].changes["repeat_match"] == "confirmed" and events[0].changes["is_repeat"] is True
    assert events[0].changes["earlier"] == earlier.reference and events[1].changes["later"] == new.reference
    trail = str([e.changes for e in events])
    for plain in ("Amina", "Okonk", "07700", "Cable", "1987"):
        assert plain not in trail


# --- the decision route ------------------------------------------------------------------------------------------


def post_decision(client, new, earlier, decision="confirmed"):
    url = reverse("repeats:decide", kwargs={"reference": new.reference})
    return client.post(url, {"earlier": earlier.reference, "decision": decision})


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "hana"])
def test_nobody_but_the_hub_can_reach_the_decision_route(world, client_for, persona):
    """Police (even one given the hub worker role by mistake), health, services, the independent service, the
    commissioner, auditors and the administrator: the same 404 as for a referral that does not exist."""
    earlier = intake(AMINA, days_ago=200)
    new = intake(AMINA_MISSPELT)
    client = client_for(persona)
    for decision in ("confirmed", "rejected"):
        assert post_decision(client, new, earlier, decision).status_code == 404
    assert client.get(reverse("repeats:decide", kwargs={"reference": new.reference})).status_code == 405
    assert not MatchDecision.objects.exists()


def test_the_hub_worker_confirms_by_posting_and_a_double_submit_changes_nothing(world, client_for):
    earlier = intake(AMINA, days_ago=200)
    closed_case(world, earlier, closed_days_ago=100)
    new = intake(AMINA_MISSPELT)
    client = client_for("hana")
    for _ in range(2):
        response = post_decision(client, new, earlier)
        assert response.status_code == 302
        assert response["Location"] == reverse("referrals:detail", kwargs={"reference": new.reference})
    assert MatchDecision.objects.get().outcome == Outcome.CONFIRMED
    assert Referral.objects.get(pk=new.pk).is_repeat
    page = client.get(response["Location"]).content.decode()
    assert "this is a repeat referral" in page


def test_the_route_needs_csrf(world, client_for):
    from django.test import Client

    earlier = intake(AMINA, days_ago=200)
    new = intake(AMINA_MISSPELT)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["hana"])
    assert post_decision(client, new, earlier).status_code == 403
    assert not MatchDecision.objects.exists()


@pytest.mark.parametrize("target", ["sealed", "missing"])
def test_naming_a_referral_outside_the_hubs_scope_answers_404(world, client_for, target):
    new = intake(AMINA_MISSPELT)
    earlier = world.referrals["sealed"] if target == "sealed" else Referral(reference="CH-ZZZZ-ZZZZ")
    assert post_decision(client_for("hana"), new, earlier).status_code == 404
    sealed_new = world.referrals["sealed"]
    assert post_decision(client_for("hana"), sealed_new, intake(AMINA, days_ago=5)).status_code == 404


def test_a_refused_decision_says_why_and_saves_nothing(world, client_for):
    stranger = intake(STRANGER, days_ago=200)
    new = intake(AMINA_MISSPELT)
    client = client_for("hana")
    response = post_decision(client, new, stranger)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "no longer suggested for this one. Nothing has been saved." in page
    assert not MatchDecision.objects.exists()


def test_received_dates_in_the_past_are_respected(world):
    """The decision compares the new referral's received date, not today, with the end of the earlier case."""
    earlier = intake(AMINA, days_ago=800)
    closed_case(world, earlier, closed_days_ago=700)
    new = intake(AMINA_MISSPELT, days_ago=400)  # 300 days after that case closed
    decide(world, new, earlier)
    new.refresh_from_db()
    assert new.is_repeat
    assert new.received_at < timezone.now() - dt.timedelta(days=399)

"""MARAC referrals: made from a high-risk triage, repeats found through linked records, lists per borough, the
meeting, its actions and outcome as audited services, and the sealed pathway's own MARAC seen by nobody else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from carehub.accounts import policy
from carehub.audit.models import AuditEvent, SealedAuditEvent
from carehub.core.choices import ServiceType
from carehub.marac import history, selectors, services
from carehub.marac.models import MaracAction, MaracOutcome, MaracReferral
from carehub.people.models import Survivor
from carehub.referrals import services as referral_services
from carehub.referrals.models import DashAssessment
from carehub.referrals.services import ReferralError, TriageInput
from tests import factories as f

TODAY = dt.date(2026, 3, 2)


@pytest.fixture
def world(world):
    """The shared world without its MARAC referrals: each test here makes the ones it is about."""
    MaracReferral.objects.all().delete()
    world.maracs.clear()
    return world


def answers(yes: int) -> dict[int, str]:
    return {n: ("yes" if n <= yes else "no") for n in range(1, 25)}


def hub_triage(world, referral, yes=15, **extra):
    """The hub's triage: a referral meeting the criteria is referred to MARAC inside referral_triage itself
    (registered from marac.apps.ready), so the triage and the MARAC referral are both made or neither."""
    return referral_services.referral_triage(
        actor=world.users["hana"],
        referral=referral,
        expected_version=referral.version,
        triage=TriageInput(answers=answers(yes), **extra),
    )


def marac_for(referral, *, referred_on=TODAY, meeting_date=None, sealed=None) -> MaracReferral:
    return MaracReferral.objects.create(
        referral=referral,
        survivor=referral.survivor,
        borough=referral.borough,
        sealed=referral.sealed if sealed is None else sealed,
        referred_on=referred_on,
        meeting_date=meeting_date,
        criteria=["professional judgement"],
        created_at=timezone.now(),
    )


# --- made from triage --------------------------------------------------------------------------------------------


def test_a_high_risk_triage_refers_her_to_her_boroughs_marac(world):
    referral = world.referrals["triage"]
    hub_triage(world, referral, yes=15)
    marac = MaracReferral.objects.get(referral=referral)
    assert (marac.borough, marac.sealed, marac.repeat) == (referral.borough, False, False)
    assert marac.referred_on == timezone.localdate()
    assert marac.criteria[0].startswith("visible high risk")
    assert AuditEvent.objects.filter(object_type="maracreferral", object_id=marac.public_id, action="create").exists()


def test_professional_judgement_alone_refers_her_and_says_why(world):
    hub_triage(world, world.referrals["triage"], yes=2, professional_judgement=True, professional_judgement_reason="x")
    assert MaracReferral.objects.get().criteria == ["professional judgement"]


def test_below_every_criterion_no_marac_referral_is_made(world):
    hub_triage(world, world.referrals["triage"], yes=9)
    assert not MaracReferral.objects.exists()


def test_triage_again_keeps_one_marac_referral(world):
    referral = world.referrals["triage"]
    hub_triage(world, referral, yes=15)
    referral.refresh_from_db()
    hub_triage(world, referral, yes=16)
    assert MaracReferral.objects.filter(referral=referral).count() == 1


def test_a_refused_triage_leaves_no_marac_referral(world):
    with pytest.raises(ReferralError):
        hub_triage(world, world.referrals["triage"], yes=2, professional_judgement=True)
    assert not MaracReferral.objects.exists()


# --- repeats, from her history -----------------------------------------------------------------------------------


def _linked_referral(world, earlier_referral):
    """A new referral of a survivor record a hub worker has confirmed is the same woman as the earlier one."""
    first = earlier_referral.survivor
    Survivor.objects.filter(pk=first.pk).update(person=first.pk)
    later = f.ReferralFactory(status="in_triage", survivor__family_name="Latermarker")
    Survivor.objects.filter(pk=later.survivor.pk).update(person=first.pk)
    later.survivor.refresh_from_db()
    return later


def test_a_marac_referral_within_12_months_of_a_linked_records_last_is_a_repeat(world):
    earlier = f.ReferralFactory(status="closed")
    marac_for(earlier, referred_on=timezone.localdate() - dt.timedelta(days=200))
    later = _linked_referral(world, earlier)
    hub_triage(world, later, yes=15)
    assert MaracReferral.objects.get(referral=later).repeat is True


def test_more_than_12_months_later_is_not_a_repeat(world):
    earlier = f.ReferralFactory(status="closed")
    marac_for(earlier, referred_on=TODAY - dt.timedelta(days=366))
    later = _linked_referral(world, earlier)
    assert history.is_repeat(later.survivor, on=TODAY, sealed=False) is False
    assert history.is_repeat(later.survivor, on=TODAY - dt.timedelta(days=2), sealed=False) is True


def test_an_unlinked_woman_is_never_a_repeat_of_someone_else(world):
    marac_for(world.referrals["solace"], referred_on=TODAY)
    assert history.is_repeat(world.referrals["triage"].survivor, on=TODAY, sealed=False) is False


def test_a_sealed_marac_never_makes_a_hub_referral_a_repeat(world):
    sealed = world.referrals["sealed"]
    marac_for(sealed, referred_on=TODAY)
    later = _linked_referral(world, sealed)
    assert history.is_repeat(later.survivor, on=TODAY, sealed=False) is False
    assert history.is_repeat(later.survivor, on=TODAY, sealed=True) is True


# --- who sees which list -----------------------------------------------------------------------------------------


def visible(world, persona):
    return set(policy.marac_referrals_visible_to(world.users[persona]))


def test_the_hub_and_idva_services_see_the_list_and_police_never(world):
    ordinary = marac_for(world.referrals["triage"])
    sealed = marac_for(world.referrals["sealed"])
    for persona in ("hana", "alice", "amara"):
        assert visible(world, persona) == {ordinary}, persona
    for persona in ("percy", "pete", "gina", "cora", "otto", "oona", "adam"):
        assert visible(world, persona) == set(), persona
    for persona in ("ines", "ivan"):
        assert visible(world, persona) == {sealed}, persona


def test_an_idva_service_sees_only_the_boroughs_it_covers(world):
    ordinary = marac_for(world.referrals["triage"])  # the factory's borough, E09000030
    service = world.services["solace"]
    service.covers_all_london, service.boroughs = False, ["E09000012"]
    service.save()
    world.services["refuge"].delete()
    assert visible(world, "amara") == set()
    service.boroughs = ["E09000012", ordinary.borough]
    service.save()
    assert visible(world, "amara") == {ordinary}


def test_a_service_that_holds_no_high_risk_cases_sees_no_marac_list(world):
    marac_for(world.referrals["triage"])
    world.services["sistah"].service_type = ServiceType.COUNSELLING
    world.services["sistah"].save()
    assert visible(world, "bea") == set()
    assert not policy.can_work_marac(world.users["bea"])
    world.services["sistah"].marac_linked = True
    world.services["sistah"].save()
    assert len(visible(world, "bea")) == 1


def test_the_list_is_ordered_by_meeting_date_undated_last(world):
    later = marac_for(world.referrals["triage"], meeting_date=TODAY + dt.timedelta(days=20))
    undated = marac_for(world.referrals["solace"])
    sooner = marac_for(world.referrals["sistah"], meeting_date=TODAY + dt.timedelta(days=3))
    assert list(selectors.marac_list(world.users["hana"])) == [sooner, later, undated]


def test_a_borough_list_holds_that_borough_alone(world):
    marac_for(world.referrals["triage"])
    other = world.referrals["solace"]
    other.borough = "E09000012"
    other.save()
    hackney = marac_for(other)
    assert list(selectors.marac_list(world.users["hana"], borough="E09000012")) == [hackney]


# --- the meeting, actions, outcome -------------------------------------------------------------------------------


def test_meeting_actions_and_outcome_are_recorded_and_audited(world):
    hana = world.users["hana"]
    marac = marac_for(world.referrals["triage"], referred_on=timezone.localdate())
    services.marac_meeting_set(actor=hana, marac=marac, meeting_date=timezone.localdate() + dt.timedelta(days=7))
    action = services.marac_action_add(
        actor=hana, marac=marac, text="Sanctuary scheme survey", owner="Housing", due_on=TODAY
    )
    assert b"Sanctuary" not in bytes(action.text_sealed)
    services.marac_action_done(actor=hana, action=action)
    services.marac_outcome_record(actor=hana, marac=marac, outcome=MaracOutcome.ACTIONS_AGREED)
    marac.refresh_from_db()
    assert marac.outcome == MaracOutcome.ACTIONS_AGREED
    changes = [e.changes for e in AuditEvent.objects.filter(object_id=marac.public_id).order_by("seq")]
    # Key order is not kept by PostgreSQL's jsonb: compare which key each event carries.
    kinds = ["meeting_date", "action_added", "action_done", "outcome"]
    assert [next(k for k in kinds if k in c) for c in changes] == kinds
    assert "Sanctuary" not in str(changes)


def test_actions_agreed_needs_an_action_and_a_meeting(world):
    hana = world.users["hana"]
    marac = marac_for(world.referrals["triage"])
    with pytest.raises(services.MaracError, match="meeting date"):
        services.marac_outcome_record(actor=hana, marac=marac, outcome=MaracOutcome.ACTIONS_AGREED)
    services.marac_meeting_set(actor=hana, marac=marac, meeting_date=TODAY + dt.timedelta(days=1))
    with pytest.raises(services.MaracError, match="actions agreed"):
        services.marac_outcome_record(actor=hana, marac=marac, outcome=MaracOutcome.ACTIONS_AGREED)


def test_an_action_is_done_once(world):
    marac = marac_for(world.referrals["triage"])
    action = services.marac_action_add(actor=world.users["hana"], marac=marac, text="a", owner="b", due_on=TODAY)
    services.marac_action_done(actor=world.users["hana"], action=action)
    with pytest.raises(services.MaracError, match="already"):
        services.marac_action_done(actor=world.users["alice"], action=MaracAction.objects.get(pk=action.pk))


def test_nobody_outside_scope_can_act_on_a_marac_referral(world):
    sealed = marac_for(world.referrals["sealed"])
    for persona in ("hana", "percy", "amara"):
        with pytest.raises(services.MaracError):
            services.marac_meeting_set(actor=world.users[persona], marac=sealed, meeting_date=TODAY)
    assert MaracReferral.objects.get(pk=sealed.pk).meeting_date is None


# --- the independent adviser's own assessment --------------------------------------------------------------------


def test_the_independent_adviser_assesses_a_sealed_referral_and_refers_it_to_a_sealed_marac(world):
    referral = world.referrals["sealed"]
    hub_events = AuditEvent.objects.count()
    services.sealed_assess_and_refer(
        actor=world.users["ines"],
        referral=referral,
        expected_version=referral.version,
        triage=TriageInput(answers=answers(14)),
    )
    referral.refresh_from_db()
    assert (referral.risk_level, referral.status) == ("high", "accepted")
    marac = MaracReferral.objects.get(referral=referral)
    assert marac.sealed is True
    assert DashAssessment.objects.filter(referral=referral).count() == 1
    assert AuditEvent.objects.count() == hub_events  # nothing on the hub's chain
    assert SealedAuditEvent.objects.filter(object_id=marac.public_id).exists()
    assert visible(world, "hana") == set()
    assert visible(world, "ines") == {marac}


def test_nobody_else_can_assess_a_sealed_referral(world):
    referral = world.referrals["sealed"]
    for persona in ("hana", "amara", "percy"):
        with pytest.raises(services.MaracError):
            services.sealed_assess_and_refer(
                actor=world.users[persona],
                referral=referral,
                expected_version=referral.version,
                triage=TriageInput(answers=answers(14)),
            )
    assert not DashAssessment.objects.exists()


# --- pages -------------------------------------------------------------------------------------------------------


def test_the_list_page_shows_the_hub_its_list_and_police_nothing(world, client_for):
    marac = marac_for(world.referrals["triage"])
    page = client_for("hana").get(reverse("marac:list"))
    assert page.status_code == 200
    assert marac.public_id[:4] in page.content.decode()
    assert client_for("percy").get(reverse("marac:list")).status_code == 404


def test_the_detail_page_records_an_action_and_marks_it_done(world, client_for):
    marac = marac_for(world.referrals["triage"])
    client = client_for("alice")
    url = reverse("marac:detail", kwargs={"public_id": marac.public_id})
    due = TODAY + dt.timedelta(days=14)
    response = client.post(
        url,
        {
            "form": "action",
            "action-text": "Refer to housing",
            "action-owner": "Housing",
            "action-due_on_day": due.day,
            "action-due_on_month": due.month,
            "action-due_on_year": due.year,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    action = MaracAction.objects.get()
    assert client.post(url, {"form": "done", "done-action": action.public_id}).status_code == 302
    assert MaracAction.objects.get().done_at is not None
    assert "Refer to housing" in client.get(url).content.decode()


def test_a_sealed_marac_page_is_missing_outside_the_independent_service(world, client_for):
    marac = marac_for(world.referrals["sealed"])
    url = reverse("marac:detail", kwargs={"public_id": marac.public_id})
    for persona in ("hana", "alice", "percy", "pete", "adam"):
        assert client_for(persona).get(url).status_code == 404, persona
    assert client_for("ines").get(url).status_code == 200

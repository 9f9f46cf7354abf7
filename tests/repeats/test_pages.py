"""The pages: the hub worker sees possible earlier referrals (and nobody else does); after confirmation the referral
and case pages show her history and the "Repeat referral" tag."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from carehub.audit.models import AuditEvent
from carehub.referrals.models import Status
from carehub.repeats.models import Outcome
from carehub.repeats.services import match_decide
from tests import factories as f
from tests.repeats.helpers import AMINA, AMINA_MISSPELT, closed_case, intake

SECTION = "Possible earlier referrals"


def detail(client, referral) -> str:
    response = client.get(reverse("referrals:detail", kwargs={"reference": referral.reference}))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def repeat(world):
    """Amina's earlier referral (support at Quaymarsh, closed 100 days ago) and her new, misspelt one."""
    earlier = intake(AMINA, days_ago=300)
    closed_case(world, earlier, closed_days_ago=100)
    return earlier, intake(AMINA_MISSPELT)


def test_the_hub_worker_sees_the_suggestion_with_what_agrees_and_differs(world, client_for, repeat):
    earlier, new = repeat
    page = detail(client_for("hana"), new)
    assert SECTION in page
    assert "likely to be the same person as referral " + earlier.reference in page
    assert "Family name: one typing slip apart" in page
    assert "Date of birth: the same" in page
    assert "Phone number: differs" in page
    assert "Address and postcode: differs" in page
    assert timezone.localtime(earlier.received_at).strftime("%-d %B %Y") in page  # as London reads it
    assert 'name="decision" value="confirmed"' in page and "Not the same person" in page
    assert "csrfmiddlewaretoken" in page


def test_the_page_shows_nothing_of_the_earlier_womans_identity(world, client_for, repeat):
    _earlier, new = repeat
    page = detail(client_for("hana"), new)
    assert "Okonkow" in page  # this referral's own details, which the hub worker may see
    for theirs in ("Okonkwo", "900123", "amina.o@example.org", "Mile End", "E1 4NS"):
        assert theirs not in page


def test_showing_suggestions_is_audited(world, client_for, repeat):
    earlier, new = repeat
    client = client_for("hana")
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    detail(client, new)
    events = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq"))
    assert [(e.action, e.object_id, e.survivor_id) for e in events] == [
        ("view", new.reference, new.survivor_id),
        ("view", new.reference, new.survivor_id),  # her safe-contact instructions, shown at the top of the page
        ("search", new.reference, new.survivor_id),
        ("view", earlier.reference, earlier.survivor_id),
    ]
    assert events[1].reason == "safe contact instructions"
    assert events[3].reason == f"suggested as a possible earlier referral of {new.reference}"


@pytest.mark.parametrize("persona", ["amara", "alice"])
def test_services_never_see_suggestions(world, client_for, repeat, persona):
    """Quaymarsh can see the new referral once it is routed there, but suggestions are for the hub alone."""
    earlier, new = repeat
    new.status, new.routed_service = Status.ACCEPTED, world.services["solace"]
    new.save()
    f.CaseFactory(referral=new, service=world.services["solace"], caseworker=world.users["alice"])
    page = detail(client_for(persona), new)
    assert SECTION not in page
    assert earlier.reference not in page  # not linked yet: nothing of her to show


def test_a_sealed_referral_shows_no_suggestions_to_its_advisers(world, client_for):
    intake(AMINA, days_ago=300)
    sealed = intake(AMINA_MISSPELT, police=True)
    page = detail(client_for("ines"), sealed)
    assert SECTION not in page
    assert (
        client_for("hana").get(reverse("referrals:detail", kwargs={"reference": sealed.reference})).status_code == 404
    )


def test_after_confirmation_the_referral_page_shows_her_history_and_the_repeat_tag(world, client_for, repeat):
    earlier, new = repeat
    client = client_for("hana")
    client.post(
        reverse("repeats:decide", kwargs={"reference": new.reference}),
        {"earlier": earlier.reference, "decision": "confirmed"},
    )
    page = detail(client, new)
    assert "Repeat referral" in page
    assert "Her other referrals" in page
    assert earlier.reference in page
    case = earlier.cases.get()
    assert f"closed {timezone.localtime(case.closed_at).strftime('%-d %b %Y')} (support completed)" in page
    assert "Quaymarsh IDVA" in page
    assert "No earlier referral looks like the same person." in page
    assert "Decisions already made" in page and "Same person" in page
    # and the earlier referral's page shows the new one
    assert new.reference in detail(client, earlier)


def test_after_confirmation_the_case_page_shows_her_history_and_the_repeat_tag(world, client_for, repeat):
    earlier, new = repeat
    match_decide(actor=world.users["hana"], referral=new, earlier=earlier, outcome=Outcome.CONFIRMED)
    new.status, new.routed_service = Status.ACCEPTED, world.services["solace"]
    new.save()
    case = f.CaseFactory(referral=new, service=world.services["solace"], caseworker=world.users["alice"])
    page = client_for("amara").get(reverse("cases:detail", kwargs={"public_id": case.public_id})).content.decode()
    assert "Repeat referral" in page
    assert "Her other referrals" in page and earlier.reference in page
    assert "(support completed)" in page


def test_the_case_page_lists_only_what_its_reader_may_see(world, client_for, repeat):
    """Her earlier support was at Quaymarsh: Kestrel Rise's manager sees the new case and the tag, not Quaymarsh's."""
    earlier, new = repeat
    match_decide(actor=world.users["hana"], referral=new, earlier=earlier, outcome=Outcome.CONFIRMED)
    new.status, new.routed_service = Status.ACCEPTED, world.services["sistah"]
    new.save()
    case = f.CaseFactory(referral=new, service=world.services["sistah"], caseworker=world.users["bola"])
    page = client_for("bea").get(reverse("cases:detail", kwargs={"public_id": case.public_id})).content.decode()
    assert "Repeat referral" in page
    assert earlier.reference not in page and "Quaymarsh IDVA" not in page
    assert "Her other referrals" not in page


def test_showing_a_linked_referral_in_her_history_is_audited(world, client_for, repeat):
    earlier, new = repeat
    match_decide(actor=world.users["hana"], referral=new, earlier=earlier, outcome=Outcome.CONFIRMED)
    client = client_for("hana")
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    detail(client, new)
    seen = AuditEvent.objects.filter(seq__gt=last, action="view", object_id=earlier.reference).get()
    assert (seen.survivor_id, seen.actor_username) == (earlier.survivor_id, "hana")
    assert seen.reason == f"in the history of referral {new.reference}"


def test_case_outlines_for_the_hub_never_include_sealed_cases_and_police_see_none(world):
    from carehub.accounts import policy

    cases = world.cases
    hub = set(policy.case_outlines_visible_to(world.users["hana"]))
    assert hub == {cases["solace"], cases["sistah"]}
    assert set(policy.case_outlines_visible_to(world.users["alice"])) == {cases["solace"]}
    assert set(policy.case_outlines_visible_to(world.users["ines"])) == {cases["sealed"]}
    for persona in ("pete", "percy", "gina", "cora", "otto", "adam"):
        assert not policy.case_outlines_visible_to(world.users[persona]).exists(), persona

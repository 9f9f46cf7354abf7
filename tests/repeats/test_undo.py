"""Undoing a wrong link: the two survivors are separate people again, the repeat mark that rested on the link goes,
the pair is not suggested again, and the hub alone can do it, with a reason, audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from carehub.audit.models import AuditEvent
from carehub.referrals.models import Referral
from carehub.repeats import matching, services
from carehub.repeats.models import MatchDecision, Outcome
from carehub.repeats.services import RepeatError
from tests.repeats.helpers import AMINA, AMINA_MISSPELT, closed_case, confirm, intake, person_of
from tests.world import PERSONAS

REASON = "Different women: checked with the referrer"


def linked_pair(world):
    earlier = intake(AMINA, days_ago=200)
    closed_case(world, earlier, closed_days_ago=100)
    new = intake(AMINA_MISSPELT)
    decision = confirm(world, new, earlier)
    new.refresh_from_db()
    assert new.is_repeat and person_of(new) == person_of(earlier) is not None
    return earlier, new, decision


def test_undoing_separates_the_people_and_clears_the_repeat(world):
    earlier, new, decision = linked_pair(world)
    undone = services.match_undo(actor=world.users["hana"], decision=decision, reason=REASON)
    new.refresh_from_db()
    assert (undone.outcome, undone.undone_by, undone.undo_reason) == (Outcome.REJECTED, world.users["hana"], REASON)
    assert undone.decided_by == world.users["hana"] and undone.undone_at >= undone.decided_at  # the first stays
    assert matching.linked_survivor_ids(new.survivor_id) == {new.survivor_id}
    assert person_of(new) is None and person_of(earlier) is None
    assert (new.is_repeat, new.previous_referral) == (False, None)
    assert all(s.survivor_id != earlier.survivor_id for s in matching.suggest_matches(new))  # decided: not again
    with pytest.raises(RepeatError):
        confirm(world, new, earlier)  # a pair decided "not the same" cannot be linked again by a second click


def test_undoing_one_link_of_three_keeps_the_others_together(world):
    first = intake(AMINA, days_ago=400)
    second = intake(AMINA, days_ago=200)
    confirm(world, second, first)
    third = intake(AMINA_MISSPELT)
    wrong = confirm(world, third, second)
    assert person_of(first) == person_of(second) == person_of(third)
    services.match_undo(actor=world.users["hana"], decision=wrong, reason=REASON)
    assert person_of(first) == person_of(second) == min(first.survivor_id, second.survivor_id)
    assert person_of(third) is None


def test_a_reason_is_required_and_only_a_confirmed_link_can_be_undone(world):
    _, _, decision = linked_pair(world)
    with pytest.raises(RepeatError, match="Say why"):
        services.match_undo(actor=world.users["hana"], decision=decision, reason="  ")
    assert MatchDecision.objects.get().outcome == Outcome.CONFIRMED
    services.match_undo(actor=world.users["hana"], decision=decision, reason=REASON)
    with pytest.raises(RepeatError, match="nothing to undo"):
        services.match_undo(actor=world.users["hana"], decision=decision, reason=REASON)


def test_undoing_is_audited_on_both_referrals_with_the_reason(world):
    earlier, new, decision = linked_pair(world)
    services.match_undo(actor=world.users["hana"], decision=decision, reason=REASON)
    for referral in (new, earlier):
        event = AuditEvent.objects.filter(object_id=referral.reference, changes__repeat_match="undone", reason=REASON)
        assert event.get().actor_username == "hana"


# --- the route -----------------------------------------------------------------------------------------------------


def post_undo(client, referral, decision, reason=REASON):
    url = reverse("repeats:undo", kwargs={"reference": referral.reference})
    return client.post(url, {"decision": decision.public_id, "reason": reason})


def test_the_hub_worker_undoes_a_link_from_the_referral_page(world, client_for):
    earlier, new, decision = linked_pair(world)
    client = client_for("hana")
    page = client.get(reverse("referrals:detail", kwargs={"reference": new.reference})).content.decode()
    assert "Undo this link" in page
    response = post_undo(client, new, decision)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert f"Link undone: referral {earlier.reference} is no longer treated as the same person." in page
    assert "Link undone by" in page
    assert REASON in page
    assert not Referral.objects.get(pk=new.pk).is_repeat


def test_an_empty_reason_is_a_clear_message_and_changes_nothing(world, client_for):
    _, new, decision = linked_pair(world)
    client = client_for("hana")
    page = client.get(post_undo(client, new, decision, reason="")["Location"]).content.decode()
    assert "Say why these are not the same person." in page
    assert MatchDecision.objects.get().outcome == Outcome.CONFIRMED


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "hana"])
def test_nobody_but_the_hub_can_undo(world, client_for, persona):
    _, new, decision = linked_pair(world)
    assert post_undo(client_for(persona), new, decision).status_code == 404
    assert MatchDecision.objects.get().outcome == Outcome.CONFIRMED


def test_a_decision_of_another_referral_answers_404(world, client_for):
    earlier, _new, decision = linked_pair(world)
    assert post_undo(client_for("hana"), earlier, decision).status_code == 404  # decided on `new`, not `earlier`
    assert MatchDecision.objects.get().outcome == Outcome.CONFIRMED

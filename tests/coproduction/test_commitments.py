"""Commitments, their equality impact assessments, consultations and "you said, we did": services and the policy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.urls import reverse

from carehub.accounts import policy
from carehub.audit.models import AuditEvent
from carehub.coproduction import selectors, services
from carehub.coproduction.services import CoproductionError
from tests.coproduction.helpers import answer, commitment, consultation, publish_run

pytestmark = pytest.mark.django_db


def test_a_commitment_is_registered_audited_and_shown_without_a_current_assessment(world, client_for):
    made = commitment(world)
    event = AuditEvent.objects.get(object_type="commitment", object_id=made.public_id)
    assert event.action == "create" and event.actor_username == "cora"
    page = client_for("cora").get(reverse("coproduction:commitments")).content.decode()
    assert made.title in page and "No current assessment" in page


def test_unknown_codes_are_refused(world):
    with pytest.raises(CoproductionError):
        commitment(world, populations=["martians"])


def test_an_assessment_snapshots_the_published_run_and_is_current_only_once_signed_off(world, settings, tmp_path):
    publish_run(settings, tmp_path)
    made = commitment(world)
    assessment = services.assessment_create(
        actor=world.users["cora"], commitment=made, assessed_on=dt.date(2026, 12, 1), runs=["hub"],
        impact="Women with insecure immigration status wait longest.", mitigation="Ring-fenced places.",
        monitoring="Quarterly by the equality engine.",
    )  # fmt: skip
    run = assessment.runs.get()
    assert run.specification == "hub.toml" and run.published_on == "2026-11-30"
    assert run.findings == ["Women who asked for a by-and-for service were offered one less often when NRPF."]
    assert selectors.current_assessment(made) is None
    services.assessment_sign_off(actor=world.users["cora"], assessment=assessment, name="Cora Assessor")
    assert selectors.current_assessment(made) == assessment
    # The published run is replaced later: the assessment keeps what it was signed off on.
    (tmp_path / "hub" / "results.json").unlink()
    assert assessment.runs.get().findings == run.findings


def test_an_assessment_needs_a_published_run_and_the_psed_answers(world, settings, tmp_path):
    settings.EIA_RESULTS_DIR = str(tmp_path)
    with pytest.raises(CoproductionError, match="not been published"):
        services.assessment_create(
            actor=world.users["cora"], commitment=commitment(world), assessed_on=dt.date(2026, 12, 1),
            runs=["hub"], impact="x", mitigation="y", monitoring="z",
        )  # fmt: skip


def test_only_commissioners_keep_the_register(world):
    assert policy.can_manage_commitments(world.users["cora"])
    for persona in ("bea", "amara", "hana", "percy", "adam"):
        assert not policy.can_manage_commitments(world.users[persona])


def test_each_organisation_reads_its_own_answer_and_the_others_open_ones_only(world):
    made = commitment(world)
    asked = consultation(world, made)
    open_answer = answer(world, asked, "bea", in_confidence=False, text="Open point from Kestrel Rise")
    secret = answer(world, asked, "amara", in_confidence=True, text="Confidential point from Quaymarsh")

    def visible(persona):
        return set(policy.responses_visible_to(world.users[persona], asked))

    assert visible("cora") == {open_answer, secret}
    assert visible("bea") == {open_answer}  # never Quaymarsh's answer in confidence
    assert visible("amara") == {open_answer, secret}  # its own, and the open one
    for outsider in ("ivan", "hana", "percy", "alice"):
        assert visible(outsider) == set()
        with pytest.raises(Http404):
            selectors.consultation_get(user=world.users[outsider], public_id=asked.public_id)


def test_the_pages_follow_the_same_rule(world, client_for):
    made = commitment(world)
    asked = consultation(world, made)
    answer(world, asked, "bea", in_confidence=False, text="Open point from Kestrel Rise")
    answer(world, asked, "amara", in_confidence=True, text="Confidential point from Quaymarsh")
    url = reverse("coproduction:consultation", args=[asked.public_id])
    assert "Confidential point" not in client_for("bea").get(url).content.decode()
    amara = client_for("amara").get(url).content.decode()
    assert "Confidential point" in amara and "Open point" in amara
    assert client_for("ivan").get(url).status_code == 404
    public = client_for("percy").get(reverse("coproduction:public_commitment", args=[made.public_id]))
    assert "Open point from Kestrel Rise" in public.content.decode()
    assert "Confidential point" not in public.content.decode()


def test_an_organisation_answers_once_and_only_if_invited_and_before_closing(world):
    made = commitment(world)
    asked = consultation(world, made, orgs=("sistah",))
    answer(world, asked, "bea", in_confidence=False, text="One")
    with pytest.raises(CoproductionError, match="already answered"):
        answer(world, asked, "bea", in_confidence=False, text="Two")
    with pytest.raises(CoproductionError, match="not invited"):
        answer(world, asked, "amara", in_confidence=False, text="Three")
    later = consultation(world, made, orgs=("solace",))
    later.closes_on = dt.date(2020, 1, 1)
    later.save()
    with pytest.raises(CoproductionError, match="closed"):
        answer(world, later, "amara", in_confidence=False, text="Late")


def test_police_and_the_hub_cannot_be_invited(world):
    with pytest.raises(CoproductionError):
        consultation(world, commitment(world), orgs=("met",))


def test_reach_flags_a_commitment_no_by_and_for_organisation_answered(world):
    made = commitment(world)
    asked = consultation(world, made)
    found = selectors.reach(made)
    assert found.no_by_and_for_answer and found.rows == [("Black and minoritised women", 1, 0)]
    answer(world, asked, "amara", in_confidence=False, text="A specialist's point")
    assert selectors.reach(made).no_by_and_for_answer  # a specialist's answer is not a by-and-for one
    answer(world, asked, "bea", in_confidence=False, text="A by-and-for point")
    found = selectors.reach(made)
    assert not found.no_by_and_for_answer and found.rows == [("Black and minoritised women", 1, 1)]


def test_you_said_we_did_decisions_actions_and_their_timeline(world, client_for):
    made = commitment(world)
    asked = consultation(world, made)
    point = answer(world, asked, "bea", in_confidence=False, text="Fund interpreters").points.get()
    services.point_decide(actor=world.users["cora"], point=point, decision="adopted_in_part", reasons="Budget.")
    action = services.action_add(
        actor=world.users["cora"], commitment=made, title="Interpreting budget", owner="Commissioning team",
        due_on=dt.date(2027, 3, 31), points=[point],
    )  # fmt: skip
    services.action_update(actor=world.users["cora"], action=action, status="in_progress", progress=40, note="Tender")
    with pytest.raises(CoproductionError):
        services.action_update(actor=world.users["cora"], action=action, status="done", progress=50)
    assert [u.progress for u in action.updates.all()] == [0, 40]
    own = client_for("bea").get(reverse("coproduction:consultation", args=[asked.public_id])).content.decode()
    assert "Adopted in part" in own and "Interpreting budget" in own
    public = client_for("percy").get(reverse("coproduction:public_commitment", args=[made.public_id])).content
    assert b"Adopted in part" in public and b"40% done" in public
    assert {e.object_type for e in AuditEvent.objects.filter(actor_username="cora")} >= {
        "commitment", "consultation", "point", "commitmentaction",
    }  # fmt: skip


def test_the_public_page_needs_no_sign_in_and_names_no_person(world):
    from django.test import Client

    made = commitment(world)
    asked = consultation(world, made)
    answer(world, asked, "bea", in_confidence=False, text="Open point")
    body = Client().get(reverse("coproduction:public_commitment", args=[made.public_id])).content.decode()
    assert "Open point" in body
    for person in ("bea", "cora", "Bea", "Cora"):
        assert f">{person}<" not in body and f" {person} " not in body
    assert Client().get(reverse("coproduction:public_commitment", args=["ZZZZZZZZZZZZ"])).status_code == 404


def test_only_the_commissioner_changes_a_commitment(world, client_for):
    made = commitment(world)
    consultation(world, made)
    url = reverse("coproduction:commitment", args=[made.public_id])
    assert client_for("bea").get(url).status_code == 200  # invited: reads it
    assert client_for("bea").post(url, {"status": "withdrawn"}).status_code == 404
    assert client_for("cora").post(url, {"status": "delivered"}).status_code == 302
    made.refresh_from_db()
    assert made.status == "delivered"
    assert client_for("alice").get(url).status_code == 404  # a caseworker is not consulted


def test_a_refusal_no_field_takes_is_shown_on_the_page_form(world, client_for, settings, tmp_path):
    """The co-production pages show only the form's errors: a refusal naming no field goes on it as a whole."""
    publish_run(settings, tmp_path)
    made = commitment(world)
    assessment = services.assessment_create(
        actor=world.users["cora"], commitment=made, assessed_on=dt.date(2026, 12, 1), runs=["hub"],
        impact="x", mitigation="y", monitoring="z",
    )  # fmt: skip
    services.assessment_sign_off(actor=world.users["cora"], assessment=assessment, name="Cora Assessor")
    url = reverse("coproduction:assessment_sign_off", args=[made.public_id, assessment.public_id])
    response = client_for("cora").post(url, {"name": "Cora Assessor"})
    assert response.status_code == 200
    assert "This assessment is already signed off." in response.content.decode()

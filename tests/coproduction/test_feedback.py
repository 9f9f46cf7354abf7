"""Survivors' voice: the feedback link goes only by a way she said is safe, and her answers cannot be linked back to
her case: no column, audit event or log line joins them, and the token's table holds no case."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_tasks.signals import task_enqueued

from carehub.accounts import policy
from carehub.audit.models import AuditEvent, SealedAuditEvent
from carehub.cases.models import CaseStatus
from carehub.coproduction import selectors, services
from carehub.coproduction.models import FeedbackAnswer, FeedbackHeld, FeedbackOffer, FeedbackToken
from carehub.coproduction.services import CoproductionError

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
ANSWERS = dict(felt_believed="yes", felt_safe="yes", culture_fit="partly", knew_rights="no", would_recommend="yes")


def closed(world, key: str = "sistah", *, text_ok: bool = True, email_ok: bool = False):
    case = world.cases[key]
    referral = case.referral
    referral.contact_sealed = referral.survivor.seal_for(
        {"safe_contact": {"text_ok": text_ok, "email_ok": email_ok, "phone_ok": True, "safe_times": "mornings"}}
    )
    referral.save(update_fields=["contact_sealed"])
    case.status, case.opened_at, case.closed_at = CaseStatus.CLOSED, NOW - dt.timedelta(days=60), NOW
    case.save()
    return case


def offer(world, case, method="text", who="bola"):
    user = world.users[who]
    target = selectors.feedback_offer_target(user=user, public_id=case.public_id)
    return services.feedback_offer(
        actor=user, case=target.case, method=method, safe_methods=frozenset(c for c, _ in target.methods), now=NOW
    )


def test_the_link_goes_only_by_a_method_she_said_is_safe(world):
    case = closed(world, text_ok=False, email_ok=True)
    with pytest.raises(CoproductionError, match="safe"):
        offer(world, case, method="text")
    assert offer(world, case, method="email")
    with pytest.raises(CoproductionError, match="already been offered"):
        offer(world, case, method="email")


def test_no_link_before_closure_or_twelve_weeks_and_never_on_the_sealed_pathway(world):
    case = world.cases["sistah"]
    case.status, case.opened_at = CaseStatus.OPEN, NOW - dt.timedelta(weeks=11)
    case.save()
    with pytest.raises(CoproductionError, match="12 weeks"):
        services.feedback_offer(actor=world.users["bola"], case=case, method="text", safe_methods={"text"}, now=NOW)
    case.opened_at = NOW - dt.timedelta(weeks=13)
    case.save()
    services.feedback_offer(actor=world.users["bola"], case=case, method="text", safe_methods={"text"}, now=NOW)
    assert FeedbackOffer.objects.get(case=case).moment == "twelve_weeks"
    assert not policy.can_offer_feedback(world.users["ines"], world.cases["sealed"])
    with pytest.raises(CoproductionError, match="sealed"):
        services.feedback_offer(
            actor=world.users["ines"], case=world.cases["sealed"], method="text", safe_methods={"text"}, now=NOW
        )


def test_someone_outside_the_service_cannot_offer_it(world, client_for):
    case = closed(world)
    url = reverse("coproduction:feedback_offer", args=[case.public_id])
    assert client_for("alice").get(url).status_code == 404
    assert client_for("cora").get(url).status_code == 404
    assert client_for("bola").get(url).status_code == 200


def _columns(model) -> set[str]:
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, model._meta.db_table)}


def test_the_tables_hold_no_case_no_identity_and_no_time_finer_than_the_quarter():
    assert _columns(FeedbackToken) == {"token_hash", "service_id", "quarter"}
    for model in (FeedbackAnswer, FeedbackHeld):  # the reported answers, and the pool they wait in
        answer_columns = _columns(model)
        assert not {c for c in answer_columns if "case" in c or "survivor" in c or "referral" in c or "token" in c}
        assert not {c for c in answer_columns if c.endswith("_at") or c in {"created", "date", "time"}}
        assert "key" in answer_columns and "id" not in answer_columns  # a random key, no counter
    # The pool's one column more is the quarter she answered in (when her answer must move on), no finer.
    assert _columns(FeedbackHeld) - _columns(FeedbackAnswer) == {"held_in"}
    # Nothing at all points from the offer (the one row naming a case) to the token or the answers.
    assert _columns(FeedbackOffer) == {"id", "case_id", "moment"}


def test_answers_cannot_be_joined_to_the_case_by_audit_events_or_log_lines(world, caplog):
    case = closed(world)
    caplog.set_level(logging.DEBUG)
    token = offer(world, case)
    offered = AuditEvent.objects.filter(object_id=case.public_id, reason="feedback link offered").get()
    assert token not in str(offered.changes) and services.token_hash(token) not in str(offered.changes)
    events_before = AuditEvent.objects.count(), SealedAuditEvent.objects.count()
    caplog.clear()
    queued = []  # a task queued as she answers would be a timestamped row in the queue's table
    task_enqueued.connect(receiver := lambda sender, task_result, **kw: queued.append(task_result.task.name))
    client = Client()
    client.get(reverse("coproduction:feedback_start", args=[token]))
    response = client.post(reverse("coproduction:feedback_form"), {**ANSWERS, "open_text": "Kind and patient"})
    task_enqueued.disconnect(receiver)
    assert "Thank you" in response.content.decode()
    # Using the link wrote no audit event, in either chain, queued no task, and no log line names the case or token.
    assert (AuditEvent.objects.count(), SealedAuditEvent.objects.count()) == events_before and queued == []
    for record in caplog.records:
        line = record.getMessage()
        assert token not in line and case.public_id not in line and str(case.pk) not in line
    held = FeedbackHeld.objects.get()  # held in the pool, not yet reported
    assert (held.service_id, held.quarter) == (case.service_id, "2026-Q4") and not FeedbackAnswer.objects.exists()
    assert not FeedbackToken.objects.exists()  # one link, one answer
    # The quarter ends: the daily flush moves it on, and moving it writes no event or log line either.
    caplog.clear()
    assert services.feedback_flush(today=dt.date(2027, 1, 1)) == 1
    assert (AuditEvent.objects.count(), SealedAuditEvent.objects.count()) == events_before
    assert not [r for r in caplog.records if r.name.startswith("carehub")]
    stored = FeedbackAnswer.objects.get()
    assert (stored.service_id, stored.quarter, stored.open_text) == (case.service_id, "2026-Q4", "Kind and patient")
    # The answer's key is random: its order says nothing about when she answered.
    assert len(stored.key) == 32 and not stored.key.isdigit() and stored.key != held.key


def test_a_link_works_once(world):
    token = offer(world, closed(world))
    digest = services.token_hash(token)
    services.feedback_submit(digest=digest, answers=services.FeedbackInput(**ANSWERS))
    with pytest.raises(CoproductionError, match="already been used"):
        services.feedback_submit(digest=digest, answers=services.FeedbackInput(**ANSWERS))
    with pytest.raises(CoproductionError, match="already been used"):
        services.feedback_submit(digest="", answers=services.FeedbackInput(**ANSWERS))
    page = Client().get(reverse("coproduction:feedback_start", args=[token]))
    assert "cannot be used" in page.content.decode()


def _answers(service, n: int, *, quarter="2026-Q4", text="", **overrides):
    for i in range(n):
        FeedbackAnswer.objects.create(
            service=service, quarter=quarter, **{**ANSWERS, **overrides}, open_text=f"{text} {i}" if text else ""
        )


def test_the_manager_sees_nothing_below_ten_answers_and_free_text_only_by_quarter_past_it(world, client_for):
    service = world.services["sistah"]
    _answers(service, 9, text="Note")
    [found] = selectors.feedback_for_manager(user=world.users["bea"])
    assert found.free_text == {}
    page = client_for("bea").get(reverse("coproduction:feedback_results")).content.decode()
    assert "Fewer than 10 answers so far" in page and "Note 1" not in page
    _answers(service, 1, text="Tenth")
    _answers(service, 3, quarter="2027-Q1", text="Later")
    [found] = selectors.feedback_for_manager(user=world.users["bea"])
    assert list(found.free_text) == ["2026-Q4"]  # 2027-Q1 has 3 answers: its text stays hidden
    assert found.free_text["2026-Q4"] == sorted(found.free_text["2026-Q4"])  # an order that says nothing of time
    page = client_for("bea").get(reverse("coproduction:feedback_results")).content.decode()
    assert "Tenth 0" in page and "Later" not in page
    # Another service's manager sees none of it.
    assert "Tenth" not in client_for("amara").get(reverse("coproduction:feedback_results")).content.decode()


def test_aggregates_suppress_small_groups_and_small_counts(world):
    _answers(world.services["sistah"], 12)
    _answers(world.services["solace"], 4)
    _answers(world.services["sistah"], 2, knew_rights="yes")
    summary = selectors.feedback_for_commissioner(user=world.users["cora"])
    rows = {r.group: r for r in summary.by_and_for}
    assert rows["Other services"].answers is None  # 4 answers: nothing shown
    shown = rows["By-and-for services"]
    assert shown.answers == 14 and shown.yes["felt_believed"] == 14
    assert shown.yes["knew_rights"] is None  # 2 of 14: too few to show, and not to be worked out either
    assert selectors.feedback_for_commissioner(user=world.users["bea"]) is None


def test_funding_share_sits_beside_the_referrals_asking(world):
    from tests import factories as f

    f.ContractFactory(service=world.services["sistah"], annual_value_pence=75_000_000)
    for _ in range(10):
        f.ReferralFactory(wants_by_and_for="black_minoritised")
    rows = {r.community: r for r in selectors.funding_share(user=world.users["cora"], today=dt.date(2026, 6, 1))}
    black = rows["Black and minoritised women"]
    assert black.funding_share == pytest.approx(0.75)  # 750,000 of 1,000,000 a year
    assert black.referrals_asking == 10 and 0 < black.referral_share <= 1
    assert rows["South Asian women"].funding_share == 0
    assert selectors.funding_share(user=world.users["bea"]) is None


def test_the_funding_page_is_the_commissioners_alone(world, client_for):
    from tests import factories as f

    f.ContractFactory(service=world.services["sistah"], annual_value_pence=75_000_000)
    page = client_for("cora").get(reverse("coproduction:funding")).content.decode()
    assert "75%" in page  # Kestrel Rise's share of the contracts running today
    for persona in ("bea", "amara", "hana", "percy"):
        assert client_for(persona).get(reverse("coproduction:funding")).status_code == 404


def test_who_reads_feedback(world):
    assert policy.can_read_feedback(world.users["cora"]) and policy.can_read_feedback(world.users["bea"])
    assert [s.name for s in policy.feedback_services_for(world.users["bea"])] == ["Kestrel Rise Advocacy"]
    for persona in ("alice", "bola", "hana", "percy", "pete", "otto", "adam"):
        assert not policy.can_read_feedback(world.users[persona])
        assert not policy.feedback_services_for(world.users[persona]).exists()
    assert not policy.feedback_services_for(world.users["ivan"]).exists()  # the sealed pathway offers none


def test_the_survivor_pages_are_public_and_carry_no_token_after_the_first_step(world):
    token = offer(world, closed(world))
    client = Client()
    response = client.get(reverse("coproduction:feedback_start", args=[token]))
    assert response.status_code == 302 and token not in response["Location"]
    form = client.get(response["Location"]).content.decode()
    assert "once at least 10 have answered" in form and "Exit this page" in form
    assert FeedbackToken.objects.get().quarter == "2026-Q4"  # from the injected time, never finer

"""A retention run: what reached its date is listed, then erased (keys destroyed, clear free text blanked, statistics
kept), a legal hold stops it, the audit chains still verify, and nothing of her can be read afterwards."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from carehub.audit.models import AuditEvent, EventType, SealedAuditEvent
from carehub.cases.models import Contact
from carehub.independent.models import Disclosure
from carehub.marac.models import MaracAction
from carehub.people.models import DataKey, LinkageRecord, Survivor
from carehub.referrals.models import DashAssessment, Offer, Referral, ReferralEvent
from carehub.retention import services, tasks
from carehub.retention.models import RetentionRun, RunMode
from tests import factories as f
from tests.retention.helpers import AS_OF, close, write_about


def fresh(survivor) -> Survivor:
    return Survivor.objects.select_related("data_key").get(pk=survivor.pk)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("retention", "run", "--as-of", AS_OF.isoformat(), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def solace_closed(world):
    close(world.cases["solace"])
    return write_about(world, "solace")


def test_a_dry_run_lists_what_is_due_and_changes_nothing(world, solace_closed):
    keys_before = list(DataKey.objects.order_by("pk").values_list("pk", "wrapped"))
    report = services.retention_run(apply=False, as_of=AS_OF)
    assert report.mode == RunMode.DRY_RUN
    assert report.counts == {"adult": 1, "due": 1}
    assert report.sealed_counts == {}
    assert list(DataKey.objects.order_by("pk").values_list("pk", "wrapped")) == keys_before
    assert fresh(world.referrals["solace"].survivor).identity.family_name == "Solacemarker"


def test_nothing_is_due_a_day_early(world, solace_closed):
    early = AS_OF.replace(year=AS_OF.year - 1)
    assert services.retention_run(apply=False, as_of=early).counts == {}


def test_the_first_run_is_a_dry_run_unless_apply_is_given(world, solace_closed):
    survivor = world.referrals["solace"].survivor
    first = run()
    assert "No retention run has been applied yet: this first run is a dry run" in first
    assert fresh(survivor).identity is not None
    applied = run("--apply")
    assert "Erased: 1 survivors." in applied
    assert fresh(survivor).identity is None
    # Once a run has been applied, a run without a flag applies (there is nothing left to erase here).
    again = run()
    assert "dry run" not in again
    assert RetentionRun.objects.filter(mode=RunMode.APPLIED).count() == 2


def test_the_daily_task_lists_only_until_an_operator_has_applied_a_run(world, solace_closed, settings):
    survivor = world.referrals["solace"].survivor
    settings.RETENTION_SCHEDULE = {**settings.RETENTION_SCHEDULE, "adult_case_years": 1}
    # The task runs for today; closed today, her records are not due for a year even under the shortened rule, so
    # the rule is checked through the run's own date instead.
    tasks.retention_sweep.enqueue()
    assert RetentionRun.objects.get().mode == RunMode.DRY_RUN
    services.retention_run(apply=True, as_of=AS_OF)
    tasks.retention_sweep.enqueue()
    assert RetentionRun.objects.order_by("started_at", "pk").last().mode == RunMode.APPLIED
    assert fresh(survivor).is_erased


def test_applying_erases_her_identity_and_every_sealed_note(world, solace_closed):
    survivor = world.referrals["solace"].survivor
    services.retention_run(apply=True, as_of=AS_OF)
    erased = fresh(survivor)
    assert erased.identity is None
    assert erased.is_erased
    assert DataKey.objects.get(pk=erased.data_key_id).wrapped is None
    assert (erased.email_lookup, erased.phone_lookup, erased.name_dob_lookup) == ("", "", "")
    assert not LinkageRecord.objects.filter(survivor=erased).exists()
    contact = Contact.objects.get(pk=solace_closed.contact.pk)
    assert erased.unseal(contact.note_sealed) is None


def test_applying_blanks_the_free_text_written_about_her_in_the_clear(world, solace_closed):
    referral = world.referrals["solace"]
    services.retention_run(apply=True, as_of=AS_OF)
    assert Referral.objects.get(pk=referral.pk).agency_reference == ""
    assert set(ReferralEvent.objects.filter(referral=referral).values_list("note", flat=True)) == {""}
    assert set(Offer.objects.filter(referral=referral).values_list("hub_reason", "decline_detail")) == {("", "")}
    assert set(
        DashAssessment.objects.filter(referral=referral).values_list("professional_judgement_reason", flat=True)
    ) == {""}


def test_her_statistical_rows_stay(world, solace_closed):
    referral = world.referrals["solace"]
    before = Referral.objects.filter(pk=referral.pk).values("status", "received_at", "borough", "risk_level").get()
    offers = list(Offer.objects.filter(referral=referral).values_list("status", "decline_reason"))
    services.retention_run(apply=True, as_of=AS_OF)
    assert (
        Referral.objects.filter(pk=referral.pk).values("status", "received_at", "borough", "risk_level").get() == before
    )
    assert list(Offer.objects.filter(referral=referral).values_list("status", "decline_reason")) == offers
    assert Contact.objects.filter(case=world.cases["solace"]).values_list("minutes", flat=True).get() == 20
    assert fresh(referral.survivor).ethnicity == "black_african"


def test_open_cases_and_referrals_are_never_due(world, solace_closed):
    services.retention_run(apply=True, as_of=AS_OF.replace(year=AS_OF.year + 30))
    for key in ("triage", "sistah", "sealed"):  # in triage, and two open cases
        assert fresh(world.referrals[key].survivor).identity.family_name == world.marker(key)


def test_a_legal_hold_stops_the_run_and_lifting_it_lets_it_through(world, solace_closed):
    survivor = world.referrals["solace"].survivor
    hold = services.legal_hold_place(
        actor=world.users["amara"], survivor=survivor, reason="Domestic homicide review of a relative"
    )
    assert services.on_legal_hold(survivor)
    report = services.retention_run(apply=True, as_of=AS_OF)
    assert report.counts == {"held": 1, "erased": 0}
    assert fresh(survivor).identity.family_name == "Solacemarker"
    services.legal_hold_lift(actor=world.users["amara"], hold=hold, reason="The review has reported")
    assert not services.on_legal_hold(survivor)
    assert services.retention_run(apply=True, as_of=AS_OF).counts == {"adult": 1, "due": 1, "erased": 1}
    assert fresh(survivor).identity is None


def test_a_hold_placed_after_the_list_was_made_still_stops_the_erasure(world, solace_closed):
    survivor = world.referrals["solace"].survivor
    services.legal_hold_place(actor=None, survivor=survivor, reason="Court order received this morning")
    assert services.shred(actor=None, survivor_ids=[survivor.pk], sealed_ids=set(), reason="retention") == []
    assert fresh(survivor).identity is not None


def test_children_named_on_her_referral_keep_her_records_until_the_youngest_is_25(world, solace_closed):
    referral = world.referrals["solace"]
    Referral.objects.filter(pk=referral.pk).update(children_count=2, children_ages="4 and 9")
    assert services.retention_run(apply=False, as_of=AS_OF).counts == {}
    later = AS_OF.replace(year=AS_OF.year + 15)  # referral + 21 years: the youngest (4) is 25
    assert services.retention_run(apply=False, as_of=later).counts == {"children": 1, "due": 1}


def test_the_sealed_pathway_is_counted_and_audited_on_its_own_side(world, solace_closed):
    close(world.cases["sealed"])
    write_about(world, "sealed")
    sealed_survivor = world.referrals["sealed"].survivor
    hub_before = AuditEvent.objects.count()
    report = services.retention_run(apply=True, as_of=AS_OF)
    assert report.counts == {"adult": 1, "due": 1, "erased": 1}
    assert report.sealed_counts == {"sealed_pathway": 1, "due": 1, "erased": 1}
    hub_events = AuditEvent.objects.order_by("seq")[hub_before:]
    assert [e.event_type for e in hub_events] == [EventType.SURVIVOR_ERASED, EventType.RETENTION_RUN_APPLIED]
    assert hub_events[1].changes["counts"] == report.counts  # nothing of the sealed pathway in the hub's trail
    assert all(e.survivor_id != sealed_survivor.pk for e in hub_events)
    sealed_events = SealedAuditEvent.objects.filter(
        survivor_id=sealed_survivor.pk, event_type=EventType.SURVIVOR_ERASED
    )
    assert sealed_events.count() == 1
    erased = fresh(sealed_survivor)
    assert erased.identity is None
    disclosure = Disclosure.objects.get(case=world.cases["sealed"])
    assert (disclosure.recipient, disclosure.purpose) == ("", "")
    assert erased.unseal(disclosure.what_sealed) is None
    action = MaracAction.objects.get(marac=world.maracs["sealed"])
    assert erased.unseal(action.text_sealed) is None


def test_a_woman_known_under_two_records_is_erased_only_when_both_are_due(world, solace_closed):
    solace = world.referrals["solace"].survivor
    later = f.ReferralFactory(survivor__family_name="Laterrecord", status="in_triage")
    Survivor.objects.filter(pk=later.survivor_id).update(person_id=solace.pk)
    Survivor.objects.filter(pk=solace.pk).update(person_id=solace.pk)
    report = services.retention_run(apply=True, as_of=AS_OF)
    assert report.counts == {"linked_record_not_due": 1, "erased": 0}
    assert fresh(solace).identity is not None


def test_the_audit_chains_still_verify_after_a_run(world, solace_closed):
    close(world.cases["sealed"])
    services.retention_run(apply=True, as_of=AS_OF)
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "The audit trail is intact" in out.getvalue()
    assert "The sealed audit trail is intact" in out.getvalue()


def test_the_report_holds_counts_only(world, solace_closed):
    report = services.retention_run(apply=True, as_of=AS_OF)
    for counts in (report.counts, report.sealed_counts):
        assert all(isinstance(k, str) and isinstance(v, int) for k, v in counts.items())
    event = AuditEvent.objects.get(event_type=EventType.RETENTION_RUN_APPLIED)
    assert event.survivor_id is None
    assert set(event.changes) == {"as_of", "mode", "counts"}


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("hana", lambda w: reverse("referrals:detail", kwargs={"reference": w.referrals["solace"].reference})),
        ("amara", lambda w: reverse("referrals:detail", kwargs={"reference": w.referrals["solace"].reference})),
        ("alice", lambda w: reverse("cases:detail", kwargs={"public_id": w.cases["solace"].public_id})),
    ],
)
def test_no_page_shows_anything_of_her_afterwards(world, solace_closed, client_for, persona, url):
    services.retention_run(apply=True, as_of=AS_OF)
    response = client_for(persona).get(url(world))
    assert response.status_code == 200
    assert "identity has been erased" in response.text
    assert solace_closed.marker not in response.text
    assert "CAD 4411" not in response.text


def test_the_sealed_workspace_shows_nothing_of_her_afterwards(world, solace_closed, client_for):
    close(world.cases["sealed"])
    marker = write_about(world, "sealed").marker
    services.retention_run(apply=True, as_of=AS_OF)
    response = client_for("ines").get(
        reverse("independent:case", kwargs={"public_id": world.cases["sealed"].public_id})
    )
    assert response.status_code == 200
    assert marker not in response.text


def test_search_no_longer_finds_her(world, solace_closed, client_for):
    identity = world.referrals["solace"].survivor.identity
    services.retention_run(apply=True, as_of=AS_OF)
    for query in (identity.phone, identity.email, f"{identity.family_name} {identity.date_of_birth:%d/%m/%Y}"):
        response = client_for("hana").post(reverse("search:search"), {"q": query})
        assert response.status_code == 200
        assert world.referrals["solace"].reference not in response.text  # (the box shows what was typed, no more)


def test_nothing_of_her_is_left_in_the_clear_in_any_table(world, solace_closed):
    """Every text and JSON column of every table, read raw: her marker is nowhere but where it is sealed."""
    services.retention_run(apply=True, as_of=AS_OF)
    marker = solace_closed.marker
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            for column in columns:
                cursor.execute(
                    f'SELECT COUNT(*) FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE %s',  # noqa: S608
                    [f"%{marker}%"],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column}")
    assert found == []

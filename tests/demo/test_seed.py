"""`carehub seed` and `carehub demo logins` against the database: a small London, seeded for real."""

from __future__ import annotations

import base64
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from carehub.accounts.models import Membership, Organisation, User
from carehub.audit.models import Action, AuditEvent
from carehub.cases.models import Case
from carehub.coproduction.models import Commitment, FeedbackAnswer, Response
from carehub.core import public_ids
from carehub.core.choices import ServiceType
from carehub.demo import plan as plan_module
from carehub.demo import writer
from carehub.demo.load import BULK_MODELS
from carehub.demo.personas import DEMO_PASSWORD, PERSONAS
from carehub.demo.services import demo_seed
from carehub.directory.models import Contract, Service
from carehub.people.models import DataKey, Survivor
from carehub.referrals.models import Offer, Referral
from carehub.synthetic import london

N = 300
END_DATE = dt.date(2026, 10, 31)  # fixed, so the data never depend on the day the tests run
REFERRAL_FIELDS = [
    f.attname for f in Referral._meta.concrete_fields if not f.is_relation and f.attname not in ("id", "contact_sealed")
]
REFERRAL_LINKS = ["survivor__referrals__reference", "referring_organisation__slug", "routed_service__name"]
REFERRAL_LINKS += ["referred_by__username", "previous_referral__reference"]
EQUALITY = ["ethnicity", "sex", "gender_identity", "sexual_orientation", "disability", "religion", "immigration_status"]


def seed(referrals: int = N, seed: int = 7) -> None:
    call_command("seed", referrals=referrals, seed=seed, end_date=END_DATE, stdout=io.StringIO())


def snapshot() -> dict[str, list]:
    """Everything seeded that must not depend on the run: plain columns, links by natural key, identities."""
    referrals = list(
        Referral.objects.order_by("reference").values_list(*REFERRAL_FIELDS, *REFERRAL_LINKS[1:]).distinct()
    )
    survivors = Survivor.objects.select_related("data_key").order_by("pk")
    cases = Case.objects.order_by("referral__reference").values_list(
        "referral__reference",
        "service__name",
        "caseworker__username",
        "status",
        "accepted_at",
        "closed_at",
        "public_id",
    )
    # Public identifiers come from the seed too (core.public_ids): a random default would differ run to run.
    offers = Offer.objects.order_by("referral__reference", "offered_at").values_list("referral__reference", "public_id")
    return {
        "referrals": referrals,
        "survivors": [(*(getattr(s, f) for f in EQUALITY), s.created_at, s.identity, s.public_id) for s in survivors],
        "cases": list(cases),
        "offers": list(offers),
        "services": list(
            Service.objects.order_by("name").values_list("name", "capacity", "current_wait_days", "caseworker_fte")
        ),
    }


def delete_seeded_data() -> None:
    Commitment.objects.all().delete()  # its invitations protect the organisations they name
    Case.objects.all().delete()
    Referral.objects.update(previous_referral=None)
    Referral.objects.all().delete()
    Survivor.objects.all().delete()
    DataKey.objects.all().delete()
    Contract.objects.all().delete()
    Service.objects.all().delete()
    Membership.objects.all().delete()
    User.objects.all().delete()
    Organisation.objects.all().delete()


@pytest.mark.django_db
def test_same_seed_same_data_different_seed_different_data():
    seed()
    first = snapshot()
    delete_seeded_data()
    seed()
    assert snapshot() == first
    delete_seeded_data()
    seed(seed=8)
    other = snapshot()
    assert other["referrals"] != first["referrals"]
    assert [s[-2] for s in other["survivors"]] != [s[-2] for s in first["survivors"]]
    assert [s[-1] for s in other["survivors"]] != [s[-1] for s in first["survivors"]]
    assert {c[-1] for c in other["cases"]}.isdisjoint(c[-1] for c in first["cases"])


@pytest.mark.django_db
def test_survivors_get_distinct_public_ids_drawn_from_the_seed():
    """Drawn from the seed (same seed, same ids: checked above), each one of core.public_ids' form, none repeated."""
    seed()
    ids = list(Survivor.objects.values_list("public_id", flat=True))
    assert len(ids) == len(set(ids)) == Survivor.objects.count() > 0
    assert all(len(i) == public_ids.LENGTH and set(i) <= set(public_ids.ALPHABET) for i in ids)


def test_the_writer_refuses_to_repeat_a_per_row_default_down_a_column():
    """A public id left to its default would be one value for every row: the load would fail on the second."""
    with pytest.raises(ValueError, match=r"Survivor\.public_id"):
        writer.BulkWriter._complete(None, Survivor, {"id": [1]})


@pytest.mark.django_db
def test_the_directory_london_needs(argon2_hashing):
    seed()
    personas = User.objects.filter(username__in=[p.username for p in PERSONAS])
    # One argon2 hash, made once and shared: checking it once checks every persona's sign-in.
    assert len(personas) == len(PERSONAS)
    assert len({u.password for u in personas}) == 1
    assert personas[0].password.startswith("argon2")
    assert personas[0].check_password(DEMO_PASSWORD)
    for persona in PERSONAS:
        user = personas.get(username=persona.username)
        assert user.memberships.filter(organisation__slug=persona.organisation_slug, role=persona.role).exists()
    assert {s.slug for s in london.ORGANISATIONS} <= set(Organisation.objects.values_list("slug", flat=True))
    assert set(Service.objects.values_list("service_type", flat=True)) == set(ServiceType.values)
    ias = Organisation.objects.get(slug="independent-advisory-service")
    assert ias.kind == Organisation.Kind.INDEPENDENT_ADVISORY
    assert list(ias.services.values_list("service_type", flat=True)) == [ServiceType.INDEPENDENT_ADVISORY]
    by_and_for = Organisation.objects.filter(kind=Organisation.Kind.BY_AND_FOR)
    assert by_and_for.count() >= 5 and all(o.led_by_and_for for o in by_and_for)
    assert Contract.objects.filter(support_weeks__in=[26, 52]).exists()
    assert not Service.objects.filter(service_type=ServiceType.REFUGE, address="").exists()
    # Caseworkers as managers would record them: staffed short of what each caseload cap implies (20 cases to a
    # caseworker), so the commissioning evidence has a gap to show; a few services with none recorded.
    staffed = Service.objects.filter(caseworker_fte__isnull=False)
    assert 0 < Service.objects.filter(caseworker_fte__isnull=True).count() < staffed.count()
    assert all(0 < float(s.caseworker_fte) <= max(s.capacity / 20, 0.1) + 0.05 for s in staffed)  # to 0.1


@pytest.mark.django_db
def test_personas_have_work_and_the_sealed_pathway_is_sealed():
    seed()
    for username in ("caseworker", "byandfor"):
        assert Case.objects.filter(caseworker__username=username, status="open", sealed=False).count() >= 3
    assert Case.objects.filter(caseworker__username="adviser", sealed=True).exists()
    sealed = Referral.objects.filter(sealed=True)
    assert sealed.exists()
    assert set(sealed.exclude(routed_service=None).values_list("routed_service__service_type", flat=True)) == {
        ServiceType.INDEPENDENT_ADVISORY
    }
    assert not sealed.filter(referring_organisation__kind=Organisation.Kind.POLICE).exists()
    assert set(Case.objects.filter(referral__sealed=True).values_list("sealed", flat=True)) == {True}
    assert not Case.objects.filter(sealed=True).exclude(service__service_type=ServiceType.INDEPENDENT_ADVISORY).exists()
    assert not Referral.objects.filter(sealed=False, routed_service__organisation=london_ias()).exists()


@pytest.mark.django_db
def test_offers_agree_with_referrals_and_the_manager_has_some():
    seed(referrals=1500)
    offered = Referral.objects.filter(status="offered", sealed=False)
    pending = Offer.objects.filter(status="pending")
    assert sorted(offered.values_list("pk", "routed_service")) == sorted(pending.values_list("referral", "service"))
    assert pending.filter(service__organisation__slug="quaymarsh-womens-service").count() >= 2
    assert not Offer.objects.filter(referral__sealed=True).exists()
    accepted = Offer.objects.filter(status="accepted")
    assert accepted.count() == Case.objects.filter(sealed=False).count()


def london_ias() -> Organisation:
    return Organisation.objects.get(slug=london.IAS_SLUG)


@pytest.mark.django_db
def test_repeats_point_at_an_earlier_referral_of_the_same_survivor():
    seed()
    repeats = Referral.objects.filter(is_repeat=True).select_related("previous_referral")
    assert repeats.exists()
    for referral in repeats:
        assert referral.previous_referral.survivor_id == referral.survivor_id
        assert referral.previous_referral.received_at < referral.received_at
    assert not Referral.objects.filter(is_repeat=False, previous_referral__isnull=False).exists()


@pytest.mark.django_db
def test_identities_are_sealed_and_answers_include_prefer_not_to_say():
    seed()
    assert Survivor.objects.filter(ethnicity="prefer_not_to_say").exists()
    assert Survivor.objects.filter(ethnicity="").exists()
    for survivor in Survivor.objects.select_related("data_key").order_by("pk")[:40]:
        identity = survivor.identity
        assert identity.family_name
        with connection.cursor() as cursor:
            cursor.execute("SELECT identity_sealed FROM people_survivor WHERE id = %s", [survivor.pk])
            stored = bytes(cursor.fetchone()[0])
        # A Fernet token: version byte 0x80 then ciphertext. Short names can turn up in random base64 by
        # chance, so look for the plaintext in the decoded bytes and for values too long to occur by accident.
        assert stored.startswith(b"gAAAAA")
        raw = base64.urlsafe_b64decode(stored)
        values = [f"{identity.given_name} {identity.family_name}", identity.email, identity.address]
        for value in filter(None, values):
            assert value.encode() not in stored
            assert value.encode() not in raw


@pytest.mark.django_db
def test_one_audit_event_for_the_whole_seed():
    before = AuditEvent.objects.count()
    seed()
    events = AuditEvent.objects.all()[before:]
    assert [e.action for e in events] == [Action.SEED]
    assert events[0].changes["referrals"] == N
    assert events[0].changes["survivors"] == Survivor.objects.count()


@pytest.mark.django_db
def test_the_seed_gives_co_production_a_consulted_commitment_and_feedback_past_the_threshold():
    seed()
    keys = sorted(FeedbackAnswer.objects.values_list("key", flat=True))
    assert Commitment.objects.count() == 2
    assert sorted(Response.objects.values_list("in_confidence", flat=True)) == [False, True]
    assert set(FeedbackAnswer.objects.values_list("service", flat=True).distinct()) and len(keys) >= 12
    delete_seeded_data()
    seed()
    assert sorted(FeedbackAnswer.objects.values_list("key", flat=True)) == keys  # same seed, same data


@pytest.mark.django_db
def test_if_empty_does_nothing_when_referrals_exist():
    seed()
    out = io.StringIO()
    call_command("seed", referrals=50, seed=2, end_date=END_DATE, if_empty=True, stdout=out)
    assert "Not seeding" in out.getvalue()
    assert Referral.objects.count() == N
    with pytest.raises(CommandError, match="already holds"):
        seed(referrals=50)


@pytest.mark.django_db
def test_refuses_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        seed()
    with pytest.raises(CommandError, match="production"):
        call_command("demo", "logins", stdout=io.StringIO())
    assert not Referral.objects.exists()


@pytest.mark.django_db
def test_demo_logins_lists_every_persona():
    demo_seed(referrals=20, seed=1, end_date=END_DATE)
    out = io.StringIO()
    call_command("demo", "logins", stdout=out)
    for persona in PERSONAS:
        assert persona.username in out.getvalue()
    assert DEMO_PASSWORD in out.getvalue()
    assert "Not yet created" not in out.getvalue()


def schema_objects() -> set[tuple[str, ...]]:
    """Every index and constraint on the tables the seeder fills, as the database describes them."""
    tables = [m._meta.db_table for m in BULK_MODELS]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                # Index definitions are compared by name: PostgreSQL may print a re-created partial index's
                # condition differently (same meaning, different casts).
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = ANY(%s::regclass[]) UNION ALL "
                "SELECT tablename, indexname, '' FROM pg_indexes WHERE tablename = ANY(%s)",
                [tables, tables],
            )
        else:
            cursor.execute("SELECT tbl_name, name, coalesce(sql, '') FROM sqlite_master")
            return {row for row in cursor.fetchall() if row[0] in tables}
        return set(cursor.fetchall())


@pytest.mark.django_db
def test_bulk_loading_puts_back_every_index_and_foreign_key(monkeypatch):
    """The large-load path (PostgreSQL drops indexes and foreign keys, then re-creates them), at a small size."""
    monkeypatch.setattr(writer, "BULK_LOAD_FROM", 0)
    before = schema_objects()
    seed()
    assert schema_objects() == before
    assert Case.objects.filter(referral__survivor__isnull=False).count() == Case.objects.count()


@pytest.mark.django_db
def test_carehub_seed_without_an_end_date_dates_the_data_up_to_yesterday(monkeypatch):
    monkeypatch.setattr(plan_module, "utc_today", lambda: dt.date(2027, 3, 15))
    call_command("seed", referrals=40, seed=3, stdout=io.StringIO())
    assert AuditEvent.objects.get(action=Action.SEED).changes["end_date"] == "2027-03-14"
    assert Referral.objects.latest("received_at").received_at < dt.datetime(2027, 3, 15, tzinfo=dt.UTC)

"""core.rows.insert_together: a referral's related rows written together, one statement on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from carehub.core.rows import insert_together
from carehub.people.models import DataKey, Identity, LinkageRecord, Survivor
from carehub.people.services import survivor_prepare
from carehub.referrals.models import Channel, Referral, ReferralEvent, Status

IDENTITY = Identity(
    given_name="Adaeze",
    family_name="Okonkwo",
    date_of_birth=dt.date(1989, 3, 14),
    phone="07700 900123",
    email="adaeze@example.org",
    postcode="SE15 4QN",
)


def _rows(reference: str | None = None):
    new = survivor_prepare(identity=IDENTITY, equality={"ethnicity": "black_african"})
    referral = Referral(
        survivor=new.survivor,
        channel=Channel.API,
        received_at=timezone.now(),
        status=Status.RECEIVED,
        borough="E09000028",
        abuse_types=["coercive_control", "economic"],
        needs=["idva"],
    )
    if reference:
        referral.reference = reference
    event = ReferralEvent(referral=referral, at=timezone.now(), from_status="", to_status=Status.RECEIVED, note="api")
    return new, referral, event


@pytest.mark.django_db
def test_chained_rows_are_written_with_their_keys_filled_in():
    new, referral, event = _rows()
    insert_together(*new.rows, referral, event)

    survivor = new.survivor
    assert all(row.pk is not None and not row._state.adding for row in (*new.rows, referral, event))
    stored = Referral.objects.select_related("survivor__data_key").get(pk=referral.pk)
    assert stored.survivor_id == survivor.pk == referral.survivor_id
    assert stored.survivor.data_key_id == survivor.data_key.pk
    assert stored.abuse_types == ["coercive_control", "economic"]
    assert stored.reference == referral.reference
    assert stored.survivor.identity == IDENTITY  # the sealed bytes went in whole, under the data key written with it
    assert stored.survivor.ethnicity == "black_african"
    assert LinkageRecord.objects.get(survivor_id=survivor.pk).given
    assert ReferralEvent.objects.get(pk=event.pk).referral_id == referral.pk
    assert DataKey.objects.get(pk=survivor.data_key.pk).created_at is not None  # auto_now_add applied


@pytest.mark.django_db
def test_saved_rows_behave_as_saved_ones():
    new, referral, event = _rows()
    insert_together(*new.rows, referral, event)
    referral.status = Status.IN_TRIAGE
    referral.save(update_fields=["status"])  # an UPDATE, not a second INSERT
    assert Referral.objects.get(pk=referral.pk).status == Status.IN_TRIAGE
    assert Referral.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement is PostgreSQL's; SQLite saves in turn")
def test_one_statement_on_postgresql():
    new, referral, event = _rows()
    with CaptureQueriesContext(connection) as queries:
        insert_together(*new.rows, referral, event)
    assert len(queries) == 1
    assert queries[0]["sql"].startswith("WITH t0 AS (INSERT INTO")


@pytest.mark.django_db
def test_a_failure_writes_none_of_the_rows():
    first_new, first, _ = _rows()
    insert_together(*first_new.rows, first)
    new, duplicate, event = _rows(reference=first.reference)  # the reference is unique
    survivors = Survivor.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_together(*new.rows, duplicate, event)
    assert Survivor.objects.count() == survivors
    assert DataKey.objects.count() == survivors
    assert ReferralEvent.objects.count() == 0


@pytest.mark.django_db
def test_a_row_pointing_at_an_unsaved_row_outside_the_statement_is_refused():
    _new, referral, event = _rows()
    with pytest.raises(ValueError, match="unsaved"), transaction.atomic():
        insert_together(referral, event)  # her survivor row is not written first
    assert not Referral.objects.exists()
    assert not Survivor.objects.exists()

"""The public-id migrations give every existing row its own identifier (a default on the new column would give them
all the same one).

PostgreSQL only: there the migrations run inside the test's own transaction and are rolled back with it (and a
transactional test could not end, as its flush is refused by the audit trail's append-only triggers); the SQLite
schema editor cannot run inside a transaction at all. Both are what a production database runs.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from carehub.cases.models import Case, Goal
from carehub.core import public_ids
from carehub.independent.models import Complaint
from carehub.notifications.models import Notification
from carehub.referrals.models import Consent, Offer
from carehub.repeats.models import MatchDecision
from tests.migration_chain import old_chain_executor
from tests.world import build_world

# app, the migration before the public ids, the one that adds them, the models it fills
STEPS = [
    ("cases", "0002_casework", "0003_public_ids", [Case, Goal]),
    ("referrals", "0004_triage_order_index", "0005_public_ids", [Consent, Offer]),
    ("repeats", "0003_match_undo", "0004_public_ids", [MatchDecision]),
    ("independent", "0001_initial", "0002_public_ids", [Complaint]),
    ("notifications", "0002_copy_accounts_notifications", "0003_public_ids", [Notification]),
]


def migrate(*targets: tuple[str, str]) -> None:
    # Through the migrations themselves: each app's squash replaces them, and a fresh database applies only that.
    executor = old_chain_executor(connection)
    executor.migrate(list(targets) or executor.loader.graph.leaf_nodes())


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="migrations run inside the test transaction")
@pytest.mark.parametrize(("app", "before", "after", "models"), STEPS)
def test_existing_rows_get_one_identifier_each(app, before, after, models):
    world = build_world()
    now = timezone.now()
    for case in world.cases.values():
        for _ in range(2):
            Goal.objects.create(case=case, text_sealed=b"", created_at=now, updated_at=now)
    for referral in world.referrals.values():
        Consent.objects.create(referral=referral, kind="referral", given=True, recorded_at=now)
        Offer.objects.create(referral=referral, service=world.services["solace"], status="declined", offered_at=now)
    first, second, third = (world.referrals[k] for k in ("triage", "solace", "sistah"))
    for later, earlier in ((second, first), (third, first)):
        MatchDecision.objects.create(
            referral=later,
            survivor=later.survivor,
            earlier_referral=earlier,
            earlier_survivor=earlier.survivor,
            outcome="rejected",
            probability=0.5,
            decided_at=now,
        )
    for _ in range(2):
        Complaint.objects.create(case=world.cases["sealed"], made_to="watchdog", made_on=now.date())
    for n, user in enumerate(world.users.values()):
        Notification.objects.create(recipient=user, kind="offer_arrived", text="An offer is waiting", event_key=f"e{n}")
    counts = {model: model.objects.count() for model in models}
    with connection.cursor() as cursor:
        # As if these rows had been committed before the migration: their deferred foreign-key checks run now, and
        # anything the migration itself leaves pending still stops its ALTER TABLE, as it would in production.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    migrate((app, before))
    try:
        migrate((app, after))
    finally:
        migrate()
    for model in models:
        values = list(model.objects.values_list("public_id", flat=True))
        assert len(values) == counts[model] > 1
        assert len(set(values)) == len(values)
        assert all(public_ids.parse(v) == v for v in values)

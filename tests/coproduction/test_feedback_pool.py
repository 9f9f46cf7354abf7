"""Survivors' answers carry no order: they wait in a holding pool, and the daily flush moves them into the reported
table in batches (at least ten of a service and quarter, or whatever waited when a quarter ended), in a random order,
in one transaction, leaving the pool empty of what it moved. Reports read the reported table alone. Her session
keeps the link's hash, never the token."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from carehub.coproduction import selectors, services, views
from carehub.coproduction.models import FeedbackAnswer, FeedbackHeld, FeedbackToken
from carehub.coproduction.services import FEEDBACK_BATCH
from tests.coproduction.test_feedback import ANSWERS, closed, offer

pytestmark = pytest.mark.django_db

QUARTER = "2026-Q4"
DURING = dt.date(2026, 12, 1)  # within QUARTER
AFTER = dt.date(2027, 1, 2)  # QUARTER has ended


def _answer(service, text: str, *, quarter: str = QUARTER, on: dt.date = DURING) -> None:
    """One woman's answer, through the service that the questionnaire page calls, with a link of `service`."""
    token = f"token-{text}"
    FeedbackToken.objects.create(token_hash=services.token_hash(token), service=service, quarter=quarter)
    moment = dt.datetime.combine(on, dt.time(12), tzinfo=dt.UTC)
    answers = services.FeedbackInput(**ANSWERS, open_text=text)
    services.feedback_submit(digest=services.token_hash(token), answers=answers, now=moment)


def _physical_order(model) -> list[str]:
    """The free text of each row in the order the database keeps the rows: SQLite's rowid, PostgreSQL's ctid."""
    column = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT open_text FROM {model._meta.db_table} ORDER BY {column}")  # noqa: S608 (our names)
        return [row[0] for row in cursor.fetchall()]


def test_answers_given_in_a_known_order_are_reported_in_an_order_unrelated_to_it(world):
    given = [f"answer {i:02}" for i in range(12)]
    for text in given:
        _answer(world.services["sistah"], text)
    assert _physical_order(FeedbackHeld) == given  # the pool keeps the order of answering: why it must not stay

    assert services.feedback_flush(today=DURING, rng=random.Random(18)) == 12
    assert not FeedbackHeld.objects.exists()  # nothing moved stays behind
    stored = _physical_order(FeedbackAnswer)
    assert sorted(stored) == given and stored != given and stored != given[::-1]
    # The order is the random generator's permutation of the answers (read in the order of their content), and
    # nothing else: another seed gives another order.
    expected = sorted(given)
    random.Random(18).shuffle(expected)
    assert stored == expected
    other = sorted(given)
    random.Random(19).shuffle(other)
    assert other != expected
    if connection.vendor == "postgresql":  # one transaction wrote them all: xmin says nothing within the batch
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(DISTINCT xmin::text) FROM {FeedbackAnswer._meta.db_table}")  # noqa: S608
            assert cursor.fetchone()[0] == 1


def test_answers_wait_until_a_batch_is_due_or_their_quarter_has_ended(world):
    sistah, solace = world.services["sistah"], world.services["solace"]
    for i in range(FEEDBACK_BATCH - 1):
        _answer(sistah, f"sistah {i}")
    for i in range(3):
        _answer(solace, f"solace {i}")
    _answer(solace, "earlier quarter", quarter="2026-Q3")  # offered last quarter, answered in this one
    assert services.feedback_flush(today=DURING) == 0  # nine, three and one: none is a batch yet
    _answer(sistah, "the tenth")
    assert services.feedback_flush(today=DURING) == FEEDBACK_BATCH  # Kestrel Rise's ten move together
    assert FeedbackHeld.objects.count() == 4 and not FeedbackAnswer.objects.filter(service=solace).exists()
    # The quarter in which they were given ends: whatever waited moves, and the pool is empty.
    assert services.feedback_flush(today=AFTER) == 4
    assert not FeedbackHeld.objects.exists()
    assert sorted(FeedbackAnswer.objects.filter(service=solace).values_list("quarter", flat=True)) == [
        "2026-Q3", QUARTER, QUARTER, QUARTER,
    ]  # fmt: skip
    # An answer given after its quarter ended waits for the end of the quarter it was given in, not a day.
    _answer(solace, "late", on=AFTER)
    assert services.feedback_flush(today=AFTER + dt.timedelta(days=1)) == 0
    assert services.feedback_flush(today=dt.date(2027, 4, 1)) == 1


def test_reports_read_the_reported_answers_alone(world):
    for i in range(FEEDBACK_BATCH - 1):
        _answer(world.services["sistah"], f"held {i}")
    summary = selectors.feedback_for_commissioner(user=world.users["cora"])
    assert summary.by_and_for == []  # held answers are counted nowhere
    [manager] = selectors.feedback_for_manager(user=world.users["bea"])
    assert manager.answers == 0 and manager.free_text == {}
    _answer(world.services["sistah"], "held 9")
    services.feedback_flush(today=DURING)
    [manager] = selectors.feedback_for_manager(user=world.users["bea"])
    assert manager.answers == FEEDBACK_BATCH and len(manager.free_text[QUARTER]) == FEEDBACK_BATCH
    rows = {r.group: r for r in selectors.feedback_for_commissioner(user=world.users["cora"]).by_and_for}
    assert rows["By-and-for services"].answers == FEEDBACK_BATCH


def test_the_daily_sweep_flushes_the_pool_and_the_queue_keeps_nothing_of_it(world):
    """`carehub notify sweep` queues the flush (tests run tasks at once); its task returns nothing to be kept."""
    from carehub.coproduction import tasks

    for i in range(FEEDBACK_BATCH):
        _answer(world.services["sistah"], f"swept {i}")
    call_command("notify", "sweep")
    assert not FeedbackHeld.objects.exists() and FeedbackAnswer.objects.count() == FEEDBACK_BATCH
    assert tasks.feedback_flush.enqueue().return_value is None


def test_her_session_keeps_the_links_hash_never_the_token(world):
    token = offer(world, closed(world))
    client = Client()
    client.get(reverse("coproduction:feedback_start", args=[token]))
    session = client.session
    assert session[views.FEEDBACK_SESSION_KEY] == services.token_hash(token)
    assert token not in str(dict(session.items()))
    # The session table itself (sessions live in the database) holds no trace of the token in clear.
    from django.contrib.sessions.models import Session

    assert not [s for s in Session.objects.all() if token in str(s.get_decoded()) or token in s.session_data]
    client.post(reverse("coproduction:feedback_form"), ANSWERS)
    assert views.FEEDBACK_SESSION_KEY not in client.session
    assert FeedbackHeld.objects.get().quarter == "2026-Q4"


def test_a_session_holding_a_spent_or_made_up_hash_answers_nothing(world):
    token = offer(world, closed(world))
    client = Client()
    session = client.session
    session[views.FEEDBACK_SESSION_KEY] = "0" * 64
    session.save()
    assert "cannot be used" in client.post(reverse("coproduction:feedback_form"), ANSWERS).content.decode()
    assert not FeedbackHeld.objects.exists() and FeedbackToken.objects.exists()
    # The raw token put in the session (as before) is no key either: only its hash opens the form.
    session[views.FEEDBACK_SESSION_KEY] = token
    session.save()
    assert "cannot be used" in client.post(reverse("coproduction:feedback_form"), ANSWERS).content.decode()
    assert not FeedbackHeld.objects.exists() and FeedbackToken.objects.exists()

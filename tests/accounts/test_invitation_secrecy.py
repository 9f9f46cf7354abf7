"""An invitation's one-time link is a secret that exists only in the worker's memory and in the e-mail: the request
that invites queues the invitation's id alone, the worker mints the token and stores its hash, and neither the task
table, the session table nor any other table ever holds it; nor does any log line, on the link's first request or
after (and likewise for a survivor's one-time feedback link)."""

from __future__ import annotations

import io
import logging
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.servers.basehttp import WSGIRequestHandler
from django.test import Client
from django.urls import reverse
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from carehub.accounts import services
from carehub.accounts.models import Invitation, Role, User
from carehub.accounts.tasks import deliver_invitation
from carehub.core import logredact
from tests.coproduction.test_feedback import ANSWERS, closed, offer

LINK = re.compile(r"https?://\S+(/accounts/invitation/([A-Za-z0-9_-]+)/)")
NEW_PASSWORD = "plum orchard lantern 42"
FORM = {"username": "nadia", "full_name": "Nadia Quill", "email": "nadia@quaymarsh.example", "role": Role.CASEWORKER}


@pytest.fixture
def on_the_queue(settings, monkeypatch):
    """Tasks go to the database queue, as in the demo and production, and wait there for a worker (run_worker).

    The worker is django-tasks-db's own command; only its check for stale connections is idled, since inside the
    test's transaction it would take the test's connection for a stale one and close it.
    """
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO())


def whole_database() -> str:
    """Every row of every table, as text (the task queue, sessions and the audit trail included)."""
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue()


def link_in(message) -> tuple[str, str]:
    path, token = LINK.search(message.body).groups()
    return path, token


def test_the_request_queues_no_secret_and_the_worker_sends_one_working_link(world, client_for, on_the_queue):
    response = client_for("adam").post(
        reverse("administration:user_invite"), {**FORM, "organisation": world.orgs["solace"].pk}
    )
    assert response.status_code == 302
    assert mail.outbox == []  # nothing leaves in the request
    nadia = User.objects.get(username="nadia")
    invitation = Invitation.objects.get(user=nadia)
    assert invitation.token_hash is None and invitation.sent_at is None
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs == {"args": [], "kwargs": {"invitation_id": invitation.pk}}
    before_worker = whole_database()

    run_worker()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nadia@quaymarsh.example"]
    path, token = link_in(mail.outbox[0])
    invitation.refresh_from_db()
    assert invitation.token_hash == services.invitation_token_hash(token) and invitation.sent_at is not None
    assert token not in before_worker and token not in whole_database()

    visitor = Client()
    opened = visitor.get(path, follow=True)
    assert opened.status_code == 200 and "nadia" in opened.content.decode()
    assert [url for url, _ in opened.redirect_chain] == [reverse("accounts:invitation_password")]
    assert token not in whole_database()  # the session keeps the hash, not the token
    chosen = visitor.post(
        reverse("accounts:invitation_password"), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert chosen.status_code == 302
    nadia.refresh_from_db()
    assert nadia.check_password(NEW_PASSWORD)


def test_a_second_run_of_the_same_task_sends_nothing_and_the_first_link_keeps_working(world, on_the_queue):
    """Chosen behaviour: delivery is idempotent. An invitation is minted and e-mailed at most once; a new link takes
    a re-sent invitation (which ends the old one), never a silent second run."""
    _, invitation = services.user_invite(actor=world.users["adam"], organisation=world.orgs["solace"], **FORM)
    run_worker()
    assert len(mail.outbox) == 1
    path, _ = link_in(mail.outbox[0])
    deliver_invitation.enqueue(invitation_id=invitation.pk)  # a retry, or a worker restarted after sending
    run_worker()
    assert len(mail.outbox) == 1
    assert services.invitation_deliver(invitation_id=invitation.pk) is False
    assert len(mail.outbox) == 1
    assert Client().get(path).status_code == 302  # still the one working link


def test_re_sending_queues_a_new_invitation_that_ends_the_old_link_and_stores_no_secret(
    world, client_for, on_the_queue
):
    nadia, _ = services.user_invite(actor=world.users["adam"], organisation=world.orgs["solace"], **FORM)
    run_worker()
    old_path, _ = link_in(mail.outbox[-1])
    response = client_for("adam").post(reverse("administration:invitation_send", kwargs={"pk": nadia.pk}))
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert Client().get(old_path).status_code == 404  # ended when the new one was made, not when it is delivered
    before_worker = whole_database()
    run_worker()
    assert len(mail.outbox) == 2
    new_path, token = link_in(mail.outbox[-1])
    assert token not in before_worker and token not in whole_database()
    assert Client().get(new_path).status_code == 302


def test_a_queued_invitation_overtaken_by_a_newer_one_is_never_sent(world, on_the_queue):
    nadia, first = services.user_invite(actor=world.users["adam"], organisation=world.orgs["solace"], **FORM)
    services.invitation_send(actor=world.users["adam"], user=nadia)  # before any worker ran
    run_worker()
    assert len(mail.outbox) == 1  # only the newer one
    first.refresh_from_db()
    assert first.token_hash is None and first.sent_at is None


def test_a_failed_e_mail_leaves_no_hash_behind(world, on_the_queue, settings):
    """The hash is stored in the transaction that sends: if sending fails, no link works that never left."""
    settings.EMAIL_BACKEND = "tests.accounts.test_invitation_secrecy.BrokenBackend"
    _, invitation = services.user_invite(actor=world.users["adam"], organisation=world.orgs["solace"], **FORM)
    run_worker()
    invitation.refresh_from_db()
    assert invitation.token_hash is None and invitation.sent_at is None
    assert DBTaskResult.objects.get().status == "FAILED"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.invitation_deliver(invitation_id=invitation.pk) is True  # a retry delivers
    assert len(mail.outbox) == 1


class BrokenBackend:
    def __init__(self, *args, **kwargs) -> None:
        pass

    def send_messages(self, messages) -> int:
        raise ConnectionRefusedError("no mail server")


# --- logs ----------------------------------------------------------------------------------------------------------


def access_log_line(path: str, status: int) -> None:
    """What runserver's request handler logs for one request (django.server), through Django's own code."""
    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)
    handler.request = None
    handler.log_message('"%s" %s %s', f"GET {path} HTTP/1.1", str(status), "0")


@pytest.fixture
def every_log(caplog):
    """Records of every logger at every level, including django.server (which does not propagate to the root)."""
    server = logging.getLogger("django.server")
    server.addHandler(caplog.handler)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.request")
    yield caplog
    server.removeHandler(caplog.handler)


def test_following_the_invitation_link_leaves_no_token_in_any_log_or_redirect(world, every_log):
    services.user_invite(actor=world.users["adam"], organisation=world.orgs["solace"], **FORM)
    path, token = link_in(mail.outbox[-1])
    visitor = Client()
    opened = visitor.get(path, follow=True)
    chain = [url for url, _ in opened.redirect_chain]
    assert chain == [reverse("accounts:invitation_password")]
    access_log_line(path, 302)
    for url, status in opened.redirect_chain:
        access_log_line(url, status)
    visitor.post(chain[-1], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    # The spent link opened again: a 404, which django.request logs with its path.
    again = Client().get(path)
    assert again.status_code == 404
    access_log_line(path, 404)
    lines = [record.getMessage() for record in every_log.records]
    assert sum("/accounts/invitation/[redacted]/" in line for line in lines) >= 3  # the access lines and the 404's
    assert any("/accounts/invitation/set-password/" in line for line in lines)  # not a secret: left alone
    assert not [line for line in lines if token in line]
    assert token not in "".join(chain) and token not in opened.content.decode()


def test_the_survivor_feedback_link_is_redacted_alike(world, every_log):
    token = offer(world, closed(world))
    path = reverse("coproduction:feedback_start", args=[token])
    visitor = Client()
    opened = visitor.get(path, follow=True)
    chain = [url for url, _ in opened.redirect_chain]
    assert chain == [reverse("coproduction:feedback_form")]
    access_log_line(path, 302)
    visitor.post(chain[-1], ANSWERS)
    access_log_line(path, 200)  # the spent link again ("already used")
    lines = [record.getMessage() for record in every_log.records]
    assert any("/coproduction/your-feedback/[redacted]/" in line for line in lines)
    assert not [line for line in lines if token in line]


def test_the_redaction_keeps_other_paths_and_catches_a_missing_slash_and_a_made_up_token():
    assert logredact.redact('"GET /accounts/invitation/set-password/ HTTP/1.1" 200') == (
        '"GET /accounts/invitation/set-password/ HTTP/1.1" 200'
    )
    assert logredact.redact('"GET /accounts/invitation/abc-DEF_123 HTTP/1.1" 301') == (
        '"GET /accounts/invitation/[redacted] HTTP/1.1" 301'
    )
    assert logredact.redact("Not Found: /coproduction/your-feedback/made-up/") == (
        "Not Found: /coproduction/your-feedback/[redacted]/"
    )
    assert logredact.redact("GET /cases/caseload/ 200") == "GET /cases/caseload/ 200"


def test_the_filter_is_on_every_logger_that_writes_request_paths():
    for name in ("django.server", "django.request", "gunicorn.access"):
        assert any(isinstance(f, logredact.RedactSecretPaths) for f in logging.getLogger(name).filters), name

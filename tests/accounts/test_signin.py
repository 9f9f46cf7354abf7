"""Sign-in through the real pages: argon2, lock-out, the audit trail, the second factor and the idle timeout."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.sessions.models import Session
from django.core import serializers
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

import carehub.settings as configured  # the settings as written, before any test overrides them
from carehub.accounts.forms import INVALID_SIGN_IN
from carehub.accounts.middleware import SIGNED_IN_AT_SESSION_KEY
from carehub.accounts.models import Role
from carehub.accounts.otp_views import TOO_MANY_CODES, WRONG_CODE, WRONG_SETUP_CODE
from carehub.audit.models import Action, AuditEvent
from tests import factories as f
from tests.accounts.test_headers import routes_without_parameters

WRONG = "Wrong-Guess-7f3a"


@pytest.fixture
def alice(db):
    user = f.UserFactory(username="alice")
    f.MembershipFactory(user=user, role=Role.CASEWORKER)
    return user


def sign_in(client: Client, username: str = "alice", password: str = f.PASSWORD, **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, **extra)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def sign_in_events() -> list[tuple[str, str, dict]]:
    actions = [Action.SIGN_IN, Action.SIGN_IN_FAILED, Action.SIGN_OUT]
    return [(e.action, e.object_id, e.changes) for e in AuditEvent.objects.filter(action__in=actions).order_by("seq")]


# --- passwords ---------------------------------------------------------------------------------------------------


def test_passwords_are_stored_with_argon2(db, settings):
    assert configured.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = configured.PASSWORD_HASHERS
    # One hash only: argon2 is slow on purpose, and signing in through the form is proven below with a fast hasher.
    assert f.UserFactory(username="hashed").password.startswith("argon2")


def test_the_error_never_says_which_part_was_wrong(client, alice):
    wrong_password = sign_in(client, password=WRONG)
    no_such_account = sign_in(client, username="nobody-by-this-name", password=WRONG)
    alice.is_active = False
    alice.save()
    suspended_right_password = sign_in(client)
    expected = {"__all__": [INVALID_SIGN_IN]}
    for response in (wrong_password, no_such_account, suspended_right_password):
        assert response.status_code == 200
        assert response.context["form"].errors == expected
        assert INVALID_SIGN_IN in response.content.decode()
    assert "username or password" in INVALID_SIGN_IN
    assert not signed_in(client)


# --- lock-out ----------------------------------------------------------------------------------------------------


def test_five_failures_lock_the_account_even_against_the_right_password(client, alice):
    assert configured.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        response = sign_in(client, password=WRONG)
        assert response.status_code == 200
        assert INVALID_SIGN_IN in response.content.decode()
    fifth = sign_in(client, password=WRONG)
    assert fifth.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in fifth.templates]
    says = fifth.content.decode().lower()
    assert "locked" in says and "too many" in says  # what happened, plainly

    right = sign_in(client)
    assert right.status_code == 429
    assert not signed_in(client)
    assert sign_in_events()[-1] == ("sign_in_failed", str(alice.pk), {"username": "alice", "locked_out": True})


def test_the_lock_is_for_the_name_and_address_together_so_a_stranger_cannot_lock_her_out(client, alice):
    for _ in range(5):
        sign_in(client, password=WRONG, REMOTE_ADDR="203.0.113.9")
    assert sign_in(client, password=WRONG, REMOTE_ADDR="203.0.113.9").status_code == 429
    assert sign_in(Client(), REMOTE_ADDR="198.51.100.4").status_code == 302


PROXY = "10.0.0.2"


def behind_proxy(address: str) -> dict:
    """What a request from `address` looks like once our TLS proxy has passed it on."""
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": address}


@pytest.fixture
def trusted_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]


def test_behind_the_proxy_a_lock_from_one_address_does_not_lock_her_out_from_another(client, alice, trusted_proxy):
    for _ in range(5):
        sign_in(client, password=WRONG, **behind_proxy("203.0.113.9"))
    assert sign_in(client, **behind_proxy("203.0.113.9")).status_code == 429
    assert sign_in(Client(), **behind_proxy("198.51.100.4")).status_code == 302
    # Axes keeps the client's address, not the proxy's.
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}


def test_a_forwarded_address_from_an_untrusted_client_cannot_dodge_the_lock(client, alice, trusted_proxy):
    for n in range(5):
        sign_in(client, password=WRONG, REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert sign_in(client, REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429


def test_one_address_trying_many_usernames_is_locked_out(client, alice, trusted_proxy, settings):
    assert configured.LOCKOUT_ADDRESS_FAILURES > configured.AXES_FAILURE_LIMIT  # a whole office shares an address
    settings.LOCKOUT_ADDRESS_FAILURES = 6
    for n in range(5):
        response = sign_in(client, username=f"guess-{n}", password=WRONG, **behind_proxy("203.0.113.9"))
        assert response.status_code == 200  # one failure each: no pair is anywhere near its own lock
    sixth = sign_in(client, username="guess-5", password=WRONG, **behind_proxy("203.0.113.9"))
    assert sixth.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in sixth.templates]
    # Even the right password for an account never tried from there is refused from that address, and only there.
    assert sign_in(Client(), **behind_proxy("203.0.113.9")).status_code == 429
    assert sign_in(Client(), **behind_proxy("198.51.100.4")).status_code == 302
    assert sign_in_events()[-2][2] == {"username": "alice", "locked_out": True}


def test_a_successful_sign_in_resets_the_count(client, alice):
    for _ in range(4):
        sign_in(client, password=WRONG)
    assert sign_in(client).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        assert sign_in(client, password=WRONG).status_code == 200
    assert sign_in(client).status_code == 302
    assert signed_in(client)


def test_failures_and_successes_are_audited_and_no_password_is_kept(client, alice):
    typed_in_the_wrong_box = "My-Password-In-Username-Box"
    sign_in(client, password=WRONG)
    sign_in(client, username=typed_in_the_wrong_box, password=WRONG)
    sign_in(client)
    assert sign_in_events() == [
        ("sign_in_failed", str(alice.pk), {"username": "alice", "locked_out": False}),
        ("sign_in_failed", "", {"username": "(no such account)", "locked_out": False}),
        ("sign_in", str(alice.pk), {}),
    ]
    # Neither the audit trail nor django-axes' own records keep anything that may be a password.
    kept = serializers.serialize(
        "json", [*AuditEvent.objects.all(), *AccessAttempt.objects.all(), *AccessLog.objects.all()]
    )
    for secret in (WRONG, typed_in_the_wrong_box, f.PASSWORD):
        assert secret not in kept


# --- the second factor -------------------------------------------------------------------------------------------


@pytest.fixture
def otp_required(settings):
    settings.OTP_REQUIRED = True


def code_now(device: TOTPDevice) -> str:
    """What her authenticator app shows now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    return f"{(int(code_now(device)) + 500_000) % 1_000_000:06d}"


@pytest.fixture
def alices_phone(alice) -> TOTPDevice:
    return TOTPDevice.objects.create(user=alice, name="Authenticator app", confirmed=True)


def test_without_a_device_she_is_sent_to_set_one_up_and_a_valid_code_verifies(client, alice, otp_required):
    response = client.get(sign_in(client).url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:otp_setup")
    page = response.content.decode()
    assert "<svg" in page and "<path" in page  # the QR code, inline: no image URL carrying the secret
    assert "<img" not in page

    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    confirmed = client.post(reverse("accounts:otp_setup"), {"token": code_now(device)})
    assert confirmed.status_code == 302 and confirmed.url == reverse("home")
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(action=Action.UPDATE, changes__second_factor="authenticator app set up").exists()


def test_a_wrong_code_at_set_up_is_refused_plainly(client, alice, otp_required):
    sign_in(client)
    client.get(reverse("accounts:otp_setup"))
    device = TOTPDevice.objects.get(user=alice)
    response = client.post(reverse("accounts:otp_setup"), {"token": wrong_code(device)})
    assert response.status_code == 200
    assert WRONG_SETUP_CODE in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(reverse("home")).url == reverse("accounts:otp_verify")


def test_with_a_device_no_page_opens_before_the_code_but_the_otp_pages_and_sign_out(
    client, alice, alices_phone, otp_required
):
    sign_in(client)
    reachable = {"accounts:otp_verify", "accounts:otp_setup", "accounts:logout"}
    for path, name, view in routes_without_parameters():
        public = getattr(getattr(view, "access_rule", None), "public", False)
        if name in reachable or public:
            continue
        response = client.get(path)
        assert (response.status_code, response.get("Location")) == (302, reverse("accounts:otp_verify")), name
    assert client.get(reverse("accounts:otp_verify")).status_code == 200
    # A password alone cannot enrol a second device.
    assert client.get(reverse("accounts:otp_setup")).url == reverse("accounts:otp_verify")

    assert client.post(reverse("accounts:otp_verify"), {"token": code_now(alices_phone)}).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("directory:list")).status_code == 200


def test_after_the_code_she_goes_where_she_was_going(client, alice, alices_phone, otp_required):
    sign_in(client)
    assert client.get(reverse("directory:list")).url == reverse("accounts:otp_verify")
    response = client.post(reverse("accounts:otp_verify"), {"token": code_now(alices_phone)})
    assert response.url == reverse("directory:list")


def test_sign_out_works_before_the_code(client, alice, alices_phone, otp_required):
    sign_in(client)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert not signed_in(client)


def test_a_wrong_code_gives_a_clear_error_and_repeated_guesses_are_slowed(client, alice, alices_phone, otp_required):
    sign_in(client)
    first = client.post(reverse("accounts:otp_verify"), {"token": wrong_code(alices_phone)})
    assert first.status_code == 200
    assert WRONG_CODE in first.content.decode()
    assert client.get(reverse("home")).url == reverse("accounts:otp_verify")
    # Straight after a wrong code, even the right one waits: guessing a 6-digit code must take years.
    second = client.post(reverse("accounts:otp_verify"), {"token": code_now(alices_phone)})
    assert TOO_MANY_CODES in second.content.decode()
    assert client.get(reverse("home")).url == reverse("accounts:otp_verify")
    failures = [e[2] for e in sign_in_events() if e[0] == "sign_in_failed"]
    assert failures == [{"second_factor": "wrong code"}, {"second_factor": "too many wrong codes"}]


def test_a_code_that_is_not_six_digits_is_explained(client, alice, alices_phone, otp_required):
    sign_in(client)
    response = client.post(reverse("accounts:otp_verify"), {"token": "12ab"})
    assert "The code has 6 digits" in response.content.decode()
    spaced = client.post(
        reverse("accounts:otp_verify"), {"token": code_now(alices_phone)[:3] + " " + code_now(alices_phone)[3:]}
    )
    assert spaced.status_code == 302


def test_demo_mode_lets_users_skip_the_second_factor(client, alice, alices_phone, settings):
    settings.OTP_REQUIRED = False
    sign_in(client)
    assert client.get(reverse("home")).status_code == 200


# --- idle timeout ------------------------------------------------------------------------------------------------


def session_row(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_the_idle_timeout_is_fifteen_minutes_from_the_last_request():
    assert configured.SESSION_COOKIE_AGE == 15 * 60
    assert configured.SESSION_SAVE_EVERY_REQUEST is True


def test_a_session_idle_for_fifteen_minutes_is_signed_out(client, alice):
    sign_in(client)
    assert client.get(reverse("home")).status_code == 200
    Session.objects.filter(pk=client.session.session_key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_a_session_lasts_at_most_ten_hours_from_signing_in():
    assert configured.SESSION_MAX_SECONDS == 10 * 3600


def signed_in_hours_ago(client: Client, hours: float) -> None:
    session = client.session
    session[SIGNED_IN_AT_SESSION_KEY] = time.time() - hours * 3600
    session.save()


def test_the_sign_in_time_is_kept_in_the_session(client, alice):
    before = time.time()
    sign_in(client)
    assert before <= client.session[SIGNED_IN_AT_SESSION_KEY] <= time.time()


def test_a_busy_session_past_its_whole_lifetime_is_signed_out(client, alice):
    sign_in(client)
    signed_in_hours_ago(client, 9.9)
    assert client.get(reverse("home")).status_code == 200  # still within the lifetime
    signed_in_hours_ago(client, 10.1)  # and busy throughout: the idle timeout never ran out
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert not signed_in(client)
    assert sign_in_events()[-1] == ("sign_out", str(alice.pk), {})
    # Signing in again starts a new lifetime.
    assert sign_in(client).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_activity_keeps_the_session_alive_for_another_fifteen_minutes(client, alice):
    sign_in(client)
    # Fourteen minutes idle: one minute left.
    Session.objects.filter(pk=client.session.session_key).update(expire_date=timezone.now() + dt.timedelta(minutes=1))
    before = timezone.now()
    assert client.get(reverse("home")).status_code == 200
    expiry = session_row(client).expire_date
    assert before + dt.timedelta(minutes=15) <= expiry <= timezone.now() + dt.timedelta(minutes=15)

"""Administrators run the service from pages: organisations, users and their invitations, roles, second factors and
API keys. Each write is audited with old and new values; nobody but an administrator reaches any of it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from carehub.accounts import apikeys, services
from carehub.accounts.models import ApiKey, Invitation, Membership, Organisation, Role, User
from carehub.audit.models import AuditEvent
from carehub.core.choices import Community

NEW_PASSWORD = "plum orchard lantern 42"
NOT_ADMINISTRATORS = ("hana", "alice", "amara", "ivan", "cora", "otto", "percy", "pete")


def events(object_type: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type=object_type).order_by("seq"))


def code_now(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def invite(world):
    """adam invites nadia as a caseworker of Quaymarsh; returns her and the link from the e-mail she received (the
    delivery task runs at once here; tests/accounts/test_invitation_secrecy.py runs it on the database queue)."""

    def make(now: dt.datetime | None = None) -> tuple[User, str]:
        user, _ = services.user_invite(
            actor=world.users["adam"],
            username="nadia",
            full_name="Nadia Quill",
            email="nadia@quaymarsh.example",
            organisation=world.orgs["solace"],
            role=Role.CASEWORKER,
            now=now,
        )
        path = re.search(r"https?://\S+(/accounts/invitation/\S+/)", mail.outbox[-1].body).group(1)
        return user, path

    return make


# --- organisations -------------------------------------------------------------------------------------------------


def test_an_administrator_adds_and_changes_an_organisation_with_old_and_new_values_audited(world, client_for):
    adam = client_for("adam")
    response = adam.post(
        reverse("administration:organisation_create"),
        {"name": "Southside Women's Aid", "slug": "southside", "kind": "by_and_for", "led_by_and_for": ["south_asian"]},
    )
    assert response.status_code == 302
    org = Organisation.objects.get(slug="southside")
    assert org.led_by_and_for == [Community.SOUTH_ASIAN]
    response = adam.post(
        reverse("administration:organisation_edit", kwargs={"slug": "southside"}),
        {"name": "Southside Women's Aid", "kind": "by_and_for", "led_by_and_for": ["south_asian", "migrant"]},
    )
    assert response.status_code == 302
    created, changed = events("organisation")
    assert created.action == "create" and created.changes["kind"] == [None, "by_and_for"]
    assert changed.action == "update" and changed.actor_username == "adam"
    assert changed.changes == {"led_by_and_for": [["south_asian"], ["migrant", "south_asian"]]}


def test_a_by_and_for_organisation_must_name_its_communities(world, client_for):
    response = client_for("adam").post(
        reverse("administration:organisation_create"), {"name": "Nameless", "slug": "nameless", "kind": "by_and_for"}
    )
    assert response.status_code == 400
    assert "Select the communities" in response.content.decode()
    assert not Organisation.objects.filter(slug="nameless").exists()


def test_saving_an_organisation_unchanged_records_nothing(world):
    org = world.orgs["sistah"]
    changes = services.organisation_update(
        actor=world.users["adam"], organisation=org, name=org.name, kind=org.kind, led_by_and_for=org.led_by_and_for
    )
    assert changes == {}
    assert events("organisation") == []


# --- users and invitations -----------------------------------------------------------------------------------------


def test_an_invitation_creates_the_user_without_a_password_and_e_mails_a_one_time_link(world, invite):
    nadia, path = invite()
    assert not nadia.has_usable_password()
    assert Membership.objects.get(user=nadia).role == Role.CASEWORKER
    message = mail.outbox[-1]
    assert message.to == ["nadia@quaymarsh.example"]
    token = path.rstrip("/").rsplit("/", 1)[-1]
    assert not Invitation.objects.filter(token_hash=token).exists()  # only its hash is kept
    user_event, membership_event, invitation_event = (
        events("user")[-1],
        events("membership")[-1],
        events("invitation")[-1],
    )
    assert user_event.changes["username"] == [None, "nadia"]
    assert "nadia@quaymarsh.example" not in str(user_event.changes)  # staff e-mail never enters the trail
    assert membership_event.changes["role"] == [None, Role.CASEWORKER]
    assert invitation_event.changes["user"] == [None, "nadia"]


def test_the_link_sets_her_password_then_asks_for_her_authenticator_app(world, invite, client, settings):
    settings.OTP_REQUIRED = True
    nadia, path = invite()
    opened = client.get(path)
    assert opened.status_code == 302 and opened.url == reverse("accounts:invitation_password")
    assert "nadia" in client.get(opened.url).content.decode()
    chosen = client.post(opened.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert chosen.status_code == 302 and chosen.url == reverse("accounts:otp_setup")
    nadia.refresh_from_db()
    assert nadia.check_password(NEW_PASSWORD)
    # Signed in with her password alone: nothing but the second-factor pages until her app is set up.
    assert client.get(reverse("home")).url == reverse("accounts:otp_verify")
    setup = client.get(reverse("accounts:otp_setup")).content.decode()
    device = TOTPDevice.objects.get(user=nadia)
    shown_key = re.search(r'id="setup-key">([A-Z2-7 ]+)<', setup).group(1).replace(" ", "")
    import base64

    assert base64.b32decode(shown_key + "=" * (-len(shown_key) % 8)) == device.bin_key
    verified = client.post(reverse("accounts:otp_setup"), {"token": code_now(device)})
    assert verified.status_code == 302 and verified.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_the_link_works_once(world, invite, client):
    _, path = invite()
    page = client.get(path).url
    client.post(page, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    client.logout()
    again = client.get(path)
    assert again.status_code == 404
    assert "This link does not work" in again.content.decode()


def test_the_link_expires(world, invite, client, settings):
    _, path = invite(now=timezone.now() - dt.timedelta(hours=settings.INVITATION_MAX_HOURS, minutes=1))
    assert client.get(path).status_code == 404


def test_the_service_refuses_an_invitation_spent_or_expired_since_it_was_opened(world, invite):
    nadia, _ = invite(now=dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC))
    invitation = Invitation.objects.get(user=nadia)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.invitation_accept(
            invitation=invitation, password=NEW_PASSWORD, now=dt.datetime(2026, 3, 4, 9, 1, tzinfo=dt.UTC)
        )
    next_day = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    services.invitation_accept(invitation=invitation, password=NEW_PASSWORD, now=next_day)
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, password="another one 1234", now=next_day)
    nadia.refresh_from_db()
    assert nadia.check_password(NEW_PASSWORD)


def test_a_new_invitation_ends_the_old_link(world, invite, client, client_for, django_capture_on_commit_callbacks):
    nadia, old_path = invite()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("adam").post(reverse("administration:invitation_send", kwargs={"pk": nadia.pk}))
    assert response.status_code == 302
    assert client.get(old_path).status_code == 404
    new_path = re.search(r"(/accounts/invitation/\S+/)", mail.outbox[-1].body).group(1)
    assert client.get(new_path).status_code == 302


def test_the_invite_page_adds_a_user(world, client_for, django_capture_on_commit_callbacks):
    form = {
        "username": "nadia",
        "full_name": "Nadia Quill",
        "email": "nadia@quaymarsh.example",
        "organisation": world.orgs["solace"].pk,
        "role": Role.SERVICE_MANAGER,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("adam").post(reverse("administration:user_invite"), form)
    nadia = User.objects.get(username="nadia")
    assert response.status_code == 302 and response.url == reverse("administration:user", kwargs={"pk": nadia.pk})
    assert len(mail.outbox) == 1
    taken = client_for("adam").post(reverse("administration:user_invite"), form)
    assert taken.status_code == 400  # the username is taken
    assert User.objects.filter(username="nadia").count() == 1


# --- memberships and second factors --------------------------------------------------------------------------------


def test_roles_are_given_and_changed_with_old_and_new_values_audited(world, client_for):
    adam, alice = client_for("adam"), world.users["alice"]
    added = adam.post(
        reverse("administration:membership_add", kwargs={"pk": alice.pk}),
        {"organisation": world.orgs["sistah"].pk, "role": Role.CASEWORKER},
    )
    assert added.status_code == 302
    membership = Membership.objects.get(user=alice, organisation=world.orgs["sistah"])
    adam.post(reverse("administration:membership_role", kwargs={"pk": membership.pk}), {"role": Role.SERVICE_MANAGER})
    membership.refresh_from_db()
    assert membership.role == Role.SERVICE_MANAGER
    created, changed = events("membership")
    assert created.changes["organisation"] == [None, "kestrel-rise"]
    assert changed.changes["role"] == [Role.CASEWORKER, Role.SERVICE_MANAGER]


def test_resetting_the_second_factor_removes_her_app_and_is_audited(world, client_for):
    alice = world.users["alice"]
    TOTPDevice.objects.create(user=alice, name="Authenticator app", confirmed=True)
    page = client_for("adam").get(reverse("administration:user", kwargs={"pk": alice.pk})).content.decode()
    assert "Reset the authenticator app" in page
    response = client_for("adam").post(reverse("administration:second_factor_reset", kwargs={"pk": alice.pk}))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert events("user")[-1].changes == {"second_factor": ["authenticator app", "(none)"]}


# --- API keys ------------------------------------------------------------------------------------------------------


def test_a_new_key_is_shown_once_and_keys_are_listed_by_last_use(world, client_for):
    adam = client_for("adam")
    old, _ = apikeys.apikey_create(actor=world.users["adam"], organisation=world.orgs["met"], name="old")
    ApiKey.objects.filter(pk=old.pk).update(last_used_at=timezone.now() - dt.timedelta(days=3))
    recent, _ = apikeys.apikey_create(actor=world.users["adam"], organisation=world.orgs["nhs"], name="recent")
    ApiKey.objects.filter(pk=recent.pk).update(last_used_at=timezone.now())
    response = adam.post(reverse("administration:api_keys"), {"organisation": world.orgs["met"].pk, "name": "crm"})
    secret = re.search(r'id="new-key">(chk_[^<]+)<', response.content.decode()).group(1)
    assert apikeys.organisation_for_key(secret) == world.orgs["met"]
    listing = adam.get(reverse("administration:api_keys")).content.decode()
    assert secret not in listing
    prefixes = re.findall(r"<td class=\"govuk-table__cell\"><code>([0-9a-f]+)</code>", listing)
    new = ApiKey.objects.get(name="crm")
    assert prefixes == [recent.prefix, old.prefix, new.prefix]  # never-used keys last
    created = events("apikey")[-1]
    assert created.changes == {"organisation": [None, "metropolitan-police"], "name": [None, "crm"]}


def test_revoking_a_key_stops_it_at_once_and_is_audited(world, client_for):
    key, secret = apikeys.apikey_create(actor=world.users["adam"], organisation=world.orgs["met"], name="crm")
    assert apikeys.organisation_for_key(secret) == world.orgs["met"]
    response = client_for("adam").post(reverse("administration:api_key_revoke", kwargs={"prefix": key.prefix}))
    assert response.status_code == 302
    assert apikeys.organisation_for_key(secret) is None
    revoked = events("apikey")[-1]
    assert revoked.changes["revoked_at"][0] is None and revoked.changes["revoked_at"][1]


# --- nobody else ---------------------------------------------------------------------------------------------------


def admin_urls(world) -> list[str]:
    alice = world.users["alice"]
    return [
        reverse("administration:organisations"),
        reverse("administration:organisation_create"),
        reverse("administration:organisation_edit", kwargs={"slug": "kestrel-rise"}),
        reverse("administration:users"),
        reverse("administration:user_invite"),
        reverse("administration:user", kwargs={"pk": alice.pk}),
        reverse("administration:api_keys"),
        reverse("service_administration:services"),
        reverse("service_administration:create"),
        reverse("service_administration:edit", kwargs={"pk": world.services["solace"].pk}),
    ]


@pytest.mark.parametrize("persona", NOT_ADMINISTRATORS)
def test_nobody_but_an_administrator_reaches_the_pages_or_changes_anything(world, client_for, persona):
    client = client_for(persona)
    alice = world.users["alice"]
    TOTPDevice.objects.create(user=alice, name="Authenticator app", confirmed=True)
    key, secret = apikeys.apikey_create(actor=world.users["adam"], organisation=world.orgs["met"], name="crm")
    before = AuditEvent.objects.count()
    for url in admin_urls(world):
        assert client.get(url).status_code == 404, url
    posts = [
        (reverse("administration:organisation_create"), {"name": "X", "slug": "x", "kind": "specialist"}),
        (reverse("administration:organisation_edit", kwargs={"slug": "kestrel-rise"}), {"name": "X", "kind": "hub"}),
        (
            reverse("administration:user_invite"),
            {
                "username": "x",
                "full_name": "X",
                "email": "x@example.org",
                "organisation": world.orgs["hub"].pk,
                "role": Role.ADMINISTRATOR,
            },
        ),
        (
            reverse("administration:membership_add", kwargs={"pk": world.users[persona].pk}),
            {"organisation": world.orgs["hub"].pk, "role": Role.ADMINISTRATOR},
        ),
        (reverse("administration:membership_role", kwargs={"pk": alice.memberships.get().pk}), {"role": "auditor"}),
        (reverse("administration:second_factor_reset", kwargs={"pk": alice.pk}), {}),
        (reverse("administration:invitation_send", kwargs={"pk": alice.pk}), {}),
        (reverse("administration:api_keys"), {"organisation": world.orgs["met"].pk, "name": "mine"}),
        (reverse("administration:api_key_revoke", kwargs={"prefix": key.prefix}), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert AuditEvent.objects.count() == before
    assert not Organisation.objects.filter(slug="x").exists() and not User.objects.filter(username="x").exists()
    assert not Membership.objects.filter(role=Role.ADMINISTRATOR).exclude(user=world.users["adam"]).exists()
    assert alice.memberships.get().role == Role.CASEWORKER
    assert TOTPDevice.objects.filter(user=alice).exists()
    assert apikeys.organisation_for_key(secret) == world.orgs["met"]
    assert ApiKey.objects.count() == 1


def test_an_administrator_cannot_change_her_own_roles_or_second_factor(world, client_for):
    adam, me = client_for("adam"), world.users["adam"]
    TOTPDevice.objects.create(user=me, name="Authenticator app", confirmed=True)
    membership = me.memberships.get()
    page = adam.get(reverse("administration:user", kwargs={"pk": me.pk}))
    assert page.status_code == 200 and "This is your own account" in page.content.decode()
    before = AuditEvent.objects.count()
    attempts = [
        (
            reverse("administration:membership_add", kwargs={"pk": me.pk}),
            {"organisation": world.orgs["ias"].pk, "role": Role.INDEPENDENT_ADVISER},
        ),
        (reverse("administration:membership_role", kwargs={"pk": membership.pk}), {"role": Role.HUB_WORKER}),
        (reverse("administration:membership_toggle", kwargs={"pk": membership.pk}), {}),
        (reverse("administration:second_factor_reset", kwargs={"pk": me.pk}), {}),
        (reverse("administration:invitation_send", kwargs={"pk": me.pk}), {}),
    ]
    for url, data in attempts:
        assert adam.post(url, data).status_code == 404, url
    assert AuditEvent.objects.count() == before
    assert list(me.memberships.values_list("role", "is_active")) == [(Role.ADMINISTRATOR, True)]
    assert TOTPDevice.objects.filter(user=me).exists()

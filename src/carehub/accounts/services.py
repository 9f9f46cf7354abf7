"""Writes of the accounts app: organisations, users, memberships, invitations and second factors.

Every write takes `actor=` and records its audit event, with the old and new value of each field it changed, in the
same transaction. Who may call these is decided by the views through accounts.policy (services never import it).
Personal values of staff (e-mail addresses, full names) are never written to the audit trail, only that they changed.
API keys are written by accounts.apikeys, beside the check every API request makes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from carehub.accounts.models import BreakGlassGrant, Invitation, Membership, Organisation, Role, User
from carehub.audit import services as audit
from carehub.audit.models import Action, EventType
from carehub.notifications.models import Kind
from carehub.notifications.services import notify

# Fields whose values are personal: the trail says they changed, never what to.
_PERSONAL = {"email", "full_name"}

INVITATION_SUBJECT = "Your Care Hub account"


def _changes(before: dict, after: dict) -> dict:
    """{field: [old, new]} for each field that changed; personal fields as [changed, changed]."""
    changed = {}
    for name, new in after.items():
        old = before.get(name)
        if old != new:
            changed[name] = ["(changed)", "(changed)"] if name in _PERSONAL else [old, new]
    return changed


# --- organisations -------------------------------------------------------------------------------------------------


def organisation_create(*, actor, slug: str, name: str, kind: str, led_by_and_for: list[str]) -> Organisation:
    organisation = Organisation(slug=slug, name=name, kind=kind, led_by_and_for=sorted(led_by_and_for))
    organisation.full_clean()
    with transaction.atomic():
        organisation.save()
        audit.record(
            actor=actor,
            action=Action.CREATE,
            object_type="organisation",
            object_id=organisation.slug,
            changes=_changes({}, _organisation_fields(organisation)),
            event=EventType.ORGANISATION_CREATED,
        )
    return organisation


def _organisation_fields(organisation: Organisation) -> dict:
    return {"name": organisation.name, "kind": organisation.kind, "led_by_and_for": list(organisation.led_by_and_for)}


def organisation_update(*, actor, organisation: Organisation, name: str, kind: str, led_by_and_for: list[str]) -> dict:
    """Change an organisation; returns the changes recorded ({} when nothing changed, and then nothing is written).

    Saved with .save(), never .update(): routing's directory snapshot listens for the save
    (referrals.directory_snapshot), so the next referral sees a by-and-for organisation's new communities.
    """
    before = _organisation_fields(organisation)
    organisation.name, organisation.kind, organisation.led_by_and_for = name, kind, sorted(led_by_and_for)
    organisation.full_clean()
    changes = _changes(before, _organisation_fields(organisation))
    if not changes:
        return {}
    with transaction.atomic():
        organisation.save(update_fields=["name", "kind", "led_by_and_for"])
        audit.record(
            actor=actor,
            action=Action.UPDATE,
            object_type="organisation",
            object_id=organisation.slug,
            changes=changes,
            event=EventType.ORGANISATION_CHANGED,
        )
    return changes


# --- users, invitations and memberships ----------------------------------------------------------------------------


def invitation_token_hash(token: str) -> str:
    """How an invitation token is stored and looked up: SHA-256 (256 random bits need no slow hash)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def user_invite(
    *,
    actor,
    username: str,
    full_name: str,
    email: str,
    organisation: Organisation,
    role: str,
    now: dt.datetime | None = None,
) -> tuple[User, Invitation]:
    """A new user with one membership and no password yet, and an invitation queued for e-mailing to her.

    Returns the user and her invitation (whose link only the worker ever knows: see invitation_deliver).
    """
    user = User(username=username, full_name=full_name, email=email)
    user.set_unusable_password()
    user.full_clean()
    with transaction.atomic():
        user.save()
        audit.record(
            actor=actor,
            action=Action.CREATE,
            object_type="user",
            object_id=user.pk,
            changes={
                "username": [None, user.username],
                "full_name": [None, "(set)"],
                "email": [None, "(set)"],
            },
            event=EventType.USER_INVITED,
        )
        _membership_create(actor, user=user, organisation=organisation, role=role)
        invitation = _invite(actor=actor, user=user, now=_now(now))
    return user, invitation


def invitation_send(*, actor, user: User, now: dt.datetime | None = None) -> Invitation:
    """A fresh invitation for a user who has lost or not used hers; any earlier link stops working at once."""
    with transaction.atomic():
        return _invite(actor=actor, user=user, now=_now(now))


def _invite(*, actor, user: User, now: dt.datetime) -> Invitation:
    """Write the invitation and queue its delivery, in the caller's transaction; no token exists yet.

    The task carries the invitation's id alone: with the database backend its arguments sit in the task table
    until a worker runs, and the link must never be there (nor anywhere else in the database) in clear.
    """
    from carehub.accounts.tasks import deliver_invitation  # tasks import this module

    if not user.email:
        raise ValidationError({"email": "The user has no e-mail address to send the invitation to."})
    # One working link at a time: a new one ends every earlier one, delivered or still queued.
    user.invitations.filter(used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    invitation = Invitation.objects.create(
        user=user,
        created_by=actor,
        created_at=now,
        expires_at=now + dt.timedelta(hours=settings.INVITATION_MAX_HOURS),
    )
    audit.record(
        actor=actor,
        action=Action.CREATE,
        object_type="invitation",
        object_id=invitation.pk,
        changes={"user": [None, user.username], "expires_at": [None, invitation.expires_at.isoformat()]},
        event=EventType.INVITATION_SENT,
    )
    # Enqueued in this transaction: with the database backend the task row commits (or rolls back) with the invitation.
    deliver_invitation.enqueue(invitation_id=invitation.pk)
    return invitation


def invitation_deliver(*, invitation_id: int) -> bool:
    """The worker's half of an invitation: mint the token, keep only its hash, e-mail the link. Idempotent.

    An invitation is delivered at most once: the token is stored by a conditional update that only an undelivered,
    unused invitation of an active user with no newer one passes, so a task run twice (a retry, a worker restarted
    after the e-mail left) sends nothing the second time and the first link keeps working; to send a new link, an
    administrator re-sends the invitation, which ends the old one. The e-mail is sent inside the transaction that
    stores the hash: if sending fails, the hash is rolled back with it and the task is marked failed (running it
    again, or re-sending the invitation, delivers), so no working link exists that never left. Returns whether an
    e-mail was sent.
    """
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.select_related("user").filter(pk=invitation_id).first()
        if invitation is None:
            return False
        superseded = Invitation.objects.filter(user_id=invitation.user_id, pk__gt=invitation.pk).exists()
        minted = (
            0
            if superseded
            else Invitation.objects.filter(
                pk=invitation.pk,
                token_hash__isnull=True,
                sent_at__isnull=True,
                used_at__isnull=True,
                user__is_active=True,
            ).update(token_hash=invitation_token_hash(token), sent_at=timezone.now())
        )
        if minted != 1:
            return False
        user = invitation.user
        path = reverse("accounts:invitation", kwargs={"token": token})
        body = (
            f"An administrator has made you a Care Hub account. Your username is {user.username}.\n\n"
            f"Choose your password here (the link works once, for {settings.INVITATION_MAX_HOURS} hours):\n"
            f"{settings.CAREHUB_BASE_URL.rstrip('/')}{path}\n\n"
            "Then you will set up an authenticator app on your phone for the second step of signing in.\n"
        )
        send_mail(INVITATION_SUBJECT, body, None, [user.email], fail_silently=False)
    return True


def invitation_accept(*, invitation: Invitation, password: str, now: dt.datetime | None = None) -> User:
    """Set the invitee's password and spend the invitation; ValidationError if it is spent or expired meanwhile.

    The invitation is marked used by a conditional update, so two submissions racing each other cannot both succeed.
    """
    now = _now(now)
    user = invitation.user
    with transaction.atomic():
        usable = Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True, expires_at__gt=now)
        spent = usable.update(used_at=now)
        if spent != 1:
            raise ValidationError("This link has already been used or has expired.")
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record(
            actor=user,
            action=Action.UPDATE,
            object_type="user",
            object_id=user.pk,
            changes={"password": ["(none)", "(set)"], "invitation": [invitation.pk, "used"]},
            event=EventType.INVITATION_ACCEPTED,
        )
    return user


def _record_membership_created(actor, membership: Membership) -> None:
    changes = {
        "user": [None, membership.user.username],
        "organisation": [None, membership.organisation.slug],
        "role": [None, membership.role],
    }
    if membership.awaiting_confirmation:
        changes["awaiting_confirmation"] = [None, True]
    audit.record(
        actor=actor,
        action=Action.CREATE,
        object_type="membership",
        object_id=membership.pk,
        changes=changes,
        event=EventType.MEMBERSHIP_CREATED,
    )


# --- four eyes on the independent service's roles -------------------------------------------------------------------
# A role in the independent advisory service's organisation reaches sealed records: the survivors of abuse by police
# officers and staff. No administrator alone may give it. A role given, changed or restored there waits, inactive,
# until a manager of that service (not the administrator who asked, not its holder) confirms it; refused, it stays
# inactive. Until then every read of it fails: the policy reads active memberships only (and never a pending one).

PENDING_TEXT = "A role in {organisation} awaits your confirmation."


def needs_confirmation(organisation: Organisation) -> bool:
    """Whether a role in this organisation waits for its own managers' confirmation: the independent service's."""
    return organisation.is_independent_advisory


def _await_confirmation(actor, membership: Membership) -> None:
    """Mark a membership pending (the caller saves it), with who asked and when."""
    membership.is_active = False
    membership.awaiting_confirmation = True
    membership.requested_by = actor if getattr(actor, "pk", None) else None
    membership.requested_at = timezone.now()


def _ask_for_confirmation(actor, membership: Membership) -> None:
    """Audit the request and tell the service's confirmed managers, other than the one who asked and the holder.

    The notice names the organisation only: whose role and which, it leaves to the page behind the link.
    """
    audit.record(
        actor=actor,
        action=Action.UPDATE,
        object_type="membership",
        object_id=membership.pk,
        changes={
            "user": membership.user.username,
            "organisation": membership.organisation.slug,
            "role": membership.role,
            "awaiting_confirmation": [False, True],
        },
        event=EventType.MEMBERSHIP_CONFIRMATION_REQUESTED,
    )
    managers = (
        Membership.objects.filter(
            organisation=membership.organisation,
            role=Role.SERVICE_MANAGER,
            is_active=True,
            awaiting_confirmation=False,
            user__is_active=True,
        )
        .exclude(user_id=membership.user_id)
        .exclude(user_id=getattr(actor, "pk", None))
        .values_list("user_id", flat=True)
    )
    notify(
        recipient_ids=list(managers),
        kind=Kind.MEMBERSHIP_PENDING,
        text=PENDING_TEXT.format(organisation=membership.organisation.name),
        link=reverse("accounts:membership_decision", kwargs={"pk": membership.pk}),
        event_key=f"membership_pending:{membership.pk}:{membership.requested_at.isoformat()}",
    )


def _membership_create(actor, *, user: User, organisation: Organisation, role: str) -> Membership:
    membership = Membership(user=user, organisation=organisation, role=role)
    pending = needs_confirmation(organisation)
    if pending:
        _await_confirmation(actor, membership)
    membership.full_clean()
    membership.save()
    _record_membership_created(actor, membership)
    if pending:
        _ask_for_confirmation(actor, membership)
    return membership


def membership_add(*, actor, user: User, organisation: Organisation, role: str) -> Membership:
    """Give a role; in the independent service, a pending one (see above)."""
    with transaction.atomic():
        return _membership_create(actor, user=user, organisation=organisation, role=role)


def membership_set_active(*, actor, membership: Membership, active: bool) -> None:
    """Suspend or restore a membership: the quickest way to cut off a member who may be a risk.

    Suspending a pending membership withdraws the request. Restoring one in the independent service asks for
    confirmation again, as a new role would: a suspension may have had its reasons.
    """
    if membership.awaiting_confirmation:
        if not active:
            _withdraw(actor, membership)
        return
    old = membership.is_active
    if old == active:
        return
    with transaction.atomic():
        if active and needs_confirmation(membership.organisation):
            _await_confirmation(actor, membership)
            membership.save(update_fields=["is_active", "awaiting_confirmation", "requested_by", "requested_at"])
            _ask_for_confirmation(actor, membership)
            return
        membership.is_active = active
        membership.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            action=Action.UPDATE,
            object_type="membership",
            object_id=membership.pk,
            changes={"is_active": [old, active], "organisation": membership.organisation.slug},
            event=EventType.MEMBERSHIP_CHANGED,
        )


def _withdraw(actor, membership: Membership) -> None:
    with transaction.atomic():
        withdrawn = Membership.objects.filter(pk=membership.pk, awaiting_confirmation=True).update(
            awaiting_confirmation=False
        )
        if withdrawn != 1:
            return
        membership.awaiting_confirmation = False
        audit.record(
            actor=actor,
            action=Action.UPDATE,
            object_type="membership",
            object_id=membership.pk,
            changes={"awaiting_confirmation": [True, False], "organisation": membership.organisation.slug},
            event=EventType.MEMBERSHIP_REQUEST_WITHDRAWN,
        )


def membership_role_change(*, actor, membership: Membership, role: str) -> None:
    """Change a role. In the independent service the changed role waits for confirmation, and the old one stops
    at once: a caseworker made a manager there must not manage before a manager agrees."""
    old = membership.role
    if old == role:
        return
    old_active = membership.is_active
    membership.role = role
    pending = needs_confirmation(membership.organisation)
    if pending:
        _await_confirmation(actor, membership)
    membership.full_clean()
    with transaction.atomic():
        membership.save(update_fields=["role", "is_active", "awaiting_confirmation", "requested_by", "requested_at"])
        changes = {"role": [old, role], "organisation": membership.organisation.slug}
        if pending:
            changes["is_active"] = [old_active, False]
        audit.record(
            actor=actor,
            action=Action.UPDATE,
            object_type="membership",
            object_id=membership.pk,
            changes=changes,
            event=EventType.MEMBERSHIP_CHANGED,
        )
        if pending:
            _ask_for_confirmation(actor, membership)


def membership_decide(*, actor, membership: Membership, role: str, confirm: bool) -> None:
    """A manager of the independent service confirms or refuses a pending role; ValidationError if it is no longer
    pending as she saw it (`role`: the role on the page she answered), or if she asked for it or holds it.

    Who may decide at all (a confirmed manager of that service) is the policy's: the view fetches the membership
    through it. The four-eyes rule itself is checked here too, so that no caller can make one person both ask and
    confirm.
    """
    if actor.pk in {membership.requested_by_id, membership.user_id}:
        raise ValidationError("A role must be confirmed by someone other than who asked for it and who holds it.")
    with transaction.atomic():
        decided = Membership.objects.filter(
            pk=membership.pk, awaiting_confirmation=True, role=role, requested_at=membership.requested_at
        ).update(awaiting_confirmation=False, is_active=confirm)
        if decided != 1:
            raise ValidationError("This role is no longer waiting for confirmation as shown; look again.")
        membership.awaiting_confirmation, membership.is_active = False, confirm
        audit.record(
            actor=actor,
            action=Action.UPDATE,
            object_type="membership",
            object_id=membership.pk,
            changes={
                "user": membership.user.username,
                "organisation": membership.organisation.slug,
                "role": role,
                "requested_by": membership.requested_by.username if membership.requested_by else None,
                "is_active": [False, confirm],
                "awaiting_confirmation": [True, False],
            },
            event=EventType.MEMBERSHIP_CONFIRMED if confirm else EventType.MEMBERSHIP_REFUSED,
        )


def second_factor_reset(*, actor, user: User) -> int:
    """Remove the user's authenticator app (a lost or replaced phone): her next sign-in asks her to set up a new one.

    Her sessions verified with the old app stop being verified at once (django-otp checks the device still exists).
    Returns how many devices were removed.
    """
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        audit.record(
            actor=actor,
            action=Action.UPDATE,
            object_type="user",
            object_id=user.pk,
            changes={"second_factor": ["authenticator app" if removed else "(none)", "(none)"]},
            event=EventType.SECOND_FACTOR_RESET,
        )
    return removed


def second_factor_failed(*, user: User, too_many: bool) -> None:
    """Record a wrong second-factor code (or one refused because too many wrong codes came before it)."""
    audit.record(
        actor=user,
        action=Action.SIGN_IN_FAILED,
        object_type="user",
        object_id=user.pk,
        changes={"second_factor": "too many wrong codes" if too_many else "wrong code"},
        event=EventType.SECOND_FACTOR_FAILED,
    )


def second_factor_confirm(*, user: User, device: TOTPDevice) -> None:
    """Her authenticator app gave a right code at set-up: from now on it is the device that verifies her."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(
        actor=user,
        action=Action.UPDATE,
        object_type="user",
        object_id=user.pk,
        changes={"second_factor": "authenticator app set up"},
        event=EventType.SECOND_FACTOR_SET_UP,
    )


def break_glass_reasons_clear(*, survivor_ids: list[int]) -> int:
    """Blank administrators' typed reasons for opening these survivors' referrals by break-glass, for erasure: a
    reason can name her. The grant stays (who, which referral, when); the audit trail keeps its own copy of the
    reason (append-only: see the README, "Retention")."""
    return BreakGlassGrant.objects.filter(referral__survivor_id__in=survivor_ids).update(reason="")

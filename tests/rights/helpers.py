"""Records for the rights tests: a hub manager, and a survivor at Quaymarsh with notes that name other people."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from carehub.accounts.models import Role
from carehub.cases.models import Contact, ContactKind
from carehub.referrals.models import Consent, ConsentKind
from tests import factories as f

REFERRER = "Dr Winifred Quillfeather"  # the professional who referred her: another person in her records
HOUSEMATE = "her cousin Tamsin answers the phone"  # who else may answer: another person's details
PASSAGE = "the neighbour at number 12 saw everything"  # the reviewer marks this passage
WITHHELD_NOTE = "Spoke to the school about the children"  # the reviewer withholds this contact whole
STAFF = "Alice"  # alice's full name (UserFactory: username.title()), named in a note


def hub_manager(world):
    """Hilda manages the hub (a persona of the world): she answers subject access requests for what the hub holds."""
    return world.users["hilda"]


SECOND_MANAGERS = {"solace": "amelia", "hub": "hugo"}


def second_manager(world, org: str = "solace"):
    """Another manager of the organisation (Quaymarsh's amelia, the hub's hugo): erasure needs four eyes, so the
    manager who records a request is never the one who decides it."""
    username = SECOND_MANAGERS[org]
    if username not in world.users:
        user = f.UserFactory(username=username)
        f.MembershipFactory(user=user, organisation=world.orgs[org], role=Role.SERVICE_MANAGER)
        world.users[username] = user
    return world.users[username]


def with_records(world, key: str = "solace"):
    """Her referral's contact details naming others, a withdrawn consent, and three case notes."""
    referral = world.referrals[key]
    case = world.cases[key]
    survivor = referral.survivor
    referral.contact_sealed = survivor.seal_for(
        {
            "safe_contact": {"text_ok": True, "safe_times": "mornings", "others_who_may_answer": HOUSEMATE},
            "referrer": {"name": REFERRER, "role": "GP", "phone": "020 7946 0000"},
        }
    )
    referral.save(update_fields=["contact_sealed"])
    now = timezone.now()
    given = Consent.objects.create(referral=referral, kind=ConsentKind.SHARING, given=True, recorded_at=now)
    Consent.objects.create(
        referral=referral,
        kind=ConsentKind.SHARING,
        given=False,
        recorded_at=now + dt.timedelta(minutes=1),
        supersedes=given,
        reason_sealed=survivor.seal_for({"reason": "she no longer wants it shared"}),
    )
    notes = [
        f"Called her. {REFERRER} had said she was worried; {PASSAGE}.",
        f"Session with {STAFF}: planned the court date.",
        WITHHELD_NOTE,
    ]
    contacts = [
        Contact.objects.create(
            case=case,
            kind=ContactKind.CALL,
            on=dt.date(2026, 3, n + 1),
            minutes=30,
            note_sealed=survivor.seal_for({"note": note}),
            recorded_at=now,
            recorded_by=world.users["alice"],
        )
        for n, note in enumerate(notes)
    ]
    return referral, case, contacts

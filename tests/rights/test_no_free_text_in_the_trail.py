"""The audit trail can never be blanked (each event is hashed into its chain), so the events of retention and of her
rights must carry nothing of her: staff who type her name into every free-text box these apps have (a legal hold's
reason and its lifting, an extension's reason, a reviewer's passages, a decision's explanation) leave it in no
audit event, and once she is erased, in no row either. The chains still verify."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

from django.core.management import call_command

from carehub.audit.models import AuditEvent, SealedAuditEvent
from carehub.people import services as people_services
from carehub.retention import services as retention
from carehub.retention.models import LegalHold
from carehub.rights import services
from carehub.rights.forms import RECTIFY_REASONS
from carehub.rights.models import ErasureGround
from tests.rights.helpers import second_manager, with_records

WHEN = dt.date(2026, 3, 2)


def trail() -> str:
    events = [*AuditEvent.objects.all(), *SealedAuditEvent.objects.all()]
    return "\n".join(repr((e.event_type, e.reason, e.changes)) for e in events)


def test_what_staff_type_about_her_reaches_no_audit_event(world):
    amara, hilda = world.users["amara"], world.users["hilda"]
    referral, _case, _contacts = with_records(world)
    survivor = referral.survivor
    marker = world.marker("solace")
    about_her = f"{marker} (born 17/05/1990) told us"
    people_services.survivor_rectify(
        actor=amara,
        survivor=survivor,
        identity=dataclasses.replace(survivor.identity, given_name="Perpetua"),
        reason=RECTIFY_REASONS[0][0],  # the page offers coded reasons only
    )
    hold = retention.legal_hold_place(actor=hilda, survivor=survivor, reason=f"Court order: {about_her}")
    retention.legal_hold_lift(actor=hilda, hold=hold, reason=f"Order discharged, {about_her}")
    sar = services.subject_access_open(
        actor=amara, survivor=survivor, organisation=world.orgs["solace"], received_on=WHEN
    )
    services.subject_access_extend(actor=amara, request=sar, months=1, reason=f"Many records: {about_her}")
    services.subject_access_review(
        actor=amara, request=sar, passages=[f"{marker}'s cousin"], withheld=[], redact_staff_names=True
    )
    services.subject_access_release(actor=amara, request=sar)
    refused = services.erasure_request(
        actor=amara, survivor=survivor, organisation=world.orgs["solace"], received_on=WHEN
    )
    services.erasure_decide(
        actor=second_manager(world),
        request=refused,
        approve=False,
        ground=ErasureGround.SAFEGUARDING,
        explanation=about_her,
    )
    request = services.erasure_request(actor=hilda, survivor=survivor, organisation=world.orgs["hub"], received_on=WHEN)
    services.erasure_decide(
        actor=second_manager(world, "hub"),
        request=request,
        approve=True,
        ground=ErasureGround.NO_LONGER_NEEDED,
        explanation=about_her,
    )
    events_before = AuditEvent.objects.count()
    services.erasure_carry_out(actor=hilda, request=request)
    assert AuditEvent.objects.count() > events_before  # the erasure itself is on the trail

    written = trail()
    for needle in (marker, "Perpetua", "17/05/1990", "told us", "cousin", "Court order", "Many records"):
        assert needle not in written, needle
    # Her lifted hold keeps who placed and lifted it and when, but its words went with her.
    assert list(LegalHold.objects.values_list("reason", "lift_reason", "placed_by", "lifted_by")) == [
        ("", "", hilda.pk, hilda.pk)
    ]
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert out.getvalue().count("is intact") == 2  # a broken chain raises CommandError instead

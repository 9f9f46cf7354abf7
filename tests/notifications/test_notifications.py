"""Notifications: who is told of what, that the text says nothing personal, read/unread, and opt-in e-mail.

Tasks run on the immediate backend in tests (tests/conftest.py), so every fan-out happens at the moment of the event.
"""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.utils import timezone

from carehub.alerts import events
from carehub.cases.models import Contact
from carehub.notifications.models import Kind, Notification
from carehub.notifications.services import notify, preference_set
from carehub.referrals.models import Offer, OfferStatus
from carehub.referrals.services import offer_decline
from tests import factories as f


def _offer(world, record="triage", service="solace", by="hana"):
    return Offer.objects.create(
        referral=world.referrals[record],
        service=world.services[service],
        offered_at=timezone.now(),
        offered_by=world.users[by],
    )


def _texts(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("text", flat=True))


def test_an_offer_tells_the_services_managers_and_no_one_else(world):
    _offer(world)
    assert _texts(world.users["amara"]) == ["An offer is waiting for Quaymarsh IDVA."]
    assert Notification.objects.exclude(recipient=world.users["amara"]).count() == 0


def test_a_sealed_offer_to_a_specialist_service_tells_no_one(world):
    """A sealed record wrongly offered outside the independent service must change nothing anyone there can see."""
    _offer(world, record="sealed")
    assert not Notification.objects.exists()


def test_a_declined_offer_tells_the_hub_worker_who_made_it(world):
    world.referrals["triage"].status = "offered"
    world.referrals["triage"].save()
    offer = _offer(world)
    offer_decline(actor=world.users["amara"], offer=offer, reason="no_capacity")
    notice = Notification.objects.get(recipient=world.users["hana"])
    assert notice.kind == Kind.OFFER_DECLINED and "Quaymarsh IDVA declined" in notice.text
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.DECLINED


def test_break_glass_tells_the_managers_of_the_service_holding_the_record(world, client_for):
    from carehub.accounts.breakglass import break_glass_open

    break_glass_open(actor=world.users["adam"], reference=world.referrals["solace"].reference, reason="x" * 30)
    assert _texts(world.users["amara"]) == [
        "An administrator used break-glass access on a referral held by Quaymarsh IDVA."
    ]


def test_no_contact_for_n_days_tells_the_caseworker_once_per_lapse(world, settings):
    settings.CAREHUB_NO_CONTACT_DAYS = 14
    case = world.cases["solace"]
    today = timezone.localdate()
    Contact.objects.create(
        case=case, kind="phone", on=today - dt.timedelta(days=20), minutes=10, recorded_at=timezone.now()
    )
    assert events.no_contact_sweep(today=today) >= 1
    events.no_contact_sweep(today=today)  # a second run tells no one again
    notices = Notification.objects.filter(recipient=world.users["alice"], kind=Kind.NO_CONTACT)
    assert notices.count() == 1 and "for 14 days or more" in notices.get().text
    Contact.objects.create(case=case, kind="phone", on=today, minutes=5, recorded_at=timezone.now())
    events.no_contact_sweep(today=today + dt.timedelta(days=3))
    assert notices.count() == 1


def test_the_marac_hook_tells_the_caseworker(world):
    events.marac_date_approaching(case=world.cases["solace"], marac_on=dt.date(2026, 12, 9))
    assert any("MARAC meeting on 09 December 2026" in t for t in _texts(world.users["alice"]))


def test_no_text_names_a_survivor(world):
    _offer(world)
    events.marac_date_approaching(case=world.cases["solace"], marac_on=dt.date(2026, 12, 9))
    for text in Notification.objects.values_list("text", flat=True):
        for key in world.referrals:
            assert world.marker(key) not in text


def test_email_only_for_those_who_opted_in_and_never_personal(world):
    amara = world.users["amara"]
    amara.email = "amara@example.org"
    amara.save()
    _offer(world)
    assert mail.outbox == []
    preference_set(user=amara, email=True)
    _offer(world, record="sistah")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["amara@example.org"]
    assert "An offer is waiting for Quaymarsh IDVA." in mail.outbox[0].body
    assert world.marker("sistah") not in mail.outbox[0].body


def test_one_event_is_told_once(world):
    for _ in range(3):
        notify(recipient_ids=[world.users["hana"].pk], kind=Kind.EARLIER_REFERRAL, text="x", event_key="same")
    assert Notification.objects.count() == 1


def test_header_count_list_and_read(world, client_for):
    _offer(world)
    client = client_for("amara")
    assert "Notifications <strong" in client.get("/home/").content.decode()
    page = client.get("/notifications/").content.decode()
    assert "An offer is waiting for Quaymarsh IDVA." in page and "Unread" in page
    notice = Notification.objects.get(recipient=world.users["amara"])
    response = client.post(f"/notifications/{notice.public_id}/open/")
    assert response.status_code == 302 and response["Location"] == notice.link
    assert Notification.objects.get(pk=notice.pk).read_at is not None
    assert "Notifications <strong" not in client.get("/home/").content.decode()


def test_nobody_opens_anyone_elses_notification(world, client_for):
    _offer(world)
    notice = Notification.objects.get()
    assert client_for("bea").post(f"/notifications/{notice.public_id}/open/").status_code == 404
    assert Notification.objects.get().read_at is None


def test_an_earlier_referral_tells_the_hub(world):
    """The check runs suggest_matches; a survivor with the same identity as an earlier one is suggested."""
    earlier = world.referrals["triage"].survivor.identity
    later = f.ReferralFactory(
        survivor__given_name=earlier.given_name,
        survivor__family_name=earlier.family_name,
        survivor__phone=earlier.phone,
        survivor__email=earlier.email,
        status="received",
    )
    events.earlier_referral_check(later.pk)
    texts = _texts(world.users["hana"])
    assert texts == [f"Referral {later.reference} may be a repeat: a possible earlier referral awaits a decision."]
    assert not _texts(world.users["pete"])  # a police user given the hub role is never told

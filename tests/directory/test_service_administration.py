"""Administrators add and change services; a service's managers change its capacity and whether it takes referrals.
Every change is audited with old and new values, and routing sees it on the very next referral."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from carehub.audit.models import AuditEvent
from carehub.directory import services
from carehub.directory.models import Service
from carehub.referrals.selectors import routing_for


@pytest.fixture(autouse=True)
def _routing_remembers_for_a_day(settings):
    """Only the change itself may make routing read the directory again, never the snapshot's age running out."""
    settings.ROUTING_DIRECTORY_MAX_AGE = 86_400


def service_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="service").order_by("seq"))


NEW_SERVICE = {
    "name": "Southside Outreach",
    "service_type": "outreach",
    "description": "Weekly drop-in.",
    "specialisms": ["stalking", "coercive_control"],
    "languages": ["en", "pa"],
    "covers_all_london": "no",
    "boroughs": ["E09000022"],
    "min_age": "16",
    "max_age": "",
    "accepts_women": "yes",
    "accepts_men": "no",
    "accepts_nrpf": "yes",
    "capacity": "12",
    "current_wait_days": "5",
    "accepting_referrals": "yes",
    "marac_linked": "no",
    "address": "",
}


def known_names(referral) -> list[str]:
    """Every service routing weighed for the referral, offered or not."""
    ranked, excluded = routing_for(referral)
    return [entry.service.name for entry in [*ranked, *excluded]]


def ranked_names(referral) -> list[str]:
    ranked, _ = routing_for(referral)
    return [entry.service.name for entry in ranked]


def test_an_administrator_adds_a_service_and_routing_offers_it_at_once(world, client_for):
    referral = world.referrals["triage"]
    assert "Southside Outreach" not in known_names(referral)  # and routing now remembers the directory
    response = client_for("adam").post(
        reverse("service_administration:create"), {**NEW_SERVICE, "organisation": world.orgs["sistah"].pk}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    service = Service.objects.get(name="Southside Outreach")
    assert service.organisation == world.orgs["sistah"] and service.boroughs == ["E09000022"]
    assert service.specialisms == ["coercive_control", "stalking"] and not service.accepts_men
    assert "Southside Outreach" in known_names(referral)
    (created,) = service_events()
    assert created.action == "create" and created.actor_username == "adam"
    assert created.changes["capacity"] == [None, 12]
    assert created.changes["organisation"] == [None, "kestrel-rise"]


def test_an_administrator_changes_a_service_with_old_and_new_values_audited(world, client_for):
    service = world.services["refuge"]
    form = {**NEW_SERVICE, "name": service.name, "service_type": "refuge", "address": "2 Other Street, London"}
    response = client_for("adam").post(reverse("service_administration:edit", kwargs={"pk": service.pk}), form)
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.capacity == 12 and service.address == "2 Other Street, London"
    (changed,) = service_events()
    assert changed.changes["capacity"][1] == 12
    assert changed.changes["boroughs"][1] == ["E09000022"]
    # A refuge's address is confidential: the trail says it changed, never where to or from.
    assert changed.changes["address"] == ["(changed)", "(changed)"]
    assert "Other Street" not in str(changed.changes) and "Hidden Street" not in str(changed.changes)


def test_an_administrator_records_and_clears_a_services_caseworker_fte_audited(world, client_for):
    """The service form carries the caseworkers as full-time equivalents, as the manager's capacity form does:
    saved, audited as entered ("3.5"), shown again when the form is opened, and emptied it is "not recorded"."""
    service = world.services["refuge"]
    url = reverse("service_administration:edit", kwargs={"pk": service.pk})
    form = {**NEW_SERVICE, "name": service.name, "service_type": "refuge", "capacity": str(service.capacity)}
    adam = client_for("adam")
    assert adam.post(url, {**form, "caseworker_fte": "3.5"}).status_code == 302
    assert Service.objects.get(pk=service.pk).caseworker_fte == Decimal("3.5")
    changed = service_events()[-1]
    assert changed.actor_username == "adam" and changed.changes["caseworker_fte"] == [None, "3.5"]
    assert 'value="3.5"' in adam.get(url).content.decode()
    assert adam.post(url, {**form, "caseworker_fte": ""}).status_code == 302
    assert Service.objects.get(pk=service.pk).caseworker_fte is None
    assert service_events()[-1].changes == {"caseworker_fte": ["3.5", None]}


@pytest.mark.parametrize(
    ("entered", "message"),
    [
        ("-1", "The number of caseworkers cannot be less than 0."),
        ("2.55", "Enter the number of caseworkers to one decimal place at most, like 2.5."),
    ],
)
def test_the_service_form_refuses_an_fte_as_the_capacity_form_does(world, client_for, entered, message):
    form = {**NEW_SERVICE, "organisation": world.orgs["sistah"].pk, "caseworker_fte": entered}
    response = client_for("adam").post(reverse("service_administration:create"), form)
    assert response.status_code == 400 and message in response.content.decode().replace("&#x27;", "'")
    assert not Service.objects.filter(name="Southside Outreach").exists() and service_events() == []


def test_a_form_that_names_no_borough_for_a_local_service_is_refused(world, client_for):
    form = {**NEW_SERVICE, "organisation": world.orgs["sistah"].pk, "boroughs": []}
    response = client_for("adam").post(reverse("service_administration:create"), form)
    assert response.status_code == 400
    assert "Select the boroughs" in response.content.decode()
    assert not Service.objects.filter(name="Southside Outreach").exists()


def test_a_manager_stops_referrals_from_her_home_page_and_the_next_routing_sees_it(world, client_for):
    amara, service = client_for("amara"), world.services["solace"]
    referral = world.referrals["triage"]
    assert service.name in ranked_names(referral)
    home = amara.get(reverse("home")).content.decode()
    capacity_url = reverse("directory:capacity", kwargs={"pk": service.pk})
    assert capacity_url in home and f"{service.name}: capacity {service.capacity}, taking referrals" in home
    response = amara.post(capacity_url, {"capacity": "3", "accepting_referrals": "no"})
    assert response.status_code == 302 and response.url == reverse("home")
    assert service.name not in ranked_names(referral)
    _, excluded = routing_for(referral)
    reasons = {entry.service.name: entry.reasons for entry in excluded}
    assert "not accepting referrals now" in reasons[service.name]
    (changed,) = service_events()
    assert changed.actor_username == "amara"
    assert changed.changes == {"capacity": [service.capacity, 3], "accepting_referrals": [True, False]}


def test_capacity_reaches_routing_on_the_next_referral(world, client_for):
    service, referral = world.services["solace"], world.referrals["triage"]
    before = {entry.service.name: entry.service.capacity for entry in routing_for(referral)[0]}
    assert before[service.name] == service.capacity
    client_for("amara").post(
        reverse("directory:capacity", kwargs={"pk": service.pk}), {"capacity": "40", "accepting_referrals": "yes"}
    )
    after = {entry.service.name: entry.service.capacity for entry in routing_for(referral)[0]}
    assert after[service.name] == 40


def test_a_manager_records_her_caseworkers_as_full_time_equivalents_audited(world, client_for):
    """Saved on the capacity form beside the caseload cap, audited as text ("2.5"); emptied, it is "not recorded"."""
    from decimal import Decimal

    amara, service = client_for("amara"), world.services["solace"]
    url = reverse("directory:capacity", kwargs={"pk": service.pk})
    assert "Caseworkers (full-time equivalent)" in amara.get(url).content.decode()
    response = amara.post(
        url, {"capacity": str(service.capacity), "caseworker_fte": "2.5", "accepting_referrals": "yes"}
    )
    assert response.status_code == 302
    assert Service.objects.get(pk=service.pk).caseworker_fte == Decimal("2.5")
    (changed,) = service_events()
    assert changed.actor_username == "amara" and changed.changes == {"caseworker_fte": [None, "2.5"]}
    amara.post(url, {"capacity": str(service.capacity), "caseworker_fte": "2.50", "accepting_referrals": "yes"})
    assert len(service_events()) == 1  # refused: two decimal places (see below), so no second event
    amara.post(url, {"capacity": str(service.capacity), "caseworker_fte": "", "accepting_referrals": "yes"})
    assert Service.objects.get(pk=service.pk).caseworker_fte is None
    assert service_events()[-1].changes == {"caseworker_fte": ["2.5", None]}


@pytest.mark.parametrize(
    ("entered", "message"),
    [
        ("-1", "The number of caseworkers cannot be less than 0."),
        ("two", "Enter the number of caseworkers as a number, like 2.5."),
        ("501", "The number of caseworkers must be 500 or fewer."),
        ("2.55", "Enter the number of caseworkers to one decimal place at most, like 2.5."),
    ],
)
def test_a_caseworker_fte_that_is_not_a_sensible_number_is_refused_and_nothing_saved(
    world, client_for, entered, message
):
    service = world.services["solace"]
    response = client_for("amara").post(
        reverse("directory:capacity", kwargs={"pk": service.pk}),
        {"capacity": "3", "caseworker_fte": entered, "accepting_referrals": "no"},
    )
    assert response.status_code == 400 and message in response.content.decode().replace("&#x27;", "'")
    saved = Service.objects.get(pk=service.pk)
    assert (saved.caseworker_fte, saved.capacity, saved.accepting_referrals) == (None, service.capacity, True)
    assert service_events() == []


def test_the_service_refuses_a_negative_fte_itself_and_keeps_it_when_not_given(world):
    """The model's own check, for any caller that skips the form; a caller that does not name the FTE keeps it."""
    from decimal import Decimal

    from django.core.exceptions import ValidationError

    service, amara = world.services["solace"], world.users["amara"]
    with pytest.raises(ValidationError, match="cannot be less than 0"):
        services.service_capacity_update(
            actor=amara, service=service, capacity=1, accepting_referrals=True, caseworker_fte=Decimal("-0.5")
        )
    assert service_events() == [] and Service.objects.get(pk=service.pk).caseworker_fte is None
    service = Service.objects.get(pk=service.pk)
    services.service_capacity_update(
        actor=amara, service=service, capacity=1, accepting_referrals=True, caseworker_fte=Decimal("3")
    )
    services.service_capacity_update(actor=amara, service=service, capacity=2, accepting_referrals=True)
    assert Service.objects.get(pk=service.pk).caseworker_fte == Decimal("3.0")


def test_saving_unchanged_values_records_nothing(world):
    service = world.services["solace"]
    changes = services.service_capacity_update(
        actor=world.users["amara"],
        service=service,
        capacity=service.capacity,
        accepting_referrals=service.accepting_referrals,
    )
    assert changes == {} and service_events() == []


@pytest.mark.parametrize(
    ("persona", "service"),
    [
        ("amara", "sistah"),
        ("bea", "solace"),
        ("alice", "solace"),
        ("hana", "solace"),
        ("adam", "solace"),
        ("ivan", "solace"),
        ("percy", "solace"),
        ("cora", "solace"),
    ],
)
def test_nobody_changes_a_service_they_do_not_manage(world, client_for, persona, service):
    target = world.services[service]
    url = reverse("directory:capacity", kwargs={"pk": target.pk})
    client = client_for(persona)
    assert client.get(url).status_code == 404
    assert client.post(url, {"capacity": "0", "accepting_referrals": "no"}).status_code == 404
    target.refresh_from_db()
    assert target.accepting_referrals and service_events() == []


@pytest.mark.parametrize("persona", ["amara", "hana", "cora", "otto", "percy"])
def test_only_administrators_add_or_change_services(world, client_for, persona):
    client = client_for(persona)
    service = world.services["solace"]
    assert client.get(reverse("service_administration:services")).status_code == 404
    form = {**NEW_SERVICE, "organisation": world.orgs["sistah"].pk}
    create = client.post(reverse("service_administration:create"), form)
    edit = client.post(reverse("service_administration:edit", kwargs={"pk": service.pk}), {**NEW_SERVICE})
    assert create.status_code == edit.status_code == 404
    assert not Service.objects.filter(name="Southside Outreach").exists() and service_events() == []


def test_an_administrator_never_sees_a_refuge_address_and_an_empty_answer_keeps_it(world, client_for):
    service = world.services["refuge"]
    url = reverse("service_administration:edit", kwargs={"pk": service.pk})
    page = client_for("adam").get(url).content.decode()
    assert service.address not in page and "Leave this empty to keep it" in page
    form = {**NEW_SERVICE, "name": service.name, "service_type": "refuge", "address": ""}
    assert client_for("adam").post(url, form).status_code == 302
    service.refresh_from_db()
    assert service.address == "1 Hidden Street, London"
    assert "address" not in service_events()[-1].changes

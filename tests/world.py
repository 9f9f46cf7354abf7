"""A small London: the named personas of the access rules, and one record each that only some of them may see.

Each survivor's family name is a unique marker, so a test can search any response for a name that must not be there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from carehub.accounts.models import Organisation, Role, User
from carehub.core.choices import Community, ServiceType
from carehub.referrals.models import Channel, PolicePerpetrator, Status
from tests import factories as f


@dataclass
class World:
    orgs: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    services: dict = field(default_factory=dict)
    referrals: dict = field(default_factory=dict)
    cases: dict = field(default_factory=dict)
    offers: list = field(default_factory=list)
    maracs: dict = field(default_factory=dict)

    def marker(self, record_name: str) -> str:
        return self.referrals[record_name].survivor.identity.family_name


# persona -> (organisation key, role)
PERSONAS: dict[str, tuple[str, str]] = {
    "hana": ("hub", Role.HUB_WORKER),
    "alice": ("solace", Role.CASEWORKER),
    "amir": ("solace", Role.CASEWORKER),
    "amara": ("solace", Role.SERVICE_MANAGER),
    "bola": ("sistah", Role.CASEWORKER),
    "bea": ("sistah", Role.SERVICE_MANAGER),
    "percy": ("met", Role.REFERRER),
    "pete": ("met", Role.HUB_WORKER),  # a police user given a content role by mistake: must still see nothing
    "gina": ("nhs", Role.REFERRER),
    "ines": ("ias", Role.INDEPENDENT_ADVISER),
    "ivan": ("ias", Role.SERVICE_MANAGER),
    "cora": ("mopac", Role.COMMISSIONER),
    "otto": ("hub", Role.AUDITOR),
    "oona": ("ias", Role.AUDITOR),
    "adam": ("hub", Role.ADMINISTRATOR),
    # The hub manager (a service manager of the hub organisation, accounts.policy): she answers the hub's subject
    # access and erasure requests and places its legal holds; she opens no referral or case page (policy gives a
    # hub's service manager no content scope: that is the hub workers' work).
    "hilda": ("hub", Role.SERVICE_MANAGER),
}

ORGANISATIONS = {
    "hub": ("london-victim-care-hub", "London Victim Care Hub", Organisation.Kind.HUB, []),
    "solace": ("quaymarsh-womens-service", "Quaymarsh Women's Service", Organisation.Kind.SPECIALIST, []),
    "sistah": (
        "kestrel-rise",
        "Kestrel Rise",
        Organisation.Kind.BY_AND_FOR,
        [Community.BLACK_MINORITISED],
    ),
    "met": ("metropolitan-police", "Metropolitan Police Service", Organisation.Kind.POLICE, []),
    "nhs": ("eastfield-general-hospital", "Eastfield General Hospital", Organisation.Kind.HEALTH, []),
    "ias": (
        "independent-advisory",
        "Independent Advisory Service",
        Organisation.Kind.INDEPENDENT_ADVISORY,
        [],
    ),
    "mopac": ("mopac", "Mayor's Office for Policing and Crime", Organisation.Kind.COMMISSIONER, []),
}


def build_world() -> World:
    world = World()
    for key, (slug, name, kind, communities) in ORGANISATIONS.items():
        world.orgs[key] = f.OrganisationFactory(slug=slug, name=name, kind=kind, led_by_and_for=communities)
    for username, (org_key, role) in PERSONAS.items():
        user = f.UserFactory(username=username)
        f.MembershipFactory(user=user, organisation=world.orgs[org_key], role=role)
        world.users[username] = user

    world.services["solace"] = f.ServiceFactory(organisation=world.orgs["solace"], name="Quaymarsh IDVA")
    world.services["refuge"] = f.ServiceFactory(
        organisation=world.orgs["solace"],
        name="Quaymarsh Refuge",
        service_type=ServiceType.REFUGE,
        address="1 Hidden Street, London",
    )
    world.services["sistah"] = f.ServiceFactory(organisation=world.orgs["sistah"], name="Kestrel Rise Advocacy")
    world.services["ias"] = f.ServiceFactory(
        organisation=world.orgs["ias"],
        name="Independent Advisory",
        service_type=ServiceType.INDEPENDENT_ADVISORY,
    )
    f.ContractFactory(service=world.services["solace"])

    # A referral in triage, sent by the police.
    world.referrals["triage"] = f.ReferralFactory(
        survivor__family_name="Triagemarker",
        referring_organisation=world.orgs["met"],
        status=Status.IN_TRIAGE,
        survivor__immigration_status="asylum_seeker",
    )
    # Accepted by Quaymarsh and allocated to alice.
    world.referrals["solace"] = f.ReferralFactory(
        survivor__family_name="Solacemarker",
        referring_organisation=world.orgs["nhs"],
        status=Status.ACCEPTED,
        routed_service=world.services["solace"],
    )
    world.cases["solace"] = f.CaseFactory(
        referral=world.referrals["solace"], service=world.services["solace"], caseworker=world.users["alice"]
    )
    # Accepted by the by-and-for service and allocated to bola.
    world.referrals["sistah"] = f.ReferralFactory(
        survivor__family_name="Kestrelmarker",
        channel=Channel.SELF,
        status=Status.ACCEPTED,
        routed_service=world.services["sistah"],
    )
    world.cases["sistah"] = f.CaseFactory(
        referral=world.referrals["sistah"], service=world.services["sistah"], caseworker=world.users["bola"]
    )
    # Abuse by a serving officer: sealed, routed to the independent advisory service, allocated to ines.
    world.referrals["sealed"] = f.ReferralFactory(
        survivor__family_name="Sealedmarker",
        referring_organisation=world.orgs["met"],
        status=Status.ACCEPTED,
        sealed=True,
        perpetrator_police=PolicePerpetrator.SERVING,
        routed_service=world.services["ias"],
    )
    world.cases["sealed"] = f.CaseFactory(
        referral=world.referrals["sealed"], service=world.services["ias"], caseworker=world.users["ines"]
    )
    # MARAC referrals of the triage referral (the hub's list) and of the sealed one (the independent service's own).
    for key in ("triage", "sealed"):
        world.maracs[key] = f.MaracReferralFactory(referral=world.referrals[key])
    # A pending offer of the triage referral would change its scope; offers are made in the workflow tests instead.
    return world


# Who may open each record's content, written out by hand from ARCHITECTURE.md rather than derived from policy.py,
# so a mistake in the policy cannot hide itself in the expectation.
MAY_SEE_CONTENT: dict[str, set[str]] = {
    "triage": {"hana"},
    "solace": {"hana", "alice", "amara"},
    "sistah": {"hana", "bola", "bea"},
    "sealed": {"ines", "ivan"},
}

# Who may open each MARAC referral: the hub and the IDVA services covering her borough (both world services are IDVA
# services covering all London), never police; a sealed one only the independent service.
MAY_OPEN_MARAC: dict[str, set[str]] = {
    "triage": {"hana", "alice", "amir", "amara", "bola", "bea"},
    "sealed": {"ines", "ivan"},
}

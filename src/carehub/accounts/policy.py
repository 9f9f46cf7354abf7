"""THE access policy: the one place that decides who may see or do what.

Deny by default. Every queryset a user can reach starts from a selector here, and each selector starts from
`none()` and widens only for a membership that is entitled to more. Rules that hold whatever else is true:
- no role sees everything, and a membership never widens access to another organisation's cases;
- sealed-pathway records (abuse by police officers or staff) are seen by the independent advisory service alone;
- a user of a police organisation never sees a sealed record, an immigration status or any case content;
- commissioners see aggregates only, auditors the audit trail only, administrators configuration only;
- a record outside a user's scope answers 404, exactly as a record that does not exist (a 403 would confirm it);
- her rights (subject access, erasure on request) are answered by the managers of the organisation holding her
  records, and for a survivor with any sealed record by the independent service alone.

Views, API routes, exports and commands declare their rule with `@route(...)`; a test walks every URL pattern and
fails on any view without one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from carehub.accounts.models import ApiKey, BreakGlassGrant, Membership, Organisation, Role, User
from carehub.audit import services as audit
from carehub.audit.models import Action, AuditEvent, EventType, SealedAuditEvent
from carehub.cases.models import Case
from carehub.coproduction.models import Commitment, Consultation, Point, Response
from carehub.core import public_ids
from carehub.core.choices import ServiceType
from carehub.directory.models import Service
from carehub.marac.models import MaracReferral
from carehub.people.models import Survivor
from carehub.referrals.models import Offer, OfferStatus, Referral, Status
from carehub.retention.models import LegalHold
from carehub.rights.models import ErasureRequest, SubjectAccessRequest

# Roles whose work needs person-level content (names, contact details, case notes).
CONTENT_ROLES = frozenset({Role.HUB_WORKER, Role.CASEWORKER, Role.SERVICE_MANAGER, Role.INDEPENDENT_ADVISER})


# --- who is asking -----------------------------------------------------------------------------------------------


def memberships(user) -> list[Membership]:
    """The user's active memberships, fetched once per request.

    A role awaiting the independent service's confirmation is inactive, and is left out by name as well: whatever
    else changes, a pending role grants nothing until a manager there confirms it (accounts.services, four eyes).
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_carehub_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, is_active=True, awaiting_confirmation=False)
            .select_related("organisation")
            .order_by("pk")
        )
        user._carehub_memberships = cached
    return cached


def roles_of(user) -> set[str]:
    return {m.role for m in memberships(user)}


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def is_police_user(user) -> bool:
    """True if any membership is in a police force: the strictest rules then apply to everything the user does."""
    return any(m.organisation.is_police for m in memberships(user))


def _memberships_with(user, role: str) -> Iterable[Membership]:
    return (m for m in memberships(user) if m.role == role)


# --- what they may see -------------------------------------------------------------------------------------------


def referrals_visible_to(user) -> QuerySet[Referral]:
    """Referrals whose content (survivor, risk, needs) the user may see.

    Case-based scopes are subqueries rather than joins, so the result needs no DISTINCT and the triage queue can
    read the first page of a million referrals from an index.
    """
    if is_police_user(user):
        return Referral.objects.none()
    scope = Q(pk__in=[])
    for m in memberships(user):
        org = m.organisation
        if m.role == Role.HUB_WORKER and org.kind == Organisation.Kind.HUB:
            clause = Q(sealed=False)
        elif m.role == Role.SERVICE_MANAGER and org.provides_services:
            clause = Q(routed_service__organisation=org) | Q(
                pk__in=Case.objects.filter(service__organisation=org).values("referral_id")
            )
        elif m.role == Role.CASEWORKER and org.provides_services:
            clause = Q(pk__in=Case.objects.filter(service__organisation=org, caseworker=user).values("referral_id"))
        elif m.role == Role.INDEPENDENT_ADVISER and org.is_independent_advisory:
            # Unrouted sealed referrals (no advisory service configured yet) must still reach an adviser.
            clause = Q(sealed=True) & (Q(routed_service__organisation=org) | Q(routed_service__isnull=True))
        else:
            continue
        scope |= clause if _opens_sealed(m) else clause & Q(sealed=False)
    granted = _break_glass_referral_ids(user)
    if granted:
        scope |= Q(pk__in=granted, sealed=False)
    return Referral.objects.filter(scope)


def referrals_sent_by(user) -> QuerySet[Referral]:
    """Referrals the user's organisations sent, for status only. Sealed ones are left out of every list."""
    orgs = [m.organisation_id for m in _memberships_with(user, Role.REFERRER)]
    if not orgs:
        return Referral.objects.none()
    return Referral.objects.filter(referring_organisation_id__in=orgs, sealed=False)


def referral_status_for_sender(organisation: Organisation, reference: str) -> tuple[str, str]:
    """The status (code, label) a referring organisation may know of a referral it sent; 404 for any other.

    A sealed referral answers "received" and nothing more, so a force never learns where it went or how it is going.
    """
    referral = Referral.objects.filter(reference=reference, referring_organisation=organisation).first()
    return referral_status_for_sender_of(organisation, referral)


def referral_status_for_sender_of(organisation: Organisation, referral: Referral | None) -> tuple[str, str]:
    """As referral_status_for_sender, for a referral already in hand (the one a request has just created)."""
    if referral is None or referral.referring_organisation_id != organisation.pk:
        raise Http404
    if referral.sealed:
        return Status.RECEIVED.value, Status.RECEIVED.label
    return referral.status, referral.get_status_display()


def independent_service_name_for_sender(user, referral: Referral) -> str:
    """The independent service a sealed referral went to, for the confirmation its sender sees: never for police.

    A force must not learn which organisation holds a complaint against its own officer; other senders may, so they
    know whom the survivor will hear from.
    """
    if not referral.sealed or is_police_user(user) or referral.routed_service_id is None:
        return ""
    return referral.routed_service.organisation.name


def cases_visible_to(user) -> QuerySet[Case]:
    if is_police_user(user):
        return Case.objects.none()
    scope = Q(pk__in=[])
    for m in memberships(user):
        org = m.organisation
        if not org.provides_services:
            continue
        if m.role == Role.SERVICE_MANAGER:
            clause = Q(service__organisation=org)
        elif m.role == Role.CASEWORKER:
            clause = Q(service__organisation=org, caseworker=user)
        elif m.role == Role.INDEPENDENT_ADVISER and org.is_independent_advisory:
            clause = Q(service__organisation=org)
        else:
            continue
        scope |= clause if _opens_sealed(m) else clause & Q(sealed=False)
    granted = _break_glass_referral_ids(user)
    if granted:
        scope |= Q(referral_id__in=granted, sealed=False)
    return Case.objects.filter(scope)


def case_outlines_visible_to(user) -> QuerySet[Case]:
    """Cases whose outline (service, dates, status, closure reason; never their content) the user may see in a
    survivor's history of referrals.

    The cases the user may open, and for hub workers the cases of every referral they may see (never sealed ones):
    whether a referral is a repeat, and what to offer her now, depends on when and how her earlier support ended.
    """
    if is_police_user(user):
        return Case.objects.none()
    scope = Q(pk__in=cases_visible_to(user).values("pk"))
    if can_decide_repeats(user):
        scope |= Q(referral_id__in=referrals_visible_to(user).values("pk"), sealed=False)
    return Case.objects.filter(scope)


def can_decide_repeats(user) -> bool:
    """Suggestions of earlier referrals, and deciding whether they are the same woman: the hub's work alone.

    Police users never, whatever role they were given; sealed referrals are never matched at all (repeats.services).
    """
    if is_police_user(user):
        return False
    return any(m.role == Role.HUB_WORKER and m.organisation.kind == Organisation.Kind.HUB for m in memberships(user))


def survivors_visible_to(user) -> QuerySet[Survivor]:
    """A survivor is visible through a referral or case the user may see, never on her own."""
    referral_ids = referrals_visible_to(user).values("survivor_id")
    case_ids = cases_visible_to(user).values("survivor_id")
    return Survivor.objects.filter(Q(pk__in=referral_ids) | Q(pk__in=case_ids))


BREAK_GLASS_DURATION = dt.timedelta(hours=1)


def _break_glass_referral_ids(user) -> list[int]:
    """Referrals an administrator has opened by break-glass in the last hour: the only way an administrator (or
    anyone outside the independent advisory service) ever reaches case content.

    Never a sealed referral, whatever grant exists: break_glass_open refuses them, and this holds even for a grant
    written some other way (an older release, a hand-made row), so no grant can widen the policy to the sealed pathway.
    """
    if is_police_user(user) or not has_role(user, Role.ADMINISTRATOR):
        return []
    return list(
        BreakGlassGrant.objects.filter(user=user, expires_at__gt=timezone.now(), referral__sealed=False).values_list(
            "referral_id", flat=True
        )
    )


def break_glass_active(user, referral: Referral) -> bool:
    return referral.pk in _break_glass_referral_ids(user)


def _opens_sealed(membership) -> bool:
    """Whether this one membership reaches sealed records: an adviser's or manager's in the independent service.

    Decided per membership, never per user: a manager of the independent service who also manages a specialist
    service must not see, through the specialist one, a sealed record that was wrongly routed there.
    """
    return membership.organisation.is_independent_advisory and membership.role in {
        Role.INDEPENDENT_ADVISER,
        Role.SERVICE_MANAGER,
    }


def _sees_sealed(user) -> bool:
    """Only independent advisers, and managers of the independent advisory service, ever see sealed records."""
    if is_police_user(user):
        return False
    return any(_opens_sealed(m) for m in memberships(user))


def offers_visible_to(user) -> QuerySet[Offer]:
    """Offers to the services of organisations the user manages: the service's inbox."""
    if is_police_user(user):
        return Offer.objects.none()
    managed = [m for m in _memberships_with(user, Role.SERVICE_MANAGER) if m.organisation.provides_services]
    if not managed:
        return Offer.objects.none()
    scope = Q(pk__in=[])
    for m in managed:
        clause = Q(service__organisation_id=m.organisation_id)
        scope |= clause if _opens_sealed(m) else clause & Q(referral__sealed=False)
    return Offer.objects.filter(scope)


def get_offer_for_user(user, public_id: str) -> Offer:
    """The offer by its public identifier (never its key: see core.public_ids), or 404."""
    offers = offers_visible_to(user).select_related("referral", "service", "referral__survivor")
    offer = offers.filter(public_id=public_ids.parse(public_id)).first()
    if offer is None:
        raise Http404
    audit.record_for(user, Action.VIEW, offer.referral, event=EventType.REFERRAL_VIEWED)
    return offer


@dataclass(frozen=True)
class PersonView:
    """What of her one page may show one user, decided here for every page that shows a referral.

    A service deciding on an offer sees what it needs to decide (needs, risk, borough, language, by-and-for wish,
    NRPF) and nothing that identifies her: her name, contact details and safe-contact instructions, her sexual
    orientation and the rest of her equality answers, her immigration status, her own account of her situation.
    Once it has accepted (a case of its own exists), it sees all of it.
    """

    decision: bool = False  # needs, risk level, borough, language, by-and-for wish, NRPF
    identity: bool = False  # name, date of birth, postcode, phone, email, safe contact
    situation: bool = False  # abuse types, who is hurting her, children, her fears, the DASH answers
    equality: bool = False  # equality monitoring answers (sexual orientation among them)
    immigration: bool = False


DECIDING = PersonView(decision=True)
NOTHING = PersonView()


def _full_view(user) -> PersonView:
    return PersonView(
        decision=True, identity=True, situation=True, equality=True, immigration=can_see_immigration_status(user)
    )


def person_view_for(user, referral: Referral) -> PersonView:
    """What of the woman behind a referral (already fetched through this policy) the user may see.

    Hub workers (unsealed), the independent service (sealed), a service with a case of its own for her, and an
    administrator by break-glass see all; a service manager whose only link is an offer routed to it sees the
    decision facts alone; anyone else nothing.
    """
    if is_police_user(user):
        return NOTHING
    hub = any(m.role == Role.HUB_WORKER and m.organisation.kind == Organisation.Kind.HUB for m in memberships(user))
    sees_all = (hub and not referral.sealed) or (referral.sealed and _sees_sealed(user))
    # What this request has already established through this policy (get_referral_for_user, get_case_for_user) is
    # not asked of the database again; anything else is, in one query.
    fetched = _read_by(referral, _READ_BY, user)
    own_case = _read_by(referral, _CASE_READ_BY, user)
    if sees_all or own_case:
        visible = fetched or referrals_visible_to(user).filter(pk=referral.pk).exists()
        return _full_view(user) if visible else NOTHING
    found = (
        referrals_visible_to(user)
        .filter(pk=referral.pk)
        .annotate(own_case=Exists(cases_visible_to(user).filter(referral_id=OuterRef("pk"))))
        .values_list("own_case", flat=True)
        .first()
    )
    if found is None:
        return NOTHING
    if found or break_glass_active(user, referral):
        return _full_view(user)
    return DECIDING


# Marks a record fetched through this policy carries for the rest of the request: the user (by key) it was fetched
# for. Set only here; person_view_for trusts them instead of asking the database what it has just answered.
_READ_BY = "_policy_read_by"  # on a referral fetched through referrals_visible_to
_CASE_READ_BY = "_policy_case_read_by"  # on a case's referral: the case was fetched through cases_visible_to


def _read_by(record, mark: str, user) -> bool:
    return user.pk is not None and record.__dict__.get(mark) == user.pk


def offer_view_for(user, offer: Offer) -> PersonView:
    """An offer's page: the decision facts while it waits for an answer; all of her once this offer is accepted."""
    if offer.status != OfferStatus.ACCEPTED:
        return DECIDING if offers_visible_to(user).filter(pk=offer.pk).exists() else NOTHING
    return person_view_for(user, offer.referral)


def names_her_on_case_lists(user, case: Case) -> bool:
    """Whether a list of cases (already read through `cases_visible_to`) shows her name rather than her initials and
    year of birth: only to the worker who holds her case and works with her by name. A manager's view of a
    caseworker's load, the open-cases list and the waiting list show the short label, as the search results do;
    the name is one click away, on the case page, whose read is audited on its own."""
    return case.caseworker_id is not None and case.caseworker_id == user.pk and not is_police_user(user)


@dataclass(frozen=True)
class SafeContactView:
    """How it is safe to reach her, as she told us, in the words a worker about to pick up the phone needs."""

    safe_methods: tuple[str, ...]
    unsafe_methods: tuple[str, ...]
    phone: str
    email: str
    safe_times: str
    safe_word: str
    message_ok: bool
    others_who_may_answer: str
    notes: str

    @property
    def unsafe_codes(self) -> frozenset[str]:
        return frozenset(code for code, label in SAFE_CONTACT_METHODS if label in self.unsafe_methods)


# Her safe-contact answers (sealed payload key, label). "Voicemail" doubles as "safe to leave a message".
SAFE_CONTACT_METHODS = (
    ("phone", "Phone call"),
    ("text", "Text message"),
    ("email", "Email"),
    ("voicemail", "Voicemail"),
)


def safe_contact_for(user, referral: Referral, view: PersonView) -> SafeContactView | None:
    """Her safe-contact instructions, unsealed for a user whose view includes her identity, the read audited.

    None when the view does not reach her identity, when nothing was recorded, or when her identity was erased.
    """
    if not view.identity or not referral.contact_sealed:
        return None
    payload = referral.survivor.unseal(referral.contact_sealed)
    if payload is None:
        return None
    audit.record_for(
        user, Action.VIEW, referral, reason="safe contact instructions", event=EventType.SAFE_CONTACT_VIEWED
    )
    contact = payload.get("safe_contact", {})
    identity = referral.survivor.identity
    ok = {code: bool(contact.get(f"{code}_ok")) for code, _ in SAFE_CONTACT_METHODS}
    return SafeContactView(
        safe_methods=tuple(label for code, label in SAFE_CONTACT_METHODS if ok[code]),
        unsafe_methods=tuple(label for code, label in SAFE_CONTACT_METHODS if not ok[code]),
        phone=identity.phone if identity else "",
        email=identity.email if identity else "",
        safe_times=contact.get("safe_times", ""),
        safe_word=contact.get("safe_word", ""),
        message_ok=ok["voicemail"],
        others_who_may_answer=contact.get("others_who_may_answer", ""),
        notes=contact.get("notes", ""),
    )


def can_see_immigration_status(user) -> bool:
    """Police users never; otherwise only roles that work with the survivor."""
    return not is_police_user(user) and bool(roles_of(user) & CONTENT_ROLES)


def can_search_people(user) -> bool:
    """The search box for finding a survivor: roles that work with survivors, never police. What it finds is still
    only what referrals_visible_to and cases_visible_to give the user."""
    return not is_police_user(user) and bool(roles_of(user) & CONTENT_ROLES)


def can_record_immigration_status(user) -> bool:
    """Police users are not even asked: a force holding a victim's status is what "Safe to share?" warns against."""
    return not is_police_user(user)


def services_visible_to(user) -> QuerySet[Service]:
    """The directory is for every signed-in user; addresses are governed separately."""
    if not memberships(user):
        return Service.objects.none()
    return Service.objects.select_related("organisation")


def service_address_visible(user, service: Service) -> bool:
    """A refuge's address is shown to its own organisation only; other services' addresses to every member."""
    if not memberships(user):
        return False
    if not service.is_refuge:
        return True
    return any(m.organisation_id == service.organisation_id for m in memberships(user))


def _auditor_memberships(user) -> list[Membership]:
    if is_police_user(user):
        return []
    return list(_memberships_with(user, Role.AUDITOR))


def can_audit_hub_trail(user) -> bool:
    """An auditor outside the independent service audits the hub's chain."""
    return any(not m.organisation.is_independent_advisory for m in _auditor_memberships(user))


def can_audit_sealed_trail(user) -> bool:
    """Only the independent service's own auditor audits the sealed chain, and nothing else of the hub's."""
    return any(m.organisation.is_independent_advisory for m in _auditor_memberships(user))


def _named_survivors(events: QuerySet) -> QuerySet:
    """Each event with its survivor's public identifier, `survivor_public_id`, the only way pages name her."""
    survivor = Survivor.objects.filter(pk=OuterRef("survivor_id")).values("public_id")[:1]
    return events.annotate(survivor_public_id=Subquery(survivor))


def audit_events_visible_to(user) -> QuerySet[AuditEvent]:
    """The hub's chain, for auditors outside the independent service.

    Nothing in it depends on sealed activity (sealed events have a chain of their own), except the sealed events
    written before that chain existed: they stay in this one, hidden (audit migration 0004).
    """
    if not can_audit_hub_trail(user):
        return AuditEvent.objects.none()
    return _named_survivors(AuditEvent.objects.filter(sealed=False))


def sealed_audit_events_visible_to(user) -> QuerySet[SealedAuditEvent]:
    """The sealed chain, for the independent service's own auditor alone."""
    if not can_audit_sealed_trail(user):
        return SealedAuditEvent.objects.none()
    return _named_survivors(SealedAuditEvent.objects.all())


def audit_events_about_survivor(events: QuerySet, public_id: str) -> QuerySet:
    """The events about the survivor with this public identifier, from events the user may already see.

    An identifier that names no survivor, or one whose events are all in a chain the user may not see, gives no
    events alike: the answer never says whether she exists.
    """
    survivor = Survivor.objects.filter(public_id=public_ids.normalise(public_id)).values("pk")
    return events.filter(survivor_id__in=survivor)


def works_in_independent_service(user) -> bool:
    return _sees_sealed(user)


def can_see_accountability_report(user) -> bool:
    """Aggregates about the sealed pathway: for commissioners and the independent service itself, never police."""
    if is_police_user(user):
        return False
    return sees_aggregates(user) or works_in_independent_service(user)


def can_see_equality_assessments(user) -> bool:
    """Published equality impact assessments: aggregates with small numbers suppressed, for commissioners."""
    return sees_aggregates(user) and not is_police_user(user)


def can_see_duration_analysis(user) -> bool:
    """The published support-duration analysis: aggregates with small groups suppressed, for commissioners."""
    return sees_aggregates(user) and not is_police_user(user)


def can_see_commissioning_evidence(user) -> bool:
    """Published commissioning evidence (demand, waits, unmet need): suppressed aggregates, for commissioners."""
    return sees_aggregates(user) and not is_police_user(user)


def services_with_evidence_for(user) -> QuerySet[Service]:
    """The services whose published demand, waits and waiting list a service manager reads on her home: those she
    manages, never police, and never the independent advisory service's (its referrals are sealed: the published
    evidence leaves them out, and figures for it would say something about them, if only that there are none)."""
    return services_managed_by(user).exclude(organisation__kind=Organisation.Kind.INDEPENDENT_ADVISORY)


def can_see_own_service_evidence(user) -> bool:
    return services_with_evidence_for(user).exists()


def can_administer(user) -> bool:
    return has_role(user, Role.ADMINISTRATOR)


# --- configuration: what administrators manage, and what a service manager may change of her own services ---------
# Configuration only: none of these querysets reaches a referral, a case or a survivor, so the administration pages
# built on them cannot show case content (break-glass stays the one way an administrator reaches it).


def organisations_administered_by(user) -> QuerySet[Organisation]:
    return Organisation.objects.all() if can_administer(user) else Organisation.objects.none()


def users_administered_by(user) -> QuerySet[User]:
    return User.objects.all() if can_administer(user) else User.objects.none()


def may_change_user(actor, target) -> bool:
    """An administrator changes other people's roles, invitations and second factors, never her own: one person
    alone must not be able to give herself a role that reaches case content, nor drop her own second factor."""
    return can_administer(actor) and target is not None and target.pk != actor.pk


def memberships_administered_by(user) -> QuerySet[Membership]:
    return Membership.objects.all() if can_administer(user) else Membership.objects.none()


def _independent_orgs_managed_by(user) -> list[int]:
    """The independent services this user manages, by a confirmed membership; none for a police user."""
    if is_police_user(user):
        return []
    return [
        m.organisation_id
        for m in _memberships_with(user, Role.SERVICE_MANAGER)
        if m.organisation.is_independent_advisory
    ]


def memberships_awaiting_decision_by(user) -> QuerySet[Membership]:
    """Roles in the independent service waiting for this user to confirm or refuse them: pending roles in a service
    she manages, except one she asked for (as an administrator) or would hold herself. Four eyes: the one who gives
    a role that opens sealed records never also confirms it."""
    orgs = _independent_orgs_managed_by(user)
    if not orgs:
        return Membership.objects.none()
    return (
        Membership.objects.filter(organisation_id__in=orgs, awaiting_confirmation=True)
        .exclude(user_id=user.pk)
        .exclude(requested_by_id=user.pk)
    )


def decides_memberships(user) -> bool:
    """Reaches the confirmation page at all: a confirmed manager of an independent service."""
    return bool(_independent_orgs_managed_by(user))


def api_keys_administered_by(user) -> QuerySet[ApiKey]:
    return ApiKey.objects.all() if can_administer(user) else ApiKey.objects.none()


def services_administered_by(user) -> QuerySet[Service]:
    return Service.objects.all() if can_administer(user) else Service.objects.none()


def services_managed_by(user) -> QuerySet[Service]:
    """The services whose capacity and "taking referrals" the user may change: those of organisations she manages.

    Never for police users, whatever role they were given by mistake.
    """
    if is_police_user(user):
        return Service.objects.none()
    managed = _memberships_with(user, Role.SERVICE_MANAGER)
    orgs = [m.organisation_id for m in managed if m.organisation.provides_services]
    return Service.objects.filter(organisation_id__in=orgs) if orgs else Service.objects.none()


def can_manage_a_service(user) -> bool:
    return services_managed_by(user).exists()


def sees_aggregates(user) -> bool:
    return has_role(user, Role.COMMISSIONER)


def can_audit(user) -> bool:
    """Reaches the audit pages at all; which chain is decided by can_audit_hub_trail and can_audit_sealed_trail."""
    return bool(_auditor_memberships(user))


# --- fetching one record: 404 for missing and not-yours alike, and every read audited ---------------------------


def get_referral_for_user(user, reference: str, *, reason: str = "") -> Referral:
    referral = (
        referrals_visible_to(user)
        .select_related("survivor__data_key", "routed_service", "referring_organisation")
        .filter(reference=reference)
        .first()
    )
    if referral is None:
        raise Http404
    referral.__dict__[_READ_BY] = user.pk
    if not reason and break_glass_active(user, referral):
        reason = "break-glass access"
    audit.record_for(user, Action.VIEW, referral, reason=reason, event=EventType.REFERRAL_VIEWED)
    return referral


def get_case_for_user(user, public_id: str, *, reason: str = "") -> Case:
    """The case by its public identifier (never its key: see core.public_ids), or 404."""
    cases = cases_visible_to(user).select_related("survivor__data_key", "service", "referral", "caseworker")
    # Whether the user may also see the case's referral (person_view_for asks), answered with the case itself.
    referral_visible = Exists(referrals_visible_to(user).filter(pk=OuterRef("referral_id")))
    case = cases.filter(public_id=public_ids.parse(public_id)).annotate(_referral_visible=referral_visible).first()
    if case is None:
        raise Http404
    case.referral.__dict__[_CASE_READ_BY] = user.pk
    if case._referral_visible:
        case.referral.__dict__[_READ_BY] = user.pk
    if case.referral.survivor_id == case.survivor_id:
        case.referral.survivor = case.survivor  # one woman, one key: her records are opened without reading it twice
    if not reason and case.referral_id in _break_glass_referral_ids(user):
        reason = "break-glass access"
    audit.record_for(user, Action.VIEW, case, reason=reason, event=EventType.CASE_VIEWED)
    return case


def get_survivor_for_user(user, pk: int, *, reason: str = "") -> Survivor:
    survivor = survivors_visible_to(user).filter(pk=pk).first()
    if survivor is None:
        raise Http404
    audit.record_for(user, Action.VIEW, survivor, reason=reason, event=EventType.SURVIVOR_VIEWED)
    return survivor


# --- her rights: subject access, rectification, erasure on request ----------------------------------------------


def _rights_memberships(user) -> list[Membership]:
    """Memberships through which someone answers for an organisation's records about her: a manager of the hub
    ("hub manager": a service manager of a hub organisation) or of a service provider. Never police, whatever role."""
    if is_police_user(user):
        return []
    return [
        m
        for m in _memberships_with(user, Role.SERVICE_MANAGER)
        if m.organisation.kind == Organisation.Kind.HUB or m.organisation.provides_services
    ]


def can_handle_rights(user) -> bool:
    """Reaches the rights pages at all (subject access and erasure requests). Asks the database nothing."""
    return bool(_rights_memberships(user))


def rights_organisations(user) -> list[Organisation]:
    """The organisations this user answers requests for, in a fixed order."""
    return [m.organisation for m in _rights_memberships(user)]


def _survivors_with_sealed_records() -> QuerySet:
    return Referral.objects.filter(sealed=True).values("survivor_id")


def survivors_for_rights(user, organisation: Organisation) -> QuerySet[Survivor]:
    """The survivors whose records `organisation` holds and this user may answer for on its behalf.

    The hub holds every unsealed referral (it triages them all); a service provider holds the referrals routed to its
    services and the cases they opened. A survivor with any sealed record is the independent service's alone: to
    every other organisation she is not there at all (404, as one who does not exist), so a request can never say
    that she reported a police officer.
    """
    membership = next((m for m in _rights_memberships(user) if m.organisation_id == organisation.pk), None)
    if membership is None:
        return Survivor.objects.none()
    if organisation.kind == Organisation.Kind.HUB:
        held = Q(pk__in=Referral.objects.filter(sealed=False).values("survivor_id"))
    else:
        held = Q(pk__in=Referral.objects.filter(routed_service__organisation=organisation).values("survivor_id")) | Q(
            pk__in=Case.objects.filter(service__organisation=organisation).values("survivor_id")
        )
    survivors = Survivor.objects.filter(held)
    if not _opens_sealed(membership):
        survivors = survivors.exclude(pk__in=_survivors_with_sealed_records())
    return survivors


def get_survivor_for_rights(user, public_id: str, organisation: Organisation) -> Survivor:
    """Her record, for opening a request on `organisation`'s behalf, or 404 (missing and not-yours alike)."""
    survivor = (
        survivors_for_rights(user, organisation)
        .select_related("data_key")
        .filter(public_id=public_ids.parse(public_id) or "")
        .first()
    )
    if survivor is None:
        raise Http404
    audit.record_for(user, Action.VIEW, survivor, reason="her rights", event=EventType.SURVIVOR_VIEWED)
    return survivor


def rights_organisation_for(user, slug: str | None) -> Organisation:
    """The organisation named (by slug) among those the user answers for; the first when none is named; else 404."""
    organisations = rights_organisations(user)
    for organisation in organisations:
        if slug is None or organisation.slug == slug:
            return organisation
    raise Http404


def _requests_scope(user) -> Q:
    scope = Q(pk__in=[])
    for m in _rights_memberships(user):
        clause = Q(organisation_id=m.organisation_id)
        scope |= clause if _opens_sealed(m) else clause & Q(sealed=False)
    return scope


def subject_access_requests_visible_to(user) -> QuerySet[SubjectAccessRequest]:
    """Requests answered by the organisations this user manages; sealed ones only within the independent service."""
    if not can_handle_rights(user):
        return SubjectAccessRequest.objects.none()
    return SubjectAccessRequest.objects.filter(_requests_scope(user))


def _rights_request(user, visible: QuerySet, public_id: str, event: EventType):
    """A request (subject access or erasure) by its public identifier among those `visible`, or 404; the read is
    audited as `event`, because the request's page opens her records."""
    request = (
        visible.select_related("survivor__data_key", "organisation")
        .filter(public_id=public_ids.parse(public_id) or "")
        .first()
    )
    if request is None:
        raise Http404
    audit.record_for(user, Action.VIEW, request, event=event)
    return request


def get_subject_access_request_for_user(user, public_id: str) -> SubjectAccessRequest:
    """The request by its public identifier, or 404; the read is audited (it opens her records)."""
    visible = subject_access_requests_visible_to(user)
    return _rights_request(user, visible, public_id, EventType.SUBJECT_ACCESS_VIEWED)


def erasure_requests_visible_to(user) -> QuerySet[ErasureRequest]:
    """Erasure requests made to the organisations this user manages; sealed ones only within the independent
    service. The same managers decide them: erasing her reaches every copy of her identity, so it is a manager's."""
    if not can_handle_rights(user):
        return ErasureRequest.objects.none()
    return ErasureRequest.objects.filter(_requests_scope(user))


def get_erasure_request_for_user(user, public_id: str) -> ErasureRequest:
    """The erasure request by its public identifier, or 404; the read is audited (it opens her records)."""
    return _rights_request(user, erasure_requests_visible_to(user), public_id, EventType.ERASURE_REQUEST_VIEWED)


def survivors_rectifiable_by(user) -> QuerySet[Survivor]:
    """Whose identity and monitoring answers this user may correct: those whose identity her work shows her.

    The hub's workers (unsealed referrals), the service holding her case (its caseworker and managers), the
    independent service for its sealed ones, and a manager answering for her records. Never police, never a service
    that has only been offered her referral, never by break-glass (a correction is not an emergency read).
    """
    if not can_correct_details(user):
        return Survivor.objects.none()
    scope = Q(pk__in=cases_visible_to(user).filter(pk__in=_content_cases(user)).values("survivor_id"))
    if can_decide_repeats(user):  # a hub worker of a hub organisation
        scope |= Q(pk__in=Referral.objects.filter(sealed=False).values("survivor_id"))
    for m in memberships(user):
        if _opens_sealed(m):
            scope |= Q(pk__in=referrals_visible_to(user).filter(sealed=True).values("survivor_id"))
            break
    for organisation in rights_organisations(user):
        scope |= Q(pk__in=survivors_for_rights(user, organisation).values("pk"))
    return Survivor.objects.filter(scope)


def _content_cases(user) -> QuerySet[Case]:
    """cases_visible_to without break-glass grants: a correction is not an emergency read."""
    scope = Q(pk__in=[])
    for m in memberships(user):
        org = m.organisation
        if not org.provides_services or m.role not in CONTENT_ROLES:
            continue
        clause = (
            Q(service__organisation=org) if m.role != Role.CASEWORKER else Q(service__organisation=org, caseworker=user)
        )
        if m.role == Role.INDEPENDENT_ADVISER and not org.is_independent_advisory:
            continue
        scope |= clause if _opens_sealed(m) else clause & Q(sealed=False)
    return Case.objects.filter(scope).values("pk")


def get_survivor_for_rectification(user, public_id: str) -> Survivor:
    survivor = (
        survivors_rectifiable_by(user).select_related("data_key").filter(public_id=public_ids.parse(public_id) or "")
    ).first()
    if survivor is None:
        raise Http404
    audit.record_for(user, Action.VIEW, survivor, reason="correcting her details", event=EventType.SURVIVOR_VIEWED)
    return survivor


def can_correct_details(user) -> bool:
    """Whether the "correct her details" link is worth showing: a role whose work shows identities. Asks nothing of
    the database; the page itself decides, for each survivor, through survivors_rectifiable_by."""
    return not is_police_user(user) and (bool(roles_of(user) & CONTENT_ROLES) or can_handle_rights(user))


# --- MARAC -------------------------------------------------------------------------------------------------------


def _marac_boroughs(membership) -> tuple[bool, set[str]] | None:
    """For a member of a service that holds high-risk cases (IDVA or MARAC-linked): (all London?, its boroughs).

    None for any other organisation: a counselling service never sees the MARAC list.
    """
    services = [
        s
        for s in Service.objects.filter(organisation_id=membership.organisation_id)
        if s.service_type == ServiceType.IDVA or s.marac_linked
    ]
    if not services:
        return None
    return any(s.covers_all_london for s in services), {b for s in services for b in s.boroughs}


def marac_referrals_visible_to(user) -> QuerySet[MaracReferral]:
    """MARAC referrals the user may list and work on.

    Hub workers: every borough's list, never sealed. Caseworkers and managers of IDVA or MARAC-linked services: their
    boroughs' lists, never sealed. The independent advisory service: its own sealed ones and nothing else. Police:
    nothing, whatever role they hold (the MARAC record is about her risk, and the sealed ones about an officer).
    """
    if is_police_user(user):
        return MaracReferral.objects.none()
    scope = Q(pk__in=[])
    for m in memberships(user):
        org = m.organisation
        if _opens_sealed(m):
            scope |= Q(sealed=True) & (
                Q(referral__routed_service__organisation=org) | Q(referral__routed_service__isnull=True)
            )
        elif m.role == Role.HUB_WORKER and org.kind == Organisation.Kind.HUB:
            scope |= Q(sealed=False)
        elif m.role in {Role.CASEWORKER, Role.SERVICE_MANAGER} and org.provides_services:
            covered = _marac_boroughs(m)
            if covered is None:
                continue
            all_london, boroughs = covered
            scope |= Q(sealed=False) if all_london else Q(sealed=False, borough__in=sorted(boroughs))
    return MaracReferral.objects.filter(scope)


def can_work_marac(user) -> bool:
    """Reaches the MARAC pages at all: whoever `marac_referrals_visible_to` could show something to."""
    if is_police_user(user):
        return False
    for m in memberships(user):
        if _opens_sealed(m) or (m.role == Role.HUB_WORKER and m.organisation.kind == Organisation.Kind.HUB):
            return True
        in_service = m.role in {Role.CASEWORKER, Role.SERVICE_MANAGER} and m.organisation.provides_services
        if in_service and _marac_boroughs(m) is not None:
            return True
    return False


def get_marac_for_user(user, public_id: str) -> MaracReferral:
    """The MARAC referral by its public identifier, or 404 (missing and not-yours alike); the read is audited."""
    marac = (
        marac_referrals_visible_to(user)
        .select_related("referral", "survivor")
        .filter(public_id=public_ids.parse(public_id))
        .first()
    )
    if marac is None:
        raise Http404
    audit.record_for(user, Action.VIEW, marac, event=EventType.MARAC_VIEWED)
    return marac


# --- co-production: commitments, consultations, survivors' feedback ---------------------------------------------


def can_manage_commitments(user) -> bool:
    """Commissioners keep the register of commitments, open consultations and answer what was said."""
    return sees_aggregates(user) and not is_police_user(user)


def _consulting_memberships(user) -> list[Membership]:
    """Memberships through which an organisation speaks in a consultation: its managers, in a service provider.

    Police forces are never consulted here (the plan's commitments about them are consulted on elsewhere), and a
    caseworker's view of her own cases is no reason to read the commissioner's consultations.
    """
    if is_police_user(user):
        return []
    return [m for m in _memberships_with(user, Role.SERVICE_MANAGER) if m.organisation.provides_services]


def consultations_visible_to(user) -> QuerySet[Consultation]:
    """Commissioners: every consultation. An invited organisation's managers: the consultations it was invited to."""
    if can_manage_commitments(user):
        return Consultation.objects.all()
    orgs = [m.organisation_id for m in _consulting_memberships(user)]
    if not orgs:
        return Consultation.objects.none()
    return Consultation.objects.filter(invitations__organisation_id__in=orgs).distinct()


def commitments_visible_to(user) -> QuerySet[Commitment]:
    """Commissioners: the whole register. An invited organisation: the commitments it was consulted on."""
    if can_manage_commitments(user):
        return Commitment.objects.all()
    return Commitment.objects.filter(pk__in=consultations_visible_to(user).values("commitment_id"))


def organisations_answering_for(user, consultation: Consultation) -> list[Organisation]:
    """The invited organisations this user may answer for (the consultation already fetched through this policy)."""
    invited = set(consultation.invitations.values_list("organisation_id", flat=True))
    return [m.organisation for m in _consulting_memberships(user) if m.organisation_id in invited]


def responses_visible_to(user, consultation: Consultation) -> QuerySet[Response]:
    """Whose answers a user reads: THE rule for confidential and open answers.

    The commissioner reads every answer. An invited organisation reads its own answer, whether open or in
    confidence, and the other invited organisations' open answers; never another's answer given in confidence.
    """
    responses = Response.objects.filter(invitation__consultation=consultation)
    if can_manage_commitments(user):
        return responses
    own = [o.pk for o in organisations_answering_for(user, consultation)]
    if not own:
        return Response.objects.none()
    return responses.filter(Q(invitation__organisation_id__in=own) | Q(in_confidence=False))


def public_points(commitment: Commitment) -> QuerySet[Point]:
    """What the public page of a commitment shows: points of open answers only, never one given in confidence."""
    return Point.objects.filter(
        response__invitation__consultation__commitment=commitment, response__in_confidence=False
    )


def can_offer_feedback(user, case: Case) -> bool:
    """Whether this user may offer the woman of a case (fetched through this policy) the feedback link.

    Her caseworker or the service's manager, for a case of their own service; never on the sealed pathway, whose
    service accounts for itself in its own report (a feedback count by service type would move with sealed cases).
    """
    if case.sealed or is_police_user(user):
        return False
    return cases_visible_to(user).filter(pk=case.pk).exists()


def feedback_services_for(user) -> QuerySet[Service]:
    """The services whose feedback (aggregates, and free text past the threshold) a manager reads: her own."""
    orgs = [m.organisation_id for m in _consulting_memberships(user)]
    if not orgs:
        return Service.objects.none()
    return Service.objects.filter(organisation_id__in=orgs).exclude(service_type=ServiceType.INDEPENDENT_ADVISORY)


def can_read_feedback(user) -> bool:
    """Reaches the feedback page at all: commissioners (all services, aggregates) or a service's manager."""
    return can_manage_commitments(user) or bool(_consulting_memberships(user))


def can_take_part_in_consultations(user) -> bool:
    """Reaches the consultations list at all: commissioners and the managers of service providers."""
    return can_manage_commitments(user) or bool(_consulting_memberships(user))


# --- retention: legal holds ---------------------------------------------------------------------------------------


def _places_holds(membership, *, sealed: bool) -> bool:
    """A hub manager (a service manager of the hub) holds the hub's records; the sealed pathway's are held only by a
    manager of the independent service, as everything else about them is."""
    if membership.organisation.is_police or membership.role != Role.SERVICE_MANAGER:
        return False
    if sealed:
        return membership.organisation.is_independent_advisory
    return membership.organisation.kind == Organisation.Kind.HUB


def membership_places_legal_holds(membership) -> bool:
    """Whether this membership's home offers the legal holds page."""
    return _places_holds(membership, sealed=False) or _places_holds(membership, sealed=True)


def can_manage_legal_holds(user) -> bool:
    """Reaches the legal holds page: a hub manager, or a manager of the independent service."""
    if is_police_user(user):
        return False
    return any(_places_holds(m, sealed=False) or _places_holds(m, sealed=True) for m in memberships(user))


def _hold_sides(user) -> set[bool]:
    """Which side of the seal the user's holds are on: {False} for a hub manager, {True} for the independent
    service's, both for someone who is both."""
    if is_police_user(user):
        return set()
    return {sealed for m in memberships(user) for sealed in (False, True) if _places_holds(m, sealed=sealed)}


def legal_holds_visible_to(user) -> QuerySet[LegalHold]:
    sides = _hold_sides(user)
    return LegalHold.objects.filter(sealed__in=sides) if sides else LegalHold.objects.none()


def survivor_for_legal_hold(user, reference: str) -> Survivor | None:
    """The survivor of the referral the user names, if the user may hold her records; None otherwise (one answer
    for a reference that does not exist and for one on the other side of the seal). Any status: a closed referral's
    records are exactly the ones a hold protects."""
    sides = _hold_sides(user)
    if not sides:
        return None
    referral = (
        Referral.objects.select_related("survivor")
        .filter(reference=reference.strip().upper(), sealed__in=sides)
        .first()
    )
    if referral is None or (
        False in sides and True not in sides and referral.survivor.referrals.filter(sealed=True).exists()
    ):
        return None
    return referral.survivor


# --- declaring a route's rule ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RouteRule:
    """What a view requires. `roles` empty and `public` False means any signed-in member."""

    public: bool = False
    roles: frozenset[str] = frozenset()
    check: Callable | None = None

    def allows(self, user) -> bool:
        if self.public:
            return True
        if not memberships(user):
            return False
        if self.roles and not (roles_of(user) & self.roles):
            return False
        return self.check(user) if self.check else True


def referral_for_break_glass(reference: str) -> Referral | None:
    """The referral an administrator names for break-glass, sealed or not: breakglass.break_glass_open refuses a
    sealed one and records the attempt where only the independent service sees it. Only the policy reads referrals
    for accounts (accounts sits below referrals, see .importlinter)."""
    return Referral.objects.select_related("routed_service").filter(reference=reference.strip().upper()).first()


def route(*roles: str, public: bool = False, check: Callable | None = None):
    """Declare who may reach a view. Anonymous users are sent to sign in; signed-in users without the right answer 404.

    `check` adds a condition from this module (e.g. `can_audit`), so conditions stay in the policy.
    """
    rule = RouteRule(public=public, roles=frozenset(roles), check=check)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not rule.public:
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                if not rule.allows(request.user):
                    raise Http404
            return view(request, *args, **kwargs)

        wrapper.access_rule = rule
        return wrapper

    return decorate


def api_operation(*, public: bool = False):
    """Declare an API operation's rule. Non-public operations are reached only with an organisation's API key
    (the API's default auth), and must scope what they return to `request.auth`, the organisation."""
    rule = RouteRule(public=public, roles=frozenset({"api_key"}) if not public else frozenset())

    def decorate(view: Callable) -> Callable:
        view.access_rule = rule
        return view

    return decorate

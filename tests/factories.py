"""factory_boy factories: synthetic data only, created through the same services the app uses."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from carehub.accounts.models import Membership, Organisation, Role, User
from carehub.cases.models import Case, CaseStatus
from carehub.core.choices import ServiceType
from carehub.directory.models import Contract, Service
from carehub.marac.models import MaracReferral
from carehub.people.models import Identity, Survivor
from carehub.people.services import survivor_create
from carehub.referrals.models import Channel, Referral, Status

PASSWORD = "correct horse battery staple"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"org-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())
    kind = Organisation.Kind.SPECIALIST


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.LazyAttribute(lambda u: u.username.title())
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.CASEWORKER


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    service_type = ServiceType.IDVA
    covers_all_london = True
    capacity = 40


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    service = factory.SubFactory(ServiceFactory)
    funder = "Mayor's Office for Policing and Crime"
    start = dt.date(2025, 4, 1)
    end = dt.date(2028, 3, 31)
    support_weeks = 12
    annual_value_pence = 25_000_000


class SurvivorFactory(factory.Factory):
    """Goes through survivor_create so that every test survivor is really encrypted."""

    class Meta:
        model = Survivor

    given_name = factory.Sequence(lambda n: f"Given{n}")
    family_name = factory.Sequence(lambda n: f"Family{n}")
    date_of_birth = dt.date(1990, 5, 17)
    phone = factory.Sequence(lambda n: f"07700 9{n:05d}")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    postcode = "E1 6AN"
    ethnicity = "black_african"
    immigration_status = ""

    @classmethod
    def _create(cls, model_class, *, given_name, family_name, date_of_birth, phone, email, postcode, **equality):
        identity = Identity(
            given_name=given_name,
            family_name=family_name,
            date_of_birth=date_of_birth,
            phone=phone,
            email=email,
            postcode=postcode,
        )
        equality = {k: v for k, v in equality.items() if v not in ("", None)}
        return survivor_create(actor=None, identity=identity, equality=equality)

    _build = _create


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    survivor = factory.SubFactory(SurvivorFactory)
    channel = Channel.PROFESSIONAL
    received_at = factory.LazyFunction(timezone.now)
    status = Status.RECEIVED
    borough = "E09000030"


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    referral = factory.SubFactory(ReferralFactory)
    survivor = factory.LazyAttribute(lambda c: c.referral.survivor)
    service = factory.SubFactory(ServiceFactory)
    status = CaseStatus.OPEN
    sealed = factory.LazyAttribute(lambda c: c.referral.sealed)
    accepted_at = factory.LazyFunction(timezone.now)
    opened_at = factory.LazyFunction(timezone.now)


class MaracReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaracReferral

    referral = factory.SubFactory(ReferralFactory)
    survivor = factory.LazyAttribute(lambda m: m.referral.survivor)
    borough = factory.LazyAttribute(lambda m: m.referral.borough)
    sealed = factory.LazyAttribute(lambda m: m.referral.sealed)
    referred_on = dt.date(2026, 2, 2)
    criteria = factory.LazyFunction(lambda: ["professional judgement"])
    created_at = factory.LazyFunction(timezone.now)

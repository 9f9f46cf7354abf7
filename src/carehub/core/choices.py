"""Shared vocabularies: service types, abuse types, communities and languages.

Kept in one module because intake, routing, case work and analytics must agree on every code.
"""

from __future__ import annotations

from django.db import models


class ServiceType(models.TextChoices):
    IDVA = "idva", "Independent domestic violence advocacy (IDVA)"
    ISVA = "isva", "Independent sexual violence advocacy (ISVA)"
    HELPLINE = "helpline", "Helpline"
    ADVICE_LINE = "advice_line", "Advice line"
    COUNSELLING = "counselling", "Counselling and therapeutic support"
    REFUGE = "refuge", "Refuge"
    OUTREACH = "outreach", "Community outreach"
    LEGAL_IMMIGRATION = "legal_immigration", "Legal and immigration advice"
    CHILDREN = "children", "Children and young people"
    INDEPENDENT_ADVISORY = "independent_advisory", "Independent advisory service (abuse by police)"


class AbuseType(models.TextChoices):
    PHYSICAL = "physical", "Physical abuse"
    SEXUAL = "sexual", "Sexual abuse"
    THREATENING = "threatening", "Violent or threatening behaviour"
    COERCIVE_CONTROL = "coercive_control", "Controlling or coercive behaviour"
    ECONOMIC = "economic", "Economic abuse"
    PSYCHOLOGICAL = "psychological", "Psychological or emotional abuse"
    STALKING = "stalking", "Stalking and harassment"
    HONOUR_BASED = "honour_based", "Honour-based abuse"
    FORCED_MARRIAGE = "forced_marriage", "Forced marriage"
    FGM = "fgm", "Female genital mutilation"
    TECH_FACILITATED = "tech_facilitated", "Technology-facilitated abuse"
    NON_PARTNER_SEXUAL = "non_partner_sexual", "Sexual violence by a non-partner"
    TRAFFICKING = "trafficking", "Trafficking and sexual exploitation"


class Community(models.TextChoices):
    """Communities a 'led by and for' organisation is led by and serves."""

    BLACK_MINORITISED = "black_minoritised", "Black and minoritised women"
    SOUTH_ASIAN = "south_asian", "South Asian women"
    LATIN_AMERICAN = "latin_american", "Latin American women"
    MIDDLE_EASTERN = "middle_eastern", "Middle Eastern and North African women"
    EAST_EUROPEAN = "east_european", "Eastern European women"
    LGBT_PLUS = "lgbt_plus", "LGBT+ people"
    MIGRANT = "migrant", "Migrant women"
    DEAF_DISABLED = "deaf_disabled", "Deaf and disabled women"


class Language(models.TextChoices):
    """Languages most asked for in London services (ISO 639-1 codes, BSL as 'bfi')."""

    ENGLISH = "en", "English"
    ARABIC = "ar", "Arabic"
    BENGALI = "bn", "Bengali"
    BSL = "bfi", "British Sign Language"
    FARSI = "fa", "Farsi"
    FRENCH = "fr", "French"
    GUJARATI = "gu", "Gujarati"
    HINDI = "hi", "Hindi"
    ITALIAN = "it", "Italian"
    KURDISH = "ku", "Kurdish"
    LITHUANIAN = "lt", "Lithuanian"
    POLISH = "pl", "Polish"
    PORTUGUESE = "pt", "Portuguese"
    PUNJABI = "pa", "Punjabi"
    ROMANIAN = "ro", "Romanian"
    SOMALI = "so", "Somali"
    SPANISH = "es", "Spanish"
    TAMIL = "ta", "Tamil"
    TIGRINYA = "ti", "Tigrinya"
    TURKISH = "tr", "Turkish"
    TWI = "tw", "Twi"
    URDU = "ur", "Urdu"
    YORUBA = "yo", "Yoruba"
    OTHER = "other", "Another language"


class Role(models.TextChoices):
    """A membership's role (accounts.models.Membership); here so that pages of every app, core's and audit's
    included, can name roles without importing accounts."""

    REFERRER = "referrer", "Referrer"
    HUB_WORKER = "hub_worker", "Hub worker"
    CASEWORKER = "caseworker", "Caseworker"
    SERVICE_MANAGER = "service_manager", "Service manager"
    INDEPENDENT_ADVISER = "independent_adviser", "Independent adviser"
    COMMISSIONER = "commissioner", "Commissioner"
    AUDITOR = "auditor", "Auditor"
    ADMINISTRATOR = "administrator", "Administrator"

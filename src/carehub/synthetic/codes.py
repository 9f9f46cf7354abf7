"""The hub's codes the generators write, as plain `StrEnum`s, so that carehub.synthetic needs no Django.

Each class copies the values (not the labels) of one of the hub's `TextChoices`, named in its docstring; a member is
a `str` equal to the hub's code, so the seeder stores it as it is. tests/synthetic/test_codes.py holds every member
here to the same name and value in the hub's vocabulary, so a code renamed there fails the suite, not the seed.
"""

from __future__ import annotations

from enum import StrEnum

PREFER_NOT_TO_SAY = "prefer_not_to_say"  # carehub.people.monitoring.PREFER_NOT_TO_SAY

# The months of the major football tournaments, in order: carehub.insight.commissioning.settings.DEFAULT_EVENTS
# (the known events the commissioning analysis expects a peak in), where synthetic.demand plants one.
TOURNAMENT_MONTHS = (
    "2018-06",
    "2018-07",
    "2021-06",
    "2021-07",
    "2022-11",
    "2022-12",
    "2024-06",
    "2024-07",
    "2026-06",
    "2026-07",
)


class AbuseType(StrEnum):
    """carehub.core.choices.AbuseType"""

    PHYSICAL = "physical"
    SEXUAL = "sexual"
    THREATENING = "threatening"
    COERCIVE_CONTROL = "coercive_control"
    ECONOMIC = "economic"
    PSYCHOLOGICAL = "psychological"
    STALKING = "stalking"
    HONOUR_BASED = "honour_based"
    FORCED_MARRIAGE = "forced_marriage"
    FGM = "fgm"
    TECH_FACILITATED = "tech_facilitated"
    NON_PARTNER_SEXUAL = "non_partner_sexual"
    TRAFFICKING = "trafficking"


class ServiceType(StrEnum):
    """carehub.core.choices.ServiceType"""

    IDVA = "idva"
    ISVA = "isva"
    HELPLINE = "helpline"
    ADVICE_LINE = "advice_line"
    COUNSELLING = "counselling"
    REFUGE = "refuge"
    OUTREACH = "outreach"
    LEGAL_IMMIGRATION = "legal_immigration"
    CHILDREN = "children"
    INDEPENDENT_ADVISORY = "independent_advisory"


class Community(StrEnum):
    """carehub.core.choices.Community"""

    BLACK_MINORITISED = "black_minoritised"
    SOUTH_ASIAN = "south_asian"
    LATIN_AMERICAN = "latin_american"
    MIDDLE_EASTERN = "middle_eastern"
    EAST_EUROPEAN = "east_european"
    LGBT_PLUS = "lgbt_plus"
    MIGRANT = "migrant"
    DEAF_DISABLED = "deaf_disabled"


class OrganisationKind(StrEnum):
    """carehub.accounts.models.Organisation.Kind"""

    HUB = "hub"
    SPECIALIST = "specialist"
    BY_AND_FOR = "by_and_for"
    POLICE = "police"
    HEALTH = "health"
    SOCIAL_CARE = "social_care"
    OTHER_AGENCY = "other_agency"
    INDEPENDENT_ADVISORY = "independent_advisory"
    COMMISSIONER = "commissioner"


class Sex(StrEnum):
    """carehub.people.monitoring.Sex"""

    FEMALE = "female"
    MALE = "male"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"


class GenderIdentity(StrEnum):
    """carehub.people.monitoring.GenderIdentity"""

    WOMAN = "woman"
    MAN = "man"
    TRANS_WOMAN = "trans_woman"
    TRANS_MAN = "trans_man"
    NON_BINARY = "non_binary"
    OTHER = "other"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"


class SexualOrientation(StrEnum):
    """carehub.people.monitoring.SexualOrientation"""

    STRAIGHT = "straight"
    GAY_LESBIAN = "gay_lesbian"
    BISEXUAL = "bisexual"
    PANSEXUAL = "pansexual"
    ASEXUAL = "asexual"
    QUEER = "queer"
    OTHER = "other"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"


class Religion(StrEnum):
    """carehub.people.monitoring.Religion"""

    NO_RELIGION = "no_religion"
    CHRISTIAN = "christian"
    BUDDHIST = "buddhist"
    HINDU = "hindu"
    JEWISH = "jewish"
    MUSLIM = "muslim"
    SIKH = "sikh"
    OTHER = "other"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"


class Disability(StrEnum):
    """carehub.people.monitoring.Disability"""

    LIMITED_A_LOT = "limited_a_lot"
    LIMITED_A_LITTLE = "limited_a_little"
    NO = "no"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"


class PregnancyMaternity(StrEnum):
    """carehub.people.monitoring.PregnancyMaternity"""

    PREGNANT = "pregnant"
    BABY_UNDER_18_MONTHS = "baby_under_18_months"
    NEITHER = "neither"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"


class ImmigrationStatus(StrEnum):
    """carehub.people.monitoring.ImmigrationStatus"""

    BRITISH_IRISH = "british_irish"
    SETTLED = "settled"
    EUSS_PRE_SETTLED = "euss_pre_settled"
    LIMITED_LEAVE = "limited_leave"
    LIMITED_LEAVE_NRPF = "limited_leave_nrpf"
    ASYLUM_SEEKER = "asylum_seeker"
    REFUGEE = "refugee"
    NO_CURRENT_LEAVE = "no_current_leave"
    UNKNOWN = "unknown"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"


class ReferralStatus(StrEnum):
    """carehub.referrals.models.Status"""

    RECEIVED = "received"
    IN_TRIAGE = "in_triage"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class CaseStatus(StrEnum):
    """carehub.cases.models.CaseStatus"""

    WAITING = "waiting"
    OPEN = "open"
    CLOSED = "closed"


class ClosureReason(StrEnum):
    """carehub.cases.models.ClosureReason (the reasons the generators draw; "died" is left to the duration plants)"""

    COMPLETED = "completed"
    DISENGAGED = "disengaged"
    MOVED_AWAY = "moved_away"
    TRANSFERRED = "transferred"
    SURVIVOR_CHOICE = "survivor_choice"
    OTHER = "other"


class AbuseChange(StrEnum):
    """carehub.cases.models.AbuseChange"""

    STOPPED = "stopped"
    REDUCED = "reduced"
    UNCHANGED = "unchanged"
    WORSE = "worse"


class NotAnswered(StrEnum):
    """carehub.cases.models.NotAnswered"""

    DECLINED = "declined"
    UNREACHABLE = "unreachable"


class Channel(StrEnum):
    """carehub.referrals.models.Channel"""

    SELF = "self"
    PROFESSIONAL = "professional"
    API = "api"


class PolicePerpetrator(StrEnum):
    """carehub.referrals.models.PolicePerpetrator"""

    NO = "no"
    SERVING = "serving"
    FORMER = "former"
    STAFF = "staff"
    UNKNOWN = "unknown"


# The DASH as carehub.referrals.dash asks it: its answers, in order (the generators draw an index), and how many
# questions there are.
DASH_ANSWERS = ("yes", "no", "dont_know")
DASH_QUESTION_COUNT = 24

# carehub.people.monitoring.age_band's bands: the upper bound (exclusive) of each, then 65 and over.
AGE_BAND_EDGES = (
    (16, "under_16"),
    (18, "16_17"),
    (25, "18_24"),
    (35, "25_34"),
    (45, "35_44"),
    (55, "45_54"),
    (65, "55_64"),
)


def age_band(age_in_years: int | None) -> str:
    """carehub.people.monitoring.age_band: the band for an age; blank when the age is unknown."""
    if age_in_years is None:
        return ""
    for upper, band in AGE_BAND_EDGES:
        if age_in_years < upper:
            return band
    return "65_plus"


class Role(StrEnum):
    """carehub.core.choices.Role (the roles of the staff the generators draw)"""

    HUB_WORKER = "hub_worker"
    CASEWORKER = "caseworker"
    SERVICE_MANAGER = "service_manager"
    INDEPENDENT_ADVISER = "independent_adviser"

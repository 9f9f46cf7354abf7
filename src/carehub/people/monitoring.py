"""Equality monitoring categories: ONS Census 2021 wording, each question with "Prefer not to say".

A blank value means the question was not asked or not answered; "prefer_not_to_say" means the survivor chose not to
answer. Analysis treats the two differently (one is a data gap, the other a choice), so they are never merged here.
"""

from __future__ import annotations

from django.db import models

PREFER_NOT_TO_SAY = "prefer_not_to_say"
PREFER_NOT_TO_SAY_LABEL = "Prefer not to say"


class Ethnicity(models.TextChoices):
    ASIAN_BANGLADESHI = "asian_bangladeshi", "Asian or Asian British: Bangladeshi"
    ASIAN_CHINESE = "asian_chinese", "Asian or Asian British: Chinese"
    ASIAN_INDIAN = "asian_indian", "Asian or Asian British: Indian"
    ASIAN_PAKISTANI = "asian_pakistani", "Asian or Asian British: Pakistani"
    ASIAN_OTHER = "asian_other", "Asian or Asian British: any other Asian background"
    BLACK_AFRICAN = "black_african", "Black, Black British, Caribbean or African: African"
    BLACK_CARIBBEAN = "black_caribbean", "Black, Black British, Caribbean or African: Caribbean"
    BLACK_OTHER = "black_other", "Black, Black British, Caribbean or African: any other Black background"
    MIXED_WHITE_ASIAN = "mixed_white_asian", "Mixed or multiple ethnic groups: White and Asian"
    MIXED_WHITE_BLACK_AFRICAN = (
        "mixed_white_black_african",
        "Mixed or multiple ethnic groups: White and Black African",
    )
    MIXED_WHITE_BLACK_CARIBBEAN = (
        "mixed_white_black_caribbean",
        "Mixed or multiple ethnic groups: White and Black Caribbean",
    )
    MIXED_OTHER = "mixed_other", "Mixed or multiple ethnic groups: any other Mixed or multiple background"
    WHITE_BRITISH = "white_british", "White: English, Welsh, Scottish, Northern Irish or British"
    WHITE_IRISH = "white_irish", "White: Irish"
    WHITE_GYPSY_TRAVELLER = "white_gypsy_traveller", "White: Gypsy or Irish Traveller"
    WHITE_ROMA = "white_roma", "White: Roma"
    WHITE_OTHER = "white_other", "White: any other White background"
    OTHER_ARAB = "other_arab", "Other ethnic group: Arab"
    OTHER_ANY = "other_any", "Other ethnic group: any other ethnic group"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, PREFER_NOT_TO_SAY_LABEL


def ethnic_group(category: str) -> str:
    """The ONS high-level group of a detailed category ('' for not recorded)."""
    if not category:
        return ""
    if category == PREFER_NOT_TO_SAY:
        return PREFER_NOT_TO_SAY
    return category.split("_", 1)[0]


# Police "self-defined ethnicity" codes (18+1) to ONS 2021 categories. NS (not stated) maps to blank, not to
# "prefer not to say": the police did not record a choice made by the person.
POLICE_ETHNICITY_CODES: dict[str, str] = {
    "A1": Ethnicity.ASIAN_INDIAN,
    "A2": Ethnicity.ASIAN_PAKISTANI,
    "A3": Ethnicity.ASIAN_BANGLADESHI,
    "A4": Ethnicity.ASIAN_CHINESE,
    "A9": Ethnicity.ASIAN_OTHER,
    "B1": Ethnicity.BLACK_CARIBBEAN,
    "B2": Ethnicity.BLACK_AFRICAN,
    "B9": Ethnicity.BLACK_OTHER,
    "M1": Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN,
    "M2": Ethnicity.MIXED_WHITE_BLACK_AFRICAN,
    "M3": Ethnicity.MIXED_WHITE_ASIAN,
    "M9": Ethnicity.MIXED_OTHER,
    "W1": Ethnicity.WHITE_BRITISH,
    "W2": Ethnicity.WHITE_IRISH,
    "W3": Ethnicity.WHITE_GYPSY_TRAVELLER,
    "W4": Ethnicity.WHITE_ROMA,
    "W9": Ethnicity.WHITE_OTHER,
    "O1": Ethnicity.OTHER_ARAB,
    "O9": Ethnicity.OTHER_ANY,
    "NS": "",
}


def ethnicity_from_police_code(code: str) -> str:
    """Map a police self-defined ethnicity code; an unknown code is an error, never a silent blank."""
    key = (code or "").strip().upper()
    if key not in POLICE_ETHNICITY_CODES:
        raise ValueError(f"unknown police ethnicity code {code!r}")
    return str(POLICE_ETHNICITY_CODES[key])


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, PREFER_NOT_TO_SAY_LABEL


class GenderSameAsSex(models.TextChoices):
    """ONS 2021: is the gender you identify with the same as your sex registered at birth?"""

    YES = "yes", "Yes"
    NO = "no", "No"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, PREFER_NOT_TO_SAY_LABEL


class GenderIdentity(models.TextChoices):
    WOMAN = "woman", "Woman"
    MAN = "man", "Man"
    TRANS_WOMAN = "trans_woman", "Trans woman"
    TRANS_MAN = "trans_man", "Trans man"
    NON_BINARY = "non_binary", "Non-binary"
    OTHER = "other", "Another gender identity"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, PREFER_NOT_TO_SAY_LABEL


class SexualOrientation(models.TextChoices):
    STRAIGHT = "straight", "Straight or heterosexual"
    GAY_LESBIAN = "gay_lesbian", "Gay or lesbian"
    BISEXUAL = "bisexual", "Bisexual"
    PANSEXUAL = "pansexual", "Pansexual"
    ASEXUAL = "asexual", "Asexual"
    QUEER = "queer", "Queer"
    OTHER = "other", "Another sexual orientation"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, PREFER_NOT_TO_SAY_LABEL


class Disability(models.TextChoices):
    """ONS 2021: are day-to-day activities limited by a long-term condition or illness?"""

    LIMITED_A_LOT = "limited_a_lot", "Yes, limited a lot"
    LIMITED_A_LITTLE = "limited_a_little", "Yes, limited a little"
    NO = "no", "No"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, PREFER_NOT_TO_SAY_LABEL


class Religion(models.TextChoices):
    NO_RELIGION = "no_religion", "No religion"
    CHRISTIAN = "christian", "Christian"
    BUDDHIST = "buddhist", "Buddhist"
    HINDU = "hindu", "Hindu"
    JEWISH = "jewish", "Jewish"
    MUSLIM = "muslim", "Muslim"
    SIKH = "sikh", "Sikh"
    OTHER = "other", "Any other religion"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, PREFER_NOT_TO_SAY_LABEL


class PregnancyMaternity(models.TextChoices):
    PREGNANT = "pregnant", "Pregnant"
    BABY_UNDER_18_MONTHS = "baby_under_18_months", "Had a baby in the last 18 months"
    NEITHER = "neither", "Neither"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, PREFER_NOT_TO_SAY_LABEL


class AgeBand(models.TextChoices):
    UNDER_16 = "under_16", "Under 16"
    AGE_16_17 = "16_17", "16 to 17"
    AGE_18_24 = "18_24", "18 to 24"
    AGE_25_34 = "25_34", "25 to 34"
    AGE_35_44 = "35_44", "35 to 44"
    AGE_45_54 = "45_54", "45 to 54"
    AGE_55_64 = "55_64", "55 to 64"
    AGE_65_PLUS = "65_plus", "65 and over"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, PREFER_NOT_TO_SAY_LABEL


_AGE_BAND_EDGES = [
    (16, AgeBand.UNDER_16),
    (18, AgeBand.AGE_16_17),
    (25, AgeBand.AGE_18_24),
    (35, AgeBand.AGE_25_34),
    (45, AgeBand.AGE_35_44),
    (55, AgeBand.AGE_45_54),
    (65, AgeBand.AGE_55_64),
]


def age_band(age_in_years: int | None) -> str:
    """The band for an age; blank when the age is unknown."""
    if age_in_years is None:
        return ""
    for upper, band in _AGE_BAND_EDGES:
        if age_in_years < upper:
            return str(band)
    return str(AgeBand.AGE_65_PLUS)


class ImmigrationStatus(models.TextChoices):
    """Not a protected characteristic, but the mission names it. Never shown to police, never exported per person."""

    BRITISH_IRISH = "british_irish", "British or Irish citizen"
    SETTLED = "settled", "Settled (indefinite leave or EU Settlement Scheme settled status)"
    EUSS_PRE_SETTLED = "euss_pre_settled", "EU Settlement Scheme pre-settled status"
    LIMITED_LEAVE = "limited_leave", "Limited leave with recourse to public funds"
    LIMITED_LEAVE_NRPF = "limited_leave_nrpf", "Limited leave with No Recourse to Public Funds"
    ASYLUM_SEEKER = "asylum_seeker", "Asylum seeker"
    REFUGEE = "refugee", "Refugee or humanitarian protection"
    NO_CURRENT_LEAVE = "no_current_leave", "No current leave"
    UNKNOWN = "unknown", "Not known"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, PREFER_NOT_TO_SAY_LABEL


# Statuses that are "insecure" for equality analysis (the mission's third minoritised group).
INSECURE_IMMIGRATION_STATUSES = frozenset(
    {
        ImmigrationStatus.EUSS_PRE_SETTLED,
        ImmigrationStatus.LIMITED_LEAVE,
        ImmigrationStatus.LIMITED_LEAVE_NRPF,
        ImmigrationStatus.ASYLUM_SEEKER,
        ImmigrationStatus.NO_CURRENT_LEAVE,
    }
)

# Equality fields on a survivor, in the order forms ask them. Immigration fields are listed apart because the
# access policy hides them from police users.
EQUALITY_FIELDS = (
    "ethnicity",
    "sex",
    "gender_same_as_sex",
    "gender_identity",
    "sexual_orientation",
    "disability",
    "religion",
    "pregnancy",
    "first_language",
    "interpreter_needed",
)
IMMIGRATION_FIELDS = (
    "immigration_status",
    "migrant_concession_applied",
    "migrant_concession_granted",
    "ilr_domestic_abuse_applied",
    "support_for_migrant_victims_referral",
)

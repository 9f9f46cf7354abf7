"""Synthetic survivors: where they live, who they are (equality monitoring), and the draws behind their identity.

Borough follows London's population and ethnic group follows the borough's census mix (data/census_...json), so the
seeded population is London's. Everything else is plausible rather than measured: nearly all women, about 1% trans
or non-binary, about 6% lesbian, gay, bisexual or another minority orientation, a real share with insecure
immigration status and No Recourse to Public Funds, and on every question some "prefer not to say" and some blanks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from carehub.synthetic.census import Census
from carehub.synthetic.codes import PREFER_NOT_TO_SAY as PNS
from carehub.synthetic.codes import Disability, GenderIdentity, ImmigrationStatus, Sex, SexualOrientation
from carehub.synthetic.codes import PregnancyMaternity as P
from carehub.synthetic.heritage import ETHNICITY_HERITAGES, HERITAGE_INDEX, HERITAGES, IMMIGRATION_PROFILES
from carehub.synthetic.sampling import DAY, NA, bernoulli, choose, choose_by_group, choose_index, overlay

# Age at first referral (years): survivors referred to London services are mostly 18 to 44.
AGE_BANDS: tuple[tuple[int, int, float], ...] = (
    (16, 18, 0.025),
    (18, 25, 0.17),
    (25, 35, 0.32),
    (35, 45, 0.26),
    (45, 55, 0.14),
    (55, 65, 0.055),
    (65, 85, 0.03),
)
SEX = {Sex.FEMALE: 0.95, Sex.MALE: 0.035}
GENDER_SAME = {"yes": 0.955, "no": 0.011}
GENDER_DIVERSE = {
    GenderIdentity.TRANS_WOMAN: 0.45,
    GenderIdentity.TRANS_MAN: 0.15,
    GenderIdentity.NON_BINARY: 0.3,
    GenderIdentity.OTHER: 0.1,
}
ORIENTATION = {
    SexualOrientation.STRAIGHT: 0.875,
    SexualOrientation.GAY_LESBIAN: 0.02,
    SexualOrientation.BISEXUAL: 0.028,
    SexualOrientation.PANSEXUAL: 0.004,
    SexualOrientation.ASEXUAL: 0.003,
    SexualOrientation.QUEER: 0.003,
    SexualOrientation.OTHER: 0.002,
}
DISABILITY = {Disability.LIMITED_A_LOT: 0.09, Disability.LIMITED_A_LITTLE: 0.12, Disability.NO: 0.67}
PREGNANCY_UNDER_45 = {P.PREGNANT: 0.06, P.BABY_UNDER_18_MONTHS: 0.1, P.NEITHER: 0.66}
NRPF_STATUSES = frozenset({ImmigrationStatus.LIMITED_LEAVE_NRPF, ImmigrationStatus.NO_CURRENT_LEAVE})
INSECURE = frozenset(
    {
        ImmigrationStatus.EUSS_PRE_SETTLED,
        ImmigrationStatus.LIMITED_LEAVE,
        ImmigrationStatus.LIMITED_LEAVE_NRPF,
        ImmigrationStatus.ASYLUM_SEEKER,
        ImmigrationStatus.NO_CURRENT_LEAVE,
    }
)
LGB_PLUS = frozenset(set(SexualOrientation) - {SexualOrientation.STRAIGHT, PNS})


@dataclass
class Survivors:
    """One row per survivor, in order of her first referral. Arrays, so a million rows stay cheap."""

    first_seen: np.ndarray  # int64 seconds: her first referral, which is when her record was created
    borough: np.ndarray  # index into census.boroughs; NA when not recorded
    ethnicity_true: np.ndarray  # index into census.categories: what she would answer
    heritage: np.ndarray  # index into HERITAGES
    dob_days: np.ndarray  # days since 1970-01-01; NA when not given
    age_withheld: np.ndarray  # she preferred not to give her age
    male: np.ndarray
    lgbt: np.ndarray
    deaf_disabled: np.ndarray
    insecure: np.ndarray
    nrpf: np.ndarray
    columns: dict[str, np.ndarray] = field(default_factory=dict)  # stored values of the equality fields
    draws: dict[str, np.ndarray] = field(default_factory=dict)  # uniform draws behind names and contact details

    def __len__(self) -> int:
        return len(self.first_seen)


def draw_survivors(rng: np.random.Generator, census: Census, first_seen: np.ndarray) -> Survivors:
    """Survivors whose first referrals arrive at `first_seen` (seconds)."""
    n = len(first_seen)
    borough = choose_index(rng, census.borough_shares(), n)
    borough[bernoulli(rng, 0.015, n)] = NA  # borough not recorded
    ethnic_mix = census.ethnicity_shares()
    ethnicity_true = np.empty(n, dtype=np.int64)
    # Unknown borough: draw from London as a whole.
    groups = np.where(borough == NA, len(census.boroughs), borough)
    mix = np.vstack([ethnic_mix, census.counts.sum(axis=0) / census.counts.sum()])
    for g in np.unique(groups):
        rows = np.flatnonzero(groups == g)
        ethnicity_true[rows] = choose_index(rng, mix[g], len(rows))
    categories = np.array(census.categories, dtype=object)
    heritage_names = choose_by_group(rng, ethnicity_true, [ETHNICITY_HERITAGES[c] for c in census.categories])
    heritage = np.array([HERITAGE_INDEX[h] for h in heritage_names], dtype=np.int64)

    cols: dict[str, np.ndarray] = {}
    cols["ethnicity"] = overlay(rng, categories[ethnicity_true], **{PNS: 0.03, "blank": 0.05})
    cols["sex"] = overlay(rng, choose(rng, SEX, n), **{PNS: 0.008, "blank": 0.007})
    male = cols["sex"] == Sex.MALE
    _draw_gender(rng, cols, male)
    cols["sexual_orientation"] = overlay(rng, choose(rng, ORIENTATION, n), **{PNS: 0.04, "blank": 0.025})
    cols["disability"] = overlay(rng, choose(rng, DISABILITY, n), **{PNS: 0.04, "blank": 0.08})
    cols["religion"] = overlay(
        rng, choose_by_group(rng, heritage, [h.religion for h in HERITAGES]), **{PNS: 0.05, "blank": 0.05}
    )
    age_years, dob_days, age_withheld = _draw_age(rng, first_seen)
    cols["pregnancy"] = _draw_pregnancy(rng, age_years, male)
    _draw_language(rng, cols, heritage)
    insecure, nrpf = _draw_immigration(rng, cols, heritage)
    lgbt = np.isin(cols["sexual_orientation"], list(LGB_PLUS)) | (cols["gender_same_as_sex"] == "no")
    deaf_disabled = (cols["disability"] == Disability.LIMITED_A_LOT) | (cols["first_language"] == "bfi")
    return Survivors(
        first_seen=first_seen,
        borough=borough,
        ethnicity_true=ethnicity_true,
        heritage=heritage,
        dob_days=dob_days,
        age_withheld=age_withheld,
        male=male,
        lgbt=lgbt,
        deaf_disabled=deaf_disabled,
        insecure=insecure,
        nrpf=nrpf,
        columns=cols,
        draws=_identity_draws(rng, n),
    )


def _draw_gender(rng: np.random.Generator, cols: dict[str, np.ndarray], male: np.ndarray) -> None:
    n = len(male)
    same = overlay(rng, choose(rng, GENDER_SAME, n), **{PNS: 0.015, "blank": 0.018})
    identity = np.where(male, GenderIdentity.MAN.value, GenderIdentity.WOMAN.value).astype(object)
    diverse = same == "no"
    identity[diverse] = choose(rng, GENDER_DIVERSE, int(diverse.sum()))
    identity[same == PNS] = PNS
    identity[same == ""] = ""
    cols["gender_same_as_sex"] = same
    cols["gender_identity"] = identity


def _draw_age(rng: np.random.Generator, first_seen: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Age at first referral; date of birth from it. Some withhold their age, some are simply not asked."""
    n = len(first_seen)
    band = choose_index(rng, np.array([b[2] for b in AGE_BANDS]), n)
    low = np.array([b[0] for b in AGE_BANDS])[band]
    high = np.array([b[1] for b in AGE_BANDS])[band]
    age_days = (low * 365.25 + rng.random(n) * (high - low) * 365.25).astype(np.int64)
    dob_days = first_seen // DAY - age_days
    u = rng.random(n)
    age_withheld = u < 0.012
    dob_days[u < 0.04] = NA  # withheld (1.2%) or not recorded (2.8%)
    return age_days / 365.25, dob_days, age_withheld


def _draw_pregnancy(rng: np.random.Generator, age_years: np.ndarray, male: np.ndarray) -> np.ndarray:
    n = len(age_years)
    values = choose(rng, PREGNANCY_UNDER_45, n)
    values[(age_years >= 45) | male] = P.NEITHER.value
    return overlay(rng, values, **{PNS: 0.04, "blank": 0.14})


def _draw_language(rng: np.random.Generator, cols: dict[str, np.ndarray], heritage: np.ndarray) -> None:
    n = len(heritage)
    language = choose_by_group(rng, heritage, [h.languages for h in HERITAGES])
    # Deaf women who sign: British Sign Language is their first language.
    bsl = (cols["disability"] == Disability.LIMITED_A_LOT) & bernoulli(rng, 0.05, n)
    language[bsl] = "bfi"
    language = overlay(rng, language, blank=0.04)
    non_english = (language != "en") & (language != "")
    interpreter = np.full(n, None, dtype=object)
    interpreter[language == "en"] = False
    interpreter[non_english] = bernoulli(rng, 0.42, int(non_english.sum()))
    interpreter[language == "bfi"] = True
    interpreter[bernoulli(rng, 0.03, n)] = None  # not asked
    cols["first_language"] = language
    cols["interpreter_needed"] = interpreter


def _draw_immigration(
    rng: np.random.Generator, cols: dict[str, np.ndarray], heritage: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    n = len(heritage)
    profiles = [IMMIGRATION_PROFILES[h.immigration] for h in HERITAGES]
    status = overlay(rng, choose_by_group(rng, heritage, profiles), **{PNS: 0.015, "blank": 0.04})
    insecure = np.isin(status, list(INSECURE))
    # The Migrant Victims of Domestic Abuse Concession: for those on a partner's visa or without leave.
    eligible = np.isin(status, [ImmigrationStatus.LIMITED_LEAVE_NRPF, ImmigrationStatus.NO_CURRENT_LEAVE])
    applied = eligible & bernoulli(rng, 0.3, n)
    granted = applied & bernoulli(rng, 0.6, n)
    on_leave = np.isin(status, [ImmigrationStatus.LIMITED_LEAVE, ImmigrationStatus.LIMITED_LEAVE_NRPF])
    cols["immigration_status"] = status
    cols["migrant_concession_applied"] = applied
    cols["migrant_concession_granted"] = granted
    cols["ilr_domestic_abuse_applied"] = on_leave & bernoulli(rng, 0.12, n)
    cols["support_for_migrant_victims_referral"] = insecure & bernoulli(rng, 0.1, n)
    # No Recourse to Public Funds, unless the concession has (for now) opened them.
    nrpf = np.isin(status, list(NRPF_STATUSES)) | (status == ImmigrationStatus.ASYLUM_SEEKER)
    nrpf |= (status == ImmigrationStatus.EUSS_PRE_SETTLED) & bernoulli(rng, 0.2, n)
    return insecure, nrpf & ~granted


def _identity_draws(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Uniform draws from which identities are built later, in parallel and in any order (see identities.py)."""
    names = ("given", "family", "known_as", "phone_kind", "email_kind", "email_style", "address_kind", "flat")
    draws = {name: rng.random(n) for name in names}
    draws["phone_number"] = rng.integers(0, 10**9, n)
    draws["email_number"] = rng.integers(1, 1000, n)
    draws["house"] = rng.integers(1, 240, n)
    draws["street"] = rng.random(n)
    draws["district"] = rng.random(n)
    draws["unit"] = rng.integers(0, 10 * 20 * 20, n)  # postcode inward code: digit and two letters
    return draws

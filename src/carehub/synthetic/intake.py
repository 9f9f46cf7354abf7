"""What each referral says: who sent it, the abuse, the needs, the risk (DASH), language and NRPF.

Per-referral facts vary with the survivor where they would in life: honour-based abuse and forced marriage are more
often reported in some communities, FGM in others; legal and immigration advice is wanted far more by women with
insecure status; sexual violence brings ISVA support; high risk brings MARAC and, more often, refuge.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from carehub.synthetic import london
from carehub.synthetic.codes import AbuseType as A
from carehub.synthetic.codes import Channel, Community, PolicePerpetrator, age_band
from carehub.synthetic.codes import OrganisationKind as Kind
from carehub.synthetic.codes import ServiceType as T
from carehub.synthetic.directory import ABUSE_TYPES, BOROUGH_CODES, SERVICE_TYPES
from carehub.synthetic.heritage import HERITAGES
from carehub.synthetic.population import Survivors
from carehub.synthetic.risk import Risk, draw_risk
from carehub.synthetic.sampling import DAY, NA, bernoulli, choose

CHANNELS = {Channel.SELF: 0.27, Channel.PROFESSIONAL: 0.58, Channel.API: 0.15}
SEALED_CHANNELS = {Channel.SELF: 0.6, Channel.PROFESSIONAL: 0.4}
SEALED_SHARE = 0.003  # referrals about abuse by a serving or former police officer or police staff
POLICE_ROLES = {PolicePerpetrator.SERVING: 0.6, PolicePerpetrator.FORMER: 0.25, PolicePerpetrator.STAFF: 0.15}

ABUSE_RATES: dict[str, float] = {
    A.PHYSICAL: 0.48,
    A.SEXUAL: 0.16,
    A.THREATENING: 0.38,
    A.COERCIVE_CONTROL: 0.68,
    A.ECONOMIC: 0.26,
    A.PSYCHOLOGICAL: 0.72,
    A.STALKING: 0.22,
    A.HONOUR_BASED: 0.012,
    A.FORCED_MARRIAGE: 0.006,
    A.FGM: 0.003,
    A.TECH_FACILITATED: 0.16,
    A.NON_PARTNER_SEXUAL: 0.04,
    A.TRAFFICKING: 0.006,
}
# Needs in the order routing looks at them: the first a referral has is the service she is routed to.
NEED_PRIORITY = (T.REFUGE, T.ISVA, T.IDVA, T.CHILDREN, T.LEGAL_IMMIGRATION, T.COUNSELLING, T.OUTREACH)
NEED_PRIORITY += (T.ADVICE_LINE, T.HELPLINE)
RELATIONSHIPS = {"ex-partner": 0.42, "current partner": 0.36, "family member": 0.12, "other known person": 0.06}
RELATIONSHIPS |= {"": 0.04}

REFERRER_KINDS = {
    Channel.PROFESSIONAL: {
        Kind.POLICE: 0.42,
        Kind.HEALTH: 0.22,
        Kind.SOCIAL_CARE: 0.16,
        Kind.OTHER_AGENCY: 0.2,
    },
    Channel.API: {Kind.POLICE: 0.85, Kind.HEALTH: 0.15},
}
SEALED_REFERRER_KINDS = {
    Kind.HEALTH: 0.4,
    Kind.SOCIAL_CARE: 0.25,
    Kind.OTHER_AGENCY: 0.35,
}


@dataclass
class Intake:
    channel: np.ndarray
    referring_org: np.ndarray  # organisation slug or None
    perpetrator_police: np.ndarray
    relationship: np.ndarray
    borough: np.ndarray  # ONS code or ""
    age_band: np.ndarray
    ages: np.ndarray  # whole years at referral; NA when unknown
    abuse_mask: np.ndarray  # bit k: ABUSE_TYPES[k]
    needs_mask: np.ndarray  # bit k: SERVICE_TYPES[k]
    primary_need: np.ndarray  # index into SERVICE_TYPES
    wants_by_and_for: np.ndarray  # community code or ""
    language: np.ndarray
    interpreter: np.ndarray
    has_nrpf: np.ndarray
    risk: Risk  # the DASH checklist as it would be answered at triage
    worker_gender: np.ndarray  # the caseworker gender she asked for, or ""


def draw_channels(rng: np.random.Generator, n: int) -> np.ndarray:
    return choose(rng, CHANNELS, n)


def draw_sealed(rng: np.random.Generator, received: np.ndarray, now: int, channel: np.ndarray) -> np.ndarray:
    """About 0.3% of referrals; a few at least even in a small data set, two of them recent, so the sealed pathway
    shows open cases. A sealed referral comes from the survivor herself or a professional outside the police.
    """
    n = len(received)
    count = min(n, max(round(n * SEALED_SHARE), 4))
    recent = np.flatnonzero(received > now - 45 * DAY)
    chosen = rng.choice(recent, size=min(2, len(recent), count), replace=False)
    others = np.setdiff1d(np.arange(n), chosen)
    chosen = np.concatenate([chosen, rng.choice(others, size=count - len(chosen), replace=False)])
    sealed = np.zeros(n, dtype=bool)
    sealed[chosen] = True
    channel[sealed] = choose(rng, SEALED_CHANNELS, count)
    return sealed


def draw_intake(
    rng: np.random.Generator,
    survivors: Survivors,
    survivor: np.ndarray,
    received: np.ndarray,
    channel: np.ndarray,
    sealed: np.ndarray,
) -> Intake:
    n = len(survivor)
    heritage = survivors.heritage[survivor]
    borough = survivors.borough[survivor]
    ages = _ages(survivors, survivor, received)
    abuse = _abuse(rng, heritage, ages, survivors.insecure[survivor])
    risk = draw_risk(rng, abuse, channel)
    needs = _needs(rng, abuse, ages, survivors.insecure[survivor], risk.visible_high | risk.judged_high, sealed)
    police = np.full(n, PolicePerpetrator.NO.value, dtype=object)
    police[sealed] = choose(rng, POLICE_ROLES, int(sealed.sum()))
    police[~sealed & bernoulli(rng, 0.004, n)] = PolicePerpetrator.UNKNOWN.value
    interpreter = survivors.columns["interpreter_needed"][survivor]
    return Intake(
        channel=channel,
        referring_org=_referrers(rng, channel, borough, sealed),
        perpetrator_police=police,
        relationship=_relationships(rng, abuse),
        borough=np.where(borough == NA, "", np.array(BOROUGH_CODES, dtype=object)[borough]),
        age_band=_age_bands(ages, survivors.age_withheld[survivor]),
        ages=ages,
        abuse_mask=abuse,
        needs_mask=needs,
        primary_need=_primary(needs),
        wants_by_and_for=_wants_by_and_for(rng, survivors, survivor),
        language=survivors.columns["first_language"][survivor],
        interpreter=interpreter == True,  # noqa: E712 - an object array of True/False/None
        has_nrpf=survivors.nrpf[survivor],
        risk=risk,
        worker_gender=_worker_gender(rng, survivors.male[survivor]),
    )


def mask_to_json(masks: np.ndarray, vocabulary: tuple[str, ...]) -> np.ndarray:
    """JSON lists of codes for bit masks, each distinct mask encoded once."""
    unique, inverse = np.unique(masks, return_inverse=True)
    encoded = [json.dumps([code for k, code in enumerate(vocabulary) if m >> k & 1]) for m in unique.tolist()]
    return np.array(encoded, dtype=object)[inverse]


def _bit(code: str, vocabulary: tuple[str, ...] = ABUSE_TYPES) -> int:
    return 1 << vocabulary.index(code)


def _ages(survivors: Survivors, survivor: np.ndarray, received: np.ndarray) -> np.ndarray:
    """Age in whole years at each referral; NA when her date of birth is unknown."""
    dob = survivors.dob_days[survivor]
    years = ((received // DAY - dob) / 365.25).astype(np.int64)
    return np.where(dob == NA, NA, years)


def _age_bands(ages: np.ndarray, withheld: np.ndarray) -> np.ndarray:
    bands = {a: age_band(a) for a in np.unique(ages[ages != NA]).tolist()}
    out = np.array([bands.get(a, "") for a in ages.tolist()], dtype=object)
    out[withheld] = "prefer_not_to_say"
    return out


def _abuse(rng: np.random.Generator, heritage: np.ndarray, ages: np.ndarray, insecure: np.ndarray) -> np.ndarray:
    n = len(heritage)
    honour = np.array([h.honour for h in HERITAGES])[heritage]
    fgm = np.array([h.fgm for h in HERITAGES])[heritage]
    young = (ages != NA) & (ages < 25)
    mask = np.zeros(n, dtype=np.int64)
    for code, rate in ABUSE_RATES.items():
        p = np.full(n, rate)
        if code in (A.HONOUR_BASED, A.FORCED_MARRIAGE):
            p = p * honour * np.where(young & (code == A.FORCED_MARRIAGE), 2.5, 1.0)
        elif code == A.FGM:
            p = p * fgm
        elif code == A.TRAFFICKING:
            p = p * np.where(insecure, 5.0, 1.0)
        mask |= np.where(rng.random(n) < p, _bit(code), 0)
    mask[mask == 0] = _bit(A.COERCIVE_CONTROL)
    return mask


def _has(mask: np.ndarray, *codes: str) -> np.ndarray:
    bits = sum(_bit(c) for c in codes)
    return (mask & bits) != 0


def _needs(
    rng: np.random.Generator,
    abuse: np.ndarray,
    ages: np.ndarray,
    insecure: np.ndarray,
    high: np.ndarray,
    sealed: np.ndarray,
) -> np.ndarray:
    n = len(abuse)
    sexual = _has(abuse, A.SEXUAL, A.NON_PARTNER_SEXUAL)
    young = (ages != NA) & (ages < 25)
    rates = {
        T.IDVA: np.where(sexual & ~_has(abuse, A.PHYSICAL, A.COERCIVE_CONTROL), 0.2, 0.55),
        T.ISVA: np.where(sexual, 0.6, 0.02),
        T.HELPLINE: np.full(n, 0.05),
        T.ADVICE_LINE: np.full(n, 0.08),
        T.COUNSELLING: np.where(sexual, 0.4, 0.22),
        T.REFUGE: np.where(high, 0.22, 0.06),
        T.OUTREACH: np.full(n, 0.22),
        T.LEGAL_IMMIGRATION: np.where(insecure, 0.45, 0.05),
        T.CHILDREN: np.where(young, 0.3, 0.03),
    }
    mask = np.zeros(n, dtype=np.int64)
    for code, p in rates.items():
        mask |= np.where(rng.random(n) < p, 1 << SERVICE_TYPES.index(code), 0)
    mask[mask == 0] = np.where(sexual[mask == 0], _bit(T.ISVA, SERVICE_TYPES), _bit(T.IDVA, SERVICE_TYPES))
    mask[sealed] |= _bit(T.INDEPENDENT_ADVISORY, SERVICE_TYPES)
    return mask


def _primary(needs: np.ndarray) -> np.ndarray:
    primary = np.full(len(needs), SERVICE_TYPES.index(T.INDEPENDENT_ADVISORY))
    for code in reversed(NEED_PRIORITY):
        k = SERVICE_TYPES.index(code)
        primary = np.where((needs >> k) & 1 == 1, k, primary)
    ias = SERVICE_TYPES.index(T.INDEPENDENT_ADVISORY)
    return np.where((needs >> ias) & 1 == 1, ias, primary)


def _relationships(rng: np.random.Generator, abuse: np.ndarray) -> np.ndarray:
    n = len(abuse)
    out = choose(rng, RELATIONSHIPS, n)
    family = _has(abuse, A.HONOUR_BASED, A.FORCED_MARRIAGE, A.FGM)
    out[family] = "family member"
    non_partner = _has(abuse, A.NON_PARTNER_SEXUAL, A.TRAFFICKING) & ~family
    strangers = {"acquaintance": 0.6, "stranger": 0.25, "other known person": 0.15}
    out[non_partner] = choose(rng, strangers, int(non_partner.sum()))
    return out


def _wants_by_and_for(rng: np.random.Generator, survivors: Survivors, survivor: np.ndarray) -> np.ndarray:
    """The community of a by-and-for service she asks for, if any: about one referral in eight."""
    n = len(survivor)
    heritage_community = np.array([str(h.community) for h in HERITAGES], dtype=object)[survivors.heritage[survivor]]
    wants = np.full(n, "", dtype=object)
    options = (
        (survivors.lgbt[survivor], Community.LGBT_PLUS.value, 0.3),
        (survivors.deaf_disabled[survivor], Community.DEAF_DISABLED.value, 0.15),
        (heritage_community != "", heritage_community, 0.2),
        (survivors.insecure[survivor], Community.MIGRANT.value, 0.12),
    )
    for eligible, community, p in options:
        pick = (wants == "") & eligible & bernoulli(rng, p, n)
        wants[pick] = community[pick] if isinstance(community, np.ndarray) else community
    return wants


def _referrers(rng: np.random.Generator, channel: np.ndarray, borough: np.ndarray, sealed: np.ndarray) -> np.ndarray:
    """The sending organisation (slug) for professional and agency-system referrals; None for self-referrals."""
    n = len(channel)
    kind = np.full(n, "", dtype=object)
    for ch, kinds in REFERRER_KINDS.items():
        rows = channel == ch
        kind[rows] = choose(rng, kinds, int(rows.sum()))
    sealed_prof = sealed & (channel == Channel.PROFESSIONAL)
    kind[sealed_prof] = choose(rng, SEALED_REFERRER_KINDS, int(sealed_prof.sum()))
    out = np.full(n, None, dtype=object)
    city = borough == BOROUGH_CODES.index("E09000001")
    east = np.isin(borough, [BOROUGH_CODES.index(c) for c in london.EAST])
    for k, orgs in _orgs_by_kind().items():
        rows = np.flatnonzero(kind == k)
        if not len(rows):
            continue
        weights = np.ones((len(rows), len(orgs)))
        if k == Kind.POLICE:
            # The Met for most of London, the City force for the City; BTP for a few from the transport network.
            weights[:] = [93, 0, 7]
            weights[city[rows]] = [10, 85, 5]
        elif k == Kind.HEALTH:
            weights[east[rows], 0] = 4  # Eastfield General serves east London
        u = rng.random(len(rows))[:, None]
        cumulative = np.cumsum(weights, axis=1) / weights.sum(axis=1, keepdims=True)
        out[rows] = np.array(orgs, dtype=object)[(u > cumulative).sum(axis=1)]
    return out


def _orgs_by_kind() -> dict[str, list[str]]:
    kinds: dict[str, list[str]] = {}
    for org in london.REFERRERS:
        kinds.setdefault(str(org.kind), []).append(org.slug)
    return kinds


def _worker_gender(rng: np.random.Generator, male: np.ndarray) -> np.ndarray:
    """Most survivors state no preference or are not asked; of those who ask, nearly all ask for a woman."""
    out = choose(rng, {"": 0.6, "woman": 0.28, "no_preference": 0.12}, len(male))
    out[male] = choose(rng, {"": 0.6, "man": 0.15, "woman": 0.05, "no_preference": 0.2}, int(male.sum()))
    return out

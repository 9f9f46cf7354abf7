"""The generators' copy of the hub's codes (carehub.synthetic.codes) agrees with the hub's own vocabularies.

The generators may not import Django, so they keep the codes they write as plain enums; a code renamed or dropped in
the hub would otherwise be seeded as a value no form, filter or statistic knows.
"""

from __future__ import annotations

import pytest

from carehub.accounts.models import Organisation
from carehub.cases import models as cases
from carehub.core import choices
from carehub.insight.commissioning.settings import DEFAULT_EVENTS
from carehub.people import monitoring
from carehub.referrals import dash
from carehub.referrals import models as referrals
from carehub.synthetic import codes

PAIRS = [
    (codes.AbuseType, choices.AbuseType),
    (codes.ServiceType, choices.ServiceType),
    (codes.Community, choices.Community),
    (codes.OrganisationKind, Organisation.Kind),
    (codes.Sex, monitoring.Sex),
    (codes.GenderIdentity, monitoring.GenderIdentity),
    (codes.SexualOrientation, monitoring.SexualOrientation),
    (codes.Religion, monitoring.Religion),
    (codes.Disability, monitoring.Disability),
    (codes.PregnancyMaternity, monitoring.PregnancyMaternity),
    (codes.ImmigrationStatus, monitoring.ImmigrationStatus),
    (codes.ReferralStatus, referrals.Status),
    (codes.CaseStatus, cases.CaseStatus),
    (codes.ClosureReason, cases.ClosureReason),
    (codes.AbuseChange, cases.AbuseChange),
    (codes.NotAnswered, cases.NotAnswered),
    (codes.Channel, referrals.Channel),
    (codes.PolicePerpetrator, referrals.PolicePerpetrator),
    (codes.Role, choices.Role),
]


@pytest.mark.parametrize(("ours", "hubs"), PAIRS, ids=lambda enum: enum.__qualname__)
def test_every_generated_code_is_the_hubs_code_of_the_same_name(ours, hubs):
    assert {m.name: m.value for m in ours}.items() <= {m.name: m.value for m in hubs}.items()


def test_a_generated_code_is_the_very_string_the_hub_stores():
    assert codes.Religion.NO_RELIGION == monitoring.Religion.NO_RELIGION == "no_religion"
    assert {codes.Community.SOUTH_ASIAN: 1}[choices.Community.SOUTH_ASIAN] == 1  # same hash: interchangeable as keys
    assert codes.PREFER_NOT_TO_SAY == monitoring.PREFER_NOT_TO_SAY


def test_the_planted_tournaments_are_the_analysis_known_events():
    """synthetic.demand plants a peak in each; the commissioning analysis is tested on finding them by name."""
    assert tuple(month for event in DEFAULT_EVENTS for month in event.months) == codes.TOURNAMENT_MONTHS


@pytest.mark.parametrize(
    ("ours", "hubs"),
    [
        (codes.AbuseType, choices.AbuseType),
        (codes.ServiceType, choices.ServiceType),
        (codes.Community, choices.Community),
    ],
    ids=lambda enum: enum.__qualname__,
)
def test_the_vocabularies_drawn_from_whole_are_the_hubs_whole_and_in_order(ours, hubs):
    """synthetic.directory and synthetic.routing draw an index into these lists: a code missing or moved would
    change what every seed writes, and leave the hub's new code unseeded."""
    assert [m.value for m in ours] == list(hubs.values)


def test_the_dash_the_generators_answer_is_the_hubs():
    assert (codes.DASH_ANSWERS, codes.DASH_QUESTION_COUNT) == (dash.ANSWERS, dash.QUESTION_COUNT)


def test_every_age_falls_in_the_hubs_band():
    assert [codes.age_band(age) for age in [None, *range(0, 121)]] == [
        monitoring.age_band(age) for age in [None, *range(0, 121)]
    ]

"""The demo's organisations are invented: none may be taken for a real charity, hospital or helpline.

A demo that lists a real charity's name beside made-up waiting times and caseloads misinforms whoever sees it, and
may send a survivor looking for a service that is not what the demo says. Public bodies that any London hub works
with by their real names (the police forces, the Mayor's Office for Policing and Crime, funders) are not in question.
"""

from __future__ import annotations

import re

import pytest

from carehub.demo.personas import PERSONAS
from carehub.synthetic import london
from tests.world import ORGANISATIONS

# Names of real organisations, or the distinctive part of one, that the demo's names must not contain.
REAL = (
    "Sistah",  # Sistah Space, Hackney
    "Solace",  # Solace Women's Aid
    "Women's Aid",  # the federation, and many real local members
    "Kiran",
    "Kanan",
    "Ashiana",
    "Southall Black Sisters",
    "Latin American Women's Rights",
    "Latin American Women's Aid",
    "Nuevo Camino",
    "Galop",
    "Haven",  # the Havens, London's sexual assault referral centres
    "Rape Crisis",
    "Women and Girls Network",
    "Justice for Women",
    "Rights of Women",
    "Aurora",  # Aurora New Dawn
    "Paladin",
    "Suzy Lamplugh",
    "National Stalking",
    "Stalking Advocacy Service",
    "Tech Safety",  # Refuge's tech safety service
    "Karma Nirvana",
    "Hourglass",
    "Hestia",
    "Imkaan",
    "IKWRO",
    "Stay Safe East",
    "SignHealth",
    "Standing Together",
    "Victim Support",
    "Open Door",
    "Royal London",
    "National Domestic Abuse Helpline",
)
PUBLIC_BODIES = {london.COMMISSIONER_SLUG} | {o.slug for o in london.POLICE}


def demo_names() -> list[str]:
    names = []
    for org in london.ORGANISATIONS:
        if org.slug not in PUBLIC_BODIES:
            names += [org.name, org.slug] + [s.name for s in org.services]
    names += [p.organisation_slug for p in PERSONAS if p.organisation_slug not in PUBLIC_BODIES]
    names += [slug for slug, name, *_ in ORGANISATIONS.values() if slug not in PUBLIC_BODIES]
    names += [name for slug, name, *_ in ORGANISATIONS.values() if slug not in PUBLIC_BODIES]
    return names


def resembles(name: str, real: str) -> bool:
    """Word for word, ignoring case, hyphens and apostrophes (slugs spell "Women's Aid" as "womens-aid")."""

    def words(text: str) -> str:
        return " ".join(re.findall(r"[a-z0-9]+", text.lower().replace("'", "")))

    return f" {words(real)} " in f" {words(name)} "


@pytest.mark.parametrize("real", REAL)
def test_no_demo_organisation_or_service_resembles_a_real_one(real: str) -> None:
    assert not [name for name in demo_names() if resembles(name, real)]


def test_the_check_sees_slugs_and_names_alike() -> None:
    assert resembles("sistah-space-east", "Sistah Space") and resembles("Southside Women's Aid", "Women's Aid")
    assert resembles("southside-womens-aid", "Women's Aid") and not resembles("Havens Lane", "Haven")

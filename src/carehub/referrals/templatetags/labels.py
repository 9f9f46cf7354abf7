"""`{{ codes|labels:"need" }}`: stored codes as the words people use, never the codes themselves.

Referrals keep needs, abuse types, communities and languages as codes (they are filtered and counted); a page shows
them through this one filter, so "idva, legal_immigration" never reaches a reader.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from carehub.core.choices import AbuseType, Community, Language, ServiceType
from carehub.core.london import BOROUGHS
from carehub.referrals.forms import PerpetratorRelationship  # choices reach pages through forms (.importlinter)

register = template.Library()

# Shorter than the directory's labels, and in the words a practitioner says aloud.
NEED_LABELS = {
    **dict(ServiceType.choices),
    ServiceType.IDVA: "IDVA (independent domestic violence advocate)",
    ServiceType.ISVA: "ISVA (independent sexual violence advocate)",
    ServiceType.LEGAL_IMMIGRATION: "immigration legal advice",
}

KINDS: dict[str, dict[str, str]] = {
    "need": NEED_LABELS,
    "abuse": dict(AbuseType.choices),
    "community": dict(Community.choices),
    "language": dict(Language.choices),
    "borough": BOROUGHS,
    "relationship": dict(PerpetratorRelationship.choices),
}


def label_of(kind: str, code: str) -> str:
    """One code's label; an unknown code reads "Other" rather than leaking a code onto a page."""
    if not code:
        return ""
    return KINDS[kind].get(code, "Other")


@register.filter
def labels(codes: Iterable[str] | str | None, kind: str) -> str:
    """Codes of one kind as their labels joined by "; ": a single code is accepted too."""
    if not codes:
        return ""
    if isinstance(codes, str):
        codes = [codes]
    return "; ".join(label_of(kind, code) for code in codes)

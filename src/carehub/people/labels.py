"""How a survivor is named on a list of records: a short label that tells two rows apart without naming her.

A list is read on a shared screen, over a shoulder, in a screenshot attached to an e-mail. Initials and her year of
birth are enough for a worker to find the row she means and too little to recognise a woman; the full name is shown
only where `accounts.policy` says this user may see it on a list. The caller has decided, and audits the read.
"""

from __future__ import annotations

from carehub.people.models import Identity

ERASED = "Identity erased"


def initials_and_year(identity: Identity | None) -> str:
    """ "A. B. (1990)" becomes "AB (1990)"; "No name given" when she gave none."""
    if identity is None:
        return ERASED
    initials = "".join(part[0].upper() for part in (identity.given_name, identity.family_name) if part)
    year = f" ({identity.date_of_birth.year})" if identity.date_of_birth else ""
    return (initials or "No name given") + year


def case_label(identity: Identity | None, *, named: bool) -> str:
    """Her name where the policy allows it on a list, otherwise initials and year of birth."""
    if identity is None:
        return ERASED
    return identity.display_name if named else initials_and_year(identity)

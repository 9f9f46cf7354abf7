"""Finding a survivor's referrals and cases from what she says on the phone, within what the worker may see.

Every look-up goes through keyed hashes: the survivor's exact look-up columns (people.models.lookups_for) and her
linkage keys (people.linkage_keys), which tolerate one typing slip in a name. Nothing is decrypted to be compared; only
the few results the policy lets this worker see are opened, to show their safe labels.

Survivors matched by the hashes are only candidates: the answer is the referrals and cases among them that
`accounts.policy` gives this user. A match outside her scope (another service's case, a sealed record) is dropped
before anything is counted, so the page, and the audit event, are exactly those of a search that found nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import jellyfish
from django.db.models import Q, Value

from carehub.accounts import policy
from carehub.audit import services as audit
from carehub.audit.models import Action, EventType
from carehub.cases.models import Case
from carehub.core.compound import union_all
from carehub.people import crypto, labels
from carehub.people.linkage_keys import KINDS, dob_features, keyed, near_keys, one_edit_neighbourhood
from carehub.people.models import PARTIAL_DOB_FIELDS, LinkageRecord, Survivor
from carehub.referrals.models import Referral
from carehub.search.query import Kind, Query

MAX_RESULTS = 50  # a search that matches more than this was not specific enough to be a search for one woman
CANDIDATE_LIMIT = MAX_RESULTS * 20  # linkage-key candidates read for one search, before their names are compared


@dataclass(frozen=True)
class Found:
    """What one search found: referrals and cases the user may open, newest first."""

    referrals: list[Referral]
    cases: list[Case]

    @property
    def count(self) -> int:
        return len(self.referrals) + len(self.cases)


def search(*, user, query: Query) -> Found:
    """Run a parsed search for this user and audit it (its kind and how many results, never what was typed)."""
    if query.kind == Kind.REFERENCE:
        referrals = policy.referrals_visible_to(user).filter(reference=query.reference)
        cases = policy.cases_visible_to(user).filter(referral__reference=query.reference)
    else:
        survivor_ids = list(_candidate_survivors(query))
        referrals = policy.referrals_visible_to(user).filter(survivor_id__in=survivor_ids)
        cases = policy.cases_visible_to(user).filter(survivor_id__in=survivor_ids)
    found = Found(
        referrals=list(referrals.select_related("survivor__data_key").order_by("-received_at")[:MAX_RESULTS]),
        cases=list(cases.select_related("survivor__data_key", "service").order_by("-opened_at")[:MAX_RESULTS]),
    )
    # audit.record appends in a transaction of its own: an outer one here would only add a savepoint's round trips.
    audit.record(
        actor=user,
        action=Action.SEARCH,
        object_type="survivor",
        changes={"kind": str(query.kind), "results": found.count},
        event=EventType.SURVIVOR_SEARCHED,
    )
    return found


def _candidate_survivors(query: Query) -> Iterable[int]:
    if query.kind == Kind.PHONE:
        return _by_phone(query.phone)
    if query.kind == Kind.NAME_DOB:
        return _by_name_and_dob(query)
    if query.kind == Kind.POSTCODE_NAME:
        return _by_postcode_and_name(query)
    return []


def _by_phone(phone: str) -> set[int]:
    digest = crypto.lookup_hash("phone", crypto.normalise_phone(phone))
    return set(Survivor.objects.filter(phone_lookup=digest).values_list("pk", flat=True)) if digest else set()


def _by_name_and_dob(query: Query) -> set[int]:
    """Exact family name and date first; then the linkage keys: the exact date with a name one slip away, or an
    exact name with one part of the date mistyped (day and month swapped, a wrong year). Both arms in one round
    trip (core.compound.union_all): the hash arm's survivors are found as they are, the linkage arm's candidates
    when their names agree (_names_agree)."""
    assert query.date_of_birth is not None
    iso = query.date_of_birth.isoformat()
    exact = {crypto.lookup_hash("name_dob", crypto.normalise_name(name) + "|" + iso) for name in query.names}
    by_hash = (
        Survivor.objects.filter(name_dob_lookup__in=exact)
        .order_by()
        .annotate(_exact=Value(True), **{f"_{column}": Value("") for column in _NAME_COLUMNS})
        .values_list("pk", "_exact", *(f"_{column}" for column in _NAME_COLUMNS))
    )
    dob = dob_features(query.date_of_birth)
    names = [keyed("name", crypto.normalise_name(n)) for n in query.names]
    # One condition per name column and partial date, so each is an index condition on linkage_family_dob_idx or
    # linkage_given_dob_idx (a name AND (one part OR another) would read every woman of that name from the table).
    wanted = Q(dob=keyed("dob", dob["dob"]))
    for field in PARTIAL_DOB_FIELDS:
        part = {field: keyed(KINDS[field], dob[field])}
        wanted |= Q(family__in=names, **part) | Q(given__in=names, **part)
    by_keys = (
        LinkageRecord.objects.filter(wanted)
        .order_by()
        .annotate(_exact=Value(False))
        .values_list("survivor_id", "_exact", *_NAME_COLUMNS)[:CANDIDATE_LIMIT]
    )
    rows = union_all(by_hash, by_keys)
    found = {row[0] for row in rows if row[1]}
    return found | _names_agree([(row[0], *row[2:]) for row in rows if not row[1]], query.names)


def _by_postcode_and_name(query: Query) -> set[int]:
    candidates = LinkageRecord.objects.filter(postcode=keyed("postcode", crypto.normalise_postcode(query.postcode)))
    return _names_agree(candidates.values_list("survivor_id", *_NAME_COLUMNS)[:CANDIDATE_LIMIT], query.names)


# The linkage keys a candidate's names are compared on (_names_agree), in its order.
_NAME_COLUMNS = ("given", "family", "given_near", "family_near", "given_metaphone", "family_metaphone")


def _names_agree(rows: Iterable[tuple], typed: tuple[str, ...]) -> set[int]:
    """Candidates whose names agree with every typed name: exactly, by sound, or within one typing slip. `rows`:
    (survivor_id, *_NAME_COLUMNS) of at most CANDIDATE_LIMIT candidates."""
    wanted = [_name_keys(name) for name in typed]
    found = set()
    for survivor_id, given, family, given_near, family_near, given_meta, family_meta in rows:
        held_exact = {given, family} - {""}
        held_near = set(near_keys(given_near)) | set(near_keys(family_near))
        held_meta = {given_meta, family_meta} - {""}
        if all(exact in held_exact or near & held_near or meta in held_meta for exact, near, meta in wanted):
            found.add(survivor_id)
    return found


def _name_keys(name: str) -> tuple[str, set[str], str]:
    normalised = crypto.normalise_name(name)
    near = {keyed("name_near", item) for item in one_edit_neighbourhood(normalised)} if normalised else set()
    meta = keyed("metaphone", jellyfish.metaphone(normalised)) if normalised else ""
    return keyed("name", normalised), near, meta


def safe_label(survivor: Survivor) -> str:
    """Initials and year of birth: enough to tell two results apart on a shared screen, too little to name her."""
    return labels.initials_and_year(survivor.identity)

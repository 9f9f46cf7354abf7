"""`carehub extract`: the only bridge from the hub's database to analysis. Pseudonymised Parquet, nothing else.

What leaves, and what never does:
- no names, contact details, references or free text; survivors and referrals appear as keyed pseudonyms (HMAC under
  CAREHUB_HASH_KEY), stable across extracts so analysts can follow a survivor over time, useless without the key;
- `survivor_key` is the key of the person, not of one survivor record: records a hub worker confirmed to be the same
  woman (repeats.services.match_decide, Survivor.person) share one key, so analysts cluster by person and a repeat
  referral on another of her records counts. It is the pseudonym of the person's lowest survivor id, so an unlinked
  survivor's key is what it always was; when a confirmation joins her to an earlier record, her key becomes that
  person's;
- dates stay (analysis needs durations), but no date of birth: age appears only as an age band;
- immigration status is never exported at person level: `immigration.parquet` is a table of counts, the number of
  referrals (column `referrals`) for each combination of quarter, secure/insecure/unknown status and the outcome
  flags, so equality analysis can still see who is left behind (the engine reads it with `weight = "referrals"`);
- nothing of the sealed pathway leaves without `--sealed-pathway`, in any file: its referrals, cases and counts are
  left out, and nothing in the other rows depends on them (a sealed referral is never a survivor's "later referral"),
  so the files are row for row, byte for byte, what they would be had no sealed record ever been written.
  `--sealed-pathway` writes them to files of their own (`sealed_*.parquet`) for the independent advisory service;
- `offers.parquet` has one row per offer (service type, the offered service's key, by-and-for, status, coded decline
  reason) for unmet need;
  the service's own words about a decline never leave. Wait stages in referrals.parquet (days to acceptance, first
  contact, allocation) are None while she is still waiting at the end of the data, with `days_observed` beside them
  so analysis censors rather than drops her;
- `services.parquet` has one row per service in the directory (its key as offers and referrals carry it, its type,
  caseworker FTE as its managers keep it, None when not recorded, and the open cases it can hold): not about anyone,
  so commissioning can set today's staffing against forecast demand. The independent advisory service is left out
  with the rest of the sealed pathway (`sealed_services.parquet` with `--sealed-pathway`);
- `episodes.parquet` has one row per episode of support (a case that opened), for the duration analysis
  (insight.duration): start and end dates, what was known at referral (risk, DASH, MARAC, previous referrals,
  needs), the service, her equality groups, how follow-up can end other than by a repeat (moved away or died, from
  the closure reason; her record erased) and the outcome: the dates of her next referral after support started and
  after it ended, on any of her records, onward referrals left out (continuity of support, not coming back);
- identifiers are keyed pseudonyms, never primary keys: a gap in a run of ids would say that a record was left out.
Every extract writes an audit event naming what was written.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import hmac
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.db.models import Exists, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from carehub.accounts.models import Organisation
from carehub.audit import services as audit
from carehub.audit.models import Action, EventType
from carehub.cases.commissioning import closed_case_rows
from carehub.cases.models import Case, CaseStatus, ClosureReason, Contact, MeasureStage, OnwardReferral, OutcomeMeasure
from carehub.core.choices import ServiceType
from carehub.core.dates import add_months
from carehub.directory.models import Service
from carehub.people.monitoring import INSECURE_IMMIGRATION_STATUSES, ethnic_group
from carehub.referrals.models import Offer, Referral

CHUNK = 20_000
REFERRAL_SCHEMA = pa.schema(
    [
        ("referral_key", pa.string()),
        ("survivor_key", pa.string()),
        ("received_at", pa.timestamp("us", tz="UTC")),
        ("quarter", pa.string()),
        ("borough", pa.string()),
        ("channel", pa.string()),
        ("age_band", pa.string()),
        ("ethnicity", pa.string()),
        ("ethnic_group", pa.string()),
        ("sex", pa.string()),
        ("gender_identity", pa.string()),
        ("gender_same_as_sex", pa.string()),
        ("sexual_orientation", pa.string()),
        ("disability", pa.string()),
        ("religion", pa.string()),
        ("wants_by_and_for", pa.bool_()),
        ("offered_by_and_for", pa.bool_()),
        ("accepted", pa.bool_()),
        ("days_to_offer", pa.float64()),
        ("days_waiting", pa.float64()),
        # Wait stages for commissioning (insight.commissioning): days from receipt to each step, None while she is
        # still waiting at the end of the data (censored at days_observed, not dropped).
        ("need", pa.string()),
        ("days_to_acceptance", pa.float64()),
        ("days_to_first_contact", pa.float64()),
        ("days_to_allocation", pa.float64()),
        ("days_observed", pa.float64()),
        # The service she was routed to (keyed, as people are; None while unrouted): each service manager's own
        # demand, waits and waiting list (commissioning.selectors maps her services to these keys).
        ("service_key", pa.string()),
        ("risk_level", pa.string()),
        ("sealed", pa.bool_()),
        ("closed", pa.bool_()),
        ("positive_outcome", pa.bool_()),
        ("support_weeks", pa.float64()),
        ("repeat_within_12_months", pa.bool_()),
        # Record keys 0..255 for the commissioning evidence's cell-key perturbation (insight.commissioning.protect):
        # the referral's, and her person's (the same on each of her referrals, for counts of women).
        ("record_key", pa.int64()),
        ("person_record_key", pa.int64()),
    ]
)
# Written only with --sealed-pathway, and removed from the folder by a run without it.
SEALED_FILES = (
    "sealed_referrals.parquet",
    "sealed_immigration.parquet",
    "sealed_closed_cases.parquet",
    "sealed_offers.parquet",
    "sealed_episodes.parquet",
    "sealed_services.parquet",
)
# One row per offer: unmet need by coded decline reason, service type and by-and-for. The service's own words
# (decline_detail) never leave: free text can name her.
OFFER_SCHEMA = pa.schema(
    [
        ("referral_key", pa.string()),
        ("offered_at", pa.timestamp("us", tz="UTC")),
        ("quarter", pa.string()),
        ("service_type", pa.string()),
        ("service_key", pa.string()),  # the service offered, keyed as referrals' service_key: its manager's declines
        ("by_and_for", pa.bool_()),
        ("status", pa.string()),
        ("decline_reason", pa.string()),
        ("days_to_response", pa.float64()),
        ("record_key", pa.int64()),  # the offer's, for cell-key perturbation (as referrals' record_key)
    ]
)
# One row per service in the directory: today's staffing for commissioning's queue model. Nothing about a person.
SERVICE_SCHEMA = pa.schema(
    [
        ("service_key", pa.string()),  # keyed as referrals' and offers' service_key
        ("service_type", pa.string()),
        ("caseworker_fte", pa.float64()),  # None: not recorded (never 0, which would be a service without staff)
        ("capacity", pa.int64()),  # open cases it can hold at once
        ("accepting_referrals", pa.bool_()),
    ]
)
# One row per episode of support: a case that opened by the end of the data (insight.duration reads it).
EQUALITY_COLUMNS = (
    "ethnicity", "ethnic_group", "sex", "gender_identity", "gender_same_as_sex", "sexual_orientation", "disability",
    "religion",
)  # fmt: skip
EPISODE_SCHEMA = pa.schema(
    [
        ("episode_key", pa.string()),
        ("survivor_key", pa.string()),
        ("started_on", pa.date32()),
        ("ended_on", pa.date32()),  # None while support continues at the end of the data
        ("closure_reason", pa.string()),
        ("service_type", pa.string()),
        ("by_and_for", pa.bool_()),
        ("continued_from_earlier_case", pa.bool_()),  # reached this service by onward referral
        ("risk_level", pa.string()),
        ("dash_score", pa.int64()),
        ("marac", pa.bool_()),
        ("previous_referrals", pa.int64()),  # her referrals before this one, on any of her records, onward left out
        ("needs", pa.int64()),  # how many kinds of service she asked for
        ("age_band", pa.string()),
        ("borough", pa.string()),
        *((name, pa.string()) for name in EQUALITY_COLUMNS),
        ("competing_event", pa.string()),  # "moved_away", "died", "erased" or None
        ("competing_on", pa.date32()),
        ("next_referral_on", pa.date32()),  # her first referral on a later day than support started
        ("next_referral_after_end_on", pa.date32()),  # ... on a later day than support ended
        ("extract_on", pa.date32()),  # the last day of the data, the same on every row: follow-up ends here
    ]
)
COMPETING_REASONS = {ClosureReason.MOVED_AWAY: "moved_away", ClosureReason.DIED: "died"}
# The flags counted with immigration status: each combination that occurs is one row of immigration.parquet.
IMMIGRATION_FLAGS = ("sealed", "wants_by_and_for", "offered_by_and_for", "accepted", "closed", "positive_outcome")


def pseudonym(kind: str, value: int) -> str:
    digest = hmac.new(settings.HASH_KEY.encode(), f"extract:{kind}:{value}".encode(), hashlib.sha256)
    return digest.hexdigest()[:20]


def record_key(kind: str, value: int) -> int:
    """A record's key 0..255 for cell-key perturbation: a keyed hash like the pseudonyms, so the small change each
    published count receives is one no reader without the key can work out, and the same record keeps its key from
    one extract to the next (the same women, the same published number)."""
    digest = hmac.new(settings.HASH_KEY.encode(), f"extract:record_key:{kind}:{value}".encode(), hashlib.sha256)
    return digest.digest()[0]


def service_key(service_id: int) -> str:
    """A service's key in the extract: the same pseudonymising as people's, so the file names no organisation."""
    return pseudonym("service", service_id)


def quarter_of(moment: dt.datetime) -> str:
    return f"{moment.year}Q{(moment.month - 1) // 3 + 1}"


@dataclass
class ExtractSummary:
    files: dict[str, int] = field(default_factory=dict)


def _person():
    """The person a referral's survivor is (Survivor.person), or the survivor herself while no link joins her."""
    return Coalesce("survivor__person", "survivor_id")


def _later_referrals(*, sealed: bool) -> dict[int, list[dt.datetime]]:
    """Each person's referral dates, sorted, to find the next referral after a case closed: on any of her survivor
    records. Onward referrals are left out, as in cases.commissioning: continuity of support, not coming back.

    Only referrals on the same side of the seal as the file being written: a sealed referral must never turn an
    unsealed row's `repeat_within_12_months` to True (the sealed pathway is never linked to anyone anyway)."""
    dates: dict[int, list[dt.datetime]] = defaultdict(list)
    onward = OnwardReferral.objects.filter(referral_id=OuterRef("pk"))
    for person, received_at in (
        Referral.objects.filter(~Exists(onward), sealed=sealed)
        .annotate(person=_person())
        .order_by("person", "received_at")
        .values_list("person", "received_at")
        .iterator(chunk_size=CHUNK)
    ):
        dates[person].append(received_at)
    return dates


def _referral_rows(*, sealed: bool):
    by_and_for = Offer.objects.filter(referral=OuterRef("pk"), service__organisation__kind=Organisation.Kind.BY_AND_FOR)
    first_case = Case.objects.filter(referral=OuterRef("pk")).order_by("accepted_at", "pk")
    first_contact = Contact.objects.filter(case__referral=OuterRef("pk")).order_by("on")
    closing = OutcomeMeasure.objects.filter(case__referral=OuterRef("pk"), stage=MeasureStage.CLOSURE)
    starting = OutcomeMeasure.objects.filter(case__referral=OuterRef("pk"), stage=MeasureStage.START)
    return (
        Referral.objects.filter(sealed=sealed)
        .annotate(
            person=_person(),
            offered_by_and_for=Exists(by_and_for),
            first_offer_at=Min("offers__offered_at"),
            case_accepted_at=Subquery(first_case.values("accepted_at")[:1]),
            first_contact_on=Subquery(first_contact.values("on")[:1]),
            case_opened_at=Subquery(first_case.values("opened_at")[:1]),
            case_closed_at=Subquery(first_case.values("closed_at")[:1]),
            case_status=Subquery(first_case.values("status")[:1]),
            closing_safe=Subquery(closing.order_by("-recorded_at").values("feels_safe")[:1]),
            starting_safe=Subquery(starting.order_by("recorded_at").values("feels_safe")[:1]),
        )
        .values(
            "pk",
            "person",
            "received_at",
            "routed_service_id",
            "borough",
            "channel",
            "age_band",
            "wants_by_and_for",
            "risk_level",
            "sealed",
            "offered_by_and_for",
            "first_offer_at",
            "needs",
            "case_accepted_at",
            "first_contact_on",
            "case_opened_at",
            "case_closed_at",
            "case_status",
            "closing_safe",
            "starting_safe",
            "survivor__ethnicity",
            "survivor__sex",
            "survivor__gender_identity",
            "survivor__gender_same_as_sex",
            "survivor__sexual_orientation",
            "survivor__disability",
            "survivor__religion",
            "survivor__immigration_status",
        )
        .order_by("pk")
    )


def _days(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
    return None if start is None or end is None else (end - start).total_seconds() / 86400


def _stage(received: dt.datetime, at: dt.datetime | dt.date | None, end_of_data: dt.datetime) -> float | None:
    """Days from receipt to a step, or None while she has not reached it by the end of the data (censored)."""
    if at is None:
        return None
    if not isinstance(at, dt.datetime):  # a contact's date: counted from the day she was referred, in whole days
        return float((at - received.date()).days) if at <= end_of_data.date() else None
    return _days(received, at) if at <= end_of_data else None


def _repeat(closed_at: dt.datetime | None, later: list[dt.datetime], end_of_data: dt.datetime) -> bool | None:
    """A new referral within 12 calendar months of closure; None while the 12 months are not yet over (censored).

    The same window as cases.commissioning's repeat_within_12_months, so the two files agree."""
    if closed_at is None:
        return None
    window_end = add_months(closed_at, 12)
    index = bisect.bisect_right(later, closed_at)
    if index < len(later) and later[index] <= min(window_end, end_of_data):
        return True
    return False if window_end <= end_of_data else None


def _record(v: dict, later: dict[int, list[dt.datetime]], end_of_data: dt.datetime) -> dict:
    safe_change = (
        None if v["closing_safe"] is None or v["starting_safe"] is None else v["closing_safe"] > v["starting_safe"]
    )
    closed = v["case_status"] == CaseStatus.CLOSED
    return {
        "referral_key": pseudonym("referral", v["pk"]),
        "survivor_key": pseudonym("survivor", v["person"]),
        "record_key": record_key("referral", v["pk"]),
        "person_record_key": record_key("person", v["person"]),
        "received_at": v["received_at"],
        "quarter": quarter_of(v["received_at"]),
        "borough": v["borough"],
        "channel": v["channel"],
        "age_band": v["age_band"],
        "ethnicity": v["survivor__ethnicity"],
        "ethnic_group": ethnic_group(v["survivor__ethnicity"]),
        "sex": v["survivor__sex"],
        "gender_identity": v["survivor__gender_identity"],
        "gender_same_as_sex": v["survivor__gender_same_as_sex"],
        "sexual_orientation": v["survivor__sexual_orientation"],
        "disability": v["survivor__disability"],
        "religion": v["survivor__religion"],
        "wants_by_and_for": bool(v["wants_by_and_for"]),
        "offered_by_and_for": bool(v["offered_by_and_for"]),
        "accepted": v["case_status"] is not None,
        "days_to_offer": _days(v["received_at"], v["first_offer_at"]),
        "days_waiting": _days(v["received_at"], v["case_opened_at"]),
        "need": (v["needs"] or [""])[0],  # the first service type she asked for
        "days_to_acceptance": _stage(v["received_at"], v["case_accepted_at"], end_of_data),
        "days_to_first_contact": _stage(v["received_at"], v["first_contact_on"], end_of_data),
        "days_to_allocation": _stage(v["received_at"], v["case_opened_at"], end_of_data),
        "days_observed": max(_days(v["received_at"], end_of_data), 0.0),
        "service_key": None if v["routed_service_id"] is None else service_key(v["routed_service_id"]),
        "risk_level": v["risk_level"],
        "sealed": v["sealed"],
        "closed": closed,
        "positive_outcome": safe_change if closed else None,
        "support_weeks": (_days(v["case_opened_at"], v["case_closed_at"]) or 0) / 7 if closed else None,
        "repeat_within_12_months": _repeat(
            v["case_closed_at"] if closed else None, later.get(v["person"], []), end_of_data
        ),
    }


def _write_referrals(path: Path, *, sealed: bool, later, end_of_data, immigration: Counter | None) -> int:
    written = 0
    with pq.ParquetWriter(path, REFERRAL_SCHEMA, compression="zstd") as writer:
        batch: list[dict] = []
        for v in _referral_rows(sealed=sealed).iterator(chunk_size=CHUNK):
            row = _record(v, later, end_of_data)
            if immigration is not None:
                status = v["survivor__immigration_status"]
                insecure = (
                    "unknown"
                    if status in {"", "unknown", "prefer_not_to_say"}
                    else ("insecure" if status in INSECURE_IMMIGRATION_STATUSES else "secure")
                )
                immigration[(row["quarter"], insecure, *(row[name] for name in IMMIGRATION_FLAGS))] += 1
            batch.append(row)
            if len(batch) >= CHUNK:
                writer.write_table(pa.Table.from_pylist(batch, schema=REFERRAL_SCHEMA))
                written += len(batch)
                batch = []
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=REFERRAL_SCHEMA))
            written += len(batch)
    return written


def _write_immigration(path: Path, counts: Counter) -> int:
    keys = sorted(counts, key=lambda k: tuple("" if v is None else str(v) for v in k))
    table = pa.table(
        {
            "quarter": pa.array([k[0] for k in keys], pa.string()),
            "immigration_status": pa.array([k[1] for k in keys], pa.string()),
            **{name: pa.array([k[2 + i] for k in keys], pa.bool_()) for i, name in enumerate(IMMIGRATION_FLAGS)},
            "referrals": pa.array([counts[k] for k in keys], pa.int64()),
        }
    )
    pq.write_table(table, path)
    return len(keys)


def _write_cases(path: Path, end_of_data: dt.datetime, *, sealed: bool) -> int:
    """Closed cases on one side of the seal. cases.commissioning counts sealed cases with everything else (a
    commissioner's totals include them); the extract must not, so they are picked out here."""
    rows = []
    for row in closed_case_rows(end_of_data=end_of_data):
        if row["sealed"] != sealed:
            continue
        row = dict(row)
        case_id, person_id = row.pop("case_id"), row.pop("person_id")
        del row["survivor_id"]  # her person's key is the one analysis needs, as in referrals.parquet
        row["case_key"] = pseudonym("case", case_id) if case_id is not None else None
        row["survivor_key"] = pseudonym("survivor", person_id) if person_id is not None else None
        rows.append(row)
    if rows:
        pq.write_table(pa.Table.from_pylist(rows), path)
    else:
        pq.write_table(pa.table({"case_key": pa.array([], pa.string())}), path)
    return len(rows)


def _write_offers(path: Path, *, sealed: bool) -> int:
    """Offers on one side of the seal, one row each, in offer order (keyed by referral, never by the offer's id)."""
    rows = [
        {
            "referral_key": pseudonym("referral", v["referral_id"]),
            "offered_at": v["offered_at"],
            "quarter": quarter_of(v["offered_at"]),
            "service_type": v["service__service_type"],
            "service_key": service_key(v["service_id"]),
            "by_and_for": v["service__organisation__kind"] == Organisation.Kind.BY_AND_FOR,
            "status": v["status"],
            "decline_reason": v["decline_reason"],
            "days_to_response": _days(v["offered_at"], v["responded_at"]),
            "record_key": record_key("offer", v["pk"]),
        }
        for v in Offer.objects.filter(referral__sealed=sealed)
        .order_by("referral_id", "offered_at", "pk")
        .values(
            "pk",
            "referral_id",
            "offered_at",
            "service_id",
            "service__service_type",
            "service__organisation__kind",
            "status",
            "decline_reason",
            "responded_at",
        )
        .iterator(chunk_size=CHUNK)
    ]
    pq.write_table(pa.Table.from_pylist(rows, schema=OFFER_SCHEMA), path, compression="zstd")
    return len(rows)


def _write_services(path: Path, *, sealed: bool) -> int:
    """The directory's services on one side of the seal, in key order (never id order: a gap would say something):
    the independent advisory service, where sealed referrals go, is the sealed side."""
    independent = Q(service_type=ServiceType.INDEPENDENT_ADVISORY) | Q(
        organisation__kind=Organisation.Kind.INDEPENDENT_ADVISORY
    )
    chosen = Service.objects.filter(independent) if sealed else Service.objects.exclude(independent)
    rows = sorted(
        (
            {
                "service_key": service_key(v["pk"]),
                "service_type": v["service_type"],
                "caseworker_fte": None if v["caseworker_fte"] is None else float(v["caseworker_fte"]),
                "capacity": v["capacity"],
                "accepting_referrals": v["accepting_referrals"],
            }
            for v in chosen.values("pk", "service_type", "caseworker_fte", "capacity", "accepting_referrals")
        ),
        key=lambda row: row["service_key"],
    )
    pq.write_table(pa.Table.from_pylist(rows, schema=SERVICE_SCHEMA), path)
    return len(rows)


def _next_on(dates: list[dt.date], after: dt.date | None) -> dt.date | None:
    """The first of the sorted `dates` later than `after` (None if none, or `after` is None)."""
    if after is None:
        return None
    index = bisect.bisect_right(dates, after)
    return dates[index] if index < len(dates) else None


def _write_episodes(path: Path, end_of_data: dt.datetime, later: dict[int, list[dt.datetime]], *, sealed: bool) -> int:
    """One row per case that opened by `end_of_data`, on one side of the seal, in case order.

    Dates are London days. A repeat is a referral of the same person (any of her records: Survivor.person) received
    on a later day than support started (or ended) and by the end of the data; `later` already leaves out onward
    referrals (the service referring her on is not her coming back) and the other side of the seal. Moving away and
    dying come from the closure reason, on the day the case closed; an erased record ends follow-up on the day it
    was erased (a later referral of hers could no longer be linked to her)."""
    london = timezone.get_default_timezone()
    last_day = end_of_data.astimezone(london).date()
    days: dict[int, list[dt.date]] = {}

    def referral_days(person: int) -> list[dt.date]:
        if person not in days:
            days[person] = [t.astimezone(london).date() for t in later.get(person, []) if t <= end_of_data]
        return days[person]

    continued = OnwardReferral.objects.filter(referral_id=OuterRef("referral_id"))
    fields = (
        "pk", "person", "opened_at", "closed_at", "status", "closure_reason", "continued", "service__service_type",
        "service__organisation__kind", "referral__received_at", "referral__risk_level", "referral__dash_score",
        "referral__marac", "referral__needs", "referral__age_band", "referral__borough", "survivor__erased_at",
        *(f"survivor__{c}" for c in EQUALITY_COLUMNS if c != "ethnic_group"),
    )  # fmt: skip
    values = (
        Case.objects.filter(sealed=sealed, opened_at__isnull=False, opened_at__lte=end_of_data)
        .annotate(person=_person(), continued=Exists(continued))
        .order_by("pk")
        .values(*fields)
    )
    written = 0
    with pq.ParquetWriter(path, EPISODE_SCHEMA, compression="zstd") as writer:
        batch: list[dict] = []
        for v in values.iterator(chunk_size=CHUNK):
            started = v["opened_at"].astimezone(london).date()
            closed = v["status"] == CaseStatus.CLOSED and v["closed_at"] is not None and v["closed_at"] <= end_of_data
            ended = v["closed_at"].astimezone(london).date() if closed else None
            reason = v["closure_reason"] if closed else None
            competing = [(ended, COMPETING_REASONS[reason])] if reason in COMPETING_REASONS else []
            erased = v["survivor__erased_at"]
            if erased is not None and erased <= end_of_data:
                competing.append((erased.astimezone(london).date(), "erased"))
            competing_on, competing_event = min(competing) if competing else (None, None)
            mine = later.get(v["person"], [])
            row = {
                "episode_key": pseudonym("case", v["pk"]),
                "survivor_key": pseudonym("survivor", v["person"]),
                "started_on": started,
                "ended_on": ended,
                "closure_reason": reason,
                "service_type": v["service__service_type"],
                "by_and_for": v["service__organisation__kind"] == Organisation.Kind.BY_AND_FOR,
                "continued_from_earlier_case": bool(v["continued"]),
                "risk_level": v["referral__risk_level"],
                "dash_score": v["referral__dash_score"],
                "marac": bool(v["referral__marac"]),
                "previous_referrals": bisect.bisect_left(mine, v["referral__received_at"]),
                "needs": len(v["referral__needs"] or []),
                "age_band": v["referral__age_band"],
                "borough": v["referral__borough"],
                **{c: v[f"survivor__{c}"] for c in EQUALITY_COLUMNS if c != "ethnic_group"},
                "ethnic_group": ethnic_group(v["survivor__ethnicity"]),
                "competing_event": competing_event,
                "competing_on": competing_on,
                "next_referral_on": _next_on(referral_days(v["person"]), started),
                "next_referral_after_end_on": _next_on(referral_days(v["person"]), ended),
                "extract_on": last_day,
            }
            batch.append(row)
            if len(batch) >= CHUNK:
                writer.write_table(pa.Table.from_pylist(batch, schema=EPISODE_SCHEMA))
                written += len(batch)
                batch = []
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=EPISODE_SCHEMA))
            written += len(batch)
    return written


def extract_write(
    *, out_dir: Path, actor=None, sealed_pathway: bool = False, end_of_data: dt.datetime | None = None
) -> ExtractSummary:
    """Write the extract into `out_dir`; returns how many rows went into each file.

    `end_of_data` (default now) is the moment the data are taken to end: censoring and "days observed" are counted
    to it, so two extracts with the same end are comparable file for file.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    end_of_data = end_of_data or timezone.now()
    summary = ExtractSummary()
    immigration: Counter = Counter()
    later = _later_referrals(sealed=False)
    summary.files["referrals.parquet"] = _write_referrals(
        out_dir / "referrals.parquet",
        sealed=False,
        later=later,
        end_of_data=end_of_data,
        immigration=immigration,
    )
    summary.files["immigration.parquet"] = _write_immigration(out_dir / "immigration.parquet", immigration)
    summary.files["closed_cases.parquet"] = _write_cases(out_dir / "closed_cases.parquet", end_of_data, sealed=False)
    summary.files["offers.parquet"] = _write_offers(out_dir / "offers.parquet", sealed=False)
    summary.files["episodes.parquet"] = _write_episodes(out_dir / "episodes.parquet", end_of_data, later, sealed=False)
    summary.files["services.parquet"] = _write_services(out_dir / "services.parquet", sealed=False)
    if not sealed_pathway:
        # An earlier run with the flag may have left its sealed files here: they must not leave with this folder.
        for name in SEALED_FILES:
            (out_dir / name).unlink(missing_ok=True)
    else:
        sealed_immigration: Counter = Counter()
        sealed_later = _later_referrals(sealed=True)
        summary.files["sealed_referrals.parquet"] = _write_referrals(
            out_dir / "sealed_referrals.parquet",
            sealed=True,
            later=sealed_later,
            end_of_data=end_of_data,
            immigration=sealed_immigration,
        )
        summary.files["sealed_immigration.parquet"] = _write_immigration(
            out_dir / "sealed_immigration.parquet", sealed_immigration
        )
        summary.files["sealed_closed_cases.parquet"] = _write_cases(
            out_dir / "sealed_closed_cases.parquet", end_of_data, sealed=True
        )
        summary.files["sealed_offers.parquet"] = _write_offers(out_dir / "sealed_offers.parquet", sealed=True)
        summary.files["sealed_episodes.parquet"] = _write_episodes(
            out_dir / "sealed_episodes.parquet", end_of_data, sealed_later, sealed=True
        )
        summary.files["sealed_services.parquet"] = _write_services(out_dir / "sealed_services.parquet", sealed=True)
    audit.record(
        actor=actor,
        action=Action.EXPORT,
        object_type="extract",
        sealed=sealed_pathway,
        changes={"files": summary.files, "end_of_data": end_of_data.isoformat()},
        event=EventType.EXTRACT_WRITTEN,
    )
    return summary

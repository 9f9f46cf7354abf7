"""`carehub extract`: pseudonymised, complete, and nothing that must not leave does; survivor records confirmed to be
one woman share one key, and a referral on any of them counts as her coming back."""

from __future__ import annotations

import datetime as dt

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.utils import timezone

from carehub.audit.models import AuditEvent, SealedAuditEvent
from carehub.cases.models import OnwardReferral
from carehub.extract.writer import pseudonym
from carehub.people.models import Survivor
from carehub.people.monitoring import INSECURE_IMMIGRATION_STATUSES
from carehub.referrals.models import Referral
from carehub.repeats.models import Outcome
from tests.factories import CaseFactory, ReferralFactory
from tests.repeats.helpers import AMINA, AMINA_MISSPELT, closed_case, confirm, intake


@pytest.fixture
def seeded(db):
    call_command("seed", "--referrals", "400", "--seed", "5", "--end-date", "2026-10-31", verbosity=0)


def test_the_extract_holds_every_unsealed_referral_and_no_identity(seeded, tmp_path):
    call_command("extract", "--out", str(tmp_path))
    table = pq.read_table(tmp_path / "referrals.parquet")
    assert table.num_rows == Referral.objects.filter(sealed=False).count()
    assert "immigration_status" not in table.column_names
    assert not any(table.column("sealed").to_pylist())
    everything = " ".join(str(v) for column in table.to_pydict().values() for v in column)
    for referral in Referral.objects.select_related("survivor")[:50]:
        assert referral.reference not in everything
        identity = referral.survivor.identity
        for value in (identity.family_name, identity.email, identity.phone):
            if value:
                assert value not in everything
    assert set(table.column("ethnic_group").to_pylist()) <= {
        "",
        "asian",
        "black",
        "mixed",
        "white",
        "other",
        "prefer_not_to_say",
    }
    event = AuditEvent.objects.get(action="export")
    assert event.changes["files"]["referrals.parquet"] == table.num_rows
    # record keys for cell-key perturbation: 0..255, spread out, one per person whatever her referrals
    keys = table.select(["survivor_key", "record_key", "person_record_key"]).to_pandas()
    assert keys.record_key.between(0, 255).all() and keys.record_key.nunique() > 100
    assert (keys.groupby("survivor_key").person_record_key.nunique() == 1).all()


def test_pseudonyms_are_stable_and_link_a_survivors_referrals(seeded, tmp_path):
    call_command("extract", "--out", str(tmp_path / "a"))
    call_command("extract", "--out", str(tmp_path / "b"))
    a = pq.read_table(tmp_path / "a" / "referrals.parquet").column("survivor_key").to_pylist()
    b = pq.read_table(tmp_path / "b" / "referrals.parquet").column("survivor_key").to_pylist()
    assert a == b
    survivors = Survivor.objects.filter(referrals__sealed=False).distinct().count()
    assert len(set(a)) == survivors < len(a)  # repeat referrals share their survivor's key


def test_immigration_leaves_only_as_counts(seeded, tmp_path):
    call_command("extract", "--out", str(tmp_path))
    counts = pq.read_table(tmp_path / "immigration.parquet").to_pydict()
    assert set(counts) == {
        "quarter",
        "immigration_status",
        "sealed",
        "wants_by_and_for",
        "offered_by_and_for",
        "accepted",
        "closed",
        "positive_outcome",
        "referrals",
    }
    assert set(counts["immigration_status"]) <= {"secure", "insecure", "unknown"}
    assert sum(counts["referrals"]) == Referral.objects.filter(sealed=False).count()
    assert not any(counts["sealed"])
    # A table of counts: one row per combination that occurs, never one per person.
    combos = list(zip(*(counts[c] for c in counts if c != "referrals"), strict=True))
    assert len(combos) == len(set(combos)) < sum(counts["referrals"])
    insecure = Referral.objects.filter(
        sealed=False, survivor__immigration_status__in=sorted(INSECURE_IMMIGRATION_STATUSES)
    ).count()
    assert sum(
        n for s, n in zip(counts["immigration_status"], counts["referrals"], strict=True) if s == "insecure"
    ) == (insecure)


def test_the_sealed_pathway_leaves_only_when_asked_in_a_file_of_its_own(seeded, tmp_path):
    call_command("extract", "--out", str(tmp_path))
    assert not (tmp_path / "sealed_referrals.parquet").exists()
    call_command("extract", "--out", str(tmp_path), "--sealed-pathway")
    sealed = pq.read_table(tmp_path / "sealed_referrals.parquet")
    assert sealed.num_rows == Referral.objects.filter(sealed=True).count()
    sealed_counts = pq.read_table(tmp_path / "sealed_immigration.parquet").to_pydict()
    assert sum(sealed_counts["referrals"]) == sealed.num_rows and all(sealed_counts["sealed"])
    assert SealedAuditEvent.objects.filter(action="export", sealed=True).count() == 1


# --- people: survivor records a hub worker confirmed to be the same woman ------------------------------------------


def _extract(tmp_path) -> tuple[dict[str, dict], dict[str, dict]]:
    """referrals.parquet by referral key and closed_cases.parquet by case key."""
    call_command("extract", "--out", str(tmp_path))
    referrals = pq.read_table(tmp_path / "referrals.parquet").to_pylist()
    cases = pq.read_table(tmp_path / "closed_cases.parquet").to_pylist()
    return {r["referral_key"]: r for r in referrals}, {c["case_key"]: c for c in cases}


@pytest.mark.parametrize("outcome", [Outcome.CONFIRMED, Outcome.REJECTED])
def test_a_referral_on_a_record_confirmed_to_be_her_is_her_repeat_and_shares_her_key(world, tmp_path, outcome):
    earlier = intake(AMINA, days_ago=520)
    case = closed_case(world, earlier, closed_days_ago=400)
    new = intake(AMINA_MISSPELT, days_ago=350)  # 50 days after her case closed, on a new survivor record
    confirm(world, new, earlier, outcome)
    referrals, cases = _extract(tmp_path)
    first, second = referrals[pseudonym("referral", earlier.pk)], referrals[pseudonym("referral", new.pk)]
    row = cases[pseudonym("case", case.pk)]
    same = outcome == Outcome.CONFIRMED
    assert first["repeat_within_12_months"] is same
    assert (row["repeat_within_3_months"], row["repeat_within_12_months"]) == (same, same)
    assert (first["survivor_key"] == second["survivor_key"]) is same
    assert row["survivor_key"] == first["survivor_key"] == pseudonym("survivor", earlier.survivor_id)
    assert "survivor_id" not in row and "person_id" not in row


def test_a_chain_of_links_gives_all_three_records_one_key(world, tmp_path):
    a = intake(AMINA_MISSPELT, days_ago=520)
    case = closed_case(world, a, closed_days_ago=400)
    b = intake(AMINA, days_ago=600)
    c = intake(AMINA_MISSPELT, days_ago=330)
    confirm(world, a, b)
    confirm(world, c, b)
    referrals, cases = _extract(tmp_path)
    keys = {referrals[pseudonym("referral", r.pk)]["survivor_key"] for r in (a, b, c)}
    assert keys == {pseudonym("survivor", min(a.survivor_id, b.survivor_id, c.survivor_id))}
    assert referrals[pseudonym("referral", a.pk)]["repeat_within_12_months"] is True
    assert cases[pseudonym("case", case.pk)]["survivor_key"] in keys
    assert cases[pseudonym("case", case.pk)]["repeat_within_3_months"] is True


def test_an_onward_referral_on_a_linked_record_is_not_a_repeat_in_the_extract(world, tmp_path):
    earlier = intake(AMINA, days_ago=520)
    case = closed_case(world, earlier, closed_days_ago=400)
    second = intake(AMINA_MISSPELT, days_ago=420)
    confirm(world, second, earlier)
    support = CaseFactory(referral=second, service=world.services["sistah"])
    onward = ReferralFactory(survivor=second.survivor, received_at=timezone.now() - dt.timedelta(days=380))
    OnwardReferral.objects.create(from_case=support, referral=onward, created_at=onward.received_at)
    referrals, cases = _extract(tmp_path)
    assert referrals[pseudonym("referral", earlier.pk)]["repeat_within_12_months"] is False
    assert cases[pseudonym("case", case.pk)]["repeat_within_12_months"] is False
    assert referrals[pseudonym("referral", onward.pk)]["survivor_key"] == pseudonym("survivor", earlier.survivor_id)


def test_offers_leave_with_coded_reasons_and_never_the_services_words(seeded, tmp_path):
    """Unmet need by cause needs the code; the free text beside it can name her, so it stays in the hub."""
    from carehub.referrals.models import Offer

    offer = Offer.objects.filter(referral__sealed=False).first()
    Offer.objects.filter(pk=offer.pk).update(
        status="declined", decline_reason="no_capacity", decline_detail="Zanele Okafor-Whitby asked us not to"
    )
    call_command("extract", "--out", str(tmp_path))
    offers = pq.read_table(tmp_path / "offers.parquet")
    assert offers.num_rows == Offer.objects.filter(referral__sealed=False).count()
    assert "decline_detail" not in offers.column_names
    rows = offers.to_pylist()
    mine = [r for r in rows if r["referral_key"] == pseudonym("referral", offer.referral_id)]
    assert ("declined", "no_capacity") in {(r["status"], r["decline_reason"]) for r in mine}
    assert "Okafor" not in " ".join(str(v) for r in rows for v in r.values())


def test_each_offer_carries_the_offered_services_key_as_referrals_key_their_service(seeded, tmp_path):
    """A service manager's declines are the offers her service made: keyed by the same pseudonym as the referrals'
    service_key, never the service's id or name."""
    from carehub.extract.writer import service_key
    from carehub.referrals.models import Offer

    call_command("extract", "--out", str(tmp_path))
    rows = pq.read_table(tmp_path / "offers.parquet").to_pylist()
    expected = {
        (pseudonym("referral", o.referral_id), o.offered_at, service_key(o.service_id))
        for o in Offer.objects.filter(referral__sealed=False)
    }
    assert {(r["referral_key"], r["offered_at"], r["service_key"]) for r in rows} == expected
    assert len({r["service_key"] for r in rows}) > 1
    referral_keys = set(pq.read_table(tmp_path / "referrals.parquet").column("service_key").to_pylist())
    assert referral_keys & {r["service_key"] for r in rows}  # the same pseudonyms on both files


def test_wait_stages_come_in_order_and_are_censored_not_invented(seeded, tmp_path):
    call_command("extract", "--out", str(tmp_path))
    rows = pq.read_table(tmp_path / "referrals.parquet").to_pylist()
    allocated = [r for r in rows if r["days_to_allocation"] is not None]
    assert allocated, "the seed allocates some cases"
    for row in rows:
        assert row["days_observed"] >= 0
        for stage in ("days_to_acceptance", "days_to_first_contact", "days_to_allocation"):
            if row[stage] is not None:
                assert row[stage] <= row["days_observed"] + 1
    for row in allocated:
        assert row["days_to_acceptance"] is not None and row["days_to_acceptance"] <= row["days_to_allocation"]
    assert any(r["days_to_allocation"] is None for r in rows)  # still waiting: kept, censored


def test_services_leave_with_their_caseworker_fte_and_the_independent_service_only_when_asked(world, tmp_path):
    """services.parquet: each service's key (as offers and referrals key it), type and FTE as its managers keep it,
    None where not recorded (never 0); the independent advisory service only in sealed_services.parquet."""
    from decimal import Decimal

    from carehub.extract.writer import extract_write, service_key

    solace, refuge, ias = world.services["solace"], world.services["refuge"], world.services["ias"]
    solace.caseworker_fte, ias.caseworker_fte = Decimal("2.5"), Decimal("4")
    solace.save(), ias.save()
    extract_write(out_dir=tmp_path)
    rows = {r["service_key"]: r for r in pq.read_table(tmp_path / "services.parquet").to_pylist()}
    assert rows[service_key(solace.pk)]["caseworker_fte"] == 2.5
    assert rows[service_key(solace.pk)]["service_type"] == "idva"
    assert rows[service_key(refuge.pk)]["caseworker_fte"] is None  # not recorded, not zero
    assert rows[service_key(refuge.pk)]["capacity"] == refuge.capacity
    assert service_key(ias.pk) not in rows
    assert not {"name", "organisation", "address"} & set(next(iter(rows.values())))
    extract_write(out_dir=tmp_path, sealed_pathway=True)
    sealed = pq.read_table(tmp_path / "sealed_services.parquet").to_pylist()
    assert [r["service_key"] for r in sealed] == [service_key(ias.pk)] and sealed[0]["caseworker_fte"] == 4.0

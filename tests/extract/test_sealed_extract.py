"""Nothing of the sealed pathway leaves in the extract without `--sealed-pathway`, in any file.

Every file the extract writes is found by listing the output folder, so a file added later is covered without
touching these tests: each must be in a format read here (Parquet, CSV, JSON), hold no sealed record's pseudonym and
no row flagged sealed, and be byte for byte what it was before any sealed activity.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import tempfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carehub.cases.models import Case, CaseStatus, ClosureReason, MeasureStage, OutcomeMeasure
from carehub.core.choices import ServiceType
from carehub.extract.writer import extract_write, pseudonym
from carehub.people.models import Survivor
from carehub.referrals.models import PolicePerpetrator, Referral, Status
from tests import factories as f

# Far enough ahead that every record below is inside the data, fixed so two extracts can be compared byte for byte.
END = timezone.now().replace(microsecond=0) + dt.timedelta(days=1)


def read_every_file(out_dir: Path) -> dict[str, list[dict]]:
    """Every file in the folder, as rows; a file in a format not read here fails the test rather than pass unseen."""
    files = {}
    for path in sorted(p for p in out_dir.rglob("*") if p.is_file()):
        name = str(path.relative_to(out_dir))
        if path.suffix == ".parquet":
            files[name] = pq.read_table(path).to_pylist()
        elif path.suffix == ".csv":
            files[name] = list(csv.DictReader(path.open(encoding="utf-8")))
        elif path.suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            files[name] = data if isinstance(data, list) else [data]
        else:
            pytest.fail(f"the extract wrote {name}, which this test cannot read: add its format here")
    return files


def sealed_pseudonyms() -> set[str]:
    """The keys every sealed record would carry in the extract, whatever the file."""
    keys = {pseudonym("referral", pk) for pk in Referral.objects.filter(sealed=True).values_list("pk", flat=True)}
    keys |= {pseudonym("case", pk) for pk in Case.objects.filter(sealed=True).values_list("pk", flat=True)}
    survivors = Survivor.objects.filter(referrals__sealed=True).values_list("pk", "person_id")
    keys |= {pseudonym("survivor", person or pk) for pk, person in survivors}
    return keys


def assert_nothing_sealed(out_dir: Path) -> dict[str, list[dict]]:
    files = read_every_file(out_dir)
    assert files, "the extract wrote nothing"
    sealed_keys = sealed_pseudonyms()
    for name, rows in files.items():
        assert "sealed" not in name, f"{name} left without --sealed-pathway"
        for row in rows:
            assert not row.get("sealed"), f"a sealed row in {name}"
            assert not sealed_keys & {str(v) for v in row.values()}, f"a sealed record's key in {name}"
    return files


def file_bytes(out_dir: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out_dir)): p.read_bytes() for p in sorted(out_dir.rglob("*")) if p.is_file()}


@pytest.fixture
def seeded(db):
    """Synthetic London, with its sealed cases closed, so that the sealed pathway has closed cases to leak."""
    call_command("seed", "--referrals", "400", "--seed", "5", "--end-date", "2026-10-31", verbosity=0)
    Case.objects.filter(sealed=True).update(
        status=CaseStatus.CLOSED,
        closed_at=timezone.now() - dt.timedelta(days=30),
        closure_reason=ClosureReason.COMPLETED,
    )


def test_no_file_of_the_seeded_extract_holds_a_sealed_record(seeded, tmp_path):
    assert Case.objects.filter(sealed=True, status=CaseStatus.CLOSED).exists()  # the seed gives something to leak
    extract_write(out_dir=tmp_path, end_of_data=END)
    files = assert_nothing_sealed(tmp_path)
    closed = Case.objects.filter(status=CaseStatus.CLOSED, closed_at__lte=END)
    assert len(files["closed_cases.parquet"]) == closed.filter(sealed=False).count()
    assert len(files["referrals.parquet"]) == Referral.objects.filter(sealed=False).count()


def test_the_sealed_pathway_leaves_whole_only_with_the_flag(seeded, tmp_path):
    extract_write(out_dir=tmp_path, end_of_data=END, sealed_pathway=True)
    closed = Case.objects.filter(sealed=True, status=CaseStatus.CLOSED, closed_at__lte=END).count()
    sealed_cases = pq.read_table(tmp_path / "sealed_closed_cases.parquet")
    assert sealed_cases.num_rows == closed and all(sealed_cases.column("sealed").to_pylist())
    assert pq.read_table(tmp_path / "sealed_referrals.parquet").num_rows == Referral.objects.filter(sealed=True).count()


def test_a_later_run_without_the_flag_leaves_no_sealed_file_behind(seeded, tmp_path):
    extract_write(out_dir=tmp_path, end_of_data=END, sealed_pathway=True)
    extract_write(out_dir=tmp_path, end_of_data=END)
    assert_nothing_sealed(tmp_path)


def test_identifiers_are_keyed_pseudonyms_not_row_numbers(seeded, tmp_path):
    extract_write(out_dir=tmp_path, end_of_data=END)
    files = read_every_file(tmp_path)
    for name, rows in files.items():
        for column in (c for c in (rows[0] if rows else {}) if c.endswith(("_key", "_id"))):
            values = [r[column] for r in rows if r[column] is not None]
            if column.endswith("record_key"):  # perturbation keys, 0..255: 256 values identify no one
                assert all(isinstance(v, int) and 0 <= v <= 255 for v in values), (name, column)
                continue
            assert all(isinstance(v, str) and len(v) == 20 and not v.isdigit() for v in values), (name, column)


# --- before and after: sealed activity changes no byte of the extract --------------------------------------------


def _closed(referral: Referral, service, *, closed_days_ago: int, sealed: bool) -> Case:
    closed = timezone.now() - dt.timedelta(days=closed_days_ago)
    case = f.CaseFactory(
        referral=referral,
        service=service,
        sealed=sealed,
        status=CaseStatus.CLOSED,
        accepted_at=closed - dt.timedelta(days=100),
        opened_at=closed - dt.timedelta(days=90),
        closed_at=closed,
        closure_reason=ClosureReason.COMPLETED,
    )
    for stage, safe in ((MeasureStage.START, 2), (MeasureStage.CLOSURE, 7)):
        OutcomeMeasure.objects.create(
            case=case,
            stage=stage,
            feels_safe=safe,
            wellbeing=5,
            quality_of_life=5,
            confidence_help=5,
            recorded_at=closed,
        )
    return case


def _unsealed(world, *, days_ago: int, closed_days_ago: int | None) -> Referral:
    referral = f.ReferralFactory(
        received_at=timezone.now() - dt.timedelta(days=days_ago),
        status=Status.ACCEPTED,
        routed_service=world.services["solace"],
        survivor__immigration_status="asylum_seeker",
    )
    if closed_days_ago is not None:
        _closed(referral, world.services["solace"], closed_days_ago=closed_days_ago, sealed=False)
    return referral


def _sealed(world, *, days_ago: int, closed_days_ago: int | None, survivor=None) -> Referral:
    extra = {"survivor": survivor} if survivor is not None else {"survivor__immigration_status": "asylum_seeker"}
    referral = f.ReferralFactory(
        received_at=timezone.now() - dt.timedelta(days=days_ago),
        status=Status.ACCEPTED,
        sealed=True,
        perpetrator_police=PolicePerpetrator.SERVING,
        routed_service=world.services["ias"],
        **extra,
    )
    if closed_days_ago is not None:
        _closed(referral, world.services["ias"], closed_days_ago=closed_days_ago, sealed=True)
    else:
        f.CaseFactory(referral=referral, service=world.services["ias"], sealed=True)
    return referral


def test_sealed_activity_changes_no_byte_of_any_file(world, tmp_path):
    for days in (400, 300, 200, 100):
        _unsealed(world, days_ago=days, closed_days_ago=days - 120)
    extract_write(out_dir=tmp_path / "before", end_of_data=END)
    # A closed sealed case, a sealed woman coming back, an open sealed case, and one in a quarter of its own.
    first = _sealed(world, days_ago=350, closed_days_ago=200)
    _sealed(world, days_ago=150, closed_days_ago=None, survivor=first.survivor)
    _sealed(world, days_ago=10, closed_days_ago=None)
    _sealed(world, days_ago=900, closed_days_ago=700)
    extract_write(out_dir=tmp_path / "after", end_of_data=END)
    before, after = file_bytes(tmp_path / "before"), file_bytes(tmp_path / "after")
    assert set(before) == set(after)
    for name in before:
        assert before[name] == after[name], f"{name} changed when sealed records were written"
    assert_nothing_sealed(tmp_path / "after")


# Random mixes of unsealed and sealed records: the extract without the flag is the same whatever sealed is added.
records = st.lists(
    st.tuples(st.integers(5, 900), st.one_of(st.none(), st.integers(1, 4)), st.booleans()), min_size=1, max_size=5
)


@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(unsealed=records, sealed=records)
def test_no_random_sealed_activity_changes_the_extract(db, unsealed, sealed):
    with transaction.atomic(), tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        ias = f.ServiceFactory(
            organisation=f.OrganisationFactory(kind="independent_advisory"),
            service_type=ServiceType.INDEPENDENT_ADVISORY,
        )
        world = type("World", (), {"services": {"solace": f.ServiceFactory(), "ias": ias}})()
        for days, closed_fraction, _ in unsealed:
            _unsealed(world, days_ago=days, closed_days_ago=days // closed_fraction if closed_fraction else None)
        extract_write(out_dir=out / "before", end_of_data=END)
        previous = None
        for days, closed_fraction, same_woman in sealed:
            closed = days // closed_fraction if closed_fraction else None
            survivor = previous.survivor if same_woman and previous is not None else None
            previous = _sealed(world, days_ago=days, closed_days_ago=closed, survivor=survivor)
        extract_write(out_dir=out / "after", end_of_data=END)
        assert file_bytes(out / "before") == file_bytes(out / "after")
        assert_nothing_sealed(out / "after")
        transaction.set_rollback(True)

"""The accountability report: counts only, fewer than 5 hidden, totals that give nothing away, CSV and HTML;
published for whole quarters once they end, so reading it before and after sealed activity shows nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter

import pytest
from scipy.optimize import linprog

from carehub.independent import report
from carehub.independent.models import Complaint, Decision
from carehub.independent.report import HIDDEN_TEXT, build
from carehub.insight.suppression import TOTAL
from carehub.referrals.models import Referral
from tests import factories as f


def make_sealed(world, first: int, second: int) -> list[Referral]:
    """`first` sealed referrals in 2026 Q1 and `second` in Q2: a quarter of them by former officers, two thirds of
    the first quarter's reported to the watchdog and half of them with a complaint still going on."""
    when = [dt.datetime(2026, 2, 10, tzinfo=dt.UTC)] * first + [dt.datetime(2026, 5, 10, tzinfo=dt.UTC)] * second
    made = []
    for i, at in enumerate(when):
        referral = f.ReferralFactory(
            sealed=True,
            received_at=at,
            perpetrator_police="serving" if i % 4 else "former",
            abuse_types=["sexual", "coercive_control"],
            routed_service=world.services["ias"],
        )
        case = f.CaseFactory(referral=referral, service=world.services["ias"], sealed=True)
        Decision.objects.create(
            case=case, decision="watchdog" if i < first * 2 // 3 else "none", decided_on=at.date(), recorded_at=at
        )
        if i < first // 2:
            Complaint.objects.create(case=case, made_to="watchdog", made_on=at.date(), outcome="ongoing")
        made.append(referral)
    return made


@pytest.fixture
def many_sealed(world):
    """Twenty-four sealed referrals in one quarter and seven in the next, to give both shown and hidden counts."""
    return make_sealed(world, 24, 7)


# Q1 and Q2 of 2026 have ended; Q3 is under way.
TODAY = dt.date(2026, 7, 15)


@pytest.fixture
def published_on(monkeypatch):
    """The view reads the date from report.publication_date; tests say which day it is instead."""

    def on(day: dt.date) -> None:
        monkeypatch.setattr(report, "publication_date", lambda: day)

    on(TODAY)
    return on


def section(built, title_start: str):
    return next(s for s in built.sections if s.title.startswith(title_start))


def test_counts_are_by_quarter_and_small_ones_hidden(many_sealed):
    officer = section(build(today=TODAY), "Referrals by officer status").table
    assert officer.shown("serving", "2026 Q1") == 18
    assert officer.shown("former", "2026 Q2") is None  # 2
    assert officer.shown("former", "2026 Q1") is None  # 6, hidden so that the 2 cannot be worked out
    for row in [*officer.rows, TOTAL]:
        hidden = [c for c in [*officer.columns, TOTAL] if (row, c) in officer.hidden]
        assert len(hidden) != 1


def test_no_person_level_field_reaches_the_report(many_sealed, client_for, published_on):
    body = client_for("cora").get("/independent/accountability/").content.decode()
    assert HIDDEN_TEXT in body
    for referral in Referral.objects.filter(sealed=True):
        assert referral.reference not in body
        assert referral.survivor.identity.family_name not in body


def test_csv_and_printable_report(many_sealed, client_for, published_on):
    cora = client_for("cora")
    response = cora.get("/independent/accountability/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    serving = [
        r for r in rows if r["table"] == "Referrals by officer status" and r["category"] == "Serving police officer"
    ]
    assert {r["quarter"]: r["count"] for r in serving}["2026 Q1"] == "18"
    assert all(r["count"] == HIDDEN_TEXT or int(r["count"]) >= 5 for r in rows)
    html = cora.get("/independent/accountability/?format=html").content.decode()
    assert "<table>" in html and "accountability report" in html.lower()


# --- published for whole quarters only, once each has ended --------------------------------------------------------


def _everything(client) -> dict[str, bytes]:
    """The page, the CSV and the printable report, CSRF tokens (masked afresh on every render) taken out."""
    out = {}
    for output in ("", "csv", "html"):
        response = client.get(f"/independent/accountability/?format={output}")
        assert response.status_code == 200
        out[output] = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)
    return out


def test_the_current_quarter_is_never_shown(many_sealed, client_for, published_on):
    published_on(dt.date(2026, 6, 30))  # the last day of Q2: Q2 is not over
    assert build(today=dt.date(2026, 6, 30)).quarters == ["2026 Q1"]
    for output, body in _everything(client_for("cora")).items():
        assert b"2026 Q1" in body and b"2026 Q2" not in body, output
    published_on(dt.date(2026, 7, 1))
    for output, body in _everything(client_for("cora")).items():
        assert b"2026 Q2" in body and b"2026 Q3" not in body, output


def test_one_sealed_referral_in_the_current_quarter_changes_nothing(world, many_sealed, client_for, published_on):
    before = {persona: _everything(client_for(persona)) for persona in ("cora", "ivan")}
    # A new sealed referral, a decision and a complaint on an old case, and an old complaint's outcome: all this
    # quarter, so none of it is published yet.
    this_quarter = dt.datetime(2026, 7, 10, tzinfo=dt.UTC)
    referral = f.ReferralFactory(
        sealed=True,
        received_at=this_quarter,
        perpetrator_police="serving",
        abuse_types=["sexual", "physical"],
        routed_service=world.services["ias"],
    )
    f.CaseFactory(referral=referral, service=world.services["ias"], sealed=True)
    old_case = many_sealed[0].cases.get()
    Decision.objects.create(case=old_case, decision="none", decided_on=this_quarter.date(), recorded_at=this_quarter)
    Complaint.objects.create(case=many_sealed[9].cases.get(), made_to="watchdog", made_on=this_quarter.date())
    Complaint.objects.filter(case=old_case).update(outcome="upheld", outcome_on=this_quarter.date())
    after = {persona: _everything(client_for(persona)) for persona in ("cora", "ivan")}
    assert after == before
    published_on(dt.date(2026, 10, 1))  # once Q3 has ended, it is published
    assert b"2026 Q3" in _everything(client_for("cora"))["csv"]


def test_a_complaint_or_outcome_written_down_this_quarter_with_an_earlier_date_changes_nothing(
    world, many_sealed, client_for, published_on
):
    """She may tell her adviser today about a complaint she made in March, or its outcome in April: the dates are
    hers, but the published quarters must not move until the quarter in which it was written down has ended."""
    from django.utils import timezone

    from carehub.independent.services import complaint_outcome_record, complaint_record

    before = _everything(client_for("cora"))
    written_this_quarter = dt.datetime(2026, 7, 10, 9, tzinfo=dt.UTC)
    with pytest.MonkeyPatch.context() as clock:
        clock.setattr(timezone, "now", lambda: written_this_quarter)
        made = complaint_record(
            actor=world.users["ines"],
            case=many_sealed[20].cases.get(),
            made_to="watchdog",
            made_on=dt.date(2026, 3, 2),
        )
        complaint_outcome_record(
            actor=world.users["ines"], complaint=made, outcome="no_action", outcome_on=dt.date(2026, 4, 20)
        )
        old = Complaint.objects.filter(made_on__lt=dt.date(2026, 3, 1)).order_by("pk").first()  # written in Q1
        old.recorded_by = world.users["ines"]
        complaint_outcome_record(
            actor=world.users["ines"], complaint=old, outcome="no_action", outcome_on=dt.date(2026, 4, 20)
        )
    assert _everything(client_for("cora")) == before
    published_on(dt.date(2026, 10, 1))  # once the quarter they were written down in has ended, they count
    assert _everything(client_for("cora"))["csv"] != before["csv"]


def test_every_quarter_of_the_period_is_shown_empty_ones_included(many_sealed):
    f.ReferralFactory(received_at=dt.datetime(2025, 8, 1, tzinfo=dt.UTC))  # the hub's first referral: 2025 Q3
    built = build(today=dt.date(2026, 10, 2))
    assert built.quarters == ["2025 Q3", "2025 Q4", "2026 Q1", "2026 Q2", "2026 Q3"]
    for s in built.sections:
        assert s.table.columns == built.quarters
    officer = section(built, "Referrals by officer status").table
    assert officer.value(TOTAL, "2025 Q4") == 0 and (TOTAL, "2025 Q4") in officer.hidden


def test_mentions_are_never_added_to_referrals(many_sealed, client_for, published_on):
    built = build(today=TODAY)
    referral_sections = [s for s in built.sections if s.unit == "referrals"]
    [mentions] = [s for s in built.sections if s.unit == "mentions"]
    for s in referral_sections:  # each table of referrals counts each referral once
        assert s.table.value(TOTAL, "2026 Q1") == 24, s.title
    assert mentions.table.value(TOTAL, "2026 Q1") == 48  # two types each: mentions, not referrals
    assert "mention" in mentions.title.lower() and "not referrals" in mentions.title.lower()
    rows = list(
        csv.DictReader(io.StringIO(client_for("cora").get("/independent/accountability/?format=csv").content.decode()))
    )
    totals = {(r["counts"], r["category"]) for r in rows if r["category"].startswith("All ")}
    assert totals == {("referrals", "All referrals"), ("mentions", "All mentions")}
    assert all(r["counts"] == "mentions" for r in rows if r["table"] == mentions.title)
    assert not any(r["category"] == "Total" for r in rows)


@pytest.mark.parametrize("counts", [(24, 7), (12, 3)])
def test_the_tables_of_referrals_hide_the_same_quarterly_totals(world, counts):
    """A quarter's total hidden in one table of referrals and shown in another would be no secret at all."""
    make_sealed(world, *counts)
    built = build(today=TODAY)
    hidden_totals = [
        {cell for cell in s.table.hidden if cell[0] == TOTAL} for s in built.sections if s.unit == "referrals"
    ]
    assert all(h == hidden_totals[0] for h in hidden_totals)


@pytest.mark.parametrize("counts", [(24, 7), (12, 3), (40, 9)])
def test_no_hidden_count_can_be_worked_out_from_the_whole_report(world, counts):
    """Linear programming over every table at once (the referral tables share their quarterly totals): each hidden
    cell can take more than one value given everything published."""
    make_sealed(world, *counts)
    built = build(today=TODAY)
    referral_sections = [s for s in built.sections if s.unit == "referrals"]
    mention_sections = [s for s in built.sections if s.unit == "mentions"]
    for group in (referral_sections, mention_sections):
        for cell, (low, high) in _feasible_ranges(group).items():
            assert high - low >= 1, f"{cell} can be worked out: it must be {low}"


def _feasible_ranges(sections) -> dict:
    """Min and max of every hidden cell, over counts that are whole-table consistent and non-negative."""

    def var(i, row, column):
        return ("shared", row, column) if row == TOTAL else (i, row, column)

    variables: dict = {}
    for i, s in enumerate(sections):
        for row in [*s.table.rows, TOTAL]:
            for column in [*s.table.columns, TOTAL]:
                variables.setdefault(var(i, row, column), (s.table, row, column))
    index = {v: n for n, v in enumerate(variables)}
    equalities, rhs = [], []

    def equation(terms, constant=0):
        line = [0.0] * len(index)
        for v, sign in terms:
            line[index[v]] += sign
        equalities.append(line)
        rhs.append(constant)

    for i, s in enumerate(sections):
        rows, columns = [*s.table.rows, TOTAL], [*s.table.columns, TOTAL]
        for row in rows:
            equation([(var(i, row, c), 1) for c in s.table.columns] + [(var(i, row, TOTAL), -1)])
        for column in columns:
            equation([(var(i, r, column), 1) for r in s.table.rows] + [(var(i, TOTAL, column), -1)])
        for row in rows:
            for column in columns:
                if (row, column) not in s.table.hidden:
                    equation([(var(i, row, column), 1)], s.table.value(row, column))
    ranges = {}
    for v, (table, row, column) in variables.items():
        if (row, column) not in table.hidden:
            continue
        objective = [0.0] * len(index)
        objective[index[v]] = 1.0
        bounds = [(0, None)] * len(index)
        low = linprog(objective, A_eq=equalities, b_eq=rhs, bounds=bounds, method="highs")
        high = linprog([-x for x in objective], A_eq=equalities, b_eq=rhs, bounds=bounds, method="highs")
        assert low.status == 0 and high.status in {0, 3}, "the published figures are inconsistent"
        ranges[v] = (round(low.fun), float("inf") if high.status == 3 else round(-high.fun))
    return ranges


@pytest.mark.parametrize("persona", ["percy", "pete", "hana", "alice", "otto", "adam"])
def test_only_commissioners_and_the_independent_service_see_it(world, client_for, persona):
    assert client_for(persona).get("/independent/accountability/").status_code == 404


def test_the_independent_service_sees_it(world, client_for):
    assert client_for("ivan").get("/independent/accountability/").status_code == 200


def test_a_total_hidden_in_one_table_of_referrals_is_hidden_in_all():
    """Two tables of the same referrals, found by search, where suppressing each on its own publishes a quarter's
    total in one and hides it in the other; suppressed together, every hidden cell keeps its freedom."""
    quarters = ["Q1", "Q2", "Q3"]
    first = {("a", "Q1"): 0, ("b", "Q1"): 1, ("c", "Q1"): 4, ("a", "Q2"): 8, ("b", "Q2"): 9, ("c", "Q2"): 0}
    first |= {("a", "Q3"): 1, ("b", "Q3"): 1, ("c", "Q3"): 16}
    second = {("a", "Q1"): 0, ("b", "Q1"): 0, ("c", "Q1"): 5, ("a", "Q2"): 0, ("b", "Q2"): 14, ("c", "Q2"): 3}
    second |= {("a", "Q3"): 7, ("b", "Q3"): 1, ("c", "Q3"): 10}
    labels = {"a": "a", "b": "b", "c": "c"}
    sections = report._suppressed_together(
        [("first", labels, Counter(first)), ("second", labels, Counter(second))], quarters
    )
    hidden_totals = [{cell for cell in s.table.hidden if cell[0] == TOTAL} for s in sections]
    assert hidden_totals[0] == hidden_totals[1] and hidden_totals[0]
    for cell, (low, high) in _feasible_ranges(sections).items():
        assert high - low >= 1, f"{cell} can be worked out: it must be {low}"

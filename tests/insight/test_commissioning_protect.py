"""Cell-key perturbation (insight.commissioning.protect): the perturbation table's properties, record keys, and the
differencing attack that per-view suppression let through and perturbation stops."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from carehub.insight.commissioning import demand, protect, views
from carehub.insight.commissioning.settings import Settings

SETTINGS = Settings(suppression_threshold=10)


@pytest.mark.parametrize(("most", "variance"), [(3, 2.0), (2, 1.0), (5, 4.0)])
def test_the_ptable_keeps_zero_is_bounded_mean_zero_and_never_negative(most, variance):
    table = protect.ptable(most, variance)
    assert table.shape == (most + 1, protect.KEYS)
    assert (table[0] == 0).all()  # a zero stays zero
    assert np.abs(table).max() <= most and np.abs(table).max() == most
    assert (table.sum(axis=1) == 0).all()  # mean exactly zero for every count, over the 256 keys
    for n in range(most + 1):
        assert (n + table[n] >= 0).all()
    assert table[-1].var() == pytest.approx(variance, abs=0.15)  # the full row has the asked variance
    assert (protect.perturb([1000] * 256, range(256), max_change=most, variance=variance) >= 1000 - most).all()


def test_the_ptable_is_deterministic_and_refuses_impossible_settings():
    first = protect.ptable(3, 2.0).copy()
    protect.ptable.cache_clear()
    assert (protect.ptable(3, 2.0) == first).all()
    with pytest.raises(ValueError):
        protect.ptable(3, 4.0)  # wider than uniform on -3..3
    with pytest.raises(ValueError):
        protect.ptable(0, 0.5)


def test_counts_under_the_threshold_less_the_bound_are_always_hidden_and_large_ones_always_shown():
    for n in range(0, SETTINGS.suppression_threshold - SETTINGS.perturbation_max):
        assert protect.publish_all([n] * 256, range(256), SETTINGS) == [None] * 256
    shown = protect.publish_all([50] * 256, range(256), SETTINGS)
    assert {v - 50 for v in shown} == set(range(-3, 4))


def test_record_keys_are_stable_keyed_and_spread_over_0_to_255():
    keys = [f"r{i:09d}" for i in range(20_000)]
    first = protect.record_keys(keys, "secret")
    assert (first == protect.record_keys(keys, "secret")).all()
    assert (first != protect.record_keys(keys, "another")).mean() > 0.9  # a reader without the key cannot guess
    counts = np.bincount(first, minlength=256)
    assert first.min() >= 0 and first.max() <= 255 and counts.min() > 40  # about 78 each


def _planted(seed: int = 15):
    """Count tables as views.counts writes them (month, borough, need, referrals, ckey), from records with random
    keys: 24 months x 33 boroughs x 4 service types, ordinary cells 15 to 40. In each month one borough has fewer
    than 10 referrals in all (for London minus boroughs) and another borough one service type with fewer than 10
    (for a borough minus its service types)."""
    rng = np.random.default_rng(seed)
    boroughs = sorted(demand.adult_women(SETTINGS))
    needs = ["counselling", "helpline", "idva", "refuge"]
    rows, whole, typed = [], {}, {}
    for month in range(24_300, 24_324):
        small_borough, typed_borough = rng.choice(len(boroughs), 2, replace=False)
        small_need = int(rng.integers(len(needs)))
        whole_left = int(rng.integers(1, 10))
        for b, borough in enumerate(boroughs):
            for t, need in enumerate(needs):
                if b == small_borough:  # split her 1..9 over the service types
                    n = whole_left if t == len(needs) - 1 else int(rng.integers(0, whole_left + 1))
                    whole_left -= n
                elif b == typed_borough and t == small_need:
                    n = int(rng.integers(1, 10))
                    typed[(month, borough, need)] = n
                else:
                    n = int(rng.integers(15, 41))
                keys = rng.integers(0, 256, n)
                rows.append((month, borough, need, n, int(keys.sum() % 256)))
        frame = pd.DataFrame(rows, columns=["month", "borough", "need", "referrals", "ckey"])
        here = frame[(frame.month == month) & (frame.borough == boroughs[small_borough])]
        whole[(month, boroughs[small_borough])] = int(here.referrals.sum())
    found = {
        "demand": pd.DataFrame(rows, columns=["month", "borough", "need", "referrals", "ckey"]),
        "waits": pd.DataFrame(),
        "waiting": pd.DataFrame(),
        "declines": pd.DataFrame(),
    }
    return found, boroughs, needs, whole, typed


def _monthly(view: dict) -> dict[int, int | None]:
    return {int(m["month"][:4]) * 12 + int(m["month"][5:]) - 1: m["referrals"] for m in view["demand"]["monthly"]}


def _old_per_view(found, borough: str = "", need: str = "") -> dict[int, int | None]:
    """Each view on its own as before: exact counts, those under the threshold hidden."""
    frame = found["demand"]
    if borough:
        frame = frame[frame.borough == borough]
    if need:
        frame = frame[frame.need == need]
    counts = frame.groupby("month").referrals.sum()
    return {int(m): (int(n) if n >= SETTINGS.suppression_threshold else None) for m, n in counts.items()}


def _attack(publish, whole, typed, boroughs, needs) -> tuple[list[int], list[int]]:
    """London's month minus the other 32 boroughs' same month, and a borough's month minus its other service types:
    what the reader takes for each planted hidden count, beside the count."""
    london = publish()
    by_borough = {b: publish(borough=b) for b in boroughs}
    guesses, truths = [], []
    for (month, hidden), n in whole.items():
        guesses.append(london[month] - sum(by_borough[b][month] for b in boroughs if b != hidden))
        truths.append(n)
    for (month, borough, hidden), n in typed.items():
        shown = sum(publish(borough=borough, need=t)[month] for t in needs if t != hidden)
        guesses.append(by_borough[borough][month] - shown)
        truths.append(n)
    return guesses, truths


def test_differencing_views_recovers_hidden_counts_without_perturbation_and_not_with_it():
    found, boroughs, needs, whole, typed = _planted()
    assert len(whole) == len(typed) == 24
    # Regression guard on the method: with each view suppressed on its own, every planted count is hidden in its
    # own view, and subtraction gives every one of them back.
    assert all(_old_per_view(found, borough=b)[m] is None for m, b in whole)
    assert all(_old_per_view(found, borough=b, need=t)[m] is None for m, b, t in typed)
    guesses, truths = _attack(lambda **f: _old_per_view(found, **f), whole, typed, boroughs, needs)
    assert guesses == truths
    # With cell-key perturbation, the same subtraction through the pages' own views gives back a number off by the
    # sum of the changes of every figure it used: rarely the count, and nothing tells the reader when it is.
    cache: dict = {}

    def protected(borough: str = "", need: str = "") -> dict[int, int | None]:
        if (borough, need) not in cache:
            cache[(borough, need)] = _monthly(
                views.view(found, views.Filters(borough=borough, service_type=need), SETTINGS)
            )
        return cache[(borough, need)]

    guesses, truths = _attack(protected, whole, typed, boroughs, needs)
    errors = np.array(guesses) - np.array(truths)
    assert (errors == 0).mean() <= 0.25  # about 1 in 20 (London) and 1 in 8 (service types) land on it by chance
    assert np.abs(errors).max() >= 3 and errors.std() > 1.5
    # and guesses fall outside 1..9 often enough that a hidden count is not even known to be small
    assert sum(not 1 <= g <= 9 for g in guesses) >= 5


def test_the_same_women_give_the_same_number_whichever_view_asks():
    found, boroughs, _, _, _ = _planted()
    borough = boroughs[3]
    alone = views.view(found, views.Filters(borough=borough), SETTINGS)
    again = views.view(found, views.Filters(borough=borough, period="all"), SETTINGS)
    assert alone == again  # asked twice: the same numbers, nothing to average
    rates_row = alone["demand"]["rates"]["rows"][0]
    assert rates_row["referrals"] == alone["demand"]["total"]  # the rates table and the monthly total agree
    exact = int(found["demand"][found["demand"].borough == borough].referrals.sum())
    assert abs(alone["demand"]["total"] - exact) <= SETTINGS.perturbation_max


def test_no_view_publishes_a_count_under_the_threshold():
    found, boroughs, needs, _, _ = _planted()
    counts = []
    for borough in ["", *boroughs[:6]]:
        for need in ["", *needs]:
            for period in views.PERIODS:
                view = views.view(found, views.Filters(borough=borough, service_type=need, period=period), SETTINGS)
                counts += [m["referrals"] for m in view["demand"]["monthly"]] + [view["demand"]["total"]]
                counts += [r["referrals"] for r in view["demand"].get("rates", {}).get("rows", [])]
    assert any(c is None for c in counts) and any(c is not None for c in counts)
    assert not [c for c in counts if c is not None and 1 <= c < SETTINGS.suppression_threshold]

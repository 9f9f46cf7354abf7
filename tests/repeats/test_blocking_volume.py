"""Prediction blocking chosen by volume: a rule over its pair budget leaves out its biggest blocks (issue 17)."""

from __future__ import annotations

import itertools

import duckdb
import pytest

from carehub.people.linkage_keys import ALL_KEY_FIELDS, LIST_FIELDS
from carehub.repeats import splink_model

DOB_AND_GIVEN = "l.dob = r.dob AND l.given_metaphone = r.given_metaphone"
SWAPPED = "l.dob = r.dob AND l.given_metaphone = r.family_metaphone"


def _keys(rows: list[dict]) -> duckdb.DuckDBPyConnection:
    """A keys table as bulk.build_linkage_keys makes it, from a few fields per row (the rest NULL)."""
    con = duckdb.connect()
    columns = ", ".join(f'"{f}" {"UBIGINT[]" if f in LIST_FIELDS else "UBIGINT"}' for f in ALL_KEY_FIELDS)
    con.execute(f"CREATE TABLE keys (rid BIGINT, {columns})")
    for rid, row in enumerate(rows, start=1):
        names = ", ".join(["rid", *(f'"{f}"' for f in row)])
        marks = ", ".join("?" * (len(row) + 1))
        con.execute(f"INSERT INTO keys ({names}) VALUES ({marks})", [rid, *row.values()])  # noqa: S608
    return con


def _brute_force(rows: list[dict], rule: str) -> int:
    """Pairs (earlier record on the left) the rule admits; a rule comparing two fields, half its ordered pairs."""
    tests = splink_model.rule_tests(rule)

    def admits(left: dict, right: dict) -> bool:
        return all(left.get(a) is not None and left.get(a) == right.get(b) for a, b in tests)

    if all(a == b for a, b in tests):
        return sum(admits(left, right) for left, right in itertools.combinations(rows, 2))
    return sum(admits(left, right) for left, right in itertools.permutations(rows, 2)) // 2


# One big block (20 records born on day 1 with name sound 7, two of them sharing a phone), small blocks of two, one
# of three, and blanks.
ROWS = (
    [{"dob": 1, "given_metaphone": 7, "family_metaphone": 100 + i, "phone": 55 if i < 2 else None} for i in range(20)]
    + [{"dob": 2 + i, "given_metaphone": 8, "family_metaphone": 8} for i in range(5) for _ in range(2)]
    + [{"dob": 50, "given_metaphone": 9, "family_metaphone": 7} for _ in range(3)]
    + [{"dob": 1, "family_metaphone": 7}, {"given_metaphone": 7}]
)


@pytest.mark.parametrize("rule", [DOB_AND_GIVEN, SWAPPED, "l.phone = r.phone"])
def test_pairs_are_counted_exactly_without_making_them(rule):
    assert splink_model.count_pairs(_keys(ROWS), "keys", rule) == _brute_force(ROWS, rule)


def test_rules_within_budget_are_kept_as_they_are(monkeypatch):
    monkeypatch.setattr(splink_model, "PAIRS_ALWAYS", 0)
    rows = [{"dob": i // 2 if i < 16 else i, "given_metaphone": 1} for i in range(40)]  # 8 pairs: 0.2 a record
    con = _keys(rows)
    assert splink_model.prediction_blocking(con, "keys") == (list(splink_model.PREDICTION_BLOCKING), "keys")


def test_a_rule_may_always_make_a_million_pairs():
    assert splink_model.prediction_blocking(_keys(ROWS), "keys") == (list(splink_model.PREDICTION_BLOCKING), "keys")


def test_a_rule_over_budget_asks_its_big_blocks_for_corroboration(monkeypatch):
    monkeypatch.setattr(splink_model, "PAIRS_ALWAYS", 0)
    monkeypatch.setattr(splink_model, "PAIRS_PER_RECORD", 0.25)
    con = _keys(ROWS)  # 35 records: a budget of 8.75 pairs a rule; dob and name sound make 190 + 5 + 3
    rules, table = splink_model.prediction_blocking(con, "keys")
    index = splink_model.PREDICTION_BLOCKING.index(DOB_AND_GIVEN)
    corroborated = splink_model.corroboration(["dob", "given_metaphone"])
    assert rules[index] == f"{DOB_AND_GIVEN} AND (NOT l.big_{index} OR {corroborated})"  # blocks of 2, 3 stay whole
    assert rules[splink_model.PREDICTION_BLOCKING.index(SWAPPED)] == SWAPPED  # not one group: never capped
    kept = con.execute(f"SELECT count(*) FROM {table} l JOIN {table} r ON {rules[index]} AND l.rid < r.rid").fetchone()  # noqa: S608
    assert kept[0] == 5 + 3 + 1  # the small blocks' pairs, and the big block's one pair sharing a phone
    big = dict(con.execute(f"SELECT rid, big_{index} FROM {table}").fetchall())  # noqa: S608
    assert big[1] and not big[21] and not big[31] and not big[34]  # 34: no name sound, in no block
    assert con.execute("SELECT count(*) FROM keys").fetchone()[0] == len(ROWS)  # the keys themselves untouched


def test_corroboration_is_by_comparisons_the_rule_does_not_test():
    keys = splink_model.corroboration(["dob", "given_metaphone"])
    assert "l.family_metaphone = r.family_metaphone" in keys and "l.phone = r.phone" in keys
    assert "given_metaphone" not in keys and "dob_ym" not in keys
    assert "postcode_district" not in splink_model.corroboration(["postcode", "address"])
    assert "metaphone" not in splink_model.corroboration(["dob_ym", "names_metaphone"])


def test_the_capped_rules_reach_splink_and_spark_settings():
    rules = [*splink_model.PREDICTION_BLOCKING[:-1], "l.town = r.town AND l.block_19 <= 40"]
    settings = splink_model.splink_settings(rules=rules)
    spark = splink_model.for_dialect(settings, "spark")
    for made in (settings, spark):
        assert [r["blocking_rule"] for r in made["blocking_rules_to_generate_predictions"]] == rules


# For the budget shared by all the rules: dob and first name's sound in a block of 4 and one of 20 (6 + 190 pairs),
# dob and family name's sound in five blocks of 2 (5 pairs), a phone shared in four pairs (one inside the block of 20).
SHARED_ROWS = (
    [{"dob": 1, "given_metaphone": 7, "family_metaphone": 100 + i, "phone": 55 if i < 2 else None} for i in range(20)]
    + [{"dob": 70, "given_metaphone": 70, "family_metaphone": 200 + i} for i in range(4)]
    + [{"dob": 2 + i // 2, "given_metaphone": 300 + i, "family_metaphone": 50} for i in range(10)]
    + [{"phone": 60 + i // 2} for i in range(6)]
)
DOB_AND_FAMILY = "l.dob = r.dob AND l.family_metaphone = r.family_metaphone"


def _full_pairs(con: duckdb.DuckDBPyConnection, table: str, rule: str, index: int) -> int:
    """Pairs a chosen rule admits in full (not by corroboration): for a capped rule, those of its small blocks."""
    base = splink_model.PREDICTION_BLOCKING[index]
    admitted = f"{base} AND NOT l.big_{index}" if rule != base else base
    sql = f"SELECT count(*) FROM {table} l JOIN {table} r ON {admitted} AND l.rid < r.rid"  # noqa: S608
    return con.execute(sql).fetchone()[0]


def test_the_rules_together_keep_within_a_shared_budget_smallest_rules_whole(monkeypatch):
    monkeypatch.setattr(splink_model, "PAIRS_ALWAYS", 0)
    monkeypatch.setattr(splink_model, "PAIRS_PER_RECORD", 100.0)  # no rule over its own budget
    monkeypatch.setattr(splink_model, "PAIRS_ALWAYS_ALL", 0)
    monkeypatch.setattr(splink_model, "PAIRS_PER_RECORD_ALL", 0.3)  # 40 records: 12 pairs for all the rules
    con = _keys(SHARED_ROWS)
    rules, table = splink_model.prediction_blocking(con, "keys")
    capped = [i for i, rule in enumerate(rules) if rule != splink_model.PREDICTION_BLOCKING[i]]
    assert capped == [splink_model.PREDICTION_BLOCKING.index(DOB_AND_GIVEN)]  # 196 pairs: cut; 5 and 4: whole
    full = [_full_pairs(con, table, rule, i) for i, rule in enumerate(rules)]
    assert sum(full) == 5 + 4 <= 12  # both of its blocks are big: at a budget of 6 its block of 4 would make 15
    assert sum(full) == sum(_brute_force(list(SHARED_ROWS), r) for r in splink_model.PREDICTION_BLOCKING) - 196
    index = capped[0]
    sql = f"SELECT count(*) FROM {table} l JOIN {table} r ON {rules[index]} AND l.rid < r.rid"  # noqa: S608
    assert con.execute(sql).fetchone()[0] == 1  # the big block's pair that shares a phone, by corroboration


def test_the_shared_budget_is_the_largest_that_keeps_the_rules_within_it():
    histograms = [[(2, 5)], [(2, 4)], [(4, 1), (20, 1)]]
    budget = splink_model.shared_budget(histograms, per_rule=1000, room=12)
    assert 5 <= budget < 6  # the rules of 5 and 4 pairs whole, the block of 4 (6 pairs) would break the room
    assert sum(splink_model.kept_pairs(h, budget) for h in histograms) == 9
    assert splink_model.shared_budget(histograms, per_rule=1000, room=15) >= 6
    assert splink_model.shared_budget(histograms, per_rule=1000, room=3) == 0  # blocks of two are always kept
    assert splink_model.shared_budget(histograms, per_rule=1000, room=1000) == 1000


def test_a_million_records_are_within_the_shared_budget():
    """The synthetic million's rules (2.5M pairs, none over a million) keep their own budget: nothing changes."""
    histograms = [[(2, 127_000)] for _ in range(20)]  # 2.54M pairs in all
    room = max(splink_model.PAIRS_ALWAYS_ALL, splink_model.PAIRS_PER_RECORD_ALL * 1_000_000)
    per_rule = max(splink_model.PAIRS_ALWAYS, splink_model.PAIRS_PER_RECORD * 1_000_000)
    assert splink_model.shared_budget(histograms, per_rule=per_rule, room=room) == per_rule


def test_blocked_pairs_are_every_pair_some_rule_admits_once():
    """dedupe.blocked_pairs makes the rules' pairs itself, for Splink to score: the same pairs Splink would make."""
    from carehub.repeats import dedupe

    rows = list(SHARED_ROWS) + list(ROWS)
    con = _keys(rows)
    rules = list(splink_model.PREDICTION_BLOCKING)
    name = dedupe.blocked_pairs(con, "keys", rules)
    made = con.execute(f"SELECT join_key_l, join_key_r FROM {name}").fetchall()  # noqa: S608

    def admits(left: dict, right: dict, rule: str) -> bool:
        return all(left.get(a) is not None and left.get(a) == right.get(b) for a, b in splink_model.rule_tests(rule))

    expected = {
        (i + 1, j + 1)
        for i, j in itertools.combinations(range(len(rows)), 2)
        if any(admits(rows[i], rows[j], rule) for rule in rules)
    }
    assert len(made) == len(set(made)) and set(made) == expected

"""The record-linkage model: which linkage keys are compared, how agreement is graded, and how it is trained.

A Fellegi-Sunter model in Splink, trained without labels: u (how often two different people agree by chance) from
random pairs, m (how often the same person agrees with herself) by expectation maximisation over blocked pairs.
Every comparison is defined once here, as data (COMPARISONS), and turned both into Splink's SQL and, in scoring.py,
into plain Python that scores one pair in microseconds: the batch command and the hub grade agreement the same way.

Each comparison's levels are checked best first; "missing" when the feature is blank on either side (a blank never
agrees with a blank, and counts for nothing either way). Address and postcode are one comparison ("home"), and the
date's parts one ("dob"), because Fellegi-Sunter assumes comparisons independent and these are not. Exact agreement
on a name is weighted by how common that name is (Splink's term-frequency adjustment): "Deeqa" agreeing says more
than "Sarah" agreeing.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from carehub.people.linkage_keys import ALL_KEY_FIELDS

Agreement = Literal["agree", "partly", "differ", "missing"]


@dataclass(frozen=True)
class Test:
    """Left record's `left` key equals right record's `right` key; with `overlap`, the two key lists share one."""

    left: str
    right: str
    overlap: bool = False

    def sql(self, dialect: str = "duckdb") -> str:
        if dialect == "spark":  # Spark quotes names with backticks and calls list overlap arrays_overlap
            left, right = f"`{self.left}_l`", f"`{self.right}_r`"
            return f"arrays_overlap({left}, {right})" if self.overlap else f"{left} = {right}"
        left, right = f'"{self.left}_l"', f'"{self.right}_r"'
        return f"list_has_any({left}, {right})" if self.overlap else f"{left} = {right}"


@dataclass(frozen=True)
class Level:
    """A grade of agreement: any one of `any_of` (each a conjunction of tests) holds."""

    label: str
    agreement: Agreement
    any_of: tuple[tuple[Test, ...], ...]

    def sql(self, dialect: str = "duckdb") -> str:
        return " OR ".join("(" + " AND ".join(t.sql(dialect) for t in tests) + ")" for tests in self.any_of)


@dataclass(frozen=True)
class Comparison:
    """One feature compared: missing when all of `fields` are blank on either side, else the first level that holds."""

    name: str
    fields: tuple[str, ...]
    levels: tuple[Level, ...]

    def null_sql(self, dialect: str = "duckdb") -> str:
        quote = "`" if dialect == "spark" else '"'
        side = ["(" + " AND ".join(f"{quote}{f}_{s}{quote} IS NULL" for f in self.fields) + ")" for s in ("l", "r")]
        return " OR ".join(side)

    def level_sql(self) -> str:
        """The pair's level as scoring.level_index gives it: NULL if missing, 0 for the best, len(levels) for differ."""
        whens = " ".join(f"WHEN {level.sql()} THEN {i}" for i, level in enumerate(self.levels))
        return f"CASE WHEN {self.null_sql()} THEN NULL {whens} ELSE {len(self.levels)} END"


def _eq(field: str) -> tuple[Test, ...]:
    return (Test(field, field),)


def _name(field: str, other: str) -> Comparison:
    return Comparison(
        field,
        (field,),
        (
            Level("exact", "agree", (_eq(field),)),
            Level(f"swapped with {other} name", "partly", ((Test(field, other), Test(other, field)),)),
            Level("one typing slip apart", "partly", ((Test(f"{field}_near", f"{field}_near", overlap=True),),)),
            Level(
                f"swapped with {other} name, with typing slips",
                "partly",
                (
                    (
                        Test(f"{field}_near", f"{other}_near", overlap=True),
                        Test(f"{other}_near", f"{field}_near", overlap=True),
                    ),
                ),
            ),
            Level("sounds alike", "partly", (_eq(f"{field}_metaphone"),)),
        ),
    )


COMPARISONS: tuple[Comparison, ...] = (
    _name("given", "family"),
    _name("family", "given"),
    Comparison(
        "dob",
        ("dob",),
        (
            Level("exact", "agree", (_eq("dob"),)),
            Level(
                "two of day, month and year, or day and month swapped",
                "partly",
                (_eq("dob_unordered"), _eq("dob_ym"), _eq("dob_yd"), _eq("dob_md")),
            ),
        ),
    ),
    Comparison("phone", ("phone",), (Level("exact", "agree", (_eq("phone"),)),)),
    Comparison("email", ("email",), (Level("exact", "agree", (_eq("email"),)),)),
    Comparison(
        "home",
        ("postcode", "address"),
        (
            Level("same address and postcode", "agree", ((Test("address", "address"), Test("postcode", "postcode")),)),
            Level("same postcode", "partly", (_eq("postcode"),)),
            Level("same first line of address", "partly", (_eq("address"),)),
            Level(
                "first line one typing slip apart", "partly", ((Test("address_near", "address_near", overlap=True),),)
            ),
            Level("same postcode sector", "partly", (_eq("postcode_sector"),)),
            Level("same postcode district", "partly", (_eq("postcode_district"),)),
        ),
    ),
    # From the optional columns, when the input has them (the hub has none: always missing there). Levels that test
    # equality come first so that estimate_u can count them over the whole file (see _exact_pairs).
    Comparison(
        "place",
        ("town", "county", "address_2"),
        (
            Level(
                "same town and second address line", "agree", ((Test("town", "town"), Test("address_2", "address_2")),)
            ),
            Level("same town", "partly", (_eq("town"),)),
            Level("same second address line", "partly", (_eq("address_2"),)),
            Level("town one typing slip apart", "partly", ((Test("town_near", "town_near", overlap=True),),)),
            Level("same county", "partly", (_eq("county"),)),
        ),
    ),
)

TERM_FREQUENCY_FIELDS = ("given", "family")

# Pairs scored by the batch command: any rule admits a pair. Together they find nearly every true pair while
# keeping blocks small (a rule on a common name alone would compare every "Sarah Khan" with every other).
PREDICTION_BLOCKING: tuple[str, ...] = (
    "l.phone = r.phone",
    "l.email = r.email",
    "l.dob = r.dob AND l.given_metaphone = r.given_metaphone",
    "l.dob = r.dob AND l.family_metaphone = r.family_metaphone",
    "l.dob = r.dob AND l.given_metaphone = r.family_metaphone",  # names swapped
    "l.dob_unordered = r.dob_unordered AND l.names_metaphone = r.names_metaphone",  # day and month swapped
    "l.dob_ym = r.dob_ym AND l.names_metaphone = r.names_metaphone",  # one part of the date mistyped
    "l.dob_yd = r.dob_yd AND l.names_metaphone = r.names_metaphone",
    "l.dob_md = r.dob_md AND l.names_metaphone = r.names_metaphone",
    "l.postcode_district = r.postcode_district AND l.names_metaphone = r.names_metaphone",  # no date of birth
    "l.postcode = r.postcode AND l.given_metaphone = r.given_metaphone",
    "l.postcode = r.postcode AND l.family_metaphone = r.family_metaphone",
    "l.postcode = r.postcode AND l.address = r.address",
    "l.address = r.address AND l.given_metaphone = r.given_metaphone",
    "l.address = r.address AND l.family_metaphone = r.family_metaphone",
    "l.dob = r.dob AND l.postcode = r.postcode",  # both names mistyped or replaced
    "l.dob = r.dob AND l.address = r.address",
    "l.postcode = r.postcode AND l.given_metaphone = r.family_metaphone",  # names swapped, no date of birth
    "l.town = r.town AND l.given_metaphone = r.given_metaphone",
    "l.town = r.town AND l.family_metaphone = r.family_metaphone",
)
_RULE_TEST = re.compile(r"^l\.(\w+) = r\.(\w+)$")


def rule_tests(rule: str) -> list[tuple[str, str]]:
    """A blocking rule's equalities as (left field, right field): every rule here is a conjunction of them."""
    tests = []
    for part in rule.split(" AND "):
        found = _RULE_TEST.match(part.strip())
        if not found:
            raise ValueError(f"not a conjunction of equalities: {rule}")
        tests.append((found[1], found[2]))
    return tests


def count_pairs(con: Any, table: str, rule: str) -> int:
    """The pairs (l.rid < r.rid) a blocking rule admits, from key frequencies, without making them.

    Exact for a rule comparing each field with itself: n records sharing a key make n(n-1)/2 pairs. A rule comparing
    one field with another (names swapped) holds in either order of a pair's records, and Splink tries one: it is
    counted as half the ordered pairs, an estimate.
    """
    tests = rule_tests(rule)
    left = [f'"{a}"' for a, _ in tests]
    right = [f'"{b}"' for _, b in tests]
    if left == right:
        present = " AND ".join(f"{c} IS NOT NULL" for c in left)
        sql = f"""SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM (
                      SELECT count(*) AS n FROM {table} WHERE {present} GROUP BY {", ".join(left)})"""  # noqa: S608
        return int(con.execute(sql).fetchall()[0][0])
    keys_l = ", ".join(f"{c} AS k{i}" for i, c in enumerate(left))
    keys_r = ", ".join(f"{c} AS k{i}" for i, c in enumerate(right))
    names = ", ".join(f"k{i}" for i in range(len(tests)))
    both_l = " AND ".join(f"{c} IS NOT NULL" for c in left)
    both_r = " AND ".join(f"{c} IS NOT NULL" for c in right)
    self_match = " AND ".join(f"{a} = {b}" for a, b in zip(left, right, strict=True))
    sql = f"""WITH a AS (SELECT {keys_l}, count(*) AS n FROM {table} WHERE {both_l} GROUP BY ALL),
                   b AS (SELECT {keys_r}, count(*) AS n FROM {table} WHERE {both_r} GROUP BY ALL)
              SELECT coalesce(sum(a.n * b.n), 0)
                     - (SELECT count(*) FROM {table} WHERE {both_l} AND {self_match})
              FROM a JOIN b USING ({names})"""  # noqa: S608
    return int(con.execute(sql).fetchall()[0][0]) // 2


PAIRS_ALWAYS = 1_000_000  # pairs any rule may admit: seconds to score, so never worth losing a true pair over
PAIRS_PER_RECORD = 0.25
"""Beyond PAIRS_ALWAYS, how many pairs per record a prediction blocking rule may admit in full.

Pairs on keys of a bounded number of values (a date of birth, a name's sound) grow with the square of the file, true
pairs only with the file: at ten million records the rules on a shared birthday and a name's sound admit more than
a pair per record, nearly all strangers, and scoring them took two thirds of the run. A rule over budget keeps its
small blocks in full and, in its big ones (the commonest names born on one day), only the pairs that also agree on
a key of some comparison the rule does not test (CORROBORATION). In a big block the rule's own keys are common and
weigh little: a pair agreeing on nothing else cannot reach a usual threshold (at 10M the prior is about -24 bits,
an exact date of birth and a common first name about +20), while a rare name makes a small block, kept whole.
Up to a million records (and every public data set tried) no rule reaches the budget: nothing changes there."""

PAIRS_ALWAYS_ALL = 3_000_000  # pairs all the rules together may always admit (a million records make 2.5M)
PAIRS_PER_RECORD_ALL = 1.0
"""Beyond PAIRS_ALWAYS_ALL, how many pairs per record all the prediction blocking rules together may admit.

A budget per rule alone lets twenty rules make five pairs a record: at ten million records the rules each within
theirs still made 33.5M pairs, and scoring them was most of the run. Over the shared budget, every capped rule gets
the same lower budget (the largest that keeps the rules' pairs together within this one): a rule making fewer pairs
than that is kept whole, so the rules on near-unique keys (a phone, an email, a postcode and a name), whose pairs are
mostly true ones, are never cut, and the ones on keys of few values (a date of birth and a name's sound, a part of
the date), whose pairs are mostly strangers, are cut first and hardest. No labels, nothing per data set: the order
comes from the rules' block sizes in the file itself. The pairs the big blocks admit by corroboration come on top."""

# A cheap key per comparison, tested in a capped rule's big blocks: agreement on any one (of a comparison the rule
# does not already test) corroborates the pair. Names' typing slips and the place are left out: list overlaps cost
# as much as scoring, and a slip in a common name rarely keeps a pair of strangers apart from a match anyway.
CORROBORATION: dict[str, tuple[str, ...]] = {
    "given": ("given_metaphone",),
    "family": ("family_metaphone",),
    "dob": ("dob_ym", "dob_yd", "dob_md", "dob_unordered"),
    "phone": ("phone",),
    "email": ("email",),
    "home": ("postcode_district", "address"),
    "place": ("town",),
}
_TESTED_BY: dict[str, tuple[str, ...]] = {  # blocking key -> the comparisons it stands for
    "given_metaphone": ("given",),
    "family_metaphone": ("family",),
    "names_metaphone": ("given", "family"),
    "dob": ("dob",),
    "dob_ym": ("dob",),
    "dob_yd": ("dob",),
    "dob_md": ("dob",),
    "dob_unordered": ("dob",),
    "phone": ("phone",),
    "email": ("email",),
    "postcode": ("home",),
    "postcode_sector": ("home",),
    "postcode_district": ("home",),
    "address": ("home",),
    "town": ("place",),
}


def prediction_blocking(con: Any, table: str) -> tuple[list[str], str]:
    """PREDICTION_BLOCKING for `table`: a rule over budget (PAIRS_PER_RECORD) asks big blocks for corroboration.

    The budget is a rule's own, or less when the rules together would exceed theirs (PAIRS_PER_RECORD_ALL; see
    shared_budget). "Big" is larger than the largest block size whose blocks, with all smaller ones, keep the rule
    within budget. Returns the rules and the table to score them on: `table` itself when no rule is over budget, else
    a view of it with a flag per capped rule (big_INDEX: the record is in one of the rule's big blocks) that its rule
    tests: "l.dob = r.dob AND ... AND (NOT l.big_2 OR l.phone = r.phone OR ...)". The big blocks are a small table each,
    joined in, so the keys are not copied (Splink copies them once anyway). Only rules that compare each field
    with itself are capped (a names-swapped rule's blocks are not one group); they are small anyway.
    """
    records = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]  # noqa: S608
    histograms: dict[int, list[tuple[int, int]]] = {}
    uncapped = 0  # pairs of the rules never capped (names swapped)
    for index, rule in enumerate(PREDICTION_BLOCKING):
        tests = rule_tests(rule)
        if any(a != b for a, b in tests):
            uncapped += count_pairs(con, table, rule)
        else:
            histograms[index] = _block_sizes(con, table, [a for a, _ in tests])
    budget = shared_budget(
        list(histograms.values()),
        max(PAIRS_ALWAYS, PAIRS_PER_RECORD * records),
        max(PAIRS_ALWAYS_ALL, PAIRS_PER_RECORD_ALL * records) - uncapped,
    )
    rules, flags, joins = [], [], []
    for index, rule in enumerate(PREDICTION_BLOCKING):
        histogram = histograms.get(index)
        if histogram is None or _pairs(histogram) <= budget:
            rules.append(rule)
            continue
        fields = [a for a, _ in rule_tests(rule)]
        cap = _block_cap(histogram, budget)
        columns, present = ", ".join(_quoted_fields(fields)), _present(fields)
        con.execute(
            f"""CREATE OR REPLACE TABLE {table}_big_{index} AS SELECT {columns} FROM {table} WHERE {present}
                GROUP BY {columns} HAVING count(*) > {cap}"""  # noqa: S608
        )
        on = " AND ".join(f'k."{f}" = b{index}."{f}"' for f in fields)
        joins.append(f"LEFT JOIN {table}_big_{index} b{index} ON {on}")
        flags.append(f'b{index}."{fields[0]}" IS NOT NULL AS big_{index}')
        rules.append(f"{rule} AND (NOT l.big_{index} OR {corroboration(fields)})")
    if not flags:
        return rules, table
    con.execute(
        f"CREATE OR REPLACE VIEW {table}_blocked AS SELECT k.*, {', '.join(flags)} FROM {table} k {' '.join(joins)}"  # noqa: S608
    )
    return rules, f"{table}_blocked"


def _present(fields: list[str]) -> str:
    return " AND ".join(f"{f} IS NOT NULL" for f in _quoted_fields(fields))


def _block_sizes(con: Any, table: str, fields: list[str]) -> list[tuple[int, int]]:
    """(size, blocks of that size) for the blocks of two or more records sharing `fields`, smallest first."""
    columns = ", ".join(_quoted_fields(fields))
    return con.execute(
        f"""SELECT n, count(*) FROM (SELECT count(*) AS n FROM {table} WHERE {_present(fields)} GROUP BY {columns})
            WHERE n > 1 GROUP BY n ORDER BY n"""  # noqa: S608
    ).fetchall()


def shared_budget(histograms: list[list[tuple[int, int]]], per_rule: float, room: float) -> float:
    """The budget each rule gets: `per_rule`, or less when the rules' kept pairs would then exceed `room` together.

    The largest budget at most `per_rule` at which kept_pairs summed over the rules is at most `room` (found by
    bisection: kept pairs never fall as the budget rises). A rule whose blocks of two alone exceed it keeps those
    (see _block_cap), so with no budget low enough the answer is 0: every capped rule keeps its blocks of two only.
    """

    def total(budget: float) -> float:
        return sum(kept_pairs(histogram, budget) for histogram in histograms)

    if total(per_rule) <= room:
        return per_rule
    low, high = 0.0, per_rule
    for _ in range(64):
        middle = (low + high) / 2
        low, high = (middle, high) if total(middle) <= room else (low, middle)
    return low


def kept_pairs(histogram: list[tuple[int, int]], budget: float) -> float:
    """The pairs a rule with these block sizes admits in full within `budget`: all, or those of its small blocks."""
    if _pairs(histogram) <= budget:
        return _pairs(histogram)
    cap = _block_cap(histogram, budget)
    return sum(blocks * size * (size - 1) / 2 for size, blocks in histogram if size <= cap)


def _pairs(histogram: list[tuple[int, int]]) -> float:
    return sum(blocks * size * (size - 1) / 2 for size, blocks in histogram)


def _block_cap(histogram: list[tuple[int, int]], budget: float) -> int:
    """The largest block size s such that the blocks of at most s records hold at most `budget` pairs (at least 2)."""
    cap, pairs = 2, 0.0
    for size, blocks in histogram:
        pairs += blocks * size * (size - 1) / 2
        if pairs > budget:
            break
        cap = size
    return cap


def corroboration(fields: list[str]) -> str:
    """Agreement on a CORROBORATION key of a comparison none of `fields` tests, as SQL on l and r."""
    tested = {comparison for f in fields for comparison in _TESTED_BY[f]}
    keys = [key for comparison, keys in CORROBORATION.items() if comparison not in tested for key in keys]
    return " OR ".join(f"l.{key} = r.{key}" for key in keys)


def _quoted_fields(fields: list[str]) -> list[str]:
    return [f'"{f}"' for f in fields]


# EM sessions: each estimates m for every comparison not in its rule; together they cover all comparisons.
TRAINING_BLOCKING: tuple[str, ...] = ("dob", "phone")  # block on equal keys of each in turn
# Trains the date of birth's m when the phone session could not (a file without phones trained it not at all); not
# always, as a third session on a London postcode moved the synthetic million's m towards chance agreement.
TRAINING_FALLBACK = "postcode"


def splink_settings(
    u: list[list[float]] | None = None,
    prior: float = 1e-6,
    dialect: str = "duckdb",
    rules: list[str] | tuple[str, ...] = PREDICTION_BLOCKING,
) -> dict[str, Any]:
    """Splink's settings for COMPARISONS, with u per level when given (from estimate_u) and m left to training."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "rid",
        "probability_two_random_records_match": prior,
        "blocking_rules_to_generate_predictions": [{"blocking_rule": rule} for rule in rules],
        "comparisons": [_splink_comparison(c, u[i] if u else None, dialect) for i, c in enumerate(COMPARISONS)],
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "additional_columns_to_retain": [],
        "sql_dialect": dialect,
    }


def for_dialect(trained: dict[str, Any], dialect: str) -> dict[str, Any]:
    """A trained model (DuckDB's SQL) for another Splink backend: the same levels, m, u and prior, in its SQL.

    So a model trained on DuckDB scores on Spark unchanged (dedupe's --backend spark).
    """
    rules = [rule["blocking_rule"] for rule in trained["blocking_rules_to_generate_predictions"]]
    settings = splink_settings(prior=trained["probability_two_random_records_match"], dialect=dialect, rules=rules)
    for comparison, saved in zip(settings["comparisons"], trained["comparisons"], strict=True):
        for level, saved_level in zip(comparison["comparison_levels"], saved["comparison_levels"], strict=True):
            for name in ("m_probability", "u_probability"):
                if name in saved_level:
                    level[name] = saved_level[name]
    return settings


def _splink_comparison(comparison: Comparison, u: list[float] | None, dialect: str = "duckdb") -> dict[str, Any]:
    levels: list[dict[str, Any]] = [
        {"sql_condition": comparison.null_sql(dialect), "label_for_charts": "missing", "is_null_level": True}
    ]
    levels += [{"sql_condition": level.sql(dialect), "label_for_charts": level.label} for level in comparison.levels]
    if comparison.name in TERM_FREQUENCY_FIELDS:
        # A rare name agreeing says more than "Sarah" agreeing: weight exact agreement by how common the value is.
        levels[1]["tf_adjustment_column"] = comparison.name
        levels[1]["tf_adjustment_weight"] = 1.0
    levels.append({"sql_condition": "ELSE", "label_for_charts": "differ"})
    if u:
        for level, value in zip(levels[1:], u, strict=True):
            level["u_probability"] = value
    return {"output_column_name": comparison.name, "comparison_levels": levels}


@dataclass(frozen=True)
class TrainingOptions:
    """How much data training reads. Defaults keep a million records well inside a minute."""

    seed: int = 42
    u_max_pairs: float = 1e6
    em_max_pairs: float = 1e6


SAMPLED_ENOUGH = 1000  # a level seen this often among sampled pairs is estimated well enough from them


def estimate_u(con: Any, table: str, options: TrainingOptions) -> list[list[float]]:
    """u per level (how often two different people fall in it by chance), without labels.

    Common levels are counted on random pairs from a sample of records, as Splink does. Exact agreement on a
    near-unique feature (a phone, an email) is too rare for any sample to see reliably, so those levels are counted
    over all pairs at once from value frequencies: n records sharing a value make n(n-1)/2 agreeing pairs. Both
    counts include the few true duplicates among random pairs, which makes u slightly high: cautious, never bold.
    """
    total = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]  # noqa: S608
    sample_size = max(2, min(total, int((2 * options.u_max_pairs) ** 0.5) + 1))
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE u_sample AS
            SELECT * FROM {table} ORDER BY hash(rid + {int(options.seed)}), rid LIMIT {sample_size}"""  # noqa: S608
    )
    sampled = _sampled_level_counts(con)
    counted: dict[tuple[str, ...], float] = {}  # agreeing pairs per set of fields, shared across levels
    default = _default_u()
    result = []
    for comparison, counts, usual in zip(COMPARISONS, sampled, default, strict=True):
        sample_pairs = sum(counts)
        u = [c / sample_pairs if sample_pairs else 0.0 for c in counts]
        nonnull = _nonnull_records(con, table, comparison)
        all_pairs = nonnull * (nonnull - 1) / 2
        for index in range(len(comparison.levels)):
            if counts[index] >= SAMPLED_ENOUGH or not all_pairs:
                continue
            exact = _exact_pairs(con, table, comparison, index, counted)
            if exact is not None:
                u[index] = exact / all_pairs
        # A level never seen (a small file) takes the shipped model's u: what chance agreement looks like in London.
        u = [value if value > 0 else usual[i] for i, value in enumerate(u[:-1])]
        rest = 1.0 - sum(u)
        u.append(rest if rest > 0 else usual[-1])
        result.append(u)
    con.execute("DROP TABLE u_sample")
    return result


def _default_u() -> list[list[float]]:
    """Each level's u in the shipped model; a level it does not have (added since it was trained) gets UNKNOWN_U."""
    shipped = _shipped_levels()
    return [
        [shipped.get((c.name, label), {}).get("u_probability") or UNKNOWN_U for label in _labels(c)]
        for c in COMPARISONS
    ]


UNKNOWN_U = 1e-4  # a level neither the file nor the shipped model has seen: rare, but not so rare it overrules all


def _labels(comparison: Comparison) -> list[str]:
    return [level.label for level in comparison.levels] + ["differ"]


def _shipped_levels() -> dict[tuple[str, str], dict[str, Any]]:
    """The shipped model's levels by (comparison, label): matched by meaning, so a model that predates a level or a
    comparison still lends what it knows ({} when there is no shipped model, as when training it)."""
    if not DEFAULT_MODEL.exists():
        return {}
    saved = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
    return {
        (c["output_column_name"], level.get("label_for_charts", "")): level
        for c in saved["comparisons"]
        for level in c["comparison_levels"]
        if not level.get("is_null_level")
    }


def _sampled_level_counts(con: Any) -> list[list[int]]:
    columns = ", ".join(f"{c.level_sql()} AS {c.name}" for c in COMPARISONS)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE u_levels AS
            SELECT {columns}
            FROM (SELECT {_side_columns("l")} FROM u_sample) l
            JOIN (SELECT {_side_columns("r")} FROM u_sample) r ON l.rid_l < r.rid_r"""  # noqa: S608
    )
    counts = []
    for c in COMPARISONS:
        rows = dict(
            con.execute(
                f"SELECT {c.name}, count(*) FROM u_levels WHERE {c.name} IS NOT NULL GROUP BY 1"  # noqa: S608
            ).fetchall()
        )
        counts.append([rows.get(i, 0) for i in range(len(c.levels) + 1)])
    con.execute("DROP TABLE u_levels")
    return counts


def _side_columns(side: str) -> str:
    return ", ".join(f'"{f}" AS "{f}_{side}"' for f in ("rid", *ALL_KEY_FIELDS))


def _nonnull_records(con: Any, table: str, comparison: Comparison) -> int:
    present = " OR ".join(f'"{f}" IS NOT NULL' for f in comparison.fields)
    return con.execute(f"SELECT count(*) FROM {table} WHERE {present}").fetchall()[0][0]  # noqa: S608


def _exact_pairs(
    con: Any, table: str, comparison: Comparison, index: int, counted: dict[tuple[str, ...], float]
) -> float | None:
    """Pairs in level `index` over the whole table, when value frequencies can count them; else None.

    Possible when the level and every level before it are each one conjunction of same-field equalities: then
    inclusion-exclusion over the earlier levels counts pairs in this level and none before it. The swapped-names
    level is counted from (given, family) frequencies: pairs (x, y) and (y, x).
    """
    levels = comparison.levels[: index + 1]
    if any(len(level.any_of) != 1 or any(t.overlap for t in level.any_of[0]) for level in levels):
        return None
    tests = levels[-1].any_of[0]
    if any(t.left != t.right for t in tests):
        return _swapped_pairs(con, table, tests) if len(tests) == 2 and index == 1 else None
    if any(t.left != t.right for level in levels[:-1] for t in level.any_of[0]):
        return None
    own = {t.left for t in tests}
    earlier = [{t.left for t in level.any_of[0]} for level in levels[:-1]]
    count = 0.0
    for size in range(len(earlier) + 1):
        for subset in itertools.combinations(earlier, size):
            fields = tuple(sorted(own.union(*subset)))
            if fields not in counted:
                counted[fields] = _agreeing_pairs(con, table, list(fields))
            count += (-1) ** size * counted[fields]
    return count


def _agreeing_pairs(con: Any, table: str, fields: list[str]) -> float:
    columns = ", ".join(f'"{f}"' for f in fields)
    present = " AND ".join(f'"{f}" IS NOT NULL' for f in fields)
    sql = f"""SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM (
                  SELECT count(*) AS n FROM {table} WHERE {present} GROUP BY {columns})"""  # noqa: S608
    return float(con.execute(sql).fetchall()[0][0])


def _swapped_pairs(con: Any, table: str, tests: tuple[Test, ...]) -> float:
    a, b = tests[0].left, tests[0].right
    sql = f"""WITH c AS (SELECT "{a}" AS x, "{b}" AS y, count(*) AS n FROM {table}
                         WHERE "{a}" IS NOT NULL AND "{b}" IS NOT NULL GROUP BY 1, 2)
              SELECT coalesce(sum(c.n * d.n), 0) / 2 FROM c JOIN c d ON c.x = d.y AND c.y = d.x
              WHERE c.x <> c.y"""  # noqa: S608
    return float(con.execute(sql).fetchall()[0][0])


MIN_EM_PAIRS = 200  # fewer blocked pairs than this teach EM nothing reliable
MIN_TRAINING_RECORDS = 1000  # below this, chance agreement (u) cannot be measured: use the shipped model
DEFAULT_MODEL_RECORDS = 1_000_000  # the shipped model was trained on this many records


def train(linker: Any, options: TrainingOptions, con: Any, table: str) -> dict[str, Any]:
    """Estimate m by EM (no labels) with u already set from estimate_u, then the prior from the EM sessions.

    Returns the trained model as Splink's model dict. A session whose rule pairs too few records (a small file, or
    one without dates of birth) is skipped; levels no session could estimate keep the shipped model's m, and with
    no session at all the prior is the shipped model's, scaled to the file's size, so a small file still gets a
    usable model instead of an error.
    """
    quiet = logging.getLogger("splink")
    previous = quiet.level
    quiet.setLevel(logging.ERROR)  # Splink narrates every step; the command has its own progress bar
    trained_sessions = 0
    try:
        for field in (*TRAINING_BLOCKING, TRAINING_FALLBACK):
            if field == TRAINING_FALLBACK and trained_sessions == len(TRAINING_BLOCKING):
                break
            # Checked first: a session Splink cannot train leaves the linker's settings without that comparison.
            if _agreeing_pairs(con, table, [field]) < MIN_EM_PAIRS:
                continue
            linker.training.estimate_parameters_using_expectation_maximisation(
                f"l.{field} = r.{field}",
                max_pairs=options.em_max_pairs,
                estimate_without_term_frequencies=True,
                populate_probability_two_random_records_match_from_trained_values=True,
            )
            trained_sessions += 1
    finally:
        quiet.setLevel(previous)
    records = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]  # noqa: S608
    return _completed(linker.misc.save_model_to_json(), trained_sessions > 0, records)


def shipped_for(records: int) -> dict[str, Any]:
    """The shipped model with its prior scaled to a file of `records`: for files too small to train on."""
    return _completed(splink_settings(_default_u()) | {"comparisons": _shipped_comparisons()}, False, records)


def _shipped_comparisons() -> list[dict[str, Any]]:
    """COMPARISONS with the shipped model's m and u, level by level (see _shipped_levels).

    An agreement level is never evidence against a match here: its m is at least its u. The shipped model is
    trained on synthetic people, where some kinds of slip never happen (a first line of address one typing slip
    apart: EM finds m near 0), and taken at its word it would make a real referral with that slip count heavily
    against her own earlier record. A file trained on itself keeps what EM found.
    """
    comparisons = splink_settings(_default_u())["comparisons"]
    shipped = _shipped_levels()
    for comparison in comparisons:
        for level in comparison["comparison_levels"]:
            known = shipped.get((comparison["output_column_name"], level["label_for_charts"]), {})
            if "m_probability" in known:
                level["m_probability"] = known["m_probability"]
                if level["label_for_charts"] != "differ" and "u_probability" in level:
                    level["m_probability"] = max(level["m_probability"], level["u_probability"])
    return comparisons


def _completed(trained: dict[str, Any], prior_trained: bool, records: int) -> dict[str, Any]:
    """Levels training could not reach take the shipped model's m; a level it lacks gets m = u (no evidence)."""
    shipped = _shipped_levels()
    for comparison in trained["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level") or isinstance(level.get("m_probability"), float | int):
                continue
            known = shipped.get((comparison["output_column_name"], level.get("label_for_charts", "")), {})
            level["m_probability"] = known.get("m_probability") or level.get("u_probability") or UNKNOWN_U
            level.setdefault("u_probability", known.get("u_probability") or level["m_probability"])
    if not prior_trained:
        # With a steady share of repeats, pairs that match grow with n and all pairs with n squared.
        prior = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))["probability_two_random_records_match"]
        scaled = prior * DEFAULT_MODEL_RECORDS / max(records, 2)
        trained["probability_two_random_records_match"] = min(scaled, 0.5)
    return trained


def save(trained: dict[str, Any], path: Path) -> None:
    """Splink's own model JSON (settings with trained m, u and prior), so the hub scores without retraining."""
    Path(path).write_text(json.dumps(trained, indent=4), encoding="utf-8")


DEFAULT_MODEL = Path(__file__).resolve().parent / "data" / "model.json"


def load_default() -> dict[str, Any]:
    """The model shipped with Care Hub, trained by `carehub repeats dedupe --save-model` on 1,000,000 synthetic
    records (synthetic.linkage_records, seed 1): a starting point for the hub until it is retrained on real records,
    whose chance agreements (u) and share of repeats (the prior) will differ."""
    return load(DEFAULT_MODEL)


def load(path: Path) -> dict[str, Any]:
    """A saved model, checked to be one of ours: same comparisons in the same order."""
    model = json.loads(Path(path).read_text(encoding="utf-8"))
    names = [c["output_column_name"] for c in model.get("comparisons", [])]
    if names != [c.name for c in COMPARISONS]:
        raise ValueError(f"{path} is not a Care Hub linkage model (comparisons {names})")
    return model

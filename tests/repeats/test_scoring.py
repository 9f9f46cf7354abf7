"""The hub's scorer agrees with Splink, says how each feature agreed without values, and blanks count for nothing."""

from __future__ import annotations

import json
import math

import duckdb
import pytest
from django.conf import settings

from carehub.people import linkage_keys
from carehub.people.models import Identity
from carehub.repeats import bulk, scoring, splink_model
from tests.people.test_linkage_keys import ZOE, ZOE_AGAIN


@pytest.fixture(scope="module")
def trained(dedupe_run) -> dict:
    return splink_model.load(dedupe_run.model)


def test_score_pair_matches_splinks_own_prediction(labelled, dedupe_run, trained):
    from splink import DuckDBAPI, Linker

    plain = bulk.private_connection()
    bulk.load_csv(plain, str(labelled.csv))
    table = bulk.build_linkage_keys(plain, settings.HASH_KEY)
    con = duckdb.connect()
    con.register("keys_arrow", table)
    con.execute("CREATE TABLE keys AS SELECT * FROM keys_arrow")
    linker = Linker(DuckDBAPI(con).register("keys"), json.loads(dedupe_run.model.read_text()), log_level=None)
    predictions = linker.inference.predict(warning_mode="never").as_record_list()
    assert len(predictions) > 300
    rows = {row["rid"]: row for row in table.to_pylist()}
    frequency = {f: _frequencies(rows.values(), f) for f in splink_model.TERM_FREQUENCY_FIELDS}
    weights = scoring.Weights.from_model(trained)
    for p in predictions:
        a, b = rows[p["rid_l"]], rows[p["rid_r"]]
        tf = {f: frequency[f].get(a[f]) for f in splink_model.TERM_FREQUENCY_FIELDS}
        ours = scoring.explain_pair(a, b, weights, tf)
        assert ours.match_weight == pytest.approx(p["match_weight"], abs=1e-6), (p, ours)
        assert ours.probability == pytest.approx(p["match_probability"], abs=1e-9)


def _frequencies(rows, field: str) -> dict:
    values = [r[field] for r in rows if r[field] is not None]
    counts: dict = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return {v: n / len(values) for v, n in counts.items()}


def test_agreements_name_levels_not_values(trained):
    a = linkage_keys.linkage_keys(ZOE)
    b = linkage_keys.linkage_keys(
        Identity(given_name="Zoe", family_name="ONeill", phone="07700 900999", postcode="SW1A 1AB")
    )
    score = scoring.explain_pair(a, b, trained)
    assert score.agreements == {
        "given": "agree", "family": "partly", "dob": "missing", "phone": "differ", "email": "missing", "home": "partly"
    }  # fmt: skip
    assert score.levels["family"] == "one typing slip apart" and score.levels["home"] == "same postcode sector"
    probability, agreements = scoring.score_pair(a, b, trained)
    assert probability == score.probability and agreements == score.agreements
    assert "Zoe" not in json.dumps(score.levels) and "SW1A" not in json.dumps(score.levels)


def test_the_same_person_scores_high_and_a_stranger_low(trained):
    same, _ = scoring.score_pair(linkage_keys.linkage_keys(ZOE), linkage_keys.linkage_keys(ZOE_AGAIN), trained)
    stranger = Identity("Nadia", "Okonkwo", "", None, "07700 900222", "", "1 Mill Lane", "E1 6AN")
    other, _ = scoring.score_pair(linkage_keys.linkage_keys(ZOE), linkage_keys.linkage_keys(stranger), trained)
    assert same > 0.999 and other < 0.001


def test_blanks_never_match_blanks(trained):
    weights = scoring.Weights.from_model(trained)
    empty = linkage_keys.linkage_keys(Identity())
    score = scoring.explain_pair(empty, empty, weights)
    assert set(score.agreements.values()) == {"missing"}
    assert score.match_weight == pytest.approx(weights.prior_log2_odds), "nothing known, nothing learnt"
    only_names = linkage_keys.linkage_keys(Identity(given_name="Zoe", family_name="Smith"))
    assert scoring.explain_pair(only_names, only_names, weights).agreements["phone"] == "missing"


def test_a_rare_name_agreeing_counts_for_more_than_a_common_one(trained):
    a, b = linkage_keys.linkage_keys(ZOE), linkage_keys.linkage_keys(ZOE_AGAIN)
    rare = scoring.explain_pair(a, b, trained, {"given": 1e-6, "family": 1e-6}).match_weight
    common = scoring.explain_pair(a, b, trained, {"given": 0.02, "family": 0.02}).match_weight
    assert rare - common == pytest.approx(2 * math.log2(0.02 / 1e-6))


def test_candidate_blocks_name_only_known_keys():
    blocks = scoring.candidate_blocks(linkage_keys.linkage_keys(ZOE))
    assert [field for field, _ in blocks] == ["phone", "email", "dob", "address", "postcode", "names_metaphone"]
    assert scoring.candidate_blocks(linkage_keys.linkage_keys(Identity(family_name="Smith"))) == []


def test_the_shipped_model_knows_every_level():
    """The model behind the hub's suggestions is retrained when a level is added (`repeats dedupe --save-model` on
    1,000,000 synthetic records, seed 1): a level it lacks would count for nothing in the hub."""
    shipped = splink_model._shipped_levels()
    unknown = [(c.name, label) for c in splink_model.COMPARISONS for label in splink_model._labels(c)]
    assert [key for key in unknown if key not in shipped] == []


def test_in_the_hub_agreeing_partly_never_counts_against_a_match():
    """EM on synthetic people can leave a level's m near 0 (a slip the generator never makes); the hub must not
    then count that slip in a real referral as evidence she is someone else."""
    for comparison in splink_model.shipped_for(100_000)["comparisons"]:
        for level in comparison["comparison_levels"]:
            if not level.get("is_null_level") and level["label_for_charts"] != "differ":
                assert level["m_probability"] >= level["u_probability"], (comparison["output_column_name"], level)

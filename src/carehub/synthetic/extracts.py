"""Synthetic referral extracts with exactly the schema `carehub extract` writes, for tests and benchmarks.

The values use the codes of the hub's equality monitoring (ONS 2021 wording, `prefer_not_to_say`, blank for not
asked), so the shipped `hub.toml` runs on these files and on a real extract alike. Some disparities are built in on
purpose (fewer by-and-for offers and longer waits for some groups) so the engine has something to find. Same seed,
same rows: the generator draws in fixed-size chunks from one seeded numpy generator.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

# London shares of the 19 ONS 2021 ethnic categories (Census 2021 TS021, London boroughs summed).
ETHNICITY_SHARES = {
    "asian_bangladeshi": 0.0366,
    "asian_chinese": 0.0168,
    "asian_indian": 0.0746,
    "asian_pakistani": 0.0330,
    "asian_other": 0.0456,
    "black_african": 0.0792,
    "black_caribbean": 0.0392,
    "black_other": 0.0166,
    "mixed_white_asian": 0.0142,
    "mixed_white_black_african": 0.0088,
    "mixed_white_black_caribbean": 0.0151,
    "mixed_other": 0.0194,
    "white_british": 0.3681,
    "white_irish": 0.0178,
    "white_gypsy_traveller": 0.0008,
    "white_roma": 0.0043,
    "white_other": 0.1467,
    "other_arab": 0.0159,
    "other_any": 0.0474,
}
BOROUGHS = [f"E090000{n:02d}" for n in range(1, 34)]
CHANNELS = {"police": 0.45, "self": 0.25, "health": 0.15, "other_agency": 0.15}
AGE_BANDS = {
    "16_17": 0.03,
    "18_24": 0.17,
    "25_34": 0.31,
    "35_44": 0.24,
    "45_54": 0.13,
    "55_64": 0.06,
    "65_plus": 0.03,
    "prefer_not_to_say": 0.01,
    "": 0.02,
}
SEX = {"female": 0.93, "male": 0.05, "prefer_not_to_say": 0.01, "": 0.01}
GENDER_SAME_AS_SEX = {"yes": 0.93, "no": 0.02, "prefer_not_to_say": 0.02, "": 0.03}
GENDER_IDENTITY = {
    "woman": 0.90,
    "man": 0.04,
    "trans_woman": 0.01,
    "trans_man": 0.004,
    "non_binary": 0.008,
    "other": 0.003,
    "prefer_not_to_say": 0.015,
    "": 0.02,
}
SEXUAL_ORIENTATION = {
    "straight": 0.85,
    "gay_lesbian": 0.03,
    "bisexual": 0.04,
    "pansexual": 0.005,
    "asexual": 0.003,
    "queer": 0.004,
    "other": 0.003,
    "prefer_not_to_say": 0.035,
    "": 0.03,
}
DISABILITY = {"limited_a_lot": 0.10, "limited_a_little": 0.14, "no": 0.68, "prefer_not_to_say": 0.03, "": 0.05}
RELIGION = {
    "no_religion": 0.27,
    "christian": 0.40,
    "buddhist": 0.01,
    "hindu": 0.05,
    "jewish": 0.02,
    "muslim": 0.15,
    "sikh": 0.02,
    "other": 0.02,
    "prefer_not_to_say": 0.03,
    "": 0.03,
}
RISK_LEVELS = {"standard": 0.45, "medium": 0.35, "high": 0.20}
PREFER_NOT_TO_SAY_SHARE = 0.02
NOT_RECORDED_SHARE = 0.03
QUARTERS = ["2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2", "2024Q3", "2024Q4"]
START = np.datetime64("2023-01-01T00:00:00", "s")
SECONDS_IN_PERIOD = int((np.datetime64("2025-01-01T00:00:00", "s") - START).astype(np.int64))

# Built-in disparities: groups offered a by-and-for service less often when they ask, or who wait longer.
LOWER_BY_AND_FOR = {"other_arab", "white_roma", "white_gypsy_traveller", "black_other"}
LONGER_WAIT_INSECURE_DAYS = 9

COLUMNS = [
    "referral_key",
    "survivor_key",
    "received_at",
    "quarter",
    "borough",
    "channel",
    "age_band",
    "ethnicity",
    "ethnic_group",
    "sex",
    "gender_identity",
    "gender_same_as_sex",
    "sexual_orientation",
    "disability",
    "religion",
    "immigration_insecure",
    "wants_by_and_for",
    "offered_by_and_for",
    "accepted",
    "days_to_offer",
    "days_waiting",
    "risk_level",
    "sealed",
    "closed",
    "positive_outcome",
    "support_weeks",
    "repeat_within_12_months",
]


IMMIGRATION_FLAGS = ("sealed", "wants_by_and_for", "offered_by_and_for", "accepted", "closed", "positive_outcome")


def write_referrals(path: str | Path, rows: int, *, seed: int = 1, chunk: int = 1_000_000) -> Path:
    """Write `rows` synthetic referrals to one Parquet file (in row groups of `chunk`), and return its path.

    As the extract does, immigration status is not written per referral: `immigration.parquet`, beside the file,
    holds the counts by quarter, status and outcome flags (see `extract_data`).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    writer = None
    counted: list[pa.Table] = []
    try:
        for batch in _batches(rng, rows, chunk):
            counted.append(_immigration_counts(batch))
            batch = batch.drop_columns(["immigration_insecure"])
            if writer is None:
                writer = pq.ParquetWriter(path, batch.schema, compression="snappy")
            writer.write_table(batch)
    finally:
        if writer is not None:
            writer.close()
    keys = ["quarter", "immigration_status", *IMMIGRATION_FLAGS]
    total = pa.concat_tables(counted).group_by(keys, use_threads=False).aggregate([("referrals", "sum")])
    pq.write_table(total.rename_columns([*keys, "referrals"]), path.parent / "immigration.parquet")
    return path


def extract_data(path: str | Path) -> dict[str, str]:
    """The data sets of a synthetic extract written by write_referrals, as a specification's --data names them."""
    path = Path(path)
    return {"referrals": str(path), "immigration": str(path.parent / "immigration.parquet")}


def _immigration_counts(batch: pa.Table) -> pa.Table:
    insecure = batch["immigration_insecure"].to_numpy(zero_copy_only=False)
    valid = batch["immigration_insecure"].is_valid().to_numpy(zero_copy_only=False)
    status = np.where(~valid, "unknown", np.where(insecure.astype(bool, copy=False), "insecure", "secure"))
    table = pa.table(
        {
            "quarter": batch["quarter"].cast(pa.string()),
            "immigration_status": pa.array(status, pa.string()),
            **{name: batch[name] for name in IMMIGRATION_FLAGS},
            "referrals": pa.array(np.ones(batch.num_rows, dtype=np.int64)),
        }
    )
    keys = ["quarter", "immigration_status", *IMMIGRATION_FLAGS]
    counted = table.group_by(keys, use_threads=False).aggregate([("referrals", "sum")])
    return counted.rename_columns([*keys, "referrals"])


def _batches(rng: np.random.Generator, rows: int, chunk: int) -> Iterator[pa.Table]:
    done = 0
    while done < rows:
        size = min(chunk, rows - done)
        yield _batch(rng, done, size)
        done += size


def _choice(rng: np.random.Generator, shares: dict[str, float], size: int) -> np.ndarray:
    """Indices into the dict's keys, drawn by its shares (normalised, so shares need not sum exactly to 1)."""
    p = np.array(list(shares.values()), dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def _dictionary(codes: np.ndarray, labels: list[str]) -> pa.DictionaryArray:
    # Dictionary-encoded strings: what Parquet stores anyway, and a tenth of the memory of plain strings.
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), pa.array(labels, pa.string()))


def _nullable_bool(values: np.ndarray, valid: np.ndarray) -> pa.Array:
    return pa.array(values, mask=~valid, type=pa.bool_())


def _batch(rng: np.random.Generator, offset: int, size: int) -> pa.Table:
    eth_labels = [*ETHNICITY_SHARES, "prefer_not_to_say", ""]
    eth_shares = {k: v * (1 - PREFER_NOT_TO_SAY_SHARE - NOT_RECORDED_SHARE) for k, v in ETHNICITY_SHARES.items()}
    eth_shares |= {"prefer_not_to_say": PREFER_NOT_TO_SAY_SHARE, "": NOT_RECORDED_SHARE}
    eth = _choice(rng, eth_shares, size)
    group_of = [label.split("_", 1)[0] if label not in ("", "prefer_not_to_say") else label for label in eth_labels]
    group_labels = list(dict.fromkeys(group_of))
    group = np.array([group_labels.index(g) for g in group_of])[eth]

    ids = np.arange(offset, offset + size)
    survivor = rng.integers(0, max(1, (offset + size) * 4 // 5), size=size)
    seconds = np.sort(rng.integers(0, SECONDS_IN_PERIOD, size=size))
    received = START + seconds.astype("timedelta64[s]")
    quarter_index = (received.astype("datetime64[M]").astype(np.int64) - START.astype("datetime64[M]").astype(int)) // 3

    insecure_valid = rng.random(size) > 0.12
    insecure = rng.random(size) < 0.11
    wants = rng.random(size) < 0.32
    low_bfa = np.isin(eth, [eth_labels.index(k) for k in LOWER_BY_AND_FOR])
    offered = wants & (rng.random(size) < np.where(low_bfa, 0.45, 0.70))
    sealed = rng.random(size) < 0.004
    accepted = rng.random(size) < np.where(offered, 0.86, 0.74)
    has_offer = accepted | (rng.random(size) < 0.9)
    days_to_offer = np.where(has_offer, rng.poisson(6, size), -1)
    extra_wait = np.where(insecure & insecure_valid, LONGER_WAIT_INSECURE_DAYS, 0)
    days_waiting = rng.poisson(18, size) + extra_wait + rng.integers(0, 5, size)
    closed = accepted & (rng.random(size) < 0.8)
    positive = rng.random(size) < np.where(insecure & insecure_valid, 0.58, 0.66)
    support_weeks = np.where(accepted, rng.gamma(2.0, 7.0, size).round().astype(np.int64), -1)
    repeat_known = closed & (rng.random(size) < 0.9)

    columns = {
        "referral_key": pa.array(np.char.add("r", ids.astype(str))),
        "survivor_key": pa.array(np.char.add("s", survivor.astype(str))),
        "received_at": pa.array(received, pa.timestamp("s")),
        "quarter": _dictionary(quarter_index, QUARTERS),
        "borough": _dictionary(rng.integers(0, len(BOROUGHS), size), BOROUGHS),
        "channel": _dictionary(_choice(rng, CHANNELS, size), list(CHANNELS)),
        "age_band": _dictionary(_choice(rng, AGE_BANDS, size), list(AGE_BANDS)),
        "ethnicity": _dictionary(eth, eth_labels),
        "ethnic_group": _dictionary(group, group_labels),
        "sex": _dictionary(_choice(rng, SEX, size), list(SEX)),
        "gender_identity": _dictionary(_choice(rng, GENDER_IDENTITY, size), list(GENDER_IDENTITY)),
        "gender_same_as_sex": _dictionary(_choice(rng, GENDER_SAME_AS_SEX, size), list(GENDER_SAME_AS_SEX)),
        "sexual_orientation": _dictionary(_choice(rng, SEXUAL_ORIENTATION, size), list(SEXUAL_ORIENTATION)),
        "disability": _dictionary(_choice(rng, DISABILITY, size), list(DISABILITY)),
        "religion": _dictionary(_choice(rng, RELIGION, size), list(RELIGION)),
        "immigration_insecure": _nullable_bool(insecure, insecure_valid),
        "wants_by_and_for": pa.array(wants),
        "offered_by_and_for": pa.array(offered),
        "accepted": pa.array(accepted),
        "days_to_offer": pa.array(days_to_offer, mask=days_to_offer < 0, type=pa.int32()),
        "days_waiting": pa.array(days_waiting, type=pa.int32()),
        "risk_level": _dictionary(_choice(rng, RISK_LEVELS, size), list(RISK_LEVELS)),
        "sealed": pa.array(sealed),
        "closed": pa.array(closed),
        "positive_outcome": _nullable_bool(positive, closed),
        "support_weeks": pa.array(support_weeks, mask=support_weeks < 0, type=pa.int32()),
        "repeat_within_12_months": _nullable_bool(rng.random(size) < 0.18, repeat_known),
    }
    assert list(columns) == COLUMNS
    return pa.table(columns)

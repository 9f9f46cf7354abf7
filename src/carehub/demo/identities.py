"""Synthetic identities, built from the plan's draws and sealed exactly as people.services.survivor_create does.

Identities are built inside the sealing workers from a few numbers per survivor (the draws in the plan), so the
parent sends small arrays and gets back ciphertext. The same draws always give the same identity, whichever worker
builds it and in whatever order: same seed, same decrypted identities. The ciphertext itself differs on every run,
as it must (fresh data keys, fresh IVs).

Email addresses use the reserved example.com/.org/.net domains. Phone numbers are random UK-shaped numbers; nothing
in Care Hub sends messages from the demo.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

import numpy as np

from carehub.people import crypto
from carehub.people.linkage_keys import BatchKeys, key_row
from carehub.people.models import Identity, lookups_for
from carehub.synthetic.directory import BOROUGH_CODES
from carehub.synthetic.heritage import BRITISH_WOMEN, HERITAGES, STREETS
from carehub.synthetic.london import POSTCODE_DISTRICTS
from carehub.synthetic.population import Survivors
from carehub.synthetic.sampling import NA
from carehub.synthetic.staff import ascii_slug

EPOCH = dt.date(1970, 1, 1).toordinal()
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters used in the last two characters of UK postcodes
ALL_DISTRICTS = tuple(d for districts in POSTCODE_DISTRICTS.values() for d in districts)
# Wrapped key, sealed identity, email, phone and name+DOB lookups, and the linkage keys (people.linkage_keys.key_row).
SealedRow = tuple[bytes, bytes, str, str, str, tuple[str, ...]]

_INPUTS = ("heritage", "male", "dob_days", "borough")


def identity_inputs(survivors: Survivors, start: int, stop: int) -> dict[str, np.ndarray]:
    """The numbers from which survivors start..stop-1 get their identities (small enough to send to a worker)."""
    inputs = {name: getattr(survivors, name)[start:stop] for name in _INPUTS}
    inputs.update({name: values[start:stop] for name, values in survivors.draws.items()})
    return inputs


def build_identities(inputs: dict[str, np.ndarray]) -> list[Identity]:
    columns = {name: values.tolist() for name, values in inputs.items()}
    rows = [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]
    return [_identity(row) for row in rows]


def _identity(d: dict) -> Identity:
    heritage = HERITAGES[d["heritage"]]
    given = _pick(heritage.men if d["male"] else heritage.women, d["given"])
    family = _pick(heritage.family, d["family"])
    dob = dt.date.fromordinal(EPOCH + d["dob_days"]) if d["dob_days"] != NA else None
    address, postcode = _address(d)
    return Identity(
        given_name=given,
        family_name=family,
        known_as=_pick(BRITISH_WOMEN, d["known_as"] * 25) if d["known_as"] < 0.04 else "",
        date_of_birth=dob,
        phone=_phone(d["phone_kind"], d["phone_number"]),
        email=_email(d, given, family, dob),
        address=address,
        postcode=postcode,
    )


def _pick(options: tuple[str, ...], u: float) -> str:
    return options[int(u * len(options)) % len(options)]


def _phone(kind: float, number: int) -> str:
    if kind < 0.07:
        return ""
    if kind < 0.16:  # a London landline
        digits = f"{'378'[number % 3]}{number // 10 % 10**7:07d}"
        return f"020 {digits[:4]} {digits[4:]}"
    digits = f"7{4 + number // 10**8 % 6}{number % 10**8:08d}"
    if kind > 0.95:
        return f"+44 {digits[:4]} {digits[4:]}"
    return f"0{digits[:4]} {digits[4:]}"


def _email(d: dict, given: str, family: str, dob: dt.date | None) -> str:
    if d["email_kind"] < 0.25:
        return ""
    g, f, n, style = ascii_slug(given), ascii_slug(family), d["email_number"], d["email_style"]
    if style < 0.35:
        local = f"{g}.{f}"
    elif style < 0.6:
        local = f"{g}{f}{n}"
    elif style < 0.8:
        local = f"{g[:1]}{f}{n}"
    else:
        local = f"{g}_{dob.year % 100:02d}" if dob else f"{g}{n}"
    return f"{local}@{EMAIL_DOMAINS[n % len(EMAIL_DOMAINS)]}"


def _address(d: dict) -> tuple[str, str]:
    kind = d["address_kind"]
    if kind < 0.06:  # no fixed address, or not safe to give one
        return "", ""
    borough = d["borough"]
    districts = POSTCODE_DISTRICTS[BOROUGH_CODES[borough]] if borough != NA else ALL_DISTRICTS
    unit = d["unit"]
    letters = POSTCODE_LETTERS[unit // 20 % 20] + POSTCODE_LETTERS[unit % 20]
    postcode = f"{_pick(districts, d['district'])} {unit // 400}{letters}"
    if kind < 0.09:  # a postcode only
        return "", postcode
    flat = f"Flat {1 + int(d['flat'] * 100) % 40}, " if d["flat"] < 0.35 else ""
    return f"{flat}{d['house']} {_pick(STREETS, d['street'])}, London", postcode


# Each worker process keys names, dates and postcodes once for all its chunks (people.linkage_keys.BatchKeys); forgotten
# when sealing ends, so no plain value outlives the seed.
_batch_keys: BatchKeys | None = None


def seal_chunk(inputs: dict[str, np.ndarray]) -> list[SealedRow]:
    """Seal each identity under a fresh data key of her own, with the keyed look-up hashes and her linkage keys: as
    survivor_create does."""
    global _batch_keys
    if _batch_keys is None:
        _batch_keys = BatchKeys()
    rows: list[SealedRow] = []
    for identity in build_identities(inputs):
        wrapped = crypto.new_wrapped_data_key()
        sealed = crypto.seal(wrapped, identity.to_payload())
        lookups = lookups_for(identity)
        linkage = key_row(_batch_keys(identity))
        rows.append(
            (wrapped, sealed, lookups["email_lookup"], lookups["phone_lookup"], lookups["name_dob_lookup"], linkage)
        )
    return rows


def _forget_keys() -> None:
    global _batch_keys
    _batch_keys = None


@contextmanager
def sealing(survivors: Survivors, *, workers: int, chunk: int = 4000) -> Iterator[Iterator[list[SealedRow]]]:
    """Sealed rows for every survivor, chunk by chunk in order; with workers > 1, encryption runs on forked processes.

    The pool starts (and starts working) on entry, so the caller can write other tables meanwhile. Workers share the
    parent's settings and keys by forking, and never touch the database.
    """
    bounds = [(start, min(start + chunk, len(survivors))) for start in range(0, len(survivors), chunk)]
    tasks = (identity_inputs(survivors, start, stop) for start, stop in bounds)
    if workers <= 1 or len(bounds) <= 1:
        try:
            yield map(seal_chunk, tasks)
        finally:
            _forget_keys()
        return
    # Garbage that other libraries left in this process (a DuckDB connection in a reference cycle, say) is finalised
    # here, where its threads exist; a forked worker freezes what it inherits, so its own collections never finalise
    # it. A worker that dies all the same fails the seed (BrokenProcessPool) instead of leaving it waiting forever.
    gc.collect()
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=gc.freeze)
    try:
        yield pool.map(seal_chunk, tasks)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # a seed that failed part way does not seal the rest first

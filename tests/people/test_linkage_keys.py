"""Linkage keys hold no plain value, agree across spellings and slips, and a blank never matches a blank."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from carehub.people import linkage_keys
from carehub.people.models import Identity

ZOE = Identity(
    given_name="Zoë",
    family_name="O'Neil",
    date_of_birth=dt.date(1990, 5, 17),
    phone="+44 7700 900123",
    email="Zoe.ONeil@Example.org",
    address="Flat 3, 12 Albert Road, London",
    postcode="sw1a 1aa",
)
ZOE_AGAIN = Identity(  # the same woman, written down by another agency
    given_name="zoe",
    family_name="ONEIL",
    date_of_birth=dt.date(1990, 5, 17),
    phone="07700900123",
    email=" zoe.oneil@example.org ",
    address="3/12 Albert Rd",
    postcode="SW1A1AA",
)
KEY = re.compile(r"^[0-9a-f]{16}$")


def _plain_values(identity: Identity) -> set[str]:
    features = linkage_keys.identity_features(
        **{f.name: getattr(identity, f.name) for f in dataclasses.fields(Identity) if f.name != "known_as"}
    )
    values = {v for v in features.values() if isinstance(v, str) and v}
    values |= {item for v in features.values() if isinstance(v, list) for item in v}
    values |= {str(getattr(identity, f.name)) for f in dataclasses.fields(Identity)}
    return {v for v in values if len(v) >= 2}


def test_keys_are_keyed_hashes_and_hold_no_plain_value():
    linkage = linkage_keys.linkage_keys(ZOE)
    assert set(linkage) == set(linkage_keys.KEY_FIELDS)
    for field, value in linkage.items():
        for key in linkage_keys.near_keys(value) if field in linkage_keys.LIST_FIELDS else [value]:
            assert KEY.match(key), (field, key)
    stored = " ".join(linkage.values())
    for plain in _plain_values(ZOE):
        assert plain.lower() not in stored.lower(), plain


def test_the_same_person_spelt_differently_has_the_same_keys():
    assert linkage_keys.linkage_keys(ZOE) == linkage_keys.linkage_keys(ZOE_AGAIN)


def test_keys_depend_on_the_hash_key(settings):
    before = linkage_keys.linkage_keys(ZOE)
    settings.HASH_KEY = "another-key-" + "x" * 40
    after = linkage_keys.linkage_keys(ZOE)
    assert all(before[f] != after[f] for f in linkage_keys.KEY_FIELDS), "without the key, keys cannot be recomputed"


def test_a_typing_slip_leaves_a_shared_neighbour_and_usually_the_sound():
    for right, wrong in [("Sarah", "Sarha"), ("Sarah", "Sara"), ("Michelle", "Michele"), ("Okonkwo", "Okonkow")]:
        a = linkage_keys.linkage_keys(dataclasses.replace(ZOE, given_name=right))
        b = linkage_keys.linkage_keys(dataclasses.replace(ZOE, given_name=wrong))
        assert a["given"] != b["given"]
        assert set(linkage_keys.near_keys(a["given_near"])) & set(linkage_keys.near_keys(b["given_near"])), (
            right,
            wrong,
        )
    different = linkage_keys.linkage_keys(dataclasses.replace(ZOE, given_name="Samantha"))
    assert not set(linkage_keys.near_keys(different["given_near"])) & set(
        linkage_keys.near_keys(linkage_keys.linkage_keys(ZOE)["given_near"])
    )


def test_date_parts_agree_when_one_part_is_wrong_or_day_and_month_are_swapped():
    base = linkage_keys.linkage_keys(dataclasses.replace(ZOE, date_of_birth=dt.date(1990, 3, 7)))
    swapped = linkage_keys.linkage_keys(dataclasses.replace(ZOE, date_of_birth=dt.date(1990, 7, 3)))
    wrong_year = linkage_keys.linkage_keys(dataclasses.replace(ZOE, date_of_birth=dt.date(1991, 3, 7)))
    assert base["dob"] != swapped["dob"] and base["dob_unordered"] == swapped["dob_unordered"]
    assert base["dob"] != wrong_year["dob"] and base["dob_md"] == wrong_year["dob_md"]


def test_blank_in_blank_out():
    linkage = linkage_keys.linkage_keys(Identity())
    assert set(linkage.values()) == {""}
    partial = linkage_keys.linkage_keys(Identity(family_name="Smith"))
    assert partial["family"] and not partial["given"] and not partial["names_metaphone"] and not partial["phone"]


def test_postcode_sector_and_district_and_first_line_of_address():
    assert linkage_keys.postcode_features("sw1a 1aa") == {
        "postcode": "SW1A1AA",
        "postcode_sector": "SW1A1",
        "postcode_district": "SW1A",
    }
    assert linkage_keys.postcode_features("not a postcode")["postcode_district"] == ""
    assert linkage_keys.address_line("Flat 3, 12 Albert Road, Hackney, London") == linkage_keys.address_line(
        "3/12 Albert Rd"
    )
    assert linkage_keys.address_line("12 Albert Road") != linkage_keys.address_line("21 Albert Road")

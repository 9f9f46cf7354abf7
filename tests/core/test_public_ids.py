"""core.public_ids: what a person reads back comes in as the stored form; anything else is no identifier at all."""

from __future__ import annotations

import random

from carehub.core import public_ids


def test_a_seeded_generator_gives_the_same_identifiers():
    first = [public_ids.new_public_id(random.Random(4)) for _ in range(3)]
    assert first == [public_ids.new_public_id(random.Random(4)) for _ in range(3)]
    assert all(public_ids.parse(value) == value for value in first)


def test_parse_takes_what_people_read_back():
    stored = "7K3QM9XD2PRA"
    for spoken in ("7K3Q-M9XD-2PRA", "7k3q m9xd 2pra", "7K3QM9XD2PRA"):
        assert public_ids.parse(spoken) == stored
    assert public_ids.parse("7K3Q-M9XD-2PRO") == "7K3QM9XD2PR0"  # O read as 0


def test_parse_refuses_what_cannot_be_an_identifier():
    for text in ("", "7K3Q", "7K3QM9XD2PRA7", "7K3QM9XD2PR!", "7K3QM9XD2PR\x00", "7K3QM9XD2PRU", "12345"):
        assert public_ids.parse(text) is None, text

"""Build tests/world.py's small London in the database the environment names, for the browser tests' real server.

Run as a subprocess after `carehub migrate` (the browser tests' conftest does both), never inside pytest: the server
is a separate process with its own database, so the world must be committed, not held in a test transaction.
Prints, as JSON on stdout, the facts the tests need but cannot look up themselves without a database connection.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

# `tests` is a package at the project root, which is not on the path when this file runs as a script.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carehub.settings")

import django
from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2Hasher(Argon2PasswordHasher):
    """Argon2 with small costs, so that hashing fifteen personas' passwords does not dominate the run.

    The server verifies these hashes with its own Argon2 hasher (the costs travel inside each hash) and, as Django
    does for any hash weaker than its settings, re-hashes the password at full cost on the persona's first sign-in.
    """

    time_cost = 1
    memory_cost = 1024
    parallelism = 1


def main() -> None:
    django.setup()
    from django.template.loader import render_to_string
    from django.test import override_settings

    from tests.world import build_world

    with override_settings(PASSWORD_HASHERS=["tests.browser.build_world.QuickArgon2Hasher"]):
        world = build_world()
    survivors = [r.survivor.identity for r in world.referrals.values()]
    facts = {
        "case_pks": {key: case.pk for key, case in world.cases.items()},
        "referral_references": {key: referral.reference for key, referral in world.referrals.items()},
        # Every name a survivor is known by: none of them may ever reach a page title (and so browser history).
        "survivor_names": sorted({name for i in survivors for name in (i.given_name, i.family_name) if name}),
        # The server error page cannot be asked for; the tests look at it as the server would send it.
        "server_error_page": render_to_string("500.html"),
    }
    json.dump(facts, sys.stdout)


if __name__ == "__main__":
    main()

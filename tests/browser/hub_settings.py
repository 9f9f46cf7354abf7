"""The browser hub's settings: Care Hub's own, with Argon2 at small costs and static files kept by the browser.

The journeys sign in about seventy times a run, and at the product's costs each check of a password is about 0.26 s
of the server's CPU: some 18 s a run spent showing that Argon2 is slow. Hashing itself (the costs, upgrading an old
hash) has its own tests (`argon2_hashing` in tests/conftest.py). The hub builds its world's users and checks their
sign-ins with one hasher, so no sign-in finds a hash weaker than the settings and upgrades it: two overlapping
sign-ins of one persona would each store a different hash, and the session of the one overwritten would be flushed.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher

from carehub.settings import *  # noqa: F403


class QuickArgon2Hasher(Argon2PasswordHasher):
    """Argon2 with small costs: the same algorithm and code path as the product's hasher, a fraction of the work."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1


PASSWORD_HASHERS = ["tests.browser.hub_settings.QuickArgon2Hasher"]

# The styles and scripts do not change during a run, so the browser keeps them for all of it rather than asking the
# server again after WhiteNoise's default of a minute (with DEBUG off): a page load is then one request, not five.
WHITENOISE_MAX_AGE = 3600

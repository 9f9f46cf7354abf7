"""A module's tests share one world, built once and rolled back to after each test (tests/conftest.py): no test sees
what another did to it, in the database or in the objects it was given."""

from __future__ import annotations

import pytest

from carehub.accounts.models import User
from carehub.referrals.models import Referral
from tests.conftest import SHARED_WORLD


@pytest.mark.parametrize("turn", ["first", "second"])
def test_each_test_gets_the_world_as_built_whatever_the_one_before_did(world, turn):
    """Both turns check, then spoil: whichever runs second fails if the first one's changes were kept."""
    triage = world.referrals["triage"]
    assert Referral.objects.filter(pk=triage.pk).exists()
    assert not User.objects.filter(username=f"spoiler-{turn}").exists()
    assert world.users["hana"].first_name != "Spoilt"
    assert User.objects.filter(username__startswith="spoiler-").count() == 0

    User.objects.create(username=f"spoiler-{turn}")
    User.objects.filter(pk=world.users["hana"].pk).update(first_name="Spoilt")
    world.users["hana"].first_name = "Spoilt"
    world.referrals.pop("triage")
    assert User.objects.get(pk=world.users["hana"].pk).first_name == "Spoilt"


def test_the_world_is_shared_here(request, world):
    """Tests of this module ask for the world, so the module shares one (and the tests above prove that sharing it
    isolates them), although one of its database tests does not ask for it (below)."""
    module = request.node.getparent(pytest.Module)
    assert module.stash[SHARED_WORLD] is True
    assert "triage" in world.referrals


def test_a_database_test_that_does_not_ask_for_the_world_does_not_see_it(request, db):
    """Written last, run first: in a module that shares its world, the database tests that do not ask for it run
    before it is built (tests/conftest.py), and see none of it."""
    module = request.node.getparent(pytest.Module)
    assert module.stash[SHARED_WORLD] is True
    assert not User.objects.filter(username="hana").exists()
    assert not Referral.objects.exists()

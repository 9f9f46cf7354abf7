"""Routing keeps the directory in memory between referrals, and never routes on a directory it was told changed."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carehub.cases.models import CaseStatus
from carehub.directory.models import Service
from carehub.referrals import directory_snapshot
from carehub.referrals.routing import load_services
from tests import factories as f


def facts_of(service_id: int):
    return next(s for s in directory_snapshot.routing_services() if s.id == service_id)


def test_the_snapshot_is_what_a_fresh_read_gives(world):
    assert directory_snapshot.routing_services() == load_services()


def test_a_second_routing_reads_nothing_from_the_database(world):
    directory_snapshot.routing_services()
    with CaptureQueriesContext(connection) as queries:
        directory_snapshot.routing_services()
    assert len(queries) == 0


def test_a_changed_service_is_routed_as_it_is_now(world):
    service = world.services["solace"]
    assert facts_of(service.pk).wait_days != 45
    service.current_wait_days = 45
    service.accepting_referrals = False
    service.save()
    assert facts_of(service.pk).wait_days == 45
    assert facts_of(service.pk).accepting is False


def test_a_new_service_and_a_renamed_organisation_are_seen(world):
    directory_snapshot.routing_services()
    added = f.ServiceFactory(name="Newly listed service")
    added.organisation.name = "Renamed charity"
    added.organisation.save()
    assert facts_of(added.pk).organisation == "Renamed charity"


def test_a_deleted_service_is_no_longer_routed_to(world):
    added = f.ServiceFactory()
    assert facts_of(added.pk)
    added.delete()
    assert added.pk not in {s.id for s in directory_snapshot.routing_services()}


def test_open_cases_move_with_each_case(world):
    service = world.services["solace"]
    before = facts_of(service.pk).open_cases
    case = f.CaseFactory(service=service)
    assert facts_of(service.pk).open_cases == before + 1
    case.status = CaseStatus.CLOSED
    case.save()
    assert facts_of(service.pk).open_cases == before


def test_a_change_without_a_signal_is_seen_once_the_snapshot_is_old(world, settings):
    service = world.services["solace"]
    directory_snapshot.routing_services()
    Service.objects.filter(pk=service.pk).update(current_wait_days=99)  # bulk update: no signal
    assert facts_of(service.pk).wait_days != 99
    settings.ROUTING_DIRECTORY_MAX_AGE = 0
    assert facts_of(service.pk).wait_days == 99


def test_the_version_is_set_again_when_the_change_commits(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        f.ServiceFactory()
        before_commit = cache.get(directory_snapshot.DIRECTORY)
    assert cache.get(directory_snapshot.DIRECTORY) != before_commit

"""The support-duration analysis, published from a synthetic extract and read by commissioners, and nobody else."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from carehub.audit.models import AuditEvent
from carehub.insight.duration.simulate import simulate
from tests.world import PERSONAS


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    return simulate(3000, seed=21).write(tmp_path_factory.mktemp("extract"))


@pytest.fixture
def published(db, settings, tmp_path, extract):
    settings.DURATION_RESULTS_DIR = tmp_path / "duration"
    call_command("duration", "publish", "--data", str(extract), "--extract-date", "2026-10-31", verbosity=0)
    return tmp_path / "duration" / "hub"


def test_publishing_keeps_exactly_the_three_files_and_audits_it(published):
    assert {p.name for p in published.iterdir()} == {"results.json", "results.csv", "report.html"}
    assert not [p for p in published.parent.iterdir() if p.name.startswith(".")]
    document = json.loads((published / "results.json").read_text())
    assert document["schema"] == "carehub.duration.results/1"
    assert "survivor_key" not in (published / "results.csv").read_text()
    event = AuditEvent.objects.filter(object_type="duration_results").latest("seq")
    assert event.changes["episodes"] == 3000


def test_a_commissioner_reads_the_headline_first_then_both_estimates(published, client_for, world):
    page = client_for("cora").get(reverse("duration:index"))
    body = page.content.decode()
    assert page.status_code == 200
    headline = body.index("Commissioning 26 weeks of support rather than 12")
    assert headline < body.index("Adjusted and naive estimates") < body.index("What the estimate assumes")
    assert "Emulated trial, adjusted" in body and "Direct comparison, unadjusted" in body
    assert body.count("<svg") >= 2 and "No unmeasured confounding" in body and "Too few to show" in body
    report = client_for("cora").get(reverse("duration:download", kwargs={"kind": "report"}))
    assert report.status_code == 200 and b"<svg" in b"".join(report.streaming_content)
    assert client_for("cora").get(reverse("duration:download", kwargs={"kind": "json"})).status_code == 404


def test_the_page_says_when_nothing_is_published(world, client_for, settings, tmp_path):
    settings.DURATION_RESULTS_DIR = tmp_path / "empty"
    page = client_for("cora").get(reverse("duration:index"))
    assert page.status_code == 200 and b"not been published yet" in page.content
    assert client_for("cora").get(reverse("duration:download", kwargs={"kind": "report"})).status_code == 404


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "cora"])
def test_nobody_but_commissioners_sees_it(client_for, world, persona, settings, tmp_path):
    settings.DURATION_RESULTS_DIR = tmp_path
    client = client_for(persona)
    for url in (reverse("duration:index"), reverse("duration:download", kwargs={"kind": "csv"})):
        assert client.get(url).status_code == 404

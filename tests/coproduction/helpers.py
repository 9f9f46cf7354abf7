"""Shared steps of the co-production tests: a published equality run on disk, a commitment and its consultation."""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone

from carehub.coproduction import services

RUN_DOCUMENT = {
    "schema": "carehub.eia.results/1",
    "assessment": {
        "title": "Care Hub: referral and routing",
        "specification": "hub.toml",
        "generated_at": "2026-11-30",
    },
    "findings": ["Women who asked for a by-and-for service were offered one less often when NRPF."],
    "suppression": {"threshold": 10},
    "results": [],
}


def publish_run(settings, tmp_path) -> None:
    settings.EIA_RESULTS_DIR = str(tmp_path)
    (tmp_path / "hub").mkdir()
    (tmp_path / "hub" / "results.json").write_text(json.dumps(RUN_DOCUMENT), encoding="utf-8")


def commitment(world, **overrides):
    data = dict(
        title="Recommission counselling for 26 weeks",
        description="Counselling contracts move from 12 to 26 weeks of support.",
        owner="MOPAC commissioning team",
        service_types=["counselling"],
        populations=["black_minoritised", "migrant"],
    )
    data.update(overrides)
    return services.commitment_create(actor=world.users["cora"], **data)


def consultation(world, commitment_, *, orgs=("sistah", "solace")):
    return services.consultation_open(
        actor=world.users["cora"],
        commitment=commitment_,
        question="Is 26 weeks long enough, and what must change for your communities?",
        documents="https://example.org/plan.pdf\nDraft service specification",
        closes_on=timezone.localdate() + dt.timedelta(days=30),
        organisations=[world.orgs[k] for k in orgs],
    )


def answer(world, consultation_, who: str, *, in_confidence: bool, text: str, communities=()):
    org = {"bea": "sistah", "amara": "solace"}[who]
    return services.response_submit(
        actor=world.users[who],
        consultation=consultation_,
        organisation=world.orgs[org],
        stance="support_with_changes",
        in_confidence=in_confidence,
        points=[services.PointInput(text, "Our waiting list data", list(communities))],
    )


CONFIDENTIAL_MARKER = "Confidentialpointmarker"


def records(world):
    """One commitment with an assessment, a consultation, an open and a confidential answer, and an action: the
    route matrix's co-production records (made once per world)."""
    from carehub.coproduction.models import Commitment

    found = Commitment.objects.filter(title="Route matrix commitment").first()
    if found is not None:
        return found
    made = commitment(world, title="Route matrix commitment")
    from carehub.coproduction.models import Assessment

    Assessment.objects.create(
        commitment=made, assessed_on=dt.date(2026, 12, 1), impact="i", mitigation="m", monitoring="o",
        created_at=timezone.now(),
    )  # fmt: skip
    asked = consultation(world, made)
    answer(world, asked, "bea", in_confidence=False, text="Open matrix point")
    answer(world, asked, "amara", in_confidence=True, text=CONFIDENTIAL_MARKER)
    services.action_add(actor=world.users["cora"], commitment=made, title="Matrix action", owner="Team",
                        due_on=dt.date(2027, 1, 1))  # fmt: skip
    return made

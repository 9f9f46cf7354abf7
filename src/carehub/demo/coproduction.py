"""Co-production's demo data: two commitments (one consulted on, one not yet), answers open and in confidence, a
decision and an action on its timeline, and survivors' feedback answers for a few services.

Written directly, like the rest of the seed (its one SEED audit event covers it), from the seed's own random
stream: same seed, same data. Small on purpose: enough for every co-production page to show something.
"""

from __future__ import annotations

import datetime as dt
import random

from carehub.accounts.models import Membership, Organisation, Role, User
from carehub.coproduction.models import (
    ActionUpdate,
    Commitment,
    CommitmentAction,
    Consultation,
    FeedbackAnswer,
    Invitation,
    Point,
    Response,
)
from carehub.coproduction.services import quarter_of
from carehub.core.public_ids import new_public_id
from carehub.directory.models import Service

FREE_TEXT = (
    "She listened and never rushed me.",
    "I waited too long for the first call.",
    "Having someone who spoke my language made all the difference.",
    "I did not know I could ask for a special measures hearing.",
    "The group sessions helped me feel less alone.",
)
ANSWERS_PER_SERVICE = 12  # past the threshold of ten, so the demo's pages show figures


def _manager(org: Organisation) -> User | None:
    membership = (
        Membership.objects.filter(organisation=org, role=Role.SERVICE_MANAGER).select_related("user").order_by("pk")
    ).first()
    return membership.user if membership else None


def write_coproduction(*, seed: int, end: dt.date) -> dict[str, int]:
    """Write the demo's co-production records; returns counts for the seed's report."""
    rng = random.Random(f"coproduction-{seed}")
    moment = dt.datetime.combine(end, dt.time(10, 0), tzinfo=dt.UTC)
    commissioner = User.objects.filter(username="commissioner").first()
    by_and_for = list(Organisation.objects.filter(kind=Organisation.Kind.BY_AND_FOR).order_by("slug"))
    specialist = list(Organisation.objects.filter(kind=Organisation.Kind.SPECIALIST).order_by("slug"))
    consulted = Commitment.objects.create(
        public_id=new_public_id(rng), title="Recommission counselling for 26 weeks",
        description="Counselling contracts move from 12 to 26 weeks of support per survivor from April.",
        owner="Commissioning team", status="in_progress", service_types=["counselling"],
        populations=["black_minoritised", "migrant", "deaf_disabled"], created_by=commissioner,
        created_at=moment - dt.timedelta(days=60),
    )  # fmt: skip
    Commitment.objects.create(
        public_id=new_public_id(rng), title="Interpreters in every borough's IDVA service",
        description="Every IDVA service can book an interpreter within two working days.",
        owner="Commissioning team", service_types=["idva"], populations=["migrant"], created_by=commissioner,
        created_at=moment - dt.timedelta(days=10),
    )  # fmt: skip
    consultation = Consultation.objects.create(
        public_id=new_public_id(rng), commitment=consulted,
        question="Is 26 weeks long enough for the women you support, and what must change for your communities?",
        documents="Draft service specification\nCurrent contract values", closes_on=end + dt.timedelta(days=45),
        opened_by=commissioner, opened_at=moment - dt.timedelta(days=30),
    )  # fmt: skip
    invitations = Invitation.objects.bulk_create(
        Invitation(
            consultation=consultation,
            organisation=o,
            was_by_and_for=o.kind == Organisation.Kind.BY_AND_FOR,
            communities=list(o.led_by_and_for) if o.kind == Organisation.Kind.BY_AND_FOR else [],
        )
        for o in [*by_and_for, *specialist]
    )
    points = []
    # A by-and-for organisation answers openly, a specialist one in confidence.
    answering = [(invitations[0], False)] if by_and_for else []
    answering += [(invitations[len(by_and_for)], True)] if specialist else []
    for invitation, confidential in answering:
        response = Response.objects.create(
            public_id=new_public_id(rng), invitation=invitation, in_confidence=confidential,
            stance="support_with_changes", submitted_by=_manager(invitation.organisation),
            submitted_at=moment - dt.timedelta(days=20),
        )  # fmt: skip
        points.append(
            Point.objects.create(
                public_id=new_public_id(rng),
                response=response,
                text="Fund interpreters and longer sessions for women who need them.",
                evidence="A third of our waiting list needs an interpreter.",
                communities=invitation.communities or ["migrant"],
            )
        )
    if points:
        first = points[0]
        first.decision, first.reasons, first.decided_at = "adopted_in_part", "Interpreters funded.", moment
        first.save()
        action = CommitmentAction.objects.create(
            public_id=new_public_id(rng), commitment=consulted, title="Interpreting budget in the new contracts",
            owner="Commissioning team", due_on=end + dt.timedelta(days=120), status="in_progress", progress=40,
        )  # fmt: skip
        action.points.set([first])
        ActionUpdate.objects.bulk_create([
            ActionUpdate(action=action, at=moment - dt.timedelta(days=5), status="planned", progress=0,
                         note="Action agreed"),
            ActionUpdate(action=action, at=moment, status="in_progress", progress=40, note="Tender published"),
        ])  # fmt: skip
    quarter = quarter_of(end)
    chosen = [*by_and_for[:2], *specialist[:2]]
    services = list(Service.objects.filter(organisation__in=chosen).order_by("organisation__slug", "name"))
    answers = []
    for service in services:
        for _ in range(ANSWERS_PER_SERVICE):
            said = {q: rng.choices(["yes", "partly", "no"], [7, 2, 1])[0] for q in (
                "felt_believed", "felt_safe", "culture_fit", "knew_rights", "would_recommend")}  # fmt: skip
            answers.append(
                FeedbackAnswer(
                    key=f"{rng.getrandbits(128):032x}",
                    service=service,
                    quarter=quarter,
                    **said,
                    open_text=rng.choice(FREE_TEXT) if rng.random() < 0.4 else "",
                    ethnic_group=rng.choice(["asian", "black", "mixed", "white", "other", ""]),
                )
            )
    FeedbackAnswer.objects.bulk_create(answers)
    return {"commitments": 2, "consultation answers": len(points), "feedback answers": len(answers)}

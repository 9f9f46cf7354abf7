"""Referral routes of the JSON API. Each answers only for the organisation whose key made the request."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Header, Router, Schema
from ninja.responses import Status as HttpStatus

from carehub.accounts import policy
from carehub.core.problems import problem
from carehub.referrals import intake, services
from carehub.referrals.intake_schema import ReferralCreatedOut, ReferralIn

router = Router(tags=["referrals"])


class ReferralStatusOut(Schema):
    reference: str
    status: str
    status_label: str


@router.post(
    "",
    response={201: ReferralCreatedOut},
    summary="Refer someone to the hub",
    description=(
        "Send the same `Idempotency-Key` when retrying: the first referral is returned, never a second one. "
        "A referral naming a police perpetrator is routed to the independent advisory service; its status "
        "here stays 'received'."
    ),
)
@policy.api_operation()
def referral_create(
    request: HttpRequest, payload: ReferralIn, idempotency_key: str = Header("", alias="Idempotency-Key")
) -> HttpStatus | HttpResponse:
    organisation = request.auth  # its rate limit was counted when its key was checked (carehub.api)
    if len(idempotency_key) > 100:
        return problem(
            422,
            "The request has errors",
            errors=[{"field": "Idempotency-Key", "message": "must be at most 100 characters"}],
        )
    try:
        intake_request = intake.from_api(payload)
        referral, _created = services.referral_create(
            actor=None,
            organisation=organisation,
            request=intake_request,
            idempotency_key=idempotency_key,
            request_fingerprint=services.fingerprint(payload.model_dump(mode="json")),
        )
    except services.IdempotencyConflict as exc:
        return problem(409, "Idempotency-Key reused", exc.message)
    except services.ReferralError as exc:
        return problem(422, "The request has errors", errors=[{"field": exc.field or "body", "message": exc.message}])
    # Sealed or not, the sender learns only what referral_status_for_sender allows ("received" for sealed).
    status, _ = policy.referral_status_for_sender_of(organisation, referral)
    return HttpStatus(201, {"reference": referral.reference, "status": status})


@router.get("/{reference}", response=ReferralStatusOut, summary="The status of a referral your organisation sent")
@policy.api_operation()
def referral_status(request: HttpRequest, reference: str) -> dict:
    code, label = policy.referral_status_for_sender(request.auth, reference)
    return {"reference": reference, "status": code, "status_label": label}

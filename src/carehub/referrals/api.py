"""Referral routes of the JSON API. Each answers only for the organisation whose key made the request."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Header, Router, Schema
from ninja.responses import Status as HttpStatus

from carehub.accounts import policy
from carehub.core.problems import openapi_responses, problem
from carehub.referrals import intake, services
from carehub.referrals.intake_schema import ReferralCreatedOut, ReferralIn

router = Router(tags=["referrals"])


class ReferralStatusOut(Schema):
    reference: str
    status: str
    status_label: str


def _refused(field: str, message: str) -> HttpResponse:
    return problem(422, "The request has errors", errors=[{"field": field, "message": message}])


@router.post(
    "",
    response={201: ReferralCreatedOut},
    openapi_extra={"responses": openapi_responses(400, 401, 409, 413, 415, 422, 429, 500)},
    summary="Refer someone to the hub",
    description=(
        "Send the same `Idempotency-Key` when retrying: the first referral is returned, never a second one. "
        "A referral naming a police perpetrator is routed to the independent advisory service; its status "
        "here stays 'received'. A field Care Hub does not know is refused, never ignored. A police force's key "
        "may not send `equality.immigration_status`, as a police user is not asked it on the web form."
    ),
)
@policy.api_operation()
def referral_create(
    request: HttpRequest, payload: ReferralIn, idempotency_key: str = Header("", alias="Idempotency-Key")
) -> HttpStatus | HttpResponse:
    organisation = request.auth  # its rate limit was counted when its key was checked (carehub.api)
    if len(idempotency_key) > 100:
        return _refused("Idempotency-Key", "must be at most 100 characters")
    if organisation.is_police and payload.equality.immigration_status is not None:
        # The web form's rule (policy.can_record_immigration_status) for the force's system too.
        return _refused("equality.immigration_status", "is not recorded from a police force's system")
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
        return _refused(exc.field or "body", exc.message)
    # Sealed or not, the sender learns only what referral_status_for_sender allows ("received" for sealed).
    status, _ = policy.referral_status_for_sender_of(organisation, referral)
    return HttpStatus(201, {"reference": referral.reference, "status": status})


@router.get(
    "/{reference}",
    response=ReferralStatusOut,
    summary="The status of a referral your organisation sent",
    openapi_extra={"responses": openapi_responses(401, 404, 413, 422, 429, 500)},
)
@policy.api_operation()
def referral_status(request: HttpRequest, reference: str) -> dict:
    code, label = policy.referral_status_for_sender(request.auth, reference)
    return {"reference": reference, "status": code, "status_label": label}

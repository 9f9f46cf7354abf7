"""Referral routes of the JSON API. Each answers only for the organisation whose key made the request."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from carehub.accounts import policy

router = Router(tags=["referrals"])


class ReferralStatusOut(Schema):
    reference: str
    status: str
    status_label: str


@router.get("/{reference}", response=ReferralStatusOut, summary="The status of a referral your organisation sent")
@policy.api_operation()
def referral_status(request: HttpRequest, reference: str) -> dict:
    code, label = policy.referral_status_for_sender(request.auth, reference)
    return {"reference": reference, "status": code, "status_label": label}
